import { describe, expect, test } from 'vitest';
import { b64uDecode, b64uDecodeText } from '../internal/bytes.js';
import { decodeCompactJws } from '../jose/jws.js';
import { generateKeyPair, verifierFromJwk } from '../keys/index.js';
import { frameFromPaths } from './frame.js';
import { parseSdJwt, presentSdJwt, selectDisclosures } from './holder.js';
import { issueSdJwt } from './issue.js';
import { createKbJwt } from './kb.js';
import type { DisclosureFrame } from './types.js';
import { verifySdJwt } from './verify.js';

const issuer = await generateKeyPair('ES256');
const holder = await generateKeyPair('ES256');
const issuerKey = await verifierFromJwk(issuer.publicJwk);
const TYP = 'example+sd-jwt';
const NOW = 1_800_000_000;

const CLAIMS = Object.freeze({
  iss: 'https://police.go.kr',
  given_name: '민준',
  family_name: '김',
  address: Object.freeze({ street_address: '세종대로 209', locality: '서울', country: 'KR' }),
  nationalities: Object.freeze(['KR', 'US']),
  cnf: Object.freeze({ jwk: holder.publicJwk }),
});
const FRAME: DisclosureFrame = Object.freeze({
  _sd: ['given_name', 'family_name', 'address'],
  address: Object.freeze({ _sd: ['street_address', 'locality'] }),
  nationalities: Object.freeze({ _sd: [0, 1] }),
  _sd_decoy: 2,
});

function payloadOf(sdJwt: string): Record<string, unknown> {
  return decodeCompactJws(sdJwt.slice(0, sdJwt.indexOf('~'))).payload;
}

function disclosuresOf(sdJwt: string): unknown[][] {
  return sdJwt
    .split('~')
    .slice(1, -1)
    .map((d) => JSON.parse(b64uDecodeText(d) as string) as unknown[]);
}

