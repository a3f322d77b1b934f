/**
 * ISO/IEC 18013-5:2021 Annex D test data (packages/core/test/vectors/iso18013-5-annex-d):
 * session encryption both ways (§9.1.1), the SessionTranscript, and the full verification of the
 * Annex D DeviceResponse — issuerAuth under the utopia IACA, the six disclosed digests, and the
 * deviceMac (EMacKey from the static device key and the reader's ephemeral key).
 * The Annex D validity window (2020-10-01 … 2021-10-01) has passed: verification with the real
 * clock must fail on validity, so the positive tests pin the clock inside it.
 */
import { describe, expect, test } from 'vitest';
import annexD from '../../test/vectors/iso18013-5-annex-d/annex_d_vectors.json' with {
  type: 'json',
};
import { b64uEncode, fromHex, toHex } from '../internal/bytes.js';
import { decodeCbor } from './cbor/decode.js';
import { CborTag, EncodedCbor } from './cbor/types.js';
import {
  createSessionCipher,
  decodeSessionData,
  decodeSessionEstablishment,
  deriveSessionKeys,
  importEphemeralKey,
} from './session.js';
import {
  openid4vpSessionTranscript,
  sessionTranscript,
  sessionTranscriptFromBytes,
} from './transcript.js';
import { verifyDeviceResponse } from './verify.js';
import { createTrustStore } from './x509/trust.js';

const V = annexD.vectors;
const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;
const b64 = (h: string): string => b64uEncode(hex(h));
const IN_WINDOW = Date.UTC(2021, 0, 1) / 1000;

const transcript = sessionTranscriptFromBytes(hex(V.ISO_18013_5_ANNEX_D_SESSION_TRANSCRIPT_BYTES));
const readerKey = await importEphemeralKey({
  kty: 'EC',
  crv: 'P-256',
  x: b64(V.ISO_18013_5_ANNEX_D_EPHEMERAL_READER_KEY_X),
  y: b64(V.ISO_18013_5_ANNEX_D_EPHEMERAL_READER_KEY_Y),
  d: b64(V.ISO_18013_5_ANNEX_D_EPHEMERAL_READER_KEY_D),
});
const deviceKey = await importEphemeralKey({
  kty: 'EC',
  crv: 'P-256',
  x: b64(V.ISO_18013_5_ANNEX_D_EPHEMERAL_DEVICE_KEY_X),
  y: b64(V.ISO_18013_5_ANNEX_D_EPHEMERAL_DEVICE_KEY_Y),
  d: b64(V.ISO_18013_5_ANNEX_D_EPHEMERAL_DEVICE_KEY_D),
});
const trust = await createTrustStore({ iacas: [hex(V.ANNEX_D_IACA_ROOT_CERT_utopia_iaca)] });
const RESPONSE = hex(V.ISO_18013_5_ANNEX_D_DEVICE_RESPONSE);

describe('Annex D: SessionTranscript (18013-5 §9.1.5.1)', () => {
  test('keeps the transcript bytes exactly and rebuilds them from their parts', () => {
    expect(toHex(transcript.tagged)).toBe(V.ISO_18013_5_ANNEX_D_SESSION_TRANSCRIPT_BYTES);
    const parts = decodeCbor(transcript.bytes) as [EncodedCbor, EncodedCbor, Uint8Array[]];
    expect(parts[0]).toBeInstanceOf(EncodedCbor);
    // NFC negotiated handover: [Handover Select message, Handover Request message].
    expect(parts[2][0]).toBeInstanceOf(Uint8Array);
    expect(parts[2][1]).toBeInstanceOf(Uint8Array);
    expect(toHex(sessionTranscript(parts[0], parts[1], parts[2]).tagged)).toBe(
      V.ISO_18013_5_ANNEX_D_SESSION_TRANSCRIPT_BYTES,
    );
    // EReaderKeyBytes in the transcript are the ones sent in SessionEstablishment.
    const establishment = decodeSessionEstablishment(
      hex(V.ISO_18013_5_ANNEX_D_SESSION_ESTABLISHMENT),
    );
    expect(toHex(parts[1].tagged)).toBe(toHex(establishment.eReaderKeyBytes.tagged));
    expect(establishment.eReaderKey).toEqual(readerKey.publicJwk);
  });
});

