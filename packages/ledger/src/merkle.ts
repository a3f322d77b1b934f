/**
 * @module merkle
 * RFC 9162 Merkle trees: leaf and node hashing (§2.1.1), inclusion proofs (§2.1.3) and
 * consistency proofs (§2.1.4) with their verification algorithms (§2.1.3.2, §2.1.4.2), plus a
 * multi-leaf proof (the same recursion as the Merkle Tree Hash, with the hashes of subtrees that
 * hold no proven leaf supplied by the prover) used by trust snapshots and query proofs.
 *
 * Storage model. Every range the RFC 9162 recursion visits starts at a multiple of the largest
 * power of two not above its length, so any such range is a left-to-right run of *complete*
 * subtrees ("perfect nodes", addressed by `level` and `index`: the node covers leaves
 * `[index·2^level, (index+1)·2^level)`). A log that keeps every perfect node (2n − 1 hashes for n
 * leaves, written once when the subtree completes, never changed) answers every root and proof of
 * every tree size with O(log n) stored hashes and O(log n) hash operations. Backends keep them in
 * memory ({@link createMemoryTree}) or in SQL (the embedded log); proof code plans the ranges it
 * needs ({@link inclusionRanges}, {@link consistencyRanges}, {@link multiRanges}), fetches their
 * perfect nodes in one go ({@link perfectNodes}) and folds them ({@link rangeHash}).
 */
import type { CryptoProvider } from '@openmid/core';
import { OpenMidError } from '@openmid/core';
import { bytesEqual, concatBytes, sha256 } from './internal/bytes.js';

/** A SHA-256 hash (32 bytes). */
export type Hash = Uint8Array;

/** A half-open range of leaf indices `[lo, hi)`. */
export type LeafRange = readonly [lo: number, hi: number];

/** A perfect (complete) subtree: leaves `[index·2^level, (index+1)·2^level)`. */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/** Reads the hash of a perfect node (synchronously, after the caller fetched it). */
export type NodeGetter = (level: number, index: number) => Hash;

const LEAF_PREFIX = new Uint8Array([0]);

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 ‖ d(0)). */
export function leafHash(data: Uint8Array, crypto?: CryptoProvider): Hash {
  return sha256(concatBytes(LEAF_PREFIX, data), crypto);
}

/** RFC 9162 §2.1.1: SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])). */
export function nodeHash(left: Hash, right: Hash, crypto?: CryptoProvider): Hash {
  const buf = new Uint8Array(65);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 33);
  return sha256(buf, crypto);
}

/** The hash of an empty tree, MTH({}) = SHA-256() (RFC 9162 §2.1.1). */
export function emptyRoot(crypto?: CryptoProvider): Hash {
  return sha256(new Uint8Array(0), crypto);
}

/** The largest power of two strictly below `n` (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPow2(n: number): boolean {
  // Math.log2 is exact on powers of two, and sizes are safe integers.
  return n > 0 && Number.isInteger(Math.log2(n));
}

function log2(n: number): number {
  return Math.round(Math.log2(n));
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new OpenMidError('ERR_LEDGER_PROOF_INVALID', `${what} must be a non-negative integer`);
  }
}

/**
 * The perfect nodes that make up `[lo, hi)`, left to right. `lo` must be a multiple of the largest
 * power of two not above `hi − lo` (true of every range the RFC 9162 recursion visits).
 */
export function perfectNodes(lo: number, hi: number): NodeKey[] {
  const out: NodeKey[] = [];
  let p = lo;
  while (p < hi) {
    let size = 1;
    while (size * 2 <= hi - p && p % (size * 2) === 0) size *= 2;
    out.push({ level: log2(size), index: p / size });
    p += size;
  }
  return out;
}

/**
 * MTH of the leaves `[lo, hi)` from perfect nodes: fold the decomposition from the right, which is
 * the RFC 9162 §2.1.1 recursion MTH(D[n]) = HASH(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])) with every
 * left part perfect.
 */
