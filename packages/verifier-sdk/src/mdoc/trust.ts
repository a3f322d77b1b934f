/**
 * @module mdoc/trust
 * Who vouches for an mdoc (issue 7 §2, ADR 006 "Integration"). Two independent checks, both
 * required:
 *
 * 1. ISO/IEC 18013-5 §9.3.3: the document-signer (DS) certificate of IssuerAuth chains to an IACA
 *    root the relying party trusts — each IACA configured FOR AN ISSUER (`{ iss, certificate }`),
 *    as an ISO reader's IACA list is, from configuration, a trust bundle or the issuer's `/iaca`;
 * 2. DESIGN.md §2 (one root, the ledger): the DS certificate's KEY is a key the trust source
 *    registers for that issuer (kid = its RFC 7638 thumbprint, judged at the MSO's `signed`
 *    time), and the issuer may issue the doctype now.
 *
 * The first keeps ISO semantics (certificate profile, validity periods, country); the second
 * makes the ledger decide, so an IACA obtained over an untrusted channel cannot make anything
 * verify that the issuer's registered keys did not sign. This module answers (1) and names the
 * candidate issuers of (2); `verifyPresentation` asks the trust source.
 */
import type { CryptoProvider } from '@openmid/core';
import { OpenMidError } from '@openmid/core/errors';
import {
  type CertificateInput,
  createTrustStore,
  type MdocTrustStore,
  parseCertificate,
  pemToDer,
} from '@openmid/core/mdoc';

/** An IACA root and the issuer (`iss`, as on the trust ledger) it belongs to. */
export interface MdocIaca {
  readonly iss: string;
  /** The IACA certificate, DER or PEM. */
  readonly certificate: CertificateInput;
}

/** The IACA trust of a relying party. */
export interface MdocIssuerTrust {
  /** The trust store of every configured IACA (for `verifyDeviceResponse`). */
  readonly store: MdocTrustStore;
  /** The issuers whose IACA the DS certificate `dsDer` chains to (after `store` accepted it). */
  issuersOf(dsDer: Uint8Array): Promise<readonly string[]>;
  /** The configured roots, as given. */
  readonly iacas: readonly MdocIaca[];
}

function keyOf(der: Uint8Array): string {
  let s = '';
  for (const b of der) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Build the IACA trust of a relying party from `{ iss, certificate }` pairs.
 *
 * @throws OpenMidError `ERR_MDOC_CERTIFICATE_INVALID` (an IACA that is not a CA certificate),
 *   `ERR_INPUT_INVALID` (none, or an entry without `iss`).
 * @example
 * ```ts
 * const iacas = await createMdocIssuerTrust([{ iss: 'https://police.openmid.go.kr', certificate: pem }])
 * await verifyPresentation({ vpToken, dcql }, { trust, nonce, aud, mdoc: { iacas, responseUri } })
 * ```
 * @see ISO/IEC 18013-5 §9.3.3, Annex B.1.2
 */
export async function createMdocIssuerTrust(
  iacas: readonly MdocIaca[],
  options: { readonly crypto?: CryptoProvider } = {},
): Promise<MdocIssuerTrust> {
  const byAnchor = new Map<string, string[]>();
  const ders: Uint8Array[] = [];
  for (const entry of iacas) {
    if (typeof entry.iss !== 'string' || entry.iss === '')
      throw new OpenMidError('ERR_INPUT_INVALID', 'Each IACA names its issuer (iss)');
    const list =
      typeof entry.certificate === 'string' ? pemToDer(entry.certificate) : [entry.certificate];
    for (const der of list) {
      parseCertificate(der);
      const k = keyOf(der);
      const issuers = byAnchor.get(k) ?? [];
      if (!issuers.includes(entry.iss)) issuers.push(entry.iss);
      if (!byAnchor.has(k)) ders.push(der);
      byAnchor.set(k, issuers);
    }
  }
  const store = await createTrustStore({
    iacas: ders,
    ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
  });
  return Object.freeze({
    store,
    iacas: Object.freeze([...iacas]),
    async issuersOf(dsDer: Uint8Array): Promise<readonly string[]> {
      const signer = await store.documentSigner([dsDer]);
      return byAnchor.get(keyOf(signer.anchor.der)) ?? [];
    },
  });
}
