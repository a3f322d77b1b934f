/**
 * @module test/harness
 * Test helpers: a verifier on a given store with a temporary DATA_DIR and a fake clock, the demo
 * relying parties with API keys, a test issuer (core engine) whose status list the verifier
 * fetches in process, and a scripted wallet that goes through OpenID4VP 1.0 end to end: fetch the
 * request object, verify it and the registration proof, answer the DCQL query, encrypt, post.
 * Used by the unit and e2e suites and the benchmark; not part of the service.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, signCompactJws } from '@openmid/core/jose';
import {
  type GeneratedKeyPair,
  generateKeyPair,
  jwkThumbprint,
  type Signer,
} from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { type ClaimPath as CorePath, parseSdJwt, presentSdJwt } from '@openmid/core/sd-jwt';
import { issueSdJwtVc } from '@openmid/core/sd-jwt-vc';
import { StatusList, signStatusListToken } from '@openmid/core/status-list';
import type { FetchLike as LedgerFetch } from '@openmid/ledger/http';
import {
  buildSubjectClaims,
  credentialExpiry,
  DRIVING_LICENCE,
  disclosureFrameFor,
  findCredentialType,
  RESIDENT_ID,
} from '@openmid/profile-kr';
import { createApiKey, type Logger, type Sql, silentLogger, staticKms } from '@openmid/server-kit';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import {
  createResponseBody,
  parseRequestLink,
  selectCredentials,
  type VerifiedRequest,
  verifyRequestObject,
} from '@openmid/verifier';
import { loadVerifierConfig } from '../config.js';
import type { VerifierContext } from '../context.js';
import { createVerifier, type Verifier } from '../main.js';
import { legalBasisRequired } from '../presets.js';
import { ADMIN_SCOPE, createRpApiKey, registerIssuer } from '../registry/registry.js';
import { seedDemoRelyingParties } from '../registry/seed.js';

useNodeCrypto();

export const VERIFIER_URL = 'https://verifier.test';
export const ISSUER_URL = 'https://issuer.test';
export const STATUS_URI = `${ISSUER_URL}/status-lists/1`;

/** A settable clock in seconds. */
export interface TestClock extends Clock {
  now: number;
}

/** A clock at 2026-06-01T00:00:00Z that tests move by hand. */
export function testClock(start = Date.parse('2026-06-01T00:00:00Z') / 1000): TestClock {
  const f = (() => f.now) as TestClock;
  f.now = start;
  return f;
}

/** An issuer made with the core engine: key, status list, issuance. */
export interface TestIssuer {
  readonly iss: string;
  readonly signer: Signer;
  readonly key: GeneratedKeyPair;
  readonly list: StatusList;
  /** The key that signs status list tokens (default `signer`; a rotation changes it). */
  listSigner: Signer;
  /** The current status list token (signed now). */
  token(): Promise<string>;
  /** Issue a credential of `type` to `holder` at status index `idx`. */
  issue(
    type: 'resident-id' | 'driving-licence',
    holder: GeneratedKeyPair,
    options?: { idx?: number; exp?: number; iss?: string; signer?: Signer },
  ): Promise<string>;
}

/** An adult citizen index with a driving licence (deterministic). */
function adultDriver(now: number): number {
  for (let i = 0; i < 500; i++) {
    try {
      const c = buildSubjectClaims(
        DRIVING_LICENCE,
        claimsFor('driving-licence', citizenAt('verifier-test', i), { issuedAt: now }),
        { issuedAt: now },
      );
      if (c['age_over_19'] === true) return i;
    } catch {
      // no licence: next citizen
    }
  }
  throw new Error('no adult driver in the first 500 citizens');
}

