/**
 * @module sd-jwt/issue
 * Issuing an SD-JWT (RFC 9901 §4): Disclosures with fresh 144-bit salts, digests embedded in `_sd`
 * arrays (sorted, so their order leaks nothing: §4.2.4.1) and `{"...": digest}` array elements
 * (§4.2.4.2), decoy digests (§4.2.5), recursive disclosures (§4.2.6), `_sd_alg` at the top level
 * only (§4.1.1), and the compact form `<JWT>~<D1>~…~<Dn>~`.
 */
import { defaultCrypto } from '../crypto/default.js';
import type { CryptoProvider, HashAlg } from '../crypto/provider.js';
import { asOpenMidError, OpenMidError } from '../errors/error.js';
import { b64uEncode } from '../internal/bytes.js';
import { defineOwn, hasOwn, isJsonObject } from '../internal/json.js';
import { signCompactJws } from '../jose/jws.js';
import type { CryptoOptions, Signer } from '../keys/keys.js';
import { digestB64u, disclosureDigest, encodeDisclosure } from './disclosure.js';
import { DEFAULT_SD_JWT_LIMITS, type DisclosureFrame, SD_HASH_ALGS } from './types.js';

/**
 * Random bytes per salt: 144 bits (RFC 9901 §9.3 asks for at least 128). 18 bytes are 24 base64url
 * characters with no partial group, so all salts of an issuance are encoded in one call and sliced.
 */
const SALT_BYTES = 18;
const SALT_CHARS = 24;
/** Upper bound on decoys per level: a frame asking for more is a mistake, not privacy. */
const MAX_DECOYS_PER_LEVEL = 1000;

/** Options of {@link issueSdJwt}. */
export interface IssueSdJwtOptions extends CryptoOptions {
  /** The issuer's signer; its `alg` and `kid` go into the header. */
  readonly signer: Signer;
  /** Explicit header `typ` (RFC 9901 §9.11), e.g. `dc+sd-jwt` for SD-JWT VC. */
  readonly typ: string;
  /** Which claims become selectively disclosable (none when absent). */
  readonly frame?: DisclosureFrame;
  /** Digest algorithm, written to `_sd_alg` (default `sha-256`). */
  readonly hashAlg?: HashAlg;
  /** Extra protected header members (e.g. `x5c`). */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** Random bytes for every salt and decoy of one issuance, fetched and encoded in one call. */
interface Randomness {
  readonly bytes: Uint8Array;
  /** `bytes` in base64url: salt i is `encoded.slice(24 i, 24 i + 24)`. */
  readonly encoded: string;
  offset: number;
}

interface Packing {
  readonly crypto: CryptoProvider;
  readonly hashAlg: HashAlg;
  readonly random: Randomness;
  readonly disclosures: string[];
  readonly path: (string | number)[];
  digests: number;
}

/**
 * Issue an SD-JWT: the claims of `payload` named by `options.frame` become Disclosures, the rest
 * stay in the clear. Salts are 144 bits from the crypto port's CSPRNG, fresh for every claim and
 * every issuance (issue twice for two unlinkable copies).
 *
 * @example
 * ```ts
 * const sdJwt = await issueSdJwt(
 *   { iss: 'https://police.go.kr', given_name: '민준', address: { locality: '서울' } },
 *   { signer, typ: 'dc+sd-jwt', frame: { _sd: ['given_name'], address: { _sd: ['locality'] } } },
 * )
 * ```
 * @see RFC 9901 §4.1, §4.2, §5.1
 */
export async function issueSdJwt(
  payload: Readonly<Record<string, unknown>>,
  options: IssueSdJwtOptions,
): Promise<string> {
  try {
    return await issue(payload, options);
  } catch (e) {
    throw asOpenMidError(e);
  }
}

async function issue(
  payload: Readonly<Record<string, unknown>>,
  options: IssueSdJwtOptions,
): Promise<string> {
  if (!isJsonObject(payload))
    throw new OpenMidError('ERR_INPUT_INVALID', 'The SD-JWT payload must be a JSON object');
  const hashAlg = options.hashAlg ?? 'sha-256';
  if (!SD_HASH_ALGS.includes(hashAlg))
    throw new OpenMidError('ERR_SDJWT_HASH_ALG_UNSUPPORTED', 'Unsupported _sd_alg');
  checkClaims(payload, 1);
  const frame = options.frame ?? {};
  const crypto = options.crypto ?? defaultCrypto();
  const bytes = crypto.randomBytes(SALT_BYTES * countDigests(frame, 1));
  const packing: Packing = {
    crypto,
    hashAlg,
    random: { bytes, encoded: b64uEncode(bytes), offset: 0 },
    disclosures: [],
    path: [],
    digests: 0,
  };
  const packed = pack(packing, payload, frame) as Record<string, unknown>;
  if (packing.digests > 0) packed['_sd_alg'] = hashAlg;
  const jwt = await signCompactJws(packed, {
    typ: options.typ,
    signer: options.signer,
    ...(options.header === undefined ? {} : { header: options.header }),
  });
  return packing.disclosures.length === 0 ? `${jwt}~` : `${jwt}~${packing.disclosures.join('~')}~`;
}

/**
 * Claims must be plain JSON and must not use the names SD-JWT reserves: `_sd`, `_sd_alg` and `...`
 * (RFC 9901 §4.1 rule 7, §4.1.1), or a verifier would read them as digests.
 */
function checkClaims(value: unknown, depth: number): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new OpenMidError('ERR_INPUT_INVALID', 'A claim value is not a finite number');
  }
  if (typeof value !== 'object')
    throw new OpenMidError('ERR_INPUT_INVALID', 'A claim value is not JSON');
  if (depth > DEFAULT_SD_JWT_LIMITS.maxDepth)
    throw new OpenMidError('ERR_SDJWT_TOO_LARGE', 'The claims are nested too deeply');
  if (Array.isArray(value)) {
    for (const element of value) checkClaims(element, depth + 1);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    throw new OpenMidError('ERR_INPUT_INVALID', 'A claim value is not a plain JSON object');
  for (const key of Object.keys(value)) {
    if (key === '_sd' || key === '_sd_alg' || key === '...')
      throw new OpenMidError('ERR_SDJWT_CLAIM_NAME_RESERVED', 'A claim uses a reserved name');
    checkClaims((value as Record<string, unknown>)[key], depth + 1);
  }
}

