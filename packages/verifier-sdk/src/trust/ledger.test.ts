/**
 * The trust ledger behind the TrustSource port (issue 6 §4, issue 4 §1), in Node and in Chromium:
 * issuer keys by `iss` + `kid` judged at the credential's `iat` (`resolveIssuerKey`), the issuer
 * allowed the `vct` now (`issuerAllowedAt`), relying-party registrations and the ledger's
 * `rp-claim` rule; the refreshing source over a node (a fake node serving a memory ledger's
 * snapshots) refusing a rolled-back or forked head and failing closed after its maximum age; and
 * the offline trust bundle carrying the snapshot.
 */
import { generateKeyPair, type PublicJwk, type Signer } from '@openmid/core/keys';
import { presentSdJwt } from '@openmid/core/sd-jwt';
import {
  createMemoryLedger,
  type EntryBody,
  type SignedTreeHead,
  type TrustLedger,
  type TrustSnapshot,
  verifySnapshot,
} from '@openmid/ledger';
import {
  createLedgerFixtures,
  genesisEntry,
  type LedgerFixtures,
  minimalJwk,
  signedBy,
} from '@openmid/ledger/testing';
import { beforeAll, describe, expect, test } from 'vitest';
import type { DcqlQuery } from '../dcql/query.js';
import { clientIdOf, createVerifierAttestation } from '../oid4vp/attestation.js';
import { generateResponseKey } from '../oid4vp/jwe.js';
import { createRequestObject, verifyRequestObject } from '../oid4vp/request.js';
import {
  bankRegistration,
  ISS,
  issue,
  type Keys,
  makeKeys,
  NOW,
  REGISTRY,
  registryRecord,
  STATUS_URI,
  statusSource,
  statusToken,
  VCT_DL,
  VCT_ID,
} from '../test/fixtures.js';
import { type VerifyPolicy, verifyPresentation } from '../verify/verify.js';
import { createTrustBundle, openTrustBundle } from './bundle.js';
import { ledgerTrustData, ledgerTrustSource, refreshingLedgerTrustSource } from './ledger.js';
import { assertRequestRegistered, unregisteredClaims } from './registration.js';
import { rpMayRequest, type TrustedKey } from './source.js';

const AUD = clientIdOf('bank');
const NONCE = 'n-0S6_WzA2Mj-ledger-nonce';
const START = NOW - 86_400;
/** The issuer's key is revoked from here on (a compromise found later). */
const REVOKED_AT = NOW - 1800;
const OTHER_ISS = 'https://licences.openmid.example';

let keys: Keys;
let f: LedgerFixtures;
let logKey: { signer: Signer; publicJwk: PublicJwk };
let ledger: TrustLedger;
let ledgerId: string;
let clock: { now: number };
/** Snapshot before the revocation (size 4) and after it (size 5). */
let before: TrustSnapshot;
let after: TrustSnapshot;

async function governed(body: EntryBody): Promise<void> {
  const receipt = await ledger.append(
    await signedBy(body, [f.agencies[0], f.agencies[1]], ledgerId),
  );
  expect(receipt.status).toBe('confirmed');
}

async function present(credential: string, paths: string[][]): Promise<string> {
  return presentSdJwt(credential, {
    paths,
    keyBinding: { signer: keys.holder.signer, aud: AUD, nonce: NONCE, iat: NOW },
  });
}

const statusLists = () => statusSource(keys, statusToken(keys));

function policy(trust: VerifyPolicy['trust']): VerifyPolicy {
  return { trust, statusLists: statusLists(), nonce: NONCE, aud: AUD, now: NOW };
}

async function stateOf(snapshot: TrustSnapshot) {
  return (await verifySnapshot(snapshot, { logKey: logKey.publicJwk, ledgerId })).state;
}

