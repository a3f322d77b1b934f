/**
 * Interoperability with @auth0/mdl 3.0.1 (dev dependency, Node only), both ways:
 * - it verifies the DeviceResponse we make (our IACA as its trust anchor, our OpenID4VP 1.0
 *   SessionTranscriptBytes), and reports a tampered one as failed;
 * - we verify its peer-generated vectors (packages/core/test/vectors/auth0-mdl-oid4vp: its
 *   self-signed issuer certificate is pinned, its pre-final OID4VP transcript bytes are used as
 *   they are), including the tampered example 3, and fresh responses it makes from an mdoc it
 *   issues under OUR document-signer certificate.
 *
 * Differences seen: @auth0/mdl writes maps with 16-bit counts (`b9 0003`: well-formed, not
 * preferred), so peers' mdocs are never required to be deterministic here (digests are over the
 * original bytes anyway); it signs IssuerAuth with its issuer certificate directly (no IACA → DS
 * chain), which only our `pinnedSigners` accepts.
 */
import { DeviceResponse, Document, MDoc, Verifier } from '@auth0/mdl';
import { describe, expect, test } from 'vitest';
import vectors from '../../test/vectors/auth0-mdl-oid4vp/auth0_mdl_vectors.json' with {
  type: 'json',
};
import type { PrivateJwk, PublicJwk } from '../crypto/provider.js';
import { fromHex } from '../internal/bytes.js';
import { exportPrivateKey, generateKeyPair } from '../keys/index.js';
import { decodeCbor } from './cbor/decode.js';
import { encodeCbor } from './cbor/encode.js';
import type { CborKey, CborValue } from './cbor/types.js';
import { issueMdoc } from './issue.js';
import { MDL_DOCTYPE, MDL_NAMESPACE } from './kr/licence.js';
import { createDeviceResponse } from './present.js';
import { openid4vpSessionTranscript, sessionTranscriptFromBytes } from './transcript.js';
import { fullDate } from './values.js';
import { verifyDeviceResponse } from './verify.js';
import { createDocumentSigner, createIaca } from './x509/create.js';
import { createTrustStore } from './x509/trust.js';

const NOW = Math.floor(Date.now() / 1000);
/** Our JWK as the peer's (jose) JWK type. */
const jwk = (key: PublicJwk | PrivateJwk): Record<string, string> =>
  ({ ...key }) as unknown as Record<string, string>;
const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;

// Our PKI with exportable keys (the peer library takes private JWKs).
const iacaKey = await generateKeyPair('ES256', { extractable: true });
const dsKey = await generateKeyPair('ES256', { extractable: true });
const holder = await generateKeyPair('ES256', { extractable: true });
const iaca = await createIaca({
  signer: iacaKey.signer,
  subject: { commonName: 'OpenMID Interop IACA', country: 'KR' },
  notBefore: NOW - 86_400,
  notAfter: NOW + 365 * 86_400,
  issuerAltName: { uri: 'https://police.openmid.example' },
  crlUri: 'https://police.openmid.example/iaca.crl',
});
const ds = await createDocumentSigner({
  iaca: { certificate: iaca.der, signer: iacaKey.signer },
  publicKey: dsKey.publicJwk,
  subject: { commonName: 'OpenMID Interop DS', country: 'KR' },
  notBefore: NOW - 3600,
  notAfter: NOW + 90 * 86_400,
});
const trust = await createTrustStore({ iacas: [iaca.der] });
const transcript = openid4vpSessionTranscript({
  clientId: 'x509_san_dns:interop.openmid.example',
  nonce: 'interop-nonce',
  responseUri: 'https://interop.openmid.example/response',
});

const ELEMENTS = {
  family_name: 'HONG',
  given_name: 'GILDONG',
  birth_date: fullDate('1990-01-01'),
  issuing_country: 'KR',
  document_number: '11-23-123456-10',
  age_over_19: true,
};

async function ourResponse(disclose: readonly string[]): Promise<Uint8Array> {
  const { issuerSigned } = await issueMdoc({
    docType: MDL_DOCTYPE,
    nameSpaces: { [MDL_NAMESPACE]: ELEMENTS },
    deviceKey: holder.publicJwk,
    signer: dsKey.signer,
    certificate: ds.der,
    validity: { signed: NOW - 60, validUntil: NOW + 30 * 86_400 },
  });
  return createDeviceResponse({
    documents: [
      { mdoc: issuerSigned, disclose: { [MDL_NAMESPACE]: disclose }, deviceSigner: holder.signer },
    ],
    sessionTranscript: transcript,
  });
}

describe('@auth0/mdl verifies our DeviceResponse', () => {
  test('with our IACA as its trust anchor', async () => {
    const response = await ourResponse([
      'family_name',
      'birth_date',
      'issuing_country',
      'age_over_19',
    ]);
    const verifier = new Verifier([iaca.pem]);
    const mdoc = await verifier.verify(response, {
      encodedSessionTranscript: Buffer.from(transcript.tagged),
    });
    const doc = mdoc.documents[0];
    expect(doc?.docType).toBe(MDL_DOCTYPE);
    const items = doc?.issuerSigned.nameSpaces[MDL_NAMESPACE] ?? [];
    expect(items.map((i) => i.elementIdentifier).sort()).toEqual(
      ['age_over_19', 'birth_date', 'family_name', 'issuing_country'].sort(),
    );
  });

  test('and rejects it over another transcript or with another trust anchor', async () => {
    const response = await ourResponse(['family_name']);
    const other = openid4vpSessionTranscript({
      clientId: 'x509_san_dns:interop.openmid.example',
      nonce: 'another-nonce',
      responseUri: 'https://interop.openmid.example/response',
    });
    await expect(
      new Verifier([iaca.pem]).verify(response, {
        encodedSessionTranscript: Buffer.from(other.tagged),
      }),
    ).rejects.toThrow();
    await expect(
      new Verifier([vectors.meta.trust_anchor_pem]).verify(response, {
        encodedSessionTranscript: Buffer.from(transcript.tagged),
      }),
    ).rejects.toThrow();
  });
});

