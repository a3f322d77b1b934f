/**
 * @module errors/codes/presentation
 * Codes raised on the presentation side: the relying-party SDK (`@openmid/verifier`: trust
 * sources and bundles, DCQL, request objects and verifier attestations, encrypted responses,
 * offline QR payloads) and the verifier service (`apps/verifier`: the relying-party registry,
 * OpenID4VP 1.0 transactions, results). Defined here because the code catalogue is one closed
 * union; the verifier maps them to HTTP statuses at its edge.
 */

/** Presentation (OpenID4VP, verifier). */
export const PRESENTATION_CODES = {
  ERR_RP_UNKNOWN:
    'The relying party is not registered, was removed, or its registration is not valid at this time.',
  ERR_RP_ATTRIBUTE_NOT_REGISTERED:
    'A requested claim is outside the relying party registration for that credential type, or is a resident registration number and the party has no statutory basis (PIPA art. 24-2); details list the claim paths, never values.',
  ERR_RP_REGISTRATION_INVALID:
    'A relying-party registration is malformed: identifier, names, purpose, credential types, claim paths, legal basis, keys, validity or webhook URL.',
  ERR_TRUST_ISSUER_NOT_AUTHORISED:
    'The issuer is known but not authorised to issue this credential type (vct) at this time.',
  ERR_TRUST_SOURCE_UNAVAILABLE:
    'The trust source (registry, ledger or bundle) could not answer; nothing was trusted.',
  ERR_VP_PRESET_UNKNOWN: 'The named presentation request preset does not exist.',
  ERR_VP_DCQL_INVALID:
    'The DCQL query is malformed (OpenID4VP 1.0 §6): credentials, ids, format, meta.vct_values, claims paths, claim_sets or credential_sets, or a feature this verifier does not support.',
  ERR_VP_DCQL_UNSATISFIED:
    'The vp_token does not satisfy the DCQL query (OpenID4VP 1.0 §6.4, §8.6): a required credential or credential set is missing, an entry answers no query, too many presentations, a wrong credential type, or a requested claim not disclosed.',
  ERR_VP_REQUEST_UNKNOWN:
    'No presentation request with this identifier exists for this caller (unknown, another relying party’s, or already purged).',
  ERR_VP_REQUEST_EXPIRED:
    'The presentation request expired before the wallet fetched it or answered.',
  ERR_VP_REQUEST_CONSUMED:
    'The request object was already fetched: a request_uri serves its request object once.',
  ERR_VP_REQUEST_INVALID:
    'A request object does not verify for the wallet: typ not oauth-authz-req+jwt, bad signature, client_id mismatch or prefix not supported, missing or malformed parameters, or expired.',
  ERR_VP_ATTESTATION_INVALID:
    'A verifier attestation JWT (OpenID4VP 1.0 §12) does not verify: typ, issuer not a trusted registry, signature, sub not the client identifier, expired, or its cnf key did not sign the request.',
  ERR_VP_JWE_INVALID:
    'The encrypted response is not acceptable (OpenID4VP 1.0 §8.3): not a compact JWE, alg not ECDH-ES, enc not A128GCM or A256GCM, zip or another unexpected header, wrong key id or epk, or it does not decrypt with this request’s key.',
  ERR_VP_RESPONSE_INVALID:
    'The authorization response is malformed: not one response parameter, the decrypted payload is not a JSON object with a vp_token object, or an error response with an unknown error code.',
  ERR_VP_RESPONSE_REPLAYED:
    'A response for this request was already accepted: a replayed or doubled response is refused (one success per request).',
  ERR_VP_RESPONSE_CODE_INVALID:
    'The response_code of a same-device flow is missing or wrong: the result is released only to the session the wallet redirected back to (HAIP 1.0 §5).',
  ERR_VP_RESULT_GONE:
    'The verified result was already delivered and its personal data deleted (retention), or it expired undelivered.',
  ERR_VP_WEBHOOK_FAILED:
    'A webhook delivery to the relying party failed (network error, timeout or non-2xx answer); it is retried.',
  ERR_VP_VERIFIER_UNREACHABLE:
    'The verifier service could not be reached, or did not answer in time (command line and other API clients).',
  ERR_OFFLINE_BUNDLE_INVALID:
    'A trust bundle is malformed, is not signed by a trusted bundle key, or contains an entry that does not verify.',
  ERR_OFFLINE_BUNDLE_STALE:
    'The trust bundle is older than its maximum age (or issued in the future): refresh it while online.',
  ERR_OFFLINE_QR_INVALID:
    'An offline QR payload is malformed: unknown prefix or version, bad base45, decompression failure or beyond the size cap, or truncated or extra fields.',
  ERR_OFFLINE_WINDOW_EXPIRED:
    'A one-way offline presentation is outside its time window: its key-binding iat is older than the window or in the future, or its nonce does not name that window.',
  ERR_OFFLINE_REPLAYED:
    'This device already accepted the same one-way offline presentation within its time window.',
} as const;
