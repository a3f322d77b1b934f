/**
 * The verifier service in process (app.request), on both stores: the OpenID4VP 1.0 flow of issue
 * 4 §2 with a scripted wallet, and the verifier's rows of SECURITY.md "Presentation (OpenID4VP)",
 * each hostile case asserting its code AND that nothing changed (transaction row, audit log).
 */
import { verifyCompactJws } from '@openmid/core/jose';
import {
  generateKeyPair,
  jwkThumbprint,
  type PublicJwk,
  verifierFromJwk,
} from '@openmid/core/keys';
import { StatusType } from '@openmid/core/status-list';
import { RESIDENT_ID } from '@openmid/profile-kr';
import { assertAuditChain } from '@openmid/server-kit';
import { captureLogs, describeStores } from '@openmid/server-kit/testing';
import {
  createResponseBody,
  encryptResponse,
  generateResponseKey,
  openTrustBundle,
  type VerifiedRequest,
} from '@openmid/verifier';
import { CompactEncrypt, importJWK } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from './main.js';
import { registerRelyingParty } from './registry/registry.js';
import { chainEvents, verifyEvents } from './services/events.js';
import { deliverWebhooks, WEBHOOK_TYP } from './services/webhooks.js';
import { makeVerifier, type TestVerifier, type TestWallet } from './test/harness.js';

interface Created {
  transaction_id: string;
  request_link: string;
  same_device_url: string;
  request_uri: string;
}

