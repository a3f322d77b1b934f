/**
 * @module sd-jwt/disclosure
 * Disclosures (RFC 9901 §4.2): creating them, hashing them, decoding them strictly.
 */
import type { CryptoProvider, HashAlg } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { b64uDecodeText, b64uEncodeText } from '../internal/bytes.js';
import { parseJsonStrict } from '../internal/json.js';
import { SD_HASH_ALGS } from './types.js';

/** A decoded Disclosure: `[salt, name, value]` (object property) or `[salt, value]` (array element). */
export interface DecodedDisclosure {
  readonly salt: string;
  /** The claim name, or `undefined` for an array-element Disclosure. */
  readonly name: string | undefined;
  readonly value: unknown;
}

/**
 * Read `_sd_alg` (RFC 9901 §4.1.1): absent means `sha-256`; anything else must be a string on the
 * allow-list (RFC 9901 §7.1 step 2.4).
 */
export function resolveHashAlg(
  value: unknown,
  allowed: readonly HashAlg[] = SD_HASH_ALGS,
): HashAlg {
  if (value === undefined) {
    if (allowed.includes('sha-256')) return 'sha-256';
  } else if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as HashAlg;
  }
  throw new OpenMidError(
    'ERR_SDJWT_HASH_ALG_UNSUPPORTED',
    'The _sd_alg hash algorithm is not allowed',
  );
}

/**
 * base64url(hash(data)): the digest form used for Disclosures and `sd_hash` (RFC 9901 §4.2.3).
 * Strings are hashed as their bytes; the compact format is US-ASCII only (checked on parsing).
 */
export function digestB64u(
  crypto: CryptoProvider,
  alg: HashAlg,
  data: Uint8Array | string,
): string {
  return crypto.digestB64u(alg, data);
}

/** The digest of a Disclosure string: over its US-ASCII bytes (RFC 9901 §4.2.3). */
export function disclosureDigest(crypto: CryptoProvider, alg: HashAlg, disclosure: string): string {
  return crypto.digestB64u(alg, disclosure);
}

/** Encode a Disclosure from its parts (RFC 9901 §4.2.1 and §4.2.2). */
export function encodeDisclosure(salt: string, name: string | undefined, value: unknown): string {
  return b64uEncodeText(JSON.stringify(name === undefined ? [salt, value] : [salt, name, value]));
}

/**
 * Decode the Disclosure at `text[start, end)` strictly: base64url, UTF-8, JSON without duplicate
 * members and within `maxDepth`, an array of two or three elements with a string salt and (for
 * three) a string name. Throws `ERR_SDJWT_DISCLOSURE_MALFORMED` or, for depth,
 * `ERR_SDJWT_TOO_LARGE`.
 */
export function decodeDisclosure(
  text: string,
  range: { readonly start: number; readonly end: number },
  maxDepth: number,
): DecodedDisclosure {
  const json = b64uDecodeText(text, range.start, range.end);
  if (json === undefined) throw malformed('is not base64url-encoded UTF-8');
  const parsed = parseJsonStrict(json, maxDepth);
  if (!parsed.ok) {
    if (parsed.reason === 'depth')
      throw new OpenMidError('ERR_SDJWT_TOO_LARGE', 'A Disclosure is nested too deeply');
    throw malformed(parsed.reason === 'duplicate' ? 'has a duplicate member' : 'is not JSON');
  }
  const arr = parsed.value;
  if (!Array.isArray(arr) || (arr.length !== 2 && arr.length !== 3))
    throw malformed('is not an array of two or three elements');
  const salt: unknown = arr[0];
  if (typeof salt !== 'string') throw malformed('has a salt that is not a string');
  if (arr.length === 2) return { salt, name: undefined, value: arr[1] };
  const name: unknown = arr[1];
  if (typeof name !== 'string') throw malformed('has a claim name that is not a string');
  return { salt, name, value: arr[2] };
}

function malformed(why: string): OpenMidError {
  return new OpenMidError('ERR_SDJWT_DISCLOSURE_MALFORMED', `A Disclosure ${why}`);
}
