/**
 * @module wallet/http
 * Every request the wallet makes goes through here (SECURITY.md "Outbound fetches"): HTTPS only
 * (plain http only when the wallet runs in development mode, e.g. on localhost), no redirects
 * followed, bounded time and size, no cookies or credentials sent, and every failure mapped to
 * `ERR_WALLET_NETWORK` — except the server's own coded error bodies, which callers read.
 */
import { WalletError } from './errors.js';

/** The fetch the wallet uses (the global one, or a test double). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Transport policy. */
export interface HttpPolicy {
  readonly fetch: FetchLike;
  /** Allow `http:` URLs (development). */
  readonly allowHttp: boolean;
  /** Per request (default 15 s). */
  readonly timeoutMs?: number;
  /** Largest body read (default 4 MiB). */
  readonly maxBytes?: number;
}

/** An answer: status, headers and body text. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Throw unless `url` is an absolute https URL (or http when allowed) without credentials. */
export function checkUrl(url: string, allowHttp: boolean): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WalletError('ERR_WALLET_NETWORK', 'Not a URL', { details: { reason: 'url' } });
  }
  if (u.protocol !== 'https:' && !(allowHttp && u.protocol === 'http:'))
    throw new WalletError('ERR_WALLET_NETWORK', 'Only https URLs are fetched', {
      details: { reason: 'scheme' },
    });
  if (u.username !== '' || u.password !== '')
    throw new WalletError('ERR_WALLET_NETWORK', 'URL with credentials', {
      details: { reason: 'url' },
    });
  return u;
}

/**
 * Send a request and read the whole answer (any status). Network failures, redirects, timeouts
 * and oversize bodies are `ERR_WALLET_NETWORK`.
 *
 * @example
 * ```ts
 * const a = await request(policy, 'https://issuer.example/.well-known/openid-credential-issuer')
 * ```
 */
export async function request(
  policy: HttpPolicy,
  url: string,
  init: RequestInit = {},
): Promise<HttpAnswer> {
  checkUrl(url, policy.allowHttp);
  let res: Response;
  try {
    res = await policy.fetch(url, {
      ...init,
      redirect: 'error',
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(policy.timeoutMs ?? 15_000),
    });
  } catch (cause) {
    throw new WalletError('ERR_WALLET_NETWORK', 'The server could not be reached', {
      cause,
      details: { host: new URL(url).host },
    });
  }
  const max = policy.maxBytes ?? 4 * 1024 * 1024;
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max)
    throw new WalletError('ERR_WALLET_NETWORK', 'The answer is too large', {
      details: { reason: 'size' },
    });
  let text: string;
  try {
    text = await res.text();
  } catch (cause) {
    throw new WalletError('ERR_WALLET_NETWORK', 'The answer could not be read', { cause });
  }
  if (text.length > max)
    throw new WalletError('ERR_WALLET_NETWORK', 'The answer is too large', {
      details: { reason: 'size' },
    });
  return { status: res.status, headers: res.headers, text };
}

/** Parse a JSON object answer, or throw `ERR_WALLET_NETWORK`. */
export function jsonObject(a: HttpAnswer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(a.text);
  } catch (cause) {
    throw new WalletError('ERR_WALLET_NETWORK', 'The answer is not JSON', {
      cause,
      details: { status: a.status },
    });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new WalletError('ERR_WALLET_NETWORK', 'The answer is not a JSON object', {
      details: { status: a.status },
    });
  return v as Record<string, unknown>;
}

/** A JSON object answer when the status is 2xx; otherwise undefined. */
export function okJson(a: HttpAnswer): Record<string, unknown> | undefined {
  return a.status >= 200 && a.status < 300 ? jsonObject(a) : undefined;
}

/**
 * The coded error of a non-2xx answer: `{ code }` bodies of OpenMID services, `{ error }` bodies
 * of OAuth endpoints (RFC 6749 §5.2). Free text (`message`, `error_description`) is never kept.
 */
export function errorOf(a: HttpAnswer): { readonly code?: string; readonly error?: string } {
  try {
    const v = JSON.parse(a.text) as Record<string, unknown>;
    const code = typeof v['code'] === 'string' && /^ERR_[A-Z0-9_]{1,60}$/.test(v['code']);
    const error = typeof v['error'] === 'string' && /^[a-z_]{1,60}$/.test(v['error']);
    return {
      ...(code ? { code: v['code'] as string } : {}),
      ...(error ? { error: v['error'] as string } : {}),
    };
  } catch {
    return {};
  }
}