export async function makeIssuer(clock: TestClock): Promise<TestIssuer> {
  const key = await generateKeyPair('ES256');
  const kid = jwkThumbprint(key.publicJwk);
  const signer: Signer = { ...key.signer, kid, publicJwk: { ...key.publicJwk, kid } };
  const list = StatusList.create(1024, 2);
  const citizen = adultDriver(clock.now);
  const issuer: TestIssuer = {
    iss: ISSUER_URL,
    signer,
    key,
    list,
    listSigner: signer,
    token: () =>
      signStatusListToken(list, {
        signer: issuer.listSigner,
        uri: STATUS_URI,
        iss: ISSUER_URL,
        iat: clock.now,
        exp: clock.now + 86_400,
        ttl: 300,
      }),
    async issue(type, holder, options = {}) {
      const t = findCredentialType(type);
      const claims = buildSubjectClaims(
        t,
        claimsFor(type, citizenAt('verifier-test', citizen), { issuedAt: clock.now }),
        {
          issuedAt: clock.now,
        },
      );
      return issueSdJwtVc(
        {
          iss: options.iss ?? ISSUER_URL,
          vct: t.vct,
          iat: clock.now - 60,
          exp: options.exp ?? credentialExpiry(t, clock.now, claims),
          status: { status_list: { idx: options.idx ?? 1, uri: STATUS_URI } },
          claims,
        },
        {
          signer: options.signer ?? signer,
          holderKey: holder.publicJwk,
          frame: disclosureFrameFor(t, claims) as never,
          now: clock.now,
        },
      );
    },
  };
  return issuer;
}

/** A scripted wallet holding credentials bound to one device key. */
export interface TestWallet {
  readonly holder: GeneratedKeyPair;
  readonly credentials: string[];
  /** Fetch and verify the request object of a link (as a real wallet does). */
  open(link: string): Promise<VerifiedRequest>;
  /** Build the presentations answering `request` (override nonce/aud to attack). */
  vpToken(
    request: VerifiedRequest,
    options?: { nonce?: string; aud?: string; iat?: number },
  ): Promise<Record<string, string[]>>;
  /** POST a form body to the request's response URI. */
  post(request: Pick<VerifiedRequest, 'responseUri'>, body: string): Promise<Response>;
  /** The whole flow: open, answer, encrypt, post. */
  present(link: string, options?: { nonce?: string; aud?: string }): Promise<Response>;
}

