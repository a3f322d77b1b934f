/**
 * In-person flow (ISO/IEC 18013-5 §9.1.1): QR engagement → SessionEstablishment with a
 * reader-authenticated DeviceRequest → encrypted DeviceResponse → verification with the reader's
 * own transcript; plus DeviceRequest and reader authentication against Annex D.
 */
import { describe, expect, test } from 'vitest';
import annexD from '../../test/vectors/iso18013-5-annex-d/annex_d_vectors.json' with {
  type: 'json',
};
import { fromHex } from '../internal/bytes.js';
import { generateKeyPair } from '../keys/index.js';
import {
  deviceEngagementFromUri,
  deviceEngagementUri,
  encodeDeviceEngagement,
  parseDeviceEngagement,
} from './engagement.js';
import { issueMdoc } from './issue.js';
import { createDeviceResponse } from './present.js';
import { acceptReaderSession, startReaderSession } from './proximity.js';
import {
  encodeDeviceRequest,
  parseDeviceRequest,
  READER_AUTH_EKU,
  verifyReaderAuth,
} from './request.js';
import { generateEphemeralKey } from './session.js';
import { sessionTranscriptFromBytes } from './transcript.js';
import { verifyDeviceResponse } from './verify.js';
import { createDemoPki, createDocumentSigner } from './x509/create.js';
import { createTrustStore } from './x509/trust.js';

const V = annexD.vectors;
const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;
const NOW = Math.floor(Date.now() / 1000);
const NS = 'org.iso.18013.5.1';

describe('device engagement (18013-5 §8.2.1.1)', () => {
  test('reads the Annex D engagement', () => {
    const e = parseDeviceEngagement(hex(V.ISO_18013_5_ANNEX_D_DEVICE_ENGAGEMENT));
    expect(e.version).toBe('1.0');
    expect(e.eDeviceKeyBytes.tagged).toEqual(hex(V.ISO_18013_5_ANNEX_D_E_DEVICE_KEY_BYTES));
    expect(e.retrievalMethods).toHaveLength(1); // BLE
  });

  test('round-trips through the mdoc: URI of the QR code', async () => {
    const key = await generateEphemeralKey();
    const bytes = encodeDeviceEngagement({ eDeviceKeyBytes: key.publicKeyBytes });
    const uri = deviceEngagementUri(bytes);
    expect(uri.startsWith('mdoc:')).toBe(true);
    expect(parseDeviceEngagement(deviceEngagementFromUri(uri)).eDeviceKey).toEqual(key.publicJwk);
  });

  test.each([
    ['not an mdoc URI', () => deviceEngagementFromUri('https://x.example')],
    ['not base64url', () => deviceEngagementFromUri('mdoc:!!')],
    ['not a map', () => parseDeviceEngagement(hex('80'))],
    ['another cipher suite', () => parseDeviceEngagement(hex('a20063312e30018202d81841a0'))],
    ['version 2', () => parseDeviceEngagement(hex('a20063322e30018201d81841a0'))],
    ['an empty key', () => parseDeviceEngagement(hex('a20063312e30018201d81841a0'))],
  ])('rejects %s', (_name, f) => {
    expect(f).toThrow(expect.objectContaining({ code: 'ERR_MDOC_ENGAGEMENT_INVALID' }));
  });
});

