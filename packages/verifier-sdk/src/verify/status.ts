/**
 * @module verify/status
 * The credential status step of a relying party (draft-ietf-oauth-status-list §8.3), run after
 * every cryptographic and time check, with three distinct outcomes:
 *
 * - revoked (0x01) → `ERR_STATUS_REVOKED`; suspended (0x02) → `ERR_STATUS_SUSPENDED`;
 * - valid (0x00) → `'valid'`;
 * - unknown → `'unknown'`: no source, list unobtainable or unverifiable (a parse failure included:
 *   never reported as revoked), list of another issuer, expired or older than its maximum age, or a
 *   status value that is neither of the three. The caller's policy decides what unknown means; it
 *   is never reported as valid.
 *
 * A malformed `status` claim (`ERR_STATUS_REFERENCE_INVALID`) and an index outside the list
 * (`ERR_STATUS_INDEX_OUT_OF_RANGE`, §8.3 step 6) are rejections: the issuer signed them.
 */
import type { CryptoProvider } from '@openmid/core';
import { OpenMidError } from '@openmid/core/errors';
import { type Clock, resolveLeeway, systemClock } from '@openmid/core/jose';
import {
  createStatusListCache,
  parseStatusReference,
  type StatusListCache,
  statusOutcome,
  type VerifiedStatusList,
} from '@openmid/core/status-list';
import { trustedVerifier } from '../trust/keys.js';
import type { TrustSource } from '../trust/source.js';

/** Gives the verified Status List Token published at `uri` (a cache, or a trust bundle). */
export type StatusListSource = (uri: string) => Promise<VerifiedStatusList>;

/** The status of a verified credential. `none`: it carries no status reference. */
export type CredentialStatus = 'valid' | 'unknown' | 'none';

/** What {@link checkCredentialStatus} needs. */
export interface StatusCheckContext {
  /** The credential's issuer: the list must be signed by the same issuer (`iss` of the token). */
  readonly iss: string;
  readonly source: StatusListSource | undefined;
  readonly now: number;
  readonly leeway: number;
  /** Refuse (as unknown) a list issued more than `maxAge` seconds ago. */
  readonly maxAge?: number;
}

/**
 * Establish the status of a credential from its `status` claim. Resolves `'valid'` or
 * `'unknown'`; throws for revoked, suspended, malformed references and out-of-range indices.
 *
 * @see draft-ietf-oauth-status-list §7.1, §8.3
 */
export async function checkCredentialStatus(
  statusClaim: unknown,
  ctx: StatusCheckContext,
): Promise<'valid' | 'unknown'> {
  const ref = parseStatusReference(statusClaim);
  if (ctx.source === undefined) return 'unknown';
  let resolved: VerifiedStatusList;
  try {
    resolved = await ctx.source(ref.uri);
  } catch {
    return 'unknown';
  }
  if (resolved.sub !== ref.uri || resolved.iss !== ctx.iss) return 'unknown';
  if (resolved.exp !== undefined && ctx.now - ctx.leeway >= resolved.exp) return 'unknown';
  if (ctx.maxAge !== undefined && ctx.now - ctx.leeway - resolved.iat > ctx.maxAge)
    return 'unknown';
  const value = resolved.list.get(ref.idx);
  const outcome = statusOutcome(value);
  if (outcome === 'revoked')
    throw new OpenMidError('ERR_STATUS_REVOKED', 'The credential is revoked');
  if (outcome === 'suspended')
    throw new OpenMidError('ERR_STATUS_SUSPENDED', 'The credential is suspended');
  return outcome === 'valid' ? 'valid' : 'unknown';
}

/** Options of {@link createStatusListSource}. */
export interface StatusListSourceOptions {
  /** Whose keys sign status lists: the `iss` of each token, resolved like a credential issuer. */
  readonly trust: TrustSource;
  /**
   * Fetch the Status List Token at `uri` (compact JWT text). The fetcher enforces the outbound
   * rules (HTTPS only, no private addresses in production, bounded size and time, no redirects)
   * and sends `Accept: application/statuslist+jwt`.
   */
  readonly fetch: (uri: string) => Promise<string>;
  readonly clock?: Clock;
  /** Bounds on the cached lifetime, whatever the token's `ttl` says (defaults 60 s and 3,600 s). */
  readonly minTtl?: number;
  readonly maxTtl?: number;
  readonly maxEntries?: number;
  /** Refuse lists older than this many seconds. */
  readonly maxAge?: number;
  readonly crypto?: CryptoProvider;
}

/**
 * An online {@link StatusListSource}: Status List Tokens fetched, verified with the key of their
 * `iss` from the trust source, and cached for their `ttl` (core's `createStatusListCache`).
 *
 * @example
 * ```ts
 * const statusLists = createStatusListSource({ trust, fetch: (uri) => safeFetchText(uri) })
 * ```
 * @see draft-ietf-oauth-status-list §8.1, §13.7
 */
export function createStatusListSource(options: StatusListSourceOptions): StatusListSource & {
  readonly cache: StatusListCache;
} {
  const clock = options.clock ?? systemClock;
  const cache = createStatusListCache({
    fetch: options.fetch,
    clock,
    minTtl: options.minTtl ?? 60,
    maxTtl: options.maxTtl ?? 3600,
    ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
    verify: {
      key: async (header, payload) => {
        const iss = payload['iss'];
        if (typeof iss !== 'string')
          throw new OpenMidError('ERR_STATUS_UNKNOWN', 'The status list token names no issuer');
        return trustedVerifier(options.trust, iss, header.kid, clock(), {
          code: 'ERR_STATUS_UNKNOWN',
          ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
        });
      },
      ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
    },
  });
  const source = (uri: string): Promise<VerifiedStatusList> => cache.resolve(uri);
  return Object.assign(source, { cache });
}

/** The leeway after {@link resolveLeeway}'s bounds check. */
export function leewayOf(leeway: number | undefined): number {
  return resolveLeeway(leeway);
}
