/**
 * @module test/harness
 * Test helpers: an issuer on a given store with a temporary DATA_DIR and a fake clock, an admin
 * API key, and a minimal wallet (DPoP key, key proofs) that drives the endpoints in process
 * through `app.request`. Used by the unit and e2e suites; not part of the service.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCompactJws } from '@openmid/core/jose';
import { type GeneratedKeyPair, generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { createApiKey, type Logger, type Sql, silentLogger, staticKms } from '@openmid/server-kit';
import { loadIssuerConfig } from '../config.js';
import type { IssuerContext } from '../context.js';
import { ADMIN_SCOPES, createIssuer, type Issuer } from '../main.js';
import { accessTokenHash } from '../oauth/dpop.js';
import { PRE_AUTHORIZED_GRANT } from '../services/offers.js';
import { demoCitizenId, seedDemoRegister } from '../services/register.js';

useNodeCrypto();

/** A settable clock in seconds. */
export interface TestClock {
  now: number;
  (): number;
}

/** A clock starting at 2026-03-02T00:00:00Z that tests move by hand. */
export function testClock(start = Date.parse('2026-03-02T00:00:00Z') / 1000): TestClock {
  const f = (() => f.now) as TestClock;
  f.now = start;
  return f;
}

/** A test issuer. */
export interface TestIssuer {
  readonly issuer: Issuer;
  readonly ctx: IssuerContext;
  readonly clock: TestClock;
  readonly adminKey: string;
  readonly dir: string;
  request(path: string, init?: RequestInit): Promise<Response>;
  admin(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

/** Create an issuer on `sql` (already migrated), with `citizens` demo citizens seeded. */
export async function makeIssuer(
  sql: Sql,
  options: {
    readonly env?: Record<string, string>;
    readonly citizens?: number;
    readonly logger?: Logger;
    readonly dir?: string;
    readonly kmsKey?: Uint8Array;
  } = {},
): Promise<TestIssuer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'openmid-issuer-'));
  const config = loadIssuerConfig({
    DATA_DIR: dir,
    NODE_ENV: 'test',
    ISSUER_URL: 'https://issuer.example',
    ISSUER_RATE_LIMIT: '0',
    ISSUER_SEED_CITIZENS: '0',
    ISSUER_STATUS_LIST_SIZE: '4096',
    ISSUER_SEED: 'openmid-test',
    ...options.env,
  });
  const clock = testClock();
  const issuer = await createIssuer({
    config,
    sql,
    kms: staticKms([options.kmsKey ?? new Uint8Array(32).fill(7)]),
    logger: options.logger ?? silentLogger(),
    clock,
    allocationBlock: 16,
  });
  // Inside tests the IdP is reached in process.
  (issuer.ctx as { fetch: unknown }).fetch = (input: string | Request, init?: RequestInit) =>
    issuer.app.request(input, init);
  await seedDemoRegister(issuer.ctx, { count: options.citizens ?? 3, seed: 'openmid-test' });
  const { token } = await sql.transaction((tx) =>
    createApiKey(tx, { label: 'test-admin', scopes: ADMIN_SCOPES, actor: 'system' }),
  );
  const request = (path: string, init?: RequestInit): Promise<Response> =>
    Promise.resolve(
      issuer.app.request(path.startsWith('http') ? path : `https://issuer.example${path}`, init),
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
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return request(path, { ...init, headers, ...(body === undefined ? {} : { body }) });
    },
  };
}

/** A wallet on one device: its DPoP key and helpers to build requests. */
export interface TestWallet {
  readonly dpopKey: GeneratedKeyPair;
  readonly deviceId: string;
  dpop(method: string, url: string, extra?: Record<string, unknown>): Promise<string>;
  proof(options?: {
    nonce?: string | undefined;
    aud?: string;
    iat?: number;
    key?: GeneratedKeyPair;
    typ?: string;
    header?: Record<string, unknown>;
  }): Promise<{ jwt: string; key: GeneratedKeyPair }>;
  token(code: string, txCode: string | undefined, extra?: { dpop?: string }): Promise<Response>;
  nonce(): Promise<string>;
  credential(
    accessToken: string,
    body: unknown,
    extra?: { dpop?: string | null; scheme?: string },
  ): Promise<Response>;
}

