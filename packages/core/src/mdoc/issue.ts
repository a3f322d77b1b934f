/**
 * @module mdoc/issue
 * Issuing an mdoc (ISO/IEC 18013-5 §9.1.2): one IssuerSignedItem per data element with a fresh
 * random salt, the Mobile Security Object with their digests, and IssuerAuth, a COSE_Sign1 by the
 * document-signer key with the DS certificate as `x5chain` (§9.1.2.4). The result is the
 * IssuerSigned structure, which OpenID4VCI 1.0 delivers for `mso_mdoc` (base64url of its CBOR,
 * Appendix A.2.4) and which the holder later presents element by element.
 *
 * Privacy (§9.1.2.5, §E.8): digest IDs are a random permutation per namespace, so the position
 * of an element in the issuer's list leaks nothing, and salts are ≥ 16 bytes from a CSPRNG, fresh
 * per element and per copy (SECURITY.md: salts ≥ 128 bits).
 */
import { defaultCrypto } from '../crypto/default.js';
import type { CryptoProvider, PublicJwk } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import type { CryptoOptions, Signer } from '../keys/keys.js';
import { encodeCbor, encodeEmbedded } from './cbor/encode.js';
import type { CborKey, CborValue, EncodedCbor } from './cbor/types.js';
import { jwkToCoseKey } from './cose/key.js';
import { COSE_HEADER, signSign1 } from './cose/sign1.js';
import { type MobileSecurityObject, MSO_DIGEST_ALGS, parseMso } from './mso.js';
import { tdate } from './values.js';

/** Data elements to issue: namespace → element identifier → value. */
export type MdocNameSpaces =
  | Readonly<Record<string, Readonly<Record<string, CborValue>>>>
  | ReadonlyMap<string, ReadonlyMap<string, CborValue>>;

/** Options of {@link issueMdoc}. */
export interface IssueMdocOptions extends CryptoOptions {
  /** Document type, e.g. `org.iso.18013.5.1.mDL`. */
  readonly docType: string;
  readonly nameSpaces: MdocNameSpaces;
  /** The holder's device key: what DeviceAuth will be verified with (MSO deviceKeyInfo). */
  readonly deviceKey: PublicJwk;
  /** The document-signer key (ES256 or EdDSA). */
  readonly signer: Signer;
  /** The DS certificate (DER), or the chain from the DS certificate up, for `x5chain`. */
  readonly certificate: Uint8Array | readonly Uint8Array[];
  /** ValidityInfo in seconds; `signed` defaults to now, `validFrom` to `signed`. */
  readonly validity: {
    readonly signed?: number;
    readonly validFrom?: number;
    readonly validUntil: number;
    readonly expectedUpdate?: number;
  };
  /** Token Status List reference (idx, uri) written as the MSO `status`. */
  readonly status?: { readonly idx: number; readonly uri: string };
  /** Salt length in bytes, ≥ 16 (default 32). */
  readonly saltLength?: number;
  /** Digest algorithm (default SHA-256). */
  readonly digestAlgorithm?: 'SHA-256' | 'SHA-384' | 'SHA-512';
}

/** An issued mdoc. */
export interface IssuedMdoc {
  readonly docType: string;
  /** CBOR of IssuerSigned: what the wallet stores (OpenID4VCI: base64url of these bytes). */
  readonly issuerSigned: Uint8Array;
  readonly mso: MobileSecurityObject;
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_INPUT_INVALID', message);
}

function entries(nameSpaces: MdocNameSpaces): [string, [string, CborValue][]][] {
  const outer =
    nameSpaces instanceof Map
      ? [...(nameSpaces as ReadonlyMap<string, ReadonlyMap<string, CborValue>>).entries()]
      : Object.entries(nameSpaces as Readonly<Record<string, Readonly<Record<string, CborValue>>>>);
  return outer.map(([ns, elements]) => [
    ns,
    elements instanceof Map
      ? [...(elements as ReadonlyMap<string, CborValue>).entries()]
      : Object.entries(elements as Readonly<Record<string, CborValue>>),
  ]);
}

/** A uniformly random permutation of 0…n−1 (Fisher–Yates with rejection sampling). */
function permutation(n: number, crypto: CryptoProvider): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = Math.floor(0x100000000 / bound) * bound;
    let r: number;
    do {
      const b = crypto.randomBytes(4);
      r =
        (((b[0] as number) << 24) |
          ((b[1] as number) << 16) |
          ((b[2] as number) << 8) |
          (b[3] as number)) >>>
        0;
    } while (r >= limit);
    const j = r % bound;
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

