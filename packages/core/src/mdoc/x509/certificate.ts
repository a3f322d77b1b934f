/**
 * @module mdoc/x509/certificate
 * Strict parsing of the X.509 v3 certificates of an mdoc PKI (RFC 5280 §4.1, ISO/IEC 18013-5
 * Annex B): IACA roots and document-signer (DS) certificates with EC (P-256, P-384, P-521) or
 * Ed25519 keys and ECDSA/EdDSA signatures. Everything a verifier needs is read once: the exact
 * TBS bytes, names, validity, public key and the extensions Annex B defines; an unknown critical
 * extension or a duplicated extension makes the certificate invalid (RFC 5280 §4.2).
 */
import type { PublicJwk } from '../../crypto/provider.js';
import { OpenMidError } from '../../errors/error.js';
import { b64uEncode } from '../../internal/bytes.js';
import {
  children,
  DER,
  derFail,
  expectTlv,
  readBitString,
  readInteger,
  readOid,
  readSmallInt,
  readString,
  readTime,
  readTlv,
  type Tlv,
} from './der.js';

/** Object identifiers (RFC 5280, RFC 5480, RFC 8410, ISO/IEC 18013-5 Annex B). */
export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
  ed25519: '1.3.101.112',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  stateOrProvince: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  /** id-mdl-kp-mdlDS: extended key usage of an mDL document signer (18013-5 Annex B.1.4). */
  mdlDocumentSigner: '1.0.18013.5.1.2',
} as const;

/** Extensions this parser understands (others are only accepted when not critical). */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
  OID.authorityInfoAccess,
]);

/** Key usage bits (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
} as const;

/** A distinguished name: its exact DER and the attributes OpenMID reads. */
export interface DistinguishedName {
  readonly der: Uint8Array;
  readonly commonName?: string;
  readonly country?: string;
  readonly stateOrProvince?: string;
  readonly organization?: string;
  /** RFC 4514 string form, e.g. `CN=utopia ds,C=US`. */
  readonly text: string;
}

/** A certificate public key. */
export type CertificateKey =
  | {
      readonly kty: 'EC';
      readonly crv: 'P-256' | 'P-384' | 'P-521';
      readonly x: Uint8Array;
      readonly y: Uint8Array;
    }
  | { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: Uint8Array };

/** Signature algorithms of certificates. */
export type CertificateSignatureAlg =
  | 'ecdsa-with-SHA256'
  | 'ecdsa-with-SHA384'
  | 'ecdsa-with-SHA512'
  | 'Ed25519';

/** A parsed X.509 v3 certificate. */
export interface Certificate {
  readonly der: Uint8Array;
  /** The exact `tbsCertificate` bytes the issuer signed. */
  readonly tbs: Uint8Array;
  readonly serialNumber: Uint8Array;
  readonly signatureAlg: CertificateSignatureAlg;
  /** The signature value (DER Ecdsa-Sig-Value for ECDSA, 64 bytes for Ed25519). */
  readonly signature: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  /** Validity in seconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly publicKey: CertificateKey;
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number };
  /** Key usage bits ({@link KEY_USAGE}); undefined when the extension is absent. */
  readonly keyUsage?: number;
  readonly extendedKeyUsage?: readonly string[];
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  /** The issuerAlternativeName extension value (GeneralNames DER), when present. */
  readonly issuerAltNameDer?: Uint8Array;
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.country]: 'C',
  [OID.locality]: 'L',
  [OID.stateOrProvince]: 'ST',
  [OID.organization]: 'O',
  [OID.organizationalUnit]: 'OU',
};

function escapeRdn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])|( )$/g, '\\$1$2');
}