describeStores(
  'verifier service',
  ({ sql }) => {
    let v: TestVerifier;
    let wallet: TestWallet;
    const logs = captureLogs('info');

    beforeAll(async () => {
      v = await makeVerifier(sql(), { logger: logs.logger });
      wallet = await v.wallet();
      wallet.credentials.push(await v.issuer.issue('resident-id', wallet.holder, { idx: 1 }));
      wallet.credentials.push(await v.issuer.issue('driving-licence', wallet.holder, { idx: 2 }));
    });

    async function create(rp: string, body: Record<string, unknown>): Promise<Created> {
      const res = await v.rp(rp, '/v1/presentations', { method: 'POST', json: body });
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
      return (await res.json()) as Created;
    }

    async function state(id: string) {
      const r = await sql().query<{ state: string; result: string | null }>(
        'SELECT state, result FROM verifier_transactions WHERE id = $1',
        [id],
      );
      return r.rows[0];
    }

    /** Audit entries plus presentation events (services/events.ts). */
    async function auditCount(): Promise<number> {
      const r = await sql().query<{ n: number }>(
        'SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM verifier_events) AS n',
      );
      return Number(r.rows[0]?.n);
    }

    async function opened(rp: string, body: Record<string, unknown>) {
      const created = await create(rp, body);
      const request = await wallet.open(created.request_link);
      return { created, request };
    }

    /** Post `body` and assert a rejection with `code` that changed nothing. */
    async function rejects(
      created: Created,
      request: VerifiedRequest,
      body: string,
      code: string,
      status = 400,
    ) {
      const before = { tx: await state(created.transaction_id), audit: await auditCount() };
      const res = await wallet.post(request, body);
      const json = (await res.json()) as { code: string };
      expect({ status: res.status, code: json.code }).toEqual({ status, code });
      expect(await state(created.transaction_id)).toEqual(before.tx);
      expect(await auditCount()).toBe(before.audit);
    }

    describe('the OpenID4VP flow', () => {
      test('a store asks for age_over_19 and receives exactly that, with the issuer that vouched', async () => {
        const created = await create('convenience-store', { preset: 'age-over-19' });
        expect(created.request_link).toMatch(
          /^openid4vp:\/\/\?client_id=verifier_attestation%3Aconvenience-store&request_uri=https%3A%2F%2Fverifier\.test%2Foid4vp%2Frequest%2F/,
        );
        expect(created.same_device_url.startsWith('http://localhost:7003/present?client_id=')).toBe(
          true,
        );
        const request = await wallet.open(created.request_link);
        expect(request.registration).toMatchObject({
          id: 'convenience-store',
          rrnLegalBasis: null,
        });
        expect(request.exceeds).toEqual([]);
        const res = await wallet.post(
          request,
          await createResponseBody(request, await wallet.vpToken(request)),
        );
        expect(res.status).toBe(200);
        const result = await (
          await v.rp('convenience-store', `/v1/presentations/${created.transaction_id}`)
        ).json();
        expect(result).toMatchObject({ status: 'verified', rp: 'convenience-store' });
        const [cred] = Object.values(
          result.credentials as Record<
            string,
            { claims: unknown; issuer: unknown; status: string }[]
          >,
        ).flat();
        expect(cred?.claims).toEqual({ age_over_19: true });
        expect(cred).toMatchObject({
          issuer: { id: 'https://issuer.test', name: { en: 'Test issuer' } },
          status: 'valid',
        });
      });

      test('the result is delivered once: its personal data is deleted, the audit keeps no claim value', async () => {
        const created = await create('bank', { preset: 'full-identity-with-rrn' });
        expect((await wallet.present(created.request_link)).status).toBe(200);
        const first = await v.rp('bank', `/v1/presentations/${created.transaction_id}`);
        const result = await first.json();
        const claims = (result.credentials.resident_card[0] as { claims: Record<string, string> })
          .claims;
        expect(Object.keys(claims).sort()).toEqual(['address', 'birth_date', 'name', 'rrn']);
        expect(await state(created.transaction_id)).toEqual({ state: 'delivered', result: null });
        const again = await v.rp('bank', `/v1/presentations/${created.transaction_id}`);
        expect(again.status).toBe(410);
        expect((await again.json()).code).toBe('ERR_VP_RESULT_GONE');
        const audit = await sql().query<{ details: unknown }>(
          'SELECT details FROM audit_log UNION ALL SELECT details::jsonb FROM verifier_events',
        );
        const text = JSON.stringify(audit.rows) + logs.text();
        for (const value of Object.values(claims)) expect(text).not.toContain(value);
      });

      test('the request object is served once (single fetch)', async () => {
        const created = await create('convenience-store', { preset: 'age-over-19' });
        expect((await v.request(created.request_uri)).status).toBe(200);
        const second = await v.request(created.request_uri);
        expect(second.status).toBe(409);
        expect((await second.json()).code).toBe('ERR_VP_REQUEST_CONSUMED');
      });

      test('an expired request is refused, and an unknown one is 404', async () => {
        const created = await create('convenience-store', { preset: 'age-over-19' });
        v.clock.now += 400;
        try {
          const res = await v.request(created.request_uri);
          expect([res.status, (await res.json()).code]).toEqual([410, 'ERR_VP_REQUEST_EXPIRED']);
        } finally {
          v.clock.now -= 400;
        }
        const res = await v.request('/oid4vp/request/AAAAAAAAAAAAAAAAAAAAAA');
        expect([res.status, (await res.json()).code]).toEqual([404, 'ERR_VP_REQUEST_UNKNOWN']);
      });

      test('same-device: the wallet is sent back with a response_code the result needs (HAIP 1.0 §5)', async () => {
        const created = await create('police-checkpoint', {
          preset: 'driving-qualification',
          redirect_uri: 'https://rp.test/done',
        });
        const res = await wallet.present(created.request_link);
        const { redirect_uri } = (await res.json()) as { redirect_uri: string };
        expect(redirect_uri).toMatch(/^https:\/\/rp\.test\/done#response_code=[A-Za-z0-9_-]{22}$/);
        const code = redirect_uri.split('response_code=')[1] as string;
        const path = `/v1/presentations/${created.transaction_id}`;
        const without = await v.rp('police-checkpoint', path);
        expect([without.status, (await without.json()).code]).toEqual([
          403,
          'ERR_VP_RESPONSE_CODE_INVALID',
        ]);
        const wrong = await v.rp('police-checkpoint', `${path}?response_code=${code.slice(1)}x`);
        expect(wrong.status).toBe(403);
        const ok = await v.rp('police-checkpoint', `${path}?response_code=${code}`);
        const result = await ok.json();
        expect(result.status).toBe('verified');
        expect(Object.keys(result.credentials.driving_licence[0].claims).sort()).toEqual(
          expect.arrayContaining(['aptitude_test_period', 'licence_classes']),
        );
      });

      test('results are readable only by the relying party that asked', async () => {
        const created = await create('convenience-store', { preset: 'age-over-19' });
        expect((await wallet.present(created.request_link)).status).toBe(200);
        const other = await v.rp('bank', `/v1/presentations/${created.transaction_id}`);
        expect([other.status, (await other.json()).code]).toEqual([404, 'ERR_VP_REQUEST_UNKNOWN']);
        const noKey = await v.request(`/v1/presentations/${created.transaction_id}`);
        expect(noKey.status).toBe(401);
        expect(await state(created.transaction_id)).toMatchObject({ state: 'completed' });
      });

      test('webhooks are signed, carry no personal data, and are retried', async () => {
        await registerRelyingParty(
          v.ctx,
          {
            id: 'hooked-shop',
            names: { ko: '훅 상점', en: 'Hooked shop' },
            purpose: { ko: '성인 확인', en: 'Adult check' },
            requests: [{ vct: RESIDENT_ID.vct, claims: [['age_over_19']] }],
            rrnLegalBasis: null,
            webhookUrl: 'https://rp.test/hook',
          },
          'system',
        );
        const { createRpApiKey } = await import('./registry/registry.js');
        const { token } = await createRpApiKey(v.ctx, 'hooked-shop', 'system');
        const res = await v.request('/v1/presentations', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            dcql: {
              credentials: [
                {
                  id: 'age',
                  format: 'dc+sd-jwt',
                  meta: { vct_values: [RESIDENT_ID.vct] },
                  claims: [{ path: ['age_over_19'] }],
                },
              ],
            },
          }),
        });
        const created = (await res.json()) as Created;
        expect((await wallet.present(created.request_link)).status).toBe(200);
        expect(await deliverWebhooks(v.ctx)).toBe(1);
        const hook = v.webhooks.at(-1);
        expect(hook?.url).toBe('https://rp.test/hook');
        const delivered = await sql().query<{ delivered_at: Date | null }>(
          'SELECT delivered_at FROM verifier_webhooks WHERE transaction_id = $1',
          [created.transaction_id],
        );
        expect(delivered.rows[0]?.delivered_at).not.toBeNull();
        const [, payload] = (hook?.body ?? '').split('.');
        expect(JSON.parse(Buffer.from(payload as string, 'base64url').toString())).toMatchObject({
          iss: 'https://verifier.test',
          aud: 'hooked-shop',
          event: 'presentation.verified',
          transaction_id: created.transaction_id,
        });
        expect(hook?.body).not.toContain('age_over_19');
        // Signed with the registry key of /.well-known/jwks.json, with its own typ.
        const jwks = (await (await v.request('/.well-known/jwks.json')).json()) as {
          keys: PublicJwk[];
        };
        await expect(
          verifyCompactJws(hook?.body as string, {
            typ: WEBHOOK_TYP,
            key: await verifierFromJwk({ ...jwks.keys[0], alg: undefined, use: undefined }),
          }),
        ).resolves.toBeDefined();
        // A failing endpoint is retried with back-off, then given up.
        await sql().query(
          `UPDATE verifier_relying_parties SET webhook_url = 'https://rp.test/fail' WHERE id = 'hooked-shop'`,
        );
        const ageOnly = {
          credentials: [
            {
              id: 'age',
              format: 'dc+sd-jwt',
              meta: { vct_values: [RESIDENT_ID.vct] },
              claims: [{ path: ['age_over_19'] }],
            },
          ],
        };
        const second = (await (
          await v.request('/v1/presentations', {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ dcql: ageOnly }),
          })
        ).json()) as Created;
        expect((await wallet.present(second.request_link)).status).toBe(200);
        const attempts = async () =>
          (
            await sql().query<{
              attempts: number;
              delivered_at: Date | null;
              failed_at: Date | null;
            }>(
              'SELECT attempts, delivered_at, failed_at FROM verifier_webhooks WHERE transaction_id = $1',
              [second.transaction_id],
            )
          ).rows[0];
        expect(await deliverWebhooks(v.ctx)).toBe(1);
        expect(await attempts()).toMatchObject({
          attempts: 1,
          delivered_at: null,
          failed_at: null,
        });
        expect(await deliverWebhooks(v.ctx)).toBe(0); // not due before its back-off
        v.clock.now += 6;
        try {
          expect(await deliverWebhooks(v.ctx)).toBe(1);
        } finally {
          v.clock.now -= 6;
        }
        expect(await attempts()).toMatchObject({ attempts: 2, delivered_at: null });
      });
    });

    describe('refused requests (issue 4 §1)', () => {
      test('claims beyond the registration: ERR_RP_ATTRIBUTE_NOT_REGISTERED, nothing stored', async () => {
        const before = await sql().query<{ n: number }>(
          'SELECT count(*)::int AS n FROM verifier_transactions',
        );
        const res = await v.rp('convenience-store', '/v1/presentations', {
          method: 'POST',
          json: { preset: 'identity-basic' },
        });
        const body = await res.json();
        expect([res.status, body.code]).toEqual([403, 'ERR_RP_ATTRIBUTE_NOT_REGISTERED']);
        expect(body.details.claims[0]).toMatchObject({
          path: ['name'],
          reason: 'claim-not-registered',
        });
        const after = await sql().query<{ n: number }>(
          'SELECT count(*)::int AS n FROM verifier_transactions',
        );
        expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
      });

      test('a resident number without a legal basis is refused the same way (PIPA art. 24-2)', async () => {
        await registerRelyingParty(
          v.ctx,
          {
            id: 'no-basis',
            names: { ko: '근거없음', en: 'No basis' },
            purpose: { ko: '회원 가입', en: 'Sign-up' },
            requests: [{ vct: RESIDENT_ID.vct, claims: [['name'], ['rrn']] }],
            rrnLegalBasis: null,
          },
          'system',
        );
        const { createRpApiKey } = await import('./registry/registry.js');
        const { token } = await createRpApiKey(v.ctx, 'no-basis', 'system');
        const res = await v.request('/v1/presentations', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ preset: 'full-identity-with-rrn' }),
        });
        const body = await res.json();
        expect([res.status, body.code]).toEqual([403, 'ERR_RP_ATTRIBUTE_NOT_REGISTERED']);
        expect(body.details.claims.map((c: { reason: string }) => c.reason)).toContain(
          'no-legal-basis',
        );
      });

      test('an unknown preset and a malformed DCQL query are refused', async () => {
        const a = await v.rp('bank', '/v1/presentations', {
          method: 'POST',
          json: { preset: 'everything' },
        });
        expect((await a.json()).code).toBe('ERR_VP_PRESET_UNKNOWN');
        const b = await v.rp('bank', '/v1/presentations', {
          method: 'POST',
          json: { dcql: { credentials: [] } },
        });
        expect((await b.json()).code).toBe('ERR_VP_DCQL_INVALID');
      });
    });

    describe('hostile responses change nothing', () => {
      test('wrong nonce', async () => {
        const { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        const body = await createResponseBody(
          request,
          await wallet.vpToken(request, { nonce: 'another-nonce-0123456789' }),
        );
        await rejects(created, request, body, 'ERR_SDJWT_KB_NONCE_MISMATCH');
      });

      test('wrong audience: another client_id, or the id without its prefix', async () => {
        const { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        for (const aud of ['verifier_attestation:bank', 'convenience-store']) {
          const body = await createResponseBody(request, await wallet.vpToken(request, { aud }));
          await rejects(created, request, body, 'ERR_SDJWT_KB_AUD_MISMATCH');
        }
        // The same transaction still accepts the right answer afterwards.
        const ok = await wallet.post(
          request,
          await createResponseBody(request, await wallet.vpToken(request)),
        );
        expect(ok.status).toBe(200);
      });

      test('replay: the same response twice, sequentially', async () => {
        const { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        const body = await createResponseBody(request, await wallet.vpToken(request));
        expect((await wallet.post(request, body)).status).toBe(200);
        await rejects(created, request, body, 'ERR_VP_RESPONSE_REPLAYED', 409);
      });

      test('replay: 20 responses posted in parallel give exactly one success', async () => {
        const { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        const bodies = await Promise.all(
          Array.from({ length: 20 }, async () =>
            createResponseBody(request, await wallet.vpToken(request)),
          ),
        );
        const auditBefore = await auditCount();
        const results = await Promise.all(bodies.map((b) => wallet.post(request, b)));
        const statuses = results.map((r) => r.status).sort();
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        expect(statuses.filter((s) => s === 409)).toHaveLength(19);
        const codes = await Promise.all(
          results.filter((r) => r.status === 409).map(async (r) => (await r.json()).code),
        );
        expect(new Set(codes)).toEqual(new Set(['ERR_VP_RESPONSE_REPLAYED']));
        expect(await auditCount()).toBe(auditBefore + 1);
        expect(await state(created.transaction_id)).toMatchObject({ state: 'completed' });
      });

      test('revoked and suspended credentials, each with its code', async () => {
        const revokedWallet = await v.wallet();
        revokedWallet.credentials.push(
          await v.issuer.issue('resident-id', revokedWallet.holder, { idx: 8 }),
        );
        v.issuer.list.set(8, StatusType.INVALID);
        v.issuer.list.set(9, StatusType.SUSPENDED);
        v.ctx.statusLists.cache.clear();
        let { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        let body = await createResponseBody(request, await revokedWallet.vpToken(request));
        await rejects(created, request, body, 'ERR_STATUS_REVOKED');
        const suspended = await v.wallet();
        suspended.credentials.push(
          await v.issuer.issue('resident-id', suspended.holder, { idx: 9 }),
        );
        ({ created, request } = await opened('convenience-store', { preset: 'age-over-19' }));
        body = await createResponseBody(request, await suspended.vpToken(request));
        await rejects(created, request, body, 'ERR_STATUS_SUSPENDED');
      });

      test('expired credential', async () => {
        const w = await v.wallet();
        w.credentials.push(
          await v.issuer.issue('resident-id', w.holder, { exp: v.clock.now - 3600 }),
        );
        const { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        await rejects(
          created,
          request,
          await createResponseBody(request, await w.vpToken(request)),
          'ERR_JWT_EXPIRED',
        );
      });

      test('untrusted issuer, and a trusted issuer not authorised for the type', async () => {
        const rogue = await generateKeyPair('ES256');
        const w = await v.wallet();
        w.credentials.push(
          await v.issuer.issue('resident-id', w.holder, {
            iss: 'https://rogue.test',
            signer: { ...rogue.signer, kid: jwkThumbprint(rogue.publicJwk) },
          }),
        );
        let { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        await rejects(
          created,
          request,
          await createResponseBody(request, await w.vpToken(request)),
          'ERR_SDJWTVC_ISSUER_UNTRUSTED',
        );
        const { registerIssuer } = await import('./registry/registry.js');
        await registerIssuer(
          v.ctx,
          {
            id: 'https://licences-only.test',
            names: { ko: '면허전용', en: 'Licences only' },
            types: ['urn:openmid:kr:driving-licence:1'],
            keys: [{ kid: jwkThumbprint(rogue.publicJwk), jwk: rogue.publicJwk }],
          },
          'system',
        );
        const w2 = await v.wallet();
        w2.credentials.push(
          await v.issuer.issue('resident-id', w2.holder, {
            iss: 'https://licences-only.test',
            signer: { ...rogue.signer, kid: jwkThumbprint(rogue.publicJwk) },
          }),
        );
        ({ created, request } = await opened('convenience-store', { preset: 'age-over-19' }));
        await rejects(
          created,
          request,
          await createResponseBody(request, await w2.vpToken(request)),
          'ERR_TRUST_ISSUER_NOT_AUTHORISED',
        );
      });

      test('tampered disclosures', async () => {
        const { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        const token = await wallet.vpToken(request);
        const [id, [p]] = Object.entries(token)[0] as [string, string[]];
        const parts = (p as string).split('~');
        const decoded = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString());
        decoded[2] = !decoded[2];
        parts[1] = Buffer.from(JSON.stringify(decoded)).toString('base64url');
        await rejects(
          created,
          request,
          await createResponseBody(request, { [id]: [parts.join('~')] }),
          'ERR_SDJWT_DISCLOSURE_UNREFERENCED',
        );
      });

      test('a response meant for another session (transaction)', async () => {
        const a = await opened('convenience-store', { preset: 'age-over-19' });
        const b = await opened('convenience-store', { preset: 'age-over-19' });
        // Encrypted to A's key, posted to B's response URI: B's key cannot open it.
        const forA = await createResponseBody(a.request, await wallet.vpToken(a.request));
        await rejects(b.created, b.request, forA, 'ERR_VP_JWE_INVALID');
        // Encrypted to B's key but bound to A's nonce.
        const boundToA = await createResponseBody(
          b.request,
          await wallet.vpToken(b.request, { nonce: a.request.nonce }),
        );
        await rejects(b.created, b.request, boundToA, 'ERR_SDJWT_KB_NONCE_MISMATCH');
      });

      test('JWE with a wrong key, alg, enc or zip', async () => {
        const { created, request } = await opened('convenience-store', { preset: 'age-over-19' });
        const payload = { vp_token: await wallet.vpToken(request) };
        const other = await generateResponseKey(request.responseKey.kid);
        const form = (response: string) => new URLSearchParams({ response }).toString();
        await rejects(
          created,
          request,
          form(await encryptResponse(payload, other.publicJwk)),
          'ERR_VP_JWE_INVALID',
        );
        const plaintext = new TextEncoder().encode(JSON.stringify(payload));
        for (const header of [
          { alg: 'ECDH-ES+A128KW', enc: 'A256GCM', kid: request.responseKey.kid },
          { alg: 'ECDH-ES', enc: 'A256CBC-HS512', kid: request.responseKey.kid },
          { alg: 'ECDH-ES', enc: 'A256GCM', kid: request.responseKey.kid, zip: 'DEF' },
        ]) {
          const key = await importJWK({ ...request.responseKey }, header.alg);
          const jwe = await new CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(key);
          await rejects(created, request, form(jwe), 'ERR_VP_JWE_INVALID');
        }
        await rejects(created, request, 'response=a&response=b', 'ERR_VP_RESPONSE_INVALID');
      });
    });

    describe('the audit trail of presentations', () => {
      test('events are chained into the audit log in batches, and an edited event is detected', async () => {
        const pending = await sql().query<{ n: number }>(
          'SELECT count(*)::int AS n FROM verifier_events WHERE chained_in IS NULL',
        );
        expect(Number(pending.rows[0]?.n)).toBeGreaterThan(0);
        while ((await chainEvents(v.ctx, 50)) > 0);
        expect(await verifyEvents(v.ctx)).toMatchObject({ ok: true });
        await assertAuditChain(sql());
        const kinds = await sql().query<{ action: string }>(
          'SELECT DISTINCT action FROM verifier_events ORDER BY action',
        );
        expect(kinds.rows.map((r) => r.action)).toEqual(
          expect.arrayContaining([
            'presentation.delivered',
            'presentation.request',
            'presentation.verified',
          ]),
        );
        await sql().query(
          `UPDATE verifier_events SET details = '{"presented":[]}' WHERE seq = (SELECT min(seq) FROM verifier_events WHERE action = 'presentation.verified')`,
        );
        expect(await verifyEvents(v.ctx)).toMatchObject({ ok: false, reason: 'digest_mismatch' });
      });
    });

    describe('offline trust bundle', () => {
      test('is signed by the key of /.well-known/jwks.json and holds issuers, parties and status lists', async () => {
        const jwks = (await (await v.request('/.well-known/jwks.json')).json()) as {
          keys: { kid: string }[];
        };
        const text = await (await v.request('/v1/trust-bundle')).text();
        const pinned = jwks.keys.map(({ kid, ...jwk }) => ({ kid, jwk: jwk as never }));
        const bundle = await openTrustBundle(text, { keys: pinned, clock: () => v.clock.now });
        expect(bundle.relyingParties.map((r) => r.id)).toEqual(
          expect.arrayContaining(['bank', 'convenience-store', 'police-checkpoint', 'car-rental']),
        );
        expect(
          await bundle.issuerMayIssue('https://issuer.test', RESIDENT_ID.vct, v.clock.now),
        ).toBe(true);
        expect((await bundle.statusLists('https://issuer.test/status-lists/1')).list.get(8)).toBe(
          StatusType.INVALID,
        );
      });
    });

    test('logs carry no personal data or tokens', () => {
      const text = logs.text();
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
      expect(text).not.toMatch(/\d{6}-[1-8]\d{6}/);
    });
  },
  { migrations: ALL_MIGRATIONS },
);
