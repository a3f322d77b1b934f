/**
 * @module mdoc/present
 * The holder side (ISO/IEC 18013-5 §8.3.2.1.2.2, §9.1.3): read a stored IssuerSigned, select data
 * elements, and build a DeviceResponse whose DeviceSigned part proves possession of the device
 * key over this transaction's SessionTranscript:
 *
 * ```cddl
 * DeviceAuthentication = [ "DeviceAuthentication", SessionTranscript, DocType, DeviceNameSpacesBytes ]
 * DeviceAuthenticationBytes = #6.24(bstr .cbor DeviceAuthentication)   ; the detached payload
 * DeviceSigned = { "nameSpaces": DeviceNameSpacesBytes, "deviceAuth": { "deviceSignature": COSE_Sign1 } }
 * ```
 * The device key is a {@link Signer}, so a wallet signs with its non-extractable WebCrypto key.
 * Selected IssuerSignedItemBytes are copied byte for byte from the issuer's structure (their
 * digests are over those bytes); IssuerAuth is copied unchanged.
 */
import { OpenMidError } from '../errors/error.js';
import { concatBytes } from '../internal/bytes.js';
import { publicPart } from '../keys/jwk.js';
import type { Signer } from '../keys/keys.js';
import { decodeCbor } from './cbor/decode.js';
import { encodeCbor, encodeEmbedded } from './cbor/encode.js';
import type { CborKey, CborValue, EncodedCbor } from './cbor/types.js';
import { bstrHead, signSign1 } from './cose/sign1.js';
import {
  asMap,
  type IssuerSignedItem,
  MDOC_CBOR_LIMITS,
  type MobileSecurityObject,
  type ParsedIssuerSigned,
  parseIssuerSigned,
  readMso,
} from './mso.js';
import type { SessionTranscript } from './transcript.js';

/** A stored mdoc as the wallet sees it (nothing verified: see `verifyIssuerSigned`). */
export interface HeldMdoc {
  readonly docType: string;
  readonly mso: MobileSecurityObject;
  /** NameSpace → element identifier → value, for display and selection. */
  readonly elements: ReadonlyMap<string, ReadonlyMap<string, CborValue>>;
  readonly parsed: ParsedIssuerSigned;
  /** The IssuerSigned bytes as issued. */
  readonly issuerSigned: Uint8Array;
  /** IssuerAuth as decoded (re-encoding it keeps the signed protected bucket and payload bytes). */
  readonly issuerAuth: CborValue;
}

/**
 * Read an IssuerSigned structure (as received over OpenID4VCI) for storage and display.
 *
 * @throws OpenMidError `ERR_MDOC_MALFORMED`, `ERR_MDOC_ELEMENT_DUPLICATE`, CBOR, COSE and MSO codes.
 */
export function readIssuerSigned(issuerSigned: Uint8Array): HeldMdoc {
  const value = decodeCbor(issuerSigned, MDOC_CBOR_LIMITS);
  const parsed = parseIssuerSigned(value);
  const mso = readMso(parsed);
  const elements = new Map<string, Map<string, CborValue>>();
  for (const [ns, items] of parsed.nameSpaces) {
    const m = new Map<string, CborValue>();
    for (const item of items) {
      if (m.has(item.elementIdentifier))
        throw new OpenMidError('ERR_MDOC_ELEMENT_DUPLICATE', 'An element is issued twice', {
          details: { namespace: ns, element: item.elementIdentifier },
        });
      m.set(item.elementIdentifier, item.elementValue);
    }
    elements.set(ns, m);
  }
  return {
    docType: mso.docType,
    mso,
    elements,
    parsed,
    issuerSigned,
    issuerAuth: asMap(value, 'issuerSigned').get('issuerAuth') as CborValue,
  };
}

/** One document of a DeviceResponse. */
export interface PresentedDocument {
  /** The stored IssuerSigned bytes, or an already read {@link HeldMdoc}. */
  readonly mdoc: Uint8Array | HeldMdoc;
  /** Elements to disclose: namespace → element identifiers (DCQL `claims` paths, 18013-7). */
  readonly disclose: Readonly<Record<string, readonly string[]>>;
  /** Device-signed elements (DeviceNameSpaces), if any; none by default. */
  readonly deviceNameSpaces?: Readonly<Record<string, Readonly<Record<string, CborValue>>>>;
  /** The device key bound in the MSO. */
  readonly deviceSigner: Signer;
}

/** Options of {@link createDeviceResponse}. */
export interface CreateDeviceResponseOptions {
  readonly documents: readonly PresentedDocument[];
  /** This transaction's SessionTranscript (e.g. {@link openid4vpSessionTranscript}). */
  readonly sessionTranscript: SessionTranscript;
}

