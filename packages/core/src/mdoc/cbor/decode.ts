/**
 * @module mdoc/cbor/decode
 * The hardened CBOR decoder for untrusted input (SECURITY.md "mdoc / CBOR"; RFC 8949 §5).
 *
 * Two passes, like `internal/json.ts` does for JSON:
 * 1. A header pre-scan that allocates nothing but a fixed stack of counters. It walks every data
 *    item header and refuses, before any value is built: input over `maxBytes`; a string length
 *    or an array/map count larger than the bytes left (a 5-byte header announcing 4 GiB is refused
 *    at once: every element needs at least one byte); nesting deeper than `maxDepth`; more than
 *    `maxItems` items; indefinite lengths; reserved or unassigned encodings; tags off the
 *    allow-list; trailing bytes; and, when `deterministic` is set, non-preferred arguments and floats.
 * 2. A build pass over input now known to be well-formed and bounded: maps become `Map`s (a
 *    `__proto__` key is plain data), duplicate keys are refused, text must be valid UTF-8, and tag
 *    24 keeps the original bytes of the tagged item ({@link EncodedCbor}).
 *
 * Why not cbor-x (ADR 006): its tag registry is process-global (`addExtension`, which @auth0/mdl
 * itself uses to redefine tags 0 and 1004 for every user of cbor-x in the process), default tags
 * build cyclic or `new Function`-compiled records (27/28/29/51/105/259), object mode renames
 * `__proto__` silently, and it exposes no byte offsets. After a pre-scan that already parses
 * every header, building the values is a few dozen lines more.
 */

import type { OpenMidErrorCode } from '../../errors/codes.js';
import { OpenMidError } from '../../errors/error.js';
import { preferredFloatSize } from './encode.js';
import { type CborKey, CborTag, type CborValue, DEFAULT_CBOR_TAGS, EncodedCbor } from './types.js';

/** Limits and profile of {@link decodeCbor}. */
export interface CborDecodeOptions {
  /** Largest input in bytes (default 4 MiB). */
  readonly maxBytes?: number;
  /** Deepest nesting of arrays, maps and tags (default 16; a DeviceResponse needs 10). */
  readonly maxDepth?: number;
  /** Most data items in the input, map keys included (default 100,000). */
  readonly maxItems?: number;
  /**
   * Require RFC 8949 §4.2.1 deterministic encoding: preferred arguments and floats, map keys in
   * bytewise order (default false: 18013-5 hashes original bytes, so peers' non-preferred but
   * well-formed encodings are accepted; OpenMID itself always encodes deterministically).
   */
  readonly deterministic?: boolean;
  /** Tag numbers accepted (default {@link DEFAULT_CBOR_TAGS}: 0, 1, 24, 1004). */
  readonly tags?: readonly number[];
}

/** Default decoding limits. */
export const DEFAULT_CBOR_LIMITS: {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxItems: number;
} = Object.freeze({ maxBytes: 4 * 1024 * 1024, maxDepth: 16, maxItems: 100_000 });

const DEFAULT_TAG_SET: ReadonlySet<number> = new Set(DEFAULT_CBOR_TAGS);
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const TWO_32 = 0x100000000;

/** Big-endian unsigned reads (no DataView on the hot path; floats use one lazily). */
function u16(b: Uint8Array, p: number): number {
  return ((b[p] as number) << 8) | (b[p + 1] as number);
}
function u32(b: Uint8Array, p: number): number {
  return (
    (b[p] as number) * 0x1000000 +
    (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number))
  );
}
function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The scan's stack of counters, reused across calls: scanning is synchronous and never
 * re-entered, and the depth is capped at 64 (see decodeCbor).
 */
const REMAINING = new Float64Array(65);

function fail(code: OpenMidErrorCode, message: string, offset?: number): never {
  throw new OpenMidError(code, message, offset === undefined ? undefined : { details: { offset } });
}

const TAG_SETS = new WeakMap<readonly number[], ReadonlySet<number>>();

/** The allow-list as a Set, cached per array (callers pass module constants). */
function tagSet(tags: readonly number[]): ReadonlySet<number> {
  let set = TAG_SETS.get(tags);
  if (set === undefined) {
    set = new Set(tags);
    TAG_SETS.set(tags, set);
  }
  return set;
}

