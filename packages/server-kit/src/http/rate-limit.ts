/**
 * @module http/rate-limit
 * In-memory token-bucket rate limiting per client key (SECURITY.md "Storage and operations": rate
 * limits answer 429 with `Retry-After`). Each key owns a bucket of `burst` tokens refilled at
 * `perSecond`; a request spends one token or is refused with ERR_HTTP_RATE_LIMITED carrying the
 * whole seconds until a token is back (RFC 9110 §10.2.3 Retry-After, RFC 6585 §4 status 429).
 *
 * The key is the client IP by default (an IPv6 client by its /64, since one host usually owns the
 * whole prefix), pluggable (an API key id, a pre-authorized code's offer id…). Memory is bounded:
 * the least recently seen buckets are evicted beyond `maxKeys`. One process only: behind several
 * instances each enforces its own share, which is what a per-instance flood guard is for.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { OpenMidError } from '@openmid/core/errors';
import type { Context, MiddlewareHandler } from 'hono';

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Bucket size: requests allowed in a burst. Default 60. */
  readonly burst?: number;
  /** Refill rate in tokens per second. Default 10. */
  readonly perSecond?: number;
  /** The client key; default {@link clientAddress}. Return undefined to exempt the request. */
  readonly key?: (c: Context) => string | undefined;
  /** Bound on tracked keys (LRU eviction). Default 100 000. */
  readonly maxKeys?: number;
  /** Milliseconds clock, for tests. */
  readonly now?: () => number;
}

/** Options of {@link clientAddress}. */
export interface ClientAddressOptions {
  /**
   * Number of reverse proxies in front of the service that append to X-Forwarded-For; 0 (default)
   * ignores the header, which any client can forge.
   */
  readonly trustedProxies?: number;
}

/** Reduce an IPv6 address to its /64 prefix; IPv4 (also IPv4-mapped) stays whole. */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!a.includes(':')) return a;
  const [head = '', tail = ''] = a.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = a.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * The client's address: the socket peer, or with `trustedProxies = n` the n-th address from the
 * right of X-Forwarded-For (the one the outermost trusted proxy saw). 'unknown' in-process.
 */
export function clientAddress(c: Context, options: ClientAddressOptions = {}): string {
  const hops = options.trustedProxies ?? 0;
  if (hops > 0) {
    const list = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const candidate = list[list.length - hops];
    if (candidate !== undefined) return candidate;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // no socket: app.request() in tests
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * The rate-limiting middleware. Throws ERR_HTTP_RATE_LIMITED with `details.retryAfter` (seconds);
 * the error mapping turns it into 429 + Retry-After.
 *
 * @example
 * ```ts
 * app.use('/token', rateLimit({ burst: 10, perSecond: 1 }))
 * ```
 */
export function rateLimit(options: RateLimitOptions = {}): MiddlewareHandler {
  const burst = options.burst ?? 60;
  const perSecond = options.perSecond ?? 10;
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const keyOf = options.key ?? ((c: Context) => addressKey(clientAddress(c)));
  if (!(burst >= 1) || !(perSecond > 0) || !(maxKeys >= 1)) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'Rate limit needs burst >= 1 and perSecond > 0');
  }
  const buckets = new Map<string, Bucket>();

  return async function rateLimiter(c, next) {
    const key = keyOf(c);
    if (key === undefined) return next();
    const t = now();
    const previous = buckets.get(key);
    const bucket: Bucket = previous ?? { tokens: burst, at: t };
    bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
    bucket.at = t;
    // Re-insert so that Map order is least-recently-seen first.
    buckets.delete(key);
    buckets.set(key, bucket);
    if (buckets.size > maxKeys) {
      const oldest = buckets.keys().next();
      if (oldest.done !== true) buckets.delete(oldest.value);
    }
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
      throw new OpenMidError('ERR_HTTP_RATE_LIMITED', 'Too many requests', {
        details: { retryAfter },
      });
    }
    bucket.tokens -= 1;
    return next();
  };
}
