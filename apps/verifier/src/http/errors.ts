/**
 * @module http/errors
 * How the verifier's codes appear on the wire: server-kit's `errorMap` extension, one table from
 * code to HTTP status. Verification failures of a wallet's response are 400 (the response is
 * bad), a replay 409, an unknown request 404, an expired one 410. Domain code never sees HTTP.
 */
import { ERROR_CODES, type OpenMidErrorCode } from '@openmid/core/errors';
import type { ErrorMap, ErrorMapping } from '@openmid/server-kit';

/**
 * mdoc, CBOR and COSE codes a presentation can fail with: the response is bad (400); the relay's
 * own codes below override.
 */
const MDOC_PRESENTATION: Readonly<Record<string, ErrorMapping>> = Object.fromEntries(
  (Object.keys(ERROR_CODES) as OpenMidErrorCode[])
    .filter((c) => /^ERR_(MDOC|CBOR|COSE)_/.test(c))
    .map((c) => [c, { status: 400 }]),
);

/** The verifier's additions to server-kit's DEFAULT_ERROR_MAP. */
export const VERIFIER_ERROR_MAP: ErrorMap = Object.freeze({
  ...MDOC_PRESENTATION,
  ERR_MDOC_RELAY_SESSION_UNKNOWN: { status: 404 },
  ERR_MDOC_RELAY_SESSION_TAKEN: { status: 409 },
  ERR_MDOC_RELAY_LIMIT: { status: 429 },
  ERR_RP_UNKNOWN: { status: 403 },
  ERR_RP_ATTRIBUTE_NOT_REGISTERED: { status: 403, expose: true },
  ERR_RP_REGISTRATION_INVALID: { status: 400 },
  ERR_TRUST_ISSUER_NOT_AUTHORISED: { status: 400 },
  ERR_TRUST_SOURCE_UNAVAILABLE: { status: 503 },
  ERR_VP_PRESET_UNKNOWN: { status: 400, expose: true },
  ERR_VP_DCQL_INVALID: { status: 400, expose: true },
  ERR_VP_DCQL_UNSATISFIED: { status: 400 },
  ERR_VP_REQUEST_UNKNOWN: { status: 404 },
  ERR_VP_REQUEST_EXPIRED: { status: 410 },
  ERR_VP_REQUEST_CONSUMED: { status: 409 },
  ERR_VP_REQUEST_INVALID: { status: 400 },
  ERR_VP_ATTESTATION_INVALID: { status: 400 },
  ERR_VP_JWE_INVALID: { status: 400 },
  ERR_VP_RESPONSE_INVALID: { status: 400 },
  ERR_VP_RESPONSE_REPLAYED: { status: 409 },
  ERR_VP_RESPONSE_CODE_INVALID: { status: 403 },
  ERR_VP_RESULT_GONE: { status: 410 },
  ERR_VP_WEBHOOK_FAILED: { status: 502 },
  ERR_VP_VERIFIER_UNREACHABLE: { status: 502 },
  ERR_OFFLINE_BUNDLE_INVALID: { status: 400 },
  ERR_OFFLINE_BUNDLE_STALE: { status: 400 },
  ERR_OFFLINE_QR_INVALID: { status: 400 },
  ERR_OFFLINE_WINDOW_EXPIRED: { status: 400 },
  ERR_OFFLINE_REPLAYED: { status: 409 },
  ERR_KMS_KEY_UNAVAILABLE: { status: 503 },
  // The trust ledger (VERIFIER_LEDGER_URL): no verified view at hand, or a registration conflict.
  ERR_LEDGER_SNAPSHOT_STALE: { status: 503 },
  ERR_LEDGER_UNAVAILABLE: { status: 503 },
  ERR_LEDGER_CONFLICT: { status: 409 },
});