function frameError(why: string, path: readonly (string | number)[]): OpenMidError {
  return new OpenMidError('ERR_SDJWT_FRAME_INVALID', `The disclosure frame ${why}`, {
    details: { path: [...path] },
  });
}

/** An upper bound on the salts and decoys a frame needs (one random draw per issuance). */
function countDigests(frame: unknown, depth: number): number {
  if (!isJsonObject(frame) || depth > DEFAULT_SD_JWT_LIMITS.maxDepth) return 0;
  let n = 0;
  for (const key of Object.keys(frame)) {
    const v = frame[key];
    if (key === '_sd') n += Array.isArray(v) ? v.length : 0;
    // A decoy draws twice in an array (its position and its value).
    else if (key === '_sd_decoy')
      n += typeof v === 'number' && v > 0 ? 2 * Math.min(v, MAX_DECOYS_PER_LEVEL) : 0;
    else n += countDigests(v, depth + 1);
  }
  return n;
}

function nextRandom(packing: Packing): Uint8Array {
  const r = packing.random;
  if (r.offset + SALT_BYTES > r.bytes.length) {
    // Unreachable for a well-formed frame (the bound above covers it); stay correct regardless.
    return packing.crypto.randomBytes(SALT_BYTES);
  }
  const out = r.bytes.subarray(r.offset, r.offset + SALT_BYTES);
  r.offset += SALT_BYTES;
  return out;
}

/** A fresh salt: the next 144 random bits, already base64url-encoded. */
function nextSalt(packing: Packing): string {
  const r = packing.random;
  if (r.offset + SALT_BYTES > r.bytes.length) return b64uEncode(nextRandom(packing));
  const start = (r.offset / SALT_BYTES) * SALT_CHARS;
  r.offset += SALT_BYTES;
  return r.encoded.slice(start, start + SALT_CHARS);
}

/** Make one Disclosure, keep it, and return its digest. */
function makeDisclosure(packing: Packing, name: string | undefined, value: unknown): string {
  const disclosure = encodeDisclosure(nextSalt(packing), name, value);
  packing.disclosures.push(disclosure);
  packing.digests++;
  return disclosureDigest(packing.crypto, packing.hashAlg, disclosure);
}

/** A decoy digest: the hash of 128 random bits (RFC 9901 §4.2.5). */
function makeDecoy(packing: Packing): string {
  packing.digests++;
  return digestB64u(packing.crypto, packing.hashAlg, nextRandom(packing));
}

