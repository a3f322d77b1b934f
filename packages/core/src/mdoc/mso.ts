/**
 * @module mdoc/mso
 * The Mobile Security Object (ISO/IEC 18013-5 §9.1.2.4) and IssuerSigned (§8.3.2.1.2.2):
 * parsing with structural checks, and the IssuerSignedItem whose original tag-24 bytes the
 * MSO digests cover (§9.1.2.5).
 *
 * ```cddl
 * MobileSecurityObject = { "version": tstr, "digestAlgorithm": tstr, "valueDigests": ValueDigests,
 *   "deviceKeyInfo": DeviceKeyInfo, "docType": tstr, "validityInfo": ValidityInfo, ? "status": Status }
 * ValueDigests = { + NameSpace => DigestIDs };  DigestIDs = { + DigestID => Digest }
 * ValidityInfo = { "signed": tdate, "validFrom": tdate, "validUntil": tdate, ? "expectedUpdate": tdate }
 * IssuerSigned = { ? "nameSpaces": IssuerNameSpaces, "issuerAuth": IssuerAuth }
 * IssuerNameSpaces = { + NameSpace => [ + IssuerSignedItemBytes ] }
 * IssuerSignedItem = { "digestID": uint, "random": bstr, "elementIdentifier": tstr, "elementValue": any }
 * ```
 * `status` is the Token Status List reference (draft-ietf-oauth-status-list §6.3:
 * `{"status_list": {"idx": uint, "uri": tstr}}`).
 */
import type { PublicJwk } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { decodeCbor, decodeEmbedded } from './cbor/decode.js';
import { type CborKey, type CborValue, EncodedCbor, isCborMap } from './cbor/types.js';
import { coseKeyToJwk } from './cose/key.js';
import { type CoseMessage, parseCoseMessage } from './cose/sign1.js';
import { readTdate } from './values.js';

/** Digest algorithms of the MSO (18013-5 §9.1.2.5) and their crypto-port names. */
export const MSO_DIGEST_ALGS: Readonly<Record<string, 'sha-256' | 'sha-384' | 'sha-512'>> =
  Object.freeze({ 'SHA-256': 'sha-256', 'SHA-384': 'sha-384', 'SHA-512': 'sha-512' });

/** Limits for decoding the nested CBOR of an mdoc (each embedded item is decoded on its own). */
export const MDOC_CBOR_LIMITS: { readonly maxDepth: number; readonly maxBytes: number } =
  Object.freeze({ maxDepth: 16, maxBytes: 4 * 1024 * 1024 });

/** ValidityInfo times, in seconds since the epoch. */
export interface MsoValidity {
  readonly signed: number;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly expectedUpdate?: number;
}

/** A status-list reference carried by the MSO. */
export interface MsoStatusReference {
  readonly idx: number;
  readonly uri: string;
}

/** A parsed Mobile Security Object. */
export interface MobileSecurityObject {
  readonly version: string;
  readonly digestAlgorithm: string;
  /** NameSpace → DigestID → digest. */
  readonly valueDigests: ReadonlyMap<string, ReadonlyMap<number, Uint8Array>>;
  /** The device key (`deviceKeyInfo.deviceKey`) as a JWK. */
  readonly deviceKey: PublicJwk;
  readonly docType: string;
  readonly validity: MsoValidity;
  readonly status?: MsoStatusReference;
}

/** An IssuerSignedItem with the exact bytes it was hashed as. */
export interface IssuerSignedItem {
  readonly digestID: number;
  readonly random: Uint8Array;
  readonly elementIdentifier: string;
  readonly elementValue: CborValue;
  /** IssuerSignedItemBytes as received (`#6.24(bstr .cbor IssuerSignedItem)`). */
  readonly bytes: EncodedCbor;
}

/**
 * A parsed IssuerSigned structure. The MSO is left undecoded ({@link readMso}): a verifier reads
 * it only after IssuerAuth has verified, so unauthenticated MSO content is never interpreted.
 */