beforeAll(async () => {
  keys = await makeKeys();
  f = await createLedgerFixtures();
  logKey = await generateKeyPair('ES256');
  clock = { now: START };
  ledger = createMemoryLedger({ signer: logKey.signer, clock: () => clock.now });
  const genesis = await genesisEntry(f, START);
  ledgerId = genesis.ledgerId;
  await ledger.append(genesis.entry);
  const timed = { iat: START, exp: START + 3600 };
  await governed({
    typ: 'issuer.register',
    ...timed,
    issuer: {
      id: ISS,
      names: { ko: '경찰청', en: 'Korean National Police Agency' },
      types: [VCT_ID, VCT_DL],
      validFrom: START,
    },
    keys: [{ kid: keys.issuer.kid, jwk: minimalJwk(keys.issuer.publicJwk), validFrom: START }],
  });
  await governed({
    typ: 'issuer.register',
    ...timed,
    issuer: {
      id: OTHER_ISS,
      names: { ko: '면허 발급기관', en: 'Licence issuer' },
      types: [VCT_DL],
      validFrom: START,
    },
    keys: [{ kid: keys.issuer.kid, jwk: minimalJwk(keys.issuer.publicJwk), validFrom: START }],
  });
  const bank = bankRegistration(keys);
  await governed({
    typ: 'rp.register',
    ...timed,
    rp: {
      id: 'bank',
      names: bank.names,
      purpose: bank.purpose,
      requests: bank.requests,
      rrnLegalBasis: bank.rrnLegalBasis,
      keys: [{ kid: keys.rp.kid, jwk: minimalJwk(keys.rp.publicJwk) }],
      validFrom: START,
    },
  });
  before = await ledger.exportSnapshot();
  clock.now = NOW - 600;
  await governed({
    typ: 'issuer.key.revoke',
    iat: clock.now,
    exp: clock.now + 3600,
    issuer: ISS,
    kid: keys.issuer.kid,
    revokedAt: REVOKED_AT,
  });
  after = await ledger.exportSnapshot();
  clock.now = NOW;
});

