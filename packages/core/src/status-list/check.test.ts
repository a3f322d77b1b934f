import { describe, expect, test } from 'vitest';
import { generateKeyPair, verifierFromJwk } from '../keys/keys.js';
import { createStatusCheck, createStatusListCache } from './check.js';
import { assertStatusValid, parseStatusReference, statusOutcome } from './reference.js';
import { StatusList, StatusType } from './status-list.js';
import { signStatusListToken, type VerifiedStatusList, verifyStatusListToken } from './token.js';

const URI = 'https://issuer.example/status/7';
const NOW = 1_750_000_000;

describe('parseStatusReference (draft-ietf-oauth-status-list §6.2)', () => {
  test('returns idx and uri, ignoring other members', () => {
    expect(
      parseStatusReference({
        status_list: { idx: 42, uri: URI, extension: true },
        other_mechanism: {},
      }),
    ).toEqual({ idx: 42, uri: URI });
    expect(parseStatusReference({ status_list: { idx: 0, uri: 'urn:example:list:1' } })).toEqual({
      idx: 0,
      uri: 'urn:example:list:1',
    });
  });

  test.each([
    ['not an object', 'https://issuer.example/status/7'],
    ['null', null],
    ['an array', [{ status_list: { idx: 1, uri: URI } }]],
    ['no status_list', { identifier_list: { id: 'x', uri: URI } }],
    ['status_list not an object', { status_list: [1, URI] }],
    ['idx missing', { status_list: { uri: URI } }],
    ['idx negative', { status_list: { idx: -1, uri: URI } }],
    ['idx fractional', { status_list: { idx: 1.5, uri: URI } }],
    ['idx beyond 2^53', { status_list: { idx: 2 ** 53, uri: URI } }],
    ['idx a string', { status_list: { idx: '1', uri: URI } }],
    ['idx NaN-like', { status_list: { idx: Number.NaN, uri: URI } }],
    ['uri missing', { status_list: { idx: 1 } }],
    ['uri not a string', { status_list: { idx: 1, uri: { href: URI } } }],
    ['uri relative', { status_list: { idx: 1, uri: '/status/7' } }],
    ['uri with a space', { status_list: { idx: 1, uri: 'https://issuer.example/status 7' } }],
    ['uri with non-ASCII', { status_list: { idx: 1, uri: 'https://발급.example/status' } }],
    ['uri empty', { status_list: { idx: 1, uri: '' } }],
    ['uri too long', { status_list: { idx: 1, uri: `https://a.example/${'x'.repeat(2100)}` } }],
  ])('refuses a status claim with %s', (_, claim) => {
    expect(() => parseStatusReference(claim)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_REFERENCE_INVALID' }),
    );
  });
});

describe('status outcomes (§7.1): fail closed', () => {
  test('VALID passes; INVALID is revoked; SUSPENDED is suspended', () => {
    expect(() => assertStatusValid(StatusType.VALID)).not.toThrow();
    expect(() => assertStatusValid(StatusType.INVALID)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_REVOKED' }),
    );
    expect(() => assertStatusValid(StatusType.SUSPENDED)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_SUSPENDED' }),
    );
  });

  test.each([3, 0x0c, 0x0f, 0x10, 0xff, -1, 256, 0.5])('status %s is unknown, never valid', (v) => {
    expect(statusOutcome(v)).toBe('unknown');
    expect(() => assertStatusValid(v)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_UNKNOWN' }),
    );
  });
});

