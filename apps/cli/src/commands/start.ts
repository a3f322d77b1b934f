/**
 * @module commands/start
 * `openmid start`: the whole system on embedded defaults — trust-ledger node, issuer, verifier,
 * wallet and the portal (landing page, agency console, demo relying parties) — each in its own
 * process with its own data folder (PGlite, key files), wired together by URLs. No database
 * server, no chain node to install. Ctrl-C stops everything.
 *
 * Apps never import each other (DESIGN.md §3): this command only spawns their entry points and
 * passes the environment they document.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenMidError } from '@openmid/core/errors';
import { type Command, type Io, optional, usageError } from '../cli.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The services in start order, with their default ports (issue 3 §3, issue 5 §2). */
export interface ServiceSpec {
  readonly name: 'ledger' | 'issuer' | 'verifier' | 'wallet' | 'portal';
  readonly title: string;
  readonly entry: string;
  readonly port: number;
}

export const SERVICES: readonly ServiceSpec[] = [
  { name: 'ledger', title: 'trust ledger', entry: 'apps/ledger/src/main.ts', port: 7005 },
  { name: 'issuer', title: 'issuer (OpenID4VCI)', entry: 'apps/issuer/src/main.ts', port: 7001 },
  {
    name: 'verifier',
    title: 'verifier (OpenID4VP)',
    entry: 'apps/verifier/src/main.ts',
    port: 7002,
  },
  { name: 'wallet', title: 'citizen wallet', entry: 'apps/wallet/server/main.ts', port: 7003 },
  { name: 'portal', title: 'landing page', entry: 'apps/portal/src/main.ts', port: 7000 },
];

export type Urls = Record<ServiceSpec['name'], string>;
export type Dirs = Record<ServiceSpec['name'], string>;

/** The environment each service reads (see docs/issuer.md, docs/verifier.md, docs/wallet.md). */
export function environment(
  spec: ServiceSpec,
  urls: Urls,
  dirs: Dirs,
  ports: Record<string, number>,
): Record<string, string> {
  const common = { PORT: String(ports[spec.name]), DATA_DIR: dirs[spec.name] };
  const links = {
    LEDGER_URL: urls.ledger,
    ISSUER_URL: urls.issuer,
    VERIFIER_URL: urls.verifier,
    WALLET_URL: urls.wallet,
    PORTAL_URL: urls.portal,
  };
  switch (spec.name) {
    case 'ledger':
      return { ...common, LEDGER_URL: urls.ledger };
    case 'issuer':
      return {
        ...common,
        ISSUER_URL: urls.issuer,
        // Registers its iss, keys and types on the ledger at start-up (dev governance countersigns).
        ISSUER_LEDGER_URL: urls.ledger,
        ISSUER_LEDGER_ADMIN_KEY_FILE: join(dirs.ledger, 'admin-api-key'),
      };
    case 'verifier': {
      // Issuers and relying parties come from the trust ledger (docs/verifier.md "On the trust
      // ledger"); the demo parties are registered on it (dev governance countersigns). The log
      // key is pinned from the node's key file on this machine, never taken from the node. A
      // ledger that never ran here (`--only verifier`): the verifier's own registry instead.
      const logKeyFile = join(dirs.ledger, 'log-key.jwk');
      if (!existsSync(logKeyFile))
        return {
          ...common,
          VERIFIER_URL: urls.verifier,
          VERIFIER_WALLET_URL: `${urls.wallet}/present`,
        };
      return {
        ...common,
        VERIFIER_URL: urls.verifier,
        VERIFIER_WALLET_URL: `${urls.wallet}/present`,
        VERIFIER_LEDGER_URL: urls.ledger,
        VERIFIER_LEDGER_LOG_KEY_FILE: logKeyFile,
        VERIFIER_LEDGER_ADMIN_KEY_FILE: join(dirs.ledger, 'admin-api-key'),
      };
    }
    case 'wallet':
      return { ...common, ...links };
    case 'portal':
      return {
        ...common,
        ...links,
        ISSUER_DATA_DIR: dirs.issuer,
        VERIFIER_DATA_DIR: dirs.verifier,
        LEDGER_DATA_DIR: dirs.ledger,
      };
    default:
      return common;
  }
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new OpenMidError(
        'ERR_STORE_UNAVAILABLE',
        `service exited (status ${exited}) before it was ready`,
      );
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new OpenMidError('ERR_STORE_UNAVAILABLE', `service not ready after ${timeoutMs / 1000} s`);
}

