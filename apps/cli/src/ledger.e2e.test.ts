/**
 * `openmid ledger …` end to end against a real node process (issue 6 §4): three agencies make
 * their keys and sign a genesis offline (`init`, `cosign` ×3); a production node starts from it
 * (LEDGER_GENESIS_FILE); an issuer registration is proposed and refused with one signature of a
 * 2-of-3 quorum (nothing changes), accepted after the second (`cosign` ×2, `submit`); the issuer
 * anchors a status list with its own key; `prove`, `snapshot` and an offline `verify-snapshot`
 * close the loop, and a tampered snapshot or a wrong log key is invalid.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// The openmid command with `ledger` (the same runCommand as bin/openmid.js → main.ts).
const runner = join(root, 'apps/cli/src/ledger.e2e.main.ts');
// tsx resolved from the repository, not from the temporary working directory.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const ISSUER = 'https://id.mois.go.kr';
const PID = 'urn:openmid:kr:resident-id:1';
let dir: string;
let url: string;
let child: ChildProcess;
let ledgerId: string;

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

function openmid(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--conditions=@openmid/source', '--import', tsx, runner, ...args],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, LEDGER_URL: url },
    },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ok(args: string[]): Record<string, unknown> {
  const r = openmid(args);
  if (r.code !== 0) throw new Error(`openmid ${args.join(' ')} → ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openmid-ledger-cli-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // The agencies, offline: keys, the genesis proposal, one signature each.
  for (const a of ['npa', 'mois', 'komsco']) ok(['keygen', '--out', `${a}.jwk`]);
  const init = ok([
    'ledger',
    'init',
    '--governance',
    'npa.jwk',
    '--governance',
    'mois.jwk',
    '--governance',
    'komsco.jwk',
    '--quorum',
    '2',
    '--name',
    'OpenMID e2e ledger',
    '--out',
    'genesis.json',
  ]);
  expect(init).toMatchObject({ typ: 'genesis', quorum: 2 });
  let last: Record<string, unknown> = {};
  for (const a of ['npa', 'mois', 'komsco']) {
    last = ok(['ledger', 'cosign', '--entry', 'genesis.json', '--key', `${a}.jwk`]);
  }
  expect(last).toMatchObject({ signatures: 3 });
  ledgerId = last['ledgerId'] as string;
  child = spawn(
    process.execPath,
    ['--conditions=@openmid/source', '--import', 'tsx', join(root, 'apps/ledger/src/main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        LEDGER_URL: url,
        DATA_DIR: join(dir, 'node'),
        LEDGER_GENESIS_FILE: join(dir, 'genesis.json'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((res, rej) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => {
      out += String(d);
      if (out.includes('log key:')) res();
    });
    child.stderr?.on('data', (d) => {
      err += String(d);
    });
    child.on('exit', (code) => rej(new Error(`ledger node exited ${code}: ${err}`)));
  });
}, 180_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('openmid ledger against a node process', () => {
  test('propose → cosign ×2 → submit → prove → snapshot → verify-snapshot', async () => {
    const info = ok(['ledger', 'info', '--log-key-out', 'log-key.jwk']);
    expect(info).toMatchObject({ ledgerId, backend: 'embedded', treeSize: 1, development: false });
    const pinned = ['--log-key', 'log-key.jwk'];

    // The issuer's key and its registration, proposed by one agency.
    const issuerKey = ok(['keygen', '--out', 'issuer.jwk']);
    await writeFile(
      join(dir, 'register.json'),
      JSON.stringify({
        issuer: {
          id: ISSUER,
          names: { ko: '행정안전부', en: 'Ministry of the Interior and Safety' },
          types: [PID],
        },
        keys: [issuerKey],
      }),
    );
    ok([
      'ledger',
      'propose',
      '--type',
      'issuer.register',
      '--input',
      'register.json',
      '--out',
      'register.entry.json',
    ]);

    // Hostile: one signature where the quorum is two is refused, and nothing changes.
    ok([
      'ledger',
      'cosign',
      '--entry',
      'register.entry.json',
      '--key',
      'npa.jwk',
      '--ledger-id',
      ledgerId,
    ]);
    const stateBefore = openmid(['ledger', 'state', ...pinned]).out;
    const refused = openmid(['ledger', 'submit', '--entry', 'register.entry.json', ...pinned]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/ERR_LEDGER_QUORUM_NOT_MET/);
    expect(openmid(['ledger', 'state', ...pinned]).out).toBe(stateBefore);

    // The second agency cosigns (asking the node for the ledger id this time): accepted.
    const second = ok([
      'ledger',
      'cosign',
      '--entry',
      'register.entry.json',
      '--key',
      'mois.jwk',
      '--url',
      url,
      ...pinned,
    ]);
    expect(second).toMatchObject({ signatures: 2 });
    const receipt = ok(['ledger', 'submit', '--entry', 'register.entry.json', ...pinned]);
    expect(receipt).toMatchObject({ status: 'confirmed', index: 1 });

    const proven = ok([
      'ledger',
      'prove',
      '--query',
      JSON.stringify({ q: 'issuer-keys', issuer: ISSUER }),
      ...pinned,
    ]);
    expect(proven['answer']).toMatchObject({ trusted: true, keys: [{ kid: issuerKey['kid'] }] });

    // The issuer anchors a status list with its own key: no governance involved.
    await writeFile(
      join(dir, 'anchor.json'),
      JSON.stringify({
        issuer: ISSUER,
        uri: `${ISSUER}/status-lists/1`,
        digest: 'ab'.repeat(32),
        issuedAt: Math.floor(Date.now() / 1000),
      }),
    );
    ok([
      'ledger',
      'propose',
      '--type',
      'anchor.status-list',
      '--input',
      'anchor.json',
      '--out',
      'a.json',
    ]);
    ok(['ledger', 'cosign', '--entry', 'a.json', '--key', 'issuer.jwk', '--ledger-id', ledgerId]);
    expect(ok(['ledger', 'submit', '--entry', 'a.json', ...pinned])).toMatchObject({ index: 2 });

    const snap = ok([
      'ledger',
      'snapshot',
      '--out',
      'snap.json',
      '--status-lists',
      'all',
      ...pinned,
    ]);
    expect(snap).toMatchObject({ ledgerId, treeSize: 3, issuers: 1 });
    const verified = ok([
      'ledger',
      'verify-snapshot',
      '--snapshot',
      'snap.json',
      '--log-key',
      'log-key.jwk',
      '--ledger-id',
      ledgerId,
      '--max-age',
      '1h',
    ]);
    expect(verified).toMatchObject({
      valid: true,
      ledgerId,
      treeSize: 3,
      issuers: [ISSUER],
      statusLists: 1,
    });

    // Offline checks fail closed: a tampered snapshot, another log key.
    const text = await readFile(join(dir, 'snap.json'), 'utf8');
    await writeFile(join(dir, 'tampered.json'), text.replace('행정안전부', '국방부'));
    const tampered = openmid([
      'ledger',
      'verify-snapshot',
      '--snapshot',
      'tampered.json',
      '--log-key',
      'log-key.jwk',
    ]);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.out)).toMatchObject({
      valid: false,
      error: { code: expect.stringMatching(/^ERR_LEDGER_(PROOF|SNAPSHOT)_INVALID$/) },
    });
    await writeFile(join(dir, 'issuer.pub.jwk'), JSON.stringify(issuerKey));
    const wrongKey = openmid([
      'ledger',
      'verify-snapshot',
      '--snapshot',
      'snap.json',
      '--log-key',
      'issuer.pub.jwk',
    ]);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.out)).toMatchObject({
      valid: false,
      error: { code: 'ERR_LEDGER_TREE_HEAD_INVALID' },
    });
  }, 180_000);
});