describe('issueSdJwt (RFC 9901 §4)', () => {
  test('round-trips through holder and verifier, inputs untouched', async () => {
    const sdJwt = await issueSdJwt(CLAIMS, { signer: issuer.signer, typ: TYP, frame: FRAME });
    expect(sdJwt.endsWith('~')).toBe(true);
    expect(parseSdJwt(sdJwt).claims).toEqual(CLAIMS);
    const { claims } = await verifySdJwt(sdJwt, {
      typ: TYP,
      issuerKey,
      keyBinding: false,
      now: NOW,
    });
    expect(claims).toEqual(CLAIMS);
  });

  test('salts are at least 128 bits, fresh per claim and per issued copy (RFC 9901 §9.3)', async () => {
    const a = await issueSdJwt(CLAIMS, { signer: issuer.signer, typ: TYP, frame: FRAME });
    const b = await issueSdJwt(CLAIMS, { signer: issuer.signer, typ: TYP, frame: FRAME });
    const salts = [...disclosuresOf(a), ...disclosuresOf(b)].map((d) => d[0] as string);
    expect(salts.length).toBe(14);
    expect(new Set(salts).size).toBe(salts.length);
    for (const s of salts) expect(b64uDecode(s)?.length).toBeGreaterThanOrEqual(16);
    expect(payloadOf(a)['_sd']).not.toEqual(payloadOf(b)['_sd']);
  });

  test('_sd arrays are sorted, with decoys, and _sd_alg is only at the top (§4.2.4.1, §4.1.1)', async () => {
    const sdJwt = await issueSdJwt(CLAIMS, { signer: issuer.signer, typ: TYP, frame: FRAME });
    const payload = payloadOf(sdJwt);
    const top = payload['_sd'] as string[];
    expect(top.length).toBe(3 + 2);
    expect([...top].sort()).toEqual(top);
    expect(payload['_sd_alg']).toBe('sha-256');
    const address = disclosuresOf(sdJwt).find((d) => d[1] === 'address')?.[2] as Record<
      string,
      unknown
    >;
    // Recursive disclosure: the address Disclosure carries the digests of its members (§4.2.6).
    expect((address['_sd'] as string[]).length).toBe(2);
    expect(address).not.toHaveProperty('_sd_alg');
    expect(address['country']).toBe('KR');
    expect(payload['nationalities']).toEqual([
      { '...': expect.any(String) },
      { '...': expect.any(String) },
    ]);
  });

  test('array decoys are digests at random positions that verifiers drop (§4.2.5)', async () => {
    const sdJwt = await issueSdJwt(
      { list: ['a', 'b', 'c'] },
      { signer: issuer.signer, typ: TYP, frame: { list: { _sd: [1], _sd_decoy: 3 } } },
    );
    expect((payloadOf(sdJwt)['list'] as unknown[]).length).toBe(6);
    expect(parseSdJwt(sdJwt).claims).toEqual({ list: ['a', 'b', 'c'] });
  });

  test('without disclosable claims there is no _sd and no _sd_alg', async () => {
    const sdJwt = await issueSdJwt({ a: 1 }, { signer: issuer.signer, typ: TYP });
    expect(sdJwt.endsWith('~')).toBe(true);
    expect(payloadOf(sdJwt)).toEqual({ a: 1 });
  });

  test('sha-384 and sha-512 digests are supported; others are not', async () => {
    for (const hashAlg of ['sha-384', 'sha-512'] as const) {
      const sdJwt = await issueSdJwt(CLAIMS, {
        signer: issuer.signer,
        typ: TYP,
        frame: FRAME,
        hashAlg,
      });
      expect(payloadOf(sdJwt)['_sd_alg']).toBe(hashAlg);
      expect(parseSdJwt(sdJwt).claims).toEqual(CLAIMS);
    }
    await expect(
      issueSdJwt(CLAIMS, { signer: issuer.signer, typ: TYP, hashAlg: 'md5' as 'sha-256' }),
    ).rejects.toMatchObject({ code: 'ERR_SDJWT_HASH_ALG_UNSUPPORTED' });
  });

  test('EdDSA issuer and holder keys work end to end', async () => {
    const edIssuer = await generateKeyPair('EdDSA');
    const edHolder = await generateKeyPair('EdDSA');
    const sdJwt = await issueSdJwt(
      { ...CLAIMS, cnf: { jwk: edHolder.publicJwk } },
      { signer: edIssuer.signer, typ: TYP, frame: FRAME },
    );
    const vp = await presentSdJwt(sdJwt, {
      paths: [['address', 'locality']],
      keyBinding: { signer: edHolder.signer, aud: 'a', nonce: 'n', iat: NOW },
    });
    const r = await verifySdJwt(vp, {
      typ: TYP,
      issuerKey: await verifierFromJwk(edIssuer.publicJwk),
      keyBinding: { nonce: 'n', aud: 'a' },
      now: NOW,
    });
    expect(r.header.alg).toBe('EdDSA');
    expect(r.keyBinding?.header.alg).toBe('EdDSA');
    expect(r.claims['address']).toEqual({ locality: '서울', country: 'KR' });
    await expect(
      verifySdJwt(vp, { typ: TYP, issuerKey, keyBinding: { nonce: 'n', aud: 'a' }, now: NOW }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  });

  test('claim names __proto__, constructor, prototype are plain claims', async () => {
    const claims = JSON.parse(
      '{"__proto__": {"x": 1}, "constructor": 2, "prototype": 3}',
    ) as Record<string, unknown>;
    const frame = JSON.parse(
      '{"_sd": ["__proto__", "constructor", "prototype"]}',
    ) as DisclosureFrame;
    const sdJwt = await issueSdJwt(claims, { signer: issuer.signer, typ: TYP, frame });
    const held = parseSdJwt(sdJwt);
    expect(Object.hasOwn(held.claims, '__proto__')).toBe(true);
    expect(held.claims['constructor']).toBe(2);
    expect(Object.getPrototypeOf(held.claims)).toBe(Object.prototype);
  });

  test.each([
    ['a reserved claim name', { a: { _sd: [1] } }, {}, 'ERR_SDJWT_CLAIM_NAME_RESERVED'],
    ['a ... member', { a: [{ '...': 'x' }] }, {}, 'ERR_SDJWT_CLAIM_NAME_RESERVED'],
    ['a non-JSON value', { a: () => 1 }, {}, 'ERR_INPUT_INVALID'],
    ['a non-finite number', { a: Number.NaN }, {}, 'ERR_INPUT_INVALID'],
    ['a Date', { a: new Date(0) }, {}, 'ERR_INPUT_INVALID'],
    ['a frame _sd that is not a list', { a: 1 }, { _sd: 'a' }, 'ERR_SDJWT_FRAME_INVALID'],
    ['a claim listed twice', { a: 1 }, { _sd: ['a', 'a'] }, 'ERR_SDJWT_FRAME_INVALID'],
    ['an absent claim', { a: 1 }, { _sd: ['b'] }, 'ERR_SDJWT_PATH_NOT_FOUND'],
    ['an absent nested frame', { a: 1 }, { b: { _sd: ['c'] } }, 'ERR_SDJWT_PATH_NOT_FOUND'],
    ['an index out of range', { a: [1] }, { a: { _sd: [1] } }, 'ERR_SDJWT_PATH_NOT_FOUND'],
    ['a non-index in an array frame', { a: [1] }, { a: { _sd: ['x'] } }, 'ERR_SDJWT_FRAME_INVALID'],
    ['a frame on a scalar', { a: 1 }, { a: { _sd: ['x'] } }, 'ERR_SDJWT_FRAME_INVALID'],
    ['a frame that is not an object', { a: { b: 1 } }, { a: 7 }, 'ERR_SDJWT_FRAME_INVALID'],
    ['a bad _sd_decoy', { a: 1 }, { _sd_decoy: -1 }, 'ERR_SDJWT_FRAME_INVALID'],
    ['too many decoys', { a: 1 }, { _sd_decoy: 5000 }, 'ERR_SDJWT_FRAME_INVALID'],
  ] as const)('rejects %s', async (_name, claims, frame, code) => {
    await expect(
      issueSdJwt(claims as Record<string, unknown>, {
        signer: issuer.signer,
        typ: TYP,
        frame: frame as DisclosureFrame,
      }),
    ).rejects.toMatchObject({ code });
  });
});

describe('frameFromPaths', () => {
  test('builds nested and recursive frames from claim paths', () => {
    expect(
      frameFromPaths([
        ['address', 'street'],
        ['nationalities', 0],
      ]),
    ).toEqual({
      address: { _sd: ['street'] },
      nationalities: { _sd: [0] },
    });
    expect(frameFromPaths([['address'], ['address', 'street'], ['given_name']])).toEqual({
      _sd: ['address', 'given_name'],
      address: { _sd: ['street'] },
    });
  });

  test('with the claims, null expands and absent claims are skipped', () => {
    const claims = { degrees: [{ type: 'BSc' }, { type: 'MSc' }], name: 'x' };
    expect(frameFromPaths([['degrees', null, 'type'], ['conditions'], ['name']], claims)).toEqual({
      _sd: ['name'],
      degrees: { '0': { _sd: ['type'] }, '1': { _sd: ['type'] } },
    });
  });

  test('null without claims, and malformed paths, are refused', () => {
    expect(() => frameFromPaths([['a', null]])).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWT_FRAME_INVALID' }),
    );
    expect(() => frameFromPaths([[]])).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWT_FRAME_INVALID' }),
    );
    expect(() => frameFromPaths([['a', -1]])).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWT_FRAME_INVALID' }),
    );
  });
});

