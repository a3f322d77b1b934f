/**
 * @module status-list/token
 * The Status List Token in JWT form (draft-ietf-oauth-status-list -18, §5.1): a compact JWS with
 * `typ: statuslist+jwt` whose payload carries `sub` (the list's URI), `iat`, optional `exp` and
 * `ttl`, and the JSON Status List in `status_list`. Verification follows §8.3 steps 3–5.
 */
import type { SigAlg } from '../crypto/provider.js';
import { isOpenMidError, OpenMidError } from '../errors/error.js';
import { type JwsHeader, type KeyResolver, signCompactJws, verifyCompactJws } from '../jose/jws.js';
import { type Clock, checkTimeClaims, resolveLeeway, systemClock } from '../jose/jwt.js';
import type { Signer, Verifier } from '../keys/keys.js';
import {
  decodeStatusList,
  type EncodeStatusListOptions,
  encodeStatusList,
  maxEncodedLength,
  resolveMaxStatusListBytes,
} from './encoding.js';
import { isAbsoluteUri } from './reference.js';
import type { StatusList } from './status-list.js';

/** The explicit JWT type of a Status List Token (§5.1; SECURITY.md "Explicit typ"). */
export const STATUS_LIST_JWT_TYP = 'statuslist+jwt';

/** Options of {@link signStatusListToken}. */
export interface SignStatusListTokenOptions extends EncodeStatusListOptions {
  readonly signer: Signer;
  /** The URI the list is served at: the token's `sub`, and `status_list.uri` in credentials. */
  readonly uri: string;
  /** Issuer identifier (`iss`), optional since draft -12 but useful to relying parties. */
  readonly iss?: string;
  /** Issued-at in NumericDate seconds (default: `clock()`). */
  readonly iat?: number;
  /** Expiry in NumericDate seconds, after `iat` (RECOMMENDED, §5.1). */
  readonly exp?: number;
  /** Seconds a consumer may cache the token (positive integer; RECOMMENDED, §5.1, §13.7). */
  readonly ttl?: number;
  /** Clock in seconds (default: system clock). */
  readonly clock?: Clock;
}

/**
 * Sign a status list as a Status List Token (JWT).
 *
 * @example
 * ```ts
 * const jwt = await signStatusListToken(list, {
 *   signer, uri: 'https://issuer.example/status/1', exp: now + 86_400, ttl: 3_600,
 * })
 * ```
 * @see draft-ietf-oauth-status-list §5.1
 */
export async function signStatusListToken(
  list: StatusList,
  options: SignStatusListTokenOptions,
): Promise<string> {
  const { uri, iss, exp, ttl } = options;
  if (!isAbsoluteUri(uri))
    throw new OpenMidError('ERR_INPUT_INVALID', 'uri must be an absolute URI');
  if (iss !== undefined && typeof iss !== 'string')
    throw new OpenMidError('ERR_INPUT_INVALID', 'iss must be a string');
  const iat = options.iat ?? (options.clock ?? systemClock)();
  if (!Number.isSafeInteger(iat) || iat < 0)
    throw new OpenMidError('ERR_INPUT_INVALID', 'iat must be a NumericDate in whole seconds');
  if (exp !== undefined && (!Number.isSafeInteger(exp) || exp <= iat))
    throw new OpenMidError('ERR_INPUT_INVALID', 'exp must be a NumericDate after iat');
  if (ttl !== undefined && !isPositiveInteger(ttl))
    throw new OpenMidError('ERR_INPUT_INVALID', 'ttl must be a positive number of seconds');
  const payload: Record<string, unknown> = {
    sub: uri,
    iat,
    ...(iss === undefined ? {} : { iss }),
    ...(exp === undefined ? {} : { exp }),
    ...(ttl === undefined ? {} : { ttl }),
    status_list: encodeStatusList(list, options),
  };
  return signCompactJws(payload, { typ: STATUS_LIST_JWT_TYP, signer: options.signer });
}

/** Options of {@link verifyStatusListToken}. */
export interface VerifyStatusListTokenOptions {
  /**
   * The URI the Referenced Token points at (`status.status_list.uri`); the token's `sub` must
   * equal it exactly (§5.1, §8.3 step 4a; RFC 3986 §6.2.1 simple string comparison).
   */
  readonly uri: string;
  /** The Status Issuer's trusted key, or a resolver choosing it from trusted configuration. */
  readonly key: Verifier | KeyResolver;
  /** Allowed algorithms (default: ES256 and EdDSA). */
  readonly algorithms?: readonly SigAlg[];
  /** Current time in seconds (default: system clock). */
  readonly now?: number;
  /** Clock leeway in seconds, ≤ 300 (default 30). */
  readonly leeway?: number;
  /**
   * Freshness policy: refuse a token issued more than `maxAge` seconds ago (§8.3 step 4b), e.g.
   * an offline verifier's maximum age for cached lists.
   */
  readonly maxAge?: number;
  /** Cap on the decompressed list (default 16 MiB; see `DEFAULT_MAX_STATUS_LIST_BYTES`). */
  readonly maxBytes?: number;
  /**
   * Cap on the token's length in characters, checked before parsing. Default: the longest token
   * that can carry a list within `maxBytes` (≈ 22 M characters for 16 MiB).
   */
  readonly maxLength?: number;
}

