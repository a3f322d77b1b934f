/**
 * Credential offers as they reach the wallet (OpenID4VCI 1.0 §4.1): by value, by reference, inside
 * the wallet's own `?offer=` link; the pre-authorized grant and its `tx_code` (§4.1.1); the
 * well-known URL rule (§12.2.2, RFC 8414 §3.1); the form of a transaction code.
 */
import { describe, expect, test } from 'vitest';
import {
  type CredentialOffer,
  checkTxCode,
  PRE_AUTHORIZED_GRANT,
  parseOfferLink,
  parseOfferObject,
  resolveOffer,
  wellKnown,
} from './oid4vci.js';

const OFFER = {
  credential_issuer: 'https://issuer.example',
  credential_configuration_ids: ['driving-licence'],
  grants: {
    [PRE_AUTHORIZED_GRANT]: {
      'pre-authorized_code': 'abc.def',
      tx_code: { input_mode: 'numeric', length: 6, description: '안내문의 인증번호' },
    },
  },
};
const byValue = `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(OFFER))}`;

describe('credential offer links (OpenID4VCI 1.0 §4.1)', () => {
  test('an offer by value is read from the openid-credential-offer:// link', () => {
    expect(parseOfferLink(byValue)).toEqual({
      offer: {
        credentialIssuer: 'https://issuer.example',
        configurationIds: ['driving-licence'],
        preAuthorizedCode: 'abc.def',
        txCode: { inputMode: 'numeric', length: 6, description: '안내문의 인증번호' },
      },
    });
  });

  test('an offer by reference names the URI to fetch, also inside the wallet’s ?offer= link', () => {
    const ref =
      'openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1';
    expect(parseOfferLink(ref)).toEqual({ offerUri: 'https://issuer.example/o/1' });
    expect(
      parseOfferLink(`https://wallet.example/receive?offer=${encodeURIComponent(ref)}`),
    ).toEqual({ offerUri: 'https://issuer.example/o/1' });
  });

  test.each([
    ['no parameter', 'openid-credential-offer://?x=1'],
    ['both parameters', `${byValue}&credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1`],
    ['not JSON', 'openid-credential-offer://?credential_offer=%7Bnope'],
    ['not a URL', '::::'],
  ])('refuses a link with %s (ERR_WALLET_OFFER_INVALID)', (_, link) => {
    expect(() => parseOfferLink(link)).toThrow(
      expect.objectContaining({ code: 'ERR_WALLET_OFFER_INVALID' }),
    );
  });

  test('only the pre-authorized code grant is supported', () => {
    expect(() =>
      parseOfferObject({ ...OFFER, grants: { authorization_code: { issuer_state: 'x' } } }),
    ).toThrow(expect.objectContaining({ code: 'ERR_WALLET_OFFER_INVALID' }));
  });

  test('an offer by reference is fetched (https only) and validated', async () => {
    const seen: string[] = [];
    const offer = await resolveOffer(
      'openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1',
      {
        allowHttp: false,
        fetch: async (url) => {
          seen.push(url);
          return new Response(JSON.stringify(OFFER), {
            headers: { 'content-type': 'application/json' },
          });
        },
      },
    );
    expect(seen).toEqual(['https://issuer.example/o/1']);
    expect(offer.preAuthorizedCode).toBe('abc.def');
    await expect(
      resolveOffer(
        'openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fissuer.example%2Fo%2F1',
        { allowHttp: false, fetch: async () => new Response('{}') },
      ),
    ).rejects.toMatchObject({ code: 'ERR_WALLET_NETWORK', details: { reason: 'scheme' } });
  });
});

describe('issuer metadata location (OpenID4VCI 1.0 §12.2.2; RFC 8414 §3.1)', () => {
  test('the well-known segment goes between the host and the path', () => {
    expect(wellKnown('https://issuer.example', 'openid-credential-issuer')).toBe(
      'https://issuer.example/.well-known/openid-credential-issuer',
    );
    expect(wellKnown('https://issuer.example/tenant/', 'oauth-authorization-server')).toBe(
      'https://issuer.example/.well-known/oauth-authorization-server/tenant',
    );
  });
});

describe('transaction code (§4.1.1)', () => {
  const offer = parseOfferObject(OFFER) as CredentialOffer;
  test('six digits pass; another length or letters are ERR_WALLET_TX_CODE_FORMAT', () => {
    expect(() => checkTxCode(offer, '123456')).not.toThrow();
    for (const bad of ['12345', '1234567', '12a456', '', undefined])
      expect(() => checkTxCode(offer, bad)).toThrow(
        expect.objectContaining({ code: 'ERR_WALLET_TX_CODE_FORMAT' }),
      );
  });
  test('an offer without tx_code needs none', () => {
    const { txCode: _t, ...none } = offer;
    expect(() => checkTxCode(none, undefined)).not.toThrow();
  });
});
