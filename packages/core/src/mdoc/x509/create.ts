/**
 * @module mdoc/x509/create
 * Issuing the two certificates of an mdoc PKI with the ISO/IEC 18013-5 Annex B profile: the IACA
 * root (B.1.2) and a document-signer (DS) certificate (B.1.4). Both are signed through a
 * {@link Signer}, so the IACA key can stay non-extractable in WebCrypto, in a node:crypto
 * KeyObject or behind an HSM; nothing here needs the private key material.
 *
 * Profile written (Annex B):
 * - IACA: v3, random positive serial (≥ 63 bits of entropy), issuer = subject with countryName,
 *   validity ≤ 20 years; SubjectKeyIdentifier; KeyUsage (critical) keyCertSign + cRLSign;
 *   BasicConstraints (critical) CA, pathLenConstraint 0; IssuerAlternativeName (URI or e-mail);
 *   CRLDistributionPoints when given.
 * - DS: issuer = the IACA subject, same countryName (and stateOrProvinceName when the IACA has
 *   one), validity ≤ 457 days and inside the IACA's; AuthorityKeyIdentifier = the IACA's key id;
 *   SubjectKeyIdentifier; KeyUsage (critical) digitalSignature; ExtendedKeyUsage (critical)
 *   1.0.18013.5.1.2 (id-mdl-kp-mdlDS); the IACA's IssuerAlternativeName; CRLDistributionPoints.
 */
import { defaultCrypto } from '../../crypto/default.js';
import type { PublicJwk } from '../../crypto/provider.js';
import { OpenMidError } from '../../errors/error.js';
import { b64uDecode } from '../../internal/bytes.js';
import { type CryptoOptions, generateKeyPair, type Signer } from '../../keys/keys.js';
import { type Certificate, derToPem, KEY_USAGE, OID, parseCertificate } from './certificate.js';
import {
  bits,
  bool,
  ctx,
  octets,
  oid,
  p1363ToDer,
  printable,
  seq,
  set,
  time,
  uint,
  utf8String,
} from './der.js';

/** The subject of a certificate. */
export interface CertificateSubject {
  readonly commonName: string;
  /** ISO 3166-1 alpha-2 country code, e.g. `KR` (Annex B: mandatory, PrintableString). */
  readonly country: string;
  readonly stateOrProvince?: string;
  readonly organization?: string;
}

/** An IACA or DS certificate just created. */
export interface CreatedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly certificate: Certificate;
}

/** Options of {@link createIaca}. */
export interface CreateIacaOptions extends CryptoOptions {
  /** The IACA key (ES256 or EdDSA); its public key goes into the certificate. */
  readonly signer: Signer;
  readonly subject: CertificateSubject;
  /** Validity in seconds since the epoch; at most 20 years (Annex B.1.2). */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Contact of the issuing authority for the IssuerAlternativeName extension (Annex B.1.2). */
  readonly issuerAltName: { readonly uri: string } | { readonly email: string };
  /** Where the IACA publishes its CRL (CRLDistributionPoints). */
  readonly crlUri?: string;
  /** Serial number (positive, ≤ 20 bytes); default 16 random bytes. */
  readonly serialNumber?: Uint8Array;
}

/** Options of {@link createDocumentSigner}. */
export interface CreateDocumentSignerOptions extends CryptoOptions {
  /** The IACA certificate (DER) and its key. */
  readonly iaca: { readonly certificate: Uint8Array; readonly signer: Signer };
  /** The DS public key (its private key signs MSOs, wherever it is kept). */
  readonly publicKey: PublicJwk;
  readonly subject: CertificateSubject;
  /** Validity in seconds since the epoch; at most 457 days and within the IACA's (Annex B.1.4). */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly crlUri?: string;
  readonly serialNumber?: Uint8Array;
  /**
   * Extended key usage (default `1.0.18013.5.1.2`, mDL document signer). The same profile with
   * `1.0.18013.5.1.6` makes an mdoc reader authentication certificate (Annex B.1.7).
   */
  readonly extendedKeyUsage?: string;
}

const YEAR = 365 * 86_400;
const ECDSA_SHA256 = seq(oid(OID.ecdsaSha256));
const ED25519 = seq(oid(OID.ed25519));

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_INPUT_INVALID', message);
}

function name(subject: CertificateSubject): Uint8Array {
  if (!/^[A-Z]{2}$/.test(subject.country))
    throw invalid('country must be an ISO 3166-1 alpha-2 code');
  if (subject.commonName.length === 0 || subject.commonName.length > 64)
    throw invalid('commonName must have 1 to 64 characters');
  const rdn = (type: string, value: Uint8Array) => set(seq(oid(type), value));
  return seq(
    rdn(OID.country, printable(subject.country)),
    ...(subject.stateOrProvince === undefined
      ? []
      : [rdn(OID.stateOrProvince, utf8String(subject.stateOrProvince))]),
    ...(subject.organization === undefined
      ? []
      : [rdn(OID.organization, utf8String(subject.organization))]),
    rdn(OID.commonName, utf8String(subject.commonName)),
  );
}

