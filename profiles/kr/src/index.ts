/**
 * @module @openmid/profile-kr
 * The Korean profile of OpenMID: the five mobile credential types of DOMAIN.md §1.6 (resident
 * registration card, driving licence, disability registration card, public-servant ID, employee
 * ID) as data — claims with Korean and English labels and PIPA sensitivity, zod schemas of the
 * issuer input, disclosure frames and SD-JWT VC Type Metadata — plus validators for Korean
 * identifiers (resident registration number, licence number, road-name address) and the
 * derived age claims.
 *
 * @example
 * ```ts
 * import { buildSubjectClaims, credentialExpiry, findCredentialType } from '@openmid/profile-kr';
 * const type = findCredentialType('driving-licence');
 * const claims = buildSubjectClaims(type, issuerInput, { issuedAt: now });
 * // claims.age_over_19, claims.licence_number ('11-23-123456-10'), … → SD-JWT VC with type.vct
 * const exp = credentialExpiry(type, now, claims);
 * ```
 */
export {
  ADDRESS,
  AGE_CLAIMS,
  AGE_THRESHOLDS,
  BIRTH_DATE,
  ISSUE_DATE,
  ISSUING_AUTHORITY,
  MAX_PORTRAIT_LENGTH,
  NAME,
  PORTRAIT,
  RRN,
} from './claims.js';
export {
  DISABILITY,
  DISABILITY_SEVERITIES,
  DISABILITY_TYPES,
} from './credentials/disability.js';
export {
  DRIVING_LICENCE,
  LICENCE_CLASS_MINIMUM_AGE,
  LICENCE_CLASSES,
} from './credentials/driving-licence.js';
export { EMPLOYEE_ID } from './credentials/employee-id.js';
export { PUBLIC_SERVANT } from './credentials/public-servant.js';
export { RESIDENT_ID } from './credentials/resident-id.js';
export {
  addDays,
  addYears,
  ageOn,
  compareIsoDates,
  type DateParts,
  dateOfAge,
  daysInMonth,
  formatIsoDate,
  type Instant,
  type IsoDate,
  isIsoDate,
  isLeapYear,
  isValidDate,
  isYouthProtectionAdult,
  KST_OFFSET_SECONDS,
  kstDateOf,
  parseIsoDate,
  toEpochSeconds,
} from './dates.js';
export { LOCALES, vctOf } from './define.js';
export {
  type BuildClaimsOptions,
  buildSubjectClaims,
  type ClaimPath,
  credentialExpiry,
  disclosureFrameFor,
  nextAgeClaimChange,
} from './issue.js';
export type {
  ClaimDefinition,
  ClaimDisplayMetadata,
  ClaimMember,
  ClaimMetadata,
  ClaimValueType,
  CredentialType,
  CredentialTypeName,
  DisclosureFrame,
  Labels,
  Sensitivity,
  SimpleRendering,
  SubjectClaims,
  TypeDisplayMetadata,
  TypeMetadata,
} from './model.js';
export { CREDENTIAL_TYPE_NAMES, CREDENTIAL_TYPES, findCredentialType } from './registry.js';
export {
  isRoadNameAddress,
  MAX_ADDRESS_LENGTH,
  SIDO,
  type Sido,
  sidoOf,
} from './validators/address.js';
export {
  isValidLicenceNumber,
  LEGACY_LICENCE_REGION_NAMES,
  LICENCE_REGION_CODES,
  type LicenceNumberInvalidReason,
  maskLicenceNumber,
  type ParsedLicenceNumber,
  parseLicenceNumber,
} from './validators/licence.js';
export {
  isValidRrn,
  legacyRrnCheckDigit,
  maskRrn,
  type ParsedRrn,
  parseRrn,
  type RrnInvalidReason,
  rrnCenturyDigit,
  type Sex,
} from './validators/rrn.js';
