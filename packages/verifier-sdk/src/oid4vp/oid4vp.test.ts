/**
 * OpenID4VP 1.0 request objects with verifier attestations (§5, §5.9.3, §12) and encrypted
 * direct_post.jwt responses (§8.3) under HAIP 1.0 §5: the verifier side and the wallet side.
 */

import { signCompactJws } from '@openmid/core/jose';
import { generateKeyPair } from '@openmid/core/keys';
import { base64url, CompactEncrypt, importJWK } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import type { DcqlQuery } from '../dcql/query.js';
import {
  bankRegistration,
  issuerRecord,
  type Keys,
  makeKeys,
  NOW,
  REGISTRY,
  registryRecord,
  trustOf,
  VCT_ID,
} from '../test/fixtures.js';
import { staticTrustSource, type TrustSource } from '../trust/source.js';
import { clientIdOf, createVerifierAttestation, verifyVerifierAttestation } from './attestation.js';
import {
  decryptResponse,
  encryptResponse,
  generateResponseKey,
  type ResponseKeyPair,
} from './jwe.js';
import {
  createRequestObject,
  parseRequestLink,
  requestLink,
  verifyRequestObject,
} from './request.js';
import { createResponseBody, openResponse, parseResponseBody } from './response.js';

const CLIENT_ID = clientIdOf('bank');
const RESPONSE_URI = 'https://verifier.openmid.example/oid4vp/response/r1';
const NONCE = 'fresh-nonce-0123456789abcdef';
const DCQL: DcqlQuery = {
  credentials: [
    {
      id: 'identity',
      format: 'dc+sd-jwt',
      meta: { vct_values: [VCT_ID] },
      claims: [{ path: ['name'] }, { path: ['rrn'] }],
    },
  ],
};

let keys: Keys;
let trust: TrustSource;
let attestation: string;
let responseKey: ResponseKeyPair;

async function requestObject(overrides: Partial<Parameters<typeof createRequestObject>[0]> = {}) {
  return createRequestObject({
    signer: keys.rp.signer,
    attestation,
    clientId: CLIENT_ID,
    responseUri: RESPONSE_URI,
    nonce: NONCE,
    dcql: DCQL,
    responseKey: responseKey.publicJwk,
    now: NOW,
    ...overrides,
  });
}

beforeAll(async () => {
  keys = await makeKeys();
  trust = trustOf(keys);
  attestation = await createVerifierAttestation(bankRegistration(keys), {
    signer: keys.registry.signer,
    iss: REGISTRY,
    key: keys.rp.publicJwk,
    now: NOW,
  });
  responseKey = await generateResponseKey('k1');
});