describe('reader authentication (18013-5 §9.1.4)', () => {
  const transcript = sessionTranscriptFromBytes(
    hex(V.ISO_18013_5_ANNEX_D_SESSION_TRANSCRIPT_BYTES),
  );
  const inWindow = Date.UTC(2021, 0, 1) / 1000;

  test('parses the Annex D DeviceRequest and verifies its readerAuth', async () => {
    const [request] = parseDeviceRequest(hex(V.ISO_18013_5_ANNEX_D_DEVICE_REQUEST));
    expect(request?.docType).toBe('org.iso.18013.5.1.mDL');
    expect(request?.nameSpaces[NS]?.['family_name']).toBe(true);
    const trust = await createTrustStore({
      iacas: [hex(V.ANNEX_D_READER_ROOT_CERT)],
      documentSignerEku: READER_AUTH_EKU,
    });
    const reader = await verifyReaderAuth(request as never, {
      trust,
      sessionTranscript: transcript,
      now: inWindow,
    });
    expect(reader.der).toEqual(hex(V.ISO_18013_5_ANNEX_D_READER_CERT));
  });

  test('rejects readerAuth over another transcript, by an untrusted reader, or out of time', async () => {
    const [request] = parseDeviceRequest(hex(V.ISO_18013_5_ANNEX_D_DEVICE_REQUEST));
    const trust = await createTrustStore({
      iacas: [hex(V.ANNEX_D_READER_ROOT_CERT)],
      documentSignerEku: READER_AUTH_EKU,
    });
    const other = sessionTranscriptFromBytes(hex('83f6f6f6'));
    await expect(
      verifyReaderAuth(request as never, { trust, sessionTranscript: other, now: inWindow }),
    ).rejects.toMatchObject({ code: 'ERR_COSE_SIGNATURE_INVALID' });
    const issuerTrust = await createTrustStore({
      iacas: [hex(V.ANNEX_D_IACA_ROOT_CERT_utopia_iaca)],
    });
    await expect(
      verifyReaderAuth(request as never, {
        trust: issuerTrust,
        sessionTranscript: transcript,
        now: inWindow,
      }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_ISSUER_UNTRUSTED' });
    await expect(
      verifyReaderAuth(request as never, { trust, sessionTranscript: transcript }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_ISSUER_UNTRUSTED' });
  });
});

describe('an in-person session end to end', () => {
  test('QR engagement, reader-authenticated request, encrypted response, verified', async () => {
    // Issuer.
    const pki = await createDemoPki();
    const holder = await generateKeyPair('ES256');
    const { issuerSigned } = await issueMdoc({
      docType: 'org.iso.18013.5.1.mDL',
      nameSpaces: { [NS]: { family_name: 'HONG', given_name: 'GILDONG', age_over_19: true } },
      deviceKey: holder.publicJwk,
      signer: pki.signer,
      certificate: pki.documentSigner.der,
      validity: { validUntil: NOW + 86_400 },
    });
    // Reader PKI: a reader root and a reader certificate.
    const readerPki = await createDemoPki({ name: 'Reader' });
    const readerKey = await generateKeyPair('ES256');
    const readerCert = await createDocumentSigner({
      iaca: { certificate: readerPki.iaca.der, signer: readerPki.iacaSigner },
      publicKey: readerKey.publicJwk,
      subject: { commonName: 'Seoul rental desk 7', country: 'KR' },
      notBefore: NOW - 60,
      notAfter: NOW + 86_400,
      extendedKeyUsage: READER_AUTH_EKU,
    });

    // 1. The wallet shows its engagement.
    const deviceKey = await generateEphemeralKey();
    const engagementBytes = encodeDeviceEngagement({ eDeviceKeyBytes: deviceKey.publicKeyBytes });
    const qr = deviceEngagementUri(engagementBytes);

    // 2. The reader scans it and sends its request.
    const reader = await startReaderSession({ deviceEngagement: deviceEngagementFromUri(qr) });
    const deviceRequest = await encodeDeviceRequest({
      docRequests: [
        {
          docType: 'org.iso.18013.5.1.mDL',
          nameSpaces: { [NS]: { family_name: false, age_over_19: false } },
        },
      ],
      readerAuth: {
        signer: readerKey.signer,
        certificate: readerCert.der,
        sessionTranscript: reader.sessionTranscript,
      },
    });
    const establishment = await reader.establish(deviceRequest);

    // 3. The wallet decrypts it, checks who asks, and answers.
    const mdoc = await acceptReaderSession({
      deviceEngagement: engagementBytes,
      deviceKey,
      sessionEstablishment: establishment,
    });
    expect(mdoc.sessionTranscript.bytes).toEqual(reader.sessionTranscript.bytes);
    const [request] = parseDeviceRequest(mdoc.request);
    const readerTrust = await createTrustStore({
      iacas: [readerPki.iaca.der],
      documentSignerEku: READER_AUTH_EKU,
    });
    const who = await verifyReaderAuth(request as never, {
      trust: readerTrust,
      sessionTranscript: mdoc.sessionTranscript,
    });
    expect(who.subject.commonName).toBe('Seoul rental desk 7');
    const response = await createDeviceResponse({
      documents: [
        {
          mdoc: issuerSigned,
          disclose: { [NS]: Object.keys(request?.nameSpaces[NS] ?? {}) },
          deviceSigner: holder.signer,
        },
      ],
      sessionTranscript: mdoc.sessionTranscript,
    });
    const sessionData = await mdoc.respond(response);

    // 4. The reader decrypts and verifies against its own transcript.
    const received = await reader.receive(sessionData);
    const trust = await createTrustStore({ iacas: [pki.iaca.der] });
    const { documents } = await verifyDeviceResponse(received.data as Uint8Array, {
      trust,
      sessionTranscript: reader.sessionTranscript,
    });
    expect(documents[0]?.nameSpaces[NS]).toEqual({ family_name: 'HONG', age_over_19: true });
    expect(await mdoc.receive(reader.terminate())).toEqual({ status: 20 });
  });

  test('a SessionEstablishment for another engagement does not decrypt', async () => {
    const deviceKey = await generateEphemeralKey();
    const engagement = encodeDeviceEngagement({ eDeviceKeyBytes: deviceKey.publicKeyBytes });
    const otherKey = await generateEphemeralKey();
    const otherEngagement = encodeDeviceEngagement({ eDeviceKeyBytes: otherKey.publicKeyBytes });
    const reader = await startReaderSession({ deviceEngagement: otherEngagement });
    const establishment = await reader.establish(new Uint8Array([0xa0]));
    await expect(
      acceptReaderSession({
        deviceEngagement: engagement,
        deviceKey,
        sessionEstablishment: establishment,
      }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_SESSION_DECRYPT_FAILED' });
  });
});
