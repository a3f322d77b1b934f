/**
 * Offline verification (issue 4 §3): trust bundles with maximum ages, the two QR modes, and the
 * QR container (Base45 per RFC 9285, raw DEFLATE with a decompression cap).
 */
import { generateKeyPair } from '@openmid/core/keys';
import { parseSdJwt } from '@openmid/core/sd-jwt';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { DcqlQuery } from '../dcql/query.js';
import { clientIdOf } from '../oid4vp/attestation.js';
import {
  bankRegistration,
  issue,
  issuerRecord,
  type Keys,
  makeKeys,
  NOW,
  REGISTRY,
  registryRecord,
  STATUS_URI,
  statusToken,
  VCT_ID,
} from '../test/fixtures.js';
import { createTrustBundle, openTrustBundle, type TrustBundle } from '../trust/bundle.js';
import type { TrustedKey } from '../trust/source.js';
import { OFFLINE_AUDIENCE, OFFLINE_WINDOW_SECONDS } from '../verify/binding.js';
import { type VerifyPolicy, verifyPresentation } from '../verify/verify.js';
import { base45Decode, base45Encode } from './base45.js';
import { compactJson, deflateRaw, expandJson, TOKENS } from './pack.js';
import {
  createOfflinePresentation,
  createOfflineRequest,
  decodeOfflinePresentation,
  encodeOfflinePresentation,
  OFFLINE_PRESENTATION_PREFIX,
  verifyOfflineRequest,
} from './qr.js';

const AGE: DcqlQuery = {
  credentials: [
    {
      id: 'age',
      format: 'dc+sd-jwt',
      meta: { vct_values: [VCT_ID] },
      claims: [{ path: ['age_over_19'] }],
    },
  ],
};

let keys: Keys;
let pinned: TrustedKey[];
let bundleText: string;
let bundle: TrustBundle;
let credential: string;

async function makeBundle(
  options: { now?: number; statusIat?: number; signer?: Keys['registry']['signer'] } = {},
) {
  return createTrustBundle(
    {
      issuers: [issuerRecord(keys), registryRecord(keys)],
      relyingParties: [bankRegistration(keys)],
      statusLists: [
        { uri: STATUS_URI, token: await statusToken(keys, { iat: options.statusIat ?? NOW - 60 }) },
      ],
    },
    {
      signer: options.signer ?? keys.registry.signer,
      iss: REGISTRY,
      now: options.now ?? NOW - 3600,
    },
  );
}

function oneWay(now: number, trust: TrustBundle = bundle): VerifyPolicy {
  return {
    trust,
    statusLists: trust.statusLists,
    timeWindow: OFFLINE_WINDOW_SECONDS,
    aud: OFFLINE_AUDIENCE,
    now,
  };
}

beforeAll(async () => {
  keys = await makeKeys();
  pinned = [{ kid: keys.registry.kid, jwk: keys.registry.publicJwk }];
  bundleText = await makeBundle();
  bundle = await openTrustBundle(bundleText, { keys: pinned, clock: () => NOW });
  credential = await issue(keys);
});

describe('Base45 (RFC 9285 §4.3 examples)', () => {
  test('encodes and decodes the RFC examples', () => {
    const enc = new TextEncoder();
    expect(base45Encode(enc.encode('AB'))).toBe('BB8');
    expect(base45Encode(enc.encode('Hello!!'))).toBe('%69 VD92EX0');
    expect(base45Encode(enc.encode('base-45'))).toBe('UJCLQE7W581');
    expect(new TextDecoder().decode(base45Decode('QED8WEX0'))).toBe('ietf!');
  });

  test('refuses characters outside the alphabet, a dangling character and values above 16 bits', () => {
    for (const bad of ['GGW', 'QED8WEX', 'qed8wex0', 'ÀB8'])
      expect(base45Decode(bad)).toBeUndefined();
  });
});

