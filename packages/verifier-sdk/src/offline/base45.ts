/**
 * @module offline/base45
 * Base45 (RFC 9285): bytes as characters of the QR alphanumeric set, so a QR code can carry
 * binary data in alphanumeric mode (5.5 bits per character, ≈ 8.25 bits per byte) and phone
 * scanner APIs, which return text, hand it over intact. Decoding is strict: characters outside
 * the alphabet, a dangling single character and values beyond 16 bits are refused.
 */

/** The 45 characters of the QR alphanumeric mode, in RFC 9285 order. */
export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE45_ALPHABET.length; i++) VALUE[BASE45_ALPHABET.charCodeAt(i)] = i;

/**
 * Encode bytes as Base45 (RFC 9285 §4): each pair of bytes as three characters, a final single
 * byte as two.
 */
export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += BASE45_ALPHABET[c] + (BASE45_ALPHABET[d] as string) + (BASE45_ALPHABET[e] as string);
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1] as number;
    out += (BASE45_ALPHABET[n % 45] as string) + (BASE45_ALPHABET[Math.floor(n / 45)] as string);
  }
  return out;
}

/** Decode Base45 (RFC 9285 §4.2); `undefined` when the text is not valid Base45. */
export function base45Decode(text: string): Uint8Array | undefined {
  if (text.length % 3 === 1) return undefined;
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const c = VALUE[text.charCodeAt(i)] ?? -1;
    const d = VALUE[text.charCodeAt(i + 1)] ?? -1;
    if (c < 0 || d < 0 || text.charCodeAt(i) > 127 || text.charCodeAt(i + 1) > 127)
      return undefined;
    if (i + 2 < text.length) {
      const e = VALUE[text.charCodeAt(i + 2)] ?? -1;
      if (e < 0 || text.charCodeAt(i + 2) > 127) return undefined;
      const n = c + d * 45 + e * 2025;
      if (n > 0xffff) return undefined;
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = c + d * 45;
      if (n > 0xff) return undefined;
      out[o++] = n;
    }
  }
  return out;
}
