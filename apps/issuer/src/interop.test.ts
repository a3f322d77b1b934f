/**
 * Interop: an OpenID4VCI client written by others (`@openid4vc/openid4vci` 0.4.6 with
 * `@openid4vc/oauth2`) obtains credentials from this issuer through BOTH flows — pre-authorized
 * code with tx_code, and authorization code with PKCE + PAR through the demo IdP (redirects
 * followed programmatically) — with DPoP, a nonce from the nonce endpoint, a batch of key proofs
 * and a notification; every credential then verifies with `verifySdJwtVc`. The same library also
 * obtains the driving licence as `mso_mdoc` (Appendix A.2) from an offer carrying both
 * configurations; those verify with `verifyIssuerSigned` against the issuer's IACA. The library's
 * fetch is routed to the app in process (the whole HTTP stack, no socket; the crash test covers
 * sockets).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  clientAuthenticationAnonymous,
  clientAuthenticationNone,
  type Jwk,
  type JwtSigner,
} from '@openid4vc/oauth2';
import { Openid4vciClient } from '@openid4vc/openid4vci';

const b64uEncodeText = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

import {
  type GeneratedKeyPair,
  generateKeyPair,
  jwkThumbprint,
  verifierFromJwk,
} from '@openmid/core/keys';
import { createTrustStore, MDL_DOCTYPE, verifyIssuerSigned } from '@openmid/core/mdoc';
import { verifySdJwtVc } from '@openmid/core/sd-jwt-vc';
import { findCredentialType } from '@openmid/profile-kr';
import { describeStores } from '@openmid/server-kit/testing';
import { beforeAll, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from './main.js';
import { adminOffer, makeIssuer, type TestIssuer } from './test/harness.js';

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Callbacks for the library, signing with OpenMID keys it holds by JWK. */
function walletCallbacks(t: TestIssuer, keys: Map<string, GeneratedKeyPair>) {
  return {
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      Promise.resolve(
        t.issuer.app.request(input instanceof URL ? input.toString() : input, init),
      )) as typeof fetch,
    hash: (data: Uint8Array, alg: string) =>
      new Uint8Array(createHash(alg.replace('-', '')).update(data).digest()),
    generateRandom: (n: number) => new Uint8Array(randomBytes(n)),
    signJwt: async (
      signer: JwtSigner,
      jwt: { header: Record<string, unknown>; payload: Record<string, unknown> },
    ) => {
      if (signer.method !== 'jwk') throw new Error('only jwk signers');
      const key = keys.get(JSON.stringify(signer.publicJwk));
      if (key === undefined) throw new Error('unknown key');
      const input = `${b64uEncodeText(JSON.stringify(jwt.header))}.${b64uEncodeText(JSON.stringify(jwt.payload))}`;
      const sig = await key.signer.sign(new TextEncoder().encode(input));
      return { jwt: `${input}.${b64u(sig)}`, signerJwk: signer.publicJwk };
    },
    clientAuthentication: clientAuthenticationAnonymous(),
  };
}

async function newKey(keys: Map<string, GeneratedKeyPair>): Promise<{
  signer: JwtSigner & { method: 'jwk'; alg: string; publicJwk: Jwk };
  pair: GeneratedKeyPair;
}> {
  const pair = await generateKeyPair('ES256');
  const publicJwk = { ...pair.publicJwk } as Jwk;
  keys.set(JSON.stringify(publicJwk), pair);
  return { pair, signer: { method: 'jwk', alg: 'ES256', publicJwk } };
}

async function verifyAll(t: TestIssuer, credentials: unknown[], type: string): Promise<void> {
  const issuerKey = await verifierFromJwk(t.ctx.secrets.publicJwk);
  for (const c of credentials) {
    const vc = await verifySdJwtVc((c as { credential: string }).credential, {
      issuerKey: () => issuerKey,
      keyBinding: false,
      now: t.clock(),
      acceptedVcts: [findCredentialType(type).vct],
    });
    expect(vc.iss).toBe(t.ctx.urls.issuer);
  }
}