describe('holder: parse, list, present (RFC 9901 §7.2)', () => {
  const issued = issueSdJwt(CLAIMS, { signer: issuer.signer, typ: TYP, frame: FRAME });

  test('lists every disclosable claim with its path and parent', async () => {
    const held = parseSdJwt(await issued);
    const paths = held.disclosable.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        ['given_name'],
        ['family_name'],
        ['address'],
        ['address', 'street_address'],
        ['address', 'locality'],
        ['nationalities', 0],
        ['nationalities', 1],
      ]),
    );
    expect(paths.length).toBe(7);
    const street = held.disclosable.find((d) => d.path.join() === 'address,street_address');
    expect(held.disclosable[street?.parent ?? -1]?.path).toEqual(['address']);
    expect(street?.value).toBe('세종대로 209');
    expect(held.hashAlg).toBe('sha-256');
  });

  test('a nested selection brings its parent; a container brings its subtree', async () => {
    const held = parseSdJwt(await issued);
    const street = await presentSdJwt(held, { paths: [['address', 'street_address']] });
    const r1 = await verifySdJwt(street, { typ: TYP, issuerKey, keyBinding: false, now: NOW });
    expect(r1.claims['address']).toEqual({ street_address: '세종대로 209', country: 'KR' });
    expect(r1.disclosedPaths).toEqual([['address'], ['address', 'street_address']]);
    const whole = await presentSdJwt(held, { paths: [['address']] });
    const r2 = await verifySdJwt(whole, { typ: TYP, issuerKey, keyBinding: false, now: NOW });
    expect(r2.claims['address']).toEqual(CLAIMS.address);
  });

  test('null selects every element; a plain claim needs no Disclosure', async () => {
    const held = parseSdJwt(await issued);
    expect(selectDisclosures(held, [['nationalities', null]]).length).toBe(2);
    expect(selectDisclosures(held, [['iss']])).toEqual([]);
    expect(selectDisclosures(held, [['address', 'country']]).length).toBe(1);
  });

  test('key binding: the KB-JWT covers exactly the presentation and verifies', async () => {
    const vp = await presentSdJwt(await issued, {
      paths: [['given_name'], ['nationalities', 1]],
      keyBinding: { signer: holder.signer, aud: 'https://rp.example', nonce: 'n-42', iat: NOW },
    });
    const r = await verifySdJwt(vp, {
      typ: TYP,
      issuerKey,
      now: NOW,
      keyBinding: { nonce: 'n-42', aud: 'https://rp.example' },
    });
    expect(r.claims['nationalities']).toEqual(['US']);
    expect(r.claims).not.toHaveProperty('family_name');
    expect(r.holderKey).toEqual(holder.publicJwk);
    expect(r.keyBinding?.payload).toMatchObject({
      aud: 'https://rp.example',
      nonce: 'n-42',
      iat: NOW,
    });
  });

  test('key binding with a key other than cnf.jwk, or without cnf, is refused', async () => {
    const other = await generateKeyPair('ES256');
    const kb = { signer: other.signer, aud: 'a', nonce: 'n' };
    await expect(presentSdJwt(await issued, { paths: [], keyBinding: kb })).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
    const unbound = await issueSdJwt({ a: 1 }, { signer: issuer.signer, typ: TYP });
    await expect(presentSdJwt(unbound, { paths: [], keyBinding: kb })).rejects.toMatchObject({
      code: 'ERR_SDJWT_CNF_MISSING',
    });
  });

  test('createKbJwt refuses an SD-JWT without the final ~ and an empty nonce', async () => {
    await expect(
      createKbJwt('abc', { signer: holder.signer, aud: 'a', nonce: 'n' }),
    ).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
    await expect(
      createKbJwt('abc~', { signer: holder.signer, aud: 'a', nonce: '' }),
    ).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
  });
});
