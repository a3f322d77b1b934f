/**
 * The draft's own test vectors (draft-ietf-oauth-status-list §4.1, §5.1, §6.2, Appendix C), copied
 * into test/vectors/token-status-list (see its README). The CWT vectors (Status List Token and
 * Referenced Token in CWT form, and the CBOR encodings of the lists) are out of scope: OpenMID
 * implements the JWT form only.
 */
import { describe, expect, test } from 'vitest';
import vectors from '../../test/vectors/token-status-list/tsl_vectors.json' with { type: 'json' };
import { bytesEqual } from '../internal/bytes.js';
import { decodeCompactJws, verifyCompactJws } from '../jose/jws.js';
import { verifierFromJwk } from '../keys/keys.js';
import { createStatusCheck } from './check.js';
import { decodeStatusList, encodeStatusList } from './encoding.js';
import { parseStatusReference } from './reference.js';
import { verifyStatusListToken } from './token.js';

const STATUS_LIST_URI = 'https://example.com/statuslists/1';
const JWT_IAT = 1_686_920_170;

describe('Token Status List test vectors (Appendix C and §4.1)', () => {
  test.each(vectors.status_lists.map((v) => [v.name, v] as const))(
    '%s decodes to every listed status, and every other entry is 0',
    (_, v) => {
      const list = decodeStatusList(v.json);
      expect(list.bits).toBe(v.bits);
      expect(list.bytes.length).toBe(v.decompressed_bytes);
      expect(list.size).toBe(v.declared_size_entries);
      const expected = new Map(
        Object.entries(v.expected_statuses_from_draft).map(([i, s]) => [Number(i), s as number]),
      );
      expect(expected.size).toBeGreaterThan(0);
      let nonZero = 0;
      for (let i = 0; i < list.size; i++) {
        const status = list.get(i);
        if (status !== 0) nonZero++;
        if (status !== (expected.get(i) ?? 0))
          expect.fail(`${v.name}: index ${i} is ${status}, expected ${expected.get(i) ?? 0}`);
      }
      expect(nonZero).toBe([...expected.values()].filter((s) => s !== 0).length);
    },
  );

  test.each(vectors.status_lists.map((v) => [v.name, v] as const))(
    '%s re-encodes to a list with the same bytes',
    (_, v) => {
      const list = decodeStatusList(v.json);
      const again = decodeStatusList(encodeStatusList(list));
      expect(again.bits).toBe(list.bits);
      expect(bytesEqual(again.bytes, list.bytes)).toBe(true);
    },
  );
});

describe('Status List Token vector (§5.1)', () => {
  const key = verifierFromJwk(vectors.status_list_signing_key_public_jwk);

  test('verifies with the draft key, the clock pinned to its iat', async () => {
    const verified = await verifyStatusListToken(vectors.status_list_token_jwt_compact, {
      uri: STATUS_LIST_URI,
      key: await key,
      now: JWT_IAT,
    });
    expect(verified).toMatchObject({
      sub: STATUS_LIST_URI,
      iat: JWT_IAT,
      exp: 2_291_720_170,
      ttl: 43_200,
      iss: 'https://example.com',
      header: { alg: 'ES256', kid: '12', typ: 'statuslist+jwt' },
    });
    expect([...verified.list.bytes]).toEqual([0xb9, 0xa3]);
  });

  test('is refused for another list URI (§8.3 step 4a)', async () => {
    await expect(
      verifyStatusListToken(vectors.status_list_token_jwt_compact, {
        uri: 'https://example.com/statuslists/2',
        key: await key,
        now: JWT_IAT,
      }),
    ).rejects.toMatchObject({ code: 'ERR_STATUS_SUB_MISMATCH' });
  });

  test('is refused after its exp (§8.3 step 4c)', async () => {
    await expect(
      verifyStatusListToken(vectors.status_list_token_jwt_compact, {
        uri: STATUS_LIST_URI,
        key: await key,
        now: 2_291_720_170 + 60,
      }),
    ).rejects.toMatchObject({ code: 'ERR_STATUS_TOKEN_EXPIRED' });
  });
});

describe('Referenced Token vector (§6.2, SD-JWT)', () => {
  const issuerJwt = vectors.referenced_token_sd_jwt.slice(
    0,
    vectors.referenced_token_sd_jwt.indexOf('~'),
  );

  test('its status claim parses to idx 0 of the example list', () => {
    const { payload } = decodeCompactJws(issuerJwt);
    expect(parseStatusReference(payload['status'])).toEqual({ idx: 0, uri: STATUS_LIST_URI });
  });

  test('end to end: the referenced token is revoked (status[0] = 1)', async () => {
    // Only the issuer-signed JWT is checked here; SD-JWT processing is the SD-JWT VC verifier's.
    const { payload } = await verifyCompactJws(issuerJwt, {
      typ: 'example+sd-jwt',
      key: await verifierFromJwk(vectors.referenced_token_sd_jwt_issuer_public_jwk),
    });
    const statusKey = await verifierFromJwk(vectors.status_list_signing_key_public_jwk);
    const check = createStatusCheck({
      resolve: (uri) =>
        verifyStatusListToken(vectors.status_list_token_jwt_compact, {
          uri,
          key: statusKey,
          now: JWT_IAT,
        }),
      clock: () => JWT_IAT,
    });
    await expect(check(payload['status'])).rejects.toMatchObject({ code: 'ERR_STATUS_REVOKED' });
  });
});