function decoyCount(frame: Record<string, unknown>, path: readonly (string | number)[]): number {
  const n = frame['_sd_decoy'];
  if (n === undefined) return 0;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_DECOYS_PER_LEVEL)
    throw frameError('has an invalid _sd_decoy', path);
  return n;
}

function sdList(frame: Record<string, unknown>, path: readonly (string | number)[]): unknown[] {
  const sd = frame['_sd'];
  if (sd === undefined) return [];
  if (!Array.isArray(sd)) throw frameError('has an _sd that is not an array', path);
  return sd;
}

function pack(packing: Packing, value: unknown, frame: unknown): unknown {
  const { path } = packing;
  if (!isJsonObject(frame)) throw frameError('is not an object', path);
  if (Array.isArray(value)) return packArray(packing, value, frame);
  if (isJsonObject(value)) return packObject(packing, value, frame);
  if (Object.keys(frame).length > 0)
    throw frameError('applies to a value that is not an object or array', path);
  return value;
}

function missing(path: readonly (string | number)[]): OpenMidError {
  return new OpenMidError('ERR_SDJWT_PATH_NOT_FOUND', 'The frame names a claim that is absent', {
    details: { path: [...path] },
  });
}

function packObject(
  packing: Packing,
  value: Record<string, unknown>,
  frame: Record<string, unknown>,
): Record<string, unknown> {
  const { path } = packing;
  const selected = new Set<string>();
  for (const entry of sdList(frame, path)) {
    if (typeof entry !== 'string' && typeof entry !== 'number')
      throw frameError('lists a claim that is not a name', path);
    const name = String(entry);
    if (selected.has(name)) throw frameError('lists a claim twice', path);
    if (!hasOwn(value, name)) throw missing([...path, name]);
    selected.add(name);
  }
  for (const key of Object.keys(frame)) {
    if (key !== '_sd' && key !== '_sd_decoy' && !hasOwn(value, key)) throw missing([...path, key]);
  }
  const out: Record<string, unknown> = {};
  const digests: string[] = [];
  for (const key of Object.keys(value)) {
    let v = value[key];
    if (key !== '_sd' && key !== '_sd_decoy' && hasOwn(frame, key)) {
      path.push(key);
      v = pack(packing, v, frame[key]);
      path.pop();
    }
    if (selected.has(key)) digests.push(makeDisclosure(packing, key, v));
    else if (key === '__proto__') defineOwn(out, key, v);
    else out[key] = v;
  }
  const decoys = decoyCount(frame, path);
  for (let i = 0; i < decoys; i++) digests.push(makeDecoy(packing));
  // RFC 9901 §4.2.4.1: hide the original order of the claims by sorting the digests.
  if (digests.length > 0) out['_sd'] = digests.sort();
  return out;
}

function arrayIndex(entry: unknown, length: number, path: readonly (string | number)[]): number {
  const index =
    typeof entry === 'number'
      ? entry
      : typeof entry === 'string' && /^(0|[1-9][0-9]*)$/.test(entry)
        ? Number(entry)
        : Number.NaN;
  if (!Number.isSafeInteger(index) || index < 0)
    throw frameError('lists an array element that is not an index', path);
  if (index >= length) throw missing([...path, index]);
  return index;
}

function packArray(
  packing: Packing,
  value: readonly unknown[],
  frame: Record<string, unknown>,
): unknown[] {
  const { path } = packing;
  const selected = new Set<number>();
  for (const entry of sdList(frame, path)) {
    const index = arrayIndex(entry, value.length, path);
    if (selected.has(index)) throw frameError('lists an element twice', path);
    selected.add(index);
  }
  const nested = new Map<number, unknown>();
  for (const key of Object.keys(frame)) {
    if (key === '_sd' || key === '_sd_decoy') continue;
    nested.set(arrayIndex(key, value.length, path), frame[key]);
  }
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    let v = value[i];
    if (nested.has(i)) {
      path.push(i);
      v = pack(packing, v, nested.get(i));
      path.pop();
    }
    out.push(selected.has(i) ? { '...': makeDisclosure(packing, undefined, v) } : v);
  }
  // RFC 9901 §4.2.5: decoys at random positions, so their place says nothing either.
  const decoys = decoyCount(frame, path);
  for (let i = 0; i < decoys; i++) {
    const r = nextRandom(packing);
    const at = (((r[0] as number) << 8) | (r[1] as number)) % (out.length + 1);
    out.splice(at, 0, { '...': makeDecoy(packing) });
  }
  return out;
}