/** Pass 1: headers only; throws on the first violation. */
function scan(
  b: Uint8Array,
  maxDepth: number,
  maxItems: number,
  deterministic: boolean,
  tags: ReadonlySet<number>,
): void {
  const n = b.length;
  // remaining[d]: data items still expected at depth d (depth 0 is the root slot).
  const remaining = REMAINING;
  remaining[0] = 1;
  let depth = 0;
  let pos = 0;
  let items = 0;
  for (;;) {
    while (depth > 0 && remaining[depth] === 0) depth--;
    if (remaining[depth] === 0) break;
    remaining[depth] = (remaining[depth] as number) - 1;
    if (pos >= n) fail('ERR_CBOR_MALFORMED', 'Truncated CBOR', pos);
    if (++items > maxItems) fail('ERR_CBOR_TOO_LARGE', 'Too many CBOR data items', pos);
    const start = pos;
    const ib = b[pos++] as number;
    const major = ib >> 5;
    const ai = ib & 31;
    let arg: number = ai;
    if (ai >= 24) {
      if (ai === 31) {
        if (major >= 2 && major <= 5)
          fail('ERR_CBOR_INDEFINITE_LENGTH', 'Indefinite-length CBOR item', start);
        fail('ERR_CBOR_MALFORMED', 'Unexpected CBOR break or indefinite item', start);
      }
      if (ai > 27) fail('ERR_CBOR_MALFORMED', 'Reserved CBOR additional information', start);
      const size = 1 << (ai - 24);
      if (n - pos < size) fail('ERR_CBOR_MALFORMED', 'Truncated CBOR header', start);
      if (major === 7) {
        if (ai === 24) fail('ERR_CBOR_UNSUPPORTED', 'Unassigned CBOR simple value', start);
        if (deterministic) {
          const x =
            ai === 25
              ? 0 // any float16 is preferred
              : ai === 26
                ? viewOf(b).getFloat32(pos)
                : viewOf(b).getFloat64(pos);
          if (ai !== 25 && preferredFloatSize(x) < size)
            fail('ERR_CBOR_NOT_DETERMINISTIC', 'Non-preferred float encoding', start);
        }
        pos += size;
        continue;
      }
      if (ai === 24) arg = b[pos] as number;
      else if (ai === 25) arg = u16(b, pos);
      else if (ai === 26) arg = u32(b, pos);
      else arg = u32(b, pos) * TWO_32 + u32(b, pos + 4);
      pos += size;
      // Preferred serialization: the argument fits no shorter form (RFC 8949 §4.2.1).
      if (
        deterministic &&
        arg < (ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : TWO_32)
      )
        fail('ERR_CBOR_NOT_DETERMINISTIC', 'Non-preferred CBOR argument', start);
    } else if (major === 7 && ai < 20) {
      fail('ERR_CBOR_UNSUPPORTED', 'Unassigned CBOR simple value', start);
    }
    switch (major) {
      case 2:
      case 3:
        if (arg > n - pos) fail('ERR_CBOR_TOO_LARGE', 'CBOR string longer than the input', start);
        pos += arg;
        break;
      case 4:
      case 5: {
        const count = major === 4 ? arg : arg * 2;
        // Every element takes at least one byte: a count beyond the input is refused unread.
        if (count > n - pos)
          fail('ERR_CBOR_TOO_LARGE', 'CBOR container larger than the input', start);
        if (depth === maxDepth) fail('ERR_CBOR_TOO_DEEP', 'CBOR nested too deeply', start);
        if (count > 0) remaining[++depth] = count;
        break;
      }
      case 6:
        if (!tags.has(arg)) fail('ERR_CBOR_UNSUPPORTED', 'CBOR tag not allowed', start);
        if (depth === maxDepth) fail('ERR_CBOR_TOO_DEEP', 'CBOR nested too deeply', start);
        remaining[++depth] = 1;
        break;
      default:
        break;
    }
  }
  if (pos !== n) fail('ERR_CBOR_MALFORMED', 'Trailing bytes after the CBOR data item', pos);
}

function compareRanges(b: Uint8Array, a0: number, a1: number, c0: number, c1: number): number {
  const la = a1 - a0;
  const lc = c1 - c0;
  const m = Math.min(la, lc);
  for (let i = 0; i < m; i++) {
    const d = (b[a0 + i] as number) - (b[c0 + i] as number);
    if (d !== 0) return d;
  }
  return la - lc;
}

