/**
 * Cross-check of our DER writer and reader against an independent X.509 implementation
 * (@peculiar/x509, Node only: it needs a Reflect polyfill, which the isomorphic core does not
 * load — see ADR 006): it parses our Annex B certificates, finds the same extensions with the
 * same criticality, and verifies the DS signature with the IACA key; and we read the Annex D
 * certificates as it does.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, test } from 'vitest';
import annexD from '../../../test/vectors/iso18013-5-annex-d/annex_d_vectors.json' with {
  type: 'json',
};
import { fromHex, toHex } from '../../internal/bytes.js';
import { generateKeyPair } from '../../keys/index.js';
import { OID, parseCertificate } from './certificate.js';
import { createDocumentSigner, createIaca } from './create.js';

const NOW = Math.floor(Date.now() / 1000);

describe('X.509 interop with @peculiar/x509', () => {
  test('it reads our IACA and DS certificates and verifies the chain', async () => {
    const iacaKey = await generateKeyPair('ES256');
    const dsKey = await generateKeyPair('ES256');
    const iaca = await createIaca({
      signer: iacaKey.signer,
      subject: { commonName: 'OpenMID KR IACA', country: 'KR', stateOrProvince: '서울특별시' },
      notBefore: NOW,
      notAfter: NOW + 5 * 365 * 86_400,
      issuerAltName: { email: 'iaca@police.openmid.example' },
      crlUri: 'https://police.openmid.example/iaca.crl',
    });
    const ds = await createDocumentSigner({
      iaca: { certificate: iaca.der, signer: iacaKey.signer },
      publicKey: dsKey.publicJwk,
      subject: { commonName: 'OpenMID KR DS', country: 'KR', stateOrProvince: '서울특별시' },
      notBefore: NOW,
      notAfter: NOW + 365 * 86_400,
    });
    const theirIaca = new x509.X509Certificate(iaca.der.slice().buffer);
    const theirDs = new x509.X509Certificate(ds.pem);
    expect(theirIaca.subject).toContain('CN=OpenMID KR IACA');
    expect(theirIaca.subject).toContain('C=KR');
    expect(await theirIaca.isSelfSigned()).toBe(true);
    expect(await theirDs.verify({ publicKey: theirIaca.publicKey, signatureOnly: true })).toBe(
      true,
    );
    const bc = theirIaca.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(true);
    expect(bc?.pathLength).toBe(0);
    expect(bc?.critical).toBe(true);
    const iacaKu = theirIaca.getExtension(x509.KeyUsagesExtension);
    expect(iacaKu?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(iacaKu?.critical).toBe(true);
    const eku = theirDs.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toEqual([OID.mdlDocumentSigner]);
    expect(eku?.critical).toBe(true);
    expect(theirDs.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature,
    );
    const ski = theirIaca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(theirDs.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(ski);
    expect(theirDs.getExtension(x509.IssuerAlternativeNameExtension)).not.toBeNull();
    expect(theirDs.getExtension(x509.CRLDistributionPointsExtension)).toBeNull();
    expect(theirIaca.getExtension(x509.CRLDistributionPointsExtension)).not.toBeNull();
    expect(theirDs.serialNumber).toBe(
      toHex(ds.certificate.serialNumber).replace(/^(00)+/, '') || '00',
    );
    expect(theirDs.notBefore.getTime() / 1000).toBe(NOW);
    const theirKey = (await theirDs.publicKey.export()) as CryptoKey;
    const jwk = await crypto.subtle.exportKey('jwk', theirKey);
    expect({ x: jwk.x, y: jwk.y }).toEqual({ x: dsKey.publicJwk.x, y: dsKey.publicJwk.y });
  });

  test('we read the Annex D certificates as it does', () => {
    for (const h of [
      annexD.vectors.ANNEX_D_IACA_ROOT_CERT_utopia_iaca,
      annexD.vectors.ISO_18013_5_ANNEX_D_DS_CERT,
      annexD.vectors.ANNEX_D_READER_ROOT_CERT,
    ]) {
      const der = fromHex(h) as Uint8Array;
      const ours = parseCertificate(der);
      const theirs = new x509.X509Certificate(der.slice().buffer);
      expect(ours.notBefore * 1000).toBe(theirs.notBefore.getTime());
      expect(ours.notAfter * 1000).toBe(theirs.notAfter.getTime());
      expect(toHex(ours.serialNumber)).toBe(theirs.serialNumber);
      expect(ours.subject.commonName).toBe(theirs.subjectName.getField('CN')[0]);
    }
  });
});
