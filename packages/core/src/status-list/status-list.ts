/**
 * @module status-list/status-list
 * The Status List byte array of draft-ietf-oauth-status-list (-18, §4.1): `size` entries of
 * `bits` ∈ {1, 2, 4, 8} bits, packed from the least significant bit of byte 0 upwards, so entry
 * `i` lives in byte `⌊i·bits/8⌋` at bit offset `(i·bits) mod 8`. Status values are the Status
 * Types of §7.1.
 */
import { OpenMidError } from '../errors/error.js';

/** Bits per entry allowed by draft-ietf-oauth-status-list §4.1 step 1. */
export type StatusBits = 1 | 2 | 4 | 8;

/** The allowed {@link StatusBits} values. */
export const STATUS_BITS: readonly StatusBits[] = Object.freeze([1, 2, 4, 8]);

/**
 * Status Type values (draft-ietf-oauth-status-list §7.1). `APPLICATION_SPECIFIC` (0x03, like
 * 0x0C–0x0F) has no meaning outside an application: verifiers treat it as unknown.
 */
export const StatusType: {
  readonly VALID: 0x00;
  readonly INVALID: 0x01;
  readonly SUSPENDED: 0x02;
  readonly APPLICATION_SPECIFIC: 0x03;
} = Object.freeze({ VALID: 0x00, INVALID: 0x01, SUSPENDED: 0x02, APPLICATION_SPECIFIC: 0x03 });

/**
 * Largest byte array a status list may have (1 GiB): 2^32 entries of 2 bits. A bound on what
 * callers can ask for, not on what verifiers decode (see `DEFAULT_MAX_STATUS_LIST_BYTES`).
 */
export const MAX_STATUS_LIST_BYTES: number = 2 ** 30;

/** True for 1, 2, 4 or 8. */
export function isStatusBits(value: unknown): value is StatusBits {
  return value === 1 || value === 2 || value === 4 || value === 8;
}

function checkBits(bits: unknown): StatusBits {
  if (!isStatusBits(bits))
    throw new OpenMidError('ERR_INPUT_INVALID', 'Status list bits must be 1, 2, 4 or 8');
  return bits;
}

/**
 * A mutable status list. Issuers create one with {@link StatusList.create}, set entries and
 * publish it with `encodeStatusList` / `signStatusListToken`; verifiers get one from
 * `decodeStatusList` / `verifyStatusListToken` and read entries with {@link StatusList.get}.
 *
 * @example
 * ```ts
 * const list = StatusList.create(1_048_576, 2)
 * list.set(idx, StatusType.SUSPENDED)
 * list.get(idx) // 2
 * ```
 * @see draft-ietf-oauth-status-list §4.1 (compressed byte array), §7 (status types)
 */
export class StatusList {
  /** Bits per entry. */
  readonly bits: StatusBits;
  /** Number of entries; valid indices are `0 … size − 1`. */
  readonly size: number;
  readonly #bytes: Uint8Array;
  readonly #mask: number;
  readonly #perByte: number;

  private constructor(bits: StatusBits, size: number, bytes: Uint8Array) {
    this.bits = bits;
    this.size = size;
    this.#bytes = bytes;
    this.#mask = (1 << bits) - 1;
    this.#perByte = 8 / bits;
  }

  /**
   * A list of `size` entries, all VALID (0x00). The draft recommends a size that fills whole
   * bytes (§13.4); otherwise the last byte has unused high bits, which stay 0.
   */
  static create(size: number, bits: StatusBits = 1): StatusList {
    const b = checkBits(bits);
    if (
      !Number.isSafeInteger(size) ||
      size < 1 ||
      Math.ceil((size * b) / 8) > MAX_STATUS_LIST_BYTES
    )
      throw new OpenMidError(
        'ERR_INPUT_INVALID',
        `A status list has between 1 and ${(MAX_STATUS_LIST_BYTES * 8) / b} entries of ${b} bits`,
      );
    return new StatusList(b, size, new Uint8Array(Math.ceil((size * b) / 8)));
  }

  /**
   * Wrap an uncompressed byte array (taken, not copied). The size is every entry the bytes hold:
   * `bytes.length × 8 / bits`, as a verifier reading a decompressed list sees it (§4.1 step 2).
   */
  static fromBytes(bytes: Uint8Array, bits: StatusBits): StatusList {
    const b = checkBits(bits);
    if (!(bytes instanceof Uint8Array) || bytes.length < 1 || bytes.length > MAX_STATUS_LIST_BYTES)
      throw new OpenMidError('ERR_INPUT_INVALID', 'A status list has 1 byte to 1 GiB');
    return new StatusList(b, (bytes.length * 8) / b, bytes);
  }

  /**
   * The packed byte array itself (live, not a copy), e.g. for a server to compress it with
   * `node:zlib` (`deflateSync(list.bytes, { level: 9 })`) or to persist it.
   */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The largest status value an entry can hold (`2^bits − 1`). */
  get maxValue(): number {
    return this.#mask;
  }

  /**
   * The status value at `index`. An index that is not an integer in `[0, size)` is
   * `ERR_STATUS_INDEX_OUT_OF_RANGE` (§8.3 step 6: out of bounds, the token MUST be rejected).
   */
  get(index: number): number {
    this.#checkIndex(index);
    const byte = this.#bytes[Math.floor(index / this.#perByte)] as number;
    return (byte >>> ((index % this.#perByte) * this.bits)) & this.#mask;
  }

  /**
   * Set the status value at `index`. Values outside `[0, 2^bits)` are `ERR_STATUS_VALUE_INVALID`
   * (§7: the value must fit the list's bits). This is the raw write; an issuer applies
   * {@link assertStatusTransition} first.
   */
  set(index: number, value: number): void {
    this.#checkIndex(index);
    if (!Number.isInteger(value) || value < 0 || value > this.#mask)
      throw new OpenMidError(
        'ERR_STATUS_VALUE_INVALID',
        `A status value must be an integer from 0 to ${this.#mask} in a ${this.bits}-bit list`,
      );
    const at = Math.floor(index / this.#perByte);
    const shift = (index % this.#perByte) * this.bits;
    const byte = this.#bytes[at] as number;
    this.#bytes[at] = (byte & ~(this.#mask << shift)) | (value << shift);
  }

  #checkIndex(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size)
      throw new OpenMidError('ERR_STATUS_INDEX_OUT_OF_RANGE', 'The status index is out of range', {
        details: { size: this.size },
      });
  }
}

/**
 * Refuse a status change an issuer must never make: INVALID (revoked) is final (§7.1: "revoked,
 * annulled, taken back, recalled or cancelled"; SUSPENDED is the temporary one). Any value that
 * fits the list may otherwise follow any other. Throws `ERR_STATUS_VALUE_INVALID`.
 *
 * @example
 * ```ts
 * assertStatusTransition(list.get(idx), StatusType.SUSPENDED) // throws if already revoked
 * list.set(idx, StatusType.SUSPENDED)
 * ```
 * @see draft-ietf-oauth-status-list §7.1; SECURITY.md "a revocation is never … reversed"
 */
export function assertStatusTransition(from: number, to: number): void {
  if (from === StatusType.INVALID && to !== StatusType.INVALID)
    throw new OpenMidError('ERR_STATUS_VALUE_INVALID', 'A revoked status (INVALID) is final', {
      details: { from, to },
    });
}
