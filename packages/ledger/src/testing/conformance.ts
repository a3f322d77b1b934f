/**
 * @module testing/conformance
 * The one contract suite every {@link TrustLedger} backend passes (issue 6 §3): registration,
 * rotation, quorum enforcement, queries at a point in time, snapshot export and offline
 * verification, and the hostile cases — forged signature, missing quorum, a signer counted twice,
 * tampered snapshot, bit-flipped proofs, a smaller tree head, the same size with another root —
 * each asserting its error code and that the ledger did not change.
 *
 * Imports vitest: never import this subpath from production code.
 */
import { generateKeyPair, isOpenMidError, type PublicJwk, type Signer } from '@openmid/core';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { canonicalize } from '../canonical.js';
import type { EntryBody, SignedEntry } from '../entry.js';
import { cosign } from '../entry.js';
import { signTreeHead } from '../heads.js';
import { fromHex, toHex } from '../internal/bytes.js';
import type { TrustLedger } from '../ledger.js';
import { type Hash, verifyConsistency, verifyInclusion } from '../merkle.js';
import {
  type LedgerProof,
  type TrustSnapshot,
  verifyLedgerProof,
  verifyProvenAnswer,
  verifySnapshot,
} from '../proof.js';
import { issuerKeysAt, resolveIssuerKey, rpMayRequestAt } from '../query.js';
import { stateToJson } from '../state-json.js';
import { createWitness } from '../witness.js';
import {
  createIssuerFixture,
  createLedgerFixtures,
  genesisEntry,
  type IssuerFixture,
  issuerKeyOf,
  issuerProfile,
  type LedgerFixtures,
  rpProfile,
  signedBy,
} from './fixtures.js';