/** Create a wallet that talks to `t`. */
export async function makeWallet(t: TestIssuer): Promise<TestWallet> {
  const dpopKey = await generateKeyPair('ES256');
  const base = t.ctx.urls;
  const wallet: TestWallet = {
    dpopKey,
    deviceId: jwkThumbprint(dpopKey.publicJwk),
    dpop(method, url, extra = {}) {
      return signCompactJws(
        {
          jti: randomBytes(12).toString('base64url'),
          htm: method,
          htu: url,
          iat: t.clock(),
          ...extra,
        },
        { typ: 'dpop+jwt', signer: dpopKey.signer, header: { jwk: dpopKey.publicJwk } },
      );
    },
    async proof(o = {}) {
      const key = o.key ?? (await generateKeyPair('ES256'));
      const payload: Record<string, unknown> = {
        aud: o.aud ?? base.issuer,
        iat: o.iat ?? t.clock(),
      };
      if (o.nonce !== undefined) payload['nonce'] = o.nonce;
      const jwt = await signCompactJws(payload, {
        typ: o.typ ?? 'openid4vci-proof+jwt',
        signer: key.signer,
        header: { jwk: key.publicJwk, ...o.header },
      });
      return { jwt, key };
    },
    async token(code, txCode, extra = {}) {
      const form = new URLSearchParams({
        grant_type: PRE_AUTHORIZED_GRANT,
        'pre-authorized_code': code,
      });
      if (txCode !== undefined) form.set('tx_code', txCode);
      return t.request('/token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          dpop: extra.dpop ?? (await wallet.dpop('POST', base.token)),
        },
        body: form.toString(),
      });
    },
    async nonce() {
      const r = await t.request('/nonce', { method: 'POST' });
      return ((await r.json()) as { c_nonce: string }).c_nonce;
    },
    async credential(accessToken, body, extra = {}) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        authorization: `${extra.scheme ?? 'DPoP'} ${accessToken}`,
      };
      const dpop =
        extra.dpop === undefined
          ? await wallet.dpop('POST', base.credential, { ath: accessTokenHash(accessToken) })
          : extra.dpop;
      if (dpop !== null) headers['dpop'] = dpop;
      return t.request('/credential', { method: 'POST', headers, body: JSON.stringify(body) });
    },
  };
  return wallet;
}

/** The pre-authorized code inside an offer URI (by value). */
export function codeOf(offerUri: string): string {
  const u = new URL(offerUri.replace('openid-credential-offer://', 'https://x/'));
  const offer = JSON.parse(u.searchParams.get('credential_offer') ?? '{}') as {
    grants: Record<string, { 'pre-authorized_code': string }>;
  };
  return offer.grants[PRE_AUTHORIZED_GRANT]?.['pre-authorized_code'] as string;
}

/** Create an offer through the admin API. */
export async function adminOffer(
  t: TestIssuer,
  body: { type?: string; citizen_id?: string; copies?: number } = {},
): Promise<{ credential_offer_uri: string; tx_code: string; offer_id: string; code: string }> {
  const r = await t.admin('/admin/offers', {
    method: 'POST',
    json: { type: 'resident-id', citizen_id: demoCitizenId(0), ...body },
  });
  if (r.status !== 201) throw new Error(`offer creation failed: ${r.status} ${await r.text()}`);
  const offer = (await r.json()) as {
    credential_offer_uri: string;
    tx_code: string;
    offer_id: string;
  };
  return { ...offer, code: codeOf(offer.credential_offer_uri) };
}

/** Offer → token: a DPoP-bound access token for `wallet`. */
export async function redeem(
  t: TestIssuer,
  wallet: TestWallet,
  body: { type?: string; citizen_id?: string; copies?: number } = {},
): Promise<{ accessToken: string; offerId: string; type: string }> {
  const offer = await adminOffer(t, body);
  const r = await wallet.token(offer.code, offer.tx_code);
  if (r.status !== 200) throw new Error(`token failed: ${r.status} ${await r.text()}`);
  const { access_token } = (await r.json()) as { access_token: string };
  return { accessToken: access_token, offerId: offer.offer_id, type: body.type ?? 'resident-id' };
}

/** The token endpoint's verb, called as the route calls it (errors keep their codes). */
export async function tokenCall(
  t: TestIssuer,
  wallet: TestWallet,
  form: Record<string, string>,
  dpopHeader?: string,
): Promise<{ access_token: string }> {
  const { verifyDpopProof } = await import('../oauth/dpop.js');
  const { exchangeToken } = await import('../services/token.js');
  const dpop = await verifyDpopProof({
    header: dpopHeader ?? (await wallet.dpop('POST', t.ctx.urls.token)),
    method: 'POST',
    url: t.ctx.urls.token,
    now: t.clock(),
  });
  return exchangeToken(t.ctx, form, dpop);
}

/** The credential endpoint's verb, called as the route calls it. */
export async function credentialCall(
  t: TestIssuer,
  wallet: TestWallet,
  accessToken: string,
  body: unknown,
  dpopHeader?: string,
): Promise<{ credentials: { credential: string }[]; notification_id: string }> {
  const { verifyDpopProof } = await import('../oauth/dpop.js');
  const { issueCredentials } = await import('../services/credential.js');
  const dpop = await verifyDpopProof({
    header:
      dpopHeader ??
      (await wallet.dpop('POST', t.ctx.urls.credential, { ath: accessTokenHash(accessToken) })),
    method: 'POST',
    url: t.ctx.urls.credential,
    accessToken,
    now: t.clock(),
  });
  const r = await issueCredentials(t.ctx, { token: accessToken, dpop, body });
  return { credentials: [...r.credentials], notification_id: r.notification_id };
}

