/**
 * SECURITY.md "Issuance" rows: every hostile request is refused with its code and leaves the
 * database as it was (offers, credentials, used values, audit chain). Both stores.
 */
import { randomBytes } from 'node:crypto';
import { signCompactJws } from '@openmid/core/jose';
import { exportPrivateKey, generateKeyPair } from '@openmid/core/keys';
import { assertAuditChain } from '@openmid/server-kit';
import { describeStores } from '@openmid/server-kit/testing';
import { beforeAll, describe, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from '../main.js';
import { accessTokenHash } from '../oauth/dpop.js';
import {
  adminOffer,
  credentialCall,
  makeIssuer,
  makeWallet,
  redeem,
  snapshot,
  type TestIssuer,
  tokenCall,
} from '../test/harness.js';
import { PRE_AUTHORIZED_GRANT } from './offers.js';

const PRE = PRE_AUTHORIZED_GRANT;

describeStores(
  'issuance security',
  ({ sql }) => {
    let t: TestIssuer;
    beforeAll(async () => {
      t = await makeIssuer(sql(), { env: { ISSUER_BATCH_SIZE: '3' } });
    });

    async function unchanged(fn: () => Promise<unknown>, code: string): Promise<void> {
      const before = await snapshot(sql());
      await expect(fn()).rejects.toMatchObject({ code });
      expect(await snapshot(sql())).toEqual(before);
    }

    describe('pre-authorized code (OpenID4VCI 1.0 §6.1, §4.1.1)', () => {
      test('a reused pre-authorized code yields no second token', async () => {
        const w = await makeWallet(t);
        const offer = await adminOffer(t);
        await tokenCall(t, w, {
          grant_type: PRE,
          'pre-authorized_code': offer.code,
          tx_code: offer.tx_code,
        });
        await unchanged(
          () =>
            tokenCall(t, w, {
              grant_type: PRE,
              'pre-authorized_code': offer.code,
              tx_code: offer.tx_code,
            }),
          'ERR_OAUTH_INVALID_GRANT',
        );
      });

      test('an expired pre-authorized code is refused', async () => {
        const w = await makeWallet(t);
        const offer = await adminOffer(t);
        t.clock.now += t.ctx.config.ISSUER_OFFER_TTL + 1;
        try {
          await unchanged(
            () =>
              tokenCall(t, w, {
                grant_type: PRE,
                'pre-authorized_code': offer.code,
                tx_code: offer.tx_code,
              }),
            'ERR_VCI_OFFER_EXPIRED',
          );
        } finally {
          t.clock.now -= t.ctx.config.ISSUER_OFFER_TTL + 1;
        }
      });

      test('a forged pre-authorized code is refused without touching the database', async () => {
        const w = await makeWallet(t);
        const offer = await adminOffer(t);
        const forged = `${offer.offer_id}.${randomBytes(24).toString('base64url')}`;
        await unchanged(
          () =>
            tokenCall(t, w, {
              grant_type: PRE,
              'pre-authorized_code': forged,
              tx_code: offer.tx_code,
            }),
          'ERR_OAUTH_INVALID_GRANT',
        );
      });

      test('wrong tx_codes are counted, burn the code at the limit, then even the right one fails', async () => {
        const w = await makeWallet(t);
        const offer = await adminOffer(t);
        const wrong = offer.tx_code === '000000' ? '000001' : '000000';
        const attempts = async () =>
          (
            await sql().query<{ tx_attempts: number; state: string }>(
              'SELECT tx_attempts, state FROM offers WHERE id = $1',
              [offer.offer_id],
            )
          ).rows[0];
        for (let i = 1; i < 5; i++) {
          await expect(
            tokenCall(t, w, { grant_type: PRE, 'pre-authorized_code': offer.code, tx_code: wrong }),
          ).rejects.toMatchObject({ code: 'ERR_VCI_TX_CODE_INVALID' });
          expect(await attempts()).toEqual({ tx_attempts: i, state: 'offered' });
        }
        await expect(
          tokenCall(t, w, { grant_type: PRE, 'pre-authorized_code': offer.code }),
        ).rejects.toMatchObject({ code: 'ERR_VCI_OFFER_BURNT' });
        expect(await attempts()).toEqual({ tx_attempts: 5, state: 'burnt' });
        await unchanged(
          () =>
            tokenCall(t, w, {
              grant_type: PRE,
              'pre-authorized_code': offer.code,
              tx_code: offer.tx_code,
            }),
          'ERR_VCI_OFFER_BURNT',
        );
      });

      test('20 racing token requests with one code yield exactly one token', async () => {
        const offer = await adminOffer(t);
        const wallets = await Promise.all(Array.from({ length: 20 }, () => makeWallet(t)));
        const results = await Promise.allSettled(
          wallets.map((w) =>
            tokenCall(t, w, {
              grant_type: PRE,
              'pre-authorized_code': offer.code,
              tx_code: offer.tx_code,
            }),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected')
            expect(r.reason).toMatchObject({ code: 'ERR_OAUTH_INVALID_GRANT' });
        }
      });

      test('an unsupported grant type is refused', async () => {
        const w = await makeWallet(t);
        await unchanged(
          () => tokenCall(t, w, { grant_type: 'password' }),
          'ERR_OAUTH_UNSUPPORTED_GRANT_TYPE',
        );
      });
    });

    describe('c_nonce (OpenID4VCI 1.0 §7)', () => {
      test('a used c_nonce is refused for another credential request', async () => {
        const w = await makeWallet(t);
        const nonce = await w.nonce();
        const a = await redeem(t, w);
        await credentialCall(t, w, a.accessToken, {
          credential_configuration_id: 'resident-id',
          proofs: { jwt: [(await w.proof({ nonce })).jwt] },
        });
        const b = await redeem(t, w);
        const proof = await w.proof({ nonce });
        await unchanged(
          () =>
            credentialCall(t, w, b.accessToken, {
              credential_configuration_id: 'resident-id',
              proofs: { jwt: [proof.jwt] },
            }),
          'ERR_VCI_NONCE_INVALID',
        );
      });

      test('an expired c_nonce is refused', async () => {
        const w = await makeWallet(t);
        const nonce = await w.nonce();
        t.clock.now += t.ctx.config.ISSUER_NONCE_TTL + 1;
        try {
          const a = await redeem(t, w);
          const proof = await w.proof({ nonce });
          await unchanged(
            () =>
              credentialCall(t, w, a.accessToken, {
                credential_configuration_id: 'resident-id',
                proofs: { jwt: [proof.jwt] },
              }),
            'ERR_VCI_NONCE_INVALID',
          );
        } finally {
          t.clock.now -= t.ctx.config.ISSUER_NONCE_TTL + 1;
        }
      });

      test('an unknown c_nonce and a missing one are refused', async () => {
        const w = await makeWallet(t);
        const a = await redeem(t, w);
        for (const nonce of [randomBytes(29).toString('base64url').slice(0, 51), undefined]) {
          const proof = await w.proof({ nonce });
          await unchanged(
            () =>
              credentialCall(t, w, a.accessToken, {
                credential_configuration_id: 'resident-id',
                proofs: { jwt: [proof.jwt] },
              }),
            'ERR_VCI_NONCE_INVALID',
          );
        }
      });

      test('the nonce endpoint answers no-store', async () => {
        const r = await t.request('/nonce', { method: 'POST' });
        expect(r.headers.get('cache-control')).toBe('no-store');
      });
    });

    describe('key proofs (OpenID4VCI 1.0 Appendix F.4)', () => {
      async function refuse(
        make: (nonce: string) => Promise<string>,
        reason?: string,
      ): Promise<void> {
        const w = await makeWallet(t);
        const a = await redeem(t, w);
        const jwt = await make(await w.nonce());
        const before = await snapshot(sql());
        const p = credentialCall(t, w, a.accessToken, {
          credential_configuration_id: 'resident-id',
          proofs: { jwt: [jwt] },
        });
        await expect(p).rejects.toMatchObject({
          code: 'ERR_VCI_PROOF_INVALID',
          ...(reason === undefined ? {} : { details: { reason } }),
        });
        expect(await snapshot(sql())).toEqual(before);
      }
      const w0 = () => makeWallet(t);

      test('wrong aud', async () => {
        const w = await w0();
        await refuse(
          async (nonce) => (await w.proof({ nonce, aud: 'https://evil.example' })).jwt,
          'aud',
        );
      });
      test('wrong typ (a DPoP proof is not a key proof)', async () => {
        const w = await w0();
        await refuse(
          async (nonce) => (await w.proof({ nonce, typ: 'dpop+jwt' })).jwt,
          'jose_typ_mismatch',
        );
      });
      test('alg none', async () => {
        await refuse(async (nonce) => {
          const k = await generateKeyPair('ES256');
          const h = Buffer.from(
            JSON.stringify({ alg: 'none', typ: 'openid4vci-proof+jwt', jwk: k.publicJwk }),
          ).toString('base64url');
          const p = Buffer.from(
            JSON.stringify({ aud: t.ctx.urls.issuer, iat: t.clock(), nonce }),
          ).toString('base64url');
          return `${h}.${p}.`;
        });
      });
      test('alg HS256 keyed with the public key', async () => {
        await refuse(async (nonce) => {
          const k = await generateKeyPair('ES256');
          const h = Buffer.from(
            JSON.stringify({ alg: 'HS256', typ: 'openid4vci-proof+jwt', jwk: k.publicJwk }),
          ).toString('base64url');
          const p = Buffer.from(
            JSON.stringify({ aud: t.ctx.urls.issuer, iat: t.clock(), nonce }),
          ).toString('base64url');
          const { createHmac } = await import('node:crypto');
          const sig = createHmac('sha256', JSON.stringify(k.publicJwk))
            .update(`${h}.${p}`)
            .digest('base64url');
          return `${h}.${p}.${sig}`;
        }, 'jose_alg_not_allowed');
      });
      test('stale iat', async () => {
        const w = await w0();
        await refuse(
          async (nonce) => (await w.proof({ nonce, iat: t.clock() - 3600 })).jwt,
          'iat_stale',
        );
      });
      test('iat in the future', async () => {
        const w = await w0();
        await refuse(
          async (nonce) => (await w.proof({ nonce, iat: t.clock() + 3600 })).jwt,
          'iat_future',
        );
      });
      test('signature by another key than the header jwk', async () => {
        await refuse(async (nonce) => {
          const shown = await generateKeyPair('ES256');
          const signing = await generateKeyPair('ES256');
          return signCompactJws(
            { aud: t.ctx.urls.issuer, iat: t.clock(), nonce },
            {
              typ: 'openid4vci-proof+jwt',
              signer: signing.signer,
              header: { jwk: shown.publicJwk },
            },
          );
        }, 'jose_signature_invalid');
      });
      test('a private key in the header is refused, never used', async () => {
        await refuse(async (nonce) => {
          const k = await generateKeyPair('ES256', { extractable: true });
          const priv = await exportPrivateKey(k.privateKey);
          return signCompactJws(
            { aud: t.ctx.urls.issuer, iat: t.clock(), nonce },
            { typ: 'openid4vci-proof+jwt', signer: k.signer, header: { jwk: priv } },
          );
        }, 'key_invalid');
      });
      test('a kid instead of a jwk is refused', async () => {
        const w = await w0();
        await refuse(
          async (nonce) => (await w.proof({ nonce, header: { kid: 'did:example:1#0' } })).jwt,
          'key_reference',
        );
      });
    });

    describe('batch issuance (OpenID4VCI 1.0 §8.2)', () => {
      test('duplicate holder keys in one batch are refused', async () => {
        const w = await makeWallet(t);
        const a = await redeem(t, w, { copies: 2 });
        const nonce = await w.nonce();
        const p = await w.proof({ nonce });
        const q = await w.proof({ nonce, key: p.key });
        await unchanged(
          () =>
            credentialCall(t, w, a.accessToken, {
              credential_configuration_id: 'resident-id',
              proofs: { jwt: [p.jwt, q.jwt] },
            }),
          'ERR_VCI_DUPLICATE_HOLDER_KEY',
        );
      });

      test('more proofs than the offer allows are refused', async () => {
        const w = await makeWallet(t);
        const a = await redeem(t, w, { copies: 2 });
        const nonce = await w.nonce();
        const jwts = [
          (await w.proof({ nonce })).jwt,
          (await w.proof({ nonce })).jwt,
          (await w.proof({ nonce })).jwt,
        ];
        await unchanged(
          () =>
            credentialCall(t, w, a.accessToken, {
              credential_configuration_id: 'resident-id',
              proofs: { jwt: jwts },
            }),
          'ERR_VCI_BATCH_TOO_LARGE',
        );
      });

      test('an offer beyond the batch size cannot be created', async () => {
        const r = await t.admin('/admin/offers', {
          method: 'POST',
          json: { type: 'resident-id', citizen_id: 'demo-0000000', copies: 4 },
        });
        expect(r.status).toBe(400);
        expect(await r.json()).toMatchObject({ code: 'ERR_VCI_BATCH_TOO_LARGE' });
      });

      test('copies get distinct status indices and distinct salts', async () => {
        const w = await makeWallet(t);
        const a = await redeem(t, w, { copies: 3 });
        const nonce = await w.nonce();
        const jwts = [
          (await w.proof({ nonce })).jwt,
          (await w.proof({ nonce })).jwt,
          (await w.proof({ nonce })).jwt,
        ];
        const r = await credentialCall(t, w, a.accessToken, {
          credential_configuration_id: 'resident-id',
          proofs: { jwt: jwts },
        });
        const payloads = r.credentials.map((c) =>
          JSON.parse(
            Buffer.from(c.credential.split('~')[0]?.split('.')[1] ?? '', 'base64url').toString(),
          ),
        );
        const idx = new Set(
          payloads.map((p) => `${p.status.status_list.uri}#${p.status.status_list.idx}`),
        );
        expect(idx.size).toBe(3);
        const disclosures = r.credentials.flatMap((c) => c.credential.split('~').slice(1, -1));
        expect(new Set(disclosures).size).toBe(disclosures.length);
        const cnf = new Set(payloads.map((p) => JSON.stringify(p.cnf.jwk)));
        expect(cnf.size).toBe(3);
      });

      test('20 racing credential requests on one token yield exactly one credential set', async () => {
        const w = await makeWallet(t);
        const a = await redeem(t, w);
        const bodies = await Promise.all(
          Array.from({ length: 20 }, async () => ({
            credential_configuration_id: 'resident-id',
            proofs: { jwt: [(await w.proof({ nonce: await w.nonce() })).jwt] },
          })),
        );
        const results = await Promise.allSettled(
          bodies.map((b) => credentialCall(t, w, a.accessToken, b)),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected')
            expect(r.reason).toMatchObject({ code: 'ERR_OAUTH_INVALID_TOKEN' });
        }
        const n = await sql().query<{ n: number }>(
          'SELECT count(*)::int AS n FROM credentials WHERE offer_id = $1',
          [a.offerId],
        );
        expect(n.rows[0]?.n).toBe(1);
      });
    });

    describe('DPoP (RFC 9449 §4.3, §7.1)', () => {
      test('a token request without DPoP is refused', async () => {
        const offer = await adminOffer(t);
        const before = await snapshot(sql());
        const r = await t.request('/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: PRE,
            'pre-authorized_code': offer.code,
            tx_code: offer.tx_code,
          }).toString(),
        });
        expect(r.status).toBe(400);
        expect(await r.json()).toMatchObject({ error: 'invalid_dpop_proof' });
        expect(await snapshot(sql())).toEqual(before);
      });

      test('wrong htm and wrong htu are refused', async () => {
        const w = await makeWallet(t);
        const offer3 = await adminOffer(t);
        const form3 = {
          grant_type: PRE,
          'pre-authorized_code': offer3.code,
          tx_code: offer3.tx_code,
        };
        await unchanged(
          async () => tokenCall(t, w, form3, await w.dpop('GET', t.ctx.urls.token)),
          'ERR_DPOP_PROOF_INVALID',
        );
        await unchanged(
          async () => tokenCall(t, w, form3, await w.dpop('POST', t.ctx.urls.credential)),
          'ERR_DPOP_PROOF_INVALID',
        );
      });

      test('a replayed DPoP jti is refused', async () => {
        const w = await makeWallet(t);
        const a = await adminOffer(t);
        const b = await adminOffer(t);
        const proof = await w.dpop('POST', t.ctx.urls.token);
        await tokenCall(
          t,
          w,
          { grant_type: PRE, 'pre-authorized_code': a.code, tx_code: a.tx_code },
          proof,
        );
        await unchanged(
          () =>
            tokenCall(
              t,
              w,
              { grant_type: PRE, 'pre-authorized_code': b.code, tx_code: b.tx_code },
              proof,
            ),
          'ERR_DPOP_PROOF_INVALID',
        );
      });

      test('a token bound to another key is refused at the credential endpoint', async () => {
        const w = await makeWallet(t);
        const thief = await makeWallet(t);
        const a = await redeem(t, w);
        const body = {
          credential_configuration_id: 'resident-id',
          proofs: { jwt: [(await w.proof({ nonce: await w.nonce() })).jwt] },
        };
        await unchanged(
          () => credentialCall(t, thief, a.accessToken, body),
          'ERR_OAUTH_INVALID_TOKEN',
        );
        const r = await thief.credential(a.accessToken, body);
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
      });

      test('an ath that does not hash the access token is refused', async () => {
        const w = await makeWallet(t);
        const a = await redeem(t, w);
        const body = {
          credential_configuration_id: 'resident-id',
          proofs: { jwt: [(await w.proof({ nonce: await w.nonce() })).jwt] },
        };
        const bad = await w.dpop('POST', t.ctx.urls.credential, {
          ath: accessTokenHash('another-token-value'),
        });
        await unchanged(
          () => credentialCall(t, w, a.accessToken, body, bad),
          'ERR_DPOP_PROOF_INVALID',
        );
        const r = await w.credential(a.accessToken, body, { dpop: bad });
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toMatch(/invalid_dpop_proof/);
      });

      test('a DPoP-bound token presented as Bearer, or without a proof, is refused', async () => {
        const w = await makeWallet(t);
        const a = await redeem(t, w);
        const body = {
          credential_configuration_id: 'resident-id',
          proofs: { jwt: [(await w.proof({ nonce: await w.nonce() })).jwt] },
        };
        expect((await w.credential(a.accessToken, body, { scheme: 'Bearer' })).status).toBe(401);
        expect((await w.credential(a.accessToken, body, { dpop: null })).status).toBe(401);
        const n = await sql().query<{ state: string }>('SELECT state FROM offers WHERE id = $1', [
          a.offerId,
        ]);
        expect(n.rows[0]?.state).toBe('redeemed');
      });
    });

    test('DPoP-Nonce: a proof without the server nonce is refused with a fresh nonce, then accepted', async () => {
      const n = await makeIssuer(sql(), { env: { ISSUER_DPOP_NONCE: 'true' } });
      const w = await makeWallet(n);
      const offer = await adminOffer(n);
      const first = await w.token(offer.code, offer.tx_code);
      expect(first.status).toBe(400);
      expect(await first.json()).toMatchObject({ error: 'use_dpop_nonce' });
      const nonce = first.headers.get('dpop-nonce');
      expect(nonce).toBeTruthy();
      const again = await w.token(offer.code, offer.tx_code, {
        dpop: await w.dpop('POST', n.ctx.urls.token, { nonce }),
      });
      expect(again.status).toBe(200);
      expect(again.headers.get('dpop-nonce')).toBeTruthy();
      await n.issuer.stop();
    });

    test('the audit chain verifies after all of the above', async () => {
      await assertAuditChain(sql());
    });
  },
  { migrations: ALL_MIGRATIONS },
);
