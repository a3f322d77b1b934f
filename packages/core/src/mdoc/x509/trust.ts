/**
 * @module mdoc/x509/trust
 * The verifier's IACA trust store (ISO/IEC 18013-5 §9.3.3, Annex B): which document-signer (DS)
 * certificates chain to a configured IACA root. Trust comes only from the anchors the caller
 * configures: certificates in an `x5chain` beyond the DS certificate are never used to build
 * trust, and a DS certificate must be issued directly by an anchor (Annex B has no intermediates).
 *
 * The time-independent checks (DS signature by the IACA, DS profile: no CA, digitalSignature key
 * usage, the mDL DS extended key usage, same country as the IACA) are cached per DS certificate,
 * so a fleet verifying many presentations from one agency pays for the chain once; the validity
 * periods are checked on every verification by the caller, against its own clock.
 */
import { defaultCrypto } from '../../crypto/default.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import { OpenMidError } from '../../errors/error.js';
import { b64uEncode, bytesEqual } from '../../internal/bytes.js';
import { type CryptoOptions, createVerifier, type Verifier } from '../../keys/keys.js';
import {
  type Certificate,
  type CertificateKey,
  certificateJwk,
  KEY_USAGE,
  OID,
  parseCertificate,
  pemToDer,
} from './certificate.js';
import { derToP1363 } from './der.js';

/** A certificate as DER bytes or PEM text. */
export type CertificateInput = Uint8Array | string;

/** Options of {@link createTrustStore}. */
export interface MdocTrustStoreOptions extends CryptoOptions {
  /** IACA root certificates (DER or PEM), the only source of trust. */
  readonly iacas: readonly CertificateInput[];
  /**
   * Certificates trusted directly as document signers, with no chain and no DS profile check —
   * for peers that sign with a self-signed certificate (e.g. the @auth0/mdl test issuer). Empty
   * by default; never use it for production issuers.
   */
  readonly pinnedSigners?: readonly CertificateInput[];
  /**
   * Extended key usage a DS certificate must carry (default `1.0.18013.5.1.2`, id-mdl-kp-mdlDS,
   * 18013-5 Annex B.1.4); `false` to accept any (other document types use other EKUs).
   */
  readonly documentSignerEku?: string | false;
  /** Most cached DS certificates (default 256). */
  readonly cacheSize?: number;
}

/** A DS certificate that chains to a trust anchor (time not yet checked). */
export interface TrustedDocumentSigner {
  readonly certificate: Certificate;
  /** The IACA it chains to (the certificate itself when pinned). */
  readonly anchor: Certificate;
  /** Verifies MSO signatures with the DS public key. */
  readonly verifier: Verifier;
  /** Latest notBefore and earliest notAfter of the DS and IACA certificates (seconds). */
  readonly notBefore: number;
  readonly notAfter: number;
}

/** The trust store: resolve the `x5chain` of an IssuerAuth to a trusted document signer. */
export interface MdocTrustStore {
  readonly anchors: readonly Certificate[];
  /**
   * Validate the DS certificate (the first of `x5chain`) against the anchors.
   *
   * @throws OpenMidError `ERR_MDOC_ISSUER_UNTRUSTED` (no chain to an anchor, wrong profile),
   *   `ERR_MDOC_CERTIFICATE_INVALID` (not a parsable certificate or unsupported key).
   */
  documentSigner(x5chain: readonly Uint8Array[]): Promise<TrustedDocumentSigner>;
}

function toDer(input: CertificateInput): Uint8Array[] {
  return typeof input === 'string' ? pemToDer(input) : [input];
}

function untrusted(reason: string, message: string): OpenMidError {
  return new OpenMidError('ERR_MDOC_ISSUER_UNTRUSTED', message, { details: { reason } });
}

const HASH: Readonly<Record<string, string>> = {
  'ecdsa-with-SHA256': 'SHA-256',
  'ecdsa-with-SHA384': 'SHA-384',
  'ecdsa-with-SHA512': 'SHA-512',
};
const SIZE: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/**
 * Verify `cert`'s signature with `key`: ES256 (P-256 with SHA-256) and Ed25519 through the
 * crypto port; P-384 and P-521 roots (allowed by Annex B) through WebCrypto.
 */
export async function verifyCertificateSignature(
  cert: Certificate,
  key: CertificateKey,
  crypto: CryptoProvider = defaultCrypto(),
): Promise<boolean> {
  try {
    if (cert.signatureAlg === 'Ed25519') {
      if (key.kty !== 'OKP' || cert.signature.length !== 64) return false;
      const handle = await crypto.importPublicJwk(
        { kty: 'OKP', crv: 'Ed25519', x: b64uEncode(key.x) },
        'EdDSA',
      );
      return await crypto.verify(handle, cert.signature, cert.tbs);
    }
    if (key.kty !== 'EC') return false;
    const size = SIZE[key.crv] as number;
    const sig = derToP1363(cert.signature, size);
    const x = b64uEncode(key.x);
    const y = b64uEncode(key.y);
    if (key.crv === 'P-256' && cert.signatureAlg === 'ecdsa-with-SHA256') {
      const handle = await crypto.importPublicJwk({ kty: 'EC', crv: 'P-256', x, y }, 'ES256');
      return await crypto.verify(handle, sig, cert.tbs);
    }
    const jwk: JsonWebKey = { kty: 'EC', crv: key.crv, x, y };
    const subtle = globalThis.crypto.subtle;
    const k = await subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: key.crv }, false, [
      'verify',
    ]);
    return await subtle.verify(
      { name: 'ECDSA', hash: HASH[cert.signatureAlg] as string },
      k,
      sig as BufferSource,
      cert.tbs as BufferSource,
    );
  } catch (e) {
    if (e instanceof OpenMidError && e.code === 'ERR_MDOC_CERTIFICATE_INVALID') throw e;
    return false;
  }
}

