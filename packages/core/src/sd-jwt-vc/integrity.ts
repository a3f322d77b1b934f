/**
 * @module sd-jwt-vc/integrity
 * "Integrity metadata" strings (W3C Subresource Integrity §3): `sha256-<base64>` over the bytes of
 * a document as served, used by `vct#integrity`, `extends#integrity` and `uri#integrity`
 * (draft-ietf-oauth-sd-jwt-vc "Document Integrity").
 */
import { defaultCrypto } from '../crypto/default.js';
import type { HashAlg } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { b64uDecode, b64uEncode, bytesEqual } from '../internal/bytes.js';
import type { CryptoOptions } from '../keys/keys.js';

/** SRI hash algorithm tokens (W3C SRI §3.2: sha256, sha384, sha512). */
export type IntegrityAlg = 'sha256' | 'sha384' | 'sha512';

const HASH: Readonly<Record<IntegrityAlg, HashAlg>> = {
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
};
const STRENGTH: Readonly<Record<IntegrityAlg, number>> = { sha256: 1, sha384: 2, sha512: 3 };

/** Standard base64 with padding, as SRI writes digests. */
function toBase64(bytes: Uint8Array): string {
  const url = b64uEncode(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return url + '='.repeat((4 - (url.length % 4)) % 4);
}

/** base64 or base64url, padding optional (the CSP `base64-value` grammar SRI uses). */
function fromBase64(text: string): Uint8Array | undefined {
  const unpadded = text.replace(/={1,2}$/, '');
  return b64uDecode(unpadded.replace(/\+/g, '-').replace(/\//g, '_'));
}

/**
 * Compute the integrity string of a document's bytes.
 *
 * @example
 * ```ts
 * const integrity = computeIntegrity(utf8(typeMetadataJson)) // 'sha256-…='
 * ```
 * @see W3C SRI §3.1
 */
export function computeIntegrity(
  bytes: Uint8Array,
  options?: CryptoOptions & { readonly alg?: IntegrityAlg },
): string {
  const alg = options?.alg ?? 'sha256';
  const hash = HASH[alg];
  if (hash === undefined) throw new OpenMidError('ERR_INPUT_INVALID', 'Unsupported SRI algorithm');
  return `${alg}-${toBase64((options?.crypto ?? defaultCrypto()).digest(hash, bytes))}`;
}

/**
 * True when `bytes` match `integrity`: of the hash expressions with a supported algorithm, those
 * with the strongest algorithm are compared and one must match (W3C SRI §3.3.5). Unlike a browser,
 * an integrity string with no supported expression does NOT match: a value the verifier cannot
 * check is a failure here, never a pass.
 */
export function matchesIntegrity(
  bytes: Uint8Array,
  integrity: string,
  options?: CryptoOptions,
): boolean {
  if (typeof integrity !== 'string') return false;
  const expressions: { alg: IntegrityAlg; value: string }[] = [];
  for (const token of integrity.split(/[\t\n\f\r ]+/)) {
    const m = /^(sha256|sha384|sha512)-([A-Za-z0-9+/_-]+={0,2})(\?.*)?$/.exec(token);
    if (m) expressions.push({ alg: m[1] as IntegrityAlg, value: m[2] as string });
  }
  if (expressions.length === 0) return false;
  let strongest: IntegrityAlg = 'sha256';
  for (const e of expressions) if (STRENGTH[e.alg] > STRENGTH[strongest]) strongest = e.alg;
  const actual = (options?.crypto ?? defaultCrypto()).digest(HASH[strongest], bytes);
  let match = false;
  for (const e of expressions) {
    if (e.alg !== strongest) continue;
    const expected = fromBase64(e.value);
    if (expected !== undefined && bytesEqual(expected, actual)) match = true;
  }
  return match;
}

/**
 * Throw `ERR_SDJWTVC_INTEGRITY_MISMATCH` unless `bytes` match `integrity`.
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Document Integrity"; W3C SRI §3.3.5
 */
export function verifyIntegrity(
  bytes: Uint8Array,
  integrity: string,
  options?: CryptoOptions,
): void {
  if (!matchesIntegrity(bytes, integrity, options))
    throw new OpenMidError(
      'ERR_SDJWTVC_INTEGRITY_MISMATCH',
      'The document does not match its integrity value',
    );
}
