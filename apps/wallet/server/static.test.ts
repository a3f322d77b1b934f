import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadWalletServerConfig } from './main.js';
import { contentSecurityPolicy, staticHandler } from './static.js';

let server: Server;
let base = '';

beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), 'wallet-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), `<!doctype html><title>shell</title>${' '.repeat(600)}`);
  writeFileSync(join(dist, 'sw.js'), 'self.x = 1;');
  writeFileSync(join(dist, 'assets', 'main-abc123.js'), `console.log(1);${' '.repeat(2000)}`);
  writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"w"}');
  server = createServer(
    staticHandler({
      dist,
      walletUrl: 'http://localhost:7003',
      connectOrigins: ['http://localhost:7001'],
      config: async () => ({ walletUrl: 'http://localhost:7003', trust: { registryKeys: [] } }),
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('wallet static server', () => {
  test('every answer carries the CSP and the hardening headers', async () => {
    const r = await fetch(`${base}/`);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain('connect-src');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('permissions-policy')).toContain('camera=(self)');
    expect(r.headers.get('strict-transport-security')).toBeNull(); // http: no HSTS
  });

  test('hashed assets are immutable, the shell and the service worker are revalidated', async () => {
    const asset = await fetch(`${base}/assets/main-abc123.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    const shell = await fetch(`${base}/index.html`);
    expect(shell.headers.get('cache-control')).toBe('no-cache');
    const sw = await fetch(`${base}/sw.js`);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
    const manifest = await fetch(`${base}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toContain('application/manifest+json');
  });

  test('app routes fall back to the shell; missing files with an extension are 404', async () => {
    for (const path of ['/receive', '/cards/abc', '/present?client_id=x&request_uri=y']) {
      const r = await fetch(`${base}${path}`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<title>shell</title>');
    }
    expect((await fetch(`${base}/assets/nope.js`)).status).toBe(404);
  });

  test('paths cannot leave the build folder', async () => {
    for (const path of ['/..%2f..%2f..%2fetc%2fpasswd.txt', '/%2e%2e/%2e%2e/etc/hosts.txt']) {
      const r = await fetch(`${base}${path}`);
      expect(r.status).toBe(404);
    }
  });

  test('only GET and HEAD are answered', async () => {
    const r = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
  });

  test('text is served gzip-compressed when accepted', async () => {
    const r = await fetch(`${base}/assets/main-abc123.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(r.headers.get('content-encoding')).toBe('gzip');
    // fetch decompresses transparently; the body is the original.
    expect(await r.text()).toMatch(/^console\.log\(1\);/);
  });

  test('/config.json and /healthz are never cached', async () => {
    const c = await fetch(`${base}/config.json`);
    expect(c.headers.get('cache-control')).toBe('no-store');
    expect(await c.json()).toMatchObject({ walletUrl: 'http://localhost:7003' });
    const h = await fetch(`${base}/healthz`);
    expect(await h.json()).toEqual({ status: 'ok' });
  });

  test('https deployments get HSTS and upgrade-insecure-requests', () => {
    expect(contentSecurityPolicy([], true)).toContain('upgrade-insecure-requests');
  });
});

describe('wallet server configuration', () => {
  test('production refuses to start without pinned trust anchors', () => {
    expect(() => loadWalletServerConfig({ NODE_ENV: 'production' })).toThrow(/WALLET_TRUST_FILE/);
  });

  test('defaults to port 7003 and http://localhost:7003', () => {
    const c = loadWalletServerConfig({});
    expect(c.port).toBe(7003);
    expect(c.walletUrl).toBe('http://localhost:7003');
  });

  test('a malformed URL is named, not echoed', () => {
    expect(() => loadWalletServerConfig({ VERIFIER_URL: 'javascript:alert(1)' })).toThrow(
      /^VERIFIER_URL must be an http\(s\) URL$/,
    );
  });
});
