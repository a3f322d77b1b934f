/**
 * @module http/errors
 * How the issuer's codes appear on the wire: server-kit's `errorMap` extension, ONE table from
 * code to HTTP status and OAuth / OpenID4VCI error string (RFC 6749 §5.2 at the token endpoint,
 * RFC 6750 §3.1 at resources, RFC 9449 §12.2, OpenID4VCI 1.0 §8.3.1.2 and §11.3). Domain code
 * never sees HTTP.
 */
import type { ErrorMap } from '@openmid/server-kit';

/** The issuer's additions to server-kit's DEFAULT_ERROR_MAP. */
export const ISSUER_ERROR_MAP: ErrorMap = Object.freeze({
  ERR_OAUTH_INVALID_REQUEST: { status: 400, oauth: 'invalid_request' },
  ERR_OAUTH_INVALID_CLIENT: { status: 401, oauth: 'invalid_client' },
  ERR_OAUTH_INVALID_GRANT: { status: 400, oauth: 'invalid_grant' },
  ERR_OAUTH_UNSUPPORTED_GRANT_TYPE: { status: 400, oauth: 'unsupported_grant_type' },
  ERR_OAUTH_UNSUPPORTED_RESPONSE_TYPE: { status: 400, oauth: 'unsupported_response_type' },
  ERR_OAUTH_PKCE_INVALID: { status: 400, oauth: 'invalid_request' },
  ERR_OAUTH_REQUEST_URI_INVALID: { status: 400, oauth: 'invalid_request' },
  ERR_OAUTH_ACCESS_DENIED: { status: 403, oauth: 'access_denied' },
  ERR_OAUTH_INVALID_TOKEN: { status: 401, oauth: 'invalid_token' },
  ERR_OAUTH_IDP_FAILED: { status: 502, oauth: 'server_error' },
  ERR_DPOP_PROOF_INVALID: { status: 400, oauth: 'invalid_dpop_proof' },
  ERR_DPOP_NONCE_REQUIRED: { status: 400, oauth: 'use_dpop_nonce' },
  ERR_VCI_OFFER_NOT_FOUND: { status: 404, oauth: 'invalid_request' },
  ERR_VCI_OFFER_EXPIRED: { status: 400, oauth: 'invalid_grant' },
  ERR_VCI_OFFER_BURNT: { status: 400, oauth: 'invalid_grant' },
  ERR_VCI_TX_CODE_INVALID: { status: 400, oauth: 'invalid_grant' },
  ERR_VCI_NONCE_INVALID: { status: 400, oauth: 'invalid_nonce' },
  ERR_VCI_PROOF_INVALID: { status: 400, oauth: 'invalid_proof', expose: true },
  ERR_VCI_CREDENTIAL_REQUEST_INVALID: { status: 400, oauth: 'invalid_credential_request' },
  ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN: {
    status: 400,
    oauth: 'unknown_credential_configuration',
  },
  ERR_VCI_BATCH_TOO_LARGE: { status: 400, oauth: 'invalid_credential_request', expose: true },
  ERR_VCI_DUPLICATE_HOLDER_KEY: { status: 400, oauth: 'invalid_proof' },
  ERR_VCI_NOTIFICATION_INVALID: { status: 400, oauth: 'invalid_notification_id' },
  ERR_ISSUER_CITIZEN_NOT_FOUND: { status: 404, oauth: 'credential_request_denied' },
  ERR_ISSUER_CREDENTIAL_NOT_FOUND: { status: 404, oauth: 'invalid_request' },
  ERR_ISSUER_STATUS_TRANSITION: { status: 409, oauth: 'invalid_request', expose: true },
  ERR_ISSUER_IMPORT_INVALID: { status: 400, oauth: 'invalid_request', expose: true },
  ERR_ISSUER_BATCH_NOT_FOUND: { status: 404, oauth: 'invalid_request' },
  ERR_ISSUER_SIGNING_KEY_INVALID: { status: 500 },
  ERR_PROFILE_CLAIMS_INVALID: { status: 400, oauth: 'invalid_request', expose: true },
  ERR_PROFILE_TYPE_UNKNOWN: { status: 400, oauth: 'invalid_request' },
});
