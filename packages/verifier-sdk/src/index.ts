/**
 * @module @openmid/verifier
 * The OpenMID relying-party SDK (Node and browsers): verify presentations online or offline in
 * one call ({@link verifyPresentation}), with a narrow trust port ({@link TrustSource}) answered
 * by a registry, the trust ledger ({@link refreshingLedgerTrustSource}) or a signed offline trust
 * bundle (which may carry a ledger snapshot); DCQL queries; OpenID4VP 1.0
 * request objects with verifier attestations and encrypted `direct_post.jwt` responses; and the
 * offline QR payloads of both sides. Errors are `OpenMidError`s with stable codes
 * (`docs/errors.md`).
 */
export {
  assertCredentialSets,
  type DcqlCandidate,
  type DcqlSelection,
  isVpTokenShape,
  projectClaims,
  satisfiedClaims,
  selectCredentials,
} from './dcql/match.js';
export {
  acceptedTypesOf,
  type ClaimPath,
  DCQL_LIMITS,
  type DcqlClaimsQuery,
  type DcqlCredentialQuery,
  type DcqlCredentialSetQuery,
  type DcqlMdocQuery,
  type DcqlQuery,
  type DcqlSdJwtQuery,
  isMdocQuery,
  MSO_MDOC_FORMAT,
  parseDcqlQuery,
  SD_JWT_VC_FORMAT,
} from './dcql/query.js';
export {
  createRelayEngagement,
  type EncodeRequest,
  type HolderAwaitOptions,
  type HolderRequest,
  holderAwaitRequest,
  holderRespond,
  openRelaySession,
  RELAY_MAX_WAIT,
  RELAY_RETRIEVAL_TYPE,
  RELAY_RETRIEVAL_VERSION,
  type RelayEngagement,
  type RelayFetch,
  type RelayReader,
  type RelaySession,
  startRelayReader,
  type VerifiedInPerson,
  verifyInPersonResponse,
} from './mdoc/inperson.js';
export {
  type CreateMdocPresentationOptions,
  createMdocPresentation,
  type MdocHandoverRequest,
  mdocCandidate,
  mdocDisclosure,
  openid4vpMdocTranscript,
} from './mdoc/openid4vp.js';
export {
  DEFAULT_MDOC_PROFILES,
  KR_MDL_PROFILE,
  type MdocNameSpaceValues,
  type MdocProfile,
  mdocProfileOf,
  mdocRegistrationPath,
  mdocResultClaims,
} from './mdoc/profile.js';
export { createMdocIssuerTrust, type MdocIaca, type MdocIssuerTrust } from './mdoc/trust.js';
export {
  type MdocVerifyContext,
  mdocClaims,
  mdocJsonElements,
  selectElements,
  type VerifiedMdocDocument,
  verifyMdocDocument,
} from './mdoc/verify.js';
export { BASE45_ALPHABET, base45Decode, base45Encode } from './offline/base45.js';
export { MAX_UNPACKED_BYTES } from './offline/pack.js';
export {
  createOfflinePresentation,
  createOfflineRequest,
  decodeOfflinePresentation,
  encodeOfflinePresentation,
  MAX_QR_TEXT,
  OFFLINE_PRESENTATION_PREFIX,
  OFFLINE_REQUEST_PREFIX,
  OFFLINE_REQUEST_TYP,
  type OfflineMode,
  type OfflinePresentationOptions,
  type OfflineRequestOptions,
  rpIdOfClientId,
  type VerifiedOfflineRequest,
  verifyOfflineRequest,
} from './offline/qr.js';
export {
  type AttestedLedgerReference,
  CLIENT_ID_PREFIX,
  type CreateAttestationOptions,
  clientIdOf,
  createVerifierAttestation,
  VERIFIER_ATTESTATION_TYP,
  type VerifiedAttestation,
  verifyVerifierAttestation,
} from './oid4vp/attestation.js';
export {
  type DecryptResponseOptions,
  decryptResponse,
  type EcdhEsDecrypt,
  encryptResponse,
  generateResponseKey,
  joseEcdhEsDecrypt,
  MAX_RESPONSE_JWE_LENGTH,
  parseResponseEncryptionJwk,
  RESPONSE_ENC_VALUES,
  type ResponseEnc,
  type ResponseEncryptionJwk,
  type ResponseKeyPair,
} from './oid4vp/jwe.js';
export {
  type CreateRequestObjectOptions,
  createRequestObject,
  MAX_REQUEST_OBJECT_LENGTH,
  parseRequestLink,
  REQUEST_OBJECT_TYP,
  RESPONSE_MODE,
  requestLink,
  STATIC_DISCOVERY_AUD,
  type VerifiedRequest,
  type VerifyRequestObjectOptions,
  VP_FORMATS_SUPPORTED,
  verifyRequestObject,
} from './oid4vp/request.js';
export {
  createResponseBody,
  type OpenedResponse,
  openResponse,
  parseResponseBody,
  type ResponseBody,
  WALLET_ERRORS,
} from './oid4vp/response.js';
export {
  type CreateTrustBundleOptions,
  createTrustBundle,
  DEFAULT_BUNDLE_MAX_AGE,
  MAX_TRUST_BUNDLE_LENGTH,
  type OpenBundleLedgerOptions,
  type OpenedBundleLedger,
  type OpenTrustBundleOptions,
  openTrustBundle,
  TRUST_BUNDLE_TYP,
  type TrustBundle,
  type TrustBundleContent,
  type TrustBundleLedger,
  type TrustBundleMaxAge,
} from './trust/bundle.js';
export { ask, pickKey, trustedVerifier, verifierForKey } from './trust/keys.js';
export {
  type LedgerRefreshOutcome,
  type LedgerTrustSource,
  type LedgerTrustSourceOptions,
  type LedgerTrustView,
  ledgerTrustData,
  ledgerTrustSource,
  type RefreshingLedgerOptions,
  type RefreshingLedgerTrustSource,
  refreshingLedgerTrustSource,
  type StoredLedgerSnapshot,
} from './trust/ledger.js';
export {
  assertRequestRegistered,
  type LegalBasisRule,
  type UnregisteredClaim,
  unregisteredClaims,
} from './trust/registration.js';
export {
  claimCovered,
  type IssuerKeyContext,
  type IssuerKeysAnswer,
  keyValidAt,
  type LocalizedText,
  parseRelyingPartyRegistration,
  parseTrustedIssuer,
  REGISTRY_ATTESTATION_TYPE,
  type RegistrationOnLedger,
  type RelyingPartyRegistration,
  type RpDenyReason,
  type RpRequestRule,
  rpMayRequest,
  staticTrustSource,
  type TrustData,
  type TrustedIssuer,
  type TrustedKey,
  type TrustSource,
} from './trust/source.js';
export {
  createReplayCache,
  OFFLINE_AUDIENCE,
  OFFLINE_WINDOW_SECONDS,
  type ReplayCache,
  windowNonce,
} from './verify/binding.js';
export {
  type CredentialStatus,
  checkCredentialStatus,
  createStatusListSource,
  type StatusCheckContext,
  type StatusListSource,
  type StatusListSourceOptions,
} from './verify/status.js';
export {
  type MdocPolicy,
  type NonceBinding,
  type OfflineQrInput,
  type PresentationInput,
  type TimeWindowBinding,
  type VerifiedCredential,
  type VerifiedVpToken,
  type VerifyPolicy,
  type VerifyPolicyBase,
  type VpTokenInput,
  verifyPresentation,
} from './verify/verify.js';
