/** Key handling (JWK, RFC 7517 / RFC 7638). */
export const KEY_CODES = {
  ERR_KEY_INVALID:
    'A JWK is malformed, has an invalid point, or carries private members where a public key is expected.',
  ERR_KEY_ALG_MISMATCH:
    'The key type or curve does not fit the algorithm (e.g. an EC key used for EdDSA).',
  ERR_KEY_UNSUPPORTED:
    'The key type, curve or algorithm is not supported (OpenMID signs with ES256 or EdDSA).',
  ERR_KEY_NOT_EXTRACTABLE: 'A private key was asked to be exported but it is non-extractable.',
} as const;