function coordinate(value: string | undefined): Uint8Array {
  const b = value === undefined ? undefined : b64uDecode(value);
  if (b === undefined || b.length !== 32)
    throw invalid('The public key is not a P-256/Ed25519 JWK');
  return b;
}

function spki(jwk: PublicJwk): Uint8Array {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    const point = new Uint8Array(65);
    point[0] = 4;
    point.set(coordinate(jwk.x), 1);
    point.set(coordinate(jwk.y), 33);
    return seq(seq(oid(OID.ecPublicKey), oid(OID.p256)), bits(point));
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519')
    return seq(seq(oid(OID.ed25519)), bits(coordinate(jwk.x)));
  throw invalid('Only P-256 and Ed25519 keys are supported');
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function keyUsage(mask: number): Uint8Array {
  // DER BIT STRING: bit 0 is the first byte's most significant bit, trailing zero bits dropped.
  let first = 0;
  for (let bit = 0; bit < 8; bit++) if (mask & (1 << bit)) first |= 0x80 >> bit;
  let unused = 0;
  while (unused < 7 && (first & (1 << unused)) === 0) unused++;
  return bits(new Uint8Array([first]), unused);
}

function generalNames(alt: { readonly uri: string } | { readonly email: string }): Uint8Array {
  // GeneralName: rfc822Name [1] IA5String, uniformResourceIdentifier [6] IA5String (IMPLICIT).
  const value = 'uri' in alt ? alt.uri : alt.email;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) throw invalid('issuerAltName must be printable ASCII');
  return seq(ctx('uri' in alt ? 6 : 1, new TextEncoder().encode(value), false));
}

function crlDistributionPoints(uri: string): Uint8Array {
  // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
  return seq(seq(ctx(0, ctx(0, ctx(6, new TextEncoder().encode(uri), false)))));
}

function serial(given: Uint8Array | undefined, options: CryptoOptions): Uint8Array {
  const s = given ?? (options.crypto ?? defaultCrypto()).randomBytes(16);
  if (s.length === 0 || s.length > 20) throw invalid('serialNumber must have 1 to 20 bytes');
  const out = s.slice();
  out[0] = (out[0] as number) & 0x7f; // positive
  if (out.every((b) => b === 0)) out[out.length - 1] = 1; // non-zero
  return out;
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey bits. */
function keyIdentifier(jwk: PublicJwk, options: CryptoOptions): Uint8Array {
  const key = spki(jwk);
  // The BIT STRING content of the SPKI (after its unused-bits byte) is the subjectPublicKey.
  const bitString = key.subarray(key.length - (jwk.kty === 'EC' ? 65 : 32));
  return (options.crypto ?? defaultCrypto()).digest('sha-256', bitString).subarray(0, 20);
}

async function sign(tbs: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const sig = await signer.sign(tbs);
  const alg = signer.alg === 'ES256' ? ECDSA_SHA256 : ED25519;
  return seq(tbs, alg, bits(signer.alg === 'ES256' ? p1363ToDer(sig) : sig));
}

function checkValidity(notBefore: number, notAfter: number, max: number): void {
  if (!Number.isSafeInteger(notBefore) || !Number.isSafeInteger(notAfter) || notAfter <= notBefore)
    throw invalid('notAfter must be after notBefore (whole seconds)');
  if (notAfter - notBefore > max)
    throw invalid('The validity period is longer than Annex B allows');
}

function finish(der: Uint8Array): CreatedCertificate {
  return { der, pem: derToPem(der), certificate: parseCertificate(der) };
}

/**
 * Create a self-signed IACA root certificate with the 18013-5 Annex B.1.2 profile.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` (validity over 20 years, bad country code or names).
 * @example
 * ```ts
 * const iacaKey = await generateKeyPair('ES256')
 * const iaca = await createIaca({ signer: iacaKey.signer, subject: { commonName: 'OpenMID KR IACA', country: 'KR' },
 *   notBefore, notAfter, issuerAltName: { uri: 'https://police.example.kr' } })
 * ```
 * @see ISO/IEC 18013-5 Annex B.1.2
 */
export async function createIaca(options: CreateIacaOptions): Promise<CreatedCertificate> {
  checkValidity(options.notBefore, options.notAfter, 20 * YEAR + 5 * 86_400);
  const subject = name(options.subject);
  const publicKey = options.signer.publicJwk;
  const extensions = [
    extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(publicKey, options))),
    extension(OID.keyUsage, true, keyUsage(KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign)),
    extension(OID.basicConstraints, true, seq(bool(true), uint(0))),
    extension(OID.issuerAltName, false, generalNames(options.issuerAltName)),
    ...(options.crlUri === undefined
      ? []
      : [extension(OID.crlDistributionPoints, false, crlDistributionPoints(options.crlUri))]),
  ];
  const tbs = seq(
    ctx(0, uint(2)),
    uint(serial(options.serialNumber, options)),
    options.signer.alg === 'ES256' ? ECDSA_SHA256 : ED25519,
    subject,
    seq(time(options.notBefore), time(options.notAfter)),
    subject,
    spki(publicKey),
    ctx(3, seq(...extensions)),
  );
  return finish(await sign(tbs, options.signer));
}