function float16(bits: number): number {
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Interned short ASCII strings by FNV-1a hash (a hit is used only when it matches exactly).
 * Bounded: once full, further strings are simply not interned.
 */
const INTERNED = new Map<number, string>();
const MAX_INTERNED = 2048;

/** Pass 2: build values from input that pass 1 accepted (structure and bounds already checked). */
class Builder {
  readonly b: Uint8Array;
  readonly deterministic: boolean;
  pos = 0;
  /** True while the item being built is a map key. */
  inKey = false;
  constructor(b: Uint8Array, deterministic: boolean) {
    this.b = b;
    this.deterministic = deterministic;
  }

  get view(): DataView {
    return viewOf(this.b);
  }

  /** The argument of the header at `pos` (pass 1 guaranteed it is complete). */
  arg(ai: number): number {
    if (ai < 24) return ai;
    const p = this.pos;
    if (ai === 24) {
      this.pos += 1;
      return this.b[p] as number;
    }
    if (ai === 25) {
      this.pos += 2;
      return u16(this.b, p);
    }
    if (ai === 26) {
      this.pos += 4;
      return u32(this.b, p);
    }
    this.pos += 8;
    return u32(this.b, p) * TWO_32 + u32(this.b, p + 4);
  }

  bigArg(): bigint {
    const p = this.pos - 8;
    return this.view.getBigUint64(p);
  }

  text(start: number, end: number): string {
    const b = this.b;
    const n = end - start;
    if (n > 24) return this.utf8(start, end);
    if (!this.inKey) {
      let s = '';
      for (let i = start; i < end; i++) {
        const c = b[i] as number;
        if (c >= 0x80) return this.utf8(start, end);
        s += String.fromCharCode(c);
      }
      return s;
    }
    // Short ASCII map keys are interned, so the names that recur in every mdoc ("digestID",
    // "elementIdentifier", "org.iso.18013.5.1"…) cost no allocation.
    let h = 0x811c9dc5 ^ n;
    for (let i = start; i < end; i++) {
      const c = b[i] as number;
      if (c >= 0x80) return this.utf8(start, end);
      h = Math.imul(h ^ c, 0x01000193);
    }
    const hit = INTERNED.get(h);
    if (hit !== undefined && hit.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (hit.charCodeAt(i) !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i] as number);
    if (INTERNED.size < MAX_INTERNED) INTERNED.set(h, s);
    return s;
  }

  utf8(start: number, end: number): string {
    try {
      return DECODER.decode(this.b.subarray(start, end));
    } catch {
      return fail('ERR_CBOR_MALFORMED', 'CBOR text string is not valid UTF-8', start);
    }
  }

  item(): CborValue {
    const start = this.pos;
    const ib = this.b[this.pos++] as number;
    const major = ib >> 5;
    const ai = ib & 31;
    if (major === 7) return this.simple(ai, start);
    const arg = this.arg(ai);
    switch (major) {
      case 0:
        return ai === 27 && arg > Number.MAX_SAFE_INTEGER ? this.bigArg() : arg;
      case 1:
        return ai === 27 && arg >= Number.MAX_SAFE_INTEGER ? -1n - this.bigArg() : -1 - arg;
      case 2: {
        const s = this.pos;
        this.pos += arg;
        // A view into the decoder's private copy of the input (see decodeCbor).
        return this.b.subarray(s, this.pos);
      }
      case 3: {
        const s = this.pos;
        this.pos += arg;
        return this.text(s, this.pos);
      }
      case 4: {
        const out: CborValue[] = new Array(arg);
        for (let i = 0; i < arg; i++) out[i] = this.item();
        return out;
      }
      case 5:
        return this.map(arg);
      default:
        return this.tag(arg, start);
    }
  }

  map(count: number): Map<CborKey, CborValue> {
    const out = new Map<CborKey, CborValue>();
    let prevStart = -1;
    let prevEnd = -1;
    for (let i = 0; i < count; i++) {
      const kStart = this.pos;
      const major = (this.b[kStart] as number) >> 5;
      if (major > 3 || major === 2)
        fail(
          'ERR_CBOR_UNSUPPORTED',
          'CBOR map key is neither an integer nor a text string',
          kStart,
        );
      this.inKey = true;
      const key = this.item() as CborKey;
      this.inKey = false;
      const kEnd = this.pos;
      if (out.has(key)) fail('ERR_CBOR_DUPLICATE_KEY', 'Duplicate CBOR map key', kStart);
      if (this.deterministic && prevStart >= 0) {
        if (compareRanges(this.b, prevStart, prevEnd, kStart, kEnd) >= 0)
          fail('ERR_CBOR_NOT_DETERMINISTIC', 'CBOR map keys not in bytewise order', kStart);
      }
      prevStart = kStart;
      prevEnd = kEnd;
      out.set(key, this.item());
    }
    return out;
  }

  tag(tag: number, start: number): CborValue {
    if (tag === 24) {
      // RFC 8949 §3.4.5.1: the content must be a byte string; keep the tagged item's own bytes.
      const ib = this.b[this.pos] as number;
      if (ib >> 5 !== 2) fail('ERR_CBOR_MALFORMED', 'Tag 24 must enclose a byte string', start);
      this.pos++;
      const len = this.arg(ib & 31);
      const contentStart = this.pos;
      this.pos += len;
      const tagged = this.b.subarray(start, this.pos);
      return new EncodedCbor(tagged, tagged.subarray(contentStart - start));
    }
    const value = this.item();
    // RFC 8949 §3.4.1, §3.4.2; RFC 8943 §3 (1004 full-date).
    if ((tag === 0 || tag === 1004) && typeof value !== 'string')
      fail('ERR_CBOR_MALFORMED', `Tag ${tag} must enclose a text string`, start);
    if (tag === 1 && typeof value !== 'number')
      fail('ERR_CBOR_MALFORMED', 'Tag 1 must enclose a number', start);
    return new CborTag(tag, value);
  }

  simple(ai: number, start: number): CborValue {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        const v = u16(this.b, this.pos);
        this.pos += 2;
        return float16(v);
      }
      case 26: {
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      default:
        return fail('ERR_CBOR_UNSUPPORTED', 'Unassigned CBOR simple value', start);
    }
  }
}

