/**
 * @module @openmid/verifier-service
 * The verifier service (issue 4 §2): OpenID4VP 1.0 for registered relying parties — signed
 * request objects with verifier attestations, encrypted `direct_post.jwt` responses, one success
 * per request, results readable only by the party that asked — the relying-party registry
 * (on the trust ledger with VERIFIER_LEDGER_URL, else with its interim issuer registry), and the
 * offline trust bundle. What the CLI, `npm start` and tests use.
 */
export { loadVerifierConfig, type VerifierConfig, VerifierConfigSchema } from './config.js';
export { type VerifierContext, type VerifierUrls, verifierUrls } from './context.js';
export { VERIFIER_ERROR_MAP } from './http/errors.js';
export {
  ALL_MIGRATIONS,
  bootstrapKeys,
  createVerifier,
  type IssuerAnnouncement,
  issuerRecordOf,
  type RunningVerifier,
  type StartVerifierOptions,
  startVerifier,
  type Verifier,
  type VerifierParts,
  verifierTrustRegistration,
} from './main.js';
export { VERIFIER_MIGRATIONS } from './migrations.js';
export { legalBasisRequired, PRESET_NAMES, PRESETS, presetQuery } from './presets.js';
export { qrPng, qrSvg, qrTerminal, qrVersion } from './qr.js';
export { issuerFromMetadata, trustIssuersOnFirstUse } from './registry/dev-trust.js';
export {
  assertLedgerRegistrable,
  createVerifierLedger,
  type LedgerRpRegistration,
  type LedgerRpRegistrationOptions,
  ledgerProfileOf,
  ledgerRpRegistration,
  pinnedLogKey,
  type RpPlanTimes,
  rpRegistrationPlan,
  type VerifierLedger,
  type VerifierLedgerParts,
} from './registry/ledger.js';
export {
  ADMIN_SCOPE,
  attestationFor,
  createRpApiKey,
  listIssuers,
  listRelyingParties,
  type RelyingPartyInput,
  RP_SCOPE,
  registerIssuer,
  registerRelyingParty,
  removeIssuer,
  removeRelyingParty,
  rpOfApiKey,
  rpSigner,
  syncLedgerRelyingParties,
} from './registry/registry.js';
export { DEMO_RELYING_PARTIES, seedDemoRelyingParties } from './registry/seed.js';
export {
  ledgerVerifierTrust,
  registryRecordOf,
  type SqlTrustSource,
  sqlTrustSource,
  type VerifierTrustSource,
} from './registry/trust.js';
export { exportTrustBundle } from './services/bundle.js';
export { chainEvents, type EventsVerification, verifyEvents } from './services/events.js';
export { concatKdf, nodeEcdhEsDecrypt } from './services/jwe-node.js';
export {
  createOutbound,
  type FetchLike,
  isPrivateAddress,
  type Outbound,
} from './services/outbound.js';
export {
  type CreatedPresentationRequest,
  createPresentationRequest,
  fetchRequestObject,
  type PresentationRequestInput,
} from './services/requests.js';
export {
  type DirectPostAnswer,
  type PresentationResult,
  type ResultCredential,
  receiveResponse,
} from './services/responses.js';
export { purgeResults, type ResultView, readResult } from './services/results.js';
export { deliverWebhooks, WEBHOOK_TYP, webhookBody } from './services/webhooks.js';
