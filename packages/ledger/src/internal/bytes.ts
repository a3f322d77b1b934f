/**
 * @module internal/bytes
 * Byte helpers for the ledger: lowercase hex (the ledger's one text form for hashes and
 * signatures, as EVM tooling prints bytes32), strict unpadded base64url for JWK coordinates
 * (RFC 7518 §6.2.1.2), big-endian integers and SHA-256 through the core crypto port.
 *
 * `@openmid/core` keeps its own helpers in a private `internal/` folder that is not exported, so
 * the few the ledger needs live here.
 */
import { type CryptoProvider, defaultCrypto } from '@openmid/core';

const HEX = '0123456789abcdef';
const ENCODER = new TextEncoder();

/** UTF-8 encode. */
export function utf8(text: string): Uint8Array {
  return ENCODER.encode(text);
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out += HEX[b >> 4] + (HEX[b & 15] as string);
  }
  return out;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Decode lowercase hex of exactly `length` bytes (when given); `undefined` when invalid. Upper
 * case is refused so that every hash has one text form (a hash is also an identifier).
 */
export function fromHex(text: string, length?: number): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 2 !== 0) return undefined;
  if (length !== undefined && text.length !== length * 2) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64U_DEC: Int16Array = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64U.length; i++) t[B64U.charCodeAt(i)] = i;
  return t;
})();

/** Unpadded base64url encode. */
export function b64uEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += (B64U[v >>> 18] as string) + B64U[(v >>> 12) & 63] + B64U[(v >>> 6) & 63] + B64U[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] as number;
    out += (B64U[v >>> 2] as string) + B64U[(v & 3) << 4];
  } else if (rest === 2) {
    const v = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    out += (B64U[v >>> 10] as string) + B64U[(v >>> 4) & 63] + B64U[(v & 15) << 2];
  }
  return out;
}

/**
 * Strict unpadded base64url decode (RFC 4648 §5): no padding, no characters outside the
 * alphabet, no impossible length, no non-zero trailing bits. `undefined` when invalid.
 */
export function b64uDecode(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  const rem = text.length & 3;
  if (rem === 1) return undefined;
  const out = new Uint8Array((text.length >>> 2) * 3 + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (B64U_DEC[c] as number) : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  // Canonical form: the unused trailing bits must be zero.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte equality (not constant time: ledger data is public). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Write `value` (a safe non-negative integer) as an 8-byte big-endian unsigned integer. */
export function writeU64(out: Uint8Array, offset: number, value: number): void {
  const hi = Math.floor(value / 0x1_0000_0000);
  const lo = value >>> 0;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(offset, hi);
  view.setUint32(offset + 4, lo);
}

/** SHA-256 through the crypto port (synchronous). */
export function sha256(data: Uint8Array, crypto?: CryptoProvider): Uint8Array {
  return (crypto ?? defaultCrypto()).digest('sha-256', data);
}