function checkAnchor(cert: Certificate): void {
  if (cert.basicConstraints?.ca !== true)
    throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', 'An IACA certificate must be a CA');
  if (cert.keyUsage !== undefined && (cert.keyUsage & KEY_USAGE.keyCertSign) === 0)
    throw new OpenMidError(
      'ERR_MDOC_CERTIFICATE_INVALID',
      'An IACA certificate must sign certificates',
    );
}

/**
 * Build the trust store from IACA roots (and, for tests with peers, pinned signers).
 *
 * @throws OpenMidError `ERR_MDOC_CERTIFICATE_INVALID` when an anchor is not a parsable CA
 *   certificate with keyCertSign; `ERR_INPUT_INVALID` when no anchor is given.
 * @example
 * ```ts
 * const trust = await createTrustStore({ iacas: [koreaIacaPem] })
 * await verifyDeviceResponse(bytes, { trust, sessionTranscript })
 * ```
 * @see ISO/IEC 18013-5 §9.3.3, Annex B.1.2 (IACA), B.1.4 (DS)
 */
export async function createTrustStore(options: MdocTrustStoreOptions): Promise<MdocTrustStore> {
  const crypto = options.crypto ?? defaultCrypto();
  const anchors = options.iacas.flatMap(toDer).map(parseCertificate);
  for (const a of anchors) checkAnchor(a);
  const pinned = (options.pinnedSigners ?? []).flatMap(toDer).map(parseCertificate);
  if (anchors.length === 0 && pinned.length === 0)
    throw new OpenMidError('ERR_INPUT_INVALID', 'A trust store needs at least one IACA');
  const eku = options.documentSignerEku ?? OID.mdlDocumentSigner;
  const cacheSize = options.cacheSize ?? 256;
  const cache = new Map<string, TrustedDocumentSigner>();

  function signerVerifier(cert: Certificate): Promise<Verifier> {
    const jwk = certificateJwk(cert);
    if (jwk === undefined)
      throw new OpenMidError(
        'ERR_MDOC_CERTIFICATE_INVALID',
        'The document-signer key must be P-256 or Ed25519',
      );
    return crypto
      .importPublicJwk(jwk, jwk.kty === 'EC' ? 'ES256' : 'EdDSA')
      .then((handle) => createVerifier(handle, { crypto }));
  }

  async function resolve(der: Uint8Array): Promise<TrustedDocumentSigner> {
    for (const p of pinned) {
      if (bytesEqual(p.der, der))
        return {
          certificate: p,
          anchor: p,
          verifier: await signerVerifier(p),
          notBefore: p.notBefore,
          notAfter: p.notAfter,
        };
    }
    // A copy: the cache must not share bytes with a response the caller can still reach.
    const ds = parseCertificate(der.slice());
    // Annex B.1.4: a DS certificate is an end-entity signing certificate.
    if (ds.basicConstraints?.ca === true)
      throw untrusted('profile', 'A document signer must not be a CA');
    if (ds.keyUsage === undefined || (ds.keyUsage & KEY_USAGE.digitalSignature) === 0)
      throw untrusted('profile', 'The document signer lacks the digitalSignature key usage');
    if (eku !== false && !(ds.extendedKeyUsage ?? []).includes(eku))
      throw untrusted('profile', 'The document signer lacks the mDL DS extended key usage');
    const candidates = anchors.filter(
      (a) =>
        bytesEqual(a.subject.der, ds.issuer.der) &&
        (a.subjectKeyId === undefined ||
          ds.authorityKeyId === undefined ||
          bytesEqual(a.subjectKeyId, ds.authorityKeyId)),
    );
    for (const anchor of candidates) {
      if (!(await verifyCertificateSignature(ds, anchor.publicKey, crypto))) continue;
      if (
        anchor.subject.country !== undefined &&
        ds.subject.country !== undefined &&
        anchor.subject.country !== ds.subject.country
      )
        throw untrusted('profile', 'The document signer and its IACA are of different countries');
      return {
        certificate: ds,
        anchor,
        verifier: await signerVerifier(ds),
        notBefore: Math.max(ds.notBefore, anchor.notBefore),
        notAfter: Math.min(ds.notAfter, anchor.notAfter),
      };
    }
    throw untrusted(
      candidates.length === 0 ? 'unknown_issuer' : 'bad_signature',
      'The document-signer certificate does not chain to a trusted IACA',
    );
  }

  return Object.freeze({
    anchors: Object.freeze(anchors),
    async documentSigner(x5chain: readonly Uint8Array[]): Promise<TrustedDocumentSigner> {
      const der = x5chain[0];
      if (der === undefined) throw untrusted('no_x5chain', 'IssuerAuth carries no x5chain');
      // A cheap cache key (length and the signature bytes at the end of the DER); a hit is
      // only used when the whole certificate is byte-identical.
      const n = der.length;
      const id = `${n}:${der[n - 1]}:${der[n - 2]}:${der[n - 3]}:${der[n - 4]}:${der[n - 5]}:${der[n - 6]}`;
      const hit = cache.get(id);
      if (hit !== undefined && bytesEqual(hit.certificate.der, der)) return hit;
      const trusted = await resolve(der);
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(id, trusted);
      return trusted;
    },
  });
}