describe('we verify @auth0/mdl DeviceResponses', () => {
  const pinned = vectors.meta.trust_anchor_pem;

  test.each(['example1', 'example2', 'example4'] as const)(
    'its %s vector (valid)',
    async (name) => {
      const v = vectors.vectors[name];
      const t = await createTrustStore({ iacas: [iaca.der], pinnedSigners: [pinned] });
      const { documents } = await verifyDeviceResponse(hex(v.device_response_hex), {
        trust: t,
        sessionTranscript: sessionTranscriptFromBytes(hex(v.session_transcript_bytes_hex)),
      });
      expect(documents[0]?.docType).toBe(MDL_DOCTYPE);
      expect(documents[0]?.nameSpaces[MDL_NAMESPACE]?.['family_name']).toBeDefined();
      if (name === 'example4')
        expect(documents[0]?.deviceNameSpaces['org.iso.wallet.mDL']?.['deviceName']).toBe(
          'mDL Super Wallet',
        );
    },
  );

  test('its tampered example3 is a digest mismatch', async () => {
    const v = vectors.vectors.example3;
    const t = await createTrustStore({ iacas: [iaca.der], pinnedSigners: [pinned] });
    await expect(
      verifyDeviceResponse(hex(v.device_response_hex), {
        trust: t,
        sessionTranscript: sessionTranscriptFromBytes(hex(v.session_transcript_bytes_hex)),
      }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_DIGEST_MISMATCH' });
  });

  test('its vectors are untrusted without the pin, and fail over another transcript', async () => {
    const v = vectors.vectors.example1;
    await expect(
      verifyDeviceResponse(hex(v.device_response_hex), {
        trust,
        sessionTranscript: sessionTranscriptFromBytes(hex(v.session_transcript_bytes_hex)),
      }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_ISSUER_UNTRUSTED' });
    const t = await createTrustStore({ iacas: [iaca.der], pinnedSigners: [pinned] });
    await expect(
      verifyDeviceResponse(hex(v.device_response_hex), { trust: t, sessionTranscript: transcript }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_DEVICE_AUTH_INVALID' });
  });

  test('the Annex D response it cannot trust is refused by us too', async () => {
    const v = vectors.vectors.annex_d_with_empty_trust_store;
    await expect(
      verifyDeviceResponse(hex(v.device_response_hex), {
        trust,
        sessionTranscript: sessionTranscriptFromBytes(hex(v.session_transcript_bytes_hex)),
      }),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_ISSUER_UNTRUSTED' });
  });

  test('a fresh response it makes from an mdoc it issued under our DS certificate', async () => {
    const signed = new Date((NOW - 60) * 1000);
    const document = await new Document(MDL_DOCTYPE)
      .addIssuerNameSpace(MDL_NAMESPACE, {
        family_name: 'KIM',
        given_name: 'MINJUN',
        issuing_country: 'KR',
        age_over_19: true,
      })
      .useDigestAlgorithm('SHA-256')
      .addValidityInfo({ signed, validFrom: signed, validUntil: new Date((NOW + 86_400) * 1000) })
      .addDeviceKeyInfo({ deviceKey: jwk(holder.publicJwk) })
      .sign({
        issuerPrivateKey: jwk(await exportPrivateKey(dsKey.privateKey)),
        issuerCertificate: ds.pem,
        alg: 'ES256',
      });
    const issued = new MDoc([document]).encode();
    const presented = await DeviceResponse.from(issued)
      .usingPresentationDefinition({
        id: 'interop',
        input_descriptors: [
          {
            id: MDL_DOCTYPE,
            format: { mso_mdoc: { alg: ['ES256'] } },
            constraints: {
              limit_disclosure: 'required',
              fields: [
                { path: [`$['${MDL_NAMESPACE}']['family_name']`], intent_to_retain: false },
                { path: [`$['${MDL_NAMESPACE}']['age_over_19']`], intent_to_retain: false },
              ],
            },
          },
        ],
      })
      .usingSessionTranscriptBytes(Buffer.from(transcript.tagged))
      .authenticateWithSignature(jwk(await exportPrivateKey(holder.privateKey)), 'ES256')
      .sign();
    const { documents } = await verifyDeviceResponse(presented.encode(), {
      trust,
      sessionTranscript: transcript,
    });
    expect({ ...documents[0]?.nameSpaces[MDL_NAMESPACE] }).toEqual({
      family_name: 'KIM',
      age_over_19: true,
    });
    // Its IssuerSigned (as it issued it) also verifies on its own through our holder API.
    const decoded = decodeCbor(issued) as Map<CborKey, CborValue>;
    const docs = decoded.get('documents') as Map<CborKey, CborValue>[];
    const theirIssuerSigned = encodeCbor(
      (docs[0] as Map<CborKey, CborValue>).get('issuerSigned') as CborValue,
    );
    const again = await createDeviceResponse({
      documents: [
        {
          mdoc: theirIssuerSigned,
          disclose: { [MDL_NAMESPACE]: ['given_name'] },
          deviceSigner: holder.signer,
        },
      ],
      sessionTranscript: transcript,
    });
    const verified = await verifyDeviceResponse(again, { trust, sessionTranscript: transcript });
    expect(verified.documents[0]?.nameSpaces[MDL_NAMESPACE]?.['given_name']).toBe('MINJUN');
  });
});
