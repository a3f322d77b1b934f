/**
 * @module sd-jwt/process
 * Processing the Disclosures and embedded digests of an SD-JWT (RFC 9901 §7.1 step 3 to 5), shared
 * by holders and verifiers. One pass: every Disclosure is hashed once into one Map, the payload is
 * walked once, each Disclosure is decoded only when its digest is met, and the processed payload is
 * built as new objects (no clone, no `JSON.stringify`). Work is linear in the input size: a digest
 * can be used only once, so no Disclosure is processed twice.
 */
import type { CryptoProvider, HashAlg } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { defineOwn, hasOwn } from '../internal/json.js';
import type { CompactParts } from './compact.js';
import { type DecodedDisclosure, decodeDisclosure, digestB64u } from './disclosure.js';

/** How one Disclosure was used while processing. */
export interface DisclosureUse {
  /** Index of the Disclosure in the SD-JWT. */
  readonly index: number;
  /** Path of the disclosed claim in the processed payload. */
  readonly path: readonly (string | number)[];
  /** Property (`_sd`) or array element (`...`) Disclosure. */
  readonly kind: 'property' | 'element';
  /** Index (into the uses) of the Disclosure that contains this one, or -1. */
  readonly parent: number;
  /** The processed value. */
  value: unknown;
}

/** The processed payload and how each Disclosure was used, in payload order. */
export interface ProcessedPayload {
  readonly claims: Record<string, unknown>;
  readonly uses: readonly DisclosureUse[];
}

interface Walk {
  readonly parts: CompactParts;
  readonly byDigest: Map<string, number>;
  readonly seen: Set<string>;
  readonly used: Uint8Array;
  readonly uses: DisclosureUse[];
  readonly path: (string | number)[];
  readonly maxDepth: number;
  parent: number;
}

/** Options of {@link processPayload}. */
export interface ProcessOptions {
  readonly crypto: CryptoProvider;
  readonly hashAlg: HashAlg;
  readonly maxDepth: number;
}

/**
 * Apply the Disclosures of `parts` to the Issuer-signed `payload`.
 *
 * @see RFC 9901 §7.1 steps 3.1 to 5
 */
export function processPayload(
  parts: CompactParts,
  payload: Record<string, unknown>,
  options: ProcessOptions,
): ProcessedPayload {
  const n = parts.starts.length;
  const byDigest = new Map<string, number>();
  // Step 3.1: the digest of each Disclosure, over its US-ASCII bytes (RFC 9901 §4.2.3).
  for (let i = 0; i < n; i++) {
    const digest = digestB64u(
      options.crypto,
      options.hashAlg,
      parts.input.slice(parts.starts[i] as number, parts.ends[i] as number),
    );
    // Two equal Disclosures have one digest: "send a Disclosure more than once" (RFC 9901 §4).
    if (byDigest.has(digest)) {
      throw new OpenMidError('ERR_SDJWT_DIGEST_DUPLICATE', 'A Disclosure is presented twice', {
        details: { index: i },
      });
    }
    byDigest.set(digest, i);
  }
  const walk: Walk = {
    parts,
    byDigest,
    seen: new Set(),
    used: new Uint8Array(n),
    uses: [],
    path: [],
    maxDepth: options.maxDepth,
    parent: -1,
  };
  const claims = walkObject(walk, payload, 1);
  // Step 5: every Disclosure must have been referenced; none is ever silently dropped.
  if (walk.uses.length !== n) {
    throw new OpenMidError(
      'ERR_SDJWT_DISCLOSURE_UNREFERENCED',
      'A Disclosure is not referenced by the SD-JWT',
      { details: { index: walk.used.indexOf(0) } },
    );
  }
  return { claims, uses: walk.uses };
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment is fast and safe for every key except the `__proto__` setter.
  if (key === '__proto__') defineOwn(target, key, value);
  else target[key] = value;
}

function processValue(walk: Walk, value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Array.isArray(value)
    ? walkArray(walk, value, depth)
    : walkObject(walk, value as Record<string, unknown>, depth);
}

function checkDepth(walk: Walk, depth: number): void {
  if (depth > walk.maxDepth)
    throw new OpenMidError('ERR_SDJWT_TOO_LARGE', 'The SD-JWT payload is nested too deeply');
}

/** Step 4: a digest may occur once in the whole payload, Disclosures included. */
function noteDigest(walk: Walk, digest: string): number | undefined {
  if (walk.seen.has(digest))
    throw new OpenMidError('ERR_SDJWT_DIGEST_DUPLICATE', 'A digest appears more than once');
  walk.seen.add(digest);
  return walk.byDigest.get(digest);
}

function take(walk: Walk, index: number): DecodedDisclosure {
  walk.used[index] = 1;
  const { parts } = walk;
  return decodeDisclosure(
    parts.input,
    { start: parts.starts[index] as number, end: parts.ends[index] as number },
    walk.maxDepth,
  );
}

