/**
 * The driving licence as an ISO mdoc through OpenID4VCI 1.0 (issue 7 §2; Appendix A.2): metadata,
 * offers carrying both configurations, a batch of two copies bound to the proof keys with fresh
 * salts and their own status indices, each configuration issued once, the IACA endpoint, and
 * status handling (revocation, lost phone) covering the mdoc copies.
 */
import { generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import {
  createTrustStore,
  KR_MDL_NAMESPACE,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  readIssuerSigned,
  verifyIssuerSigned,
} from '@openmid/core/mdoc';
import { describeStores } from '@openmid/server-kit/testing';

const b64uDecode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64url'));

import { beforeAll, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from '../main.js';
import {
  credentialCall,
  makeIssuer,
  makeWallet,
  publishedStatus,
  type TestIssuer,
} from '../test/harness.js';

describeStores(
  'the driving licence as mso_mdoc',
  ({ sql }) => {
    let t: TestIssuer;
    let driver: string;
    beforeAll(async () => {
      t = await makeIssuer(sql(), { citizens: 8 });
      const r = await t.ctx.sql.query<{ citizen_id: string }>(
        "SELECT citizen_id FROM register_records WHERE type = 'driving-licence' ORDER BY citizen_id LIMIT 1",
      );
      driver = r.rows[0]?.citizen_id as string;
      expect(driver).toBeDefined();
    });

    /** Offer (both configurations, `copies`) → token; returns the token and the offer. */
    async function redeemBoth(copies = 2) {
      const w = await makeWallet(t);
      const created = await t.admin('/admin/offers', {
        method: 'POST',
        json: {
          type: 'driving-licence',
          citizen_id: driver,
          copies,
          configurations: ['driving-licence', 'driving-licence-mdoc'],
        },
      });
      expect(created.status).toBe(201);
      const offer = (await created.json()) as {
        credential_offer_uri: string;
        tx_code: string;
        offer_id: string;
        credential_configuration_ids: string[];
      };
      expect(offer.credential_configuration_ids).toEqual([
        'driving-licence',
        'driving-licence-mdoc',
      ]);
      const u = new URL(
        offer.credential_offer_uri.replace('openid-credential-offer://', 'https://x/'),
      );
      const object = JSON.parse(u.searchParams.get('credential_offer') as string);
      // OpenID4VCI 1.0 §4.1.1: one offer, both configuration ids.
      expect(object.credential_configuration_ids).toEqual([
        'driving-licence',
        'driving-licence-mdoc',
      ]);
      const code = object.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'][
        'pre-authorized_code'
      ] as string;
      const token = await w.token(code, offer.tx_code);
      expect(token.status).toBe(200);
      const { access_token } = (await token.json()) as { access_token: string };
      return { w, accessToken: access_token, offerId: offer.offer_id };
    }

    test('the metadata offers driving-licence-mdoc per OpenID4VCI 1.0 Appendix A.2.2', async () => {
      const meta = await (await t.request('/.well-known/openid-credential-issuer')).json();
      const c = meta.credential_configurations_supported['driving-licence-mdoc'];
      expect(c.format).toBe('mso_mdoc');
      expect(c.doctype).toBe(MDL_DOCTYPE);
      expect(c.cryptographic_binding_methods_supported).toEqual(['cose_key']);
      expect(c.credential_signing_alg_values_supported).toEqual([-7]);
      expect(c.proof_types_supported.jwt.proof_signing_alg_values_supported).toContain('ES256');
      // Claims descriptions are [namespace, element] paths (Appendix A.2.2).
      const paths = c.credential_metadata.claims.map((x: { path: string[] }) => x.path.join('/'));
      expect(paths).toContain(`${KR_MDL_NAMESPACE}/licence_classes`);
      expect(paths).toContain(`${MDL_NAMESPACE}/age_over_19`);
      expect(c.credential_metadata.display.map((d: { locale: string }) => d.locale)).toEqual([
        'ko-KR',
        'en-US',
      ]);
    });

    test('a batch of two mdocs: the proof keys as device keys, fresh salts, own status indices', async () => {
      const { w, accessToken, offerId } = await redeemBoth(2);
      const nonce = await w.nonce();
      const a = await w.proof({ nonce });
      const b = await w.proof({ nonce });
      const r = await credentialCall(t, w, accessToken, {
        credential_configuration_id: 'driving-licence-mdoc',
        proofs: { jwt: [a.jwt, b.jwt] },
      });
      expect(r.credentials).toHaveLength(2);
      const iaca = await (await t.request('/iaca')).text();
      expect(iaca).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const trust = await createTrustStore({ iacas: [iaca] });
      const held = [];
      for (const [i, c] of r.credentials.entries()) {
        // Appendix A.2.4: base64url of IssuerSigned.
        const bytes = b64uDecode(c.credential) as Uint8Array;
        const verified = await verifyIssuerSigned(bytes, { trust, now: t.clock() });
        expect(verified.docType).toBe(MDL_DOCTYPE);
        expect(jwkThumbprint(verified.deviceKey)).toBe(
          jwkThumbprint([a, b][i]?.key.publicJwk as never),
        );
        expect(verified.status?.uri).toMatch(/^https:\/\/issuer\.example\/status-lists\/\d+$/);
        expect(verified.nameSpaces[MDL_NAMESPACE]?.['issuing_country']).toBe('KR');
        held.push(readIssuerSigned(bytes));
      }
      const [x, y] = held;
      expect(x?.mso.status?.idx).not.toBe(y?.mso.status?.idx);
      const salt = (h: typeof x) => h?.parsed.nameSpaces.get(MDL_NAMESPACE)?.[0]?.random;
      expect(salt(x)).not.toEqual(salt(y));
      const rows = await t.ctx.sql.query<{ format: string; type: string }>(
        'SELECT format, type FROM credentials WHERE offer_id = $1',
        [offerId],
      );
      expect(rows.rows.map((row) => `${row.type}/${row.format}`)).toEqual([
        'driving-licence/mso_mdoc',
        'driving-licence/mso_mdoc',
      ]);
    });

    test('each configuration of the offer is issued once with the same token', async () => {
      const { w, accessToken } = await redeemBoth(1);
      const proof = async () => (await w.proof({ nonce: await w.nonce() })).jwt;
      const mdoc = await credentialCall(t, w, accessToken, {
        credential_configuration_id: 'driving-licence-mdoc',
        proofs: { jwt: [await proof()] },
      });
      expect(mdoc.credentials).toHaveLength(1);
      await expect(
        credentialCall(t, w, accessToken, {
          credential_configuration_id: 'driving-licence-mdoc',
          proofs: { jwt: [await proof()] },
        }),
      ).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_TOKEN' });
      const sdjwt = await credentialCall(t, w, accessToken, {
        credential_configuration_id: 'driving-licence',
        proofs: { jwt: [await proof()] },
      });
      expect(sdjwt.credentials[0]?.credential).toContain('~');
      // Both issued: the offer is spent.
      await expect(
        credentialCall(t, w, accessToken, {
          credential_configuration_id: 'driving-licence',
          proofs: { jwt: [await proof()] },
        }),
      ).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_TOKEN' });
    });

    test('an SD-JWT-only offer does not grant the mdoc', async () => {
      const w = await makeWallet(t);
      const created = await t.admin('/admin/offers', {
        method: 'POST',
        json: { type: 'driving-licence', citizen_id: driver },
      });
      const offer = (await created.json()) as { credential_offer_uri: string; tx_code: string };
      const u = new URL(
        offer.credential_offer_uri.replace('openid-credential-offer://', 'https://x/'),
      );
      const code = JSON.parse(u.searchParams.get('credential_offer') as string).grants[
        'urn:ietf:params:oauth:grant-type:pre-authorized_code'
      ]['pre-authorized_code'];
      const { access_token } = await (await w.token(code, offer.tx_code)).json();
      await expect(
        credentialCall(t, w, access_token, {
          credential_configuration_id: 'driving-licence-mdoc',
          proofs: { jwt: [(await w.proof({ nonce: await w.nonce() })).jwt] },
        }),
      ).rejects.toMatchObject({ code: 'ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN' });
    });

    test('configurations must belong to the offered type', async () => {
      const r = await t.admin('/admin/offers', {
        method: 'POST',
        json: { type: 'resident-id', citizen_id: driver, configurations: ['driving-licence-mdoc'] },
      });
      expect(r.status).toBe(400);
      expect((await r.json()).code).toBe('ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN');
    });

    test('revoking the licence revokes its mdoc copies in the published list', async () => {
      const { w, accessToken } = await redeemBoth(1);
      const r = await credentialCall(t, w, accessToken, {
        credential_configuration_id: 'driving-licence-mdoc',
        proofs: { jwt: [(await w.proof({ nonce: await w.nonce() })).jwt] },
      });
      const status = readIssuerSigned(
        b64uDecode(r.credentials[0]?.credential as string) as Uint8Array,
      ).mso.status as { idx: number; uri: string };
      expect(await publishedStatus(t, status.uri, status.idx)).toBe(0);
      const revoked = await t.admin(`/admin/citizens/${driver}/revoke`, {
        method: 'POST',
        json: { types: ['driving-licence'] },
      });
      expect(revoked.status).toBe(200);
      expect(await publishedStatus(t, status.uri, status.idx)).toBe(1);
    });

    test('a lost phone with an mdoc re-offers both configurations', async () => {
      const other = await t.ctx.sql.query<{ citizen_id: string }>(
        "SELECT citizen_id FROM register_records WHERE type = 'driving-licence' ORDER BY citizen_id OFFSET 1 LIMIT 1",
      );
      const citizen = other.rows[0]?.citizen_id as string;
      const w = await makeWallet(t);
      const created = await t.admin('/admin/offers', {
        method: 'POST',
        json: { type: 'driving-licence-mdoc', citizen_id: citizen },
      });
      expect(created.status).toBe(201);
      const offer = (await created.json()) as {
        credential_offer_uri: string;
        tx_code: string;
        credential_configuration_id: string;
      };
      expect(offer.credential_configuration_id).toBe('driving-licence-mdoc');
      const u = new URL(
        offer.credential_offer_uri.replace('openid-credential-offer://', 'https://x/'),
      );
      const code = JSON.parse(u.searchParams.get('credential_offer') as string).grants[
        'urn:ietf:params:oauth:grant-type:pre-authorized_code'
      ]['pre-authorized_code'];
      const { access_token } = await (await w.token(code, offer.tx_code)).json();
      const key = await generateKeyPair('ES256');
      await credentialCall(t, w, access_token, {
        credential_configuration_id: 'driving-licence-mdoc',
        proofs: { jwt: [(await w.proof({ nonce: await w.nonce(), key })).jwt] },
      });
      const lost = await t.admin('/admin/lost-phone', {
        method: 'POST',
        json: { citizen_id: citizen, device_key_thumbprint: w.deviceId },
      });
      expect(lost.status).toBe(200);
      const report = (await lost.json()) as {
        suspended: number;
        offers: { credential_configuration_ids?: string[]; credential_configuration_id: string }[];
      };
      expect(report.suspended).toBe(1);
      expect(report.offers[0]?.credential_configuration_ids).toEqual([
        'driving-licence',
        'driving-licence-mdoc',
      ]);
    });
  },
  { migrations: ALL_MIGRATIONS },
);
