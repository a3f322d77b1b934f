/**
 * @module server/main
 * The wallet's static server (`node --conditions=@openmid/source --import tsx
 * apps/wallet/server/main.ts`): builds the bundle first when it is missing or older than any of its
 * sources, then serves it with the headers of server/static.ts and answers `/config.json` and
 * `/healthz`.
 *
 * Environment (docs/wallet.md): `PORT` (7003), `HOST` (127.0.0.1), `WALLET_URL`
 * (http://localhost:7003), `ISSUER_URL`, `VERIFIER_URL`, `LEDGER_URL`, `PORTAL_URL`, `DATA_DIR`
 * (accepted, unused: the wallet keeps nothing on the server), `WALLET_TRUST_FILE` (the trust
 * anchors as JSON — required in production), `WALLET_HELPLINE` (1688-0990), `WALLET_BUILD`
 * (`auto` | `always` | `never`), `NODE_ENV`.
 *
 * Trust anchors: in production they come from `WALLET_TRUST_FILE` (or are built into the bundle with
 * `VITE_OPENMID_TRUST`). In development, when no file is given, the server reads the verifier
 * registry's key (`VERIFIER_URL/.well-known/jwks.json`) and the ledger's log key and id
 * (`LEDGER_URL/v1/ledger`) — trust on first use, which the browser then pins at onboarding.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { staticHandler } from './static.js';

const APP = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(APP, '..', '..');

/** The server's configuration (from the environment). */
export interface WalletServerConfig {
  readonly port: number;
  readonly host: string;
  readonly walletUrl: string;
  readonly issuerUrl: string;
  readonly verifierUrl: string;
  readonly ledgerUrl?: string;
  readonly trustFile?: string;
  readonly helpline: string;
  readonly build: 'auto' | 'always' | 'never';
  readonly production: boolean;
  readonly dist: string;
}

function url(env: Record<string, string | undefined>, name: string, fallback?: string): string {
  const v = env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${name} must be an http(s) URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`${name} must be an http(s) URL`);
  return v.replace(/\/+$/, '');
}

/** Parse the environment (fails fast, naming the variable, never echoing its value). */
export function loadWalletServerConfig(
  env: Record<string, string | undefined> = process.env,
): WalletServerConfig {
  const port = Number(env['PORT'] ?? '7003');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port');
  const build = env['WALLET_BUILD'] ?? 'auto';
  if (build !== 'auto' && build !== 'always' && build !== 'never')
    throw new Error('WALLET_BUILD must be auto, always or never');
  const production = env['NODE_ENV'] === 'production';
  const trustFile = env['WALLET_TRUST_FILE'];
  if (production && trustFile === undefined)
    throw new Error('WALLET_TRUST_FILE is required in production (no trust on first use)');
  const ledgerUrl = env['LEDGER_URL'] === undefined ? undefined : url(env, 'LEDGER_URL');
  return {
    port,
    host: env['HOST'] ?? '127.0.0.1',
    walletUrl: url(env, 'WALLET_URL', `http://localhost:${port === 0 ? 7003 : port}`),
    issuerUrl: url(env, 'ISSUER_URL', 'http://localhost:7001'),
    verifierUrl: url(env, 'VERIFIER_URL', 'http://localhost:7002'),
    ...(ledgerUrl === undefined ? {} : { ledgerUrl }),
    ...(trustFile === undefined ? {} : { trustFile }),
    helpline: env['WALLET_HELPLINE'] ?? '1688-0990',
    build,
    production,
    dist: join(APP, 'dist'),
  };
}

function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) {
        if (name === 'node_modules' || name === 'dist' || name.endsWith('.test.ts')) continue;
        walk(join(p, name));
      }
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) walk(p);
  return newest;
}

/** The files the bundle is made of (a change to any makes it stale). */
export function bundleSources(): string[] {
  return [
    join(APP, 'src'),
    join(APP, 'public'),
    join(APP, 'index.html'),
    join(APP, 'vite.config.ts'),
    join(ROOT, 'profiles', 'kr', 'src'),
    join(ROOT, 'packages', 'core', 'src'),
    join(ROOT, 'packages', 'verifier-sdk', 'src'),
    join(ROOT, 'packages', 'ledger', 'src'),
  ];
}