export function rangeHash(lo: number, hi: number, get: NodeGetter, crypto?: CryptoProvider): Hash {
  if (hi <= lo) return emptyRoot(crypto);
  const nodes = perfectNodes(lo, hi);
  const last = nodes[nodes.length - 1] as NodeKey;
  let h = get(last.level, last.index);
  for (let i = nodes.length - 2; i >= 0; i--) {
    const n = nodes[i] as NodeKey;
    h = nodeHash(get(n.level, n.index), h, crypto);
  }
  return h;
}

/**
 * The ranges whose hashes form the inclusion proof of leaf `m` in a tree of `n` leaves, in proof
 * order (leaf to root).
 *
 * @see RFC 9162 §2.1.3.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, else
 *   PATH(m − k, D[k:n]) : MTH(D[0:k]).
 */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  checkSize(n, 'tree size');
  if (!Number.isSafeInteger(m) || m < 0 || m >= n) {
    throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'Leaf index outside the tree');
  }
  const out: LeafRange[] = [];
  let lo = 0;
  let hi = n;
  const stack: LeafRange[] = [];
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < lo + k) {
      stack.push([lo + k, hi]);
      hi = lo + k;
    } else {
      stack.push([lo, lo + k]);
      lo = lo + k;
    }
  }
  // The recursion appends the sibling after the deeper path: reverse the descent.
  for (let i = stack.length - 1; i >= 0; i--) out.push(stack[i] as LeafRange);
  return out;
}

/**
 * The ranges whose hashes form the consistency proof between tree sizes `m` and `n`
 * (0 < m < n), in proof order.
 *
 * @see RFC 9162 §2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
 */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  checkSize(m, 'first tree size');
  checkSize(n, 'second tree size');
  if (m > n) throw new OpenMidError('ERR_LEDGER_ROLLBACK', 'The first tree is larger');
  if (m === 0 || m === n) return [];
  const tail: LeafRange[] = [];
  let lo = 0;
  let hi = n;
  let mm = m;
  let b = true;
  for (;;) {
    const size = hi - lo;
    if (mm === size) {
      // SUBPROOF(m, D[m], b) = {} if b, else {MTH(D[m])}.
      if (!b) tail.push([lo, hi]);
      break;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      tail.push([lo + k, hi]);
      hi = lo + k;
    } else {
      // SUBPROOF(m − k, D[k:n], false) : MTH(D[0:k])
      tail.push([lo, lo + k]);
      lo = lo + k;
      mm -= k;
      b = false;
    }
  }
  // Each level appends after the deeper subproof: the deepest item comes first.
  return tail.reverse();
}

/**
 * The ranges of a multi-leaf proof for the sorted, distinct leaf `indices` in a tree of `n`
 * leaves: the maximal subtrees of the RFC 9162 recursion that contain none of the indices, in
 * depth-first left-to-right order. A verifier recomputes the root from the leaves and these
 * hashes ({@link multiRoot}). With every leaf proven the proof is empty; for one leaf it holds the
 * same hashes as an inclusion proof, root first.
 */
export function multiRanges(indices: readonly number[], n: number): LeafRange[] {
  checkSize(n, 'tree size');
  checkIndices(indices, n);
  const out: LeafRange[] = [];
  const walk = (lo: number, hi: number, a: number, b: number): void => {
    // indices[a..b) are exactly those in [lo, hi)
    if (a === b) {
      out.push([lo, hi]);
      return;
    }
    if (hi - lo === 1) return;
    const mid = lo + splitPoint(hi - lo);
    const c = lowerBound(indices, mid, a, b);
    walk(lo, mid, a, c);
    walk(mid, hi, c, b);
  };
  if (n > 0) walk(0, n, 0, indices.length);
  return out;
}

function checkIndices(indices: readonly number[], n: number): void {
  let prev = -1;
  for (const i of indices) {
    if (!Number.isSafeInteger(i) || i <= prev || i >= n) {
      throw new OpenMidError(
        'ERR_LEDGER_PROOF_INVALID',
        'Proven leaf indices must be ascending, distinct and inside the tree',
      );
    }
    prev = i;
  }
}