export interface ParsedIssuerSigned {
  /** NameSpace → items, in the order received. */
  readonly nameSpaces: ReadonlyMap<string, readonly IssuerSignedItem[]>;
  readonly issuerAuth: CoseMessage;
  /** MobileSecurityObjectBytes, the IssuerAuth payload. */
  readonly msoBytes: EncodedCbor;
}

function malformed(message: string, field?: string): OpenMidError {
  return new OpenMidError(
    'ERR_MDOC_MALFORMED',
    message,
    field === undefined ? undefined : { details: { field } },
  );
}

/** The map at `value`, or a malformed error naming `field`. */
export function asMap(value: CborValue, field: string): ReadonlyMap<CborKey, CborValue> {
  if (!isCborMap(value)) throw malformed(`${field} must be a map`, field);
  return value;
}

/** A text member of a map. */
export function text(
  map: ReadonlyMap<CborKey, CborValue>,
  key: string,
  field: string = key,
): string {
  const v = map.get(key);
  if (typeof v !== 'string') throw malformed(`${field} must be a text string`, field);
  return v;
}

function uintOf(value: CborValue, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw malformed(`${field} must be an unsigned integer`, field);
  return value;
}

function validityOf(value: CborValue): MsoValidity {
  const map = asMap(value, 'validityInfo');
  const read = (name: string, required: boolean): number | undefined => {
    const v = map.get(name);
    if (v === undefined) {
      if (required) throw malformed(`validityInfo.${name} is required`, `validityInfo.${name}`);
      return undefined;
    }
    const t = readTdate(v);
    if (t === undefined)
      throw new OpenMidError(
        'ERR_MDOC_VALIDITY_INVALID',
        'A validityInfo time is not a UTC tdate in whole seconds',
        { details: { field: `validityInfo.${name}` } },
      );
    return t;
  };
  const signed = read('signed', true) as number;
  const validFrom = read('validFrom', true) as number;
  const validUntil = read('validUntil', true) as number;
  const expectedUpdate = read('expectedUpdate', false);
  // §9.1.2.4: validFrom is not before signed; validUntil is after validFrom.
  if (validFrom < signed || validUntil <= validFrom)
    throw new OpenMidError('ERR_MDOC_VALIDITY_INVALID', 'Inconsistent MSO validityInfo');
  return expectedUpdate === undefined
    ? { signed, validFrom, validUntil }
    : { signed, validFrom, validUntil, expectedUpdate };
}

function statusOf(value: CborValue): MsoStatusReference {
  const map = asMap(value, 'status');
  const list = asMap(map.get('status_list') ?? null, 'status.status_list');
  const idx = uintOf(list.get('idx') ?? null, 'status.status_list.idx');
  const uri = list.get('uri');
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > 2048)
    throw malformed('status.status_list.uri must be a URI', 'status.status_list.uri');
  return { idx, uri };
}

/**
 * Parse a MobileSecurityObject (the decoded content of MobileSecurityObjectBytes).
 *
 * @throws OpenMidError `ERR_MDOC_MALFORMED`, `ERR_MDOC_DIGEST_ALG_UNSUPPORTED`,
 *   `ERR_MDOC_VALIDITY_INVALID`, `ERR_COSE_KEY_INVALID`.
 * @see ISO/IEC 18013-5 §9.1.2.4
 */
