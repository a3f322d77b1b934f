/**
 * @module services/outbound
 * Every call the verifier makes to the outside (status lists, webhooks) goes through here, under
 * SECURITY.md "Outbound fetches": HTTPS only and no private, loopback or link-local addresses
 * (unless `insecure`, for development), bounded time, bounded size, and no redirect following.
 *
 * Address check: the host's addresses are resolved and each is checked against the private and
 * special ranges before the request; a DNS answer that changes between the check and the
 * connection (rebinding) is not covered — production deployments put an egress proxy in front.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { OpenMidError } from '@openmid/core/errors';

/** The fetch function the verifier uses (global fetch, or an in-process app in tests). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Outbound calls. */
export interface Outbound {
  /** GET `uri` as text (`accept` media type), or throw. */
  text(uri: string, accept: string, maxBytes: number): Promise<string>;
  /** POST `body`; resolves with the HTTP status (any), rejects on network failure or timeout. */
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<number>;
}

/** Options of {@link createOutbound}. */
export interface OutboundOptions {
  readonly fetch?: FetchLike;
  /** Allow http and private addresses (development, tests). */
  readonly insecure: boolean;
  readonly timeoutMs: number;
  /** Resolve a host name (default: DNS). */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** True when `address` is a private, loopback, link-local or otherwise special address. */
export function isPrivateAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 4) return PRIVATE.check(address, 'ipv4');
  if (v === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped !== null) return PRIVATE.check(mapped[1] as string, 'ipv4');
    return PRIVATE.check(address, 'ipv6');
  }
  return true;
}

function refused(message: string, cause?: unknown): OpenMidError {
  // Status list failures become "status unknown" at the caller; webhooks are retried.
  return new OpenMidError(
    'ERR_STATUS_UNKNOWN',
    message,
    cause === undefined ? undefined : { cause },
  );
}

async function defaultResolve(host: string): Promise<readonly string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

/** Read a response body up to `maxBytes`. */
async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw refused('The response is larger than allowed');
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw refused('The response is larger than allowed');
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}

/**
 * The outbound policy over a fetch function.
 *
 * @example
 * ```ts
 * const outbound = createOutbound({ insecure: false, timeoutMs: 5000 })
 * const token = await outbound.text(uri, 'application/statuslist+jwt', 16 << 20)
 * ```
 */
export function createOutbound(options: OutboundOptions): Outbound {
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const resolve = options.resolve ?? defaultResolve;
  async function check(uri: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch (cause) {
      throw refused('Not a URL', cause);
    }
    if (url.protocol !== 'https:' && !(options.insecure && url.protocol === 'http:'))
      throw refused('Outbound calls use https only');
    if (url.username !== '' || url.password !== '')
      throw refused('URLs with credentials are refused');
    if (!options.insecure) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const addresses = isIP(host) !== 0 ? [host] : await resolve(host);
      if (addresses.length === 0 || addresses.some(isPrivateAddress))
        throw refused('The host resolves to a private or special address');
    }
    return url;
  }
  async function call(uri: string, init: RequestInit): Promise<Response> {
    await check(uri);
    try {
      return await doFetch(uri, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (cause) {
      throw refused('The outbound call failed', cause);
    }
  }
  return {
    async text(uri, accept, maxBytes) {
      const res = await call(uri, { method: 'GET', headers: { accept } });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        throw refused(`The server answered ${res.status}`);
      }
      return readCapped(res, maxBytes);
    },
    async post(url, body, headers) {
      const res = await call(url, { method: 'POST', headers: { ...headers }, body });
      await res.body?.cancel().catch(() => undefined);
      return res.status;
    },
  };
}
