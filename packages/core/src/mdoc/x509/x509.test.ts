/**
 * X.509 for the mdoc PKI (ISO/IEC 18013-5 Annex B): strict DER parsing of the Annex D IACA and DS
 * certificates, certificates we create with the Annex B profile, and the trust store's chain
 * decisions, each rejection with its code.
 */
import { describe, expect, test } from 'vitest';
import annexD from '../../../test/vectors/iso18013-5-annex-d/annex_d_vectors.json' with {
  type: 'json',
};
import { fromHex } from '../../internal/bytes.js';
import { generateKeyPair } from '../../keys/index.js';
import { KEY_USAGE, OID, parseCertificate, pemToDer } from './certificate.js';
import { createDocumentSigner, createIaca } from './create.js';
import { createTrustStore, verifyCertificateSignature } from './trust.js';

const V = annexD.vectors;
const hex = (h: string): Uint8Array => fromHex(h) as Uint8Array;
const IACA_DER = hex(V.ANNEX_D_IACA_ROOT_CERT_utopia_iaca);
const DS_DER = hex(V.ISO_18013_5_ANNEX_D_DS_CERT);
const READER_ROOT_DER = hex(V.ANNEX_D_READER_ROOT_CERT);
const T2020 = Date.UTC(2020, 9, 1) / 1000;

describe('parsing the Annex D certificates', () => {
  test('reads the utopia IACA root', () => {
    const iaca = parseCertificate(IACA_DER);
    expect(iaca.subject.commonName).toBe('utopia iaca');
    expect(iaca.subject.country).toBe('US');
    expect(iaca.subject.text).toBe('C=US,CN=utopia iaca');
    expect(iaca.issuer.der).toEqual(iaca.subject.der);
    expect(iaca.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(iaca.keyUsage).toBe(KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign);
    expect(iaca.signatureAlg).toBe('ecdsa-with-SHA256');
    expect(iaca.publicKey.crv).toBe('P-256');
    expect(iaca.notBefore).toBe(T2020);
  });

  test('reads the utopia DS certificate with the Annex B.1.4 profile', () => {
    const ds = parseCertificate(DS_DER);
    const iaca = parseCertificate(IACA_DER);
    expect(ds.subject.commonName).toBe('utopia ds');
    expect(ds.issuer.der).toEqual(iaca.subject.der);
    expect(ds.keyUsage).toBe(KEY_USAGE.digitalSignature);
    expect(ds.extendedKeyUsage).toEqual([OID.mdlDocumentSigner]);
    expect(ds.authorityKeyId).toEqual(iaca.subjectKeyId);
    expect(ds.basicConstraints).toBeUndefined();
    expect(ds.notAfter).toBe(Date.UTC(2021, 9, 1) / 1000);
  });

  test('the DS certificate is signed by the IACA and not by the reader root', async () => {
    const ds = parseCertificate(DS_DER);
    expect(await verifyCertificateSignature(ds, parseCertificate(IACA_DER).publicKey)).toBe(true);
    expect(await verifyCertificateSignature(ds, parseCertificate(READER_ROOT_DER).publicKey)).toBe(
      false,
    );
  });

  test('round-trips PEM', () => {
    const pem = annexD.vectors.ANNEX_D_IACA_ROOT_CERT_utopia_iaca;
    expect(
      pemToDer(
        `-----BEGIN CERTIFICATE-----\n${btoa(String.fromCharCode(...hex(pem)))}\n-----END CERTIFICATE-----`,
      )[0],
    ).toEqual(IACA_DER);
  });
});

describe('hostile DER', () => {
  const mutate = (at: number, value: number): Uint8Array => {
    const b = DS_DER.slice();
    b[at] = value;
    return b;
  };
  const cases: readonly [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['truncated', DS_DER.subarray(0, DS_DER.length - 1)],
    ['trailing bytes', new Uint8Array([...DS_DER, 0])],
    ['indefinite length', mutate(1, 0x80)],
    ['non-minimal length', new Uint8Array([0x30, 0x83, 0x00, ...DS_DER.subarray(2)])],
    ['not a sequence', mutate(0, 0x31)],
    ['a length beyond the input', mutate(3, 0xff)],
  ];
  test.each(cases)('rejects a certificate that is %s', (_name, der) => {
    expect(() => parseCertificate(der)).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_CERTIFICATE_INVALID' }),
    );
  });

  test('rejects an unknown critical extension', () => {
    // Rewrite the (known, critical) keyUsage OID 2.5.29.15 into the unknown 2.5.29.99.
    const der = DS_DER.slice();
    const at = findBytes(der, [0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff]);
    der[at + 4] = 0x63;
    expect(() => parseCertificate(der)).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_CERTIFICATE_INVALID' }),
    );
  });

  test('rejects a duplicated extension', () => {
    // Turn the extKeyUsage OID into the keyUsage OID: keyUsage appears twice.
    const der = DS_DER.slice();
    const at = findBytes(der, [0x06, 0x03, 0x55, 0x1d, 0x25]);
    der[at + 4] = 0x0f;
    expect(() => parseCertificate(der)).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_CERTIFICATE_INVALID' }),
    );
  });
});

