/**
 * @module errors/codes/issuance
 * Codes raised by the issuer service (`apps/issuer`): the OAuth 2.0 authorization server it
 * embeds (RFC 6749, RFC 7636 PKCE, RFC 9126 PAR, RFC 9449 DPoP), the OpenID4VCI 1.0 credential
 * issuer (offers, nonces, proofs, batches, notifications), and the agency's registry of record
 * and status management. Defined here because the code catalogue is one closed union; the issuer
 * maps them to HTTP statuses and OAuth error strings at its edge.
 */

/** Issuance (OpenID4VCI, issuer). */
export const ISSUANCE_CODES = {
  ERR_OAUTH_INVALID_REQUEST:
    'The OAuth request is malformed: a parameter is missing, repeated or invalid (RFC 6749 §5.2 invalid_request).',
  ERR_OAUTH_INVALID_CLIENT:
    'Client authentication failed, or the client_id does not match the one the grant was issued to (RFC 6749 §5.2 invalid_client).',
  ERR_OAUTH_INVALID_GRANT:
    'The authorization code or pre-authorized code is unknown, expired, already used, or was issued to another client or redirect URI; or the PKCE code_verifier does not match (RFC 6749 §5.2 invalid_grant).',
  ERR_OAUTH_UNSUPPORTED_GRANT_TYPE:
    'The grant_type is not one this authorization server supports (RFC 6749 §5.2 unsupported_grant_type).',
  ERR_OAUTH_UNSUPPORTED_RESPONSE_TYPE:
    'The authorization request asks for a response_type other than code (RFC 6749 §4.1.2.1).',
  ERR_OAUTH_PKCE_INVALID:
    'The PKCE parameters are missing or use a method other than S256 (plain is refused; RFC 7636 §4.3, §7.2).',
  ERR_OAUTH_REQUEST_URI_INVALID:
    'The PAR request_uri is unknown, expired or already used, or the authorization request did not use PAR (RFC 9126 §4).',
  ERR_OAUTH_ACCESS_DENIED:
    'The citizen could not be signed in or matched to the register, or refused the authorization (RFC 6749 §4.1.2.1 access_denied).',
  ERR_OAUTH_INVALID_TOKEN:
    'The access token is missing, unknown, expired, already spent, or bound to another DPoP key (RFC 6750 §3.1 invalid_token).',
  ERR_OAUTH_IDP_FAILED:
    'The identity provider answered with an error or an ID token that does not verify (issuer, audience, nonce, signature, time).',
  ERR_DPOP_PROOF_INVALID:
    'The DPoP proof is missing or invalid: typ, alg, embedded public jwk, signature, htm, htu, iat window, replayed jti, or ath (RFC 9449 §4.3).',
  ERR_DPOP_NONCE_REQUIRED:
    'The DPoP proof lacks the server-provided nonce or carries a stale one; retry with the value of the DPoP-Nonce header (RFC 9449 §8).',
  ERR_VCI_OFFER_NOT_FOUND: 'No credential offer with this id exists.',
  ERR_VCI_OFFER_EXPIRED:
    'The credential offer (its pre-authorized or authorization code) has expired (OpenID4VCI 1.0 §4.1.1).',
  ERR_VCI_OFFER_BURNT:
    'The pre-authorized code was burnt after too many wrong tx_code attempts, or cancelled; even the right tx_code now fails.',
  ERR_VCI_TX_CODE_INVALID:
    'The tx_code is missing or wrong; the attempt was counted (OpenID4VCI 1.0 §6.1 invalid_grant).',
  ERR_VCI_NONCE_INVALID:
    'A proof carries no c_nonce, or one that is unknown, expired or already used; fetch a fresh one from the nonce endpoint (OpenID4VCI 1.0 §8.3.1.2 invalid_nonce).',
  ERR_VCI_PROOF_INVALID:
    'A key proof is invalid: typ not openid4vci-proof+jwt, alg not allowed, no or a private jwk, kid/x5c instead of jwk, wrong aud, stale or future iat, bad signature (OpenID4VCI 1.0 §8.2.1, Appendix F.4).',
  ERR_VCI_CREDENTIAL_REQUEST_INVALID:
    'The credential request is malformed: wrong member types, both or neither identifier, no proofs, or a proof type not supported (OpenID4VCI 1.0 §8.3.1.2 invalid_credential_request).',
  ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN:
    'The credential_configuration_id is not offered by this issuer, or not the one this access token was granted for (OpenID4VCI 1.0 §8.3.1.2).',
  ERR_VCI_BATCH_TOO_LARGE:
    'More key proofs than the batch size the issuer supports or the offer allows (OpenID4VCI 1.0 §12.2.4 batch_credential_issuance).',
  ERR_VCI_DUPLICATE_HOLDER_KEY:
    'Two key proofs of one batch carry the same holder key; batch copies must be bound to distinct keys (SECURITY.md "Issuance").',
  ERR_VCI_NOTIFICATION_INVALID:
    'The notification_id is unknown or belongs to another access token, or the event is not credential_accepted, credential_failure or credential_deleted (OpenID4VCI 1.0 §11).',
  ERR_ISSUER_CITIZEN_NOT_FOUND:
    'No citizen with this register id exists, or the citizen has no agency record for the credential type.',
  ERR_ISSUER_CREDENTIAL_NOT_FOUND: 'No issued credential matches this id or device.',
  ERR_ISSUER_STATUS_TRANSITION:
    'The status change is not allowed from the current status: revocation is final, suspend only from VALID, reinstate only from SUSPENDED.',
  ERR_ISSUER_IMPORT_INVALID:
    'A register import is not valid CSV or JSON Lines, or too large; rows failing the profile schema are reported by line with claim paths only.',
  ERR_ISSUER_BATCH_NOT_FOUND: 'No population batch with this id exists.',
  ERR_ISSUER_SIGNING_KEY_INVALID:
    'The stored issuer key file cannot be opened with the KMS or does not hold a valid private key; the issuer refuses to start rather than create a new identity.',
} as const;
