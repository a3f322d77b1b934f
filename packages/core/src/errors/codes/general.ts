/** General codes, not tied to one format. */
export const GENERAL_CODES = {
  ERR_INTERNAL: 'An unexpected internal failure (a bug); the operation failed closed.',
  ERR_INPUT_INVALID: 'An argument or option given by the caller is invalid.',
  ERR_CRYPTO_UNSUPPORTED: 'The requested algorithm is not supported by the active crypto provider.',
} as const;