describe('one-way offline presentations (60 s window, audience "offline")', () => {
  test('a wallet QR verifies against the bundle alone', async () => {
    const qr = await createOfflinePresentation(credential, {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW - 10,
    });
    expect(qr.startsWith(OFFLINE_PRESENTATION_PREFIX)).toBe(true);
    expect(qr).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
    await expect(verifyPresentation({ qr }, oneWay(NOW))).resolves.toMatchObject({
      claims: { age_over_19: true },
      status: 'valid',
    });
  });

  test('refuses it once its window has expired', async () => {
    const qr = await createOfflinePresentation(credential, {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW - 10,
    });
    await expect(verifyPresentation({ qr }, oneWay(NOW + 120))).rejects.toMatchObject({
      code: 'ERR_OFFLINE_WINDOW_EXPIRED',
    });
  });

  test('status: revoked is revoked; a list older than its maximum age is unknown, never valid', async () => {
    const revoked = await createOfflinePresentation(await issue(keys, { idx: 8 }), {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW,
    });
    await expect(verifyPresentation({ qr: revoked }, oneWay(NOW))).rejects.toMatchObject({
      code: 'ERR_STATUS_REVOKED',
    });
    const staleLists = await openTrustBundle(await makeBundle({ statusIat: NOW - 3 * 86_400 }), {
      keys: pinned,
      clock: () => NOW,
    });
    const qr = await createOfflinePresentation(credential, {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW,
    });
    await expect(verifyPresentation({ qr }, oneWay(NOW, staleLists))).rejects.toMatchObject({
      code: 'ERR_STATUS_UNKNOWN',
    });
    await expect(
      verifyPresentation({ qr }, { ...oneWay(NOW, staleLists), unknownStatus: 'accept' }),
    ).resolves.toMatchObject({ status: 'unknown' });
    const revokedStale = await createOfflinePresentation(await issue(keys, { idx: 8 }), {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW,
    });
    // A stale list never reports revoked either: what it says is no longer known.
    await expect(
      verifyPresentation(
        { qr: revokedStale },
        { ...oneWay(NOW, staleLists), unknownStatus: 'accept' },
      ),
    ).resolves.toMatchObject({ status: 'unknown' });
  });
});

describe('two-way offline presentations', () => {
  test('the wallet checks the verifier QR against the registration and answers bound to its nonce', async () => {
    const clientId = clientIdOf('bank');
    const request = await createOfflineRequest({
      signer: keys.rp.signer,
      clientId,
      dcql: AGE,
      iat: NOW,
    });
    const seen = await verifyOfflineRequest(request.qr, { trust: bundle, now: NOW });
    expect(seen).toMatchObject({ clientId, nonce: request.nonce, registration: { id: 'bank' } });
    const held = parseSdJwt(credential);
    const qr = await createOfflinePresentation(held, {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: { nonce: seen.nonce, aud: seen.clientId },
      iat: NOW,
    });
    const policy: VerifyPolicy = {
      trust: bundle,
      statusLists: bundle.statusLists,
      nonce: request.nonce,
      aud: clientId,
      now: NOW,
    };
    await expect(verifyPresentation({ qr }, policy)).resolves.toMatchObject({
      claims: { age_over_19: true },
    });
    await expect(
      verifyPresentation({ qr }, { ...policy, nonce: 'another-request-nonce' }),
    ).rejects.toMatchObject({
      code: 'ERR_SDJWT_KB_NONCE_MISMATCH',
    });
  });

  test('the wallet refuses a request QR signed by a key the party did not register', async () => {
    const rogue = await generateKeyPair('ES256', { kid: keys.rp.kid });
    const request = await createOfflineRequest({
      signer: rogue.signer,
      clientId: clientIdOf('bank'),
      dcql: AGE,
      iat: NOW,
    });
    await expect(
      verifyOfflineRequest(request.qr, { trust: bundle, now: NOW }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_SIGNATURE_INVALID',
    });
    const unknown = await createOfflineRequest({
      signer: keys.rp.signer,
      clientId: clientIdOf('nobody'),
      dcql: AGE,
      iat: NOW,
    });
    await expect(
      verifyOfflineRequest(unknown.qr, { trust: bundle, now: NOW }),
    ).rejects.toMatchObject({
      code: 'ERR_RP_UNKNOWN',
    });
    await expect(
      verifyOfflineRequest(
        (
          await createOfflineRequest({
            signer: keys.rp.signer,
            clientId: clientIdOf('bank'),
            dcql: AGE,
            iat: NOW,
          })
        ).qr,
        { trust: bundle, now: NOW + 600 },
      ),
    ).rejects.toMatchObject({
      code: 'ERR_VP_REQUEST_INVALID',
    });
  });
});

