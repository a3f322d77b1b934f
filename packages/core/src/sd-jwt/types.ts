/**
 * @module sd-jwt/types
 * Shared types of the SD-JWT engine (RFC 9901): claim paths, disclosure frames, limits and the
 * hash-algorithm allow-list.
 */
import type { HashAlg } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';

/**
 * One component of a claim path: a member name, a non-negative array index, or `null` for every
 * element of the selected array(s).
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Claim Path" (the same form as the OpenID4VP 1.0 §7 claims path
 * pointer used by DCQL)
 */
export type ClaimPathComponent = string | number | null;

/** A claim path, e.g. `['address', 'street_address']` or `['nationalities', 0]`. */
export type ClaimPath = readonly ClaimPathComponent[];

/**
 * Which claims an issuer makes selectively disclosable, in the form of the sd-jwt-js test cases:
 * `_sd` lists member names (for an object) or indices (for an array) that become disclosable,
 * `_sd_decoy` asks for that many decoy digests at this level (RFC 9901 §4.2.5), and every other
 * key is a nested frame for the member or element of that name. A member that is itself listed in
 * `_sd` AND has a nested frame is a recursive disclosure (RFC 9901 §4.2.6, Appendix A.2).
 *
 * @example
 * ```ts
 * const frame: DisclosureFrame = {
 *   _sd: ['given_name', 'address'],
 *   address: { _sd: ['street_address'] },
 *   nationalities: { _sd: [0, 1] },
 *   _sd_decoy: 2,
 * }
 * ```
 */
export interface DisclosureFrame {
  readonly _sd?: readonly (string | number)[];
  readonly _sd_decoy?: number;
  readonly [member: string]: DisclosureFrame | readonly (string | number)[] | number | undefined;
}

/** Bounds checked before (or while) decoding an SD-JWT (SECURITY.md "Size limits"). */
export interface SdJwtLimits {
  /** Maximum length of the whole compact SD-JWT (+KB) in characters. */
  readonly maxLength: number;
  /** Maximum number of Disclosures. */
  readonly maxDisclosures: number;
  /** Maximum nesting depth of the processed payload, Disclosures included. */
  readonly maxDepth: number;
}

/**
 * Default limits: 256 KiB (a licence with a portrait fits), 256 Disclosures (the EU PID example
 * has 28), depth 32 (the depth {@link parseJsonStrict} allows for one JSON text).
 */
export const DEFAULT_SD_JWT_LIMITS: SdJwtLimits = Object.freeze({
  maxLength: 262_144,
  maxDisclosures: 256,
  maxDepth: 32,
});

/** Hash algorithms accepted for `_sd_alg` by default (IANA "Named Information" names). */
export const SD_HASH_ALGS: readonly HashAlg[] = Object.freeze(['sha-256', 'sha-384', 'sha-512']);

/** The `typ` of a Key Binding JWT (RFC 9901 §4.3). */
export const KB_JWT_TYP = 'kb+jwt';

/** Largest limits a caller may configure (the walk recurses once per level of depth). */
const LIMIT_CEILINGS: SdJwtLimits = { maxLength: 16_777_216, maxDisclosures: 10_000, maxDepth: 64 };

/** Merge caller limits over the defaults; each must be a positive integer under its ceiling. */
export function resolveLimits(limits: Partial<SdJwtLimits> | undefined): SdJwtLimits {
  if (limits === undefined) return DEFAULT_SD_JWT_LIMITS;
  const out = { ...DEFAULT_SD_JWT_LIMITS, ...limits };
  for (const key of ['maxLength', 'maxDisclosures', 'maxDepth'] as const) {
    const v = out[key];
    if (!Number.isSafeInteger(v) || v < 1 || v > LIMIT_CEILINGS[key])
      throw new OpenMidError('ERR_INPUT_INVALID', `The SD-JWT limit ${key} is out of range`);
  }
  return out;
}
