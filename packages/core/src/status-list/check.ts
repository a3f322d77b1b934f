/**
 * @module status-list/check
 * The status check a credential verifier calls last, after every cryptographic and time check of
 * the Referenced Token (draft-ietf-oauth-status-list -18, §8.3: the token's own rules come first),
 * and a cache of verified Status List Tokens to feed it (§13.7).
 */
import { OpenMidError } from '../errors/error.js';
import { type Clock, resolveLeeway, systemClock } from '../jose/jwt.js';
import { assertStatusValid, parseStatusReference } from './reference.js';
import { StatusList } from './status-list.js';
import {
  type VerifiedStatusList,
  type VerifyStatusListTokenOptions,
  verifyStatusListToken,
} from './token.js';

/**
 * The hook an SD-JWT VC (or other Referenced Token) verifier calls with the token's `status`
 * claim: resolves for VALID, throws an `OpenMidError` otherwise.
 */
export type StatusCheck = (statusClaim: unknown) => Promise<void>;

/**
 * Gives the already verified status list published at `uri` (e.g. from a cache of verified
 * Status List Tokens). Returning a {@link VerifiedStatusList} lets the check re-validate its
 * `sub`, `exp` and age at the moment of use, so a stale cache entry is never trusted.
 */
export type StatusListResolver = (uri: string) => Promise<StatusList | VerifiedStatusList>;

/** Options of {@link createStatusCheck}. */
export interface StatusCheckOptions {
  readonly resolve: StatusListResolver;
  /** Clock in seconds (default: system clock), for re-checking a resolved token's time claims. */
  readonly clock?: Clock;
  /** Clock leeway in seconds, ≤ 300 (default 30). */
  readonly leeway?: number;
  /** Refuse a resolved token issued more than `maxAge` seconds ago (offline verifiers). */
  readonly maxAge?: number;
}

/**
 * Build the {@link StatusCheck} hook. Outcomes, each a distinct code:
 *
 * - VALID (0x00): resolves;
 * - INVALID (0x01): `ERR_STATUS_REVOKED`; SUSPENDED (0x02): `ERR_STATUS_SUSPENDED`;
 * - any other value (application-specific 0x03, reserved values): `ERR_STATUS_UNKNOWN`;
 * - the list cannot be obtained, verified or decoded, is expired, older than `maxAge`, or is not
 *   the list referenced: `ERR_STATUS_UNKNOWN` (the reason as `cause`) — never revoked, never valid;
 * - a malformed `status` claim: `ERR_STATUS_REFERENCE_INVALID`;
 * - an index outside the list: `ERR_STATUS_INDEX_OUT_OF_RANGE` (§8.3 step 6: MUST reject).
 *
 * @example
 * ```ts
 * const cache = createStatusListCache({ fetch: fetchStatusListToken, verify: { key } })
 * const status = createStatusCheck({ resolve: cache.resolve })
 * await verifySdJwtVc(presentation, { ...policy, status })
 * ```
 * @see draft-ietf-oauth-status-list §8.3
 */
export function createStatusCheck(options: StatusCheckOptions): StatusCheck {
  const { resolve, maxAge } = options;
  if (typeof resolve !== 'function')
    throw new OpenMidError('ERR_INPUT_INVALID', 'resolve must be a function');
  const leeway = resolveLeeway(options.leeway);
  checkMaxAge(maxAge);
  const clock = options.clock ?? systemClock;
  return async (statusClaim: unknown): Promise<void> => {
    const ref = parseStatusReference(statusClaim);
    let list: StatusList;
    try {
      list = usableList(await resolve(ref.uri), ref.uri, { now: clock(), leeway, maxAge });
    } catch (e) {
      throw new OpenMidError('ERR_STATUS_UNKNOWN', 'The status list could not be established', {
        cause: e,
        details: { uri: ref.uri },
      });
    }
    assertStatusValid(list.get(ref.idx));
  };
}

interface Freshness {
  readonly now: number;
  readonly leeway: number;
  readonly maxAge: number | undefined;
}

function usableList(
  resolved: StatusList | VerifiedStatusList,
  uri: string,
  fresh: Freshness,
): StatusList {
  if (resolved instanceof StatusList) return resolved;
  if (typeof resolved !== 'object' || resolved === null || !(resolved.list instanceof StatusList))
    throw new OpenMidError('ERR_INTERNAL', 'The status list resolver returned no list');
  if (resolved.sub !== uri)
    throw new OpenMidError('ERR_STATUS_SUB_MISMATCH', 'The resolved status list is another list');
  if (resolved.exp !== undefined && fresh.now - fresh.leeway >= resolved.exp)
    throw new OpenMidError('ERR_STATUS_TOKEN_EXPIRED', 'The resolved status list is expired');
  if (fresh.maxAge !== undefined && fresh.now - fresh.leeway - resolved.iat > fresh.maxAge)
    throw new OpenMidError('ERR_STATUS_TOKEN_EXPIRED', 'The resolved status list is too old');
  return resolved.list;
}

