import { describe, expect, test } from 'vitest';
import wycheproof from '../../test/vectors/wycheproof-jose/json_web_signature_test.json' with {
  type: 'json',
};
import { isOpenMidError } from '../errors/error.js';
import { b64uDecode, b64uEncode, b64uEncodeText, utf8 } from '../internal/bytes.js';
import { generateKeyPair, type Verifier, verifierFromJwk } from '../keys/index.js';
import {
  decodeCompactJws,
  signCompactJws,
  verifyCompactJws,
  verifyCompactJwsBytes,
} from './jws.js';

const issuer = await generateKeyPair('ES256', { kid: 'issuer-1' });
const issuerVerifier = await verifierFromJwk(issuer.publicJwk);
function b64uDecodeStrict(s: string | undefined): Uint8Array {
  return b64uDecode(s ?? '') as Uint8Array;
}

const PAYLOAD = { iss: 'https://issuer.example', sub: 'x', n: 1 };

async function forge(
  header: Record<string, unknown>,
  payload: unknown = PAYLOAD,
  sign = issuer.signer,
): Promise<string> {
  const input = `${b64uEncodeText(JSON.stringify(header))}.${b64uEncodeText(JSON.stringify(payload))}`;
  return `${input}.${b64uEncode(await sign.sign(utf8(input)))}`;
}

async function forgeText(headerText: string, payloadText: string): Promise<string> {
  const input = `${b64uEncodeText(headerText)}.${b64uEncodeText(payloadText)}`;
  return `${input}.${b64uEncode(await issuer.signer.sign(utf8(input)))}`;
}

describe('signCompactJws / verifyCompactJws', () => {
  test('round-trips with explicit typ and kid', async () => {
    const token = await signCompactJws(PAYLOAD, { typ: 'statuslist+jwt', signer: issuer.signer });
    const { header, payload } = await verifyCompactJws(token, {
      typ: 'statuslist+jwt',
      key: issuerVerifier,
    });
    expect(header).toEqual({ alg: 'ES256', typ: 'statuslist+jwt', kid: 'issuer-1' });
    expect(payload).toEqual(PAYLOAD);
  });

  test('typ compares as a media type (RFC 7515 §4.1.9)', async () => {
    const token = await forge({ alg: 'ES256', typ: 'APPLICATION/KB+JWT' });
    await expect(
      verifyCompactJws(token, { typ: 'kb+jwt', key: issuerVerifier }),
    ).resolves.toBeTruthy();
  });

  test('a key resolver sees the validated header and payload', async () => {
    const token = await signCompactJws(PAYLOAD, { typ: 'x+jwt', signer: issuer.signer });
    const seen: unknown[] = [];
    await verifyCompactJws(token, {
      typ: 'x+jwt',
      key: (h, p) => {
        seen.push(h.kid, p['iss']);
        return issuerVerifier;
      },
    });
    expect(seen).toEqual(['issuer-1', 'https://issuer.example']);
  });
});

