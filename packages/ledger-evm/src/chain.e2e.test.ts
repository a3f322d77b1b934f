import { generateKeyPair } from '@openmid/core';
import { cosign, parseEntry, type SignedEntry, toHex, verifySnapshot } from '@openmid/ledger';
import {
  createIssuerFixture,
  createLedgerFixtures,
  genesisEntry,
  type IssuerFixture,
  issuerKeyOf,
  issuerProfile,
  type LedgerFixtures,
  signedBy,
} from '@openmid/ledger/testing';
import type { Address } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openEvmLedger } from './ledger.js';
import { appendArgs, deployRegistry, REGISTRY_ABI, revertName } from './registry.js';
import {
  type HardhatClients,
  type HardhatNode,
  hardhatClients,
  startHardhatNode,
} from './testing/hardhat.js';

let node: HardhatNode;
let c: HardhatClients;
let f: LedgerFixtures;
let issuer: IssuerFixture;

beforeAll(async () => {
  node = await startHardhatNode();
  c = await hardhatClients(node.url);
  f = await createLedgerFixtures();
  issuer = await createIssuerFixture('https://id.mois.go.kr', 1, 'mois');
});

afterAll(async () => {
  await node?.stop();
});

const chainNow = async (): Promise<number> =>
  Number((await c.publicClient.getBlock()).timestamp) + 1;

async function setup(confirmations: number) {
  const log = await generateKeyPair('ES256');
  const deployed = await deployRegistry(c);
  const ledger = await openEvmLedger({
    publicClient: c.publicClient,
    walletClient: c.walletClient,
    address: deployed.address,
    signer: log.signer,
    confirmations,
    fromBlock: deployed.blockNumber,
  });
  const now = await chainNow();
  const g = await genesisEntry(f, now);
  const register = await signedBy(
    {
      typ: 'issuer.register',
      iat: now,
      exp: now + 3600,
      issuer: issuerProfile(issuer.id, ['urn:openmid:kr:resident-id:1'], now - 10),
      keys: [issuerKeyOf(issuer.keys[0] as IssuerFixture['keys'][number], now - 10)],
    },
    [f.agencies[0], f.agencies[1]],
    g.ledgerId,
  );
  return { ledger, deployed, log, genesis: g, register };
}

async function anchorEntry(ledgerId: string, uri: string): Promise<SignedEntry> {
  const now = await chainNow();
  const k = issuer.keys[0] as IssuerFixture['keys'][number];
  return cosign(
    {
      body: {
        typ: 'anchor.status-list',
        iat: now,
        exp: now + 3600,
        issuer: issuer.id,
        uri,
        digest: toHex(new Uint8Array(32).fill(1)),
        issuedAt: now,
      },
      signatures: [],
    },
    k.signer,
    { ledgerId, kid: k.kid },
  );
}

