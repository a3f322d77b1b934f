import { verifierFromJwk } from '@openmid/core/keys';
import { verifySdJwtVc } from '@openmid/core/sd-jwt-vc';
import { findCredentialType } from '@openmid/profile-kr';
import { assertAuditChain } from '@openmid/server-kit';
import { describeStores } from '@openmid/server-kit/testing';
import { expect, test } from 'vitest';
import { ALL_MIGRATIONS } from '../main.js';
import { makeIssuer, makeWallet, redeem } from '../test/harness.js';

describeStores(
  'issuer pre-authorized flow',
  ({ sql }) => {
    test('offer → token → nonce → credential yields a verifiable, key-bound SD-JWT VC', async () => {
      const t = await makeIssuer(sql());
      const meta = await (await t.request('/.well-known/openid-credential-issuer')).json();
      expect(meta).toMatchObject({ credential_issuer: 'https://issuer.example' });
      const wallet = await makeWallet(t);
      const { accessToken } = await redeem(t, wallet, { type: 'driving-licence', copies: 2 });
      const nonce = await wallet.nonce();
      const p1 = await wallet.proof({ nonce });
      const p2 = await wallet.proof({ nonce });
      const r = await wallet.credential(accessToken, {
        credential_configuration_id: 'driving-licence',
        proofs: { jwt: [p1.jwt, p2.jwt] },
      });
      expect(r.status).toBe(200);
      const body = (await r.json()) as {
        credentials: { credential: string }[];
        notification_id: string;
      };
      expect(body.credentials).toHaveLength(2);
      const issuerKey = await verifierFromJwk(t.ctx.secrets.publicJwk);
      const vc = await verifySdJwtVc(body.credentials[0]?.credential as string, {
        issuerKey: () => issuerKey,
        keyBinding: false,
        now: t.clock(),
        acceptedVcts: [findCredentialType('driving-licence').vct],
      });
      expect(vc.iss).toBe('https://issuer.example');
      await assertAuditChain(sql());
      await t.issuer.stop();
    });
  },
  { migrations: ALL_MIGRATIONS },
);
