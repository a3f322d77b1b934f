/**
 * @module server/static
 * The HTTP handler of the wallet's static server (node:http, no framework): the built app with the
 * headers a wallet needs —
 *
 * - a strict Content-Security-Policy: scripts, styles, the manifest and the service worker only
 *   from this origin, no inline script, no framing, no plug-ins; `connect-src` open to https (the
 *   wallet talks to any issuer and verifier it is shown) and, in development, to the configured
 *   http origins;
 * - `Permissions-Policy` allowing the camera (QR scanning) to this origin only; nosniff,
 *   no-referrer, COOP; HSTS when served over https;
 * - caching: hashed `/assets/*` are immutable for a year; `index.html`, `/sw.js` and the manifest
 *   are revalidated every time (a new release reaches users at once); `/sw.js` carries
 *   `Service-Worker-Allowed: /` so its scope is the whole app;
 * - the single-page-app fallback: a GET for any path without a file extension answers the shell;
 * - `/config.json` (no-store): the URLs and the development trust anchors (server/main.ts);
 *   `/healthz`: liveness.
 *
 * Only GET and HEAD; paths are normalised and confined to the build folder; text files are served
 * gzip-compressed when the client accepts it (compressed once, kept in memory).
 */
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** What the handler serves. */
export interface StaticOptions {
  /** The build folder (`apps/wallet/dist`). */
  readonly dist: string;
  /** The wallet's public URL (HSTS when https). */
  readonly walletUrl: string;
  /** Extra `connect-src` origins (development: the http services). */
  readonly connectOrigins: readonly string[];
  /** The JSON answered at `/config.json` (called per request). */
  readonly config: () => Promise<unknown>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.txt']);

/** The Content-Security-Policy of the wallet. */
export function contentSecurityPolicy(connectOrigins: readonly string[], https: boolean): string {
  const connect = ["'self'", 'https:', ...connectOrigins].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${connect}`,
    "media-src 'self' blob:",
    "worker-src 'self'",
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

interface Cached {
  readonly body: Buffer;
  readonly gzip?: Buffer;
  readonly mtimeMs: number;
}

/**
 * The request handler.
 *
 * @example
 * ```ts
 * createServer(staticHandler({ dist, walletUrl, connectOrigins: [], config: async () => ({}) }))
 * ```
 */
export function staticHandler(
  options: StaticOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const https = options.walletUrl.startsWith('https://');
  const csp = contentSecurityPolicy(options.connectOrigins, https);
  const cache = new Map<string, Cached>();
  const root = normalize(options.dist + sep);

  const common = (res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader(
      'Permissions-Policy',
      'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    );
    if (https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };

  const read = (file: string): Cached | undefined => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(file);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit !== undefined && hit.mtimeMs === st.mtimeMs) return hit;
    const body = readFileSync(file);
    const entry: Cached = {
      body,
      mtimeMs: st.mtimeMs,
      ...(COMPRESSIBLE.has(extname(file)) && body.length > 512 ? { gzip: gzipSync(body) } : {}),
    };
    cache.set(file, entry);
    return entry;
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    file: string,
    entry: Cached,
    cacheControl: string,
  ) => {
    common(res);
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('Vary', 'Accept-Encoding');
    const gz = entry.gzip !== undefined && /\bgzip\b/.test(String(req.headers['accept-encoding']));
    const body = gz ? (entry.gzip as Buffer) : entry.body;
    if (gz) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', body.length);
    res.writeHead(200);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const plain = (res: ServerResponse, status: number, text: string) => {
    common(res);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.writeHead(status);
    res.end(text);
  };

  return (req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        plain(res, 405, 'Method not allowed\n');
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://wallet.invalid').pathname);
      } catch {
        plain(res, 400, 'Bad request\n');
        return;
      }
      if (path.includes('\0')) {
        plain(res, 400, 'Bad request\n');
        return;
      }
      if (path === '/healthz') {
        common(res);
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Cache-Control', 'no-store');
        res.writeHead(200);
        res.end('{"status":"ok"}\n');
        return;
      }
      if (path === '/config.json') {
        common(res);
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Cache-Control', 'no-store');
        try {
          const body = JSON.stringify(await options.config());
          res.writeHead(200);
          res.end(body);
        } catch {
          res.writeHead(503);
          res.end('{"code":"ERR_WALLET_TRUST_UNAVAILABLE"}');
        }
        return;
      }
      const file = normalize(join(root, path));
      if (!file.startsWith(root)) {
        plain(res, 404, 'Not found\n');
        return;
      }
      const entry = path.endsWith('/') ? undefined : read(file);
      if (entry !== undefined) {
        if (path === '/sw.js') {
          res.setHeader('Service-Worker-Allowed', '/');
          send(req, res, file, entry, 'no-cache');
        } else if (path.startsWith('/assets/')) {
          send(req, res, file, entry, 'public, max-age=31536000, immutable');
        } else if (path.startsWith('/icons/')) {
          send(req, res, file, entry, 'public, max-age=86400');
        } else {
          send(req, res, file, entry, 'no-cache');
        }
        return;
      }
      // Single-page-app fallback: routes are paths without an extension.
      if (extname(path) === '' || path.endsWith('/')) {
        const shellFile = join(root, 'index.html');
        const shell = read(shellFile);
        if (shell !== undefined) {
          send(req, res, shellFile, shell, 'no-cache');
          return;
        }
      }
      plain(res, 404, 'Not found\n');
    })().catch(() => {
      if (!res.headersSent) plain(res, 500, 'Internal error\n');
      else res.destroy();
    });
  };
}
