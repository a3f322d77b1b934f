/**
 * @module sd-jwt/compact
 * Splitting the compact serialization `<Issuer-signed JWT>~<D1>~…~<Dn>~[<KB-JWT>]` (RFC 9901 §4)
 * without allocating per part: the size is checked and the `~` separators are counted (and bounded)
 * before anything is decoded (SECURITY.md "count . and ~ before splitting").
 */
import { OpenMidError } from '../errors/error.js';
import type { SdJwtLimits } from './types.js';

/** Positions of the parts of a compact SD-JWT; no part is copied. */
export interface CompactParts {
  /** The whole input. */
  readonly input: string;
  /** End (exclusive) of the Issuer-signed JWT, i.e. the index of the first `~`. */
  readonly jwtEnd: number;
  /** Start index of each Disclosure. */
  readonly starts: readonly number[];
  /** End index (exclusive) of each Disclosure. */
  readonly ends: readonly number[];
  /** Index of the last `~`: the SD-JWT proper is `input[0, lastTilde]`, the KB-JWT follows it. */
  readonly lastTilde: number;
  /** The KB-JWT, or `undefined` when the input ends with `~`. */
  readonly kbJwt: string | undefined;
}

const TILDE = 0x7e;
/** Anything outside printable US-ASCII. */
const NON_ASCII = /[^\x21-\x7e]/;
const DOT = 0x2e;

/**
 * Check the size, count the separators, then record where each part starts and ends.
 *
 * @see RFC 9901 §4 (format) and §7.1 step 1 (separate the SD-JWT into its parts)
 */
export function splitCompact(input: unknown, limits: SdJwtLimits): CompactParts {
  if (typeof input !== 'string')
    throw new OpenMidError('ERR_SDJWT_MALFORMED', 'An SD-JWT must be a string');
  if (input.length > limits.maxLength)
    throw new OpenMidError('ERR_SDJWT_TOO_LARGE', 'The SD-JWT exceeds the size limit');
  // Count before splitting: a hostile input with a million `~` costs one scan, no allocation.
  const maxTildes = limits.maxDisclosures + 1;
  let tildes = 0;
  for (let i = input.indexOf('~'); i !== -1; i = input.indexOf('~', i + 1)) {
    if (++tildes > maxTildes)
      throw new OpenMidError('ERR_SDJWT_TOO_LARGE', 'The SD-JWT has too many Disclosures');
  }
  if (tildes === 0)
    throw new OpenMidError('ERR_SDJWT_MALFORMED', 'An SD-JWT contains at least one ~ separator');
  // The format is base64url, `.` and `~` only: digests are taken over sub-strings as their bytes,
  // which equals their US-ASCII bytes only when every character is printable ASCII.
  if (NON_ASCII.test(input))
    throw new OpenMidError('ERR_SDJWT_MALFORMED', 'An SD-JWT contains only ASCII characters');
  const jwtEnd = input.indexOf('~');
  if (jwtEnd === 0)
    throw new OpenMidError('ERR_SDJWT_MALFORMED', 'The Issuer-signed JWT is missing');
  const starts: number[] = [];
  const ends: number[] = [];
  let start = jwtEnd + 1;
  let lastTilde = jwtEnd;
  for (let i = input.indexOf('~', start); i !== -1; i = input.indexOf('~', start)) {
    if (i === start) throw new OpenMidError('ERR_SDJWT_MALFORMED', 'A Disclosure is empty');
    starts.push(start);
    ends.push(i);
    lastTilde = i;
    start = i + 1;
  }
  let kbJwt: string | undefined;
  if (lastTilde < input.length - 1) {
    kbJwt = input.slice(lastTilde + 1);
    if (countDots(input, lastTilde + 1) !== 2)
      throw new OpenMidError('ERR_SDJWT_MALFORMED', 'The part after the last ~ is not a KB-JWT');
  }
  return { input, jwtEnd, starts, ends, lastTilde, kbJwt };
}

function countDots(input: string, from: number): number {
  let dots = 0;
  for (let i = from; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === DOT) dots++;
    else if (c === TILDE) return -1;
  }
  return dots;
}
