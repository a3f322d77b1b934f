/**
 * The verifier on the trust ledger (issue 6 §4, issue 4 §1), in process on both stores, with a
 * development ledger node in process (`@openmid/ledger-service/testing`, its own PGlite store):
 * issuer trust and relying-party registrations come from the ledger's verified snapshot; the demo
 * parties are registered ON the ledger; a request beyond the LEDGER registration is refused; a
 * key revoked on the ledger refuses what it signed afterwards; a rolled-back node is refused and
 * an unreachable one is trusted until the maximum age, then 503; the offline trust bundle
 * carries the snapshot and verifies with no network; outside development the registrations are
 * proposals the agencies cosign.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCompactJws } from '@openmid/core/jose';
import {
  type GeneratedKeyPair,
  generateKeyPair,
  jwkThumbprint,
  type PublicJwk,
  type Signer,
} from '@openmid/core/keys';
import { parseSdJwt } from '@openmid/core/sd-jwt';
import {
  cosign,
  type EntryBody,
  type LedgerState,
  propose,
  type SignedEntry,
} from '@openmid/ledger';
import { type FetchLike, fetchTrustSnapshot } from '@openmid/ledger/http';
import { nodeMigrations } from '@openmid/ledger-service';
import { createTestLedgerNode, type TestLedgerNode } from '@openmid/ledger-service/testing';
import { DRIVING_LICENCE, RESIDENT_ID } from '@openmid/profile-kr';
import { migrate, openPglite } from '@openmid/server-kit';
import { describeStores } from '@openmid/server-kit/testing';
import {
  createOfflinePresentation,
  createResponseBody,
  OFFLINE_AUDIENCE,
  OFFLINE_WINDOW_SECONDS,
  openTrustBundle,
  refreshingLedgerTrustSource,
  verifyPresentation,
  verifyRequestObject,
} from '@openmid/verifier';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadVerifierConfig } from './config.js';
import { ALL_MIGRATIONS, startVerifier } from './main.js';
import { pinnedLogKey, rpRegistrationPlan } from './registry/ledger.js';
import { rpSigner, syncLedgerRelyingParties } from './registry/registry.js';
import {
  ISSUER_URL,
  makeVerifier,
  STATUS_URI,
  type TestClock,
  type TestVerifier,
  type TestWallet,
  testClock,
  VERIFIER_URL,
} from './test/harness.js';

const LEDGER_URL = 'http://ledger.test';

interface Created {
  transaction_id: string;
  request_link: string;
}

function minimal(jwk: PublicJwk): PublicJwk {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as PublicJwk;
}

async function signerWithKid(): Promise<{ key: GeneratedKeyPair; signer: Signer; kid: string }> {
  const key = await generateKeyPair('ES256');
  const kid = jwkThumbprint(key.publicJwk);
  return { key, kid, signer: { ...key.signer, kid, publicJwk: { ...key.publicJwk, kid } } };
}

/** A ledger node in process on its own store, with a switchable transport. */
async function ledgerNode(clock: TestClock) {
  const sql = await openPglite();
  await migrate(sql, nodeMigrations({ OPENMID_LEDGER: 'embedded' }));
  const node = await createTestLedgerNode({ sql, clock });
  const transport = {
    down: false,
    /** Serve snapshots of this tree size (a node that went back). */
    snapshotSize: undefined as number | undefined,
  };
  const fetch: FetchLike = async (input, init) => {
    if (transport.down) throw new TypeError('fetch failed');
    let url = input;
    if (transport.snapshotSize !== undefined && input.includes('/v1/snapshot')) {
      const u = new URL(input);
      u.searchParams.set('treeSize', String(transport.snapshotSize));
      url = u.toString();
    }
    return node.fetch(url, init);
  };
  return { sql, node, transport, fetch };
}

function ledgerEnv(node: TestLedgerNode, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'development',
    VERIFIER_LEDGER_URL: LEDGER_URL,
    VERIFIER_LEDGER_LOG_KEY: JSON.stringify(node.logKey),
    VERIFIER_LEDGER_ADMIN_KEY: node.adminKey,
    VERIFIER_LEDGER_MAX_AGE: '120',
    VERIFIER_LEDGER_REFRESH: '30',
    ...extra,
  };
}