describeStores(
  'interop with @openid4vc/openid4vci',
  ({ sql }) => {
    let t: TestIssuer;
    beforeAll(async () => {
      t = await makeIssuer(sql());
      // The library checks proof and DPoP times against the real clock.
      t.clock.now = Math.floor(Date.now() / 1000);
    });

    test('pre-authorized code + tx_code, DPoP, batch of 2, notification', async () => {
      const keys = new Map<string, GeneratedKeyPair>();
      const client = new Openid4vciClient({ callbacks: walletCallbacks(t, keys) });
      const offer = await adminOffer(t, { type: 'driving-licence', copies: 2 });
      const credentialOffer = await client.resolveCredentialOffer(offer.credential_offer_uri);
      const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
      const dpopKey = await newKey(keys);
      const token = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer,
        issuerMetadata,
        txCode: offer.tx_code,
        dpop: { signer: dpopKey.signer },
      });
      expect(token.accessTokenResponse.token_type).toBe('DPoP');
      const { c_nonce } = await client.requestNonce({ issuerMetadata });
      const proofs: string[] = [];
      for (let i = 0; i < 2; i++) {
        const holder = await newKey(keys);
        const { jwt } = await client.createCredentialRequestJwtProof({
          issuerMetadata,
          credentialConfigurationId: 'driving-licence',
          signer: holder.signer,
          nonce: c_nonce,
        });
        proofs.push(jwt);
      }
      const res = await client.retrieveCredentials({
        issuerMetadata,
        accessToken: token.accessTokenResponse.access_token,
        credentialConfigurationId: 'driving-licence',
        proofs: { jwt: proofs },
        ...(token.dpop === undefined ? {} : { dpop: token.dpop }),
      });
      const body = res.credentialResponse as { credentials: unknown[]; notification_id: string };
      expect(body.credentials).toHaveLength(2);
      await verifyAll(t, body.credentials, 'driving-licence');
      const notified = await client
        .sendNotification({
          issuerMetadata,
          accessToken: token.accessTokenResponse.access_token,
          notification: { notificationId: body.notification_id, event: 'credential_accepted' },
          dpop: {
            signer: dpopKey.signer,
            ...(res.dpop?.nonce === undefined ? {} : { nonce: res.dpop.nonce }),
          },
        })
        .catch(async (e: { response?: { response?: Response } }) => {
          const r = e.response?.response;
          throw new Error(
            `notification: ${r?.status} ${await r?.text()} ${r?.headers.get('www-authenticate')}`,
          );
        });
      expect(notified.ok).toBe(true);
    });

    test('the driving licence as mso_mdoc from an offer of both forms, batch of 2', async () => {
      const keys = new Map<string, GeneratedKeyPair>();
      const client = new Openid4vciClient({ callbacks: walletCallbacks(t, keys) });
      const r = await t.admin('/admin/offers', {
        method: 'POST',
        json: {
          type: 'driving-licence',
          citizen_id: 'demo-0000000',
          copies: 2,
          configurations: ['driving-licence', 'driving-licence-mdoc'],
        },
      });
      expect(r.status).toBe(201);
      const offer = (await r.json()) as { credential_offer_uri: string; tx_code: string };
      const credentialOffer = await client.resolveCredentialOffer(offer.credential_offer_uri);
      expect(credentialOffer.credential_configuration_ids).toEqual([
        'driving-licence',
        'driving-licence-mdoc',
      ]);
      const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
      const config = issuerMetadata.credentialIssuer.credential_configurations_supported[
        'driving-licence-mdoc'
      ] as { format: string; doctype: string };
      expect(config).toMatchObject({ format: 'mso_mdoc', doctype: MDL_DOCTYPE });
      const dpopKey = await newKey(keys);
      const token = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer,
        issuerMetadata,
        txCode: offer.tx_code,
        dpop: { signer: dpopKey.signer },
      });
      const { c_nonce } = await client.requestNonce({ issuerMetadata });
      const holders: GeneratedKeyPair[] = [];
      const proofs: string[] = [];
      for (let i = 0; i < 2; i++) {
        const holder = await newKey(keys);
        holders.push(holder.pair);
        const { jwt } = await client.createCredentialRequestJwtProof({
          issuerMetadata,
          credentialConfigurationId: 'driving-licence-mdoc',
          signer: holder.signer,
          nonce: c_nonce,
        });
        proofs.push(jwt);
      }
      const res = await client.retrieveCredentials({
        issuerMetadata,
        accessToken: token.accessTokenResponse.access_token,
        credentialConfigurationId: 'driving-licence-mdoc',
        proofs: { jwt: proofs },
        ...(token.dpop === undefined ? {} : { dpop: token.dpop }),
      });
      const body = res.credentialResponse as { credentials: { credential: string }[] };
      expect(body.credentials).toHaveLength(2);
      const trust = await createTrustStore({ iacas: [await (await t.request('/iaca')).text()] });
      for (const [i, c] of body.credentials.entries()) {
        const verified = await verifyIssuerSigned(
          new Uint8Array(Buffer.from(c.credential, 'base64url')),
          { trust, now: t.clock() },
        );
        expect(verified.docType).toBe(MDL_DOCTYPE);
        expect(jwkThumbprint(verified.deviceKey)).toBe(
          jwkThumbprint(holders[i]?.publicJwk as never),
        );
      }
    });

    test('authorization code + PKCE + PAR through the demo IdP, DPoP', async () => {
      const keys = new Map<string, GeneratedKeyPair>();
      const client = new Openid4vciClient({
        callbacks: {
          ...walletCallbacks(t, keys),
          clientAuthentication: clientAuthenticationNone({ clientId: 'interop-wallet' }),
        },
      });
      const issuerMetadata = await client.resolveIssuerMetadata(t.ctx.urls.issuer);
      // Wallet-initiated: the wallet builds the offer from the issuer's metadata (OpenID4VCI 1.0 §5).
      const credentialOffer = {
        credential_issuer: t.ctx.urls.issuer,
        credential_configuration_ids: ['resident-id'],
        grants: { authorization_code: {} },
      };
      const dpopKey = await newKey(keys);
      const redirectUri = 'https://wallet.example/callback';
      const auth = await client.initiateAuthorization({
        credentialOffer,
        issuerMetadata,
        clientId: 'interop-wallet',
        redirectUri,
        scope: 'resident-id',
        dpop: { signer: dpopKey.signer },
      });
      if (auth.authorizationFlow !== 'Oauth2Redirect') throw new Error('expected a redirect flow');
      expect(new URL(auth.authorizationRequestUrl).searchParams.get('request_uri')).toMatch(
        /^urn:ietf:params:oauth:request_uri:/,
      );
      // The browser: authorize → IdP page → choose citizen → callback → wallet redirect.
      const toIdp = await t.request(auth.authorizationRequestUrl);
      expect(toIdp.status).toBe(302);
      const page = await (await t.request(toIdp.headers.get('location') as string)).text();
      const ticket = (/name="ticket" value="([^"]+)"/.exec(page)?.[1] ?? '').replace(
        /&#(\d+);/g,
        (_, n) => String.fromCharCode(Number(n)),
      );
      const chosen = await t.request('/demo-idp/authorize', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ticket, citizen: '1' }).toString(),
      });
      const back = await t.request(chosen.headers.get('location') as string);
      const walletRedirect = back.headers.get('location') as string;
      expect(walletRedirect.startsWith(redirectUri)).toBe(true);
      const response = client.parseAndVerifyAuthorizationResponseRedirectUrl({
        url: walletRedirect,
        authorizationServerMetadata: issuerMetadata.authorizationServers[0] as never,
      });
      if (response.code === undefined) throw new Error('no code');
      const token = await client.retrieveAuthorizationCodeAccessTokenFromOffer({
        credentialOffer,
        issuerMetadata,
        authorizationCode: response.code,
        ...(auth.pkce === undefined ? {} : { pkceCodeVerifier: auth.pkce.codeVerifier }),
        redirectUri,
        dpop: { signer: dpopKey.signer },
      });
      const { c_nonce } = await client.requestNonce({ issuerMetadata });
      const holder = await newKey(keys);
      const { jwt } = await client.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: 'resident-id',
        signer: holder.signer,
        nonce: c_nonce,
        clientId: 'interop-wallet',
      });
      const res = await client.retrieveCredentials({
        issuerMetadata,
        accessToken: token.accessTokenResponse.access_token,
        credentialConfigurationId: 'resident-id',
        proofs: { jwt: [jwt] },
        ...(token.dpop === undefined ? {} : { dpop: token.dpop }),
      });
      const body = res.credentialResponse as { credentials: unknown[] };
      expect(body.credentials).toHaveLength(1);
      await verifyAll(t, body.credentials, 'resident-id');
    });
  },
  { migrations: ALL_MIGRATIONS },
);