describe('createStatusCheck (§8.3)', () => {
  const list = StatusList.create(64, 8);
  list.set(1, StatusType.INVALID);
  list.set(2, StatusType.SUSPENDED);
  list.set(3, StatusType.APPLICATION_SPECIFIC);
  list.set(4, 0xff);
  const check = createStatusCheck({ resolve: async () => list });
  const claim = (idx: number, uri = URI) => ({ status_list: { idx, uri } });

  test('resolves for VALID', async () => {
    await expect(check(claim(0))).resolves.toBeUndefined();
  });

  test.each([
    [1, 'ERR_STATUS_REVOKED'],
    [2, 'ERR_STATUS_SUSPENDED'],
    [3, 'ERR_STATUS_UNKNOWN'],
    [4, 'ERR_STATUS_UNKNOWN'],
    [64, 'ERR_STATUS_INDEX_OUT_OF_RANGE'],
  ])('index %i → %s', async (idx, code) => {
    await expect(check(claim(idx))).rejects.toMatchObject({ code });
  });

  test('a malformed status claim is a reference error, checked before resolving', async () => {
    let calls = 0;
    const counting = createStatusCheck({
      resolve: async () => {
        calls++;
        return list;
      },
    });
    await expect(counting({ status_list: { idx: -1, uri: URI } })).rejects.toMatchObject({
      code: 'ERR_STATUS_REFERENCE_INVALID',
    });
    expect(calls).toBe(0);
  });

  test('the resolver is asked for the referenced URI', async () => {
    const asked: string[] = [];
    const c = createStatusCheck({
      resolve: async (uri) => {
        asked.push(uri);
        return list;
      },
    });
    await c(claim(0, 'https://issuer.example/status/99'));
    expect(asked).toEqual(['https://issuer.example/status/99']);
  });

  test('a list that cannot be obtained is unknown, never revoked or valid', async () => {
    for (const resolve of [
      async () => {
        throw new Error('network down');
      },
      async () => undefined as unknown as StatusList,
      async () => ({ bits: 1, lst: 'eNrbuRgAAhcBXQ' }) as unknown as StatusList,
    ]) {
      const c = createStatusCheck({ resolve });
      await expect(c(claim(1))).rejects.toMatchObject({
        code: 'ERR_STATUS_UNKNOWN',
        details: { uri: URI },
      });
    }
  });

  test('a resolved token is re-checked at use: sub, exp and maximum age', async () => {
    const verified = (over: Partial<VerifiedStatusList>): VerifiedStatusList => ({
      list,
      sub: URI,
      iat: NOW - 100,
      exp: NOW + 100,
      header: { alg: 'ES256', typ: 'statuslist+jwt' },
      ...over,
    });
    const at = (v: VerifiedStatusList, maxAge?: number) =>
      createStatusCheck({
        resolve: async () => v,
        clock: () => NOW,
        ...(maxAge === undefined ? {} : { maxAge }),
      })(claim(0));
    await expect(at(verified({}))).resolves.toBeUndefined();
    for (const [v, maxAge, cause] of [
      [verified({ sub: 'https://issuer.example/status/8' }), undefined, 'ERR_STATUS_SUB_MISMATCH'],
      [verified({ exp: NOW - 60 }), undefined, 'ERR_STATUS_TOKEN_EXPIRED'],
      [verified({ iat: NOW - 7200 }), 3600, 'ERR_STATUS_TOKEN_EXPIRED'],
    ] as const) {
      await expect(at(v, maxAge)).rejects.toMatchObject({
        code: 'ERR_STATUS_UNKNOWN',
        cause: { code: cause },
      });
    }
  });

  test('a status list token failing verification makes the status unknown', async () => {
    const issuer = await generateKeyPair('ES256');
    const stranger = await generateKeyPair('ES256');
    const token = await signStatusListToken(list, { signer: stranger.signer, uri: URI, iat: NOW });
    const key = await verifierFromJwk(issuer.publicJwk);
    const c = createStatusCheck({
      resolve: (uri) => verifyStatusListToken(token, { uri, key, now: NOW }),
    });
    await expect(c(claim(0))).rejects.toMatchObject({
      code: 'ERR_STATUS_UNKNOWN',
      cause: { code: 'ERR_JOSE_SIGNATURE_INVALID' },
    });
  });

  test('bad options are refused at creation', () => {
    expect(() => createStatusCheck({ resolve: 'x' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
    expect(() => createStatusCheck({ resolve: async () => list, maxAge: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });
});

describe('createStatusListCache (§13.7)', async () => {
  const issuer = await generateKeyPair('ES256');
  const key = await verifierFromJwk(issuer.publicJwk);
  const list = StatusList.create(16, 1);
  list.set(1, StatusType.INVALID);

  function setup(claims: { ttl?: number; expiresIn?: number }, cacheOptions = {}) {
    let now = NOW;
    let fetches = 0;
    const cache = createStatusListCache({
      fetch: async (uri) => {
        fetches++;
        return signStatusListToken(list, {
          signer: issuer.signer,
          uri,
          iat: now,
          ...(claims.ttl === undefined ? {} : { ttl: claims.ttl }),
          ...(claims.expiresIn === undefined ? {} : { exp: now + claims.expiresIn }),
        });
      },
      verify: { key },
      clock: () => now,
      ...cacheOptions,
    });
    return {
      cache,
      fetches: () => fetches,
      advance: (s: number) => {
        now += s;
      },
    };
  }

  test('caches a verified list for its ttl, then fetches again', async () => {
    const { cache, fetches, advance } = setup({ ttl: 300 });
    expect((await cache.resolve(URI)).list.get(1)).toBe(StatusType.INVALID);
    await cache.resolve(URI);
    advance(299);
    await cache.resolve(URI);
    expect(fetches()).toBe(1);
    advance(1);
    await cache.resolve(URI);
    expect(fetches()).toBe(2);
  });

  test('clamps ttl to [minTtl, maxTtl] and never caches past exp', async () => {
    const short = setup({ ttl: 1 }, { minTtl: 60 });
    await short.cache.resolve(URI);
    short.advance(59);
    await short.cache.resolve(URI);
    expect(short.fetches()).toBe(1);

    const long = setup({ ttl: 10 ** 9 }, { maxTtl: 600 });
    await long.cache.resolve(URI);
    long.advance(600);
    await long.cache.resolve(URI);
    expect(long.fetches()).toBe(2);

    const expiring = setup({ ttl: 3600, expiresIn: 120 });
    await expiring.cache.resolve(URI);
    expiring.advance(120);
    await expiring.cache.resolve(URI);
    expect(expiring.fetches()).toBe(2);
  });

  test('concurrent requests share one fetch', async () => {
    const { cache, fetches } = setup({ ttl: 300 });
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.resolve(URI)));
    expect(fetches()).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  test('failures are not cached', async () => {
    let attempt = 0;
    const cache = createStatusListCache({
      fetch: async (uri) => {
        attempt++;
        if (attempt === 1) throw new Error('timeout');
        return signStatusListToken(list, { signer: issuer.signer, uri, iat: NOW });
      },
      verify: { key },
      clock: () => NOW,
    });
    await expect(cache.resolve(URI)).rejects.toThrow('timeout');
    await expect(cache.resolve(URI)).resolves.toMatchObject({ sub: URI });
  });

  test('verification uses the requested URI as the expected sub', async () => {
    const cache = createStatusListCache({
      fetch: async () =>
        signStatusListToken(list, { signer: issuer.signer, uri: `${URI}-other`, iat: NOW }),
      verify: { key },
      clock: () => NOW,
    });
    await expect(cache.resolve(URI)).rejects.toMatchObject({ code: 'ERR_STATUS_SUB_MISMATCH' });
  });

  test('keeps at most maxEntries lists', async () => {
    const { cache, fetches } = setup({ ttl: 300 }, { maxEntries: 2 });
    for (const n of [1, 2, 3]) await cache.resolve(`${URI}/${n}`);
    await cache.resolve(`${URI}/3`);
    await cache.resolve(`${URI}/2`);
    expect(fetches()).toBe(3);
    await cache.resolve(`${URI}/1`);
    expect(fetches()).toBe(4);
  });

  test('feeds createStatusCheck end to end', async () => {
    const { cache } = setup({ ttl: 300 });
    const check = createStatusCheck({ resolve: cache.resolve, clock: () => NOW });
    await expect(check({ status_list: { idx: 0, uri: URI } })).resolves.toBeUndefined();
    await expect(check({ status_list: { idx: 1, uri: URI } })).rejects.toMatchObject({
      code: 'ERR_STATUS_REVOKED',
    });
  });

  test('bad options are refused', () => {
    for (const bad of [{ minTtl: -1 }, { minTtl: 100, maxTtl: 50 }, { maxEntries: 0 }]) {
      expect(() =>
        createStatusListCache({ fetch: async () => '', verify: { key }, ...bad }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INVALID' }));
    }
  });
});