describe('Annex D: session encryption (18013-5 §9.1.1.5)', () => {
  test('the reader decrypts SessionData to the Annex D DeviceResponse', async () => {
    const keys = await deriveSessionKeys({
      privateKey: readerKey.privateKey,
      peerPublicKey: decodeCbor(hex(V.ISO_18013_5_ANNEX_D_E_DEVICE_KEY_BYTES)),
      sessionTranscript: transcript,
    });
    const reader = createSessionCipher(keys, 'reader');
    const data = decodeSessionData(hex(V.ISO_18013_5_ANNEX_D_SESSION_DATA));
    expect(toHex(await reader.decrypt(data.data as Uint8Array))).toBe(
      V.ISO_18013_5_ANNEX_D_DEVICE_RESPONSE,
    );
  });

  test('the mdoc decrypts SessionEstablishment to the DeviceRequest and encrypts the same SessionData', async () => {
    const establishment = decodeSessionEstablishment(
      hex(V.ISO_18013_5_ANNEX_D_SESSION_ESTABLISHMENT),
    );
    const keys = await deriveSessionKeys({
      privateKey: deviceKey.privateKey,
      peerPublicKey: establishment.eReaderKeyBytes,
      sessionTranscript: transcript,
    });
    const mdoc = createSessionCipher(keys, 'mdoc');
    expect(toHex(await mdoc.decrypt(establishment.data))).toBe(
      V.ISO_18013_5_ANNEX_D_DEVICE_REQUEST,
    );
    const encrypted = await mdoc.encrypt(RESPONSE);
    expect(toHex(encrypted)).toBe(
      toHex(decodeSessionData(hex(V.ISO_18013_5_ANNEX_D_SESSION_DATA)).data as Uint8Array),
    );
  });

  test('a replayed, reflected or tampered message does not decrypt', async () => {
    const keys = await deriveSessionKeys({
      privateKey: readerKey.privateKey,
      peerPublicKey: deviceKey.publicJwk,
      sessionTranscript: transcript,
    });
    const data = decodeSessionData(hex(V.ISO_18013_5_ANNEX_D_SESSION_DATA)).data as Uint8Array;
    const reader = createSessionCipher(keys, 'reader');
    await reader.decrypt(data);
    // Replay: the counter has moved on.
    await expect(reader.decrypt(data)).rejects.toMatchObject({
      code: 'ERR_MDOC_SESSION_DECRYPT_FAILED',
    });
    // Tampered.
    const other = createSessionCipher(keys, 'reader');
    const tampered = data.slice();
    tampered[10] = (tampered[10] as number) ^ 1;
    await expect(other.decrypt(tampered)).rejects.toMatchObject({
      code: 'ERR_MDOC_SESSION_DECRYPT_FAILED',
    });
    // The failure did not advance the counter: the genuine message still decrypts.
    expect(toHex(await other.decrypt(data))).toBe(V.ISO_18013_5_ANNEX_D_DEVICE_RESPONSE);
    // Reflected: the reader's own message sent back to it.
    const fresh = createSessionCipher(keys, 'reader');
    const own = await fresh.encrypt(new Uint8Array([1, 2, 3]));
    await expect(fresh.decrypt(own)).rejects.toMatchObject({
      code: 'ERR_MDOC_SESSION_DECRYPT_FAILED',
    });
  });

  test('reads the session termination message', () => {
    expect(decodeSessionData(hex(V.ISO_18013_5_ANNEX_D_SESSION_TERMINATION))).toEqual({
      status: 20,
    });
  });
});