function findBytes(hay: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}

const NOW = Math.floor(Date.now() / 1000);

async function pki(country = 'KR') {
  const iacaKey = await generateKeyPair('ES256');
  const dsKey = await generateKeyPair('ES256');
  const iaca = await createIaca({
    signer: iacaKey.signer,
    subject: { commonName: 'OpenMID Test IACA', country, organization: 'OpenMID' },
    notBefore: NOW - 86_400,
    notAfter: NOW + 10 * 365 * 86_400,
    issuerAltName: { uri: 'https://police.openmid.example' },
    crlUri: 'https://police.openmid.example/iaca.crl',
  });
  const ds = await createDocumentSigner({
    iaca: { certificate: iaca.der, signer: iacaKey.signer },
    publicKey: dsKey.publicJwk,
    subject: { commonName: 'OpenMID Test DS 1', country },
    notBefore: NOW - 3600,
    notAfter: NOW + 365 * 86_400,
    crlUri: 'https://police.openmid.example/iaca.crl',
  });
  return { iacaKey, dsKey, iaca, ds };
}

describe('creating an IACA and a DS certificate (Annex B.1.2, B.1.4)', () => {
  test('writes the Annex B profile, and the DS chains to the IACA', async () => {
    const { iaca, ds, dsKey } = await pki();
    expect(iaca.certificate.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(iaca.certificate.keyUsage).toBe(KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign);
    expect(iaca.certificate.subject.country).toBe('KR');
    expect(iaca.certificate.issuerAltNameDer).toBeDefined();
    expect(ds.certificate.keyUsage).toBe(KEY_USAGE.digitalSignature);
    expect(ds.certificate.extendedKeyUsage).toEqual([OID.mdlDocumentSigner]);
    expect(ds.certificate.authorityKeyId).toEqual(iaca.certificate.subjectKeyId);
    expect(ds.certificate.issuer.der).toEqual(iaca.certificate.subject.der);
    expect(ds.certificate.serialNumber[0] as number).toBeLessThan(0x80);
    const trust = await createTrustStore({ iacas: [iaca.pem] });
    const signer = await trust.documentSigner([ds.der]);
    expect(signer.anchor.der).toEqual(iaca.der);
    expect(signer.verifier.publicJwk).toEqual(dsKey.publicJwk);
  });

  test('refuses profiles Annex B forbids', async () => {
    const k = await generateKeyPair('ES256');
    const base = {
      signer: k.signer,
      subject: { commonName: 'IACA', country: 'KR' },
      issuerAltName: { uri: 'https://x.example' },
    };
    await expect(
      createIaca({ ...base, notBefore: NOW, notAfter: NOW + 21 * 365 * 86_400 }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    await expect(
      createIaca({
        ...base,
        subject: { commonName: 'x', country: 'Korea' },
        notBefore: NOW,
        notAfter: NOW + 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    const { iaca, iacaKey } = await pki();
    const ds = {
      iaca: { certificate: iaca.der, signer: iacaKey.signer },
      publicKey: k.publicJwk,
      subject: { commonName: 'DS', country: 'KR' },
      notBefore: NOW,
      notAfter: NOW + 30 * 86_400,
    };
    await expect(
      createDocumentSigner({ ...ds, notAfter: NOW + 500 * 86_400 }),
    ).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
    await expect(
      createDocumentSigner({ ...ds, subject: { commonName: 'DS', country: 'JP' } }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    await expect(
      createDocumentSigner({ ...ds, notBefore: NOW - 30 * 86_400 }),
    ).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
  });
});

describe('trust store decisions (18013-5 §9.3.3)', () => {
  test('rejects a DS certificate of an IACA that is not trusted', async () => {
    const a = await pki();
    const b = await pki();
    const trust = await createTrustStore({ iacas: [a.iaca.der] });
    await expect(trust.documentSigner([b.ds.der])).rejects.toMatchObject({
      code: 'ERR_MDOC_ISSUER_UNTRUSTED',
      details: { reason: 'unknown_issuer' },
    });
  });

  test('rejects a DS certificate that names a trusted IACA but was not signed by it', async () => {
    const a = await pki();
    // Issuer name and authority key id of the trusted IACA, signature by another key: forged.
    const forger = await generateKeyPair('ES256');
    const forgedDs = await createDocumentSigner({
      iaca: { certificate: a.iaca.der, signer: forger.signer },
      publicKey: forger.publicJwk,
      subject: { commonName: 'OpenMID Test DS 1', country: 'KR' },
      notBefore: NOW - 3600,
      notAfter: NOW + 86_400,
    });
    const trust = await createTrustStore({ iacas: [a.iaca.der] });
    await expect(trust.documentSigner([forgedDs.der])).rejects.toMatchObject({
      code: 'ERR_MDOC_ISSUER_UNTRUSTED',
      details: { reason: 'bad_signature' },
    });
  });

  test('rejects a CA certificate used as document signer', async () => {
    const a = await pki();
    const trust = await createTrustStore({ iacas: [a.iaca.der] });
    await expect(trust.documentSigner([a.iaca.der])).rejects.toMatchObject({
      code: 'ERR_MDOC_ISSUER_UNTRUSTED',
      details: { reason: 'profile' },
    });
  });

  test('requires the configured DS extended key usage', async () => {
    const a = await pki();
    const trust = await createTrustStore({ iacas: [a.iaca.der], documentSignerEku: '1.2.3.4' });
    await expect(trust.documentSigner([a.ds.der])).rejects.toMatchObject({
      code: 'ERR_MDOC_ISSUER_UNTRUSTED',
      details: { reason: 'profile' },
    });
  });

  test('rejects an empty x5chain', async () => {
    const a = await pki();
    const trust = await createTrustStore({ iacas: [a.iaca.der] });
    await expect(trust.documentSigner([])).rejects.toMatchObject({
      code: 'ERR_MDOC_ISSUER_UNTRUSTED',
    });
  });

  test('refuses anchors that are not CA certificates', async () => {
    await expect(createTrustStore({ iacas: [DS_DER] })).rejects.toMatchObject({
      code: 'ERR_MDOC_CERTIFICATE_INVALID',
    });
    await expect(createTrustStore({ iacas: [] })).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
  });

  test('trusts pinned signers directly, and only them', async () => {
    const a = await pki();
    const trust = await createTrustStore({ iacas: [IACA_DER], pinnedSigners: [a.iaca.der] });
    expect((await trust.documentSigner([a.iaca.der])).anchor.der).toEqual(a.iaca.der);
    await expect(trust.documentSigner([a.ds.der])).rejects.toMatchObject({
      code: 'ERR_MDOC_ISSUER_UNTRUSTED',
    });
  });

  test('accepts the Annex D DS certificate under the utopia IACA', async () => {
    const trust = await createTrustStore({ iacas: [IACA_DER] });
    const s = await trust.documentSigner([DS_DER]);
    expect(s.notAfter).toBe(Date.UTC(2021, 9, 1) / 1000);
    // Cached: the same object for the same certificate.
    expect(await trust.documentSigner([DS_DER])).toBe(s);
  });
});