function readName(b: Uint8Array, t: Tlv): DistinguishedName {
  if (t.tag !== DER.SEQUENCE) derFail('A Name is a SEQUENCE');
  const attrs: { type: string; value: string }[] = [];
  for (const rdn of children(b, t)) {
    if (rdn.tag !== DER.SET) derFail('An RDN is a SET');
    for (const atv of children(b, rdn)) {
      const [type, value] = children(b, atv);
      if (atv.tag !== DER.SEQUENCE || type === undefined || value === undefined)
        derFail('Invalid AttributeTypeAndValue');
      const oidText = readOid(b, type);
      const name = ATTRIBUTE_NAMES[oidText];
      // Unknown attribute types keep their OID; unreadable string types are rendered as hex.
      let v: string;
      try {
        v = readString(b, value);
      } catch {
        v = '#<binary>';
      }
      attrs.push({ type: name ?? oidText, value: v });
    }
  }
  const get = (n: string) => attrs.find((a) => a.type === n)?.value;
  const commonName = get('CN');
  const country = get('C');
  const stateOrProvince = get('ST');
  const organization = get('O');
  return {
    der: b.slice(t.start, t.end),
    ...(commonName === undefined ? {} : { commonName }),
    ...(country === undefined ? {} : { country }),
    ...(stateOrProvince === undefined ? {} : { stateOrProvince }),
    ...(organization === undefined ? {} : { organization }),
    text: [...attrs]
      .reverse()
      .map((a) => `${a.type}=${escapeRdn(a.value)}`)
      .join(','),
  };
}

function readAlgorithm(b: Uint8Array, t: Tlv): CertificateSignatureAlg {
  const [o, params] = children(b, t);
  if (t.tag !== DER.SEQUENCE || o === undefined) derFail('Invalid AlgorithmIdentifier');
  const id = readOid(b, o);
  // RFC 5758 §3.2, RFC 8410 §3: ECDSA and EdDSA identifiers carry no parameters.
  if (params !== undefined) derFail('Unexpected signature algorithm parameters');
  switch (id) {
    case OID.ecdsaSha256:
      return 'ecdsa-with-SHA256';
    case OID.ecdsaSha384:
      return 'ecdsa-with-SHA384';
    case OID.ecdsaSha512:
      return 'ecdsa-with-SHA512';
    case OID.ed25519:
      return 'Ed25519';
    default:
      return derFail('Unsupported certificate signature algorithm');
  }
}

const CURVES: Readonly<Record<string, { crv: 'P-256' | 'P-384' | 'P-521'; size: number }>> = {
  [OID.p256]: { crv: 'P-256', size: 32 },
  [OID.p384]: { crv: 'P-384', size: 48 },
  [OID.p521]: { crv: 'P-521', size: 66 },
};

function readPublicKey(b: Uint8Array, t: Tlv): CertificateKey {
  const [alg, key] = children(b, t);
  if (t.tag !== DER.SEQUENCE || alg === undefined || key === undefined)
    derFail('Invalid SubjectPublicKeyInfo');
  const [algOid, params, extra] = children(b, alg);
  if (algOid === undefined || extra !== undefined) derFail('Invalid key AlgorithmIdentifier');
  const kind = readOid(b, algOid);
  const { bytes, unused } = readBitString(b, key);
  if (unused !== 0) derFail('Invalid public key bits');
  if (kind === OID.ecPublicKey) {
    if (params === undefined) derFail('EC key without a named curve');
    const curve = CURVES[readOid(b, params)];
    if (curve === undefined) derFail('Unsupported EC curve');
    if (bytes.length !== 1 + 2 * curve.size || bytes[0] !== 4)
      derFail('EC public key must be an uncompressed point');
    return {
      kty: 'EC',
      crv: curve.crv,
      x: bytes.slice(1, 1 + curve.size),
      y: bytes.slice(1 + curve.size),
    };
  }
  if (kind === OID.ed25519) {
    if (params !== undefined || bytes.length !== 32) derFail('Invalid Ed25519 public key');
    return { kty: 'OKP', crv: 'Ed25519', x: bytes.slice() };
  }
  return derFail('Unsupported public key algorithm');
}

