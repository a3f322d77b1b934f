/**
 * @module status-list/encoding
 * The JSON Status List `{ bits, lst }` (draft-ietf-oauth-status-list -18, §4.2): `lst` is the
 * base64url of the ZLIB-compressed byte array (§4.1 step 4). Encoding uses fflate at the highest
 * level (the draft RECOMMENDS it); decoding is strict and capped (§11.1, SECURITY.md "Decompression
 * capped"). The CBOR form (§4.3) is out of scope: OpenMID uses the JWT form only.
 */
import { zlibSync } from 'fflate';
import { OpenMidError } from '../errors/error.js';
import { b64uDecode, b64uEncode } from '../internal/bytes.js';
import { isJsonObject } from '../internal/json.js';
import { isStatusBits, MAX_STATUS_LIST_BYTES, type StatusBits, StatusList } from './status-list.js';
import { inflateZlib } from './zlib.js';

/**
 * Default cap on a decompressed status list: 16 MiB, room for 52 million citizens' 2-bit entries
 * (13 MB) with margin, while a decompression bomb stops after 16 MiB.
 */
export const DEFAULT_MAX_STATUS_LIST_BYTES: number = 16 * 1024 * 1024;

/** The JSON Status List object (§4.2). */
export interface StatusListJson {
  readonly bits: StatusBits;
  /** base64url(ZLIB(byte array)). */
  readonly lst: string;
  /** URI of the Status List Aggregation (§9.2), when the issuer publishes one. */
  readonly aggregation_uri?: string;
}

/** Options of {@link encodeStatusList}. */
export interface EncodeStatusListOptions {
  /**
   * ZLIB compressor (RFC 1950 around RFC 1951). Default: fflate at level 9. Servers may pass
   * `node:zlib` for speed on very large lists: `(b) => deflateSync(b, { level: 9 })`.
   */
  readonly compress?: (bytes: Uint8Array) => Uint8Array;
  /** Adds `aggregation_uri` (§9.2). */
  readonly aggregationUri?: string;
}

/**
 * Encode a status list as its JSON object, compressed at the highest level.
 *
 * @example
 * ```ts
 * const statusList = encodeStatusList(list) // { bits: 1, lst: 'eNrbuRgAAhcBXQ' }
 * ```
 * @see draft-ietf-oauth-status-list §4.1 step 4, §4.2
 */
export function encodeStatusList(
  list: StatusList,
  options?: EncodeStatusListOptions,
): StatusListJson {
  const compress = options?.compress ?? ((b: Uint8Array) => zlibSync(b, { level: 9 }));
  const lst = b64uEncode(compress(list.bytes));
  const aggregationUri = options?.aggregationUri;
  if (aggregationUri !== undefined && typeof aggregationUri !== 'string')
    throw new OpenMidError('ERR_INPUT_INVALID', 'aggregationUri must be a string');
  return aggregationUri === undefined
    ? { bits: list.bits, lst }
    : { bits: list.bits, lst, aggregation_uri: aggregationUri };
}

/** Options of {@link decodeStatusList}. */
export interface DecodeStatusListOptions {
  /**
   * Cap on the decompressed byte array (default {@link DEFAULT_MAX_STATUS_LIST_BYTES}). Always
   * finite: an integer from 1 to 1 GiB.
   */
  readonly maxBytes?: number;
}

/** Validate and return the `maxBytes` option. */
export function resolveMaxStatusListBytes(maxBytes: number | undefined): number {
  const m = maxBytes ?? DEFAULT_MAX_STATUS_LIST_BYTES;
  if (!Number.isSafeInteger(m) || m < 1 || m > MAX_STATUS_LIST_BYTES)
    throw new OpenMidError(
      'ERR_INPUT_INVALID',
      'maxBytes must be an integer from 1 to 1 GiB (decompression is never unbounded)',
    );
  return m;
}

/**
 * Decode an untrusted JSON Status List: `bits` must be the JSON number 1, 2, 4 or 8; `lst` strict
 * unpadded base64url (§3 "base64url") of exactly one complete ZLIB stream, whose Adler-32 matches
 * and after which nothing follows; `aggregation_uri`, if present, a string. Any violation is
 * `ERR_STATUS_LIST_INVALID`; a list that would decompress beyond `maxBytes` is
 * `ERR_STATUS_LIST_TOO_LARGE`, raised without allocating anything near the expanded size.
 *
 * @example
 * ```ts
 * const list = decodeStatusList(payload.status_list)
 * list.get(ref.idx)
 * ```
 * @see draft-ietf-oauth-status-list §4.2, §8.3 step 5, §11.1
 */
export function decodeStatusList(value: unknown, options?: DecodeStatusListOptions): StatusList {
  const maxBytes = resolveMaxStatusListBytes(options?.maxBytes);
  if (!isJsonObject(value)) throw invalid('The status_list must be a JSON object');
  const bits = value['bits'];
  if (!isStatusBits(bits)) throw invalid('The status_list bits must be 1, 2, 4 or 8');
  const lst = value['lst'];
  if (typeof lst !== 'string') throw invalid('The status_list lst must be a string');
  const aggregationUri = value['aggregation_uri'];
  if (aggregationUri !== undefined && typeof aggregationUri !== 'string')
    throw invalid('The status_list aggregation_uri must be a string');
  // The compressed bytes cannot be larger than the decompressed cap plus DEFLATE's stored-block
  // overhead (5 bytes per 65,535), so a longer lst is refused before it is even decoded.
  if (lst.length > maxEncodedLength(maxBytes))
    throw new OpenMidError(
      'ERR_STATUS_LIST_TOO_LARGE',
      'The status list lst is longer than any list within the configured limit',
      { details: { maxBytes } },
    );
  const compressed = b64uDecode(lst);
  if (compressed === undefined) throw invalid('The status_list lst is not strict base64url');
  const bytes = inflateZlib(compressed, { maxBytes });
  // A list without entries cannot answer for any token (§4.1 step 2: at least one entry).
  if (bytes.length === 0) throw invalid('The status list is empty');
  return StatusList.fromBytes(bytes, bits);
}

/** Longest base64url `lst` whose ZLIB stream could hold `maxBytes` (stored blocks, worst case). */
export function maxEncodedLength(maxBytes: number): number {
  const zlibBytes = 2 + maxBytes + 5 * Math.ceil(maxBytes / 65_535 + 1) + 4;
  return Math.ceil((zlibBytes * 4) / 3);
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_STATUS_LIST_INVALID', message);
}
