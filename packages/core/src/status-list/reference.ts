/**
 * @module status-list/reference
 * The Referenced Token side: its `status` claim (draft-ietf-oauth-status-list -18, §6.1–6.2) and
 * what a status value means for it (§7.1), failing closed on anything but VALID.
 */
import { OpenMidError } from '../errors/error.js';
import { isJsonObject } from '../internal/json.js';
import { StatusType } from './status-list.js';

/** Longest `status_list.uri` accepted (characters). */
export const MAX_STATUS_URI_LENGTH = 2048;

/** Where a Referenced Token's status lives: entry `idx` of the Status List Token at `uri`. */
export interface StatusReference {
  /** Index into the status list: a non-negative safe integer. */
  readonly idx: number;
  /** URI of the Status List Token; equals that token's `sub` (§5.1). */
  readonly uri: string;
}

/**
 * An RFC 3986 §3 URI with a scheme (absolute, fragment allowed), made only of the characters the
 * grammar permits (unreserved, reserved, percent-encoded) — no spaces, controls or non-ASCII.
 */
const URI =
  /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+(?:#(?:[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)?$/;

/** True when `value` is an absolute URI string per RFC 3986 §3 (see {@link MAX_STATUS_URI_LENGTH}). */
export function isAbsoluteUri(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_STATUS_URI_LENGTH && URI.test(value);
}

/**
 * Validate a Referenced Token's `status` claim and return its status-list reference: `status` a
 * JSON object with a `status_list` object whose `idx` is a non-negative safe integer and whose
 * `uri` is an absolute URI. Other members (other status mechanisms, extensions) are ignored;
 * a claim without `status_list` is refused, since no other mechanism is supported. Anything
 * malformed is `ERR_STATUS_REFERENCE_INVALID`.
 *
 * @example
 * ```ts
 * const { idx, uri } = parseStatusReference(payload.status)
 * ```
 * @see draft-ietf-oauth-status-list §6.2, §8.3 step 1
 */
export function parseStatusReference(statusClaim: unknown): StatusReference {
  if (!isJsonObject(statusClaim)) throw invalid('The status claim must be a JSON object');
  const ref = statusClaim['status_list'];
  if (!isJsonObject(ref)) throw invalid('The status claim has no status_list object');
  const idx = ref['idx'];
  if (typeof idx !== 'number' || !Number.isSafeInteger(idx) || idx < 0)
    throw invalid('status_list.idx must be a non-negative integer');
  const uri = ref['uri'];
  if (!isAbsoluteUri(uri)) throw invalid('status_list.uri must be an absolute URI');
  return { idx, uri };
}

/** What a status value means for the Referenced Token. */
export type StatusOutcome = 'valid' | 'revoked' | 'suspended' | 'unknown';

/**
 * Map a status value to its outcome: 0x00 VALID → `valid`, 0x01 INVALID → `revoked`, 0x02
 * SUSPENDED → `suspended`, anything else (0x03 and 0x0C–0x0F application-specific, the rest
 * reserved) → `unknown`: an unrecognised value is never taken as valid.
 *
 * @see draft-ietf-oauth-status-list §7.1
 */
export function statusOutcome(value: number): StatusOutcome {
  switch (value) {
    case StatusType.VALID:
      return 'valid';
    case StatusType.INVALID:
      return 'revoked';
    case StatusType.SUSPENDED:
      return 'suspended';
    default:
      return 'unknown';
  }
}

/**
 * Pass only for VALID; otherwise throw `ERR_STATUS_REVOKED`, `ERR_STATUS_SUSPENDED` or
 * `ERR_STATUS_UNKNOWN` (fail closed). The value itself is not put in the error (it may be an
 * application-specific, personal status).
 *
 * @example
 * ```ts
 * assertStatusValid(list.get(idx))
 * ```
 * @see draft-ietf-oauth-status-list §7.1, §8.3 step 7
 */
export function assertStatusValid(value: number): void {
  switch (statusOutcome(value)) {
    case 'valid':
      return;
    case 'revoked':
      throw new OpenMidError('ERR_STATUS_REVOKED', 'The credential is revoked');
    case 'suspended':
      throw new OpenMidError('ERR_STATUS_SUSPENDED', 'The credential is suspended');
    case 'unknown':
      throw new OpenMidError('ERR_STATUS_UNKNOWN', 'The credential has an unrecognised status');
  }
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_STATUS_REFERENCE_INVALID', message);
}