function lowerBound(xs: readonly number[], v: number, a: number, b: number): number {
  let lo = a;
  let hi = b;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Recompute the root of a tree of `n` leaves from the proven leaves (`indices` ascending, with
 * their `leaves` hashes) and a multi-leaf proof. Returns `undefined` when the proof has the wrong
 * number of hashes (it must be consumed exactly).
 */
export function multiRoot(
  leaves: ReadonlyArray<readonly [index: number, hash: Hash]>,
  n: number,
  proof: readonly Hash[],
  crypto?: CryptoProvider,
): Hash | undefined {
  const indices = leaves.map((l) => l[0]);
  checkIndices(indices, n);
  if (n === 0) return proof.length === 0 ? emptyRoot(crypto) : undefined;
  let next = 0;
  let short = false;
  const walk = (lo: number, hi: number, a: number, b: number): Hash => {
    if (a === b) {
      const h = proof[next++];
      if (h === undefined) {
        short = true;
        return new Uint8Array(32);
      }
      return h;
    }
    if (hi - lo === 1) return (leaves[a] as readonly [number, Hash])[1];
    const mid = lo + splitPoint(hi - lo);
    const c = lowerBound(indices, mid, a, b);
    const left = walk(lo, mid, a, c);
    const right = walk(mid, hi, c, b);
    return nodeHash(left, right, crypto);
  };
  const root = walk(0, n, 0, indices.length);
  return short || next !== proof.length ? undefined : root;
}

function lsb(x: number): boolean {
  return x % 2 === 1;
}

function half(x: number): number {
  return Math.floor(x / 2);
}

/**
 * Verify an inclusion proof: true when `leaf` is the leaf `index` of the tree of `size` leaves whose
 * root is `root`.
 *
 * @see RFC 9162 §2.1.3.2 (the algorithm is followed step by step)
 */
export function verifyInclusion(
  proof: { readonly index: number; readonly size: number; readonly path: readonly Hash[] },
  leaf: Hash,
  root: Hash,
  crypto?: CryptoProvider,
): boolean {
  const { index, size, path } = proof;
  // 1. leaf_index ≥ tree_size fails.
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return false;
  }
  // 2. fn = leaf_index, sn = tree_size − 1.  3. r = hash.
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  // 4. For each value p in the inclusion_path array:
  for (const p of path) {
    if (p.length !== 32) return false;
    // a. If sn is 0, fail.
    if (sn === 0) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn:
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r, crypto);
      // ii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p, crypto);
    }
    // c. Right-shift both fn and sn one time.
    fn = half(fn);
    sn = half(sn);
  }
  // 5. sn must be 0 and r must equal the root.
  return sn === 0 && bytesEqual(r, root);
}

/**
 * Verify a consistency proof between the tree of `first` leaves (root `firstRoot`) and the tree
 * of `second` leaves (root `secondRoot`). Equal sizes need an empty proof and equal roots; an empty
 * first tree is consistent with everything.
 *
 * @see RFC 9162 §2.1.4.2 (the algorithm is followed step by step)
 */
export function verifyConsistency(
  proof: { readonly first: number; readonly second: number; readonly path: readonly Hash[] },
  firstRoot: Hash,
  secondRoot: Hash,
  crypto?: CryptoProvider,
): boolean {
  const { first, second } = proof;
  if (
    !Number.isSafeInteger(first) ||
    !Number.isSafeInteger(second) ||
    first < 0 ||
    first > second
  ) {
    return false;
  }
  if (proof.path.some((h) => h.length !== 32)) return false;
  if (first === second) return proof.path.length === 0 && bytesEqual(firstRoot, secondRoot);
  if (first === 0) return proof.path.length === 0;
  // 1. An empty consistency_path fails.
  if (proof.path.length === 0) return false;
  // 2. If first is an exact power of 2, prepend first_hash.
  const path = isPow2(first) ? [firstRoot, ...proof.path] : [...proof.path];
  // 3. fn = first − 1, sn = second − 1.
  let fn = first - 1;
  let sn = second - 1;
  // 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. fr = sr = the first value of the path.
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  // 6. For each subsequent value c:
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Hash;
    // a. If sn is 0, fail.
    if (sn === 0) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn:
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr, crypto);
      sr = nodeHash(c, sr, crypto);
      // ii. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c, crypto);
    }
    // c. Right-shift both one time.
    fn = half(fn);
    sn = half(sn);
  }
  // 7. fr = first_hash, sr = second_hash and sn = 0.
  return sn === 0 && bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot);
}

