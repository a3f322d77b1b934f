/**
 * `openmid issuer …` against a real issuer process (issue 3 §3 contract): the issuer is started
 * with its own start script on a free port and a fresh embedded database; the CLI talks to it
 * over HTTP with the development bootstrap admin key.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'apps/cli/bin/openmid.js');
let dir: string;
let url: string;
let child: ChildProcess;

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

function openmid(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ISSUER_URL: url, DATA_DIR: dir },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openmid-issuer-cli-'));
  const port = await freePort();
  url = `http://localhost:${port}`;
  child = spawn(
    process.execPath,
    ['--conditions=@openmid/source', '--import', 'tsx', join(root, 'apps/issuer/src/main.ts')],
    {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        ISSUER_URL: url,
        DATA_DIR: dir,
        ISSUER_SEED_CITIZENS: '50',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((res, rej) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += String(d);
      if (out.includes('tx_code')) res();
    });
    child.on('exit', (code) => rej(new Error(`issuer exited ${code}`)));
  });
}, 120_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('openmid issuer', () => {
  test('offer prints the credential offer link, tx_code and offer id', async () => {
    const citizen = 'demo-0000001';
    const r = openmid([
      'issuer',
      'offer',
      '--type',
      'driving-licence',
      '--citizen',
      citizen,
      '--copies',
      '2',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const offer = JSON.parse(r.out);
    expect(offer.credential_offer_uri).toMatch(/^openid-credential-offer:\/\//);
    expect(offer.tx_code).toMatch(/^\d{6}$/);
    expect(typeof offer.offer_id).toBe('string');
  });

  test('an unknown credential id fails with the service error code', () => {
    const r = openmid(['issuer', 'revoke', '--credential', 'no-such-credential']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ERR_ISSUER_CREDENTIAL_NOT_FOUND/);
  });

  test('batch-offers covers the register with a progress bar and resumes idempotently', () => {
    const r = openmid(['issuer', 'batch-offers', '--type', 'resident-id', '--from', 'register']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('100%');
    const state = JSON.parse(r.out);
    expect(state).toMatchObject({ state: 'completed', offered: state.total });
    const again = openmid([
      'issuer',
      'batch-offers',
      '--type',
      'resident-id',
      '--from',
      'register',
      '--resume',
      state.batch_id,
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ batch_id: state.batch_id, offered: state.total });
  });

  test('a wrong admin key is refused', () => {
    const r = openmid([
      'issuer',
      'offer',
      '--type',
      'resident-id',
      '--citizen',
      'demo-0000001',
      '--admin-key',
      'omk_wrong',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ERR_AUTH_REQUIRED|ERR_AUTH_FORBIDDEN/);
  });
});
