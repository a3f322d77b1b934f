/**
 * @module mdoc-pki
 * The issuer's mdoc PKI (ISO/IEC 18013-5 Annex B), generated once per issuer and kept in
 * DATA_DIR like the other keys — sealed by the KMS (server-kit's record cipher, associated data
 * = the file's role), never in the clear and never in the database:
 *
 * - the IACA root (B.1.2): an ES256 key and its self-signed certificate, `countryName` KR and the
 *   issuer URL as IssuerAlternativeName; it signs document-signer certificates only;
 * - the document signer (B.1.4): an ES256 key (kid = its RFC 7638 thumbprint) and its certificate
 *   issued by the IACA; it signs every MSO. Its key is REGISTERED ON THE TRUST LEDGER as one of
 *   the issuer's keys (with the mDL doctype among the issuer's types), so a verifier's trust in an
 *   mdoc has the same root as its trust in an SD-JWT VC: the ledger (ADR 006, "Integration").
 *
 * The IACA certificate is public: `GET /iaca` serves it (PEM) for ISO 18013-5 readers and for
 * verifiers that build their IACA trust store from the issuers on the ledger.
 *
 * A file that exists but does not open is fatal (`ERR_ISSUER_SIGNING_KEY_INVALID`), as for
 * `issuer-secrets.json`: silently creating a new PKI would orphan every mdoc issued.
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  createSigner,
  exportPrivateKey,
  generateKeyPair,
  importPrivateKey,
  jwkThumbprint,
  type PublicJwk,
  type Signer,
} from '@openmid/core/keys';
import {
  type Certificate,
  createDocumentSigner,
  createIaca,
  derToPem,
  parseCertificate,
  pemToDer,
} from '@openmid/core/mdoc';
import { loadOrCreateSealedFile, type RecordCipher } from '@openmid/server-kit';

/** The issuer's IACA and document signer, loaded or created at start-up. */
export interface MdocPki {
  /** The IACA certificate (DER) and its PEM form (what `GET /iaca` serves). */
  readonly iaca: {
    readonly der: Uint8Array;
    readonly pem: string;
    readonly certificate: Certificate;
  };
  /** The document-signer certificate (DER), the MSO `x5chain`. */
  readonly documentSigner: {
    readonly der: Uint8Array;
    readonly pem: string;
    readonly certificate: Certificate;
    /** Signs MSOs (ES256, kid = RFC 7638 thumbprint). */
    readonly signer: Signer;
    /** Its public key with kid and alg: registered on the trust ledger. */
    readonly publicJwk: PublicJwk & { readonly kid: string; readonly alg: 'ES256' };
  };
}

interface StoredPki {
  readonly v: 1;
  readonly iacaKey: Record<string, unknown>;
  readonly iacaCert: string;
  readonly dsKey: Record<string, unknown>;
  readonly dsCert: string;
}

const FILE = 'issuer-mdoc-pki.json';
const DAY = 86_400;

/** Options of {@link loadOrCreateMdocPki}. */
export interface MdocPkiOptions {
  /** The issuer URL: the IACA's IssuerAlternativeName (Annex B.1.2). */
  readonly issuerUrl: string;
  /** The issuer's English name (certificate common names). */
  readonly name: string;
  /** NumericDate seconds now. */
  readonly now: number;
}

function commonName(text: string, suffix: string): string {
  // Annex B: commonName ≤ 64 characters; printable ASCII keeps foreign readers happy.
  const ascii = text.replace(/[^\x20-\x7e]/g, '').trim() || 'OpenMID issuer';
  return `${ascii.slice(0, 64 - suffix.length)}${suffix}`;
}

async function generate(options: MdocPkiOptions): Promise<StoredPki> {
  const iacaKey = await generateKeyPair('ES256', { extractable: true });
  const dsKey = await generateKeyPair('ES256', { extractable: true });
  // Backdated a day: verifiers with a slow clock still accept the first mdocs.
  const notBefore = options.now - DAY;
  const iaca = await createIaca({
    signer: iacaKey.signer,
    subject: { commonName: commonName(options.name, ' IACA'), country: 'KR' },
    notBefore,
    notAfter: notBefore + 10 * 365 * DAY,
    issuerAltName: { uri: options.issuerUrl },
  });
  const ds = await createDocumentSigner({
    iaca: { certificate: iaca.der, signer: iacaKey.signer },
    publicKey: dsKey.publicJwk,
    subject: { commonName: commonName(options.name, ' DS'), country: 'KR' },
    notBefore,
    notAfter: notBefore + 450 * DAY,
  });
  return {
    v: 1,
    iacaKey: { ...(await exportPrivateKey(iacaKey.privateKey)) },
    iacaCert: iaca.pem,
    dsKey: { ...(await exportPrivateKey(dsKey.privateKey)) },
    dsCert: ds.pem,
  };
}

function pemToDerOne(pem: string): Uint8Array {
  const [der] = pemToDer(pem);
  if (der === undefined) throw new Error('no certificate');
  return der;
}

/**
 * Load the issuer's mdoc PKI from `<dataDir>/issuer-mdoc-pki.json`, creating it (mode 0600,
 * sealed) on first start. Two processes starting at once agree (exclusive create, the loser
 * reads the winner's file).
 *
 * @throws OpenMidError `ERR_ISSUER_SIGNING_KEY_INVALID` when the file does not open or does not
 *   hold a matching IACA / DS pair.
 */
export async function loadOrCreateMdocPki(
  dataDir: string,
  cipher: RecordCipher,
  options: MdocPkiOptions,
): Promise<MdocPki> {
  let stored: StoredPki;
  try {
    stored = await loadOrCreateSealedFile(dataDir, FILE, cipher, () => generate(options));
  } catch (cause) {
    throw new OpenMidError(
      'ERR_ISSUER_SIGNING_KEY_INVALID',
      'The mdoc PKI file cannot be opened with the configured KMS',
      { cause },
    );
  }
  try {
    const iacaDer = pemToDerOne(stored.iacaCert);
    const dsDer = pemToDerOne(stored.dsCert);
    const iaca = parseCertificate(iacaDer);
    const ds = parseCertificate(dsDer);
    const key = await importPrivateKey(stored.dsKey, { alg: 'ES256' });
    const kid = jwkThumbprint(key.publicJwk);
    const signer = createSigner(key, { kid });
    // The DS key must be the certificate's key (a swapped file must not sign under another name).
    const certKey = ds.publicKey;
    if (
      certKey.kty !== 'EC' ||
      Buffer.from(certKey.x).toString('base64url') !== key.publicJwk.x ||
      Buffer.from(certKey.y).toString('base64url') !== key.publicJwk.y
    )
      throw new Error('DS key and certificate differ');
    return {
      iaca: { der: iacaDer, pem: derToPem(iacaDer), certificate: iaca },
      documentSigner: {
        der: dsDer,
        pem: derToPem(dsDer),
        certificate: ds,
        signer,
        publicJwk: { ...signer.publicJwk, kid, alg: 'ES256' },
      },
    };
  } catch (cause) {
    throw new OpenMidError(
      'ERR_ISSUER_SIGNING_KEY_INVALID',
      'The mdoc PKI file does not hold a valid IACA and document signer',
      { cause },
    );
  }
}
