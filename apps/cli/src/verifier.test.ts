/**
 * The `openmid verifier …` and `openmid verify-offline` contract of issue 4 §5, in process against
 * a verifier served on a loopback port (PGlite in memory), with the verifier's scripted wallet.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSdJwt } from '@openmid/core/sd-jwt';
import {
  migrate,
  openPglite,
  type RunningServer,
  type Sql,
  serve,
  silentLogger,
} from '@openmid/server-kit';
import { clientIdOf, createOfflinePresentation, createOfflineRequest } from '@openmid/verifier';
import { ALL_MIGRATIONS, rpSigner } from '@openmid/verifier-service';
import {
  makeVerifier,
  type TestVerifier,
  type TestWallet,
} from '@openmid/verifier-service/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Command, type Io, runCommand } from './cli.js';
import { verifier } from './commands/verifier.js';
import { verifyOffline } from './commands/verify-offline.js';

const root: Command = {
  name: 'openmid',
  summary: 'test',
  usage: '<command>',
  subcommands: [verifier, verifyOffline],
};

let dir: string;
let sql: Sql;
let v: TestVerifier;
let wallet: TestWallet;
let server: RunningServer;

async function run(
  args: string[],
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdin: async () => stdin,
    cwd: dir,
  };
  return { code: await runCommand(root, args, io), out, err };
}

const as = (rp: string) => ['--verifier', server.url, '--api-key-file', `${rp}.key`];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openmid-cli-verifier-'));
  sql = await openPglite();
  await migrate(sql, ALL_MIGRATIONS);
  v = await makeVerifier(sql, { now: Math.floor(Date.now() / 1000) });
  server = await serve(v.verifier.app, { port: 0, logger: silentLogger(), handleSignals: false });
  for (const [rp, token] of Object.entries(v.rpKeys))
    await writeFile(join(dir, `${rp}.key`), token);
  wallet = await v.wallet();
  wallet.credentials.push(await v.issuer.issue('resident-id', wallet.holder, { idx: 1 }));
});

afterAll(async () => {
  await server.close();
  await sql.close();
});

describe('openmid verifier request / result', () => {
  test('request prints transaction_id, request_link and same_device_url; result prints the verified claims once', async () => {
    const r = await run([
      'verifier',
      'request',
      '--rp',
      'convenience-store',
      '--preset',
      'age-over-19',
      ...as('convenience-store'),
    ]);
    expect(r.code, r.err).toBe(0);
    const created = JSON.parse(r.out);
    expect(Object.keys(created)).toEqual(['transaction_id', 'request_link', 'same_device_url']);
    expect(created.request_link).toMatch(
      /^openid4vp:\/\/\?client_id=verifier_attestation%3Aconvenience-store&request_uri=/,
    );

    const pending = await run([
      'verifier',
      'result',
      '--transaction',
      created.transaction_id,
      ...as('convenience-store'),
    ]);
    expect([pending.code, JSON.parse(pending.out).status]).toEqual([1, 'pending']);

    expect((await wallet.present(created.request_link)).status).toBe(200);
    const done = await run([
      'verifier',
      'result',
      '--transaction',
      created.transaction_id,
      ...as('convenience-store'),
    ]);
    expect(done.code, done.out).toBe(0);
    const result = JSON.parse(done.out);
    expect(result.status).toBe('verified');
    expect(result.credentials.resident_card[0].claims).toEqual({ age_over_19: true });

    const gone = await run([
      'verifier',
      'result',
      '--transaction',
      created.transaction_id,
      ...as('convenience-store'),
    ]);
    expect([gone.code, JSON.parse(gone.out).error.code]).toEqual([1, 'ERR_VP_RESULT_GONE']);
  });

  test('a request beyond the registration exits 1 with ERR_RP_ATTRIBUTE_NOT_REGISTERED', async () => {
    const r = await run([
      'verifier',
      'request',
      '--rp',
      'convenience-store',
      '--preset',
      'full-identity-with-rrn',
      ...as('convenience-store'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ERR_RP_ATTRIBUTE_NOT_REGISTERED');
  });

  test('--dcql takes a query file; another party cannot read the result', async () => {
    await writeFile(
      join(dir, 'q.json'),
      JSON.stringify({
        credentials: [
          {
            id: 'id',
            format: 'dc+sd-jwt',
            meta: { vct_values: ['urn:openmid:kr:resident-id:1'] },
            claims: [{ path: ['name'] }, { path: ['rrn'] }],
          },
        ],
      }),
    );
    const r = await run(['verifier', 'request', '--rp', 'bank', '--dcql', 'q.json', ...as('bank')]);
    expect(r.code, r.err).toBe(0);
    const { transaction_id } = JSON.parse(r.out);
    const other = await run([
      'verifier',
      'result',
      '--transaction',
      transaction_id,
      ...as('car-rental'),
    ]);
    expect(other.out, `stderr: ${other.err}`).not.toBe('');
    expect(JSON.parse(other.out).error.code).toBe('ERR_VP_REQUEST_UNKNOWN');
  });

  test('bad usage exits 2', async () => {
    expect((await run(['verifier', 'request', '--rp', 'bank', ...as('bank')])).code).toBe(2);
    expect((await run(['verifier', 'result', '--transaction', 'short', ...as('bank')])).code).toBe(
      2,
    );
  });
});

describe('openmid verifier trust-bundle / verify-offline', () => {
  let qr: string;

  beforeAll(async () => {
    const r = await run([
      'verifier',
      'trust-bundle',
      '--out',
      'bundle.jwt',
      '--verifier',
      server.url,
    ]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      out: 'bundle.jwt',
      keys: 'bundle.jwt.keys.json',
      relying_parties: 4,
    });
    qr = await createOfflinePresentation(parseSdJwt(wallet.credentials[0] as string), {
      paths: [['age_over_19']],
      signer: wallet.holder.signer,
      binding: 'one-way',
    });
  });

  test('a one-way QR verifies with no network and prints the verify JSON', async () => {
    const r = await run(['verify-offline', '--bundle', 'bundle.jwt', '--qr-payload', '-'], qr);
    expect(r.code, r.out).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      valid: true,
      vct: 'urn:openmid:kr:resident-id:1',
      iss: 'https://issuer.test',
      claims: { age_over_19: true },
      status: 'valid',
    });
  });

  test('a two-way answer verifies with the nonce and client identifier of the request QR', async () => {
    const clientId = clientIdOf('convenience-store');
    const request = await createOfflineRequest({
      signer: await rpSigner(v.ctx, 'convenience-store'),
      clientId,
      dcql: {
        credentials: [
          {
            id: 'age',
            format: 'dc+sd-jwt',
            meta: { vct_values: ['urn:openmid:kr:resident-id:1'] },
            claims: [{ path: ['age_over_19'] }],
          },
        ],
      },
    });
    const answer = await createOfflinePresentation(wallet.credentials[0] as string, {
      paths: [['age_over_19']],
      signer: wallet.holder.signer,
      binding: { nonce: request.nonce, aud: clientId },
    });
    await writeFile(join(dir, 'answer.txt'), answer);
    const ok = await run([
      'verify-offline',
      '--bundle',
      'bundle.jwt',
      '--qr-payload',
      'answer.txt',
      '--nonce',
      request.nonce,
      '--aud',
      clientId,
    ]);
    expect(ok.code, ok.out).toBe(0);
    const wrong = await run([
      'verify-offline',
      '--bundle',
      'bundle.jwt',
      '--qr-payload',
      'answer.txt',
      '--nonce',
      'other-nonce-0000000000',
      '--aud',
      clientId,
    ]);
    expect(JSON.parse(wrong.out).error.code).toBe('ERR_SDJWT_KB_NONCE_MISMATCH');
  });

  test('a tampered bundle, or a one-way QR read as two-way, is refused with its code', async () => {
    const text = await readFile(join(dir, 'bundle.jwt'), 'utf8');
    const [h, p, s] = text.trim().split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.relying_parties[0].rrnLegalBasis = 'forged';
    await writeFile(
      join(dir, 'forged.jwt'),
      `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`,
    );
    const r = await run(
      [
        'verify-offline',
        '--bundle',
        'forged.jwt',
        '--bundle-keys',
        'bundle.jwt.keys.json',
        '--qr-payload',
        '-',
      ],
      qr,
    );
    expect([r.code, JSON.parse(r.out).error.code]).toEqual([1, 'ERR_OFFLINE_BUNDLE_INVALID']);
    const bad = await run(
      ['verify-offline', '--bundle', 'bundle.jwt', '--qr-payload', '-'],
      'OMP1:NOT-BASE45!',
    );
    expect(JSON.parse(bad.out).error.code).toBe('ERR_OFFLINE_QR_INVALID');
  });
});