describe('EVM ledger: confirmation depth and reorganisations', () => {
  test('an entry is pending until its block is at the confirmation depth', async () => {
    const { ledger, genesis } = await setup(3);
    const r = await ledger.append(genesis.entry);
    expect(r.status).toBe('pending');
    await ledger.sync();
    expect(await ledger.status(r.entryId)).toEqual({ status: 'pending' });
    await expect(ledger.confirmedIndex(r.entryId)).rejects.toMatchObject({
      code: 'ERR_LEDGER_PENDING',
    });
    expect(await ledger.size()).toBe(0);
    await c.testClient.mine({ blocks: 1 });
    await ledger.sync();
    expect(await ledger.size()).toBe(0);
    await c.testClient.mine({ blocks: 1 });
    await ledger.sync();
    expect(await ledger.status(r.entryId)).toEqual({ status: 'confirmed', index: 0 });
    expect(await ledger.ledgerId()).toBe(genesis.ledgerId);
  });

  test('an entry whose block disappears in a reorganisation is pending again, then confirmed again', async () => {
    const { ledger, genesis, register, log } = await setup(2);
    await ledger.append(genesis.entry);
    await c.testClient.mine({ blocks: 1 });
    await ledger.sync();
    await ledger.append(register);
    await c.testClient.mine({ blocks: 2 });
    await ledger.sync();
    expect(await ledger.size()).toBe(2);
    const before = await ledger.treeHead();

    const snapshotId = await c.testClient.snapshot();
    const anchor = await anchorEntry(genesis.ledgerId, 'https://id.mois.go.kr/status/1');
    const r = await ledger.append(anchor);
    await c.testClient.mine({ blocks: 2 });
    await ledger.sync();
    expect(await ledger.status(r.entryId)).toMatchObject({ status: 'confirmed', index: 2 });
    expect((await ledger.state()).statusLists.has('https://id.mois.go.kr/status/1')).toBe(true);

    // The chain reorganises past the confirmation depth: the anchor's block is gone.
    await c.testClient.revert({ id: snapshotId });
    await c.testClient.increaseTime({ seconds: 7 });
    await c.testClient.mine({ blocks: 4 });
    const report = await ledger.sync();
    expect(report.reorganised).toBe(1);
    // Never silently kept: pending again, out of the state, out of the tree.
    expect(await ledger.status(r.entryId)).toEqual({ status: 'pending' });
    expect((await ledger.state()).statusLists.has('https://id.mois.go.kr/status/1')).toBe(false);
    expect(await ledger.size()).toBe(2);
    expect((await ledger.treeHead()).rootHash).toBe(before.rootHash);
    // It was submitted again during that sync; once deep enough it is confirmed again.
    await c.testClient.mine({ blocks: 2 });
    await ledger.sync();
    expect(await ledger.status(r.entryId)).toMatchObject({ status: 'confirmed', index: 2 });
    expect((await ledger.state()).statusLists.has('https://id.mois.go.kr/status/1')).toBe(true);
    // The mirror still matches the contract's own root, and a snapshot still verifies.
    const snap = await ledger.exportSnapshot({ statusLists: 'all' });
    const v = await verifySnapshot(snap, {
      logKey: log.publicJwk,
      ledgerId: genesis.ledgerId,
      strict: true,
    });
    expect(v.state.statusLists.get('https://id.mois.go.kr/status/1')?.issuer).toBe(issuer.id);
  });

  test('the tree head carries the chain anchor, and the mirror root is the contract root', async () => {
    const { ledger, genesis, register, deployed, log } = await setup(1);
    await ledger.append(genesis.entry);
    await ledger.sync();
    await ledger.append(register);
    await ledger.sync();
    const head = await ledger.treeHead();
    expect(head.anchor).toMatchObject({ chainId: 31337, contract: deployed.address.toLowerCase() });
    const root = await c.publicClient.readContract({
      address: deployed.address,
      abi: REGISTRY_ABI,
      functionName: 'root',
    });
    expect(String(root).slice(2)).toBe(head.rootHash);
    const snap = await ledger.exportSnapshot();
    const v = await verifySnapshot(snap, {
      logKey: log.publicJwk,
      ledgerId: genesis.ledgerId,
      strict: true,
    });
    expect(v.state.issuers.has(issuer.id)).toBe(true);
  });
});

