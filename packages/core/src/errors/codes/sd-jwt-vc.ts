/** SD-JWT VC (draft-ietf-oauth-sd-jwt-vc) and type metadata. */
export const SDJWTVC_CODES = {
  ERR_SDJWTVC_CLAIM_MISSING:
    'A claim the SD-JWT VC format or policy requires is absent (iss, vct, exp at issuance, cnf when key binding is required, status when required).',
  ERR_SDJWTVC_CLAIM_INVALID:
    'An SD-JWT VC claim has the wrong type or form (vct or iss not a string, cnf without jwk, status malformed, a registered claim among subject claims).',
  ERR_SDJWTVC_CLAIM_NOT_DISCLOSABLE:
    'iss, nbf, exp, cnf, vct, vct#integrity or status was made selectively disclosable (refused at issuance, rejected in a presentation).',
  ERR_SDJWTVC_ISSUER_UNTRUSTED:
    'The issuer (iss) or its key is not trusted: the verifier trust source has no key for it.',
  ERR_SDJWTVC_VCT_UNEXPECTED: 'The credential type (vct) is not one the verifier accepts.',
  ERR_SDJWTVC_TYPE_METADATA_INVALID:
    'A type metadata document is malformed, describes another vct, extends circularly, or relaxes a rule of the type it extends.',
  ERR_SDJWTVC_TYPE_METADATA_UNAVAILABLE:
    'The type metadata document could not be loaded from the caller-supplied source.',
  ERR_SDJWTVC_METADATA_VIOLATION:
    'A credential breaks its type metadata: a claim marked sd always is not selectively disclosable, one marked never is, or a mandatory claim is absent.',
  ERR_SDJWTVC_INTEGRITY_MISMATCH:
    'A document does not match its integrity string (vct#integrity, extends#integrity, uri#integrity), or the string has no supported hash.',
} as const;