describe('ledgerTrustSource', () => {
  test('accepts a credential of an issuer registered on the ledger, with its registered names', async () => {
    const trust = ledgerTrustSource(await stateOf(before));
    const vc = await verifyPresentation(
      await present(await issue(keys), [['name']]),
      policy(trust),
    );
    expect(vc).toMatchObject({ iss: ISS, status: 'valid', claims: { name: '김민준' } });
    expect(vc.issuerName).toEqual({ ko: '경찰청', en: 'Korean National Police Agency' });
  });

  test('rejects an issuer that is not on the ledger (ERR_SDJWTVC_ISSUER_UNTRUSTED)', async () => {
    const trust = ledgerTrustSource(await stateOf(before));
    const p = await present(await issue(keys, { iss: 'https://rogue.example' }), [['name']]);
    await expect(verifyPresentation(p, policy(trust))).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED',
    });
  });

  test('rejects a type the ledger does not allow the issuer (ERR_TRUST_ISSUER_NOT_AUTHORISED)', async () => {
    const trust = ledgerTrustSource(await stateOf(before));
    const p = await present(await issue(keys, { iss: OTHER_ISS, status: false }), [['name']]);
    await expect(verifyPresentation(p, policy(trust))).rejects.toMatchObject({
      code: 'ERR_TRUST_ISSUER_NOT_AUTHORISED',
    });
  });

  test('a key revoked on the ledger at T refuses credentials issued at or after T, not before (resolveIssuerKey at iat)', async () => {
    const trust = ledgerTrustSource(await stateOf(after));
    const early = await present(await issue(keys, { iat: REVOKED_AT - 1 }), [['name']]);
    await expect(verifyPresentation(early, policy(trust))).resolves.toMatchObject({ iss: ISS });
    for (const iat of [REVOKED_AT, NOW - 60]) {
      const late = await present(await issue(keys, { iat }), [['name']]);
      await expect(verifyPresentation(late, policy(trust))).rejects.toMatchObject({
        code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED',
      });
    }
    // Asked without a credential, the key is not valid now.
    await expect(trust.issuerKeys(ISS, NOW)).resolves.toMatchObject({ keys: [] });
    // A credential claiming an iat in the future is judged now, never later.
    await expect(
      trust.issuerKeys(ISS, REVOKED_AT - 10, { kid: keys.issuer.kid, issuedAt: NOW }),
    ).resolves.toMatchObject({ keys: [{ kid: keys.issuer.kid }] });
  });

  test('answers the registration in force, and the ledger rp-claim rule agrees with the registration', async () => {
    const state = await stateOf(before);
    const trust = ledgerTrustSource(state);
    const rp = await trust.relyingParty('bank', NOW);
    expect(rp).toMatchObject({
      id: 'bank',
      rrnLegalBasis: '금융실명거래 및 비밀보장에 관한 법률 제3조',
      keys: [{ kid: keys.rp.kid }],
      ledger: { ledgerId, index: 3 },
    });
    await expect(trust.relyingParty('bank', START - 1)).resolves.toBeUndefined();
    await expect(trust.relyingParty('shop', NOW)).resolves.toBeUndefined();
    if (rp === undefined) throw new Error('unreachable');
    const cases: [string, string[], boolean][] = [
      [VCT_ID, ['rrn'], true],
      [VCT_ID, ['name'], false],
      [VCT_ID, ['portrait'], false],
      [VCT_DL, ['rrn'], true],
      ['urn:other', ['name'], false],
    ];
    for (const [vct, claim, legalBasisRequired] of cases) {
      const ledgerSays = trust.rpClaim({ rp: 'bank', vct, claim, at: NOW, legalBasisRequired });
      expect(ledgerSays.allowed).toBe(rpMayRequest(rp, vct, claim, legalBasisRequired).allowed);
    }
    const beyond: DcqlQuery = {
      credentials: [
        {
          id: 'id',
          format: 'dc+sd-jwt',
          meta: { vct_values: [VCT_ID] },
          claims: [{ path: ['name'] }, { path: ['portrait'] }],
        },
      ],
    };
    expect(unregisteredClaims(rp, beyond)).toEqual([
      { credential: 'id', vct: VCT_ID, path: ['portrait'], reason: 'claim-not-registered' },
    ]);
    expect(() => assertRequestRegistered(rp, beyond)).toThrow(
      expect.objectContaining({ code: 'ERR_RP_ATTRIBUTE_NOT_REGISTERED' }),
    );
  });

  test('the attestation names the registration on the ledger, and a wallet on the ledger checks it there', async () => {
    const state = await stateOf(before);
    const registry = registryRecord(keys);
    const verifierSide = ledgerTrustSource(state, { registries: [registry] });
    const rp = await verifierSide.relyingParty('bank', NOW);
    if (rp === undefined) throw new Error('unreachable');
    const attestation = await createVerifierAttestation(rp, {
      signer: keys.registry.signer,
      iss: REGISTRY,
      key: keys.rp.publicJwk,
      now: NOW,
    });
    const responseKey = await generateResponseKey('k1');
    const dcql: DcqlQuery = {
      credentials: [
        {
          id: 'id',
          format: 'dc+sd-jwt',
          meta: { vct_values: [VCT_ID] },
          claims: [{ path: ['name'] }],
        },
      ],
    };
    const jwt = await createRequestObject({
      signer: keys.rp.signer,
      attestation,
      clientId: AUD,
      responseUri: 'https://verifier.example/oid4vp/response/r1',
      nonce: NONCE,
      dcql,
      responseKey: responseKey.publicJwk,
      now: NOW,
    });
    const seen = await verifyRequestObject(jwt, {
      trust: ledgerTrustSource(state, { registries: [registry] }),
      clientId: AUD,
      now: NOW,
    });
    expect(seen.ledger).toEqual({ ledgerId, rp: 'bank', index: 3 });
    expect(seen.registration.ledger).toEqual({ ledgerId, index: 3 });
    expect(seen.exceeds).toEqual([]);
  });

  test('ledgerTrustData lists what is in force: a revoked key ends at its revocation', async () => {
    const data = ledgerTrustData(await stateOf(after), REVOKED_AT - 60);
    expect(data.issuers.map((i) => i.id)).toEqual([OTHER_ISS, ISS].sort());
    const police = data.issuers.find((i) => i.id === ISS);
    expect(police?.keys).toEqual([
      expect.objectContaining({ kid: keys.issuer.kid, validUntil: REVOKED_AT }),
    ]);
    expect(data.relyingParties.map((r) => r.id)).toEqual(['bank']);
    expect(
      ledgerTrustData(await stateOf(after), NOW).issuers.find((i) => i.id === ISS)?.keys,
    ).toEqual([]);
  });
});

