/** SD-JWT (RFC 9901). Each verification step of §7.1 / §7.3 fails with its own code. */
export const SDJWT_CODES = {
  ERR_SDJWT_TOO_LARGE:
    'The SD-JWT exceeds a size or Disclosure-count limit (checked before splitting) or the nesting-depth limit.',
  ERR_SDJWT_MALFORMED:
    'The input is not of the form <Issuer-signed JWT>~<Disclosure>~…~[<KB-JWT>] (RFC 9901 §4).',
  ERR_SDJWT_HASH_ALG_UNSUPPORTED:
    '_sd_alg is not on the allow-list, is not a string, or is not at the top level (RFC 9901 §4.1.1, §7.1 step 2.4).',
  ERR_SDJWT_DISCLOSURE_MALFORMED:
    'A Disclosure is not base64url JSON of [salt, name, value] or [salt, value] with a string salt and name (RFC 9901 §4.2).',
  ERR_SDJWT_DISCLOSURE_WRONG_KIND:
    'An array-element Disclosure is referenced from _sd, or an object-property Disclosure from an array (RFC 9901 §7.1 steps 3.3.2.1, 3.3.3.1).',
  ERR_SDJWT_DISCLOSURE_UNREFERENCED:
    'A Disclosure is not referenced by any digest in the Issuer-signed JWT or in other Disclosures (RFC 9901 §7.1 step 5).',
  ERR_SDJWT_DIGEST_DUPLICATE:
    'A digest appears more than once in the payload or Disclosures, or a Disclosure is presented twice (RFC 9901 §7.1 step 4, §4).',
  ERR_SDJWT_SD_INVALID:
    'An _sd member is not an array of strings, an array digest is not exactly {"...": "<digest>"}, or ... is used elsewhere (RFC 9901 §4.2.4).',
  ERR_SDJWT_CLAIM_NAME_RESERVED:
    'A Disclosure or issued claim uses a reserved name: _sd, ... or _sd_alg (RFC 9901 §7.1 step 3.3.2.2, §4.1.1).',
  ERR_SDJWT_CLAIM_NAME_COLLISION:
    'A disclosed claim name already exists at the same level of the payload (RFC 9901 §7.1 step 3.3.2.3).',
  ERR_SDJWT_PATH_NOT_FOUND:
    'A claim path selected for disclosure, or named by a disclosure frame, does not exist in the claims.',
  ERR_SDJWT_FRAME_INVALID:
    'A disclosure frame is malformed (_sd not a list of names or indices, a claim listed twice, a frame on a scalar, bad _sd_decoy).',
  ERR_SDJWT_KB_REQUIRED:
    'Key binding is required by policy but the presentation carries no KB-JWT (RFC 9901 §7.3 step 2).',
  ERR_SDJWT_KB_UNEXPECTED:
    'A KB-JWT is present where the format expects none: a holder received an SD-JWT+KB (RFC 9901 §7.2).',
  ERR_SDJWT_CNF_MISSING:
    'Key binding is required but the SD-JWT has no cnf.jwk holder key (RFC 9901 §7.3 step 5.1).',
  ERR_SDJWT_KB_NONCE_MISMATCH:
    'The KB-JWT nonce is missing or differs from the expected nonce (RFC 9901 §7.3 step 5.6).',
  ERR_SDJWT_KB_AUD_MISMATCH:
    'The KB-JWT aud is missing, not a single string, or differs from the expected audience (RFC 9901 §7.3 step 5.6).',
  ERR_SDJWT_KB_IAT_OUT_OF_WINDOW:
    'The KB-JWT iat is missing, in the future, or older than the accepted window (RFC 9901 §7.3 step 5.5).',
  ERR_SDJWT_KB_SD_HASH_MISMATCH:
    'The KB-JWT sd_hash does not cover exactly the presented SD-JWT (RFC 9901 §7.3 step 5.7, §4.3.1).',
} as const;