/** An append-only RFC 9162 tree kept in memory: every perfect node, in flat per-level buffers. */
export interface MemoryTree {
  /** Number of leaves. */
  readonly size: number;
  /** Append a leaf hash; completes O(1) perfect nodes (amortised). */
  append(leaf: Hash): void;
  /** The perfect node `(level, index)`; throws when it is not complete yet. */
  node(level: number, index: number): Hash;
  /** MTH of the first `size` leaves (default: all). */
  root(size?: number): Hash;
  /** Drop every leaf from `size` on (a chain reorganisation). */
  truncate(size: number): void;
}

/** Create an empty {@link MemoryTree}. */
export function createMemoryTree(crypto?: CryptoProvider): MemoryTree {
  const levels: { buf: Uint8Array; count: number }[] = [];
  let size = 0;
  const get = (level: number, index: number): Hash => {
    const l = levels[level];
    if (l === undefined || index < 0 || index >= l.count) {
      throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such Merkle node');
    }
    return l.buf.subarray(index * 32, index * 32 + 32);
  };
  const push = (level: number, h: Hash): void => {
    let l = levels[level];
    if (l === undefined) {
      l = { buf: new Uint8Array(32 * 64), count: 0 };
      levels[level] = l;
    }
    if ((l.count + 1) * 32 > l.buf.length) {
      const bigger = new Uint8Array(l.buf.length * 2);
      bigger.set(l.buf);
      l.buf = bigger;
    }
    l.buf.set(h, l.count * 32);
    l.count++;
  };
  return {
    get size() {
      return size;
    },
    append(leaf) {
      if (leaf.length !== 32) throw new OpenMidError('ERR_INTERNAL', 'Leaf hash must be 32 bytes');
      push(0, leaf);
      let index = size;
      let level = 0;
      let h = leaf;
      // A perfect node completes whenever its index is odd: hash it with its left sibling.
      while (index % 2 === 1) {
        h = nodeHash(get(level, index - 1), h, crypto);
        level++;
        index = (index - 1) / 2;
        push(level, h);
      }
      size++;
    },
    node: get,
    root(n = size) {
      if (!Number.isSafeInteger(n) || n < 0 || n > size) {
        throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such tree size');
      }
      return rangeHash(0, n, get, crypto);
    },
    truncate(n) {
      if (n >= size) return;
      for (let level = 0; level < levels.length; level++) {
        const l = levels[level] as { buf: Uint8Array; count: number };
        l.count = Math.min(l.count, Math.floor(n / 2 ** level));
      }
      size = n;
    },
  };
}

/** Evaluate ranges against a node getter (the second half of proof generation). */
export function hashRanges(
  ranges: readonly LeafRange[],
  get: NodeGetter,
  crypto?: CryptoProvider,
): Hash[] {
  return ranges.map(([lo, hi]) => rangeHash(lo, hi, get, crypto));
}

/** Every perfect node the given ranges need, without duplicates. */
export function nodesForRanges(ranges: readonly LeafRange[]): NodeKey[] {
  const seen = new Set<string>();
  const out: NodeKey[] = [];
  for (const [lo, hi] of ranges) {
    for (const k of perfectNodes(lo, hi)) {
      const id = `${k.level}:${k.index}`;
      if (!seen.has(id)) {
        seen.add(id);
        out.push(k);
      }
    }
  }
  return out;
}