/** Counts and offer rows that a rejected request must leave unchanged. */
export async function snapshot(sql: Sql): Promise<Record<string, unknown>> {
  const q = async (text: string) => (await sql.query(text)).rows;
  return {
    offers: await q('SELECT id, state, tx_attempts, token_hash FROM offers ORDER BY id'),
    credentials: await q('SELECT id, status FROM credentials ORDER BY id'),
    used: await q('SELECT count(*)::int AS n FROM used_once'),
    audit: await q('SELECT count(*)::int AS n FROM audit_log'),
    lists: await q('SELECT id, version FROM status_lists ORDER BY id'),
  };
}

/** Issue `copies` credentials of `type` to `wallet`; returns the response and the credential ids. */
export async function issue(
  t: TestIssuer,
  wallet: TestWallet,
  body: { type?: string; citizen_id?: string; copies?: number } = {},
): Promise<{
  offerId: string;
  accessToken: string;
  ids: string[];
  notificationId: string;
  credentials: string[];
  holderJkts: string[];
}> {
  const a = await redeem(t, wallet, body);
  const nonce = await wallet.nonce();
  const jwts: string[] = [];
  for (let i = 0; i < (body.copies ?? 1); i++) jwts.push((await wallet.proof({ nonce })).jwt);
  const r = await credentialCall(t, wallet, a.accessToken, {
    credential_configuration_id: a.type,
    proofs: { jwt: jwts },
  });
  const rows = await t.ctx.sql.query<{ id: string; holder_jkt: string }>(
    'SELECT id, holder_jkt FROM credentials WHERE offer_id = $1 ORDER BY id',
    [a.offerId],
  );
  return {
    offerId: a.offerId,
    accessToken: a.accessToken,
    ids: rows.rows.map((x) => x.id),
    holderJkts: rows.rows.map((x) => x.holder_jkt),
    notificationId: r.notification_id,
    credentials: r.credentials.map((c) => c.credential),
  };
}

/** The status of entry `idx` in the PUBLISHED list `uri` (fetched and verified like a verifier). */
export async function publishedStatus(t: TestIssuer, uri: string, idx: number): Promise<number> {
  const { verifyStatusListToken } = await import('@openmid/core/status-list');
  const { verifierFromJwk } = await import('@openmid/core/keys');
  const r = await t.request(uri);
  if (r.status !== 200) throw new Error(`status list ${r.status}`);
  const { list } = await verifyStatusListToken(await r.text(), {
    uri,
    key: await verifierFromJwk(t.ctx.secrets.publicJwk),
    now: t.clock(),
  });
  return list.get(idx);
}

/** The status reference of an issued credential. */
export function statusOf(credential: string): { uri: string; idx: number } {
  const payload = JSON.parse(
    Buffer.from(credential.split('~')[0]?.split('.')[1] ?? '', 'base64url').toString(),
  ) as { status: { status_list: { uri: string; idx: number } } };
  return payload.status.status_list;
}

/** Follow a browser through PAR → authorize → demo IdP → callback; returns the final redirect. */
export async function browserAuthorize(
  t: TestIssuer,
  par: Record<string, string>,
  options: {
    readonly citizen?: number;
    readonly reuseRequestUri?: (uri: string) => Promise<void>;
  } = {},
): Promise<{ location: URL; requestUri: string }> {
  const r = await t.request('/par', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(par).toString(),
  });
  if (r.status !== 201) throw new Error(`PAR ${r.status} ${await r.text()}`);
  const { request_uri } = (await r.json()) as { request_uri: string };
  const a = await t.request(
    `/authorize?${new URLSearchParams({ client_id: par['client_id'] ?? '', request_uri })}`,
  );
  if (a.status !== 302) throw new Error(`authorize ${a.status} ${await a.text()}`);
  await options.reuseRequestUri?.(request_uri);
  const login = await t.request(a.headers.get('location') as string);
  const html = await login.text();
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const chosen = await t.request('/demo-idp/authorize', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ticket: ticket.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))),
      citizen: String(options.citizen ?? 0),
    }).toString(),
  });
  if (chosen.status !== 303) throw new Error(`idp ${chosen.status} ${await chosen.text()}`);
  const cb = await t.request(chosen.headers.get('location') as string);
  if (cb.status !== 302) throw new Error(`callback ${cb.status} ${await cb.text()}`);
  return { location: new URL(cb.headers.get('location') as string), requestUri: request_uri };
}
