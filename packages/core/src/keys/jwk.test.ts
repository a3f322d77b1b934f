import { describe, expect, test } from 'vitest';
import {
  generateKeyPair,
  importPublicKey,
  jwkThumbprint,
  jwkThumbprintUri,
  parsePublicJwk,
} from './index.js';

const EC = {
  kty: 'EC',
  crv: 'P-256',
  x: 'TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc',
  y: 'ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ',
};

describe('parsePublicJwk', () => {
  test('infers the algorithm from kty and crv', () => {
    expect(parsePublicJwk(EC).alg).toBe('ES256');
    expect(
      parsePublicJwk({
        kty: 'OKP',
        crv: 'Ed25519',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      }).alg,
    ).toBe('EdDSA');
  });

  test.each([
    ['not an object', 'jwk', 'ERR_KEY_INVALID'],
    ['private member d in a public key', { ...EC, d: 'x' }, 'ERR_KEY_INVALID'],
    ['a symmetric key', { kty: 'oct', k: 'AAAA' }, 'ERR_KEY_ALG_MISMATCH'],
    ['an RSA key', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }, 'ERR_KEY_UNSUPPORTED'],
    ['P-384', { ...EC, crv: 'P-384' }, 'ERR_KEY_UNSUPPORTED'],
    ['a short x', { ...EC, x: 'AAAA' }, 'ERR_KEY_INVALID'],
    ['padded base64', { ...EC, x: `${EC.x}=` }, 'ERR_KEY_INVALID'],
    ['a missing y', { kty: 'EC', crv: 'P-256', x: EC.x }, 'ERR_KEY_INVALID'],
    ['alg EdDSA on an EC key', { ...EC, alg: 'EdDSA' }, 'ERR_KEY_ALG_MISMATCH'],
    ['use enc', { ...EC, use: 'enc' }, 'ERR_KEY_ALG_MISMATCH'],
    ['key_ops without verify', { ...EC, key_ops: ['encrypt'] }, 'ERR_KEY_ALG_MISMATCH'],
  ])('rejects %s', (_name, jwk, code) => {
    expect(() => parsePublicJwk(jwk)).toThrow(expect.objectContaining({ code }));
  });

  test('rejects a key whose type does not fit the expected algorithm', () => {
    expect(() => parsePublicJwk(EC, 'EdDSA')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ALG_MISMATCH' }),
    );
  });
});

describe('importPublicKey', () => {
  test('imports the RFC 9901 example holder key', async () => {
    const key = await importPublicKey(EC);
    expect(key.alg).toBe('ES256');
    expect(key.jwk).toEqual(EC);
  });
});

describe('thumbprints (RFC 7638, RFC 9278)', () => {
  test('ignore non-required members and are stable', async () => {
    const { publicJwk } = await generateKeyPair();
    const t = jwkThumbprint(publicJwk);
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(jwkThumbprint({ ...publicJwk, kid: 'k1', use: 'sig' })).toBe(t);
    expect(jwkThumbprintUri(publicJwk)).toBe(`urn:ietf:params:oauth:jwk-thumbprint:sha-256:${t}`);
  });
});