describe('hostile tokens (SECURITY.md "Tokens")', () => {
  const cases: [string, () => Promise<string>, string][] = [
    ['alg none', () => forge({ alg: 'none', typ: 'x+jwt' }), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    [
      'alg none with empty signature',
      async () => `${b64uEncodeText('{"alg":"none","typ":"x+jwt"}')}.${b64uEncodeText('{}')}.`,
      'ERR_JOSE_MALFORMED',
    ],
    [
      'a MAC algorithm (HS256) against a public key',
      () => forge({ alg: 'HS256', typ: 'x+jwt' }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    ['alg not a string', () => forge({ alg: ['ES256'], typ: 'x+jwt' }), 'ERR_JOSE_ALG_NOT_ALLOWED'],
    [
      'alg EdDSA with an ES256 key',
      () => forge({ alg: 'EdDSA', typ: 'x+jwt' }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ],
    ['missing typ', () => forge({ alg: 'ES256' }), 'ERR_JOSE_TYP_MISMATCH'],
    [
      'a token of another kind',
      () => forge({ alg: 'ES256', typ: 'kb+jwt' }),
      'ERR_JOSE_TYP_MISMATCH',
    ],
    [
      'unknown crit',
      () => forge({ alg: 'ES256', typ: 'x+jwt', crit: ['exp'], exp: 1 }),
      'ERR_JOSE_CRIT_UNSUPPORTED',
    ],
    [
      'empty crit',
      () => forge({ alg: 'ES256', typ: 'x+jwt', crit: [] }),
      'ERR_JOSE_CRIT_UNSUPPORTED',
    ],
    [
      'b64 false',
      () => forge({ alg: 'ES256', typ: 'x+jwt', b64: false, crit: ['b64'] }),
      'ERR_JOSE_CRIT_UNSUPPORTED',
    ],
    [
      'b64 outside crit',
      () => forge({ alg: 'ES256', typ: 'x+jwt', b64: false }),
      'ERR_JOSE_HEADER_INVALID',
    ],
    [
      'non-string kid',
      () => forge({ alg: 'ES256', typ: 'x+jwt', kid: 7 }),
      'ERR_JOSE_HEADER_INVALID',
    ],
    [
      'duplicate header member',
      () => forgeText('{"alg":"ES256","typ":"x+jwt","typ":"kb+jwt"}', '{}'),
      'ERR_JOSE_JSON_DUPLICATE_MEMBER',
    ],
    [
      'duplicate payload member',
      () => forgeText('{"alg":"ES256","typ":"x+jwt"}', '{"iss":"a","iss":"b"}'),
      'ERR_JOSE_JSON_DUPLICATE_MEMBER',
    ],
    [
      'payload not an object',
      () => forgeText('{"alg":"ES256","typ":"x+jwt"}', '[1]'),
      'ERR_JOSE_JSON_INVALID',
    ],
    ['header not JSON', () => forgeText('alg', '{}'), 'ERR_JOSE_JSON_INVALID'],
    [
      'four parts',
      async () => `${await forge({ alg: 'ES256', typ: 'x+jwt' })}.AAAA`,
      'ERR_JOSE_MALFORMED',
    ],
    ['two parts', async () => 'eyJhbGciOiJFUzI1NiJ9.e30', 'ERR_JOSE_MALFORMED'],
    [
      'padded signature',
      async () => `${await forge({ alg: 'ES256', typ: 'x+jwt' })}=`,
      'ERR_JOSE_BASE64URL_INVALID',
    ],
    [
      'signature of the wrong length',
      async () => {
        const [h, p, s] = (await forge({ alg: 'ES256', typ: 'x+jwt' })).split('.');
        return `${h}.${p}.${b64uEncode(new Uint8Array([...b64uDecodeStrict(s), 0]))}`;
      },
      'ERR_JOSE_SIGNATURE_MALFORMED',
    ],
    [
      'r = 0, s = 0',
      async () =>
        `${(await forge({ alg: 'ES256', typ: 'x+jwt' })).split('.').slice(0, 2).join('.')}.${b64uEncode(new Uint8Array(64))}`,
      'ERR_JOSE_SIGNATURE_MALFORMED',
    ],
    [
      'r = n',
      async () => {
        const n = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
        const sig = new Uint8Array(64);
        for (let i = 0; i < 32; i++) sig[i] = Number.parseInt(n.slice(2 * i, 2 * i + 2), 16);
        sig[63] = 1;
        return `${(await forge({ alg: 'ES256', typ: 'x+jwt' })).split('.').slice(0, 2).join('.')}.${b64uEncode(sig)}`;
      },
      'ERR_JOSE_SIGNATURE_MALFORMED',
    ],
    [
      'an attacker-embedded jwk header',
      async () => {
        const attacker = await generateKeyPair('ES256');
        return forge(
          { alg: 'ES256', typ: 'x+jwt', jwk: attacker.publicJwk },
          PAYLOAD,
          attacker.signer,
        );
      },
      'ERR_JOSE_SIGNATURE_INVALID',
    ],
    [
      'a modified payload',
      async () => {
        const [h, , s] = (await forge({ alg: 'ES256', typ: 'x+jwt' })).split('.');
        return `${h}.${b64uEncodeText('{"iss":"https://evil.example"}')}.${s}`;
      },
      'ERR_JOSE_SIGNATURE_INVALID',
    ],
  ];

  test.each(cases)('rejects %s', async (_name, make, code) => {
    const token = await make();
    await expect(
      verifyCompactJws(token, { typ: 'x+jwt', key: issuerVerifier }),
    ).rejects.toMatchObject({ code });
  });

  test('refuses oversize tokens before parsing', async () => {
    const token = await forge({ alg: 'ES256', typ: 'x+jwt' }, { big: 'a'.repeat(70_000) });
    await expect(
      verifyCompactJws(token, { typ: 'x+jwt', key: issuerVerifier }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_TOO_LARGE',
    });
  });

  test('an allow-list narrower than the key refuses the key algorithm', async () => {
    const ed = await generateKeyPair('EdDSA');
    const token = await signCompactJws(PAYLOAD, { typ: 'x+jwt', signer: ed.signer });
    await expect(
      verifyCompactJws(token, {
        typ: 'x+jwt',
        key: await verifierFromJwk(ed.publicJwk),
        algorithms: ['ES256'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  });

  test('decodeCompactJws reads without verifying but applies the same parsing rules', async () => {
    const token = await forge({ alg: 'ES256', typ: 'x+jwt' });
    expect(decodeCompactJws(token).payload).toEqual(PAYLOAD);
    expect(() => decodeCompactJws('a.b')).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_MALFORMED' }),
    );
  });
});

describe('Wycheproof JSON Web Signature vectors', () => {
  type Group = (typeof wycheproof.testGroups)[number] & { public?: Record<string, unknown> };
  const ecGroups = (wycheproof.testGroups as Group[]).filter(
    (g) => g.public?.['kty'] === 'EC' && g.public['crv'] === 'P-256',
  );
  const otherGroups = (wycheproof.testGroups as Group[]).filter((g) => !ecGroups.includes(g));

  test('P-256 groups: valid vectors verify, invalid ones fail with an OpenMID code', async () => {
    let n = 0;
    for (const group of ecGroups) {
      let verifier: Verifier | undefined;
      try {
        verifier = await verifierFromJwk(group.public);
      } catch (e) {
        expect(isOpenMidError(e), group.comment).toBe(true); // e.g. use=enc, key_ops=[encrypt]
      }
      for (const t of group.tests) {
        const jws = t.jws as unknown;
        n++;
        if (verifier === undefined || typeof jws !== 'string') {
          expect(t.result, `tcId ${t.tcId}`).toBe('invalid');
          continue;
        }
        const outcome = await verifyCompactJwsBytes(jws, { key: verifier }).then(
          () => 'valid',
          (e: unknown) => {
            expect(isOpenMidError(e), `tcId ${t.tcId}`).toBe(true);
            return 'invalid';
          },
        );
        expect(outcome, `tcId ${t.tcId} ${t.comment}`).toBe(t.result);
      }
    }
    expect(n).toBeGreaterThanOrEqual(40);
  });

  test('every token of other groups (MAC, RSA, P-521, none) is refused by an ES256 verifier', async () => {
    for (const group of otherGroups) {
      for (const t of group.tests) {
        if (typeof t.jws !== 'string') continue;
        await expect(
          verifyCompactJwsBytes(t.jws, { key: issuerVerifier }),
          `tcId ${t.tcId}`,
        ).rejects.toSatisfy(isOpenMidError);
      }
    }
  });
});
