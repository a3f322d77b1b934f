/**
 * @module e2e/system
 * The whole development system for the browser suite, in real processes, exactly as a newcomer
 * gets it: `openmid start --json --ports auto --data-dir DIR` (ledger, issuer registered on the
 * ledger, verifier trusting what the ledger says, wallet server, portal). Every service runs from
 * source, on free ports, with its data in a temporary folder. There is no fallback: if the command
 * does not come up, the suite fails and says where its output is.
 *
 * Two settings make the story fast, not different: status lists live 1 s (`ISSUER_STATUS_TTL`) and
 * the verifier may cache them for as little (`VERIFIER_STATUS_MIN_TTL=0`), so a suspension shows at
 * the next presentation instead of five minutes later.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Service URLs. */
export interface SystemUrls {
  readonly issuer: string;
  readonly verifier: string;
  readonly wallet: string;
  readonly portal: string;
  readonly ledger?: string;
}

/** A running system. */
export interface RunningSystem {
  readonly urls: SystemUrls;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** Settings that shorten waits (see the module comment). */
export const FAST_ENV: Readonly<Record<string, string>> = Object.freeze({
  ISSUER_STATUS_TTL: '1',
  VERIFIER_STATUS_MIN_TTL: '0',
  LOG_LEVEL: 'warn',
});

function stopAll(children: readonly ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.pid === undefined) return resolve();
          const timer = setTimeout(() => {
            try {
              process.kill(-(c.pid as number), 'SIGKILL');
            } catch {
              c.kill('SIGKILL');
            }
          }, 10_000);
          c.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          try {
            process.kill(-(c.pid as number), 'SIGTERM');
          } catch {
            c.kill('SIGTERM');
          }
        }),
    ),
  ).then(() => undefined);
}

/** `openmid start --json --ports auto`; undefined when it does not come up. */
async function viaStart(
  dataDir: string,
  env: Record<string, string>,
): Promise<RunningSystem | undefined> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'apps/cli/bin/openmid.js'),
      'start',
      '--json',
      '--ports',
      'auto',
      '--data-dir',
      dataDir,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  mkdirSync(dataDir, { recursive: true });
  child.stderr?.pipe(createWriteStream(join(dataDir, 'start.stderr.log')));
  const ready = await new Promise<Record<string, string> | undefined>((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve(undefined), 240_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      for (const line of out.split('\n')) {
        try {
          const j = JSON.parse(line) as { ready?: boolean; urls?: Record<string, string> };
          if (j.ready === true && j.urls !== undefined) {
            clearTimeout(timer);
            resolve(j.urls);
          }
        } catch {
          // not the ready line
        }
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  const need = ['issuer', 'verifier', 'wallet', 'portal'];
  if (ready === undefined || !need.every((k) => typeof ready[k] === 'string')) {
    await stopAll([child]);
    return undefined;
  }
  return {
    urls: {
      issuer: ready['issuer'] as string,
      verifier: ready['verifier'] as string,
      wallet: ready['wallet'] as string,
      portal: ready['portal'] as string,
      ...(ready['ledger'] === undefined ? {} : { ledger: ready['ledger'] }),
    },
    dataDir,
    stop: () => stopAll([child]),
  };
}

/** Start the system with `openmid start`; throws (naming its log) when it does not come up. */
export async function startSystem(env: Record<string, string> = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openmid-e2e-'));
  const started = await viaStart(dataDir, { ...FAST_ENV, ...env });
  if (started === undefined)
    throw new Error(`openmid start did not come up; its output is in ${dataDir}/start.stderr.log`);
  return started;
}
