import { createHash } from 'node:crypto';
import { generateKeyPair } from '@openmid/core';
import { describeStores } from '@openmid/server-kit/testing';
import { beforeAll, expect, test } from 'vitest';
import { cosign, type SignedEntry } from '../entry.js';
import { fromHex, toHex } from '../internal/bytes.js';
import { verifyConsistency, verifyInclusion } from '../merkle.js';
import {
  createIssuerFixture,
  createLedgerFixtures,
  genesisEntry,
  type IssuerFixture,
  issuerKeyOf,
  issuerProfile,
  signedBy,
} from '../testing/fixtures.js';
import { openEmbeddedLedger } from './ledger.js';
import { LEDGER_MIGRATIONS } from './schema.js';

// A NAIVE RFC 9162 §2.1 implementation over the leaf hashes (node:crypto SHA-256, recursion
// straight from the text), to check the SQL-stored perfect nodes against.
const sha = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const ONE = new Uint8Array([1]);
function naive(leaves: readonly Uint8Array[]) {
  const memo = new Map<string, Uint8Array>();
  const split = (n: number): number => {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  };
  const mth = (lo: number, hi: number): Uint8Array => {
    const key = `${lo}:${hi}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const k = split(hi - lo);
    const h =
      hi - lo === 1 ? (leaves[lo] as Uint8Array) : sha(ONE, mth(lo, lo + k), mth(lo + k, hi));
    memo.set(key, h);
    return h;
  };
  const path = (m: number, lo: number, hi: number): Uint8Array[] => {
    if (hi - lo <= 1) return [];
    const k = split(hi - lo);
    return m < k
      ? [...path(m, lo, lo + k), mth(lo + k, hi)]
      : [...path(m - k, lo + k, hi), mth(lo, lo + k)];
  };
  const sub = (m: number, lo: number, hi: number, b: boolean): Uint8Array[] => {
    if (m === hi - lo) return b ? [] : [mth(lo, hi)];
    const k = split(hi - lo);
    return m <= k
      ? [...sub(m, lo, lo + k, b), mth(lo + k, hi)]
      : [...sub(m - k, lo + k, hi, false), mth(lo, lo + k)];
  };
  return {
    mth,
    path: (m: number, n: number) => path(m, 0, n),
    proof: (m: number, n: number) => sub(m, 0, n, true),
  };
}

const TABLES =
  'ledger_cosignatures, ledger_heads, ledger_subjects, ledger_nodes, ledger_records, ledger_meta';
const NOW = 1_800_000_000;

describeStores(
  'embedded ledger log',
  ({ sql, reopen }) => {
    let f: Awaited<ReturnType<typeof createLedgerFixtures>>;
    let issuer: IssuerFixture;
    let logKey: Awaited<ReturnType<typeof generateKeyPair>>;
    const anchors: SignedEntry[] = [];
    let genesis: { entry: SignedEntry; ledgerId: string };
    let register: SignedEntry;

    beforeAll(async () => {
      f = await createLedgerFixtures();
      issuer = await createIssuerFixture('https://docs.gov.kr', 1);
      logKey = await generateKeyPair('ES256');
      genesis = await genesisEntry(f, NOW);
      register = await signedBy(
        {
          typ: 'issuer.register',
          iat: NOW,
          exp: NOW + 3600,
          issuer: issuerProfile('https://docs.gov.kr', ['urn:openmid:kr:resident-id:1'], NOW - 10),
          keys: [issuerKeyOf(issuer.keys[0] as IssuerFixture['keys'][number], NOW - 10)],
        },
        [f.agencies[0], f.agencies[2]],
        genesis.ledgerId,
      );
      const k = issuer.keys[0] as IssuerFixture['keys'][number];
      for (let i = 0; i < 1022; i++) {
        const digest = toHex(sha(new TextEncoder().encode(`document ${i}`)));
        anchors.push(
          await cosign(
            {
              body: {
                typ: 'anchor.document',
                iat: NOW,
                exp: NOW + 3600,
                issuer: 'https://docs.gov.kr',
                digest,
                documentType: 'certificate',
              },
              signatures: [],
            },
            k.signer,
            { ledgerId: genesis.ledgerId, kid: k.kid },
          ),
        );
      }
    });

    const fresh = async () => {
      await sql().exec(`TRUNCATE ${TABLES}`);
      return openEmbeddedLedger({ sql: sql(), signer: logKey.signer, clock: () => NOW });
    };

    test('roots of every tree size 1..1024 and proofs match a naive RFC 9162 implementation', async () => {
      const ledger = await fresh();
      await ledger.append(genesis.entry);
      await ledger.append(register);
      await ledger.appendBatch(anchors);
      expect(await ledger.size()).toBe(1024);
      const leaves: Uint8Array[] = [];
      for (let i = 0; i < 1024; i++)
        leaves.push(fromHex((await ledger.inclusionProof(i, i + 1)).leafHash) as Uint8Array);
      const ref = naive(leaves);
      const hex = (xs: Uint8Array[]) => xs.map(toHex);
      // §2.1.1: every root.
      for (let n = 1; n <= 1024; n++) {
        expect((await ledger.treeHead(n)).rootHash, `root of ${n}`).toBe(toHex(ref.mth(0, n)));
      }
      // §2.1.3: every m for some n, and a spread of (m, n).
      for (const n of [1, 2, 3, 7, 8, 9, 100, 511, 512, 513, 1000, 1024]) {
        for (let m = 0; m < n; m++) {
          const p = await ledger.inclusionProof(m, n);
          expect(p.path, `inclusion ${m}/${n}`).toEqual(hex(ref.path(m, n)));
          expect(
            verifyInclusion(
              { index: m, size: n, path: p.path.map((h) => fromHex(h) as Uint8Array) },
              leaves[m] as Uint8Array,
              ref.mth(0, n),
            ),
          ).toBe(true);
        }
      }
      // §2.1.4: every m for some n.
      for (const n of [2, 5, 8, 64, 100, 513, 1024]) {
        for (let m = 1; m < n; m++) {
          const c = await ledger.consistencyProof(m, n);
          expect(c.path, `consistency ${m}/${n}`).toEqual(hex(ref.proof(m, n)));
          expect(
            verifyConsistency(
              { first: m, second: n, path: c.path.map((h) => fromHex(h) as Uint8Array) },
              ref.mth(0, m),
              ref.mth(0, n),
            ),
          ).toBe(true);
        }
      }
      // Leaf data: SHA-256(0x00 ‖ record) over the stored 114-byte record.
      const rows = await sql().query<{ record: Uint8Array }>(
        'SELECT record FROM ledger_records WHERE idx = 5',
      );
      expect(toHex(sha(new Uint8Array([0]), (rows.rows[0] as { record: Uint8Array }).record))).toBe(
        toHex(leaves[5] as Uint8Array),
      );
    });

    test('concurrent appends are serialised: no gap, no fork, every leaf in place', async () => {
      const ledger = await fresh();
      await ledger.append(genesis.entry);
      await ledger.append(register);
      const batch = anchors.slice(0, 40);
      const other = await reopen();
      const second = other
        ? await openEmbeddedLedger({ sql: other, signer: logKey.signer, clock: () => NOW })
        : ledger;
      const receipts = await Promise.all(batch.map((e, i) => (i % 2 ? second : ledger).append(e)));
      expect(new Set(receipts.map((r) => (r.status === 'confirmed' ? r.index : -1))).size).toBe(40);
      expect(await ledger.size()).toBe(42);
      const leaves: Uint8Array[] = [];
      for (let i = 0; i < 42; i++)
        leaves.push(fromHex((await ledger.inclusionProof(i)).leafHash) as Uint8Array);
      expect((await ledger.treeHead()).rootHash).toBe(toHex(naive(leaves).mth(0, 42)));
      expect((await second.state()).size).toBe(42);
    });

    test('a batch with one bad entry changes nothing; the log then goes on', async () => {
      const ledger = await fresh();
      await ledger.append(genesis.entry);
      await ledger.append(register);
      const head = await ledger.treeHead();
      const bad = { ...(anchors[1] as SignedEntry), signatures: [] };
      await expect(ledger.appendBatch([anchors[0] as SignedEntry, bad])).rejects.toMatchObject({
        code: 'ERR_LEDGER_UNAUTHORISED',
      });
      expect(await ledger.size()).toBe(2);
      expect((await ledger.treeHead()).rootHash).toBe(head.rootHash);
      expect((await ledger.state()).size).toBe(2);
      const r = await ledger.append(anchors[0] as SignedEntry);
      expect(r).toMatchObject({ status: 'confirmed', index: 2 });
    });

    test('reopening rebuilds the same state; another log key is refused', async () => {
      const ledger = await fresh();
      await ledger.append(genesis.entry);
      await ledger.append(register);
      await ledger.appendBatch(anchors.slice(0, 10));
      const again = await openEmbeddedLedger({
        sql: sql(),
        signer: logKey.signer,
        clock: () => NOW,
      });
      expect((await again.state()).issuers.get('https://docs.gov.kr')?.keys.size).toBe(1);
      expect((await again.treeHead()).rootHash).toBe((await ledger.treeHead()).rootHash);
      const other = await generateKeyPair('ES256');
      await expect(openEmbeddedLedger({ sql: sql(), signer: other.signer })).rejects.toMatchObject({
        code: 'ERR_CONFIG_INVALID',
      });
      // Document anchors stay in SQL, and a proven answer carries their chain.
      const digest = (anchors[3] as { body: { digest: string } }).body.digest;
      const a = await again.query({ q: 'document', digest });
      expect(a.answer.anchors).toHaveLength(1);
      expect(a.proof.records.length).toBe(3);
    });
  },
  { migrations: LEDGER_MIGRATIONS },
);