function checkMaxAge(maxAge: number | undefined): void {
  if (maxAge !== undefined && (!Number.isFinite(maxAge) || maxAge < 0))
    throw new OpenMidError('ERR_INPUT_INVALID', 'maxAge must be a non-negative number of seconds');
}

/** Options of {@link createStatusListCache}. */
export interface StatusListCacheOptions {
  /**
   * Fetch the Status List Token served at `uri` (compact JWT text). The fetcher enforces the
   * outbound rules of SECURITY.md (HTTPS only, no private addresses in production, bounded size
   * and time, no redirects) and sends `Accept: application/statuslist+jwt` (§8.1).
   */
  readonly fetch: (uri: string) => Promise<string>;
  /** How to verify each token (`uri` and `now` are supplied per fetch). */
  readonly verify: Omit<VerifyStatusListTokenOptions, 'uri' | 'now'>;
  /** Clock in seconds (default: system clock). */
  readonly clock?: Clock;
  /**
   * Bounds on how long a token is cached, whatever its `ttl` says (§11.5: clients SHOULD keep
   * `ttl` within reasonable bounds). Defaults: 60 s and 86,400 s; a token without `ttl` is
   * cached for `maxTtl`, never beyond its `exp`.
   */
  readonly minTtl?: number;
  readonly maxTtl?: number;
  /** Most lists kept (default 1,000); the oldest entry is dropped first. */
  readonly maxEntries?: number;
}

/** A cache of verified Status List Tokens, keyed by URI. */
export interface StatusListCache {
  /** The verified list at `uri`: from the cache while fresh, else fetched and verified once. */
  readonly resolve: (uri: string) => Promise<VerifiedStatusList>;
  /** Drop every cached list. */
  readonly clear: () => void;
}

/**
 * Cache verified Status List Tokens by URI for `ttl` seconds from fetching (the method §13.7
 * RECOMMENDS), clamped to `[minTtl, maxTtl]` and never past `exp`. Concurrent requests for the same
 * URI share one fetch; failures are not cached (each later call retries, and fails on its own).
 * Verification failures reject with the verifier's code; {@link createStatusCheck} reports them
 * as `ERR_STATUS_UNKNOWN`.
 *
 * @example
 * ```ts
 * const cache = createStatusListCache({ fetch, verify: { key: statusIssuerKey, maxAge: 86_400 } })
 * const { list } = await cache.resolve('https://issuer.example/status/1')
 * ```
 * @see draft-ietf-oauth-status-list §8.1, §11.5, §13.7
 */
export function createStatusListCache(options: StatusListCacheOptions): StatusListCache {
  const clock = options.clock ?? systemClock;
  const minTtl = options.minTtl ?? 60;
  const maxTtl = options.maxTtl ?? 86_400;
  const maxEntries = options.maxEntries ?? 1000;
  if (!Number.isFinite(minTtl) || minTtl < 0 || !Number.isFinite(maxTtl) || maxTtl < minTtl)
    throw new OpenMidError('ERR_INPUT_INVALID', 'Need 0 ≤ minTtl ≤ maxTtl, both finite');
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw new OpenMidError('ERR_INPUT_INVALID', 'maxEntries must be a positive integer');
  const entries = new Map<string, { readonly value: VerifiedStatusList; readonly until: number }>();
  const pending = new Map<string, Promise<VerifiedStatusList>>();

  async function load(uri: string): Promise<VerifiedStatusList> {
    const now = clock();
    const token = await options.fetch(uri);
    const value = await verifyStatusListToken(token, { ...options.verify, uri, now });
    const ttl = Math.min(maxTtl, Math.max(minTtl, value.ttl ?? maxTtl));
    const until = value.exp === undefined ? now + ttl : Math.min(now + ttl, value.exp);
    entries.delete(uri);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(uri, { value, until });
    return value;
  }

  return {
    resolve: (uri: string): Promise<VerifiedStatusList> => {
      const hit = entries.get(uri);
      if (hit !== undefined && clock() < hit.until) return Promise.resolve(hit.value);
      const inFlight = pending.get(uri);
      if (inFlight !== undefined) return inFlight;
      const p = load(uri).finally(() => pending.delete(uri));
      pending.set(uri, p);
      return p;
    },
    clear: (): void => entries.clear(),
  };
}