/** A backend under test. */
export interface LedgerHarness {
  readonly ledger: TrustLedger;
  /** The public key that verifies the ledger's tree heads. */
  readonly logKey: PublicJwk;
  /** The log key itself: the suite plays a compromised log showing a witness a fork. */
  readonly logSigner: Signer;
  /** The backend's clock (seconds): the time the next entry will be logged at, roughly. */
  now(): Promise<number>;
  /** Move the backend's clock forward. */
  advance(seconds: number): Promise<void>;
  /** Bring every submitted entry to its final (confirmed) state. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** Creates a fresh, empty backend for one test. */
export type HarnessFactory = () => Promise<LedgerHarness>;

const PID = 'urn:openmid:kr:resident-id:1';
const MDL = 'urn:openmid:kr:driving-licence:1';
const ISSUER = 'https://id.mois.go.kr';
const POLICE = 'https://mdl.police.go.kr';
const BANK = 'x509_san_dns:bank.example';

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

function flipHex(h: string, at = 5): string {
  const b = fromHex(h) as Uint8Array;
  b[at % b.length] = (b[at % b.length] as number) ^ 0x01;
  return toHex(b);
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * Declare the conformance suite for a backend.
 *
 * @example
 * ```ts
 * runLedgerConformance('memory', async () => { … return { ledger, logKey, now, advance, settle, close } })
 * ```
 */
export function runLedgerConformance(name: string, factory: HarnessFactory): void {
  describe(`TrustLedger conformance: ${name}`, () => {
    let f: LedgerFixtures;
    let mois: IssuerFixture;
    let police: IssuerFixture;
    let h: LedgerHarness;
    let ledgerId: string;
    let t0: number;

    beforeAll(async () => {
      f = await createLedgerFixtures();
      mois = await createIssuerFixture(ISSUER, 2, 'mois');
      police = await createIssuerFixture(POLICE, 1, 'npa');
    });

    beforeEach(async () => {
      h = await factory();
      t0 = await h.now();
      const g = await genesisEntry(f, t0);
      ledgerId = g.ledgerId;
      await h.ledger.append(g.entry);
      await h.settle();
      return async () => {
        await h.close();
      };
    });

    /** Append a governance entry signed by 2 of 3 agencies, and settle. */
    const gov = async (
      body: EntryBody,
      signers = [f.agencies[0], f.agencies[1]],
    ): Promise<void> => {
      await h.ledger.append(await signedBy(body, signers, ledgerId));
      await h.settle();
    };
    const timed = async (): Promise<{ iat: number; exp: number }> => {
      const now = await h.now();
      return { iat: now, exp: now + 3600 };
    };
    const registerMois = async (): Promise<void> => {
      const now = await h.now();
      await gov({
        typ: 'issuer.register',
        ...(await timed()),
        issuer: issuerProfile(ISSUER, [PID], now - 86_400),
        keys: [issuerKeyOf(mois.keys[0] as IssuerFixture['keys'][number], now - 86_400)],
      });
    };
    const anchor = async (uri: string, signerIndex = 0, issuer = mois): Promise<SignedEntry> => {
      const k = issuer.keys[signerIndex] as IssuerFixture['keys'][number];
      return cosign(
        {
          body: {
            typ: 'anchor.status-list',
            ...(await timed()),
            issuer: issuer.id,
            uri,
            digest: toHex(new Uint8Array(32).fill(7)),
            issuedAt: await h.now(),
          },
          signatures: [],
        },
        k.signer,
        { ledgerId, kid: k.kid },
      );
    };
    /** Assert that appending `entry` fails with `code` and changes nothing. */
    const refused = async (
      entry: SignedEntry | Promise<SignedEntry>,
      code: string,
    ): Promise<void> => {
      const before = await h.ledger.treeHead();
      const stateBefore = canonicalize(stateToJson(await h.ledger.state()));
      await expectCode(
        (async () => {
          await h.ledger.append(await entry);
          await h.settle();
        })(),
        code,
      );
      await h.settle();
      const after = await h.ledger.treeHead();
      expect(after.treeSize).toBe(before.treeSize);
      expect(after.rootHash).toBe(before.rootHash);
      expect(canonicalize(stateToJson(await h.ledger.state()))).toBe(stateBefore);
    };

    describe('registration and queries', () => {
      test('genesis fixes the ledger id and the 2-of-3 governance', async () => {
        expect(await h.ledger.ledgerId()).toBe(ledgerId);
        const s = await h.ledger.state();
        expect(s.governance?.quorum).toBe(2);
        expect(s.governance?.keys.map((k) => k.kid).sort()).toEqual(
          f.agencies.map((a) => a.kid).sort(),
        );
        expect(await h.ledger.size()).toBe(1);
      });

      test('a registered issuer has its keys and types; others are unknown', async () => {
        await registerMois();
        const now = await h.now();
        const keys = await h.ledger.query({ q: 'issuer-keys', issuer: ISSUER, at: now });
        expect(keys.answer.trusted).toBe(true);
        expect(keys.answer.keys.map((k) => k.kid)).toEqual(['mois-1']);
        expect(
          (await h.ledger.query({ q: 'issuer-type', issuer: ISSUER, vct: PID, at: now })).answer,
        ).toEqual({
          allowed: true,
        });
        expect(
          (await h.ledger.query({ q: 'issuer-type', issuer: ISSUER, vct: MDL, at: now })).answer,
        ).toEqual({
          allowed: false,
          reason: 'type-not-allowed',
        });
        expect(
          (await h.ledger.query({ q: 'issuer-keys', issuer: POLICE, at: now })).answer,
        ).toMatchObject({
          trusted: false,
          reason: 'unknown',
        });
      });

      test('a relying party may ask for what it registered, and the RRN only with a legal basis', async () => {
        const now = await h.now();
        await gov({
          typ: 'rp.register',
          ...(await timed()),
          rp: rpProfile(BANK, {
            validFrom: now - 60,
            keys: [f.rpKey],
            requests: [{ vct: PID, claims: [['name'], ['rrn'], ['address', null]] }],
          }),
        });
        const ask = async (claim: (string | number | null)[], legalBasisRequired = false) =>
          (
            await h.ledger.query({
              q: 'rp-claim',
              rp: BANK,
              vct: PID,
              claim,
              at: now,
              legalBasisRequired,
            })
          ).answer;
        expect(await ask(['name'])).toMatchObject({
          allowed: true,
          purpose: { en: 'Identity check' },
        });
        expect(await ask(['address', 2])).toMatchObject({ allowed: true });
        expect(await ask(['portrait'])).toMatchObject({
          allowed: false,
          reason: 'claim-not-registered',
        });
        // PIPA art. 24-2: the resident registration number needs a statute, consent is not enough.
        expect(await ask(['rrn'], true)).toMatchObject({
          allowed: false,
          reason: 'no-legal-basis',
        });
        await gov({
          typ: 'rp.update',
          ...(await timed()),
          rp: rpProfile(BANK, {
            validFrom: now - 60,
            keys: [f.rpKey],
            requests: [{ vct: PID, claims: [['name'], ['rrn']] }],
            rrnLegalBasis: '금융실명거래 및 비밀보장에 관한 법률 제3조',
          }),
        });
        const later = await h.now();
        expect(
          (
            await h.ledger.query({
              q: 'rp-claim',
              rp: BANK,
              vct: PID,
              claim: ['rrn'],
              at: later,
              legalBasisRequired: true,
            })
          ).answer,
        ).toMatchObject({
          allowed: true,
          rrnLegalBasis: '금융실명거래 및 비밀보장에 관한 법률 제3조',
        });
      });

      test('a status list anchor signed by the issuer key is recorded', async () => {
        await registerMois();
        await h.ledger.append(await anchor('https://id.mois.go.kr/status/1'));
        await h.settle();
        const a = await h.ledger.query({ q: 'status-list', uri: 'https://id.mois.go.kr/status/1' });
        expect(a.answer.anchor).toMatchObject({
          issuer: ISSUER,
          digest: toHex(new Uint8Array(32).fill(7)),
        });
      });

      test('a document anchor signed by the issuer key is recorded', async () => {
        await registerMois();
        const k = mois.keys[0] as IssuerFixture['keys'][number];
        const digest = toHex(new Uint8Array(32).fill(9));
        await h.ledger.append(
          await cosign(
            {
              body: {
                typ: 'anchor.document',
                ...(await timed()),
                issuer: ISSUER,
                digest,
                documentType: 'resident-register-extract',
              },
              signatures: [],
            },
            k.signer,
            { ledgerId, kid: k.kid },
          ),
        );
        await h.settle();
        const a = await h.ledger.query({ q: 'document', digest });
        expect(a.answer.anchors).toHaveLength(1);
        expect(await verifyProvenAnswer(a, { logKey: h.logKey, ledgerId })).toEqual(a.answer);
      });
    });

    describe('rotation and points in time', () => {
      test('a rotated key is valid before its revocation time and not after', async () => {
        await registerMois();
        const now = await h.now();
        await gov({
          typ: 'issuer.key.add',
          ...(await timed()),
          issuer: ISSUER,
          key: issuerKeyOf(mois.keys[1] as IssuerFixture['keys'][number], now),
        });
        await h.advance(100);
        const revokedAt = (await h.now()) - 10;
        await gov({
          typ: 'issuer.key.revoke',
          ...(await timed()),
          issuer: ISSUER,
          kid: 'mois-1',
          revokedAt,
        });
        const state = await h.ledger.state();
        expect(issuerKeysAt(state, ISSUER, revokedAt - 1).keys.map((k) => k.kid)).toEqual([
          'mois-1',
          'mois-2',
        ]);
        expect(issuerKeysAt(state, ISSUER, revokedAt).keys.map((k) => k.kid)).toEqual(['mois-2']);
        expect(
          resolveIssuerKey(state, { issuer: ISSUER, kid: 'mois-1', at: revokedAt - 1 }).kid,
        ).toBe('mois-1');
        expect(() =>
          resolveIssuerKey(state, { issuer: ISSUER, kid: 'mois-1', at: revokedAt }),
        ).toThrow(expect.objectContaining({ code: 'ERR_LEDGER_UNAUTHORISED' }));
        expect(() =>
          resolveIssuerKey(state, { issuer: ISSUER, kid: 'nope', at: revokedAt }),
        ).toThrow(expect.objectContaining({ code: 'ERR_LEDGER_NOT_FOUND' }));
        // The revoked key can no longer anchor; the new one can.
        await refused(anchor('https://id.mois.go.kr/status/2', 0), 'ERR_LEDGER_UNAUTHORISED');
        await h.ledger.append(await anchor('https://id.mois.go.kr/status/2', 1));
        await h.settle();
      });

      test('type changes and removal apply from their time on; queries in the past see the past', async () => {
        await registerMois();
        const before = await h.now();
        await h.advance(100);
        await gov({
          typ: 'issuer.update',
          ...(await timed()),
          issuer: issuerProfile(ISSUER, [PID, MDL], before - 86_400),
        });
        const afterUpdate = await h.now();
        const s1 = await h.ledger.state();
        expect(
          (await h.ledger.query({ q: 'issuer-type', issuer: ISSUER, vct: MDL, at: before })).answer
            .allowed,
        ).toBe(false);
        expect(
          (await h.ledger.query({ q: 'issuer-type', issuer: ISSUER, vct: MDL, at: afterUpdate }))
            .answer.allowed,
        ).toBe(true);
        expect(issuerKeysAt(s1, ISSUER, afterUpdate).trusted).toBe(true);
        await h.advance(100);
        const removal = (await h.now()) + 50;
        await gov({
          typ: 'issuer.remove',
          ...(await timed()),
          issuer: ISSUER,
          effectiveAt: removal,
        });
        const s2 = await h.ledger.state();
        expect(issuerKeysAt(s2, ISSUER, removal - 1).trusted).toBe(true);
        expect(issuerKeysAt(s2, ISSUER, removal)).toMatchObject({
          trusted: false,
          reason: 'removed',
        });
        // Removal is final.
        await refused(
          signedBy(
            {
              typ: 'issuer.update',
              ...(await timed()),
              issuer: issuerProfile(ISSUER, [PID], before),
            },
            [f.agencies[0], f.agencies[2]],
            ledgerId,
          ),
          'ERR_LEDGER_CONFLICT',
        );
      });

      test('a relying party removed at T may not ask from T on', async () => {
        const now = await h.now();
        await gov({
          typ: 'rp.register',
          ...(await timed()),
          rp: rpProfile(BANK, { validFrom: now - 60, keys: [f.rpKey] }),
        });
        await gov({ typ: 'rp.remove', ...(await timed()), rp: BANK, effectiveAt: now + 30 });
        const s = await h.ledger.state();
        expect(
          rpMayRequestAt(s, { q: 'rp-claim', rp: BANK, vct: PID, claim: ['name'], at: now + 29 })
            .allowed,
        ).toBe(true);
        expect(
          rpMayRequestAt(s, { q: 'rp-claim', rp: BANK, vct: PID, claim: ['name'], at: now + 30 }),
        ).toMatchObject({
          allowed: false,
          reason: 'removed',
        });
      });

      test('a governance change takes over the quorum: old keys lose power, 3 of 3 is needed', async () => {
        const [npa, moisKey, komsco] = f.agencies;
        await gov(
          {
            typ: 'governance.update',
            ...(await timed()),
            governance: {
              keys: [moisKey, komsco, f.newcomer].map((a) => ({
                kid: a.kid,
                jwk: { kty: 'EC', crv: 'P-256', x: a.publicJwk.x, y: a.publicJwk.y as string },
              })),
              quorum: 3,
            },
          },
          [npa, moisKey],
        );
        const body = (): Promise<EntryBody> =>
          timed().then((t) => ({
            typ: 'issuer.register' as const,
            ...t,
            issuer: issuerProfile(POLICE, [MDL], t.iat - 10),
            keys: [issuerKeyOf(police.keys[0] as IssuerFixture['keys'][number], t.iat - 10)],
          }));
        await refused(
          signedBy(await body(), [moisKey, komsco], ledgerId),
          'ERR_LEDGER_QUORUM_NOT_MET',
        );
        await refused(
          signedBy(await body(), [npa, moisKey, komsco], ledgerId),
          'ERR_LEDGER_SIGNATURE_INVALID',
        );
        await gov(await body(), [moisKey, komsco, f.newcomer]);
        expect((await h.ledger.state()).issuers.has(POLICE)).toBe(true);
      });
    });

    describe('hostile entries change nothing', () => {
      const issuerBody = async (): Promise<EntryBody> => {
        const t = await timed();
        return {
          typ: 'issuer.register',
          ...t,
          issuer: issuerProfile(POLICE, [MDL], t.iat - 10),
          keys: [issuerKeyOf(police.keys[0] as IssuerFixture['keys'][number], t.iat - 10)],
        };
      };

      test('one governance signature is not a quorum of two', async () => {
        await refused(
          signedBy(await issuerBody(), [f.agencies[0]], ledgerId),
          'ERR_LEDGER_QUORUM_NOT_MET',
        );
        await refused(signedBy(await issuerBody(), [], ledgerId), 'ERR_LEDGER_QUORUM_NOT_MET');
      });

      test('the same governance key signing twice is counted once (refused)', async () => {
        const once = await signedBy(await issuerBody(), [f.agencies[0]], ledgerId);
        const twice = {
          body: once.body,
          signatures: [once.signatures[0], once.signatures[0]],
        } as SignedEntry;
        await refused(twice, 'ERR_LEDGER_QUORUM_NOT_MET');
      });

      test('a forged signature (an outsider key under a governance kid) is refused', async () => {
        const body = await issuerBody();
        const forged = await signedBy(
          body,
          [f.agencies[0], { ...f.outsider, kid: f.agencies[1].kid }],
          ledgerId,
        );
        await refused(forged, 'ERR_LEDGER_SIGNATURE_INVALID');
        const outsider = await signedBy(body, [f.agencies[0], f.outsider], ledgerId);
        await refused(outsider, 'ERR_LEDGER_SIGNATURE_INVALID');
      });

      test('a bit-flipped signature is refused', async () => {
        const good = await signedBy(await issuerBody(), [f.agencies[0], f.agencies[1]], ledgerId);
        const bad = clone(good) as unknown as { signatures: { kid: string; sig: string }[] };
        (bad.signatures[1] as { sig: string }).sig = flipHex(
          (bad.signatures[1] as { sig: string }).sig,
          40,
        );
        await refused(bad as unknown as SignedEntry, 'ERR_LEDGER_SIGNATURE_INVALID');
      });

      test('a signature for another ledger does not replay here', async () => {
        const other = await genesisEntry(f, await h.now(), 'another ledger');
        await refused(
          signedBy(await issuerBody(), [f.agencies[0], f.agencies[1]], other.ledgerId),
          'ERR_LEDGER_SIGNATURE_INVALID',
        );
      });

      test('the same signed entry twice is a replay', async () => {
        const e = await signedBy(await issuerBody(), [f.agencies[0], f.agencies[1]], ledgerId);
        await h.ledger.append(e);
        await h.settle();
        await refused(e, 'ERR_LEDGER_DUPLICATE');
      });

      test('an expired or future-dated entry is refused', async () => {
        const now = await h.now();
        const body = await issuerBody();
        await refused(
          signedBy(
            { ...body, iat: now - 7200, exp: now - 3600 },
            [f.agencies[0], f.agencies[1]],
            ledgerId,
          ),
          'ERR_LEDGER_ENTRY_EXPIRED',
        );
        await refused(
          signedBy(
            { ...body, iat: now + 7200, exp: now + 9000 },
            [f.agencies[0], f.agencies[1]],
            ledgerId,
          ),
          'ERR_LEDGER_ENTRY_EXPIRED',
        );
      });

      test('a second genesis and malformed entries are refused', async () => {
        await refused(
          (await genesisEntry(f, await h.now(), 'again')).entry,
          'ERR_LEDGER_ENTRY_INVALID',
        );
        const good = await signedBy(await issuerBody(), [f.agencies[0], f.agencies[1]], ledgerId);
        await refused(
          { ...good, body: { ...good.body, extra: 1 } } as unknown as SignedEntry,
          'ERR_LEDGER_ENTRY_INVALID',
        );
        await refused(
          {
            ...good,
            body: {
              ...good.body,
              issuer: {
                ...(good.body as { issuer: object }).issuer,
                id: 'http://insecure.example',
              },
            },
          } as unknown as SignedEntry,
          'ERR_LEDGER_ENTRY_INVALID',
        );
      });

      test('an edited body no longer matches its signatures', async () => {
        const good = await signedBy(await issuerBody(), [f.agencies[0], f.agencies[1]], ledgerId);
        const edited = clone(good) as unknown as { body: { issuer: { types: string[] } } };
        edited.body.issuer.types = [MDL, PID];
        await refused(edited as unknown as SignedEntry, 'ERR_LEDGER_SIGNATURE_INVALID');
      });

      test('anchors: only by an active issuer key, never by governance, never on another issuer list', async () => {
        await refused(anchor('https://id.mois.go.kr/status/1'), 'ERR_LEDGER_UNAUTHORISED');
        await registerMois();
        const now = await h.now();
        await gov({
          typ: 'issuer.register',
          ...(await timed()),
          issuer: issuerProfile(POLICE, [MDL], now - 10),
          keys: [issuerKeyOf(police.keys[0] as IssuerFixture['keys'][number], now - 10)],
        });
        await h.ledger.append(await anchor('https://id.mois.go.kr/status/1'));
        await h.settle();
        await refused(
          anchor('https://id.mois.go.kr/status/1', 0, police),
          'ERR_LEDGER_UNAUTHORISED',
        );
        const byGovernance = await signedBy(
          {
            typ: 'anchor.status-list',
            ...(await timed()),
            issuer: ISSUER,
            uri: 'https://id.mois.go.kr/status/9',
            digest: toHex(new Uint8Array(32)),
            issuedAt: now,
          },
          [f.agencies[0]],
          ledgerId,
        );
        await refused(byGovernance, 'ERR_LEDGER_UNAUTHORISED');
        // A key registered for another issuer, claimed under this issuer's kid.
        const stolen = await cosign(
          { body: (await anchor('https://id.mois.go.kr/status/3')).body, signatures: [] },
          (police.keys[0] as IssuerFixture['keys'][number]).signer,
          { ledgerId, kid: 'mois-1' },
        );
        await refused(stolen, 'ERR_LEDGER_SIGNATURE_INVALID');
      });

      test('an issuer cannot be registered twice; unknown issuers cannot be changed', async () => {
        await registerMois();
        const now = await h.now();
        await refused(
          signedBy(
            {
              typ: 'issuer.register',
              ...(await timed()),
              issuer: issuerProfile(ISSUER, [PID], now),
              keys: [issuerKeyOf(mois.keys[1] as IssuerFixture['keys'][number], now)],
            },
            [f.agencies[0], f.agencies[2]],
            ledgerId,
          ),
          'ERR_LEDGER_CONFLICT',
        );
        await refused(
          signedBy(
            {
              typ: 'issuer.key.revoke',
              ...(await timed()),
              issuer: POLICE,
              kid: 'npa-1',
              revokedAt: now,
            },
            [f.agencies[0], f.agencies[2]],
            ledgerId,
          ),
          'ERR_LEDGER_NOT_FOUND',
        );
        await refused(
          signedBy(
            {
              typ: 'issuer.key.add',
              ...(await timed()),
              issuer: ISSUER,
              key: issuerKeyOf(mois.keys[0] as IssuerFixture['keys'][number], now),
            },
            [f.agencies[0], f.agencies[2]],
            ledgerId,
          ),
          'ERR_LEDGER_CONFLICT',
        );
      });
    });

    describe('proofs, snapshots and witnesses', () => {
      const populate = async (): Promise<void> => {
        await registerMois();
        const now = await h.now();
        await gov({
          typ: 'rp.register',
          ...(await timed()),
          rp: rpProfile(BANK, { validFrom: now - 60, keys: [f.rpKey] }),
        });
        await h.ledger.append(await anchor('https://id.mois.go.kr/status/1'));
        await h.settle();
      };

      test('RFC 9162 inclusion and consistency proofs verify against signed tree heads', async () => {
        await populate();
        const head1 = await h.ledger.treeHead();
        await gov({ typ: 'rp.remove', ...(await timed()), rp: BANK, effectiveAt: await h.now() });
        const head2 = await h.ledger.treeHead();
        expect(head2.treeSize).toBe(head1.treeSize + 1);
        const root2 = fromHex(head2.rootHash) as Hash;
        for (let i = 0; i < head2.treeSize; i++) {
          const p = await h.ledger.inclusionProof(i);
          const path = p.path.map((x) => fromHex(x) as Hash);
          expect(
            verifyInclusion(
              { index: i, size: p.treeSize, path },
              fromHex(p.leafHash) as Hash,
              root2,
            ),
          ).toBe(true);
          // RFC 9162 §2.1.3.2 with a flipped bit anywhere fails.
          for (let j = 0; j < path.length; j++) {
            const bad = path.map((x, k) => (k === j ? (fromHex(flipHex(toHex(x))) as Hash) : x));
            expect(
              verifyInclusion(
                { index: i, size: p.treeSize, path: bad },
                fromHex(p.leafHash) as Hash,
                root2,
              ),
            ).toBe(false);
          }
        }
        const c = await h.ledger.consistencyProof(head1.treeSize);
        const cpath = c.path.map((x) => fromHex(x) as Hash);
        const root1 = fromHex(head1.rootHash) as Hash;
        expect(
          verifyConsistency({ first: c.first, second: c.second, path: cpath }, root1, root2),
        ).toBe(true);
        for (let j = 0; j < cpath.length; j++) {
          const bad = cpath.map((x, k) => (k === j ? (fromHex(flipHex(toHex(x))) as Hash) : x));
          expect(
            verifyConsistency({ first: c.first, second: c.second, path: bad }, root1, root2),
          ).toBe(false);
        }
      });

      test('a trust snapshot verifies offline and rebuilds the same state', async () => {
        await populate();
        const snap = await h.ledger.exportSnapshot({ statusLists: 'all' });
        const v = await verifySnapshot(clone(snap), { logKey: h.logKey, ledgerId, strict: true });
        expect(canonicalize(stateToJson(v.state))).toBe(canonicalize(snap.state));
        expect(v.state.issuers.get(ISSUER)?.keys.has('mois-1')).toBe(true);
        expect(v.state.rps.has(BANK)).toBe(true);
        expect(v.state.statusLists.get('https://id.mois.go.kr/status/1')?.issuer).toBe(ISSUER);
        expect(v.head.treeSize).toBe(await h.ledger.size());
      });

      test('a tampered snapshot fails, whatever was touched', async () => {
        await populate();
        const snap = await h.ledger.exportSnapshot();
        const opts = { logKey: h.logKey, ledgerId };
        const edits: [string, (s: Record<string, unknown>) => void, string][] = [
          [
            'record body',
            (s) => {
              const r = (
                s['records'] as { entry?: { body: { issuer?: { types?: string[] } } } }[]
              ).find((x) => x.entry?.body.issuer?.types);
              (r?.entry?.body.issuer as { types: string[] }).types = [PID, MDL];
            },
            'ERR_LEDGER_PROOF_INVALID',
          ],
          [
            'record time',
            (s) => {
              ((s['records'] as { time: number }[])[1] as { time: number }).time += 1;
            },
            'ERR_LEDGER_PROOF_INVALID',
          ],
          [
            'dropped record',
            (s) => {
              (s['records'] as unknown[]).splice(1, 1);
            },
            'ERR_LEDGER_PROOF_INVALID',
          ],
          [
            'proof hash',
            (s) => {
              const p = s['proof'] as string[];
              if (p.length > 0) p[0] = flipHex(p[0] as string);
              else (s['records'] as unknown[]).pop();
            },
            'ERR_LEDGER_PROOF_INVALID',
          ],
          [
            'tails',
            (s) => {
              const t = s['tails'] as Record<string, number | null>;
              const k = Object.keys(t)[0] as string;
              t[k] = null;
            },
            'ERR_LEDGER_SNAPSHOT_INVALID',
          ],
          [
            'stated state',
            (s) => {
              (s['state'] as { name: string }).name = 'forged';
            },
            'ERR_LEDGER_SNAPSHOT_INVALID',
          ],
          [
            'head',
            (s) => {
              s['head'] = `${(s['head'] as string).slice(0, -3)}AAA`;
            },
            'ERR_LEDGER_TREE_HEAD_INVALID',
          ],
        ];
        for (const [, edit, code] of edits) {
          const s = clone(snap) as unknown as Record<string, unknown>;
          edit(s);
          await expectCode(verifySnapshot(s, opts), code);
        }
        await expectCode(
          verifySnapshot(clone(snap), { ...opts, ledgerId: toHex(new Uint8Array(32)) }),
          'ERR_LEDGER_GENESIS_MISMATCH',
        );
        const other = await generateKeyPair('ES256');
        await expectCode(
          verifySnapshot(clone(snap), { logKey: other.publicJwk, ledgerId }),
          'ERR_LEDGER_TREE_HEAD_INVALID',
        );
        // A head re-signed by another key over the same root is still not the log's.
        const head = await h.ledger.treeHead();
        const forged = await signTreeHead(head, other.signer);
        await expectCode(
          verifySnapshot({ ...clone(snap), head: forged.jws }, opts),
          'ERR_LEDGER_TREE_HEAD_INVALID',
        );
        // A partial proof is not a snapshot.
        const partial = (
          await h.ledger.query({ q: 'issuer-keys', issuer: ISSUER, at: await h.now() })
        ).proof;
        await expectCode(
          verifySnapshot(
            { ...clone(partial), type: 'openmid-trust-snapshot', state: snap.state },
            opts,
          ),
          'ERR_LEDGER_SNAPSHOT_INVALID',
        );
      });

      test('a smaller tree head is a rollback, the same size with another root a split view', async () => {
        await populate();
        const old = await h.ledger.exportSnapshot();
        const oldHead = {
          treeSize: (await verifySnapshot(old, { logKey: h.logKey })).head.treeSize,
          rootHash: (await h.ledger.treeHead()).rootHash,
        };
        await gov({ typ: 'rp.remove', ...(await timed()), rp: BANK, effectiveAt: await h.now() });
        const current = await h.ledger.exportSnapshot({ since: oldHead });
        const headNow = await h.ledger.treeHead();
        const opts = { logKey: h.logKey, ledgerId };
        // Moving forward with a consistency proof is fine.
        await verifySnapshot(current, { ...opts, previousHead: oldHead });
        // Without one it is not.
        const { consistency: _c, ...noConsistency } = current;
        await expectCode(
          verifySnapshot(noConsistency, { ...opts, previousHead: oldHead }),
          'ERR_LEDGER_PROOF_INVALID',
        );
        const badC = clone(current) as TrustSnapshot & { consistency: { path: string[] } };
        badC.consistency.path[0] = flipHex(badC.consistency.path[0] as string);
        await expectCode(
          verifySnapshot(badC, { ...opts, previousHead: oldHead }),
          'ERR_LEDGER_PROOF_INVALID',
        );
        // The older snapshot, offered to a verifier that saw the newer head.
        await expectCode(
          verifySnapshot(old, {
            ...opts,
            previousHead: { treeSize: headNow.treeSize, rootHash: headNow.rootHash },
          }),
          'ERR_LEDGER_ROLLBACK',
        );
        await expectCode(
          verifySnapshot(current, {
            ...opts,
            previousHead: { treeSize: headNow.treeSize, rootHash: flipHex(headNow.rootHash) },
          }),
          'ERR_LEDGER_SPLIT_VIEW',
        );
      });

      test('a witness cosigns consistent heads and refuses rollbacks and split views', async () => {
        await populate();
        const w = await generateKeyPair('ES256');
        const witness = createWitness({ signer: w.signer, logKey: h.logKey, ledgerId });
        const head1 = await h.ledger.treeHead();
        await h.ledger.addCosignature(await witness.cosign(head1.jws), w.publicJwk);
        await gov({ typ: 'rp.remove', ...(await timed()), rp: BANK, effectiveAt: await h.now() });
        const head2 = await h.ledger.treeHead();
        await expectCode(witness.cosign(head2.jws), 'ERR_LEDGER_PROOF_INVALID');
        const proof = await h.ledger.consistencyProof(head1.treeSize);
        const bad = { ...proof, path: proof.path.map((p, i) => (i === 0 ? flipHex(p) : p)) };
        await expectCode(witness.cosign(head2.jws, bad), 'ERR_LEDGER_PROOF_INVALID');
        const cosig = await witness.cosign(head2.jws, proof);
        await h.ledger.addCosignature(cosig, w.publicJwk);
        expect((await witness.latest())?.treeSize).toBe(head2.treeSize);
        // The log (or an attacker holding its key) shows the witness an older head, or a fork.
        await expectCode(witness.cosign(head1.jws), 'ERR_LEDGER_ROLLBACK');
        const { jws: _j, ...plain } = head2;
        const fork = await signTreeHead(
          { ...plain, rootHash: flipHex(head2.rootHash) },
          h.logSigner,
        );
        await expectCode(witness.cosign(fork.jws), 'ERR_LEDGER_SPLIT_VIEW');
        const foreign = await signTreeHead(
          { ...plain, rootHash: flipHex(head2.rootHash) },
          w.signer,
        );
        await expectCode(witness.cosign(foreign.jws), 'ERR_LEDGER_TREE_HEAD_INVALID');
        // A snapshot that requires the witness: present for head2, missing for an uncosigned head.
        const snap = await h.ledger.exportSnapshot({ treeSize: head2.treeSize });
        await verifySnapshot(snap, {
          logKey: h.logKey,
          ledgerId,
          witnesses: { keys: [w.publicJwk], threshold: 1 },
        });
        const other = await generateKeyPair('ES256');
        await expectCode(
          verifySnapshot(snap, {
            logKey: h.logKey,
            ledgerId,
            witnesses: { keys: [other.publicJwk], threshold: 1 },
          }),
          'ERR_LEDGER_WITNESS_MISSING',
        );
        await expectCode(
          h.ledger.addCosignature(cosig, other.publicJwk),
          'ERR_LEDGER_TREE_HEAD_INVALID',
        );
      });

      test('proven answers verify offline; a changed answer or a missing chain does not', async () => {
        await populate();
        const now = await h.now();
        const proven = await h.ledger.query({ q: 'issuer-keys', issuer: ISSUER, at: now });
        const opts = { logKey: h.logKey, ledgerId };
        expect((await verifyProvenAnswer(proven, opts)).trusted).toBe(true);
        await expectCode(
          verifyProvenAnswer({ ...proven, answer: { ...proven.answer, keys: [] } }, opts),
          'ERR_LEDGER_PROOF_INVALID',
        );
        await expectCode(
          verifyProvenAnswer(
            { ...proven, query: { q: 'issuer-keys', issuer: POLICE, at: now } },
            opts,
          ),
          'ERR_LEDGER_SNAPSHOT_INVALID',
        );
        // Leaving out the issuer's chain: the signed tails no longer match.
        const p = clone(proven.proof) as LedgerProof & { records: unknown[] };
        p.records = p.records.slice(0, 1);
        await expectCode(verifyLedgerProof(p, opts), 'ERR_LEDGER_PROOF_INVALID');
        // Unknown issuer: the log signs that its chain is empty.
        const unknown = await h.ledger.query({ q: 'issuer-keys', issuer: POLICE, at: now });
        expect(await verifyProvenAnswer(unknown, opts)).toMatchObject({
          trusted: false,
          reason: 'unknown',
        });
      });
    });
  });
}

/** True when `e` is an OpenMID error with `code` (test helper). */
export function hasCode(e: unknown, code: string): boolean {
  return isOpenMidError(e) && e.code === code;
}