describe('Annex D: DeviceResponse verification (18013-5 §9.3)', () => {
  const policy = { trust, sessionTranscript: transcript, readerKey: readerKey.privateKey };

  test('verifies issuerAuth, every disclosed digest and the deviceMac inside the validity window', async () => {
    const { documents } = await verifyDeviceResponse(RESPONSE, { ...policy, now: IN_WINDOW });
    expect(documents).toHaveLength(1);
    const doc = documents[0];
    expect(doc?.docType).toBe('org.iso.18013.5.1.mDL');
    expect(doc?.deviceAuth).toBe('mac');
    expect(doc?.issuer.subject).toBe('C=US,CN=utopia ds');
    expect(doc?.issuer.iaca).toBe('C=US,CN=utopia iaca');
    const mdl = doc?.nameSpaces['org.iso.18013.5.1'] ?? {};
    expect(Object.keys(mdl).sort()).toEqual(
      [
        'driving_privileges',
        'document_number',
        'expiry_date',
        'family_name',
        'issue_date',
        'portrait',
      ].sort(),
    );
    expect(mdl['family_name']).toBe('Doe');
    expect(mdl['document_number']).toBe('123456789');
    expect(mdl['issue_date']).toEqual(new CborTag(1004, '2019-10-20'));
    expect(mdl['expiry_date']).toEqual(new CborTag(1004, '2024-10-20'));
    expect(toHex(mdl['portrait'] as Uint8Array)).toBe(
      V.ISO_18013_5_ANNEX_D_DEVICE_RESPONSE_PORTRAIT_DATA,
    );
    const privileges = mdl['driving_privileges'] as Map<string, unknown>[];
    expect(privileges.map((p) => p.get('vehicle_category_code'))).toEqual(['A', 'B']);
    expect(doc?.validity.validUntil).toBe(Date.parse('2021-10-01T13:30:02Z') / 1000);
    expect(doc?.deviceKey.x).toBe(b64(V.ISO_18013_5_ANNEX_D_STATIC_DEVICE_KEY_X));
  });

  test('fails on validity with the real clock: the Annex D MSO has expired', async () => {
    await expect(verifyDeviceResponse(RESPONSE, policy)).rejects.toMatchObject({
      code: 'ERR_MDOC_EXPIRED',
    });
  });

  test('is not valid before the MSO was signed', async () => {
    await expect(
      verifyDeviceResponse(RESPONSE, { ...policy, now: Date.parse('2020-10-01T12:00:00Z') / 1000 }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_NOT_YET_VALID' });
  });

  test('rejects the deviceMac over another transcript', async () => {
    const other = openid4vpSessionTranscript({
      clientId: 'x509_san_dns:rp.example',
      nonce: 'n',
      responseUri: 'https://rp.example/r',
    });
    await expect(
      verifyDeviceResponse(RESPONSE, { ...policy, now: IN_WINDOW, sessionTranscript: other }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_DEVICE_AUTH_INVALID' });
  });

  test('rejects the deviceMac without, or with the wrong, reader key', async () => {
    await expect(
      verifyDeviceResponse(RESPONSE, { trust, sessionTranscript: transcript, now: IN_WINDOW }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_DEVICE_AUTH_INVALID' });
    await expect(
      verifyDeviceResponse(RESPONSE, {
        ...policy,
        now: IN_WINDOW,
        readerKey: deviceKey.privateKey,
      }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_DEVICE_AUTH_INVALID' });
  });

  test('rejects the response when the utopia IACA is not trusted', async () => {
    const readerRoot = await createTrustStore({ iacas: [hex(V.ANNEX_D_READER_ROOT_CERT)] });
    await expect(
      verifyDeviceResponse(RESPONSE, { ...policy, trust: readerRoot, now: IN_WINDOW }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_ISSUER_UNTRUSTED' });
  });

  test('rejects a docType the verifier does not accept', async () => {
    await expect(
      verifyDeviceResponse(RESPONSE, { ...policy, now: IN_WINDOW, docTypes: ['org.iso.23220.1'] }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_DOCTYPE_MISMATCH' });
  });
});