describe('trust bundles', () => {
  test('refuse to answer once older than their maximum age (stale), even while open', async () => {
    await expect(
      openTrustBundle(bundleText, { keys: pinned, clock: () => NOW + 8 * 86_400 }),
    ).rejects.toMatchObject({ code: 'ERR_OFFLINE_BUNDLE_STALE' });
    let now = NOW;
    const open = await openTrustBundle(bundleText, { keys: pinned, clock: () => now });
    now = NOW + 8 * 86_400;
    const qr = await createOfflinePresentation(credential, {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: now,
    });
    await expect(verifyPresentation({ qr }, oneWay(now, open))).rejects.toMatchObject({
      code: 'ERR_OFFLINE_BUNDLE_STALE',
    });
  });

  test('refuse a tampered bundle, and one signed by a key that is not pinned', async () => {
    const [h, p, s] = bundleText.split('.') as [string, string, string];
    const payload = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(p.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
      ),
    );
    payload.issuers[0].types.push('urn:openmid:kr:anything:1');
    const forgedPayload = btoa(
      String.fromCharCode(...new TextEncoder().encode(JSON.stringify(payload))),
    )
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    await expect(
      openTrustBundle(`${h}.${forgedPayload}.${s}`, { keys: pinned, clock: () => NOW }),
    ).rejects.toMatchObject({
      code: 'ERR_OFFLINE_BUNDLE_INVALID',
    });
    const rogue = await generateKeyPair('ES256', { kid: keys.registry.kid });
    const rogueBundle = await makeBundle({ signer: rogue.signer });
    await expect(
      openTrustBundle(rogueBundle, { keys: pinned, clock: () => NOW }),
    ).rejects.toMatchObject({
      code: 'ERR_OFFLINE_BUNDLE_INVALID',
    });
  });
});

describe('JSON compaction inside the container', () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);

  test('expands to exactly the original bytes, for any JSON text (property)', () => {
    fc.assert(
      fc.property(fc.json(), fc.constantFrom('', ' ', '\n\t'), (json, ws) => {
        const text = ws + json + ws;
        expect(dec(expandJson(compactJson(enc(text))))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  test('round-trips tokens, base64url runs and near misses', () => {
    for (const text of [
      ...TOKENS.map(([, t]) => t),
      '{"x":"AAAAAAAAAAAAAAAAAAAAAB"}', // not canonical base64url: kept as text
      '{"x":"AAAAAAAAAAAAAAAAAAAAAA","y":"resident-idresident-id1"}',
      '["c2FsdHNhbHRzYWx0c2FsdA","age_over_19",true]',
    ])
      expect(dec(expandJson(compactJson(enc(text))))).toBe(text);
  });

  test('refuses a text with a raw control character, and an unknown code when expanding', () => {
    expect(() => compactJson(enc('{"a":"\u0001"}'))).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
    expect(() => expandJson(Uint8Array.of(0x00))).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLINE_QR_INVALID' }),
    );
    expect(() => expandJson(Uint8Array.of(0x01, 40, 1, 2))).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLINE_QR_INVALID' }),
    );
  });
});

describe('QR payload container', () => {
  test('round-trips a presentation exactly', async () => {
    const qr = await createOfflinePresentation(credential, {
      paths: [['name'], ['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW,
    });
    const { mode, presentation } = await decodeOfflinePresentation(qr);
    expect(mode).toBe('one-way');
    expect(await encodeOfflinePresentation(presentation, 'one-way')).toBe(qr);
  });

  test('refuses an unknown prefix, bad Base45, truncation and a decompression bomb', async () => {
    const qr = await createOfflinePresentation(credential, {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW,
    });
    const bomb = `${OFFLINE_PRESENTATION_PREFIX}${base45Encode(await deflateRaw(new Uint8Array(1_000_000)))}`;
    expect(bomb.length).toBeLessThan(2000);
    for (const bad of [`OMX1:${qr.slice(5)}`, `${qr}a`, qr.slice(0, qr.length - 30), bomb])
      await expect(decodeOfflinePresentation(bad)).rejects.toMatchObject({
        code: 'ERR_OFFLINE_QR_INVALID',
      });
  });

  test('an age_over_19-only presentation stays small', async () => {
    const qr = await createOfflinePresentation(credential, {
      paths: [['age_over_19']],
      signer: keys.holder.signer,
      binding: 'one-way',
      iat: NOW,
    });
    // Alphanumeric QR version 25 at level M holds 1,853 characters at L and 1,455 at M.
    expect(qr.length).toBeLessThan(1455);
  });
});