/**
 * Decode one CBOR data item from untrusted bytes: the whole input must be exactly one item.
 *
 * @throws OpenMidError `ERR_CBOR_MALFORMED`, `ERR_CBOR_TOO_LARGE`, `ERR_CBOR_TOO_DEEP`,
 *   `ERR_CBOR_INDEFINITE_LENGTH`, `ERR_CBOR_UNSUPPORTED`, `ERR_CBOR_DUPLICATE_KEY`,
 *   `ERR_CBOR_NOT_DETERMINISTIC` (only with `deterministic`). Details carry the byte offset only.
 * @example
 * ```ts
 * const response = decodeCbor(bytes) // Map { 'version' => '1.0', 'documents' => [...], ... }
 * ```
 * @see RFC 8949 §3, §4.2.1, §5.6
 */
export function decodeCbor(bytes: Uint8Array, options?: CborDecodeOptions): CborValue {
  const maxBytes = options?.maxBytes ?? DEFAULT_CBOR_LIMITS.maxBytes;
  const maxDepth = options?.maxDepth ?? DEFAULT_CBOR_LIMITS.maxDepth;
  const maxItems = options?.maxItems ?? DEFAULT_CBOR_LIMITS.maxItems;
  if (!(bytes instanceof Uint8Array))
    throw new OpenMidError('ERR_INPUT_INVALID', 'CBOR input must be a Uint8Array');
  if (bytes.length > maxBytes) fail('ERR_CBOR_TOO_LARGE', 'CBOR input larger than allowed');
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 64)
    throw new OpenMidError('ERR_INPUT_INVALID', 'maxDepth must be between 1 and 64');
  const deterministic = options?.deterministic ?? false;
  const tags = options?.tags === undefined ? DEFAULT_TAG_SET : tagSet(options.tags);
  scan(bytes, maxDepth, maxItems, deterministic, tags);
  // One private copy of the input: byte strings and tag-24 items are views into it, so later
  // changes to the caller's buffer cannot change decoded values. Bytes that are already views
  // of such a copy (the content of a decoded tag-24 item) are not copied again.
  let own = bytes;
  if (!OWNED.has(bytes.buffer)) {
    own = bytes.slice();
    OWNED.add(own.buffer);
  }
  return new Builder(own, deterministic).item();
}

/** Buffers that are the decoder's private copies (never handed to it by a caller as such). */
const OWNED = new WeakSet<ArrayBufferLike>();

/** Decode the content of an embedded data item (tag 24) with the same limits. */
export function decodeEmbedded(value: EncodedCbor, options?: CborDecodeOptions): CborValue {
  return decodeCbor(value.content, options);
}
