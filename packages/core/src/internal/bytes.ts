/**
 * @module internal/bytes
 * Byte helpers that run unchanged in Node and browsers: UTF-8, strict unpadded base64url
 * (RFC 4648 §5, as JWS requires per RFC 7515 §2), concatenation, constant-time comparison.
 * Hot path of every verification: table-driven, no intermediate strings.
 */

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ENC_TABLE: Uint8Array = ENCODER.encode(ALPHABET);
/** char code → 6-bit value, 255 for characters outside the base64url alphabet. */
const DEC_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Flag bit set in the shifted tables for a character outside the alphabet (above the 24 data bits). */
const INVALID = 1 << 24;

/** The decoding table pre-shifted for each of the four positions of a quantum. */
function shifted(shift: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let c = 0; c < 256; c++) {
    const v = DEC_TABLE[c] as number;
    t[c] = v === 255 ? INVALID : v << shift;
  }
  return t;
}
const D0 = shifted(18);
const D1 = shifted(12);
const D2 = shifted(6);
const D3 = shifted(0);

/** UTF-8 encode. */
export function utf8(text: string): Uint8Array {
  return ENCODER.encode(text);
}

/** Strict UTF-8 decode; returns `undefined` on invalid UTF-8 instead of replacing characters. */
export function fromUtf8(bytes: Uint8Array): string | undefined {
  try {
    return DECODER.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Encode bytes as unpadded base64url. */
export function b64uEncode(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil((n * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = ENC_TABLE[v >>> 18] as number;
    out[o++] = ENC_TABLE[(v >>> 12) & 63] as number;
    out[o++] = ENC_TABLE[(v >>> 6) & 63] as number;
    out[o++] = ENC_TABLE[v & 63] as number;
  }
  if (n - i === 1) {
    const v = bytes[i] as number;
    out[o++] = ENC_TABLE[v >>> 2] as number;
    out[o++] = ENC_TABLE[(v & 3) << 4] as number;
  } else if (n - i === 2) {
    const v = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    out[o++] = ENC_TABLE[v >>> 10] as number;
    out[o++] = ENC_TABLE[(v >>> 4) & 63] as number;
    out[o++] = ENC_TABLE[(v & 15) << 2] as number;
  }
  return latin1(out, o);
}

/** Encode a string's UTF-8 bytes as unpadded base64url. */
export function b64uEncodeText(text: string): string {
  return b64uEncode(ENCODER.encode(text));
}

/**
 * Strictly decode unpadded base64url: rejects padding, characters outside the alphabet,
 * impossible lengths (4k+1) and non-canonical trailing bits. Returns `undefined` when invalid,
 * so each caller raises the error code of its own format.
 */
export function b64uDecode(
  text: string,
  start = 0,
  end: number = text.length,
): Uint8Array | undefined {
  const len = end - start;
  const rem = len & 3;
  if (rem === 1) return undefined;
  const out = new Uint8Array((len >>> 2) * 3 + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let i = start;
  const full = end - rem;
  // Branch-free inner loop: validity is accumulated and checked once at the end (`hi` catches
  // char codes above 255, which the `& 255` below would otherwise alias onto table entries).
  let hi = 0;
  let bad = 0;
  for (; i < full; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    hi |= a | b | c | d;
    const v =
      (D0[a & 255] as number) |
      (D1[b & 255] as number) |
      (D2[c & 255] as number) |
      (D3[d & 255] as number);
    bad |= v;
    out[o++] = v >>> 16;
    out[o++] = v >>> 8;
    out[o++] = v;
  }
  if (hi > 255 || (bad & INVALID) !== 0) return undefined;
  if (rem === 2) {
    const a = decodeChar(text, i);
    const b = decodeChar(text, i + 1);
    if (a > 63 || b > 63 || (b & 15) !== 0) return undefined;
    out[o++] = (a << 2) | (b >>> 4);
  } else if (rem === 3) {
    const a = decodeChar(text, i);
    const b = decodeChar(text, i + 1);
    const c = decodeChar(text, i + 2);
    if (a > 63 || b > 63 || c > 63 || (c & 3) !== 0) return undefined;
    out[o++] = (a << 2) | (b >>> 4);
    out[o++] = ((b & 15) << 4) | (c >>> 2);
  }
  return out;
}

function decodeChar(text: string, i: number): number {
  return DEC_TABLE[text.charCodeAt(i)] ?? 255;
}

/** Decode base64url whose content must be UTF-8 text; `undefined` when either layer is invalid. */
export function b64uDecodeText(
  text: string,
  start = 0,
  end: number = text.length,
): string | undefined {
  const bytes = b64uDecode(text, start, end);
  return bytes === undefined ? undefined : fromUtf8(bytes);
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constant-time equality of two byte arrays (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Constant-time equality of two strings of code units (length is not secret). */
export function stringsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** ASCII-only bytes to string (the base64url alphabet), chunked to stay under argument limits. */
function latin1(bytes: Uint8Array, length: number): string {
  if (length <= 4096)
    return String.fromCharCode.apply(null, bytes.subarray(0, length) as unknown as number[]);
  let s = '';
  for (let i = 0; i < length; i += 4096) {
    s += String.fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(i + 4096, length)) as unknown as number[],
    );
  }
  return s;
}

/** Bytes to lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] as number).toString(16).padStart(2, '0');
  return s;
}

/** Lower- or upper-case hex to bytes; `undefined` when not hex of even length. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