/** A verified Status List Token: the list plus what a cache needs (§13.7). */
export interface VerifiedStatusList {
  readonly list: StatusList;
  /** The token's `sub`: the list URI it was verified against. */
  readonly sub: string;
  readonly iat: number;
  readonly exp?: number;
  /** Seconds the token may be cached from when it was fetched. */
  readonly ttl?: number;
  readonly iss?: string;
  readonly aggregationUri?: string;
  readonly header: JwsHeader;
}

/**
 * Verify a Status List Token (JWT) and decode its list:
 *
 * 1. compact JWS with `typ: statuslist+jwt`, an allowed asymmetric `alg` and a valid signature
 *    by the trusted key (`ERR_JOSE_*`; duplicate JSON members refused);
 * 2. `sub` equal to `options.uri` (`ERR_STATUS_SUB_MISMATCH`; absent: `ERR_JWT_CLAIM_MISSING`);
 * 3. `iat` required, not in the future; `exp` not passed (`ERR_STATUS_TOKEN_EXPIRED`); `nbf`
 *    honoured; not older than `maxAge` (`ERR_STATUS_TOKEN_EXPIRED`); time claims malformed or
 *    missing: `ERR_JWT_CLAIM_INVALID` / `ERR_JWT_CLAIM_MISSING` / `ERR_JWT_NOT_YET_VALID`;
 * 4. `ttl`, if present, a positive integer (`ERR_JWT_CLAIM_INVALID`);
 * 5. `status_list` present and decoded with the size cap (`ERR_STATUS_LIST_*`).
 *
 * @example
 * ```ts
 * const { list, ttl } = await verifyStatusListToken(jwt, { uri: ref.uri, key: statusIssuerKey })
 * assertStatusValid(list.get(ref.idx))
 * ```
 * @see draft-ietf-oauth-status-list §5.1, §8.3 steps 3–5, §11.2; RFC 8725
 */
export async function verifyStatusListToken(
  token: string,
  options: VerifyStatusListTokenOptions,
): Promise<VerifiedStatusList> {
  const maxBytes = resolveMaxStatusListBytes(options.maxBytes);
  const leeway = resolveLeeway(options.leeway);
  const { maxAge } = options;
  if (maxAge !== undefined && (!Number.isFinite(maxAge) || maxAge < 0))
    throw new OpenMidError('ERR_INPUT_INVALID', 'maxAge must be a non-negative number of seconds');
  const { header, payload } = await verifyCompactJws(token, {
    typ: STATUS_LIST_JWT_TYP,
    key: options.key,
    maxLength: options.maxLength ?? maxEncodedLength(maxBytes) + 8192,
    ...(options.algorithms ? { algorithms: options.algorithms } : {}),
  });

  const sub = payload['sub'];
  if (sub === undefined) throw missing('sub');
  if (typeof sub !== 'string') throw claimInvalid('sub');
  if (sub !== options.uri)
    throw new OpenMidError(
      'ERR_STATUS_SUB_MISMATCH',
      'The status list token is not the list the credential refers to',
      { details: { uri: options.uri } },
    );

  const now = options.now ?? systemClock();
  try {
    checkTimeClaims(payload, { now, leeway, require: ['iat'] });
  } catch (e) {
    if (isOpenMidError(e, 'ERR_JWT_EXPIRED'))
      throw new OpenMidError('ERR_STATUS_TOKEN_EXPIRED', 'The status list token is expired', {
        cause: e,
      });
    throw e;
  }
  const iat = payload['iat'] as number;
  const exp = payload['exp'] as number | undefined;
  if (maxAge !== undefined && now - leeway - iat > maxAge)
    throw new OpenMidError(
      'ERR_STATUS_TOKEN_EXPIRED',
      'The status list token is older than the maximum age',
      { details: { maxAge } },
    );

  const ttl = payload['ttl'];
  if (ttl !== undefined && !isPositiveInteger(ttl)) throw claimInvalid('ttl');
  const iss = payload['iss'];
  if (iss !== undefined && typeof iss !== 'string') throw claimInvalid('iss');

  const statusList = payload['status_list'];
  if (statusList === undefined) throw missing('status_list');
  const list = decodeStatusList(statusList, { maxBytes });
  const aggregationUri = (statusList as Record<string, unknown>)['aggregation_uri'] as
    | string
    | undefined;
  return {
    list,
    sub,
    iat,
    ...(exp === undefined ? {} : { exp }),
    ...(ttl === undefined ? {} : { ttl }),
    ...(iss === undefined ? {} : { iss }),
    ...(aggregationUri === undefined ? {} : { aggregationUri }),
    header,
  };
}

/** A positive integer of seconds that fits a NumericDate computation. */
function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function missing(claim: string): OpenMidError {
  return new OpenMidError('ERR_JWT_CLAIM_MISSING', `The ${claim} claim is required`, {
    details: { claim },
  });
}

function claimInvalid(claim: string): OpenMidError {
  return new OpenMidError('ERR_JWT_CLAIM_INVALID', `The ${claim} claim is malformed`, {
    details: { claim },
  });
}