/** A ledger node over HTTP, in memory: `/v1/snapshot` with ETag, `sinceSize`/`sinceRoot`. */
function fakeNode(source: () => TrustLedger) {
  const node = {
    calls: 0,
    down: false,
    /** Serve this tree size instead of the latest (a node that went back). */
    serveSize: undefined as number | undefined,
    source,
    async fetch(input: string, init?: RequestInit): Promise<Response> {
      node.calls++;
      if (node.down) throw new TypeError('fetch failed');
      const url = new URL(input);
      if (url.pathname !== '/v1/snapshot') return new Response('{}', { status: 404 });
      const l = node.source();
      const size = node.serveSize ?? (await l.treeHead()).treeSize;
      const head: SignedTreeHead = await l.treeHead(size);
      const etag = `W/"${head.treeSize}-${head.rootHash.slice(0, 16)}"`;
      const sinceSize = Number(url.searchParams.get('sinceSize') ?? Number.NaN);
      const sinceRoot = url.searchParams.get('sinceRoot');
      const since =
        Number.isSafeInteger(sinceSize) && sinceRoot !== null && sinceSize < head.treeSize
          ? { treeSize: sinceSize, rootHash: sinceRoot }
          : undefined;
      const headers = new Headers(init?.headers);
      if (since === undefined && headers.get('if-none-match') === etag)
        return new Response(null, { status: 304, headers: { etag } });
      const snapshot = await l.exportSnapshot({
        treeSize: size,
        ...(since === undefined ? {} : { since }),
      });
      return new Response(JSON.stringify(snapshot), {
        status: 200,
        headers: { etag, 'content-type': 'application/json' },
      });
    },
  };
  return node;
}

describe('refreshingLedgerTrustSource', () => {
  test('fetches, answers from the verified state, refreshes in the background with If-None-Match', async () => {
    const node = fakeNode(() => ledger);
    let t = NOW;
    const updates: number[] = [];
    const trust = refreshingLedgerTrustSource({
      url: 'https://ledger.example',
      logKey: logKey.publicJwk,
      fetch: (i, init) => node.fetch(i, init),
      refreshInterval: 60,
      maxAge: 600,
      clock: () => t,
      onUpdate: (v) => {
        updates.push(v.head.treeSize);
      },
    });
    expect(trust.current()).toBeUndefined();
    await expect(trust.issuerMayIssue(ISS, VCT_ID, NOW)).resolves.toBe(true);
    expect(trust.ledgerId()).toBe(ledgerId);
    expect(node.calls).toBe(1);
    await trust.issuerMayIssue(ISS, VCT_ID, NOW);
    expect(node.calls).toBe(1);
    t += 61;
    await trust.issuerMayIssue(ISS, VCT_ID, NOW);
    await expect(trust.refresh()).resolves.toBe('not-modified');
    expect(trust.current()?.confirmedAt).toBe(t);
    expect(trust.freshFor(t)).toBe(600);
    expect(updates).toEqual([5]);
  });

  test('refuses a rolled-back node head (ERR_LEDGER_ROLLBACK) and a forked one (ERR_LEDGER_SPLIT_VIEW), keeping its state', async () => {
    const node = fakeNode(() => ledger);
    let t = NOW;
    const trust = refreshingLedgerTrustSource({
      url: 'https://ledger.example',
      logKey: logKey.publicJwk,
      ledgerId,
      fetch: (i, init) => node.fetch(i, init),
      refreshInterval: 60,
      maxAge: 600,
      clock: () => t,
    });
    await trust.refresh();
    expect(trust.current()?.head.treeSize).toBe(5);
    node.serveSize = 4; // the node went back: its old head, validly signed
    await expect(trust.refresh()).rejects.toMatchObject({ code: 'ERR_LEDGER_ROLLBACK' });
    expect(trust.lastError()?.code).toBe('ERR_LEDGER_ROLLBACK');
    expect(trust.current()?.head.treeSize).toBe(5);
    // The revocation the rolled-back view would hide still holds.
    await expect(trust.issuerKeys(ISS, NOW)).resolves.toMatchObject({ keys: [] });

    // Same size, another history under the same log key: a split view.
    const forked = createMemoryLedger({ signer: logKey.signer, clock: () => clock.now });
    clock.now = START;
    for (let i = 0; i < 4; i++) await forked.append((await ledger.entry(i)).entry);
    clock.now = NOW - 600;
    await forked.append(
      await signedBy(
        {
          typ: 'rp.remove',
          iat: NOW - 600,
          exp: NOW,
          rp: 'bank',
          effectiveAt: NOW - 600,
        },
        [f.agencies[1], f.agencies[2]],
        ledgerId,
      ),
    );
    clock.now = NOW;
    node.serveSize = undefined;
    node.source = () => forked;
    t += 61;
    await expect(trust.refresh()).rejects.toMatchObject({ code: 'ERR_LEDGER_SPLIT_VIEW' });
    await expect(trust.relyingParty('bank', NOW)).resolves.toMatchObject({ id: 'bank' });
  });

  test('keeps the last verified state while the node is unreachable, then fails closed after its maximum age', async () => {
    const node = fakeNode(() => ledger);
    let t = NOW;
    const trust = refreshingLedgerTrustSource({
      url: 'https://ledger.example',
      logKey: logKey.publicJwk,
      ledgerId,
      fetch: (i, init) => node.fetch(i, init),
      refreshInterval: 60,
      maxAge: 600,
      retryInterval: 5,
      clock: () => t,
    });
    await trust.refresh();
    node.down = true;
    t += 300;
    await expect(trust.issuerMayIssue(ISS, VCT_ID, NOW)).resolves.toBe(true);
    await expect(trust.refresh()).rejects.toMatchObject({ code: 'ERR_LEDGER_UNAVAILABLE' });
    t += 301;
    expect(trust.freshFor(t)).toBeLessThan(0);
    await expect(trust.issuerMayIssue(ISS, VCT_ID, NOW)).rejects.toMatchObject({
      code: 'ERR_LEDGER_SNAPSHOT_STALE',
    });
    const p = await present(await issue(keys, { iat: REVOKED_AT - 1 }), [['name']]);
    await expect(verifyPresentation(p, policy(trust))).rejects.toMatchObject({
      code: 'ERR_LEDGER_SNAPSHOT_STALE',
    });
    node.down = false;
    t += 5;
    await expect(trust.issuerMayIssue(ISS, VCT_ID, NOW)).resolves.toBe(true);

    // Never verified anything: nothing is trusted.
    const cold = refreshingLedgerTrustSource({
      url: 'https://ledger.example',
      logKey: logKey.publicJwk,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
      clock: () => t,
    });
    await expect(cold.relyingParty('bank', NOW)).rejects.toMatchObject({
      code: 'ERR_TRUST_SOURCE_UNAVAILABLE',
    });
  });

  test('restores a stored snapshot (verified again) and counts its age from the stored confirmation', async () => {
    let t = NOW;
    const down = async (): Promise<Response> => {
      throw new TypeError('fetch failed');
    };
    const trust = refreshingLedgerTrustSource({
      url: 'https://ledger.example',
      logKey: logKey.publicJwk,
      ledgerId,
      restore: { snapshot: after, confirmedAt: NOW - 500 },
      fetch: down,
      maxAge: 600,
      clock: () => t,
    });
    await expect(trust.issuerMayIssue(ISS, VCT_ID, NOW)).resolves.toBe(true);
    t += 101;
    await expect(trust.issuerMayIssue(ISS, VCT_ID, NOW)).rejects.toMatchObject({
      code: 'ERR_LEDGER_SNAPSHOT_STALE',
    });
    // A tampered stored snapshot is not used.
    const tampered = structuredClone(after) as unknown as { state: { name: string } };
    tampered.state.name = 'forged';
    const bad = refreshingLedgerTrustSource({
      url: 'https://ledger.example',
      logKey: logKey.publicJwk,
      restore: { snapshot: tampered, confirmedAt: NOW },
      fetch: down,
      clock: () => NOW,
    });
    await expect(bad.issuerMayIssue(ISS, VCT_ID, NOW)).rejects.toMatchObject({
      code: 'ERR_TRUST_SOURCE_UNAVAILABLE',
    });
  });
});

