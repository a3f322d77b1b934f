/**
 * @module errors/codes/mdoc
 * Codes raised by `@openmid/core/mdoc`: the hardened CBOR decoder (RFC 8949), COSE (RFC 9052),
 * the X.509 document-signer chain (ISO/IEC 18013-5 Annex B), mdoc verification (18013-5 §9.3)
 * and session encryption (18013-5 §9.1.1).
 */

/** mdoc (ISO/IEC 18013-5), CBOR and COSE. */
export const MDOC_CODES = {
  ERR_CBOR_MALFORMED:
    'The input is not well-formed CBOR (RFC 8949 §3): truncated, reserved additional information, invalid UTF-8, a stray break, a tag on the wrong type, or trailing bytes.',
  ERR_CBOR_TOO_LARGE:
    'The CBOR input, a declared length or count, or the number of data items exceeds a limit or the remaining input (checked before allocation).',
  ERR_CBOR_TOO_DEEP: 'CBOR arrays, maps and tags are nested deeper than the limit.',
  ERR_CBOR_DUPLICATE_KEY: 'A CBOR map contains the same key twice (RFC 8949 §5.6).',
  ERR_CBOR_INDEFINITE_LENGTH:
    'A CBOR string, array or map uses indefinite-length encoding where definite lengths are required (RFC 8949 §4.2.1).',
  ERR_CBOR_NOT_DETERMINISTIC:
    'CBOR that must be deterministically encoded is not: a non-preferred (non-shortest) argument or float, or map keys not in bytewise order (RFC 8949 §4.2.1).',
  ERR_CBOR_UNSUPPORTED:
    'Well-formed CBOR outside the accepted profile: a tag not on the allow-list, a map key that is neither an integer nor a text string, or an unassigned simple value.',
  ERR_COSE_MALFORMED:
    'A COSE_Sign1, COSE_Mac0 or COSE_Key does not have the structure of RFC 9052 §4.2, §6.2 or §7.',
  ERR_COSE_HEADER_INVALID:
    'A COSE header is invalid: alg missing from the protected bucket, a label in both buckets, an unknown critical header, or a malformed x5chain (RFC 9052 §3).',
  ERR_COSE_ALG_UNSUPPORTED:
    'The COSE algorithm is not on the allow-list, or the key type or curve does not fit it (RFC 9053).',
  ERR_COSE_KEY_INVALID:
    'A COSE_Key is malformed, of an unsupported type or curve, carries private members, or its point is not on the curve (RFC 9053 §7).',
  ERR_COSE_SIGNATURE_INVALID:
    'A COSE signature is malformed (length, r or s out of range) or does not verify with the expected key.',
  ERR_MDOC_MALFORMED:
    'A DeviceResponse, Document, IssuerSigned, DeviceSigned, MobileSecurityObject or IssuerSignedItem does not have the structure of ISO/IEC 18013-5 §8.3.2.1.2.2 or §9.1.2.',
  ERR_MDOC_CERTIFICATE_INVALID:
    'An X.509 certificate is not strict DER, uses an unsupported algorithm or key, or breaks the 18013-5 Annex B profile (key usage, basic constraints, unknown critical extension).',
  ERR_MDOC_ISSUER_UNTRUSTED:
    'The document-signer certificate does not chain to a trusted IACA: no x5chain, unknown issuer, bad certificate signature, wrong key usage or EKU, or a certificate not valid now (18013-5 §9.3.3); or its key is not a key the trust source (ledger) registers for the issuer of that IACA (`details.reason` says which).',
  ERR_MDOC_ISSUER_AUTH_INVALID:
    'The IssuerAuth signature over the MobileSecurityObject does not verify with the document-signer key (18013-5 §9.3.1 step 2).',
  ERR_MDOC_DIGEST_ALG_UNSUPPORTED:
    'The MobileSecurityObject digestAlgorithm is not SHA-256, SHA-384 or SHA-512 (18013-5 §9.1.2.5).',
  ERR_MDOC_DIGEST_MISSING:
    'A disclosed IssuerSignedItem is not covered by a digest: its digestID has no entry in the MSO valueDigests for its namespace (18013-5 §9.3.1 step 3).',
  ERR_MDOC_DIGEST_MISMATCH:
    'The digest of a disclosed IssuerSignedItem, computed over its original tag-24 bytes, differs from the MSO valueDigests entry (18013-5 §9.3.1 step 3).',
  ERR_MDOC_ELEMENT_DUPLICATE:
    'A namespace discloses the same data element identifier or digestID twice.',
  ERR_MDOC_ELEMENT_NOT_FOUND:
    'The holder selected a data element the mdoc does not contain (nothing was presented).',
  ERR_MDOC_DOCTYPE_MISMATCH:
    'The document docType differs from the MSO docType, or is not a docType the verifier accepts (18013-5 §9.3.1 step 4).',
  ERR_MDOC_NOT_YET_VALID:
    'The MobileSecurityObject is not valid yet: its signed or validFrom time is after the verification time (18013-5 §9.3.1 step 5).',
  ERR_MDOC_EXPIRED:
    'The MobileSecurityObject is expired: its validUntil time has passed (18013-5 §9.3.1 step 5).',
  ERR_MDOC_VALIDITY_INVALID:
    'The MSO validityInfo is inconsistent: validUntil before validFrom, validFrom before signed, fractional or non-UTC tdate, or signed outside the document-signer certificate validity.',
  ERR_MDOC_ISSUING_COUNTRY_MISMATCH:
    'The disclosed issuing_country differs from the countryName of the document-signer certificate (18013-5 §7.2.1).',
  ERR_MDOC_DEVICE_AUTH_INVALID:
    'DeviceAuth is missing, of an unsupported kind, or its signature or MAC does not verify over this transaction’s SessionTranscript with the MSO device key (18013-5 §9.1.3).',
  ERR_MDOC_RESPONSE_NOT_OK:
    'The DeviceResponse status is not 0 (OK), or it carries no document (18013-5 §8.3.2.1.2.3).',
  ERR_MDOC_TRANSCRIPT_INVALID:
    'SessionTranscript bytes are not #6.24(bstr .cbor [DeviceEngagementBytes, EReaderKeyBytes, Handover]) (18013-5 §9.1.5.1).',
  ERR_MDOC_ENGAGEMENT_INVALID:
    'A DeviceEngagement is malformed or unsupported: version, cipher suite, ephemeral key or retrieval methods (18013-5 §8.2.1.1).',
  ERR_MDOC_SESSION_MALFORMED:
    'A SessionEstablishment or SessionData message is malformed (18013-5 §9.1.1.4).',
  ERR_MDOC_SESSION_DECRYPT_FAILED:
    'A session message does not decrypt: wrong key, tampered, replayed or out of order (AES-256-GCM with per-direction counters, 18013-5 §9.1.1.5).',
  ERR_MDOC_SESSION_TERMINATED:
    'The session was terminated (status 20) or its message counter is exhausted; start a new session.',
  ERR_MDOC_RELAY_SESSION_UNKNOWN:
    'The in-person relay has no such session (unknown, expired or closed), the token does not fit it, or no message came before the timeout.',
  ERR_MDOC_RELAY_SESSION_TAKEN:
    'Another reader already claimed this in-person relay session (one reader per session).',
  ERR_MDOC_RELAY_LIMIT:
    'An in-person relay limit was reached: message too large, mailbox full or too many open sessions; retry later.',
  ERR_MDOC_CLAIMS_INVALID:
    'The licence claims given to the mdoc mapping lack a required element or have the wrong form (details list claim names, never values).',
} as const;
