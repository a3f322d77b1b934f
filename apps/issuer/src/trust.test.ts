/**
 * The issuer on the trust ledger (issue 6 §4): with ISSUER_LEDGER_URL it registers its iss, its
 * credential key and every credential type at start-up (development: countersigned by the demo
 * governance of the node), a credential's issuer key then resolves from a fresh, verified trust
 * snapshot (`resolveIssuerKey`), and every published status list token is anchored. The ledger
 * node runs in process (its `app.request` is the issuer's ledger fetch) on its own store.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCompactJws, verifyCompactJws } from '@openmid/core/jose';
import { generateKeyPair, verifierFromJwk } from '@openmid/core/keys';
import { MDL_DOCTYPE } from '@openmid/core/mdoc';
import { propose, resolveIssuerKey } from '@openmid/ledger';
import { fetchTrustSnapshot } from '@openmid/ledger/http';
import { nodeMigrations } from '@openmid/ledger-service';
import { createTestLedgerNode, type TestLedgerNode } from '@openmid/ledger-service/testing';
import { CREDENTIAL_TYPES } from '@openmid/profile-kr';
import {
  createApiKey,
  migrate,
  openPglite,
  type Sql,
  silentLogger,
  staticKms,
} from '@openmid/server-kit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadIssuerConfig } from './config.js';
import { ADMIN_SCOPES, ALL_MIGRATIONS, createIssuer, type Issuer } from './main.js';
import { seedDemoRegister } from './services/register.js';
import { issue, makeWallet, statusOf, type TestIssuer, testClock } from './test/harness.js';
import { ledgerTrustRegistration, registrationPlan } from './trust.js';

const ISSUER_URL = 'https://issuer.example';
const LEDGER_URL = 'http://ledger.test';

describe('issuer on the trust ledger', () => {
  let ledgerSql: Sql;
  let issuerSql: Sql;
  let node: TestLedgerNode;
  let clock: ReturnType<typeof testClock>;
  let dir: string;
  const started: Issuer[] = [];

  const start = async (env: Record<string, string> = {}): Promise<TestIssuer> => {
    const config = loadIssuerConfig({
      DATA_DIR: dir,
      NODE_ENV: 'development',
      ISSUER_URL,
      ISSUER_RATE_LIMIT: '0',
      ISSUER_SEED_CITIZENS: '0',
      ISSUER_STATUS_LIST_SIZE: '4096',
      ISSUER_LEDGER_URL: LEDGER_URL,
      ISSUER_LEDGER_ADMIN_KEY: node.adminKey,
      ISSUER_LEDGER_LOG_KEY: JSON.stringify(node.logKey),
      ...env,
    });
    const issuer = await createIssuer({
      config,
      sql: issuerSql,
      kms: staticKms([new Uint8Array(32).fill(7)]),
      logger: silentLogger(),
      clock,
      allocationBlock: 16,
      ledgerFetch: node.fetch,
    });
    started.push(issuer);
    (issuer.ctx as { fetch: unknown }).fetch = (input: string | Request, init?: RequestInit) =>
      issuer.app.request(input, init);
    const { token } = await issuerSql.transaction((tx) =>
      createApiKey(tx, { label: 'test-admin', scopes: ADMIN_SCOPES, actor: 'system' }),
    );
    const request = (path: string, init?: RequestInit): Promise<Response> =>
      Promise.resolve(
        issuer.app.request(path.startsWith('http') ? path : `${ISSUER_URL}${path}`, init),
      );
    return {
      issuer,
      ctx: issuer.ctx,
      clock,
      adminKey: token,
      dir,
      request,
      admin(path, init = {}) {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${token}`);
        if (init.json !== undefined) headers.set('content-type', 'application/json');
        return request(path, {
          ...init,
          headers,
          ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
        });
      },
    };
  };

  const snapshot = async () => {
    const r = await fetchTrustSnapshot({
      url: LEDGER_URL,
      fetch: node.fetch,
      logKey: node.logKey,
      ledgerId: node.ledgerId as string,
      statusLists: 'all',
    });
    if (r.status !== 'ok') throw new Error('no snapshot');
    return r;
  };

  beforeEach(async () => {
    clock = testClock();
    ledgerSql = await openPglite();
    await migrate(ledgerSql, nodeMigrations({ OPENMID_LEDGER: 'embedded' }));
    issuerSql = await openPglite();
    await migrate(issuerSql, ALL_MIGRATIONS);
    node = await createTestLedgerNode({ sql: ledgerSql, clock });
    dir = mkdtempSync(join(tmpdir(), 'openmid-issuer-ledger-'));
  });

  afterEach(async () => {
    for (const i of started.splice(0)) await i.stop();
    await node.close();
    await ledgerSql.close();
    await issuerSql.close();
  });

  test('registers itself at start-up; a credential key resolves from a fresh snapshot', async () => {
    const t = await start();
    const secrets = t.ctx.secrets;
    const before = await snapshot();
    const registered = before.state.issuers.get(ISSUER_URL);
    // The vcts and the mDL doctype (the licence is also issued as an mdoc, issue 7 §2).
    expect(registered?.versions[0]?.types).toEqual([
      ...CREDENTIAL_TYPES.map((c) => c.vct),
      MDL_DOCTYPE,
    ]);
    // The document signer's key is one of the issuer's registered keys.
    expect(registered?.keys.get(t.ctx.mdoc.documentSigner.publicJwk.kid)?.jwk.x).toBe(
      t.ctx.mdoc.documentSigner.publicJwk.x,
    );
    expect(registered?.versions[0]?.names).toEqual({
      ko: 'OpenMID 발급기관',
      en: 'OpenMID issuing agency',
    });

    await seedDemoRegister(t.ctx, { count: 1, seed: 'openmid-test' });
    const wallet = await makeWallet(t);
    clock.now += 5;
    const { credentials } = await issue(t, wallet, { type: 'driving-licence' });
    const jwt = (credentials[0] as string).split('~')[0] as string;
    const { header, payload } = decodeCompactJws(jwt);
    const fresh = await snapshot();
    const key = resolveIssuerKey(fresh.state, {
      issuer: payload['iss'] as string,
      kid: header['kid'] as string,
      at: payload['iat'] as number,
    });
    expect(key.kid).toBe(secrets.publicJwk.kid);
    // The key from the ledger verifies the credential (never the issuer's own JWKS).
    await verifyCompactJws(jwt, {
      typ: 'dc+sd-jwt',
      key: await verifierFromJwk(key.jwk, { alg: 'ES256' }),
    });
    // A key the ledger does not know does not resolve.
    expect(() =>
      resolveIssuerKey(fresh.state, { issuer: ISSUER_URL, kid: 'other', at: clock.now }),
    ).toThrow(expect.objectContaining({ code: 'ERR_LEDGER_NOT_FOUND' }));
  });

  test('every published status list token is anchored, revocations included', async () => {
    const t = await start();
    await seedDemoRegister(t.ctx, { count: 1, seed: 'openmid-test' });
    const wallet = await makeWallet(t);
    const { ids, credentials } = await issue(t, wallet, { type: 'resident-id' });
    await t.ctx.publisher.drain();
    const { uri } = statusOf(credentials[0] as string);
    const digestOf = async () =>
      createHash('sha256')
        .update(await (await t.request(uri)).text())
        .digest('hex');
    const anchored = async () => (await snapshot()).state.statusLists.get(uri);
    expect((await anchored())?.digest).toBe(await digestOf());
    clock.now += 10;
    const r = await t.admin(`/admin/credentials/${ids[0]}/revoke`, { method: 'POST' });
    expect(r.status).toBe(200);
    await t.ctx.publisher.drain();
    const after = await anchored();
    expect(after?.digest).toBe(await digestOf());
    expect(after?.issuer).toBe(ISSUER_URL);
  });

  test('a restart registers nothing twice; a new key and new types are added, not re-registered', async () => {
    // Registered earlier with another key and one type only.
    const old = await generateKeyPair('ES256', { kid: 'old-1' });
    const now = clock.now;
    await node.client().devCountersign(
      propose({
        typ: 'issuer.register',
        iat: now,
        exp: now + 3600,
        issuer: {
          id: ISSUER_URL,
          names: { ko: '옛 이름', en: 'Old name' },
          types: ['urn:openmid:kr:resident-id:1'],
          validFrom: now - 86_400,
        },
        keys: [
          {
            kid: 'old-1',
            jwk: { kty: 'EC', crv: 'P-256', x: old.publicJwk.x, y: old.publicJwk.y as string },
            validFrom: now - 86_400,
          },
        ],
      }),
    );
    clock.now += 10;
    await start();
    const state = (await snapshot()).state;
    const issuer = state.issuers.get(ISSUER_URL);
    // old-1, the credential key and the document-signer key.
    expect([...(issuer?.keys.keys() ?? [])].sort()).toHaveLength(3);
    expect(issuer?.versions.at(-1)?.types).toEqual([
      ...CREDENTIAL_TYPES.map((c) => c.vct),
      MDL_DOCTYPE,
    ]);
    const size = await node.client().size();
    const typs = await Promise.all(
      Array.from({ length: size }, async (_, i) => (await node.client().entry(i)).entry.body.typ),
    );
    expect(typs.filter((x) => x.startsWith('issuer.'))).toEqual([
      'issuer.register',
      'issuer.key.add', // the credential key
      'issuer.key.add', // the mdoc document signer
      'issuer.update',
    ]);
    // Restart: the registration is current, nothing is proposed again.
    for (const i of started.splice(0)) await i.stop();
    clock.now += 10;
    await start();
    expect(await node.client().size()).toBe(size);
  });

  test('an http ISSUER_URL off this machine cannot be registered: start-up fails fast with the configuration code', async () => {
    await expect(start({ ISSUER_URL: 'http://issuer.example' })).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    });
    expect(await node.client().size()).toBe(1);
  });

  test('a loopback ISSUER_URL registers on a development ledger (openmid start)', async () => {
    await start({ ISSUER_URL: 'http://localhost:7001' });
    const size = await node.client().size();
    const typs = await Promise.all(
      Array.from({ length: size }, async (_, i) => (await node.client().entry(i)).entry.body.typ),
    );
    expect(typs).toContain('issuer.register');
  });

  test('in production the proposals are written for the agencies, nothing is appended', async () => {
    await start({ NODE_ENV: 'production' });
    const files = readdirSync(join(dir, 'ledger-proposals'));
    expect(files).toHaveLength(1);
    const proposal = JSON.parse(
      readFileSync(join(dir, 'ledger-proposals', files[0] as string), 'utf8'),
    );
    expect(proposal).toMatchObject({ body: { typ: 'issuer.register' }, signatures: [] });
    expect(proposal.body.exp - proposal.body.iat).toBe(7 * 86_400);
    expect(await node.client().size()).toBe(1);
  });

  test('an unreachable ledger is retried in the background; a removed issuer is refused', async () => {
    const key = await generateKeyPair('ES256', { kid: 'k-1' });
    let up = false;
    const trust = ledgerTrustRegistration({
      connect: () =>
        node.client({
          fetch: (input, init) =>
            up ? node.fetch(input, init) : Promise.reject(new TypeError('connection refused')),
        }),
      signer: key.signer,
      kid: 'k-1',
      mode: 'development',
      proposalsDir: join(dir, 'proposals'),
      clock,
      logger: silentLogger(),
      retryMs: 20,
    });
    const registration = {
      iss: ISSUER_URL,
      name: { ko: '가', en: 'A' },
      keys: [key.publicJwk],
      credentialTypes: ['urn:openmid:kr:resident-id:1'],
      statusLists: [],
    };
    await trust.register(registration);
    expect(await node.client().size()).toBe(1);
    up = true;
    for (let i = 0; i < 100 && (await node.client().size()) < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await node.client().size()).toBe(2);
    await trust.close?.();
    expect(
      registrationPlan(
        undefined,
        { ...registration, credentialTypes: ['x', 'x'] },
        { now: 100, lifetime: 3600, validFrom: 40 },
      ),
    ).toMatchObject([
      { typ: 'issuer.register', issuer: { types: ['x'], validFrom: 40 }, exp: 3700 },
    ]);
    const removed = { id: ISSUER_URL, versions: [], keys: new Map(), removedAt: 50, entries: [] };
    expect(() => registrationPlan(removed, registration, { now: 100, lifetime: 3600 })).toThrow(
      expect.objectContaining({ code: 'ERR_LEDGER_CONFLICT' }),
    );
  });
});
