/**
 * @module internal/b64u
 * Strict base64url without padding (RFC 4648 §5): the only alphabet, no `=`, canonical trailing
 * bits — so one byte string has one text (mdoc `vp_token` entries, OpenID4VCI `mso_mdoc`).
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Base64url (no padding) of `bytes`. */
export function b64uEncode(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of strict, canonical base64url text, or undefined. */
export function b64uDecode(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  let bin: string;
  try {
    bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  // Non-canonical trailing bits would give two texts for one byte string.
  return b64uEncode(out) === text ? out : undefined;
}
