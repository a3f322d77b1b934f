/**
 * @module citizens/prng
 * A counter-based, seekable pseudo-random source for synthetic data: the generator state for
 * citizen `index` of seed `seed` (and sub-stream `stream`) is a pure function of those three
 * values, so any citizen can be produced directly, in any order, on any number of workers, and
 * a crashed run resumes at its last index. Not cryptographic (nothing here needs to be).
 *
 * xoshiro128** (Blackman & Vigna) on 32-bit integer operations, seeded through the lowbias32
 * integer hash, so results are identical in every JavaScript engine.
 */
import { OpenMidError } from '@openmid/core/errors';

/** A seed: any string, or a safe integer. */
export type Seed = string | number;

/** A seed hashed to two 32-bit words. */
export interface SeedKey {
  readonly a: number;
  readonly b: number;
}

/** lowbias32 (Chris Wellons' hash-prospector): a fast, well-mixing 32-bit integer hash. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hash a seed to a {@link SeedKey}. Strings hash by their UTF-16 code units (two FNV-1a variants
 * finalised with {@link mix32}); numbers must be safe integers and map to their two halves.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` for a number that is not a safe integer.
 */
export function seedKey(seed: Seed): SeedKey {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) {
      throw new OpenMidError('ERR_INPUT_INVALID', 'A numeric seed must be a safe integer');
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    return { a: mix32(lo ^ 0x3c6ef372), b: mix32(hi ^ mix32(lo + 0xa54ff53a)) };
  }
  if (typeof seed !== 'string') {
    throw new OpenMidError('ERR_INPUT_INVALID', 'A seed is a string or a safe integer');
  }
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return { a: mix32(h1 ^ 0x9e3779b9), b: mix32(h2 ^ 0x7f4a7c15) };
}

const TWO_32 = 4294967296;

/** A xoshiro128** generator. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    // The all-zero state is the one fixed point of xoshiro.
    this.s3 = (s0 | s1 | s2 | s3) === 0 ? 1 : s3 | 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.u32() / TWO_32;
  }

  /** A uniform integer in [0, n), n ≥ 1. */
  below(n: number): number {
    return Math.floor((this.u32() / TWO_32) * n);
  }

  /** An integer in [min, max] (inclusive). */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / TWO_32 < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }

  /** `n` decimal digits. */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(48 + this.below(10));
    return s;
  }
}

/**
 * The generator for `index` (a non-negative safe integer) of a seed, on sub-stream `stream`.
 * Different streams of one index are independent, so adding draws to one facet of a citizen never
 * shifts another facet.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` for a negative or non-integer index.
 */
export function rngAt(key: SeedKey, index: number, stream = 0): Rng {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'A citizen index is a non-negative safe integer');
  }
  const lo = index >>> 0;
  const hi = Math.floor(index / TWO_32) >>> 0;
  const h0 = mix32(key.a ^ mix32(lo ^ 0x9e3779b9));
  const h1 = mix32(key.b ^ mix32(hi + 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35));
  const s0 = mix32(h0 + 0x9e3779b9);
  const s1 = mix32((h1 + 0x3c6ef372) ^ s0);
  const s2 = mix32(h0 ^ 0xdaa66d2b ^ s1);
  const s3 = mix32(h1 ^ 0x78dde6e4 ^ s2);
  return new Rng(s0, s1, s2, s3);
}

/** A table for weighted choice: values and cumulative weights normalised to 1. */
export interface Weighted<T> {
  readonly values: readonly T[];
  readonly cumulative: Float64Array;
}

/** Build a {@link Weighted} table from `[value, weight]` pairs (weights > 0). */
export function weighted<T>(entries: readonly (readonly [T, number])[]): Weighted<T> {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  const cumulative = new Float64Array(entries.length);
  let acc = 0;
  entries.forEach(([, w], i) => {
    acc += w;
    cumulative[i] = acc / total;
  });
  cumulative[entries.length - 1] = 1;
  return { values: entries.map(([v]) => v), cumulative };
}

/** Draw from a {@link Weighted} table (binary search). */
export function draw<T>(rng: Rng, table: Weighted<T>): T {
  const u = rng.float();
  const c = table.cumulative;
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < (c[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return table.values[lo] as T;
}
