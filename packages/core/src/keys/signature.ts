/**
 * @module keys/signature
 * Shape checks on raw signatures before they reach a crypto library (SECURITY.md: "Invalid ECDSA
 * signatures (r or s zero or ≥ n, wrong length) rejected"). ES256 signatures are r ‖ s, 32 bytes
 * each, big-endian (RFC 7518 §3.4); Ed25519 signatures are R ‖ S with S < L (RFC 8032 §5.1.7).
 */
import type { SigAlg } from '../crypto/provider.js';

/** Order n of the P-256 group, big-endian. */
const P256_N = new Uint8Array([
  0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
]);

/** Order L of the Ed25519 group, little-endian. */
const ED25519_L = new Uint8Array([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

/** 0 < big-endian integer sig[offset..offset+32) < n. */
function inP256Range(sig: Uint8Array, offset: number): boolean {
  let zero = true;
  let cmp = 0; // -1 below n, 1 above, 0 equal so far
  for (let i = 0; i < 32; i++) {
    const b = sig[offset + i] as number;
    if (b !== 0) zero = false;
    if (cmp === 0) {
      const nb = P256_N[i] as number;
      if (b < nb) cmp = -1;
      else if (b > nb) cmp = 1;
    }
  }
  return !zero && cmp === -1;
}

/** Little-endian S (sig[32..64)) < L. */
function belowEd25519Order(sig: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const b = sig[32 + i] as number;
    const l = ED25519_L[i] as number;
    if (b < l) return true;
    if (b > l) return false;
  }
  return false;
}

/** True when the signature has the length and value ranges its algorithm allows. */
export function isWellFormedSignature(alg: SigAlg, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  return alg === 'ES256' ? inP256Range(sig, 0) && inP256Range(sig, 32) : belowEd25519Order(sig);
}