/** Forward a child's output line by line with a prefix (human mode) or to its log file. */
function pipeOutput(child: ChildProcess, name: string, io: Io, logFile: string | undefined): void {
  if (logFile !== undefined) {
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return;
  }
  for (const [stream, write] of [
    [child.stdout, io.stdout],
    [child.stderr, io.stderr],
  ] as const) {
    let pending = '';
    stream?.on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) write(`\x1b[2m[${name}]\x1b[0m ${line}\n`);
    });
  }
}

export const start: Command = {
  name: 'start',
  summary:
    'Start the whole system on embedded defaults (ledger, issuer, verifier, wallet, portal).',
  usage:
    'start [--data-dir DIR] [--ports auto] [--json] [--only NAME,...]\n\n' +
    '  Ports: landing 7000, issuer 7001, verifier 7002, wallet 7003, ledger 7005 (--ports auto picks\n' +
    '  free ones). Data: DIR/<service> (default .data). --json prints one line with every URL once\n' +
    '  all services are ready and sends their output to DIR/<service>.log.',
  options: {
    'data-dir': { type: 'string', default: '.data' },
    ports: { type: 'string' },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
  async run({ values, io }) {
    const json = values['json'] === true;
    const auto = optional(values, 'ports');
    if (auto !== undefined && auto !== 'auto') throw usageError("--ports takes 'auto'");
    const only = optional(values, 'only')?.split(',');
    const specs = SERVICES.filter(
      (s) => existsSync(join(ROOT, s.entry)) && (only === undefined || only.includes(s.name)),
    );
    const dataDir = resolve(io.cwd, String(values['data-dir']));
    const ports: Record<string, number> = {};
    for (const s of SERVICES) ports[s.name] = auto === 'auto' ? await freePort() : s.port;
    const urls = Object.fromEntries(
      SERVICES.map((s) => [s.name, `http://localhost:${ports[s.name]}`]),
    ) as Urls;
    const dirs = Object.fromEntries(SERVICES.map((s) => [s.name, join(dataDir, s.name)])) as Dirs;
    const children: ChildProcess[] = [];
    let stopping = false;
    const stop = (): void => {
      stopping = true;
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);

    if (!json) io.stdout('Starting OpenMID on embedded defaults (PGlite, local key files)…\n');
    for (const spec of specs) {
      mkdirSync(dirs[spec.name], { recursive: true });
      const child = spawn(
        process.execPath,
        ['--conditions=@openmid/source', '--import', 'tsx', join(ROOT, spec.entry)],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            NODE_ENV: 'development',
            LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
            ...environment(spec, urls, dirs, ports),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      pipeOutput(child, spec.name, io, json ? join(dataDir, `${spec.name}.log`) : undefined);
      child.on('exit', (code, signal) => {
        if (!stopping) {
          io.stderr(`${spec.name} stopped (${signal ?? code}); stopping the system\n`);
          stop();
        }
      });
      try {
        await waitHealthy(urls[spec.name], child, 180_000);
      } catch (e) {
        stop();
        throw e;
      }
      if (!json) io.stdout(`  ✔ ${spec.title.padEnd(22)} ${urls[spec.name]}\n`);
    }
    const ready = Object.fromEntries(specs.map((s) => [s.name, urls[s.name]]));
    if (json) io.stdout(`${JSON.stringify({ ready: true, urls: ready, dataDir })}\n`);
    else {
      const landing = specs.some((s) => s.name === 'portal')
        ? urls.portal
        : (urls[specs[0]?.name ?? 'issuer'] ?? '');
      io.stdout(`\nOpenMID is running. Open \x1b[1m${landing}\x1b[0m  (Ctrl-C stops everything)\n`);
    }
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    return 0;
  },
};