export function parseMso(value: CborValue): MobileSecurityObject {
  const map = asMap(value, 'MobileSecurityObject');
  const version = text(map, 'version');
  // §9.1.2.4: version "1.0"; later minor versions stay compatible, a new major is not.
  if (!/^1\.\d+$/.test(version)) throw malformed('Unsupported MSO version', 'version');
  const digestAlgorithm = text(map, 'digestAlgorithm');
  if (MSO_DIGEST_ALGS[digestAlgorithm] === undefined)
    throw new OpenMidError('ERR_MDOC_DIGEST_ALG_UNSUPPORTED', 'Unsupported MSO digestAlgorithm');
  const size = digestAlgorithm === 'SHA-256' ? 32 : digestAlgorithm === 'SHA-384' ? 48 : 64;
  const valueDigests = new Map<string, Map<number, Uint8Array>>();
  for (const [ns, ids] of asMap(map.get('valueDigests') ?? null, 'valueDigests')) {
    if (typeof ns !== 'string')
      throw malformed('A namespace must be a text string', 'valueDigests');
    const digests = new Map<number, Uint8Array>();
    for (const [id, digest] of asMap(ids, 'valueDigests')) {
      const digestId = uintOf(id, 'valueDigests');
      if (!(digest instanceof Uint8Array) || digest.length !== size)
        throw malformed('A value digest has the wrong length', 'valueDigests');
      digests.set(digestId, digest);
    }
    valueDigests.set(ns, digests);
  }
  const deviceKeyInfo = asMap(map.get('deviceKeyInfo') ?? null, 'deviceKeyInfo');
  const deviceKey = coseKeyToJwk(deviceKeyInfo.get('deviceKey') ?? null);
  const docType = text(map, 'docType');
  const validity = validityOf(map.get('validityInfo') ?? null);
  const status = map.get('status');
  return {
    version,
    digestAlgorithm,
    valueDigests,
    deviceKey,
    docType,
    validity,
    ...(status === undefined ? {} : { status: statusOf(status) }),
  };
}

/**
 * Parse IssuerSignedItemBytes (a tag-24 item) into its four members.
 *
 * @throws OpenMidError `ERR_MDOC_MALFORMED` or a CBOR code.
 * @see ISO/IEC 18013-5 §8.3.2.1.2.2
 */
export function parseIssuerSignedItem(bytes: CborValue): IssuerSignedItem {
  if (!(bytes instanceof EncodedCbor))
    throw malformed('IssuerSignedItemBytes must be tag 24', 'nameSpaces');
  const map = asMap(decodeEmbedded(bytes, MDOC_CBOR_LIMITS), 'IssuerSignedItem');
  const random = map.get('random');
  if (!(random instanceof Uint8Array)) throw malformed('random must be a bstr', 'random');
  if (!map.has('elementValue')) throw malformed('elementValue is required', 'elementValue');
  return {
    digestID: uintOf(map.get('digestID') ?? null, 'digestID'),
    random,
    elementIdentifier: text(map, 'elementIdentifier'),
    elementValue: map.get('elementValue') as CborValue,
    bytes,
  };
}

/**
 * Parse an IssuerSigned structure (as in a Document, or as issued over OpenID4VCI) without
 * verifying anything: the items and the IssuerAuth COSE_Sign1 with its (undecoded) MSO.
 *
 * @throws OpenMidError `ERR_MDOC_MALFORMED`, COSE, CBOR and MSO codes.
 */
export function parseIssuerSigned(value: CborValue): ParsedIssuerSigned {
  const map = asMap(value, 'issuerSigned');
  const nameSpaces = new Map<string, IssuerSignedItem[]>();
  const ns = map.get('nameSpaces');
  if (ns !== undefined) {
    for (const [name, items] of asMap(ns, 'nameSpaces')) {
      if (typeof name !== 'string' || !Array.isArray(items) || items.length === 0)
        throw malformed('nameSpaces maps a namespace to a non-empty array', 'nameSpaces');
      nameSpaces.set(
        name,
        (items as readonly CborValue[]).map((item) => parseIssuerSignedItem(item)),
      );
    }
  }
  const issuerAuth = parseCoseMessage(map.get('issuerAuth') ?? null);
  if (issuerAuth.payload === null) throw malformed('IssuerAuth must carry the MSO', 'issuerAuth');
  const payload = decodeCbor(issuerAuth.payload, MDOC_CBOR_LIMITS);
  if (!(payload instanceof EncodedCbor))
    throw malformed('The IssuerAuth payload must be MobileSecurityObjectBytes', 'issuerAuth');
  return { nameSpaces, issuerAuth, msoBytes: payload };
}

/** Decode and parse the MSO of a parsed IssuerSigned (after its signature is verified). */
export function readMso(parsed: ParsedIssuerSigned): MobileSecurityObject {
  return parseMso(decodeEmbedded(parsed.msoBytes, MDOC_CBOR_LIMITS));
}
