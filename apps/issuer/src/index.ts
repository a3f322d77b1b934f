/**
 * @module @openmid/issuer
 * The agency issuer service (issue 3 §2): OpenID4VCI 1.0 credential issuer and authorization
 * server, registry of record, status management, the lost-phone flow and population batches.
 * What the CLI and other tools use: start the service, compose it from parts, create offers and
 * batches, import a register, change statuses.
 */
export { type IssuerConfig, IssuerConfigSchema, loadIssuerConfig } from './config.js';
export { type IssuerContext, type IssuerUrls, issuerUrls } from './context.js';
export { ISSUER_ERROR_MAP } from './http/errors.js';
export { demoSubjectOf } from './idp/subject.js';
export {
  ADMIN_SCOPES,
  ALL_MIGRATIONS,
  bootstrapAdminKey,
  createIssuer,
  demoOfferText,
  type Issuer,
  type IssuerParts,
  type RunningIssuer,
  type StartIssuerOptions,
  startIssuer,
} from './main.js';
export { loadOrCreateMdocPki, type MdocPki } from './mdoc-pki.js';
export { ISSUER_MIGRATIONS } from './migrations.js';
export { offerQrPng, offerQrSvg, offerQrTerminal } from './qr.js';
export {
  type BatchOptions,
  type BatchProgress,
  type BatchState,
  createBatch,
  exportBatchOffers,
  readBatch,
  runBatchOffers,
} from './services/batches.js';
export { type LossReport, reportLostPhone } from './services/devices.js';
export { type ImportResult, importRegister, parseCsv } from './services/import.js';
export {
  configurationsOfType,
  MDOC_CONFIGURATIONS,
  type MdocConfiguration,
  MSO_MDOC_FORMAT,
} from './services/mdoc.js';
export {
  type CreatedOffer,
  type CredentialOfferObject,
  createOffer,
  credentialOfferUri,
} from './services/offers.js';
export { demoCitizenId, seedDemoRegister } from './services/register.js';
export {
  changeStatus,
  listCredentials,
  revokeCitizen,
  type StatusAction,
  suspendDevice,
} from './services/status.js';
export {
  type IssuerRegistration,
  loggingTrustRegistration,
  type TrustRegistration,
} from './trust.js';