interface Extensions {
  basicConstraints?: { ca: boolean; pathLength?: number };
  keyUsage?: number;
  extendedKeyUsage?: string[];
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  issuerAltNameDer?: Uint8Array;
}

function readExtensions(b: Uint8Array, t: Tlv): Extensions {
  const out: Extensions = {};
  const seen = new Set<string>();
  const list = expectTlv(b, t.contentStart, t.end, DER.SEQUENCE);
  if (list.end !== t.end) derFail('Trailing bytes after extensions');
  for (const ext of children(b, list)) {
    const parts = children(b, ext);
    const id = parts[0];
    if (ext.tag !== DER.SEQUENCE || id === undefined) derFail('Invalid Extension');
    const extnId = readOid(b, id);
    let critical = false;
    let valueTlv = parts[1];
    if (valueTlv?.tag === DER.BOOLEAN) {
      critical = valueTlv.end - valueTlv.contentStart === 1 && b[valueTlv.contentStart] === 0xff;
      valueTlv = parts[2];
    }
    if (valueTlv === undefined || valueTlv.tag !== DER.OCTET_STRING)
      derFail('Extension value must be an OCTET STRING');
    if (seen.has(extnId)) derFail('Duplicate certificate extension');
    seen.add(extnId);
    if (!KNOWN_EXTENSIONS.has(extnId)) {
      if (critical) derFail('Unknown critical extension');
      continue;
    }
    const inner = readTlv(b, valueTlv.contentStart, valueTlv.end);
    if (inner.end !== valueTlv.end) derFail('Trailing bytes in an extension value');
    switch (extnId) {
      case OID.basicConstraints: {
        const [ca, path] = children(b, inner);
        let isCa = false;
        let pathTlv = path;
        if (ca?.tag === DER.BOOLEAN) isCa = b[ca.contentStart] === 0xff;
        else pathTlv = ca;
        out.basicConstraints =
          pathTlv === undefined ? { ca: isCa } : { ca: isCa, pathLength: readSmallInt(b, pathTlv) };
        break;
      }
      case OID.keyUsage: {
        const { bytes } = readBitString(b, inner);
        let mask = 0;
        // Bit 0 is the most significant bit of the first byte (X.690 §8.6).
        for (let bit = 0; bit < Math.min(bytes.length * 8, 9); bit++) {
          if (((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) mask |= 1 << bit;
        }
        out.keyUsage = mask;
        break;
      }
      case OID.extKeyUsage:
        out.extendedKeyUsage = children(b, inner).map((o) => readOid(b, o));
        break;
      case OID.subjectKeyIdentifier:
        if (inner.tag !== DER.OCTET_STRING) derFail('Invalid SubjectKeyIdentifier');
        out.subjectKeyId = b.slice(inner.contentStart, inner.end);
        break;
      case OID.authorityKeyIdentifier: {
        const keyId = children(b, inner).find((c) => c.tag === 0x80);
        if (keyId !== undefined) out.authorityKeyId = b.slice(keyId.contentStart, keyId.end);
        break;
      }
      case OID.issuerAltName:
        out.issuerAltNameDer = b.slice(inner.start, inner.end);
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Parse a DER X.509 v3 certificate.
 *
 * @throws OpenMidError `ERR_MDOC_CERTIFICATE_INVALID` for anything that is not strict DER of the
 *   supported profile (v3, EC or Ed25519 key, ECDSA or Ed25519 signature, matching inner and
 *   outer signature algorithms, no unknown critical or duplicated extension).
 * @see RFC 5280 §4.1, §4.2
 */
export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array) || der.length > 16_384)
    throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', 'Not a certificate of a sane size');
  const cert = expectTlv(der, 0, der.length, DER.SEQUENCE);
  if (cert.end !== der.length) derFail('Trailing bytes after the certificate');
  const [tbsT, algT, sigT, extra] = children(der, cert);
  if (tbsT === undefined || algT === undefined || sigT === undefined || extra !== undefined)
    derFail('A certificate has three parts');
  if (tbsT.tag !== DER.SEQUENCE) derFail('Invalid TBSCertificate');
  const tbs = children(der, tbsT);
  let i = 0;
  const versionT = tbs[i];
  if (versionT?.tag !== 0xa0) derFail('Only X.509 v3 certificates are supported');
  const version = readTlv(der, versionT.contentStart, versionT.end);
  if (version.end !== versionT.end || readSmallInt(der, version) !== 2)
    derFail('Only X.509 v3 certificates are supported');
  i++;
  const serialT = tbs[i++];
  const innerAlgT = tbs[i++];
  const issuerT = tbs[i++];
  const validityT = tbs[i++];
  const subjectT = tbs[i++];
  const spkiT = tbs[i++];
  if (
    serialT === undefined ||
    innerAlgT === undefined ||
    issuerT === undefined ||
    validityT === undefined ||
    subjectT === undefined ||
    spkiT === undefined
  )
    derFail('Incomplete TBSCertificate');
  const serialNumber = readInteger(der, serialT).slice();
  const signatureAlg = readAlgorithm(der, algT);
  // RFC 5280 §4.1.1.2: the inner and outer signature algorithms must be identical.
  const outerAlg = der.subarray(algT.start, algT.end);
  const innerAlg = der.subarray(innerAlgT.start, innerAlgT.end);
  if (outerAlg.length !== innerAlg.length || outerAlg.some((v, k) => v !== innerAlg[k]))
    derFail('Inner and outer signature algorithms differ');
  const [nbT, naT] = children(der, validityT);
  if (validityT.tag !== DER.SEQUENCE || nbT === undefined || naT === undefined)
    derFail('Invalid Validity');
  let extensions: Extensions = {};
  for (; i < tbs.length; i++) {
    const t = tbs[i] as Tlv;
    if (t.tag === 0xa3) extensions = readExtensions(der, t);
    else if (t.tag !== 0x81 && t.tag !== 0x82) derFail('Unexpected TBSCertificate field');
  }
  const sig = readBitString(der, sigT);
  if (sig.unused !== 0) derFail('Invalid signature bits');
  return {
    der,
    tbs: der.subarray(tbsT.start, tbsT.end),
    serialNumber,
    signatureAlg,
    signature: sig.bytes,
    issuer: readName(der, issuerT),
    subject: readName(der, subjectT),
    notBefore: readTime(der, nbT),
    notAfter: readTime(der, naT),
    publicKey: readPublicKey(der, spkiT),
    ...extensions,
  };
}

/** The public key of a certificate as a JWK, for P-256 and Ed25519 keys (what COSE verifies). */
export function certificateJwk(cert: Certificate): PublicJwk | undefined {
  const k = cert.publicKey;
  if (k.kty === 'EC')
    return k.crv === 'P-256'
      ? { kty: 'EC', crv: 'P-256', x: b64uEncode(k.x), y: b64uEncode(k.y) }
      : undefined;
  return { kty: 'OKP', crv: 'Ed25519', x: b64uEncode(k.x) };
}

/** PEM (one or more `CERTIFICATE` blocks) to DER. */
export function pemToDer(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;
  for (const m of pem.matchAll(re)) {
    const b64 = (m[1] as string).replace(/\s+/g, '');
    let bin: string;
    try {
      bin = atob(b64);
    } catch {
      throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', 'Invalid base64 in PEM');
    }
    const bytes = new Uint8Array(bin.length);
    for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
    out.push(bytes);
  }
  if (out.length === 0)
    throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', 'No PEM certificate found');
  return out;
}

/** DER to a PEM `CERTIFICATE` block. */
export function derToPem(der: Uint8Array): string {
  let bin = '';
  for (const byte of der) bin += String.fromCharCode(byte);
  const b64 = btoa(bin).replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
