/**
 * @module mdoc/cbor/types
 * The CBOR data model of OpenMID (RFC 8949 §2): what the decoder produces and the encoder takes.
 *
 * - Maps decode as `Map` (never as plain objects), so a key named `__proto__`, `constructor` or
 *   `prototype` is ordinary data and can reach no prototype (SECURITY.md "mdoc / CBOR").
 * - Integers decode as `number` when safe, as `bigint` beyond ±2^53 − 1; floats as `number`.
 * - Tags decode as {@link CborTag}, except tag 24 ("encoded CBOR data item", RFC 8949 §3.4.5.1),
 *   which decodes as {@link EncodedCbor} and keeps the ORIGINAL bytes of the whole tagged item:
 *   18013-5 digests and signatures are over those bytes, never over a re-encoding.
 * - {@link RawCbor} splices already-encoded CBOR into an encoding unchanged (a SessionTranscript
 *   inside DeviceAuthentication, an issuer's IssuerSignedItemBytes inside a DeviceResponse).
 */

/** A CBOR map key OpenMID accepts: an integer or a text string (all ISO 18013-5 and COSE keys). */
export type CborKey = number | bigint | string;

/** A decoded CBOR map. */
export type CborMap = Map<CborKey, CborValue>;

/** A CBOR data item in OpenMID's data model. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | readonly CborValue[]
  | ReadonlyMap<CborKey, CborValue>
  | CborTag
  | EncodedCbor
  | RawCbor
  | CborObject;

/** A plain object accepted by the encoder as a map with text-string keys (never produced by decoding). */
export interface CborObject {
  readonly [key: string]: CborValue;
}

/** A tagged data item (RFC 8949 §3.4) other than tag 24. */
export class CborTag {
  readonly tag: number;
  readonly value: CborValue;
  constructor(tag: number, value: CborValue) {
    this.tag = tag;
    this.value = value;
  }
}

/**
 * Tag 24, an embedded CBOR data item (`#6.24(bstr .cbor T)`), with the exact bytes it came in.
 * `tagged` is the whole tagged item (`d8 18` + byte-string header + content): what 18013-5 hashes
 * (IssuerSignedItemBytes) and embeds (SessionTranscriptBytes); `content` is the embedded encoding.
 */
export class EncodedCbor {
  readonly tagged: Uint8Array;
  readonly content: Uint8Array;
  constructor(tagged: Uint8Array, content: Uint8Array) {
    this.tagged = tagged;
    this.content = content;
  }
}

/** Already-encoded CBOR, written into an encoding byte for byte. */
export class RawCbor {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/** The tags OpenMID decodes by default: tdate (0), epoch time (1), encoded CBOR (24), full-date (1004). */
export const DEFAULT_CBOR_TAGS: readonly number[] = Object.freeze([0, 1, 24, 1004]);

/** True for a decoded CBOR map. */
export function isCborMap(value: unknown): value is ReadonlyMap<CborKey, CborValue> {
  return value instanceof Map;
}