describe('request objects (wallet side)', () => {
  test('verifies the attestation, the signature and the parameters, and shows who asks and why', async () => {
    const verified = await verifyRequestObject(await requestObject(), {
      trust,
      clientId: CLIENT_ID,
      now: NOW,
    });
    expect(verified).toMatchObject({
      clientId: CLIENT_ID,
      responseUri: RESPONSE_URI,
      nonce: NONCE,
      enc: 'A256GCM',
      registration: {
        id: 'bank',
        names: { en: 'Open Bank' },
        rrnLegalBasis: expect.stringContaining('금융실명'),
      },
      registry: { iss: REGISTRY },
      exceeds: [],
    });
    expect(verified.responseKey).toEqual(responseKey.publicJwk);
  });

  test('reports claims beyond the registration, and a resident number without a legal basis', async () => {
    const dcql: DcqlQuery = {
      credentials: [
        {
          id: 'identity',
          format: 'dc+sd-jwt',
          meta: { vct_values: [VCT_ID] },
          claims: [{ path: ['name'] }, { path: ['portrait'] }, { path: ['rrn'] }],
        },
      ],
    };
    const noBasis = staticTrustSource({
      issuers: [issuerRecord(keys), registryRecord(keys)],
      relyingParties: [bankRegistration(keys, { rrnLegalBasis: null })],
    });
    const verified = await verifyRequestObject(await requestObject({ dcql }), {
      trust: noBasis,
      clientId: CLIENT_ID,
      now: NOW,
      legalBasisRequired: (_vct, path) => path[0] === 'rrn',
    });
    expect(verified.exceeds.map((x) => [x.path, x.reason])).toEqual([
      [['portrait'], 'claim-not-registered'],
      [['rrn'], 'no-legal-basis'],
    ]);
  });

  test('uses the attested registration when the trust source does not know the party', async () => {
    const registryOnly = staticTrustSource({
      issuers: [issuerRecord(keys), registryRecord(keys)],
      relyingParties: [],
    });
    const verified = await verifyRequestObject(await requestObject(), {
      trust: registryOnly,
      clientId: CLIENT_ID,
      now: NOW,
    });
    expect(verified.registration.purpose.en).toBe('Real-name check to open an account');
  });

  test('refuses an attestation from an untrusted registry, for another party, or expired', async () => {
    const rogue = await generateKeyPair('ES256', { kid: 'rogue' });
    const forged = await createVerifierAttestation(bankRegistration(keys), {
      signer: rogue.signer,
      iss: REGISTRY,
      key: keys.rp.publicJwk,
      now: NOW,
    });
    await expect(
      verifyRequestObject(await requestObject({ attestation: forged }), {
        trust,
        clientId: CLIENT_ID,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VP_ATTESTATION_INVALID' });
    // The issuer of credentials is not a registry.
    const notRegistry = await createVerifierAttestation(bankRegistration(keys), {
      signer: keys.issuer.signer,
      iss: issuerRecord(keys).id,
      key: keys.rp.publicJwk,
      now: NOW,
    });
    await expect(
      verifyRequestObject(await requestObject({ attestation: notRegistry }), {
        trust,
        clientId: CLIENT_ID,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VP_ATTESTATION_INVALID' });
    const shop = await createVerifierAttestation(bankRegistration(keys, { id: 'shop' }), {
      signer: keys.registry.signer,
      iss: REGISTRY,
      key: keys.rp.publicJwk,
      now: NOW,
    });
    await expect(
      verifyRequestObject(await requestObject({ attestation: shop }), {
        trust,
        clientId: CLIENT_ID,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VP_ATTESTATION_INVALID' });
    await expect(
      verifyRequestObject(await requestObject(), {
        trust,
        clientId: CLIENT_ID,
        now: NOW + 2 * 86_400,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VP_ATTESTATION_INVALID' });
  });

  test('refuses a request object not signed by the attested key (§5.9.3 proof of possession)', async () => {
    const other = await generateKeyPair('ES256');
    await expect(
      verifyRequestObject(await requestObject({ signer: other.signer }), {
        trust,
        clientId: CLIENT_ID,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_SIGNATURE_INVALID' });
  });

  test('refuses a client_id that differs from the link, or a response_uri that is not https', async () => {
    await expect(
      verifyRequestObject(await requestObject({ clientId: 'verifier_attestation:bank2' }), {
        trust,
        clientId: CLIENT_ID,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VP_REQUEST_INVALID' });
    await expect(
      verifyRequestObject(await requestObject({ responseUri: 'http://verifier.example/r' }), {
        trust,
        clientId: CLIENT_ID,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VP_REQUEST_INVALID' });
  });

  test('refuses a token of another type used as a request object (typ oauth-authz-req+jwt)', async () => {
    const jwt = await signCompactJws(
      { client_id: CLIENT_ID, response_type: 'vp_token' },
      { typ: 'JWT', signer: keys.rp.signer, header: { jwt: attestation } },
    );
    await expect(
      verifyRequestObject(jwt, { trust, clientId: CLIENT_ID, now: NOW }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_TYP_MISMATCH',
    });
  });

  test('links round-trip client_id and request_uri', () => {
    const link = requestLink(CLIENT_ID, 'https://verifier.example/oid4vp/request/abc');
    expect(link.startsWith('openid4vp://?client_id=verifier_attestation%3Abank&request_uri=')).toBe(
      true,
    );
    expect(parseRequestLink(link)).toEqual({
      clientId: CLIENT_ID,
      requestUri: 'https://verifier.example/oid4vp/request/abc',
    });
  });
});

describe('encrypted responses (direct_post.jwt, HAIP 1.0 §5)', () => {
  test('a response encrypted by the wallet opens with the request key', async () => {
    const verified = await verifyRequestObject(await requestObject(), {
      trust,
      clientId: CLIENT_ID,
      now: NOW,
    });
    const body = await createResponseBody(verified, { identity: ['eyJ.presentation~'] });
    const parsed = parseResponseBody(body);
    expect(parsed.kind).toBe('response');
    const opened = await openResponse((parsed as { jwe: string }).jwe, responseKey.privateJwk);
    expect(opened.vpToken).toEqual({ identity: ['eyJ.presentation~'] });
  });

  test('refuses a response encrypted to another key', async () => {
    const other = await generateResponseKey('k1');
    const jwe = await encryptResponse({ vp_token: {} }, other.publicJwk);
    await expect(decryptResponse(jwe, responseKey.privateJwk)).rejects.toMatchObject({
      code: 'ERR_VP_JWE_INVALID',
    });
  });

  async function craft(header: Record<string, unknown>): Promise<string> {
    const key = await importJWK({ ...responseKey.publicJwk }, header['alg'] as string);
    return new CompactEncrypt(new TextEncoder().encode('{"vp_token":{}}'))
      .setProtectedHeader(header as { alg: string; enc: string })
      .encrypt(key);
  }

  test('refuses another alg, another enc, zip, or a missing kid, before any key agreement', async () => {
    for (const header of [
      { alg: 'ECDH-ES+A128KW', enc: 'A128GCM', kid: 'k1' },
      { alg: 'ECDH-ES', enc: 'A128CBC-HS256', kid: 'k1' },
      { alg: 'ECDH-ES', enc: 'A256GCM', kid: 'k1', zip: 'DEF' },
      { alg: 'ECDH-ES', enc: 'A256GCM' },
      { alg: 'ECDH-ES', enc: 'A256GCM', kid: 'k2' },
    ])
      await expect(
        decryptResponse(await craft(header), responseKey.privateJwk),
      ).rejects.toMatchObject({
        code: 'ERR_VP_JWE_INVALID',
      });
  });

  test('refuses a header with a duplicate member or a tampered ciphertext', async () => {
    const jwe = await craft({ alg: 'ECDH-ES', enc: 'A256GCM', kid: 'k1' });
    const [h, ek, iv, ct, tag] = jwe.split('.') as [string, string, string, string, string];
    const headerText = new TextDecoder().decode(base64url.decode(h));
    const dup = base64url.encode(headerText.replace('{', '{"kid":"k1",'));
    await expect(
      decryptResponse([dup, ek, iv, ct, tag].join('.'), responseKey.privateJwk),
    ).rejects.toMatchObject({
      code: 'ERR_VP_JWE_INVALID',
    });
    const flipped = ct.startsWith('A') ? `B${ct.slice(1)}` : `A${ct.slice(1)}`;
    await expect(
      decryptResponse([h, ek, iv, flipped, tag].join('.'), responseKey.privateJwk),
    ).rejects.toMatchObject({
      code: 'ERR_VP_JWE_INVALID',
    });
  });

  test('the response body carries exactly one response, or a known wallet error', () => {
    expect(parseResponseBody('error=access_denied&error_description=no')).toEqual({
      kind: 'error',
      error: 'access_denied',
    });
    for (const body of [
      'response=a&response=b',
      'response=a&vp_token=b',
      'error=made_up',
      'vp_token=%7B%7D',
      '',
    ])
      expect(() => parseResponseBody(body)).toThrow(
        expect.objectContaining({ code: 'ERR_VP_RESPONSE_INVALID' }),
      );
  });

  test('an attestation verified directly exposes the registration and the cnf key', async () => {
    const v = await verifyVerifierAttestation(attestation, {
      trust,
      clientId: CLIENT_ID,
      now: NOW,
    });
    expect(v.cnfJwk.x).toBe(keys.rp.publicJwk.x);
    expect(v.registration.id).toBe('bank');
  });
});
