/**
 * @module sd-jwt-vc/claims
 * Shape checks of the SD-JWT VC registered claims on a processed payload (draft-ietf-oauth-sd-jwt-vc
 * "Registered JWT Claims"), shared by issuance and verification.
 */
import { OpenMidError } from '../errors/error.js';
import { hasOwn, isJsonObject } from '../internal/json.js';

function invalid(claim: string, why: string): OpenMidError {
  return new OpenMidError('ERR_SDJWTVC_CLAIM_INVALID', `The ${claim} claim ${why}`, {
    details: { claim },
  });
}

/**
 * Check a `status` claim: a JSON object; when it uses the Token Status List mechanism,
 * `status_list` is `{ idx: non-negative integer, uri: non-empty string }`.
 *
 * @see draft-ietf-oauth-status-list "Referenced Token" (status_list), draft-ietf-oauth-sd-jwt-vc
 */
export function checkStatusClaim(status: unknown): void {
  if (!isJsonObject(status) || Object.keys(status).length === 0)
    throw invalid('status', 'is not a non-empty object');
  if (!hasOwn(status, 'status_list')) return;
  const list = status['status_list'];
  if (!isJsonObject(list)) throw invalid('status', 'has a status_list that is not an object');
  const { idx, uri } = list;
  if (typeof idx !== 'number' || !Number.isSafeInteger(idx) || idx < 0)
    throw invalid('status', 'has a status_list.idx that is not a non-negative integer');
  if (typeof uri !== 'string' || uri === '')
    throw invalid('status', 'has a status_list.uri that is not a non-empty string');
}

/** Check a `cnf` claim: an object; when key binding needs it, with a `jwk` object (RFC 7800 §3.2). */
export function checkCnfClaim(cnf: unknown, needJwk: boolean): void {
  if (cnf === undefined) {
    if (!needJwk) return;
    throw new OpenMidError('ERR_SDJWTVC_CLAIM_MISSING', 'Key binding needs the cnf claim', {
      details: { claim: 'cnf' },
    });
  }
  if (!isJsonObject(cnf)) throw invalid('cnf', 'is not an object');
  const jwk = cnf['jwk'];
  if (jwk === undefined ? needJwk : !isJsonObject(jwk)) throw invalid('cnf', 'has no usable jwk');
}
