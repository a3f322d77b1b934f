/**
 * @module testing
 * `@openmid/issuer/testing`: a scripted holder for other services' tests — the OpenID4VCI 1.0
 * pre-authorized flow against a real issuer (in process or over HTTP): the offer (by value or by
 * reference), the token with its tx_code and a DPoP proof (RFC 9449), a `c_nonce`, one
 * `openid4vci-proof+jwt` per holder key, and the credential request — and an issuer registered on
 * a test ledger node, as `openmid start` runs one. Test support only: a wallet does this with
 * `apps/wallet`, an independent client with `@openid4vc/openid4vci`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, signCompactJws } from '@openmid/core/jose';
import { type GeneratedKeyPair, generateKeyPair, type PublicJwk } from '@openmid/core/keys';
import type { FetchLike } from '@openmid/ledger/http';
import { migrate, openPglite, type Sql, silentLogger, staticKms } from '@openmid/server-kit';
import { loadIssuerConfig } from './config.js';
import { ALL_MIGRATIONS, createIssuer, type Issuer } from './main.js';
import { accessTokenHash } from './oauth/dpop.js';
import { PRE_AUTHORIZED_GRANT } from './services/offers.js';
import { seedDemoRegister } from './services/register.js';

/** A fetch-like call with an absolute URL (e.g. `(u, i) => issuer.app.request(u, i)`). */
export type IssuerCall = (url: string, init?: RequestInit) => Response | Promise<Response>;

/** A credential offer (OpenID4VCI 1.0 §4.1.1), as far as a holder reads it. */
export interface CredentialOffer {
  readonly credential_issuer: string;
  readonly credential_configuration_ids: readonly string[];
  readonly grants: Record<string, { readonly 'pre-authorized_code'?: string }>;
}

/** The offer behind an `openid-credential-offer://` URI: by value, or fetched by reference. */
export async function readOffer(uri: string, call: IssuerCall): Promise<CredentialOffer> {
  const params = new URL(uri.replace('openid-credential-offer://', 'https://offer.invalid/'))
    .searchParams;
  const byValue = params.get('credential_offer');
  if (byValue !== null) return JSON.parse(byValue) as CredentialOffer;
  const reference = params.get('credential_offer_uri');
  if (reference === null) throw new Error('not a credential offer');
  return (await (await call(reference)).json()) as CredentialOffer;
}

async function expectOk(r: Response, what: string): Promise<Response> {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${await r.text()}`);
  return r;
}

/**
 * Redeem `offer` for `configurationId`: one credential per key in `holders` (a batch), each bound
 * to its key. Throws with the issuer's answer when a step is refused.
 */
export async function redeemOffer(options: {
  readonly call: IssuerCall;
  readonly offer: CredentialOffer;
  readonly txCode?: string;
  readonly configurationId: string;
  readonly holders: readonly GeneratedKeyPair[];
  /** Seconds since the epoch, for `iat` (the issuer's clock in tests that move it). */
  readonly now: () => number;
}): Promise<string[]> {
  const { call, offer, now } = options;
  const base = offer.credential_issuer;
  const code = offer.grants[PRE_AUTHORIZED_GRANT]?.['pre-authorized_code'];
  if (code === undefined) throw new Error('the offer has no pre-authorized code');
  const dpopKey = await generateKeyPair('ES256');
  const dpop = (htm: string, htu: string, extra: Record<string, unknown> = {}) =>
    signCompactJws(
      { jti: randomBytes(12).toString('base64url'), htm, htu, iat: now(), ...extra },
      { typ: 'dpop+jwt', signer: dpopKey.signer, header: { jwk: dpopKey.publicJwk } },
    );
  const form = new URLSearchParams({
    grant_type: PRE_AUTHORIZED_GRANT,
    'pre-authorized_code': code,
  });
  if (options.txCode !== undefined) form.set('tx_code', options.txCode);
  const token = await expectOk(
    await call(`${base}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        dpop: await dpop('POST', `${base}/token`),
      },
      body: form.toString(),
    }),
    'token',
  );
  const { access_token } = (await token.json()) as { access_token: string };
  const nonce = await expectOk(await call(`${base}/nonce`, { method: 'POST' }), 'nonce');
  const { c_nonce } = (await nonce.json()) as { c_nonce: string };
  const proofs = await Promise.all(
    options.holders.map((k) =>
      signCompactJws(
        { aud: base, iat: now(), nonce: c_nonce },
        { typ: 'openid4vci-proof+jwt', signer: k.signer, header: { jwk: k.publicJwk } },
      ),
    ),
  );
  const res = await expectOk(
    await call(`${base}/credential`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `DPoP ${access_token}`,
        dpop: await dpop('POST', `${base}/credential`, { ath: accessTokenHash(access_token) }),
      },
      body: JSON.stringify({
        credential_configuration_id: options.configurationId,
        proofs: { jwt: proofs },
      }),
    }),
    'credential',
  );
  const body = (await res.json()) as { credentials: { credential: string }[] };
  return body.credentials.map((c) => c.credential);
}

/** An issuer on its own in-memory PGlite, registered on a (test) ledger node at start-up. */
export interface LedgerIssuer {
  readonly issuer: Issuer;
  readonly sql: Sql;
  /** Its DATA_DIR (key files; `admin-api-key` after `bootstrapAdminKey`). */
  readonly dataDir: string;
  /** The first demo citizen (by id) whose register holds a record of `type`. */
  citizenWith(type: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Start an issuer at `url` that registers its iss, keys and types on the ledger node (development
 * governance), with `citizens` synthetic citizens seeded from `seed`.
 */
export async function startLedgerIssuer(options: {
  readonly url: string;
  readonly ledger: {
    readonly url: string;
    readonly adminKey: string;
    readonly logKey: PublicJwk;
    readonly fetch: FetchLike;
  };
  readonly clock: Clock;
  readonly seed: string;
  readonly citizens?: number;
}): Promise<LedgerIssuer> {
  const sql = await openPglite();
  await migrate(sql, ALL_MIGRATIONS);
  const dataDir = mkdtempSync(join(tmpdir(), `${options.seed}-issuer-`));
  const issuer = await createIssuer({
    config: loadIssuerConfig({
      DATA_DIR: dataDir,
      NODE_ENV: 'development',
      ISSUER_URL: options.url,
      ISSUER_RATE_LIMIT: '0',
      ISSUER_SEED_CITIZENS: '0',
      ISSUER_STATUS_LIST_SIZE: '4096',
      ISSUER_LEDGER_URL: options.ledger.url,
      ISSUER_LEDGER_ADMIN_KEY: options.ledger.adminKey,
      ISSUER_LEDGER_LOG_KEY: JSON.stringify(options.ledger.logKey),
    }),
    sql,
    kms: staticKms([new Uint8Array(32).fill(5)]),
    logger: silentLogger(),
    clock: options.clock,
    ledgerFetch: options.ledger.fetch,
  });
  await seedDemoRegister(issuer.ctx, { count: options.citizens ?? 6, seed: options.seed });
  return {
    issuer,
    sql,
    dataDir,
    async citizenWith(type) {
      const r = await sql.query<{ citizen_id: string }>(
        'SELECT citizen_id FROM register_records WHERE type = $1 ORDER BY citizen_id LIMIT 1',
        [type],
      );
      const id = r.rows[0]?.citizen_id;
      if (id === undefined) throw new Error(`no demo citizen holds a ${type}`);
      return id;
    },
    async close() {
      await issuer.stop();
      await sql.close();
    },
  };
}