/** `DeviceAuthenticationBytes` for a document (18013-5 §9.1.3.4). */
export function deviceAuthenticationBytes(
  transcript: SessionTranscript,
  docType: string,
  deviceNameSpacesBytes: EncodedCbor,
): Uint8Array {
  // Written directly (it is built on every verification): 84 "DeviceAuthentication"
  // SessionTranscript DocType DeviceNameSpacesBytes, then wrapped in tag 24.
  const docTypeBytes = encodeCbor(docType);
  const length =
    1 +
    DEVICE_AUTHENTICATION.length +
    transcript.bytes.length +
    docTypeBytes.length +
    deviceNameSpacesBytes.tagged.length;
  const head = bstrHead(length);
  return concatBytes(
    TAG24,
    head,
    ARRAY4,
    DEVICE_AUTHENTICATION,
    transcript.bytes,
    docTypeBytes,
    deviceNameSpacesBytes.tagged,
  );
}

const TAG24 = new Uint8Array([0xd8, 0x18]);
const ARRAY4 = new Uint8Array([0x84]);
const DEVICE_AUTHENTICATION = encodeCbor('DeviceAuthentication');

function sameKey(a: Signer['publicJwk'], b: Signer['publicJwk']): boolean {
  const x = publicPart(a);
  const y = publicPart(b);
  return x.kty === y.kty && x.crv === y.crv && x.x === y.x && x.y === y.y;
}

async function document(doc: PresentedDocument, transcript: SessionTranscript): Promise<CborValue> {
  const held = doc.mdoc instanceof Uint8Array ? readIssuerSigned(doc.mdoc) : doc.mdoc;
  if (!sameKey(doc.deviceSigner.publicJwk, held.mso.deviceKey))
    throw new OpenMidError(
      'ERR_INPUT_INVALID',
      'The device signer is not the key the mdoc is bound to',
    );
  const nameSpaces = new Map<string, EncodedCbor[]>();
  for (const [ns, identifiers] of Object.entries(doc.disclose)) {
    if (identifiers.length === 0) continue;
    const available = held.parsed.nameSpaces.get(ns) ?? [];
    const selected: EncodedCbor[] = [];
    for (const id of new Set(identifiers)) {
      const item: IssuerSignedItem | undefined = available.find((i) => i.elementIdentifier === id);
      if (item === undefined)
        throw new OpenMidError('ERR_MDOC_ELEMENT_NOT_FOUND', 'The mdoc has no such element', {
          details: { namespace: ns, element: id },
        });
      selected.push(item.bytes);
    }
    nameSpaces.set(ns, selected);
  }
  const deviceNameSpaces = new Map<string, Map<string, CborValue>>();
  for (const [ns, elements] of Object.entries(doc.deviceNameSpaces ?? {}))
    deviceNameSpaces.set(ns, new Map(Object.entries(elements)));
  const deviceNameSpacesBytes = encodeEmbedded(deviceNameSpaces);
  const deviceSignature = await signSign1({
    signer: doc.deviceSigner,
    payload: deviceAuthenticationBytes(transcript, held.docType, deviceNameSpacesBytes),
    detached: true,
  });
  const issuerSigned = new Map<CborKey, CborValue>([['issuerAuth', held.issuerAuth]]);
  if (nameSpaces.size > 0) issuerSigned.set('nameSpaces', nameSpaces);
  return new Map<CborKey, CborValue>([
    ['docType', held.docType],
    ['issuerSigned', issuerSigned],
    [
      'deviceSigned',
      new Map<CborKey, CborValue>([
        ['nameSpaces', deviceNameSpacesBytes],
        ['deviceAuth', new Map([['deviceSignature', deviceSignature]])],
      ]),
    ],
  ]);
}

/**
 * Build a DeviceResponse (status 0) disclosing the selected elements of each document, signed
 * with each document's device key over DeviceAuthentication for this SessionTranscript.
 *
 * @throws OpenMidError `ERR_MDOC_ELEMENT_NOT_FOUND` (a selected element is not in the mdoc; nothing
 *   is presented), `ERR_INPUT_INVALID` (no document, or a signer that is not the MSO device key).
 * @example
 * ```ts
 * const response = await createDeviceResponse({
 *   documents: [{ mdoc: stored, disclose: { 'org.iso.18013.5.1': ['family_name', 'age_over_19'] }, deviceSigner }],
 *   sessionTranscript: openid4vpSessionTranscript({ clientId, nonce, responseUri }),
 * })
 * ```
 * @see ISO/IEC 18013-5 §8.3.2.1.2.2, §9.1.3.4, §9.1.3.6
 */
export async function createDeviceResponse(
  options: CreateDeviceResponseOptions,
): Promise<Uint8Array> {
  if (options.documents.length === 0)
    throw new OpenMidError('ERR_INPUT_INVALID', 'A DeviceResponse needs at least one document');
  const documents: CborValue[] = [];
  for (const doc of options.documents)
    documents.push(await document(doc, options.sessionTranscript));
  return encodeCbor(
    new Map<CborKey, CborValue>([
      ['version', '1.0'],
      ['documents', documents],
      ['status', 0],
    ]),
  );
}
