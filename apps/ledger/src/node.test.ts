/**
 * The node's HTTP API in process (`app.request`), on PGlite and on PostgreSQL: the shapes, the
 * development governance, audit of every append, limits, snapshot caching and the hostile cases.
 */
import { generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import {
  canonicalize,
  cosign,
  createWitness,
  type SignedEntry,
  stateToJson,
  toHex,
  verifyConsistency,
  verifyInclusion,
  verifyProvenAnswer,
  verifySnapshot,
  verifyTreeHead,
} from '@openmid/ledger';
import { createIssuerFixture, issuerKeyOf, issuerProfile } from '@openmid/ledger/testing';
import { assertAuditChain } from '@openmid/server-kit';
import { describeStores } from '@openmid/server-kit/testing';
import { beforeEach, describe, expect, test } from 'vitest';
import { nodeMigrations } from './node.js';
import { createTestLedgerNode, type TestLedgerNode } from './testing.js';

const ISSUER = 'https://id.mois.go.kr';
const PID = 'urn:openmid:kr:resident-id:1';
const TABLES =
  'ledger_cosignatures, ledger_heads, ledger_subjects, ledger_nodes, ledger_records, ledger_meta';

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

describeStores(
  'ledger node HTTP API',
  ({ sql }) => {
    let t: TestLedgerNode;
    let issuer: Awaited<ReturnType<typeof createIssuerFixture>>;

    const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      t.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const admin = { authorization: '' };
    const registration = (): SignedEntry => ({
      body: {
        typ: 'issuer.register',
        iat: t.clock.now,
        exp: t.clock.now + 3600,
        issuer: issuerProfile(ISSUER, [PID], t.clock.now - 60),
        keys: [issuerKeyOf(issuer.keys[0] as (typeof issuer.keys)[number], t.clock.now - 60)],
      },
      signatures: [],
    });
    const anchor = async (uri: string): Promise<SignedEntry> => {
      const k = issuer.keys[0] as (typeof issuer.keys)[number];
      return cosign(
        {
          body: {
            typ: 'anchor.status-list',
            iat: t.clock.now,
            exp: t.clock.now + 3600,
            issuer: ISSUER,
            uri,
            digest: toHex(new Uint8Array(32).fill(3)),
            issuedAt: t.clock.now,
          },
          signatures: [],
        },
        k.signer,
        { ledgerId: t.ledgerId as string, kid: k.kid },
      );
    };
    const auditRows = async (action: string) =>
      (
        await sql().query<{ actor: string; details: Record<string, unknown> }>(
          'SELECT actor, details FROM audit_log WHERE action = $1 ORDER BY seq',
          [action],
        )
      ).rows;

    beforeEach(async () => {
      await sql().exec(`TRUNCATE ${TABLES}`);
      t = await createTestLedgerNode({ sql: sql() });
      admin.authorization = `Bearer ${t.adminKey}`;
      issuer ??= await createIssuerFixture(ISSUER);
      return () => t.close();
    });

    test('GET /v1/ledger names the ledger, its log key (the anchor to pin) and the backend', async () => {
      const r = await t.request('/v1/ledger');
      expect(r.status).toBe(200);
      const info = await r.json();
      expect(info).toMatchObject({
        ledgerId: t.ledgerId,
        name: 'OpenMID development trust ledger',
        backend: 'embedded',
        treeSize: 1,
        development: true,
      });
      const { kid, ...jwk } = info.logKey;
      expect(kid).toBe(jwkThumbprint(jwk));
      // The genesis names the three demo agencies with a 2-of-3 quorum, each key file 0600.
      const state = await t.node.ctx.backend.ledger.state();
      expect(state.governance?.quorum).toBe(2);
      expect(state.governance?.keys.map((k) => k.kid).sort()).toEqual(
        t.governance.agencies.map((a) => a.kid).sort(),
      );
      const { statSync } = await import('node:fs');
      for (const a of t.governance.agencies) expect(statSync(a.file).mode & 0o777).toBe(0o600);
      expect(await auditRows('ledger.genesis')).toHaveLength(1);
    });

    test('the OpenAPI document describes every route', async () => {
      const doc = await (await t.request('/openapi.json')).json();
      for (const p of [
        '/v1/ledger',
        '/v1/tree-head',
        '/v1/entries',
        '/v1/entries/{index}',
        '/v1/entries/by-id/{entryId}',
        '/v1/proofs/inclusion',
        '/v1/proofs/consistency',
        '/v1/query',
        '/v1/snapshot',
        '/v1/cosignatures',
        '/v1/dev/countersign',
      ]) {
        expect(Object.keys(doc.paths)).toContain(p);
      }
    });

    test('tree heads verify with the log key; an unknown size is 404', async () => {
      const r = await t.request('/v1/tree-head');
      const head = await r.json();
      expect(r.headers.get('cache-control')).toBe('no-store');
      const verified = await verifyTreeHead(head.jws, { logKey: t.logKey, ledgerId: t.ledgerId });
      expect(verified).toMatchObject({ treeSize: 1, rootHash: head.rootHash });
      const missing = await t.request('/v1/tree-head?treeSize=99');
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ code: 'ERR_LEDGER_NOT_FOUND' });
    });

    test('the development governance countersigns a registration; an anchor needs no key; both are audited', async () => {
      const r = await json('/v1/dev/countersign', registration(), admin);
      expect(r.status).toBe(201);
      const receipt = await r.json();
      expect(receipt).toMatchObject({ status: 'confirmed', index: 1 });
      const e = await (await t.request('/v1/entries/1')).json();
      expect(e.entry.signatures).toHaveLength(2);
      expect(await auditRows('ledger.dev_countersign')).toEqual([
        expect.objectContaining({
          actor: expect.stringMatching(/^apikey:/),
          details: { typ: 'issuer.register', status: 'confirmed', index: 1 },
        }),
      ]);
      const a = await json('/v1/entries', await anchor('https://id.mois.go.kr/status/1'));
      expect(a.status).toBe(201);
      const status = await (
        await t.request(`/v1/entries/by-id/${(await a.json()).entryId}`)
      ).json();
      expect(status).toEqual({ status: 'confirmed', index: 2 });
      expect(await auditRows('ledger.append')).toEqual([
        expect.objectContaining({
          actor: 'public',
          details: { typ: 'anchor.status-list', status: 'confirmed', index: 2 },
        }),
      ]);
      await assertAuditChain(sql());
    });

    // Hostile (issue 6 §4 tests): one governance signature where the quorum is two.
    test('an entry with one signature of a 2-of-3 quorum is refused and changes nothing', async () => {
      const ledger = t.node.ctx.backend.ledger;
      const before = canonicalize(stateToJson(await ledger.state()));
      const head = await ledger.treeHead();
      const audits = (await sql().query('SELECT seq FROM audit_log')).rows.length;
      const agency = t.governance.agencies[0] as (typeof t.governance.agencies)[number];
      const entry = await cosign(registration(), agency.signer, {
        ledgerId: t.ledgerId as string,
        kid: agency.kid,
      });
      expect(entry.signatures).toHaveLength(1);
      const r = await json('/v1/entries', entry);
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ code: 'ERR_LEDGER_QUORUM_NOT_MET' });
      expect(canonicalize(stateToJson(await ledger.state()))).toBe(before);
      const after = await ledger.treeHead();
      expect([after.treeSize, after.rootHash]).toEqual([head.treeSize, head.rootHash]);
      expect((await sql().query('SELECT seq FROM audit_log')).rows.length).toBe(audits);
    });

    test('a genesis entry needs an admin key with ledger:genesis', async () => {
      const g = (await t.request('/v1/entries/0').then((r) => r.json())).entry;
      const anon = await json('/v1/entries', g);
      expect(anon.status).toBe(401);
      expect(await anon.json()).toMatchObject({ code: 'ERR_AUTH_REQUIRED' });
      // With the key it reaches the ledger, which has its genesis already.
      const withKey = await json('/v1/entries', g, admin);
      expect(await withKey.json()).toMatchObject({ code: 'ERR_LEDGER_ENTRY_INVALID' });
    });

    test('the countersign endpoint needs its scope and countersigns registrations only', async () => {
      expect((await json('/v1/dev/countersign', registration())).status).toBe(401);
      const r = await json('/v1/dev/countersign', await anchor('https://id.mois.go.kr/s/1'), admin);
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ code: 'ERR_LEDGER_UNAUTHORISED' });
      expect(await auditRows('ledger.dev_countersign.refused')).toEqual([
        expect.objectContaining({
          details: { typ: 'anchor.status-list', errorCode: 'ERR_LEDGER_UNAUTHORISED' },
        }),
      ]);
    });

    test('proofs, queries and entries verify against signed heads', async () => {
      await json('/v1/dev/countersign', registration(), admin);
      const head1 = await t.node.ctx.backend.ledger.treeHead(1);
      await json('/v1/entries', await anchor('https://id.mois.go.kr/status/1'));
      const head = await (await t.request('/v1/tree-head')).json();
      const inc = await (await t.request('/v1/proofs/inclusion?index=1')).json();
      expect(
        verifyInclusion(
          { index: 1, size: inc.treeSize, path: inc.path.map(hex) },
          hex(inc.leafHash),
          hex(head.rootHash),
        ),
      ).toBe(true);
      const cons = await (await t.request('/v1/proofs/consistency?first=1')).json();
      expect(
        verifyConsistency(
          { first: 1, second: head.treeSize, path: cons.path.map(hex) },
          hex(head1.rootHash),
          hex(head.rootHash),
        ),
      ).toBe(true);
      expect((await t.request('/v1/proofs/inclusion?index=9')).status).toBe(404);
      const opts = { logKey: t.logKey, ledgerId: t.ledgerId as string };
      const posted = await (
        await json('/v1/query', { q: 'issuer-keys', issuer: ISSUER, at: t.clock.now })
      ).json();
      expect(await verifyProvenAnswer(posted, opts)).toMatchObject({ trusted: true });
      const got = await (
        await t.request(
          `/v1/query?q=rp-claim&rp=bank&vct=${encodeURIComponent(PID)}&claim=${encodeURIComponent('["name"]')}&at=${t.clock.now}`,
        )
      ).json();
      expect(await verifyProvenAnswer(got, opts)).toMatchObject({
        allowed: false,
        reason: 'unknown',
      });
      const bad = await t.request('/v1/query?q=issuer-keys&issuer=x&at=soon');
      expect(await bad.json()).toMatchObject({ code: 'ERR_INPUT_INVALID' });
    });

    test('snapshots: verified offline, ETag and 304, consistency from a held head', async () => {
      await json('/v1/dev/countersign', registration(), admin);
      const r = await t.request('/v1/snapshot?statusLists=all');
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('public, max-age=60');
      const etag = r.headers.get('etag') as string;
      expect(etag).toMatch(/^W\/"/);
      const snap = await r.json();
      const v = await verifySnapshot(snap, { logKey: t.logKey, ledgerId: t.ledgerId as string });
      expect(v.state.issuers.has(ISSUER)).toBe(true);
      const again = await t.request('/v1/snapshot?statusLists=all', {
        headers: { 'if-none-match': etag },
      });
      expect(again.status).toBe(304);
      const held = { treeSize: v.head.treeSize, rootHash: v.head.rootHash };
      await json('/v1/entries', await anchor('https://id.mois.go.kr/status/1'));
      const next = await t.request(
        `/v1/snapshot?statusLists=all&sinceSize=${held.treeSize}&sinceRoot=${held.rootHash}`,
        { headers: { 'if-none-match': etag } },
      );
      expect(next.status).toBe(200);
      expect(next.headers.get('etag')).not.toBe(etag);
      const s2 = await next.json();
      const v2 = await verifySnapshot(s2, {
        logKey: t.logKey,
        ledgerId: t.ledgerId as string,
        previousHead: held,
      });
      expect(v2.state.statusLists.get('https://id.mois.go.kr/status/1')?.issuer).toBe(ISSUER);
    });

    test('witness cosignatures are stored and carried by snapshots', async () => {
      const w = await generateKeyPair('ES256');
      const witness = createWitness({
        signer: w.signer,
        logKey: t.logKey,
        ledgerId: t.ledgerId as string,
      });
      const head = await (await t.request('/v1/tree-head')).json();
      const cosignature = await witness.cosign(head.jws);
      const r = await json('/v1/cosignatures', { cosignature, witnessKey: w.publicJwk });
      expect(r.status).toBe(201);
      expect(await r.json()).toEqual({ treeSize: head.treeSize });
      const snap = await (await t.request('/v1/snapshot')).json();
      await verifySnapshot(snap, {
        logKey: t.logKey,
        witnesses: { keys: [w.publicJwk], threshold: 1 },
      });
      const other = await generateKeyPair('ES256');
      const wrong = await json('/v1/cosignatures', { cosignature, witnessKey: other.publicJwk });
      expect(await wrong.json()).toMatchObject({ code: 'ERR_LEDGER_TREE_HEAD_INVALID' });
    });

    test('limits: submissions are rate-limited (429 + Retry-After), bodies size-limited (413)', async () => {
      await t.close();
      await sql().exec(`TRUNCATE ${TABLES}`);
      t = await createTestLedgerNode({ sql: sql(), env: { LEDGER_APPEND_RATE: '1' } });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await json('/v1/entries', { body: {} })).status);
      expect(statuses.slice(0, 4)).toEqual([400, 400, 400, 400]);
      const limited = await json('/v1/entries', { body: {} });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const big = await json('/v1/query', { q: 'document', digest: 'x'.repeat(20_000) });
      expect(big.status).toBe(413);
    });
  },
  { migrations: nodeMigrations({ OPENMID_LEDGER: 'embedded' }) },
);

describe('production node', () => {
  test('has no countersign endpoint and stores cosignatures of configured witnesses only', async () => {
    const { openPglite, migrate } = await import('@openmid/server-kit');
    const sql = await openPglite();
    await migrate(sql, nodeMigrations({ OPENMID_LEDGER: 'embedded' }));
    const t = await createTestLedgerNode({ sql, env: { NODE_ENV: 'production' } });
    try {
      expect(t.ledgerId).toBeUndefined();
      const info = await (await t.request('/v1/ledger')).json();
      expect(info).toMatchObject({ ledgerId: null, development: false, treeSize: 0 });
      const r = await t.request('/v1/dev/countersign', {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
        body: '{"body":{}}',
      });
      expect(r.status).toBe(404);
      const w = await generateKeyPair('ES256');
      const c = await t.request('/v1/cosignatures', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cosignature: 'a.b.c', witnessKey: w.publicJwk }),
      });
      expect(c.status).toBe(403);
      expect(await c.json()).toMatchObject({ code: 'ERR_AUTH_FORBIDDEN' });
    } finally {
      await t.close();
      await sql.close();
    }
  });
});