describe('registry contract enforces the rules on its own (the client checks bypassed)', () => {
  let address: Address;
  let ledgerId: string;
  let now: number;

  const raw = async (entry: SignedEntry) => {
    const parsed = parseEntry(entry);
    return c.publicClient
      .simulateContract({
        address,
        abi: REGISTRY_ABI,
        functionName: 'append',
        args: appendArgs(parsed),
        account: c.walletClient.account,
      })
      .then(() => 'ok')
      .catch((e: unknown) => revertName(e) ?? 'unknown');
  };
  const send = async (entry: SignedEntry) => {
    const hash = await c.walletClient.writeContract({
      address,
      abi: REGISTRY_ABI,
      functionName: 'append',
      args: appendArgs(parseEntry(entry)),
    });
    return c.publicClient.waitForTransactionReceipt({ hash });
  };

  beforeEach(async () => {
    address = (await deployRegistry(c)).address;
    now = await chainNow();
    const g = await genesisEntry(f, now);
    ledgerId = g.ledgerId;
  });

  test('the first entry must be a genesis signed by every named key', async () => {
    const g = await genesisEntry(f, now);
    const partial = { body: g.entry.body, signatures: g.entry.signatures.slice(0, 2) };
    expect(await raw(partial)).toBe('QuorumNotMet');
    const reg = await signedBy(
      { typ: 'rp.remove', iat: now, exp: now + 60, rp: 'x', effectiveAt: now },
      [f.agencies[0], f.agencies[1]],
      ledgerId,
    );
    expect(await raw(reg)).toBe('NotGenesis');
    expect(await raw(g.entry)).toBe('ok');
  });

  test('governance entries need a quorum of distinct valid governance signatures', async () => {
    await send((await genesisEntry(f, now)).entry);
    const body = {
      typ: 'issuer.register' as const,
      iat: now,
      exp: now + 3600,
      issuer: issuerProfile(issuer.id, ['urn:openmid:kr:resident-id:1'], now - 10),
      keys: [issuerKeyOf(issuer.keys[0] as IssuerFixture['keys'][number], now - 10)],
    };
    expect(await raw(await signedBy(body, [f.agencies[0]], ledgerId))).toBe('QuorumNotMet');
    const one = await signedBy(body, [f.agencies[0]], ledgerId);
    // The same signature twice, sent straight to the contract.
    const parsed = parseEntry(one);
    const [effects, bodyHex, sigs] = appendArgs(parsed);
    const twice = await c.publicClient
      .simulateContract({
        address,
        abi: REGISTRY_ABI,
        functionName: 'append',
        args: [effects, bodyHex, [sigs[0], sigs[0]]],
        account: c.walletClient.account,
      })
      .catch((e: unknown) => revertName(e));
    expect(twice).toBe('DuplicateSigner');
    expect(await raw(await signedBy(body, [f.agencies[0], f.outsider], ledgerId))).toBe(
      'UnknownSigner',
    );
    expect(
      await raw(
        await signedBy(body, [f.agencies[0], { ...f.outsider, kid: f.agencies[1].kid }], ledgerId),
      ),
    ).toBe('BadSignature');
    // Effects that are not the signed ones: the entry id changes, so the signatures fail.
    const good = await signedBy(body, [f.agencies[0], f.agencies[2]], ledgerId);
    const g = parseEntry(good);
    const [e2, b2, s2] = appendArgs(g);
    const tampered = await c.publicClient
      .simulateContract({
        address,
        abi: REGISTRY_ABI,
        functionName: 'append',
        args: [{ ...e2, validUntil: 1n }, b2, s2],
        account: c.walletClient.account,
      })
      .catch((e: unknown) => revertName(e));
    expect(tampered).toBe('BadSignature');
    expect(await raw(good)).toBe('ok');
    await send(good);
    expect(await raw(good)).toBe('Duplicate');
  });

  test('anchors need a valid key of an active issuer, and a list has one owner', async () => {
    await send((await genesisEntry(f, now)).entry);
    const a = await anchorEntry(ledgerId, 'https://id.mois.go.kr/status/1');
    expect(await raw(a)).toBe('Unauthorised');
    await send(
      await signedBy(
        {
          typ: 'issuer.register',
          iat: now,
          exp: now + 3600,
          issuer: issuerProfile(issuer.id, ['urn:openmid:kr:resident-id:1'], now - 10),
          keys: [issuerKeyOf(issuer.keys[0] as IssuerFixture['keys'][number], now - 10)],
        },
        [f.agencies[0], f.agencies[1]],
        ledgerId,
      ),
    );
    expect(await raw(a)).toBe('ok');
    const revoke = await signedBy(
      {
        typ: 'issuer.key.revoke',
        iat: now,
        exp: now + 3600,
        issuer: issuer.id,
        kid: 'mois-1',
        revokedAt: now - 5,
      },
      [f.agencies[1], f.agencies[2]],
      ledgerId,
    );
    await send(revoke);
    expect(await raw(a)).toBe('Unauthorised');
  });
});
