import { describe, expect, test } from 'vitest';
import { b64uEncode, b64uEncodeText, utf8 } from '../internal/bytes.js';
import { signCompactJws } from '../jose/jws.js';
import { generateKeyPair, verifierFromJwk } from '../keys/keys.js';
import { encodeStatusList } from './encoding.js';
import { StatusList, StatusType } from './status-list.js';
import { signStatusListToken, verifyStatusListToken } from './token.js';

const URI = 'https://issuer.example/status/1';
const NOW = 1_750_000_000;
const statusIssuer = await generateKeyPair('ES256', { kid: 'status-1' });
const key = await verifierFromJwk(statusIssuer.publicJwk);
const other = await generateKeyPair('ES256');

const list = StatusList.create(1024, 2);
list.set(3, StatusType.INVALID);
list.set(5, StatusType.SUSPENDED);
const statusList = encodeStatusList(list);

/** Sign any payload text with the status issuer's key (for malformed payloads). */
async function forge(headerText: string, payloadText: string, signer = statusIssuer.signer) {
  const input = `${b64uEncodeText(headerText)}.${b64uEncodeText(payloadText)}`;
  return `${input}.${b64uEncode(await signer.sign(utf8(input)))}`;
}

const HEADER = JSON.stringify({ alg: 'ES256', typ: 'statuslist+jwt' });

function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: URI,
    iat: NOW - 10,
    exp: NOW + 3600,
    ttl: 300,
    status_list: statusList,
    ...overrides,
  };
}

async function verify(token: string, options: { now?: number; maxAge?: number } = {}) {
  return verifyStatusListToken(token, { uri: URI, key, now: NOW, ...options });
}

describe('signStatusListToken / verifyStatusListToken (draft-ietf-oauth-status-list §5.1)', () => {
  test('round-trips the list and the caching claims', async () => {
    const token = await signStatusListToken(list, {
      signer: statusIssuer.signer,
      uri: URI,
      iss: 'https://issuer.example',
      iat: NOW,
      exp: NOW + 86_400,
      ttl: 3600,
      aggregationUri: 'https://issuer.example/status',
    });
    const verified = await verify(token);
    expect(verified).toMatchObject({
      sub: URI,
      iat: NOW,
      exp: NOW + 86_400,
      ttl: 3600,
      iss: 'https://issuer.example',
      aggregationUri: 'https://issuer.example/status',
      header: { alg: 'ES256', typ: 'statuslist+jwt', kid: 'status-1' },
    });
    expect(verified.list.get(3)).toBe(StatusType.INVALID);
    expect(verified.list.get(5)).toBe(StatusType.SUSPENDED);
    expect(verified.list.get(4)).toBe(StatusType.VALID);
  });

  test('exp and ttl are optional; iat defaults to the clock', async () => {
    const token = await signStatusListToken(list, {
      signer: statusIssuer.signer,
      uri: URI,
      clock: () => NOW,
    });
    const verified = await verify(token);
    expect(verified.iat).toBe(NOW);
    expect(verified.exp).toBeUndefined();
    expect(verified.ttl).toBeUndefined();
  });

  test('signing refuses bad options', async () => {
    const base = { signer: statusIssuer.signer, uri: URI, iat: NOW };
    for (const bad of [
      { uri: 'not a uri' },
      { uri: '/relative/path' },
      { ttl: 0 },
      { ttl: -5 },
      { ttl: 1.5 },
      { exp: NOW },
      { iat: 1.5 },
    ]) {
      await expect(signStatusListToken(list, { ...base, ...bad })).rejects.toMatchObject({
        code: 'ERR_INPUT_INVALID',
      });
    }
  });

  test('a key resolver picks the trusted key', async () => {
    const token = await signStatusListToken(list, {
      signer: statusIssuer.signer,
      uri: URI,
      iat: NOW,
    });
    const seen: string[] = [];
    await verifyStatusListToken(token, {
      uri: URI,
      now: NOW,
      key: (header) => {
        seen.push(String(header.kid));
        return key;
      },
    });
    expect(seen).toEqual(['status-1']);
  });
});