/** The test verifier with its parts. */
export interface TestVerifier {
  readonly verifier: Verifier;
  readonly ctx: VerifierContext;
  readonly clock: TestClock;
  readonly issuer: TestIssuer;
  readonly adminKey: string;
  /** API keys of the demo relying parties. */
  readonly rpKeys: Readonly<Record<string, string>>;
  /** Webhook POSTs the verifier made. */
  readonly webhooks: { url: string; body: string }[];
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Call the RP API as `rp`. */
  rp(rp: string, path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  wallet(): Promise<TestWallet>;
}

export async function makeVerifier(
  sql: Sql,
  options: {
    readonly env?: Record<string, string>;
    readonly logger?: Logger;
    readonly dir?: string;
    /** Start of the test clock (NumericDate seconds; default 2026-06-01T00:00:00Z). */
    readonly now?: number;
    /** The clock to use (shared with a ledger node, say); overrides `now`. */
    readonly clock?: TestClock;
    /** Outbound HTTP to the trust-ledger node (with VERIFIER_LEDGER_URL in `env`). */
    readonly ledgerFetch?: LedgerFetch;
    /** Outbound HTTP tried first (e.g. a real issuer in process); undefined: the default. */
    readonly outbound?: (input: string, init?: RequestInit) => Promise<Response | undefined>;
  } = {},
): Promise<TestVerifier> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'openmid-verifier-'));
  const config = loadVerifierConfig({
    DATA_DIR: dir,
    NODE_ENV: 'test',
    VERIFIER_URL,
    VERIFIER_RATE_LIMIT: '0',
    VERIFIER_OUTBOUND_INSECURE: 'false',
    ...options.env,
  });
  const clock = options.clock ?? testClock(options.now);
  const issuer = await makeIssuer(clock);
  const webhooks: { url: string; body: string }[] = [];
  const fetchFn = async (input: string, init?: RequestInit): Promise<Response> => {
    const routed = await options.outbound?.(input, init);
    if (routed !== undefined) return routed;
    if (input === STATUS_URI) return new Response(await issuer.token(), { status: 200 });
    if (input.startsWith('https://rp.test/')) {
      webhooks.push({ url: input, body: String(init?.body ?? '') });
      return new Response(null, { status: input.endsWith('/fail') ? 500 : 204 });
    }
    return new Response('not found', { status: 404 });
  };
  const verifier = await createVerifier({
    config,
    sql,
    kms: staticKms([new Uint8Array(32).fill(9)]),
    logger: options.logger ?? silentLogger(),
    clock,
    fetch: fetchFn,
    resolve: async () => ['93.184.215.14'],
    background: false,
    ...(options.ledgerFetch === undefined ? {} : { ledgerFetch: options.ledgerFetch }),
    ledgerRetryMs: 50,
  });
  const { ctx } = verifier;
  await ctx.ledger?.trust.refresh();
  await seedDemoRelyingParties(ctx);
  // With the trust ledger, issuers are the ledger's: the test registers its issuer there.
  if (ctx.ledger === undefined)
    await registerIssuer(
      ctx,
      {
        id: ISSUER_URL,
        names: { ko: '테스트 발급기관', en: 'Test issuer' },
        types: [RESIDENT_ID.vct, DRIVING_LICENCE.vct],
        keys: [{ kid: issuer.signer.kid, jwk: issuer.key.publicJwk }],
        statusLists: [STATUS_URI],
      },
      'system',
    );
  const rpKeys: Record<string, string> = {};
  for (const id of ['bank', 'convenience-store', 'police-checkpoint', 'car-rental'])
    rpKeys[id] = (await createRpApiKey(ctx, id, 'system')).token;
  const { token: adminKey } = await sql.transaction((tx) =>
    createApiKey(tx, { label: 'test-admin', scopes: [ADMIN_SCOPE], actor: 'system' }),
  );
  const request = (path: string, init?: RequestInit): Promise<Response> =>
    Promise.resolve(
      verifier.app.request(path.startsWith('http') ? path : `${VERIFIER_URL}${path}`, init),
    );
  const authed = (token: string, path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return request(path, { ...init, headers, ...(body === undefined ? {} : { body }) });
  };
  const test: TestVerifier = {
    verifier,
    ctx,
    clock,
    issuer,
    adminKey,
    rpKeys,
    webhooks,
    request,
    rp: (rp, path, init) => authed(rpKeys[rp] as string, path, init),
    async wallet() {
      const holder = await generateKeyPair('ES256');
      const credentials: string[] = [];
      const w: TestWallet = {
        holder,
        credentials,
        async open(link) {
          const { clientId, requestUri } = parseRequestLink(link);
          const res = await request(requestUri);
          if (res.status !== 200)
            throw Object.assign(new Error('fetch failed'), { res, body: await res.json() });
          return verifyRequestObject(await res.text(), {
            trust: ctx.trust,
            clientId,
            now: clock.now,
            legalBasisRequired,
          });
        },
        async vpToken(req, o = {}) {
          const held = credentials.map((c) => parseSdJwt(c));
          const plan = selectCredentials(
            req.dcql,
            held.map((h) => ({ vct: h.claims['vct'] as string, claims: h.claims })),
          );
          if (plan === undefined) throw new Error('the wallet cannot answer this query');
          const out: Record<string, string[]> = {};
          for (const s of plan) {
            const p = await presentSdJwt(held[s.candidate] as ReturnType<typeof parseSdJwt>, {
              paths: s.paths as readonly CorePath[],
              keyBinding: {
                signer: holder.signer,
                aud: o.aud ?? req.clientId,
                nonce: o.nonce ?? req.nonce,
                iat: o.iat ?? clock.now,
              },
            });
            const list = out[s.queryId] ?? [];
            list.push(p);
            out[s.queryId] = list;
          }
          return out;
        },
        post(req, body) {
          return request(req.responseUri, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body,
          });
        },
        async present(link, o = {}) {
          const req = await w.open(link);
          return w.post(req, await createResponseBody(req, await w.vpToken(req, o)));
        },
      };
      return w;
    },
  };
  return test;
}

/** A compact JWS with the verifier attestation typ signed by any key (for hostile tests). */
export async function signAs(
  signer: Signer,
  payload: Record<string, unknown>,
  typ: string,
): Promise<string> {
  return signCompactJws(payload, { typ, signer });
}
