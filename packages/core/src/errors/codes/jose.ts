/** JOSE: compact JWS and JWT claims (RFC 7515, RFC 7519). */
export const JOSE_CODES = {
  ERR_JOSE_TOO_LARGE: 'The token exceeds the configured size limit (checked before parsing).',
  ERR_JOSE_MALFORMED: 'The token is not a compact JWS of three non-empty base64url parts.',
  ERR_JOSE_BASE64URL_INVALID: 'A token part is not strict unpadded base64url.',
  ERR_JOSE_JSON_INVALID:
    'A JOSE header or JWT payload is not a JSON object (or is not valid UTF-8 / too deep).',
  ERR_JOSE_JSON_DUPLICATE_MEMBER:
    'A JOSE header or JWT payload contains a duplicate JSON member name.',
  ERR_JOSE_ALG_NOT_ALLOWED:
    'The header alg is missing, none, a MAC, not allowed for this key, or not on the allow-list.',
  ERR_JOSE_TYP_MISMATCH:
    'The header typ is missing or is not the explicit type expected for this kind of token.',
  ERR_JOSE_CRIT_UNSUPPORTED:
    'The header lists a crit extension that is not understood (or crit is malformed).',
  ERR_JOSE_HEADER_INVALID:
    'A header parameter is malformed or not supported (e.g. b64=false, non-string kid).',
  ERR_JOSE_SIGNATURE_MALFORMED:
    'The signature has the wrong length or, for ECDSA, r or s is zero or not below the group order.',
  ERR_JOSE_SIGNATURE_INVALID: 'The signature does not verify with the trusted key.',
  ERR_JWT_CLAIM_INVALID:
    'A registered JWT claim has the wrong type (e.g. a time claim that is not a NumericDate).',
  ERR_JWT_CLAIM_MISSING: 'A JWT claim required by policy is absent.',
  ERR_JWT_EXPIRED: 'The token is expired (exp is in the past, beyond the allowed clock leeway).',
  ERR_JWT_NOT_YET_VALID:
    'The token is not yet valid (nbf or iat in the future, beyond the allowed clock leeway).',
} as const;
