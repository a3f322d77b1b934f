/**
 * @module @openmid/core/sd-jwt-vc
 * SD-JWT-based Verifiable Digital Credentials (draft-ietf-oauth-sd-jwt-vc): issue and verify with
 * the registered-claim rules, status hook last; Type Metadata types, validation, integrity.
 */
export { checkStatusClaim } from './claims.js';
export {
  computeIntegrity,
  type IntegrityAlg,
  matchesIntegrity,
  verifyIntegrity,
} from './integrity.js';
export {
  checkVcFrame,
  type IssueSdJwtVcOptions,
  issueSdJwtVc,
  NEVER_DISCLOSABLE,
  SD_JWT_VC_TYP,
  type SdJwtVcCredential,
  type SdJwtVcStatus,
} from './issue.js';
export {
  assertMetadataRules,
  type ClaimDisplay,
  type ClaimMetadata,
  findMetadataViolations,
  type ImageMetadata,
  MAX_TYPE_METADATA_BYTES,
  type MetadataViolation,
  mergeTypeMetadata,
  type ParseTypeMetadataOptions,
  parseTypeMetadata,
  type ResolveTypeMetadataOptions,
  resolveTypeMetadata,
  type SdRule,
  type SimpleRendering,
  type SvgTemplate,
  type SvgTemplateProperties,
  type TypeDisplay,
  type TypeMetadata,
  type TypeRendering,
  validateTypeMetadata,
} from './metadata.js';
export {
  type IssuerKeyResolver,
  type SdJwtVcKeyBound,
  type SdJwtVcPolicyBase,
  type SdJwtVcUnbound,
  type VerifiedSdJwtVc,
  type VerifySdJwtVcPolicy,
  verifySdJwtVc,
} from './verify.js';