describe('offline trust bundle with the ledger snapshot', () => {
  let pinned: TrustedKey[];

  /** A bundle naming the head of `of` (default `after`), carrying `snapshot` (default `of`). */
  async function ledgerBundle(
    options: { of?: TrustSnapshot; snapshot?: unknown; include?: boolean } = {},
  ) {
    const of = options.of ?? after;
    const snapshot = (options.snapshot ?? of) as TrustSnapshot;
    const { head, state } = await verifySnapshot(of, { logKey: logKey.publicJwk });
    const data = ledgerTrustData(state, NOW - 3600);
    return createTrustBundle(
      {
        issuers: [...data.issuers, registryRecord(keys)],
        relyingParties: data.relyingParties,
        statusLists: [{ uri: STATUS_URI, token: await statusToken(keys) }],
        ledger: {
          ledgerId,
          treeSize: head.treeSize,
          rootHash: head.rootHash,
          logKey: logKey.publicJwk,
          ...(options.include === false ? {} : { snapshot }),
        },
      },
      { signer: keys.registry.signer, iss: REGISTRY, now: NOW - 3600 },
    );
  }

  beforeAll(() => {
    pinned = [{ kid: keys.registry.kid, jwk: keys.registry.publicJwk }];
  });

  test('verifies with no network: issuers and parties from the ledger state, the bundle status lists', async () => {
    const text = await ledgerBundle();
    const bundle = await openTrustBundle(text, {
      keys: pinned,
      clock: () => NOW,
      ledger: { logKey: logKey.publicJwk, ledgerId, required: true },
    });
    expect(bundle.ledger).toMatchObject({ ledgerId, treeSize: 5 });
    // (Without a status: the issuer's only key is revoked, so its new lists no longer verify.)
    const early = await present(await issue(keys, { iat: REVOKED_AT - 1, status: false }), [
      ['name'],
    ]);
    await expect(
      verifyPresentation(early, { ...policy(bundle), statusLists: bundle.statusLists }),
    ).resolves.toMatchObject({ iss: ISS, status: 'none' });
    // The ledger's revocation decides, although the payload's issuer list (for older readers)
    // was made before it took effect.
    const late = await present(await issue(keys, { iat: NOW - 60 }), [['name']]);
    await expect(
      verifyPresentation(late, { ...policy(bundle), statusLists: bundle.statusLists }),
    ).rejects.toMatchObject({ code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED' });
    await expect(bundle.relyingParty('bank', NOW)).resolves.toMatchObject({
      ledger: { ledgerId, index: 3 },
    });
    // The registry itself is trusted for attestations from the payload.
    await expect(
      bundle.issuerMayIssue(REGISTRY, 'urn:openmid:verifier-attestation:1', NOW),
    ).resolves.toBe(true);
    // And the bundle's own maximum age still applies.
    await expect(bundle.issuerMayIssue(ISS, VCT_ID, NOW + 8 * 86_400)).rejects.toMatchObject({
      code: 'ERR_OFFLINE_BUNDLE_STALE',
    });
  });

  test('an older reader still finds issuers and parties in the payload', async () => {
    const bundle = await openTrustBundle(await ledgerBundle({ of: before }), {
      keys: pinned,
      clock: () => NOW,
    });
    expect(bundle.issuers.map((i) => i.id)).toContain(ISS);
    expect(bundle.relyingParties.map((r) => r.id)).toEqual(['bank']);
  });

  test('refuses a tampered snapshot, another log key, and a referenced snapshot that is missing or another', async () => {
    const tampered = structuredClone(after) as unknown as {
      records: { entry: { body: { issuer?: { types?: string[] } } } }[];
    };
    const types = tampered.records.find((r) => r.entry?.body?.issuer?.types !== undefined)?.entry
      .body.issuer?.types;
    if (types === undefined) throw new Error('no issuer registration in the snapshot');
    types.push('urn:forged');
    await expect(
      openTrustBundle(await ledgerBundle({ snapshot: tampered }), {
        keys: pinned,
        clock: () => NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_OFFLINE_BUNDLE_INVALID' });
    const text = await ledgerBundle();
    const wrongKey = (await generateKeyPair('ES256')).publicJwk;
    await expect(
      openTrustBundle(text, { keys: pinned, clock: () => NOW, ledger: { logKey: wrongKey } }),
    ).rejects.toMatchObject({ code: 'ERR_OFFLINE_BUNDLE_INVALID' });
    const referenced = await ledgerBundle({ include: false });
    await expect(
      openTrustBundle(referenced, { keys: pinned, clock: () => NOW }),
    ).rejects.toMatchObject({ code: 'ERR_OFFLINE_BUNDLE_INVALID' });
    await expect(
      openTrustBundle(referenced, { keys: pinned, clock: () => NOW, ledger: { snapshot: before } }),
    ).rejects.toMatchObject({ code: 'ERR_OFFLINE_BUNDLE_INVALID' });
    const opened = await openTrustBundle(referenced, {
      keys: pinned,
      clock: () => NOW,
      ledger: { snapshot: after },
    });
    expect(opened.ledger?.treeSize).toBe(5);
  });

  test('an earlier-format bundle opens as before, unless the device requires the ledger', async () => {
    const old = await createTrustBundle(
      { issuers: [registryRecord(keys)], relyingParties: [], statusLists: [] },
      { signer: keys.registry.signer, iss: REGISTRY, now: NOW - 60 },
    );
    await expect(openTrustBundle(old, { keys: pinned, clock: () => NOW })).resolves.toBeDefined();
    await expect(
      openTrustBundle(old, { keys: pinned, clock: () => NOW, ledger: { required: true } }),
    ).rejects.toMatchObject({ code: 'ERR_OFFLINE_BUNDLE_INVALID' });
  });
});
