/**
 * @module mdoc/cbor/encode
 * Deterministic CBOR encoding (RFC 8949 §4.2.1 "Core Deterministic Encoding Requirements"):
 * preferred serialization (shortest argument, shortest float that keeps the value), definite
 * lengths only, and map keys sorted by the bytewise lexicographic order of their encodings.
 * Two encoders that follow these rules produce the same bytes for the same data, which is what
 * lets an issuer re-create and a test re-check MSO and IssuerSignedItem bytes.
 */
import { OpenMidError } from '../../errors/error.js';
import { CborTag, type CborValue, EncodedCbor, RawCbor } from './types.js';

const ENCODER = new TextEncoder();
/** Nesting beyond this is refused (it also stops cyclic structures). */
const MAX_ENCODE_DEPTH = 64;
const TWO_64 = 1n << 64n;

/** A growable output buffer. */
class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A major type with its argument in preferred (shortest) form (RFC 8949 §4.2.1). */
  head(major: number, arg: number): void {
    const m = major << 5;
    if (arg < 24) this.byte(m | arg);
    else if (arg < 0x100) {
      this.ensure(2);
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = arg;
    } else if (arg < 0x10000) {
      this.ensure(3);
      this.buf[this.pos++] = m | 25;
      this.view.setUint16(this.pos, arg);
      this.pos += 2;
    } else if (arg < 0x100000000) {
      this.ensure(5);
      this.buf[this.pos++] = m | 26;
      this.view.setUint32(this.pos, arg);
      this.pos += 4;
    } else {
      this.headBig(major, BigInt(arg));
    }
  }
  headBig(major: number, arg: bigint): void {
    if (arg < 0x100000000n) {
      this.head(major, Number(arg));
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = (major << 5) | 27;
    this.view.setBigUint64(this.pos, arg);
    this.pos += 8;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_INPUT_INVALID', message);
}

function writeInteger(w: Writer, n: bigint): void {
  if (n >= 0n) {
    if (n >= TWO_64) throw invalid('Integer out of the CBOR 64-bit range');
    w.headBig(0, n);
  } else {
    const m = -1n - n;
    if (m >= TWO_64) throw invalid('Integer out of the CBOR 64-bit range');
    w.headBig(1, m);
  }
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Half-precision bits of `x` when it is exactly representable as a float16, else -1. */
function toHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00; // the canonical NaN (RFC 8949 §4.2.2)
  F32[0] = x;
  if (F32[0] !== x) return -1;
  const bits = U32[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00; // ±Infinity (NaN handled above)
  if (exp === 0) return mant === 0 ? sign : -1; // ±0; float32 subnormals are below float16 range
  const e = exp - 127;
  if (e > 15) return -1;
  if (e >= -14) return (mant & 0x1fff) === 0 ? sign | ((e + 15) << 10) | (mant >>> 13) : -1;
  if (e < -24) return -1;
  // A float16 subnormal: an integer multiple of 2^-24.
  const full = mant | 0x800000;
  const shift = -1 - e;
  return (full & ((1 << shift) - 1)) === 0 ? sign | (full >>> shift) : -1;
}

/**
 * Bytes of the preferred float encoding of `x` without its initial byte: 2, 4 or 8
 * (RFC 8949 §4.2.1: the shortest that preserves the value; NaN as f9 7e00).
 */
export function preferredFloatSize(x: number): 2 | 4 | 8 {
  if (toHalf(x) >= 0) return 2;
  F32[0] = x;
  return F32[0] === x ? 4 : 8;
}

/** Shortest float encoding that preserves the value (RFC 8949 §4.2.1, §4.2.2). */
function writeFloat(w: Writer, x: number): void {
  const half = toHalf(x);
  if (half >= 0) {
    w.ensure(3);
    w.buf[w.pos++] = 0xf9;
    w.view.setUint16(w.pos, half);
    w.pos += 2;
    return;
  }
  F32[0] = x;
  if (F32[0] === x) {
    w.ensure(5);
    w.buf[w.pos++] = 0xfa;
    w.view.setFloat32(w.pos, x);
    w.pos += 4;
    return;
  }
  w.ensure(9);
  w.buf[w.pos++] = 0xfb;
  w.view.setFloat64(w.pos, x);
  w.pos += 8;
}

function writeNumber(w: Writer, x: number): void {
  if (Number.isInteger(x) && !Object.is(x, -0) && Math.abs(x) < 2 ** 64) {
    if (x >= 0 && x <= 0xffffffff) w.head(0, x);
    else if (x < 0 && x >= -0x100000000) w.head(1, -1 - x);
    else writeInteger(w, BigInt(x));
    return;
  }
  writeFloat(w, x);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function writeMap(w: Writer, entries: [unknown, unknown][], depth: number): void {
  const keyed = entries.map(([k, v]) => {
    if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'bigint')
      throw invalid('CBOR map keys must be integers or text strings');
    if (typeof k === 'number' && !Number.isInteger(k))
      throw invalid('CBOR map keys must be integers or text strings');
    const kw = new Writer(16);
    write(kw, k as CborValue, depth);
    return { key: kw.result(), value: v as CborValue };
  });
  // RFC 8949 §4.2.1: keys sorted in the bytewise lexicographic order of their encodings.
  keyed.sort((a, b) => compareBytes(a.key, b.key));
  for (let i = 1; i < keyed.length; i++) {
    if (
      compareBytes(
        (keyed[i - 1] as { key: Uint8Array }).key,
        (keyed[i] as { key: Uint8Array }).key,
      ) === 0
    )
      throw new OpenMidError('ERR_CBOR_DUPLICATE_KEY', 'Two map keys have the same encoding');
  }
  w.head(5, keyed.length);
  for (const { key, value } of keyed) {
    w.bytes(key);
    write(w, value, depth);
  }
}

function write(w: Writer, value: CborValue, depth: number): void {
  if (depth > MAX_ENCODE_DEPTH) throw invalid('CBOR value nested too deeply (or cyclic)');
  switch (typeof value) {
    case 'number':
      writeNumber(w, value);
      return;
    case 'bigint':
      writeInteger(w, value);
      return;
    case 'string': {
      const b = ENCODER.encode(value);
      w.head(3, b.length);
      w.bytes(b);
      return;
    }
    case 'boolean':
      w.byte(value ? 0xf5 : 0xf4);
      return;
    case 'undefined':
      w.byte(0xf7);
      return;
    case 'object':
      break;
    default:
      throw invalid(`A ${typeof value} cannot be encoded as CBOR`);
  }
  if (value === null) {
    w.byte(0xf6);
  } else if (value instanceof Uint8Array) {
    w.head(2, value.length);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.head(4, value.length);
    for (const item of value as readonly CborValue[]) write(w, item, depth + 1);
  } else if (value instanceof Map) {
    writeMap(w, [...value.entries()], depth + 1);
  } else if (value instanceof EncodedCbor) {
    w.bytes(value.tagged);
  } else if (value instanceof RawCbor) {
    w.bytes(value.bytes);
  } else if (value instanceof CborTag) {
    if (!Number.isSafeInteger(value.tag) || value.tag < 0) throw invalid('Invalid CBOR tag number');
    w.head(6, value.tag);
    write(w, value.value, depth + 1);
  } else if (isPlainObject(value)) {
    writeMap(w, Object.entries(value), depth + 1);
  } else {
    throw invalid('This object cannot be encoded as CBOR');
  }
}

/**
 * Encode a value as deterministic CBOR (RFC 8949 §4.2.1). Plain objects encode as maps with
 * text-string keys; {@link EncodedCbor} and {@link RawCbor} are written byte for byte.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` for values outside the data model (functions,
 *   symbols, class instances, integers beyond 64 bits, nesting deeper than 64);
 *   `ERR_CBOR_DUPLICATE_KEY` when two map keys encode alike (e.g. `1` and `1n`).
 * @example encodeCbor(new Map([[1, 2], [-1, 1]])) // a2 01 02 20 01
 * @see RFC 8949 §4.2.1
 */
export function encodeCbor(value: CborValue): Uint8Array {
  const w = new Writer(256);
  write(w, value, 0);
  return w.result();
}

/**
 * `#6.24(bstr .cbor value)`: encode `value` deterministically and wrap it as an embedded data
 * item (RFC 8949 §3.4.5.1), as 18013-5 does for IssuerSignedItemBytes, MobileSecurityObjectBytes,
 * DeviceNameSpacesBytes, SessionTranscriptBytes and DeviceAuthenticationBytes.
 */
export function encodeEmbedded(value: CborValue): EncodedCbor {
  return embed(encodeCbor(value));
}

/** Wrap already-encoded CBOR `content` as tag 24. */
export function embed(content: Uint8Array): EncodedCbor {
  const w = new Writer(content.length + 11);
  w.head(6, 24);
  w.head(2, content.length);
  const headerLength = w.pos;
  w.bytes(content);
  const tagged = w.result();
  return new EncodedCbor(tagged, tagged.subarray(headerLength));
}
