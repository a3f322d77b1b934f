/**
 * Smoke test of the node on the EVM backend (`OPENMID_LEDGER=evm`) against a real local chain: a
 * Hardhat node started here (and stopped by its PID), a development node that deploys the
 * registry on first start and writes the demo genesis on chain, then the HTTP API end to end —
 * countersigned registration, an issuer-signed anchor confirmed from the chain, a proven answer,
 * a verified snapshot whose head names the chain block, the hostile quorum case — and a restart
 * that finds the same registry and ledger.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosign, toHex } from '@openmid/ledger';
import { createHttpLedger, fetchTrustSnapshot } from '@openmid/ledger/http';
import { createIssuerFixture, issuerKeyOf, issuerProfile } from '@openmid/ledger/testing';
import { type HardhatNode, startHardhatNode } from '@openmid/ledger-evm/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningLedgerNode, startLedgerNode } from './main.js';

const ISSUER = 'https://id.mois.go.kr';
const PID = 'urn:openmid:kr:resident-id:1';
let chain: HardhatNode;
let dir: string;
let running: RunningLedgerNode | undefined;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });
}

const env = () => ({
  NODE_ENV: 'development',
  OPENMID_LEDGER: 'evm',
  EVM_RPC_URL: chain.url,
  DATA_DIR: dir,
  PORT: String(port),
  LEDGER_SYNC_MS: '100',
  LOG_LEVEL: 'silent',
});

beforeAll(async () => {
  chain = await startHardhatNode();
  dir = await mkdtemp(join(tmpdir(), 'openmid-ledger-evm-'));
  port = await freePort();
});

afterAll(async () => {
  await running?.close();
  await chain?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the node runs on an EVM chain: register, anchor, prove, snapshot, refuse, restart', async () => {
  running = await startLedgerNode({ env: env(), handleSignals: false });
  expect(running.ledgerId).toMatch(/^[0-9a-f]{64}$/);
  const adminKey = (await readFile(running.adminKeyFile as string, 'utf8')).trim();
  const ledger = createHttpLedger({
    url: running.url,
    logKey: running.logKey,
    ledgerId: running.ledgerId as string,
    adminKey,
  });
  const info = await ledger.info();
  expect(info).toMatchObject({ backend: 'evm', treeSize: 1, development: true });
  expect(info.chain).toMatchObject({ chainId: 31337, confirmations: 1 });

  const now = Math.floor(Date.now() / 1000);
  const issuer = await createIssuerFixture(ISSUER);
  const key = issuer.keys[0] as (typeof issuer.keys)[number];
  const registered = await ledger.devCountersign({
    body: {
      typ: 'issuer.register',
      iat: now,
      exp: now + 3600,
      issuer: issuerProfile(ISSUER, [PID], now - 60),
      keys: [issuerKeyOf(key, now - 60)],
    },
    signatures: [],
  });
  expect(registered).toMatchObject({ status: 'confirmed', index: 1 });

  const anchor = await cosign(
    {
      body: {
        typ: 'anchor.status-list',
        iat: now,
        exp: now + 3600,
        issuer: ISSUER,
        uri: 'https://id.mois.go.kr/status/1',
        digest: toHex(new Uint8Array(32).fill(5)),
        issuedAt: now,
      },
      signatures: [],
    },
    key.signer,
    { ledgerId: running.ledgerId as string, kid: key.kid },
  );
  const pending = await ledger.append(anchor);
  expect(pending.status).toBe('pending');
  expect(await ledger.waitForEntry(pending.entryId, { timeoutMs: 20_000 })).toBe(2);

  const keys = await ledger.query({ q: 'issuer-keys', issuer: ISSUER, at: now });
  expect(keys.answer).toMatchObject({ trusted: true, keys: [{ kid: key.kid }] });
  const snap = await fetchTrustSnapshot({
    url: running.url,
    logKey: running.logKey,
    ledgerId: running.ledgerId as string,
    statusLists: 'all',
  });
  if (snap.status !== 'ok') throw new Error('expected a snapshot');
  expect(snap.head.anchor).toMatchObject({ chainId: 31337, contract: info.chain?.contract });
  expect(snap.state.statusLists.get('https://id.mois.go.kr/status/1')?.issuer).toBe(ISSUER);

  // One governance signature where the quorum is two: refused, nothing changes.
  const agency = JSON.parse(await readFile(join(dir, 'governance', 'npa.jwk'), 'utf8'));
  const { importPrivateKey, createSigner } = await import('@openmid/core/keys');
  const npa = createSigner(await importPrivateKey({ ...agency, kid: undefined, alg: undefined }));
  const lonely = await cosign(
    {
      body: {
        typ: 'issuer.update',
        iat: now,
        exp: now + 3600,
        issuer: issuerProfile(ISSUER, [PID, 'urn:openmid:kr:driving-licence:1'], now - 60),
      },
      signatures: [],
    },
    npa,
    { ledgerId: running.ledgerId as string, kid: agency.kid },
  );
  const before = await ledger.treeHead();
  await expect(ledger.append(lonely)).rejects.toMatchObject({ code: 'ERR_LEDGER_QUORUM_NOT_MET' });
  expect((await ledger.treeHead()).rootHash).toBe(before.rootHash);

  // A restart finds the registry it deployed and the same ledger.
  const id = running.ledgerId;
  await running.close();
  running = await startLedgerNode({ env: env(), handleSignals: false });
  expect(running.ledgerId).toBe(id);
  const again = createHttpLedger({ url: running.url, logKey: running.logKey, ledgerId: id });
  expect(await again.size()).toBe(3);
}, 120_000);