/**
 * Create a document-signer certificate issued by an IACA, with the 18013-5 Annex B.1.4 profile.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` (validity over 457 days or outside the IACA's, a
 *   country or state differing from the IACA's, an IACA certificate that is not a CA).
 * @see ISO/IEC 18013-5 Annex B.1.4
 */
export async function createDocumentSigner(
  options: CreateDocumentSignerOptions,
): Promise<CreatedCertificate> {
  const iaca = parseCertificate(options.iaca.certificate);
  if (iaca.basicConstraints?.ca !== true) throw invalid('The IACA certificate is not a CA');
  checkValidity(options.notBefore, options.notAfter, 457 * 86_400);
  if (options.notBefore < iaca.notBefore || options.notAfter > iaca.notAfter)
    throw invalid('The DS validity must lie within the IACA validity');
  if (options.subject.country !== iaca.subject.country)
    throw invalid('The DS country must be the IACA country (Annex B.1.4)');
  if (
    iaca.subject.stateOrProvince !== undefined &&
    options.subject.stateOrProvince !== iaca.subject.stateOrProvince
  )
    throw invalid('The DS stateOrProvinceName must be the IACA one (Annex B.1.4)');
  const iacaKeyId = iaca.subjectKeyId ?? keyIdentifier(options.iaca.signer.publicJwk, options);
  const extensions = [
    extension(OID.authorityKeyIdentifier, false, seq(ctx(0, iacaKeyId, false))),
    extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(options.publicKey, options))),
    extension(OID.keyUsage, true, keyUsage(KEY_USAGE.digitalSignature)),
    extension(OID.extKeyUsage, true, seq(oid(options.extendedKeyUsage ?? OID.mdlDocumentSigner))),
    ...(iaca.issuerAltNameDer === undefined
      ? []
      : [extension(OID.issuerAltName, false, iaca.issuerAltNameDer)]),
    ...(options.crlUri === undefined
      ? []
      : [extension(OID.crlDistributionPoints, false, crlDistributionPoints(options.crlUri))]),
  ];
  const tbs = seq(
    ctx(0, uint(2)),
    uint(serial(options.serialNumber, options)),
    options.iaca.signer.alg === 'ES256' ? ECDSA_SHA256 : ED25519,
    iaca.subject.der,
    seq(time(options.notBefore), time(options.notAfter)),
    name(options.subject),
    spki(options.publicKey),
    ctx(3, seq(...extensions)),
  );
  return finish(await sign(tbs, options.iaca.signer));
}

/** A throwaway IACA and DS pair (see {@link createDemoPki}). */
export interface DemoPki {
  readonly iaca: CreatedCertificate;
  readonly iacaSigner: Signer;
  readonly documentSigner: CreatedCertificate;
  /** Signs MSOs with the DS key. */
  readonly signer: Signer;
}

/** Options of {@link createDemoPki}. */
export interface CreateDemoPkiOptions extends CryptoOptions {
  /** Country code (default `KR`). */
  readonly country?: string;
  /** Name prefix of both certificates (default `OpenMID Demo`). */
  readonly name?: string;
  /** Start of validity in seconds (default now − 1 hour); the DS is valid 90 days, the IACA 5 years. */
  readonly notBefore?: number;
  /** DS validity in days (default 90). */
  readonly documentSignerDays?: number;
}

/**
 * Create an in-memory IACA and document signer with fresh ES256 keys — for development, demos
 * and tests only: the keys are generated here and live as long as the process. Production
 * issuers create the IACA in a key ceremony ({@link createIaca}) and DS certificates with
 * {@link createDocumentSigner} for keys held in their KMS.
 */
export async function createDemoPki(options?: CreateDemoPkiOptions): Promise<DemoPki> {
  const country = options?.country ?? 'KR';
  const name = options?.name ?? 'OpenMID Demo';
  const notBefore = options?.notBefore ?? Math.floor(Date.now() / 1000) - 3600;
  const crypto = options?.crypto === undefined ? {} : { crypto: options.crypto };
  const iacaKey = await generateKeyPair('ES256', crypto);
  const dsKey = await generateKeyPair('ES256', crypto);
  const iaca = await createIaca({
    ...crypto,
    signer: iacaKey.signer,
    subject: { commonName: `${name} IACA`, country },
    notBefore,
    notAfter: notBefore + 5 * YEAR,
    issuerAltName: { uri: 'https://openmid.example/iaca' },
  });
  const documentSigner = await createDocumentSigner({
    ...crypto,
    iaca: { certificate: iaca.der, signer: iacaKey.signer },
    publicKey: dsKey.publicJwk,
    subject: { commonName: `${name} DS`, country },
    notBefore,
    notAfter: notBefore + (options?.documentSignerDays ?? 90) * 86_400,
  });
  return { iaca, iacaSigner: iacaKey.signer, documentSigner, signer: dsKey.signer };
}