/** Record a use, process its value with this use as the parent, and store the result. */
function disclose(
  walk: Walk,
  index: number,
  disclosure: DecodedDisclosure,
  depth: number,
): unknown {
  const use: DisclosureUse = {
    index,
    path: walk.path.slice(),
    kind: disclosure.name === undefined ? 'element' : 'property',
    parent: walk.parent,
    value: undefined,
  };
  const self = walk.uses.length;
  walk.uses.push(use);
  const outer = walk.parent;
  walk.parent = self;
  use.value = processValue(walk, disclosure.value, depth);
  walk.parent = outer;
  return use.value;
}

function walkObject(
  walk: Walk,
  object: Record<string, unknown>,
  depth: number,
): Record<string, unknown> {
  checkDepth(walk, depth);
  const out: Record<string, unknown> = {};
  let sd: unknown;
  let hasSd = false;
  for (const key of Object.keys(object)) {
    if (key === '_sd') {
      hasSd = true;
      sd = object[key];
      continue;
    }
    if (key === '_sd_alg') {
      // RFC 9901 §4.1.1: `_sd_alg` only at the top level (read and removed by the caller).
      if (depth === 1) continue;
      throw new OpenMidError('ERR_SDJWT_HASH_ALG_UNSUPPORTED', '_sd_alg is not at the top level', {
        details: { path: walk.path.slice() },
      });
    }
    if (key === '...') {
      // RFC 9901 §4.1 rule 7: `...` only as the one member of an array-element digest.
      throw new OpenMidError('ERR_SDJWT_SD_INVALID', 'A ... member outside an array digest', {
        details: { path: walk.path.slice() },
      });
    }
    walk.path.push(key);
    setOwn(out, key, processValue(walk, object[key], depth + 1));
    walk.path.pop();
  }
  if (!hasSd) return out;
  // Step 3.2.1: `_sd` refers to an array of strings (RFC 9901 §4.2.4.1).
  if (!Array.isArray(sd))
    throw new OpenMidError('ERR_SDJWT_SD_INVALID', '_sd is not an array', {
      details: { path: walk.path.slice() },
    });
  for (let i = 0; i < sd.length; i++) {
    const digest: unknown = sd[i];
    if (typeof digest !== 'string')
      throw new OpenMidError('ERR_SDJWT_SD_INVALID', '_sd contains a non-string', {
        details: { path: walk.path.slice() },
      });
    const index = noteDigest(walk, digest);
    if (index === undefined) continue; // a decoy or an undisclosed claim (step 3.3.1)
    const disclosure = take(walk, index);
    const name = disclosure.name;
    // Step 3.3.2.1: a digest in `_sd` must reference an object-property Disclosure.
    if (name === undefined)
      throw new OpenMidError(
        'ERR_SDJWT_DISCLOSURE_WRONG_KIND',
        'An array-element Disclosure is referenced from _sd',
        { details: { index } },
      );
    // Step 3.3.2.2 (and `_sd_alg`, which RFC 9901 §4.1.1 reserves for the top level).
    if (name === '_sd' || name === '...' || name === '_sd_alg')
      throw new OpenMidError('ERR_SDJWT_CLAIM_NAME_RESERVED', 'A Disclosure uses a reserved name', {
        details: { index, path: walk.path.slice() },
      });
    // Step 3.3.2.3: no disclosed name may collide with a member at the same level.
    if (hasOwn(out, name))
      throw new OpenMidError(
        'ERR_SDJWT_CLAIM_NAME_COLLISION',
        'A disclosed claim name already exists at its level',
        { details: { index, path: walk.path.slice() } },
      );
    walk.path.push(name);
    setOwn(out, name, disclose(walk, index, disclosure, depth + 1));
    walk.path.pop();
  }
  return out;
}

/** True when `value` is an object whose only own member is `...`. */
function isArrayDigest(value: Record<string, unknown>): boolean {
  let count = 0;
  for (const key in value) {
    if (!hasOwn(value, key)) continue;
    if (++count > 1 || key !== '...') return false;
  }
  return count === 1;
}

function walkArray(walk: Walk, array: readonly unknown[], depth: number): unknown[] {
  checkDepth(walk, depth);
  const out: unknown[] = [];
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    if (
      element !== null &&
      typeof element === 'object' &&
      !Array.isArray(element) &&
      hasOwn(element, '...')
    ) {
      const digest: unknown = (element as Record<string, unknown>)['...'];
      // Step 3.2.2 and RFC 9901 §4.2.4.2: exactly `{"...": "<digest>"}`.
      if (typeof digest !== 'string' || !isArrayDigest(element as Record<string, unknown>))
        throw new OpenMidError('ERR_SDJWT_SD_INVALID', 'An array digest is malformed', {
          details: { path: walk.path.slice() },
        });
      const index = noteDigest(walk, digest);
      if (index === undefined) continue; // step 3.4: undisclosed elements are removed
      const disclosure = take(walk, index);
      // Step 3.3.3.1: an array digest must reference an array-element Disclosure.
      if (disclosure.name !== undefined)
        throw new OpenMidError(
          'ERR_SDJWT_DISCLOSURE_WRONG_KIND',
          'An object-property Disclosure is referenced from an array',
          { details: { index } },
        );
      walk.path.push(out.length);
      out.push(disclose(walk, index, disclosure, depth + 1));
      walk.path.pop();
      continue;
    }
    walk.path.push(out.length);
    out.push(processValue(walk, element, depth + 1));
    walk.path.pop();
  }
  return out;
}
