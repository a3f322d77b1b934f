/**
 * @module verify/binding
 * How a presentation is bound to its verifier and moment (RFC 9901 §4.3, OpenID4VP 1.0 §14.1):
 *
 * - online and two-way offline: the KB-JWT carries the verifier's fresh `nonce` and its full
 *   client identifier as `aud`;
 * - one-way offline (issue 4 §3b): no verifier speaks first, so the KB-JWT is bound to a time
 *   window instead: `aud` is {@link OFFLINE_AUDIENCE} and `nonce` names the window of its `iat`
 *   ({@link windowNonce}); the verifier accepts it only while `iat` is within the window. Within
 *   those seconds a screenshot could be shown twice, so a verifier device keeps a
 *   {@link ReplayCache} of what it accepted.
 */
import { systemClock } from '@openmid/core/jose';

/** The `aud` of one-way offline presentations. */
export const OFFLINE_AUDIENCE = 'offline';

/** Length of the one-way time window, seconds (issue 4 §3b). */
export const OFFLINE_WINDOW_SECONDS = 60;

/**
 * The `nonce` of a one-way offline presentation made at `iat`: the number of the
 * `window`-second window it falls in, prefixed so it cannot collide with a verifier nonce.
 *
 * @example
 * ```ts
 * windowNonce(1_767_225_600) // 'w60-29453760'
 * ```
 */
export function windowNonce(iat: number, window: number = OFFLINE_WINDOW_SECONDS): string {
  return `w${window}-${Math.floor(iat / window)}`;
}

/** Remembers accepted one-way presentations until their window has passed. */
export interface ReplayCache {
  /** False when `key` was already seen and has not expired; otherwise remember it until `until`. */
  add(key: string, until: number): boolean;
  readonly size: number;
}

/**
 * An in-memory replay cache for a verifier device, bounded (`max` entries; the oldest are dropped
 * first, which can only make a replay possible after ≥ `max` accepted presentations in one
 * window).
 */
export function createReplayCache(
  options: { readonly clock?: () => number; readonly max?: number } = {},
): ReplayCache {
  const clock = options.clock ?? systemClock;
  const max = options.max ?? 10_000;
  const seen = new Map<string, number>();
  return {
    add(key, until) {
      const now = clock();
      for (const [k, exp] of seen) {
        if (exp > now) break;
        seen.delete(k);
      }
      const prior = seen.get(key);
      if (prior !== undefined && prior > now) return false;
      if (seen.size >= max) {
        const oldest = seen.keys().next();
        if (!oldest.done) seen.delete(oldest.value);
      }
      seen.delete(key);
      seen.set(key, until);
      return true;
    },
    get size() {
      return seen.size;
    },
  };
}