/** True when `dist` is missing or older than a source. */
export function bundleIsStale(dist: string): boolean {
  let built: number;
  try {
    built = statSync(join(dist, 'index.html')).mtimeMs;
  } catch {
    return true;
  }
  return newestMtime(bundleSources()) > built;
}

/** Build the bundle (one builder at a time: a lock folder next to `dist`). */
export async function buildBundle(dist: string): Promise<void> {
  const lock = `${dist}.lock`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!bundleIsStale(dist)) return; // another process built it meanwhile
    const { build } = await import('vite');
    // A production bundle even when this server runs with NODE_ENV=development (React's
    // development build is larger and slower, and import.meta.env.PROD gates the service worker).
    const env = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      await build({
        configFile: join(APP, 'vite.config.ts'),
        mode: 'production',
        logLevel: 'warn',
      });
    } finally {
      if (env === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = env;
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function getJson(target: string): Promise<Record<string, unknown>> {
  const r = await fetch(target, { redirect: 'error', signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`status ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}

/** The trust anchors to offer (file, or development trust on first use; cached a minute). */
export function trustAnchorSource(config: WalletServerConfig): () => Promise<unknown> {
  if (config.trustFile !== undefined) {
    const fixed = JSON.parse(readFileSync(config.trustFile, 'utf8')) as unknown;
    return async () => fixed;
  }
  let cached: { at: number; value: unknown } | undefined;
  return async () => {
    if (cached !== undefined && Date.now() - cached.at < 60_000) return cached.value;
    const jwks = await getJson(`${config.verifierUrl}/.well-known/jwks.json`);
    const keys = Array.isArray(jwks['keys']) ? (jwks['keys'] as Record<string, unknown>[]) : [];
    let ledger: unknown = null;
    if (config.ledgerUrl !== undefined) {
      try {
        const info = await getJson(`${config.ledgerUrl}/v1/ledger`);
        if (typeof info['logKey'] === 'object' && info['logKey'] !== null)
          ledger = {
            url: config.ledgerUrl,
            logKey: info['logKey'],
            ...(typeof info['ledgerId'] === 'string' ? { ledgerId: info['ledgerId'] } : {}),
          };
      } catch {
        ledger = null; // the ledger is optional: the bundle alone is a complete trust source
      }
    }
    const value = {
      bundleUrl: `${config.verifierUrl}/v1/trust-bundle`,
      registryKeys: keys
        .filter((k) => typeof k['kid'] === 'string')
        .map((k) => ({ kid: k['kid'], jwk: k })),
      ledger,
    };
    cached = { at: Date.now(), value };
    return value;
  };
}

/** A running wallet server. */
export interface RunningWalletServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Build if needed and serve.
 *
 * @example
 * ```ts
 * const server = await startWalletServer(loadWalletServerConfig({ PORT: '0' }))
 * ```
 */
export async function startWalletServer(config: WalletServerConfig): Promise<RunningWalletServer> {
  if (config.build === 'always' || (config.build === 'auto' && bundleIsStale(config.dist)))
    await buildBundle(config.dist);
  const anchors = trustAnchorSource(config);
  const dev = !config.production;
  const origins = [config.issuerUrl, config.verifierUrl, config.ledgerUrl]
    .filter((u): u is string => u?.startsWith('http://') === true)
    .map((u) => new URL(u).origin);
  const handler = staticHandler({
    dist: config.dist,
    walletUrl: config.walletUrl,
    // Development: any http origin (a demo issuer or verifier on another port or host).
    connectOrigins: dev ? [...origins, 'http:'] : [],
    config: async () => ({
      walletUrl: config.walletUrl,
      lossReportUrl: `${config.issuerUrl}/citizen`,
      helpline: config.helpline,
      allowHttp: dev && config.walletUrl.startsWith('http://'),
      // The in-person relay of the verifier (docs/in-person.md).
      relayUrl: `${config.verifierUrl}/relay/v1`,
      trust: await anchors(),
    }),
  });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  return {
    url: `http://${config.host}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  let config: WalletServerConfig;
  try {
    config = loadWalletServerConfig();
  } catch (e) {
    process.stderr.write(`wallet: invalid configuration: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const running = await startWalletServer(config);
  process.stdout.write(`OpenMID wallet: ${config.walletUrl} (listening on ${running.url})\n`);
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