describeStores(
  'verifier on the trust ledger',
  ({ sql }) => {
    let clock: TestClock;
    let ledger: Awaited<ReturnType<typeof ledgerNode>>;
    let v: TestVerifier;
    let wallet: TestWallet;
    /** The issuer's key after its rotation (the revocation test). */
    let rotated: Awaited<ReturnType<typeof signerWithKid>> | undefined;

    const state = async (): Promise<LedgerState> => {
      const r = await fetchTrustSnapshot({
        url: LEDGER_URL,
        fetch: ledger.node.fetch,
        logKey: ledger.node.logKey,
        statusLists: 'all',
      });
      if (r.status !== 'ok') throw new Error('no snapshot');
      return r.state;
    };

    /** Countersigned by the node's development governance and appended. */
    const governed = async (body: EntryBody): Promise<void> => {
      const receipt = await ledger.node.client().devCountersign(propose(body));
      expect(receipt.status).toBe('confirmed');
    };

    const timed = () => ({ iat: clock.now, exp: clock.now + 3600 });

    async function create(rp: string, body: Record<string, unknown>) {
      return v.rp(rp, '/v1/presentations', { method: 'POST', json: body });
    }

    async function created(rp: string, body: Record<string, unknown>): Promise<Created> {
      const res = await create(rp, body);
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
      return (await res.json()) as Created;
    }

    async function presentAndRead(w: TestWallet, rp: string, preset: string) {
      const c = await created(rp, { preset });
      const request = await w.open(c.request_link);
      const res = await w.post(
        request,
        await createResponseBody(request, await w.vpToken(request)),
      );
      return { res, body: (await res.json()) as Record<string, unknown>, c, request };
    }

    beforeAll(async () => {
      clock = testClock();
      ledger = await ledgerNode(clock);
      v = await makeVerifier(sql(), {
        clock,
        env: ledgerEnv(ledger.node),
        ledgerFetch: ledger.fetch,
      });
      // The issuer is registered on the ledger (as apps/issuer does at start-up), and anchors
      // its status list there.
      const since = clock.now - 3600;
      await governed({
        typ: 'issuer.register',
        ...timed(),
        issuer: {
          id: ISSUER_URL,
          names: { ko: '테스트 발급기관', en: 'Test issuer' },
          types: [RESIDENT_ID.vct, DRIVING_LICENCE.vct],
          validFrom: since,
        },
        keys: [
          {
            kid: v.issuer.signer.kid as string,
            jwk: minimal(v.issuer.key.publicJwk),
            validFrom: since,
          },
        ],
      });
      const token = await v.issuer.token();
      const anchor: SignedEntry = await cosign(
        propose({
          typ: 'anchor.status-list',
          ...timed(),
          issuer: ISSUER_URL,
          uri: STATUS_URI,
          digest: createHash('sha256').update(token).digest('hex'),
          issuedAt: decodeCompactJws(token).payload['iat'] as number,
        }),
        v.issuer.signer,
        { ledgerId: ledger.node.ledgerId as string, kid: v.issuer.signer.kid as string },
      );
      await ledger.node.client().append(anchor);
      await v.ctx.ledger?.trust.refresh();
      wallet = await v.wallet();
      wallet.credentials.push(await v.issuer.issue('resident-id', wallet.holder, { idx: 1 }));
    });

    afterAll(async () => {
      await v?.verifier.stop();
      await ledger?.node.close();
      await ledger?.sql.close();
    });

    test('the demo relying parties are registered ON the ledger, with their request keys and legal basis', async () => {
      const s = await state();
      const bank = s.rps.get('bank')?.versions.at(-1)?.profile;
      expect(bank?.rrnLegalBasis).toMatch(/^금융실명거래 및 비밀보장에 관한 법률 제3조/);
      expect(bank?.names).toEqual({ ko: '오픈은행', en: 'OpenMID Demo Bank' });
      expect(bank?.requests.map((r) => r.vct)).toEqual([RESIDENT_ID.vct, DRIVING_LICENCE.vct]);
      const signer = await rpSigner(v.ctx, 'bank');
      expect(bank?.keys).toEqual([{ kid: signer.kid, jwk: minimal(signer.publicJwk) }]);
      const store = s.rps.get('convenience-store')?.versions.at(-1)?.profile;
      expect(store?.rrnLegalBasis).toBeNull();
      expect(store?.requests.flatMap((r) => r.claims)).toEqual([['age_over_19'], ['age_over_19']]);
      expect([...s.rps.keys()].sort()).toEqual([
        'bank',
        'car-rental',
        'convenience-store',
        'police-checkpoint',
      ]);
    });

    test('accepts a credential of an issuer registered on the ledger, naming it as registered there', async () => {
      const { res, c } = await presentAndRead(wallet, 'convenience-store', 'age-over-19');
      expect(res.status).toBe(200);
      const result = await (
        await v.rp('convenience-store', `/v1/presentations/${c.transaction_id}`)
      ).json();
      const [cred] = Object.values(
        result.credentials as Record<string, { claims: unknown; issuer: unknown }[]>,
      ).flat();
      expect(cred).toMatchObject({
        claims: { age_over_19: true },
        issuer: { id: ISSUER_URL, name: { en: 'Test issuer' } },
      });
    });

    test('an issuer that is not on the ledger is refused (ERR_SDJWTVC_ISSUER_UNTRUSTED)', async () => {
      const rogue = await signerWithKid();
      const w = await v.wallet();
      w.credentials.push(
        await v.issuer.issue('resident-id', w.holder, {
          iss: 'https://rogue.test',
          signer: rogue.signer,
        }),
      );
      const { res, body } = await presentAndRead(w, 'convenience-store', 'age-over-19');
      expect({ status: res.status, code: body['code'] }).toEqual({
        status: 400,
        code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED',
      });
    });

    test('the attestation names the registration on the ledger; a wallet on the ledger checks it itself', async () => {
      const c = await created('bank', { preset: 'full-identity-with-rrn' });
      const request = await wallet.open(c.request_link);
      const s = await state();
      const index = s.rps.get('bank')?.versions.at(-1)?.index;
      expect(request.ledger).toEqual({ ledgerId: ledger.node.ledgerId, rp: 'bank', index });
      expect(request.registration.ledger).toEqual({ ledgerId: ledger.node.ledgerId, index });
      // A wallet with only the pinned ledger and registry keys: fetch the request object again
      // (a new one: they are served once) and verify it against its own view of the ledger.
      const again = await created('bank', { preset: 'full-identity-with-rrn' });
      const requestUri = new URL(again.request_link).searchParams.get('request_uri') as string;
      const jwt = await (await v.request(requestUri)).text();
      const walletTrust = refreshingLedgerTrustSource({
        url: LEDGER_URL,
        logKey: ledger.node.logKey,
        ledgerId: ledger.node.ledgerId as string,
        fetch: ledger.node.fetch,
        registries: [v.ctx.trust.registryRecord],
        clock,
      });
      const seen = await verifyRequestObject(jwt, {
        trust: walletTrust,
        clientId: 'verifier_attestation:bank',
        now: clock.now,
      });
      expect(seen.registration).toMatchObject({ id: 'bank', ledger: { index } });
      expect(seen.exceeds).toEqual([]);
    });

    test('a request beyond the LEDGER registration is refused (ERR_RP_ATTRIBUTE_NOT_REGISTERED), whatever the local copy says', async () => {
      const refused = await create('convenience-store', { preset: 'identity-basic' });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'ERR_RP_ATTRIBUTE_NOT_REGISTERED' });
      const qualification = {
        dcql: {
          credentials: [
            {
              id: 'licence',
              format: 'dc+sd-jwt',
              meta: { vct_values: [DRIVING_LICENCE.vct] },
              claims: [{ path: ['licence_classes'] }, { path: ['aptitude_test_period'] }],
            },
          ],
        },
      };
      expect((await create('car-rental', qualification)).status).toBe(201);
      // The agencies narrow the car-rental registration on the ledger: classes only.
      const s = await state();
      const profile = s.rps.get('car-rental')?.versions.at(-1)?.profile;
      if (profile === undefined) throw new Error('car-rental is not on the ledger');
      await governed({
        typ: 'rp.update',
        ...timed(),
        rp: { ...profile, requests: [{ vct: DRIVING_LICENCE.vct, claims: [['licence_classes']] }] },
      });
      await v.ctx.ledger?.trust.refresh();
      const narrowed = await create('car-rental', qualification);
      expect(narrowed.status).toBe(403);
      expect(await narrowed.json()).toMatchObject({
        code: 'ERR_RP_ATTRIBUTE_NOT_REGISTERED',
        details: {
          claims: expect.arrayContaining([
            expect.objectContaining({ path: ['aptitude_test_period'] }),
          ]),
        },
      });
    });

    test('a key revoked on the ledger refuses credentials it signed after the revocation, not before', async () => {
      const before = await v.wallet();
      before.credentials.push(await v.issuer.issue('resident-id', before.holder, { idx: 3 }));
      clock.now += 600;
      const revokedAt = clock.now - 300;
      // Rotation: a new key signs from now on (and the status lists); the old one is revoked
      // from `revokedAt`, after `before` was issued.
      const next = await signerWithKid();
      rotated = next;
      await governed({
        typ: 'issuer.key.add',
        ...timed(),
        issuer: ISSUER_URL,
        key: { kid: next.kid, jwk: minimal(next.key.publicJwk), validFrom: revokedAt },
      });
      await governed({
        typ: 'issuer.key.revoke',
        ...timed(),
        issuer: ISSUER_URL,
        kid: v.issuer.signer.kid as string,
        revokedAt,
      });
      await v.ctx.ledger?.trust.refresh();
      // The new key signs the status lists from now on (the old one is revoked).
      v.issuer.listSigner = next.signer;
      v.ctx.statusLists.cache.clear();
      {
        const after = await v.wallet();
        after.credentials.push(await v.issuer.issue('resident-id', after.holder, { idx: 4 }));
        const late = await presentAndRead(after, 'convenience-store', 'age-over-19');
        expect({ status: late.res.status, code: late.body['code'] }).toEqual({
          status: 400,
          code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED',
        });
        expect((await presentAndRead(before, 'convenience-store', 'age-over-19')).res.status).toBe(
          200,
        );
        const renewed = await v.wallet();
        renewed.credentials.push(
          await v.issuer.issue('resident-id', renewed.holder, { idx: 5, signer: next.signer }),
        );
        expect((await presentAndRead(renewed, 'convenience-store', 'age-over-19')).res.status).toBe(
          200,
        );
      }
    });

    test('the offline trust bundle carries the ledger snapshot and verifies with no network', async () => {
      const text = await (await v.request('/v1/trust-bundle')).text();
      const jwks = (await (await v.request('/.well-known/jwks.json')).json()) as {
        keys: { kid: string }[];
      };
      const pinned = jwks.keys.map(({ kid, ...jwk }) => ({ kid, jwk: jwk as never }));
      const bundle = await openTrustBundle(text, {
        keys: pinned,
        clock: () => clock.now,
        ledger: {
          logKey: ledger.node.logKey,
          ledgerId: ledger.node.ledgerId as string,
          required: true,
        },
      });
      expect(bundle.ledger?.ledgerId).toBe(ledger.node.ledgerId);
      await expect(bundle.relyingParty('car-rental', clock.now)).resolves.toMatchObject({
        requests: [{ claims: [['licence_classes']] }],
      });
      expect(bundle.issuers.find((i) => i.id === ISSUER_URL)?.statusLists).toEqual([STATUS_URI]);
      const w = await v.wallet();
      const offline = {
        trust: bundle,
        statusLists: bundle.statusLists,
        timeWindow: OFFLINE_WINDOW_SECONDS,
        aud: OFFLINE_AUDIENCE,
        now: clock.now,
      };
      const qrOf = async (signer: Signer, idx: number) =>
        createOfflinePresentation(
          parseSdJwt(await v.issuer.issue('resident-id', w.holder, { idx, signer })),
          { paths: [['age_over_19']], signer: w.holder.signer, binding: 'one-way', iat: clock.now },
        );
      if (rotated === undefined) throw new Error('the rotation test runs first');
      // The rotated key, and the status list it signs, from the bundle alone.
      await expect(
        verifyPresentation({ qr: await qrOf(rotated.signer, 6) }, offline),
      ).resolves.toMatchObject({ claims: { age_over_19: true }, status: 'valid' });
      await expect(
        verifyPresentation({ qr: await qrOf(rotated.signer, 1) }, offline),
      ).resolves.toMatchObject({ status: 'valid' });
      // The key revoked on the ledger, offline too.
      await expect(
        verifyPresentation({ qr: await qrOf(v.issuer.signer, 7) }, offline),
      ).rejects.toMatchObject({ code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED' });
    });

    test('refuses a rolled-back node (ERR_LEDGER_ROLLBACK) and keeps its verified view', async () => {
      const trust = v.ctx.ledger?.trust;
      if (trust === undefined) throw new Error('no ledger');
      const size = trust.current()?.head.treeSize as number;
      ledger.transport.snapshotSize = size - 2;
      try {
        await expect(trust.refresh()).rejects.toMatchObject({ code: 'ERR_LEDGER_ROLLBACK' });
        expect(trust.current()?.head.treeSize).toBe(size);
        expect((await create('convenience-store', { preset: 'age-over-19' })).status).toBe(201);
      } finally {
        ledger.transport.snapshotSize = undefined;
      }
    });

    test('an unreachable node: the last verified view until its maximum age, then 503 (fail closed)', async () => {
      const trust = v.ctx.ledger?.trust;
      await trust?.refresh();
      ledger.transport.down = true;
      try {
        clock.now += 60;
        expect((await create('convenience-store', { preset: 'age-over-19' })).status).toBe(201);
        clock.now += 61;
        const stale = await create('convenience-store', { preset: 'age-over-19' });
        expect(stale.status).toBe(503);
        expect(await stale.json()).toMatchObject({ code: 'ERR_LEDGER_SNAPSHOT_STALE' });
        expect((await v.request('/v1/trust-bundle')).status).toBe(503);
      } finally {
        ledger.transport.down = false;
      }
      clock.now += 10;
      expect((await create('convenience-store', { preset: 'age-over-19' })).status).toBe(201);
    });

    test('issuers cannot be trusted around the ledger (admin API refused)', async () => {
      const res = await v.request('/admin/issuers', {
        method: 'PUT',
        headers: { authorization: `Bearer ${v.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'https://rogue.test',
          names: { ko: '가짜', en: 'Rogue' },
          types: [RESIDENT_ID.vct],
          keys: [],
        }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'ERR_INPUT_INVALID' });
      const listed = (await (
        await v.request('/admin/issuers', { headers: { authorization: `Bearer ${v.adminKey}` } })
      ).json()) as { id: string }[];
      expect(listed.map((i) => i.id)).toEqual([ISSUER_URL]);
    });

    test('outside development the registrations are proposals the agencies cosign and submit', async () => {
      const c2 = testClock();
      const other = await ledgerNode(c2);
      const dir = mkdtempSync(join(tmpdir(), 'openmid-verifier-ledger-'));
      const prod = await makeVerifier(sql(), {
        clock: c2,
        dir,
        env: ledgerEnv(other.node, { NODE_ENV: 'test' }),
        ledgerFetch: other.fetch,
      });
      try {
        // What startVerifier does after seeding (the demo parties exist in this store already).
        await syncLedgerRelyingParties(prod.ctx);
        const files = readdirSync(join(dir, 'ledger-proposals')).sort();
        expect(files).toHaveLength(4);
        // Nothing is trusted until the agencies sign: the party is unknown on the ledger.
        const early = await prod.rp('bank', '/v1/presentations', {
          method: 'POST',
          json: { preset: 'age-over-19' },
        });
        expect(early.status).toBe(403);
        expect(await early.json()).toMatchObject({ code: 'ERR_RP_UNKNOWN' });
        const [npa, mois] = other.node.governance.agencies;
        for (const file of files) {
          let entry = JSON.parse(readFileSync(join(dir, 'ledger-proposals', file), 'utf8'));
          for (const agency of [npa, mois]) {
            if (agency === undefined) throw new Error('no agency');
            entry = await cosign(entry, agency.signer, {
              ledgerId: other.node.ledgerId as string,
              kid: agency.kid,
            });
          }
          expect((await other.node.client().append(entry)).status).toBe('confirmed');
        }
        await prod.ctx.ledger?.trust.refresh();
        const res = await prod.rp('bank', '/v1/presentations', {
          method: 'POST',
          json: { preset: 'full-identity-with-rrn' },
        });
        expect(res.status).toBe(201);
      } finally {
        await prod.verifier.stop();
        await other.node.close();
        await other.sql.close();
      }
    });
  },
  { migrations: ALL_MIGRATIONS },
);

describe('verifier ledger start-up', () => {
  test('a ledger that refuses the demo registrations does not stop the verifier; it fails closed', async () => {
    const clock = testClock();
    const node = await ledgerNode(clock);
    const store = await openPglite();
    await migrate(store, ALL_MIGRATIONS);
    // Development, but without the node's admin key: the countersign is refused (401).
    const { VERIFIER_LEDGER_ADMIN_KEY: _key, ...env } = ledgerEnv(node.node, {
      VERIFIER_LEDGER_ADMIN_KEY_FILE: join(tmpdir(), 'no-such-admin-key'),
    });
    const v = await makeVerifier(store, { clock, env, ledgerFetch: node.fetch });
    try {
      const s = await fetchTrustSnapshot({
        url: LEDGER_URL,
        fetch: node.node.fetch,
        logKey: node.node.logKey,
      });
      expect(s.status === 'ok' && s.state.rps.size).toBe(0);
      const res = await v.rp('convenience-store', '/v1/presentations', {
        method: 'POST',
        json: { preset: 'age-over-19' },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'ERR_RP_UNKNOWN' });
    } finally {
      await v.verifier.stop();
      await store.close();
      await node.node.close();
      await node.sql.close();
    }
  });
});

describe('verifier ledger configuration', () => {
  test('the log key must be pinned: no trust on first use', () => {
    const config = loadVerifierConfig({ VERIFIER_LEDGER_URL: LEDGER_URL, DATA_DIR: tmpdir() });
    expect(() => pinnedLogKey(config)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
    );
  });

  test('issuers from elsewhere are refused beside the ledger', async () => {
    await expect(
      startVerifier({
        env: {
          DATA_DIR: mkdtempSync(join(tmpdir(), 'openmid-verifier-')),
          VERIFIER_URL,
          VERIFIER_LEDGER_URL: LEDGER_URL,
          VERIFIER_DEV_TRUST_ISSUERS: 'http://localhost:7001',
        },
        handleSignals: false,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });

  test('the registration plan: register, nothing when current, update when changed, remove', () => {
    const profile = {
      id: 'shop',
      names: { ko: '가게', en: 'Shop' },
      purpose: { ko: '성인 확인', en: 'Adult check' },
      requests: [{ vct: RESIDENT_ID.vct, claims: [['age_over_19']] }],
      rrnLegalBasis: null,
      keys: [],
      validFrom: 100,
    };
    const times = { now: 1000, lifetime: 60 };
    expect(rpRegistrationPlan(undefined, profile, times).map((e) => e.typ)).toEqual([
      'rp.register',
    ]);
    const current = {
      id: 'shop',
      versions: [{ since: 200, index: 3, profile }],
      entries: [3],
    };
    expect(rpRegistrationPlan(current, { ...profile, validFrom: 900 }, times)).toEqual([]);
    const wider = { ...profile, requests: [{ vct: RESIDENT_ID.vct, claims: [['name']] }] };
    expect(rpRegistrationPlan(current, wider, times)).toEqual([
      { typ: 'rp.update', iat: 1000, exp: 1060, rp: { ...wider, validFrom: 100 } },
    ]);
    expect(rpRegistrationPlan(current, undefined, times).map((e) => e.typ)).toEqual(['rp.remove']);
    expect(() => rpRegistrationPlan({ ...current, removedAt: 500 }, profile, times)).toThrow(
      expect.objectContaining({ code: 'ERR_LEDGER_CONFLICT' }),
    );
  });
});