describe('verifyStatusListToken refuses', () => {
  test('a sub other than the referenced URI (§8.3 step 4a)', async () => {
    const token = await forge(HEADER, JSON.stringify(payload({ sub: `${URI}/` })));
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_STATUS_SUB_MISMATCH' });
  });

  test('a missing or non-string sub', async () => {
    const { sub: _, ...noSub } = payload();
    await expect(verify(await forge(HEADER, JSON.stringify(noSub)))).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_MISSING',
    });
    await expect(
      verify(await forge(HEADER, JSON.stringify(payload({ sub: [URI] })))),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_INVALID' });
  });

  test('an expired token (§8.3 step 4c), beyond the leeway', async () => {
    const token = await forge(HEADER, JSON.stringify(payload({ exp: NOW - 31 })));
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_STATUS_TOKEN_EXPIRED' });
    const withinLeeway = await forge(HEADER, JSON.stringify(payload({ exp: NOW - 29 })));
    await expect(verify(withinLeeway)).resolves.toBeTruthy();
  });

  test('a token older than the verifier maximum age (§8.3 step 4b)', async () => {
    const token = await forge(HEADER, JSON.stringify(payload({ iat: NOW - 7200 })));
    await expect(verify(token, { maxAge: 3600 })).rejects.toMatchObject({
      code: 'ERR_STATUS_TOKEN_EXPIRED',
    });
    await expect(verify(token, { maxAge: 7200 })).resolves.toBeTruthy();
  });

  test('a missing iat (§5.1: REQUIRED)', async () => {
    const { iat: _, ...noIat } = payload();
    await expect(verify(await forge(HEADER, JSON.stringify(noIat)))).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_MISSING',
    });
  });

  test('an iat that is not a NumericDate, or in the future', async () => {
    await expect(
      verify(await forge(HEADER, JSON.stringify(payload({ iat: '1750000000' })))),
    ).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_INVALID' });
    await expect(
      verify(await forge(HEADER, JSON.stringify(payload({ iat: NOW + 3600 })))),
    ).rejects.toMatchObject({ code: 'ERR_JWT_NOT_YET_VALID' });
  });

  test.each([
    ['zero', 0],
    ['negative', -60],
    ['fractional', 1.5],
    ['a string', '300'],
    ['null', null],
    ['beyond 2^53', 2 ** 54],
  ])('a ttl that is %s (§5.1: a positive number)', async (_, ttl) => {
    const token = await forge(HEADER, JSON.stringify(payload({ ttl })));
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_INVALID' });
  });

  test('a missing or malformed status_list', async () => {
    const { status_list: _, ...noList } = payload();
    await expect(verify(await forge(HEADER, JSON.stringify(noList)))).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_MISSING',
    });
    await expect(
      verify(
        await forge(
          HEADER,
          JSON.stringify(payload({ status_list: { bits: 3, lst: statusList.lst } })),
        ),
      ),
    ).rejects.toMatchObject({ code: 'ERR_STATUS_LIST_INVALID' });
  });

  test.each([
    ['kb+jwt', 'kb+jwt'],
    ['dc+sd-jwt', 'dc+sd-jwt'],
    ['a plain JWT', 'JWT'],
  ])('a %s signed by the same key (explicit typ, RFC 8725 §3.11)', async (_, typ) => {
    const token = await signCompactJws(payload(), { typ, signer: statusIssuer.signer });
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JOSE_TYP_MISMATCH' });
  });

  test('a token without typ', async () => {
    const token = await forge(JSON.stringify({ alg: 'ES256' }), JSON.stringify(payload()));
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JOSE_TYP_MISMATCH' });
  });

  test('a token signed by another key', async () => {
    const token = await forge(HEADER, JSON.stringify(payload()), other.signer);
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JOSE_SIGNATURE_INVALID' });
  });

  test('alg none', async () => {
    const input = `${b64uEncodeText(JSON.stringify({ alg: 'none', typ: 'statuslist+jwt' }))}.${b64uEncodeText(JSON.stringify(payload()))}`;
    await expect(verify(`${input}.`)).rejects.toMatchObject({ code: 'ERR_JOSE_MALFORMED' });
    await expect(verify(`${input}.AAAA`)).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    });
  });

  test('duplicate JSON members, at the top level and inside status_list', async () => {
    const body = JSON.stringify(payload()).slice(1);
    const dupSub = `{"sub":"https://attacker.example/1",${body}`;
    await expect(verify(await forge(HEADER, dupSub))).rejects.toMatchObject({
      code: 'ERR_JOSE_JSON_DUPLICATE_MEMBER',
    });
    const dupBits = JSON.stringify(payload()).replace('"bits":2', '"bits":2,"bits":1');
    await expect(verify(await forge(HEADER, dupBits))).rejects.toMatchObject({
      code: 'ERR_JOSE_JSON_DUPLICATE_MEMBER',
    });
  });

  test('a token longer than maxLength, before parsing', async () => {
    const token = await forge(HEADER, JSON.stringify(payload()));
    await expect(
      verifyStatusListToken(token, { uri: URI, key, now: NOW, maxLength: 100 }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_TOO_LARGE' });
  });

  test('a list beyond maxBytes', async () => {
    const token = await forge(HEADER, JSON.stringify(payload()));
    await expect(
      verifyStatusListToken(token, { uri: URI, key, now: NOW, maxBytes: 100 }),
    ).rejects.toMatchObject({ code: 'ERR_STATUS_LIST_TOO_LARGE' });
  });

  test('bad options', async () => {
    const token = await forge(HEADER, JSON.stringify(payload()));
    for (const bad of [{ leeway: 301 }, { maxAge: -1 }, { maxBytes: 0 }]) {
      await expect(
        verifyStatusListToken(token, { uri: URI, key, now: NOW, ...bad }),
      ).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    }
  });
});
