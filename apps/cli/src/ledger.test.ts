/**
 * `openmid ledger …` in process against a development node served on a free port: help and usage
 * errors (exit 2), offline genesis and cosigning, proposals from convenient JSON (keys as JWKs
 * with a kid, default times), the development countersign path, state and proofs with the log key
 * pinned from `ledger info` output, and refusals with their codes (exit 1).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerIdOf, type SignedEntry } from '@openmid/ledger';
import { nodeMigrations } from '@openmid/ledger-service';
import { createTestLedgerNode, type TestLedgerNode } from '@openmid/ledger-service/testing';
import {
  migrate,
  openPglite,
  type RunningServer,
  type Sql,
  serve,
  silentLogger,
} from '@openmid/server-kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Command, type Io, runCommand } from './cli.js';
import { keygen } from './commands/keygen.js';
import { ledger } from './commands/ledger.js';

const root: Command = {
  name: 'openmid',
  summary: 'test',
  usage: '<command>',
  subcommands: [keygen, ledger],
};
const RP = 'x509_san_dns:bank.example';
const PID = 'urn:openmid:kr:resident-id:1';

let dir: string;
let sql: Sql;
let node: TestLedgerNode;
let server: RunningServer;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdin: async () => '',
    cwd: dir,
  };
  const code = await runCommand(root, args, io);
  return { code, out, err };
}

const url = () => ['--url', server.url];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openmid-ledger-cmd-'));
  sql = await openPglite();
  await migrate(sql, nodeMigrations({ OPENMID_LEDGER: 'embedded' }));
  node = await createTestLedgerNode({
    sql,
    clock: () => Math.floor(Date.now() / 1000),
  });
  server = await serve(node.node.app, { port: 0, logger: silentLogger(), handleSignals: false });
});

afterAll(async () => {
  await server?.close();
  await node?.close();
  await sql?.close();
});

describe('openmid ledger', () => {
  test('--help works on the group and every command; bad usage exits 2', async () => {
    expect((await run(['ledger', '--help'])).code).toBe(0);
    for (const c of ledger.subcommands ?? []) {
      const r = await run(['ledger', c.name, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`openmid ledger ${c.name}`);
    }
    expect((await run(['ledger', 'cosign', '--key', 'k.jwk'])).code).toBe(2);
    expect((await run(['ledger', 'propose', '--type', 'genesis', '--input', 'x'])).code).toBe(2);
    expect((await run(['ledger', 'propose', '--type', 'nope', '--input', 'x'])).code).toBe(2);
    expect((await run(['ledger', 'init', '--quorum', '2', '--name', 'x'])).code).toBe(2);
    expect((await run(['ledger', 'state', '--url', 'ftp://x'])).code).toBe(2);
  });

  test('init and offline cosigning make a genesis every agency signed', async () => {
    for (const a of ['a', 'b']) expect((await run(['keygen', '--out', `${a}.jwk`])).code).toBe(0);
    expect(
      (
        await run([
          'ledger',
          'init',
          '--governance',
          'a.jwk',
          '--governance',
          'b.jwk',
          '--quorum',
          '3',
          '--name',
          'x',
        ])
      ).code,
    ).toBe(2);
    const init = await run([
      'ledger',
      'init',
      '--governance',
      'a.jwk',
      '--governance',
      'b.jwk',
      '--quorum',
      '2',
      '--name',
      'Test',
      '--out',
      'g.json',
    ]);
    expect(init.code).toBe(0);
    await run(['ledger', 'cosign', '--entry', 'g.json', '--key', 'a.jwk']);
    // Signing twice with the same key replaces the signature, it never counts twice.
    await run(['ledger', 'cosign', '--entry', 'g.json', '--key', 'a.jwk']);
    const last = await run(['ledger', 'cosign', '--entry', 'g.json', '--key', 'b.jwk']);
    const g = JSON.parse(await readFile(join(dir, 'g.json'), 'utf8')) as SignedEntry;
    expect(g.signatures).toHaveLength(2);
    expect(JSON.parse(last.out)).toMatchObject({ signatures: 2, ledgerId: ledgerIdOf(g) });
  });

  test('a development node countersigns a proposal; state and proofs are verified with the pinned key', async () => {
    const info = await run(['ledger', 'info', ...url()]);
    expect(info.code).toBe(0);
    await writeFile(join(dir, 'info.json'), info.out);
    const pinned = ['--log-key', 'info.json', '--ledger-id', node.ledgerId as string, ...url()];
    const rpKey = JSON.parse((await run(['keygen', '--out', 'rp.jwk'])).out);
    await writeFile(
      join(dir, 'rp.json'),
      JSON.stringify({
        rp: {
          id: RP,
          names: { ko: '은행', en: 'Bank' },
          purpose: { ko: '본인 확인', en: 'Identity check' },
          requests: [{ vct: PID, claims: [['name'], ['birth_date']] }],
          rrnLegalBasis: null,
          keys: [rpKey],
        },
      }),
    );
    expect(
      (
        await run([
          'ledger',
          'propose',
          '--type',
          'rp.register',
          '--input',
          'rp.json',
          '--out',
          'rp.entry.json',
        ])
      ).code,
    ).toBe(0);
    // Without the countersign the proposal carries no signature: refused with the ledger's code.
    const bare = await run(['ledger', 'submit', '--entry', 'rp.entry.json', ...pinned]);
    expect(bare.code).toBe(1);
    expect(bare.err).toContain('ERR_LEDGER_QUORUM_NOT_MET');
    const sub = await run([
      'ledger',
      'submit',
      '--entry',
      'rp.entry.json',
      '--dev-countersign',
      '--admin-key',
      node.adminKey,
      ...pinned,
    ]);
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.out)).toMatchObject({ status: 'confirmed' });
    const state = JSON.parse((await run(['ledger', 'state', ...pinned])).out);
    expect(state.rps.map((r: { id: string }) => r.id)).toEqual([RP]);
    const proven = await run([
      'ledger',
      'prove',
      '--query',
      JSON.stringify({ q: 'rp-claim', rp: RP, vct: PID, claim: ['portrait'] }),
      ...pinned,
    ]);
    expect(JSON.parse(proven.out).answer).toMatchObject({
      allowed: false,
      reason: 'claim-not-registered',
    });
    // Unpinned: works, with a warning.
    const tofu = await run(['ledger', 'state', ...url()]);
    expect(tofu.code).toBe(0);
    expect(tofu.err).toContain('trusting it on first use');
  });

  test('an invalid proposal is refused with the ledger’s code (exit 1)', async () => {
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({ issuer: { id: 'http://insecure.example' } }),
    );
    const r = await run(['ledger', 'propose', '--type', 'issuer.update', '--input', 'bad.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ERR_LEDGER_ENTRY_INVALID');
  });
});