/**
 * Issue an mdoc: salted IssuerSignedItems, the MSO and its IssuerAuth signature.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` (no element, an empty namespace or identifier, a salt
 *   under 16 bytes, validity out of order, no certificate), `ERR_COSE_KEY_INVALID` (device key).
 * @example
 * ```ts
 * const { issuerSigned } = await issueMdoc({ docType: MDL_DOCTYPE, nameSpaces, deviceKey: holderJwk,
 *   signer: ds.signer, certificate: dsCert.der, validity: { validUntil } })
 * ```
 * @see ISO/IEC 18013-5 §9.1.2.4, §9.1.2.5
 */
export async function issueMdoc(options: IssueMdocOptions): Promise<IssuedMdoc> {
  const crypto = options.crypto ?? defaultCrypto();
  const saltLength = options.saltLength ?? 32;
  if (!Number.isInteger(saltLength) || saltLength < 16 || saltLength > 64)
    throw invalid('saltLength must be 16 to 64 bytes');
  const digestAlgorithm = options.digestAlgorithm ?? 'SHA-256';
  const hash = MSO_DIGEST_ALGS[digestAlgorithm];
  if (hash === undefined) throw invalid('Unsupported digest algorithm');
  if (typeof options.docType !== 'string' || options.docType.length === 0)
    throw invalid('docType is required');
  const chain =
    options.certificate instanceof Uint8Array ? [options.certificate] : [...options.certificate];
  if (chain.length === 0) throw invalid('The DS certificate is required');

  const signed = options.validity.signed ?? Math.floor(Date.now() / 1000);
  const validFrom = options.validity.validFrom ?? signed;
  const { validUntil, expectedUpdate } = options.validity;
  if (validFrom < signed || validUntil <= validFrom)
    throw invalid('validity must satisfy signed ≤ validFrom < validUntil');

  const items = new Map<string, EncodedCbor[]>();
  const digests = new Map<string, Map<number, Uint8Array>>();
  const all = entries(options.nameSpaces);
  if (all.length === 0) throw invalid('At least one namespace is required');
  for (const [ns, elements] of all) {
    if (ns.length === 0 || elements.length === 0) throw invalid('Empty namespace');
    const ids = permutation(elements.length, crypto);
    const nsItems: EncodedCbor[] = [];
    const nsDigests = new Map<number, Uint8Array>();
    elements.forEach(([identifier, value], i) => {
      if (identifier.length === 0) throw invalid('Empty element identifier');
      const digestID = ids[i] as number;
      const item = encodeEmbedded(
        new Map<CborKey, CborValue>([
          ['digestID', digestID],
          ['random', crypto.randomBytes(saltLength)],
          ['elementIdentifier', identifier],
          ['elementValue', value],
        ]),
      );
      nsItems.push(item);
      // §9.1.2.5: the digest is over IssuerSignedItemBytes, the tag-24 item itself.
      nsDigests.set(digestID, crypto.digest(hash, item.tagged));
    });
    items.set(ns, nsItems);
    digests.set(ns, nsDigests);
  }

  const mso = new Map<CborKey, CborValue>([
    ['version', '1.0'],
    ['digestAlgorithm', digestAlgorithm],
    ['valueDigests', digests],
    ['deviceKeyInfo', new Map([['deviceKey', jwkToCoseKey(options.deviceKey)]])],
    ['docType', options.docType],
    [
      'validityInfo',
      new Map<CborKey, CborValue>([
        ['signed', tdate(signed)],
        ['validFrom', tdate(validFrom)],
        ['validUntil', tdate(validUntil)],
        ...(expectedUpdate === undefined
          ? []
          : [['expectedUpdate', tdate(expectedUpdate)] as [string, CborValue]]),
      ]),
    ],
  ]);
  if (options.status !== undefined) {
    const { idx, uri } = options.status;
    if (!Number.isSafeInteger(idx) || idx < 0 || typeof uri !== 'string' || uri.length === 0)
      throw invalid('status needs a non-negative idx and a uri');
    mso.set(
      'status',
      new Map([
        [
          'status_list',
          new Map<string, CborValue>([
            ['idx', idx],
            ['uri', uri],
          ]),
        ],
      ]),
    );
  }
  const msoBytes = encodeEmbedded(mso);
  const issuerAuth = await signSign1({
    signer: options.signer,
    payload: msoBytes.tagged,
    unprotectedHeaders: new Map<CborKey, CborValue>([
      [COSE_HEADER.x5chain, chain.length === 1 ? (chain[0] as Uint8Array) : chain],
    ]),
  });
  const issuerSigned = encodeCbor(
    new Map<CborKey, CborValue>([
      ['nameSpaces', items],
      ['issuerAuth', issuerAuth],
    ]),
  );
  return { docType: options.docType, issuerSigned, mso: parseMso(mso) };
}
