/**
 * Test support (imported by tests only, never by the app): the REAL issuer and verifier services
 * in process — their Hono apps answer the wallet's fetches, each on an in-memory PGlite — and a
 * wallet wired to them, with the relying-party helpers the protocol tests share.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALL_MIGRATIONS,
  createIssuer,
  type Issuer,
  loadIssuerConfig,
  seedDemoRegister,
} from '@openmid/issuer';
import {
  migrate,
  openPglite,
  SERVER_KIT_MIGRATIONS,
  silentLogger,
  staticKms,
} from '@openmid/server-kit';
import {
  createRpApiKey,
  createVerifier,
  loadVerifierConfig,
  seedDemoRelyingParties,
  VERIFIER_MIGRATIONS,
  type Verifier,
  verifierTrustRegistration,
} from '@openmid/verifier-service';
import { expect } from 'vitest';
import { memoryStore } from '../src/wallet/store.js';
import { createWallet, type Wallet } from '../src/wallet/wallet.js';

export const ISSUER = 'https://issuer.test';
export const VERIFIER = 'https://verifier.test';
export const PIN = '270419';

/** A presentation request as the verifier's RP API answers it. */
export interface AskedRequest {
  readonly transaction_id: string;
  readonly request_link: string;
  readonly same_device_url: string;
}

/** The services, a wallet using them, and the relying party's side. */
export interface Services {
  readonly issuer: Issuer;
  readonly verifier: Verifier;
  readonly wallet: Wallet;
  /** The fetch the wallet uses: ISSUER and VERIFIER answered in process, anything else fails. */
  readonly route: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  rpKey(rp: string): Promise<string>;
  /** `POST /v1/presentations` as relying party `rp` (expects 201). */
  ask(rp: string, body: Record<string, unknown>): Promise<AskedRequest>;
  /** `GET /v1/presentations/{id}` as relying party `rp`. */
  result(rp: string, id: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Start both services (demo relying parties and 2 demo citizens seeded) and a fresh wallet. */
export async function startServices(name: string): Promise<Services> {
  const vsql = await openPglite();
  const isql = await openPglite();
  await migrate(vsql, [...SERVER_KIT_MIGRATIONS, ...VERIFIER_MIGRATIONS]);
  await migrate(isql, ALL_MIGRATIONS);
  let issuer: Issuer | undefined;
  let verifier: Verifier | undefined;
  const route = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const app = url.startsWith(ISSUER)
      ? issuer?.app
      : url.startsWith(VERIFIER)
        ? verifier?.app
        : undefined;
    if (app === undefined) return Promise.reject(new TypeError('network'));
    // Hono's app.request knows nothing of these fetch-only options.
    const { signal: _s, redirect: _r, credentials: _c, cache: _k, ...rest } = init ?? {};
    return Promise.resolve(app.request(url, rest));
  };
  verifier = await createVerifier({
    config: loadVerifierConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), `${name}-verifier-`)),
      NODE_ENV: 'test',
      VERIFIER_URL: VERIFIER,
      VERIFIER_RATE_LIMIT: '0',
      VERIFIER_STATUS_MIN_TTL: '0',
      VERIFIER_OUTBOUND_INSECURE: 'true',
    }),
    sql: vsql,
    kms: staticKms([new Uint8Array(32).fill(3)]),
    logger: silentLogger(),
    fetch: route,
    resolve: async () => ['93.184.216.34'],
    background: false,
  });
  await seedDemoRelyingParties(verifier.ctx);
  issuer = await createIssuer({
    config: loadIssuerConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), `${name}-issuer-`)),
      NODE_ENV: 'test',
      ISSUER_URL: ISSUER,
      ISSUER_RATE_LIMIT: '0',
      ISSUER_SEED_CITIZENS: '0',
      ISSUER_STATUS_LIST_SIZE: '4096',
      ISSUER_STATUS_TTL: '1',
    }),
    sql: isql,
    kms: staticKms([new Uint8Array(32).fill(7)]),
    logger: silentLogger(),
    trust: verifierTrustRegistration(verifier.ctx),
  });
  await seedDemoRegister(issuer.ctx, { count: 2, seed: 'wallet-test' });
  const jwks = (await (await verifier.app.request(`${VERIFIER}/.well-known/jwks.json`)).json()) as {
    keys: { kid: string }[];
  };
  const wallet = createWallet({
    store: memoryStore(),
    fetch: route,
    vault: { iterations: 1000 },
    config: {
      walletUrl: 'https://wallet.test',
      helpline: '1688-0990',
      allowHttp: false,
      trust: {
        bundleUrl: `${VERIFIER}/v1/trust-bundle`,
        registryKeys: jwks.keys.map((k) => ({ kid: k.kid, jwk: k })),
      },
    },
  });
  const v = verifier;
  const i = issuer;
  const rpKey = async (rp: string) => (await createRpApiKey(v.ctx, rp, 'test')).token;
  return {
    issuer: i,
    verifier: v,
    wallet,
    route,
    rpKey,
    async ask(rp, body) {
      const r = await v.app.request(`${VERIFIER}/v1/presentations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await rpKey(rp)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(201);
      return r.json() as Promise<AskedRequest>;
    },
    async result(rp, id) {
      const r = await v.app.request(`${VERIFIER}/v1/presentations/${id}`, {
        headers: { authorization: `Bearer ${await rpKey(rp)}` },
      });
      return r.json() as Promise<Record<string, unknown>>;
    },
    async stop() {
      await i.stop();
      await v.stop();
      await vsql.close();
      await isql.close();
    },
  };
}
