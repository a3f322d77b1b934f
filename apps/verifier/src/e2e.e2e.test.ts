/**
 * End to end, in process (issue 4 §6), on both stores for the verifier: the issuer service issues a
 * mobile resident card through OpenID4VCI 1.0 (pre-authorized code, tx_code, DPoP, key proof) and
 * registers itself in the verifier's registry through its trust-registration port; a scripted
 * wallet (core engine + SDK) downloads the verifier's trust bundle, pins its key, answers a bank's
 * OpenID4VP 1.0 request (request object fetched by reference, verifier attestation checked against
 * the bundle, DCQL answered, response encrypted to the request key, direct_post.jwt); the bank reads
 * the verified result. Then the issuer revokes the credential and the same kind of presentation
 * fails with ERR_STATUS_REVOKED once the verifier's cached status list expires.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GeneratedKeyPair, generateKeyPair } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { type ClaimPath, parseSdJwt, presentSdJwt } from '@openmid/core/sd-jwt';
import {
  createIssuer,
  createOffer,
  demoCitizenId,
  ALL_MIGRATIONS as ISSUER_MIGRATIONS,
  type Issuer,
  loadIssuerConfig,
  revokeCitizen,
  seedDemoRegister,
} from '@openmid/issuer';
import { readOffer, redeemOffer } from '@openmid/issuer/testing';
import { migrate, openPglite, type Sql, silentLogger, staticKms } from '@openmid/server-kit';
import { describeStores } from '@openmid/server-kit/testing';
import {
  createResponseBody,
  openTrustBundle,
  parseRequestLink,
  selectCredentials,
  type TrustBundle,
  verifyRequestObject,
} from '@openmid/verifier';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadVerifierConfig } from './config.js';
import {
  ALL_MIGRATIONS,
  createVerifier,
  type Verifier,
  verifierTrustRegistration,
} from './main.js';
import { legalBasisRequired } from './presets.js';
import { createRpApiKey } from './registry/registry.js';
import { seedDemoRelyingParties } from './registry/seed.js';
import { testClock } from './test/harness.js';

useNodeCrypto();

const ISSUER = 'https://issuer.example';
const VERIFIER = 'https://verifier.example';

describeStores(
  'issue → present → verify → revoke, end to end',
  ({ sql }) => {
    const clock = testClock(Math.floor(Date.now() / 1000));
    let issuerSql: Sql;
    let issuer: Issuer;
    let verifier: Verifier;
    let bankKey: string;

    const verifierCall = (path: string, init?: RequestInit) =>
      Promise.resolve(
        verifier.app.request(path.startsWith('http') ? path : `${VERIFIER}${path}`, init),
      );

    beforeAll(async () => {
      verifier = await createVerifier({
        config: loadVerifierConfig({
          DATA_DIR: mkdtempSync(join(tmpdir(), 'openmid-e2e-verifier-')),
          NODE_ENV: 'test',
          VERIFIER_URL: VERIFIER,
          VERIFIER_RATE_LIMIT: '0',
          VERIFIER_OUTBOUND_INSECURE: 'false',
        }),
        sql: sql(),
        kms: staticKms([new Uint8Array(32).fill(3)]),
        logger: silentLogger(),
        clock,
        // The verifier fetches the issuer's status lists over "HTTPS", in process.
        fetch: async (input, init) =>
          input.startsWith(ISSUER)
            ? issuer.app.request(input, init)
            : new Response('', { status: 404 }),
        resolve: async () => ['93.184.215.14'],
        background: false,
      });
      await seedDemoRelyingParties(verifier.ctx);
      bankKey = (await createRpApiKey(verifier.ctx, 'bank', 'system')).token;

      issuerSql = await openPglite();
      await migrate(issuerSql, ISSUER_MIGRATIONS);
      issuer = await createIssuer({
        config: loadIssuerConfig({
          DATA_DIR: mkdtempSync(join(tmpdir(), 'openmid-e2e-issuer-')),
          NODE_ENV: 'test',
          ISSUER_URL: ISSUER,
          ISSUER_RATE_LIMIT: '0',
          ISSUER_SEED_CITIZENS: '0',
          ISSUER_STATUS_LIST_SIZE: '4096',
        }),
        sql: issuerSql,
        kms: staticKms([new Uint8Array(32).fill(4)]),
        logger: silentLogger(),
        clock,
        // The issuer announces its iss, keys, types and status lists to the verifier's registry.
        trust: verifierTrustRegistration(verifier.ctx),
      });
      await seedDemoRegister(issuer.ctx, { count: 2, seed: 'openmid-e2e' });
    });

    afterAll(async () => {
      await issuer?.stop();
      await verifier?.stop();
      await issuerSql?.close();
    });

    /** OpenID4VCI 1.0 pre-authorized flow with DPoP and a key proof: the holder's credential. */
    async function obtainCredential(holder: GeneratedKeyPair): Promise<string> {
      const offer = await createOffer(issuer.ctx, {
        citizenId: demoCitizenId(0),
        type: 'resident-id',
        actor: 'system',
      });
      const [credential] = await redeemOffer({
        call: (url, init) => issuer.app.request(url, init),
        offer: await readOffer(offer.credential_offer_uri, (url) => issuer.app.request(url)),
        txCode: offer.tx_code,
        configurationId: 'resident-id',
        holders: [holder],
        now: clock,
      });
      return credential as string;
    }

    /** The wallet's trust: the verifier's bundle, verified with the key from its JWKS. */
    async function walletTrust(): Promise<TrustBundle> {
      const jwks = (await (await verifierCall('/.well-known/jwks.json')).json()) as {
        keys: { kid: string }[];
      };
      const keys = jwks.keys.map(({ kid, ...jwk }) => ({ kid, jwk: jwk as never }));
      return openTrustBundle(await (await verifierCall('/v1/trust-bundle')).text(), {
        keys,
        clock,
      });
    }

    /** The bank asks; the wallet answers; returns the wallet's POST response and the transaction. */
    async function bankAsks(holder: GeneratedKeyPair, credential: string) {
      const created = (await (
        await verifierCall('/v1/presentations', {
          method: 'POST',
          headers: { authorization: `Bearer ${bankKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ preset: 'full-identity-with-rrn' }),
        })
      ).json()) as { transaction_id: string; request_link: string };
      const { clientId, requestUri } = parseRequestLink(created.request_link);
      const requestObject = await (await verifierCall(requestUri)).text();
      const request = await verifyRequestObject(requestObject, {
        trust: await walletTrust(),
        clientId,
        now: clock(),
        legalBasisRequired,
      });
      // The wallet can show who asks, why, and that the request stays within the registration.
      expect(request.registration.names.en).toBe('OpenMID Demo Bank');
      expect(request.registration.rrnLegalBasis).toContain('금융실명');
      expect(request.exceeds).toEqual([]);
      const held = parseSdJwt(credential);
      const plan = selectCredentials(request.dcql, [
        { vct: held.claims['vct'] as string, claims: held.claims },
      ]);
      expect(plan).toBeDefined();
      const vpToken: Record<string, string[]> = {};
      for (const s of plan ?? [])
        vpToken[s.queryId] = [
          await presentSdJwt(held, {
            paths: s.paths as readonly ClaimPath[],
            keyBinding: {
              signer: holder.signer,
              aud: request.clientId,
              nonce: request.nonce,
              iat: clock(),
            },
          }),
        ];
      const res = await verifierCall(request.responseUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: await createResponseBody(request, vpToken),
      });
      return { res, transactionId: created.transaction_id };
    }

    test('the bank receives the verified identity with its resident number, then a revoked card fails', async () => {
      const holder = await generateKeyPair('ES256');
      const credential = await obtainCredential(holder);

      const first = await bankAsks(holder, credential);
      expect(first.res.status).toBe(200);
      const result = await (
        await verifierCall(`/v1/presentations/${first.transactionId}`, {
          headers: { authorization: `Bearer ${bankKey}` },
        })
      ).json();
      expect(result.status).toBe('verified');
      const card = result.credentials.resident_card[0];
      expect(card.issuer.id).toBe(ISSUER);
      expect(Object.keys(card.claims).sort()).toEqual(['address', 'birth_date', 'name', 'rrn']);
      expect(card.claims.rrn).toMatch(/^\d{6}-\d{7}$/);
      expect(card.status).toBe('valid');

      await revokeCitizen(issuer.ctx, { citizenId: demoCitizenId(0), actor: 'system' });
      clock.now += 3601; // past the verifier's cached status list (ttl ≤ VERIFIER_STATUS_MAX_TTL)

      const second = await bankAsks(holder, credential);
      expect(second.res.status).toBe(400);
      expect(((await second.res.json()) as { code: string }).code).toBe('ERR_STATUS_REVOKED');
      const pending = await (
        await verifierCall(`/v1/presentations/${second.transactionId}`, {
          headers: { authorization: `Bearer ${bankKey}` },
        })
      ).json();
      expect(pending.status).toBe('pending');
    });
  },
  { migrations: ALL_MIGRATIONS },
);
