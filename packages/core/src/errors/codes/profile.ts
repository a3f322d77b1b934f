/** Credential profiles (profiles/kr) and Korean identifiers. */
export const PROFILE_CODES = {
  ERR_PROFILE_TYPE_UNKNOWN:
    'The credential type (short name or vct) is not defined by the profile.',
  ERR_PROFILE_CLAIMS_INVALID:
    'The claims do not satisfy the credential type of the profile (schema or cross-claim checks); details.paths lists the failing claim paths, never values.',
  ERR_KR_RRN_INVALID:
    'A resident registration number is not 13 digits (YYMMDD-SXXXXXX) or its birth date is not a real day of the century its 7th digit gives; a failed legacy checksum is never a rejection.',
  ERR_KR_LICENCE_NUMBER_INVALID:
    'A driving-licence number is not of the form RR-YY-NNNNNN-CD with a region code 11–26 or 28 (or a legacy region name).',
} as const;
