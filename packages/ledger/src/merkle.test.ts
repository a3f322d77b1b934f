import { describe, expect, test } from 'vitest';
import { concatBytes, sha256, toHex, utf8 } from './internal/bytes.js';
import {
  consistencyRanges,
  createMemoryTree,
  type Hash,
  hashRanges,
  inclusionRanges,
  leafHash,
  multiRanges,
  multiRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// A NAIVE RFC 9162 implementation, written straight from the text of §2.1.1, §2.1.3.1 and
// §2.1.4.1 over the leaf data, to check the stored-node implementation against.
const data = (i: number): Uint8Array => utf8(`leaf ${i}`);
const memo = new Map<string, Hash>();
function mth(lo: number, hi: number): Hash {
  const key = `${lo}:${hi}`;
  const cached = memo.get(key);
  if (cached) return cached;
  let h: Hash;
  const n = hi - lo;
  if (n === 0) h = sha256(new Uint8Array(0));
  else if (n === 1) h = sha256(concatBytes(new Uint8Array([0]), data(lo)));
  else {
    let k = 1;
    while (k * 2 < n) k *= 2; // the largest power of two smaller than n
    h = sha256(concatBytes(new Uint8Array([1]), mth(lo, lo + k), mth(lo + k, hi)));
  }
  memo.set(key, h);
  return h;
}
function path(m: number, lo: number, hi: number): Hash[] {
  const n = hi - lo;
  if (n <= 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k
    ? [...path(m, lo, lo + k), mth(lo + k, hi)]
    : [...path(m - k, lo + k, hi), mth(lo, lo + k)];
}
function subproof(m: number, lo: number, hi: number, b: boolean): Hash[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [mth(lo, hi)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? [...subproof(m, lo, lo + k, b), mth(lo + k, hi)]
    : [...subproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
}

const N = 1024;
const tree = createMemoryTree();
for (let i = 0; i < N; i++) tree.append(leafHash(data(i)));
const hex = (hs: readonly Hash[]): string[] => hs.map(toHex);
const SAMPLE_SIZES = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257,
  511, 512, 513, 777, 1000, 1023, 1024,
];
function flip(h: Hash): Hash {
  const c = new Uint8Array(h);
  c[7] = (c[7] as number) ^ 0x10;
  return c;
}

describe('RFC 9162 Merkle tree (against a naive recursive implementation)', () => {
  test('the empty tree hash is SHA-256 of nothing (§2.1.1)', () => {
    expect(toHex(createMemoryTree().root())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  test('roots equal MTH for every tree size 1..1024 (§2.1.1)', () => {
    for (let n = 1; n <= N; n++) expect(toHex(tree.root(n))).toBe(toHex(mth(0, n)));
  });

  test('inclusion proofs equal PATH(m, D[n]) for every m of sample sizes, and verify (§2.1.3)', () => {
    for (const n of SAMPLE_SIZES) {
      const root = tree.root(n);
      for (let m = 0; m < n; m++) {
        const proof = hashRanges(inclusionRanges(m, n), tree.node);
        expect(hex(proof)).toEqual(hex(path(m, 0, n)));
        expect(verifyInclusion({ index: m, size: n, path: proof }, leafHash(data(m)), root)).toBe(
          true,
        );
      }
    }
  });

  test('inclusion proofs verify for every (m, n) up to 256', () => {
    for (let n = 1; n <= 256; n++) {
      const root = tree.root(n);
      for (let m = 0; m < n; m++) {
        const proof = hashRanges(inclusionRanges(m, n), tree.node);
        expect(verifyInclusion({ index: m, size: n, path: proof }, leafHash(data(m)), root)).toBe(
          true,
        );
      }
    }
  });

  test('consistency proofs equal PROOF(m, D[n]) for every m of sample sizes, and verify (§2.1.4)', () => {
    for (const n of SAMPLE_SIZES) {
      for (let m = 1; m < n; m++) {
        const proof = hashRanges(consistencyRanges(m, n), tree.node);
        expect(hex(proof)).toEqual(hex(subproof(m, 0, n, true)));
        expect(
          verifyConsistency({ first: m, second: n, path: proof }, tree.root(m), tree.root(n)),
        ).toBe(true);
      }
    }
  });

  test('consistency proofs verify for every 0 < m < n ≤ 128', () => {
    for (let n = 2; n <= 128; n++) {
      for (let m = 1; m < n; m++) {
        const proof = hashRanges(consistencyRanges(m, n), tree.node);
        expect(
          verifyConsistency({ first: m, second: n, path: proof }, tree.root(m), tree.root(n)),
        ).toBe(true);
      }
    }
  });

  test('a bit flipped anywhere in an inclusion proof, leaf or root fails (§2.1.3.2)', () => {
    for (const [m, n] of [
      [0, 1024],
      [5, 7],
      [511, 513],
      [1023, 1024],
      [300, 777],
    ] as const) {
      const proof = hashRanges(inclusionRanges(m, n), tree.node);
      const leaf = leafHash(data(m));
      const root = tree.root(n);
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((h, j) => (j === i ? flip(h) : h));
        expect(verifyInclusion({ index: m, size: n, path: bad }, leaf, root)).toBe(false);
      }
      expect(verifyInclusion({ index: m, size: n, path: proof }, flip(leaf), root)).toBe(false);
      expect(verifyInclusion({ index: m, size: n, path: proof }, leaf, flip(root))).toBe(false);
      // Wrong position, wrong size, truncated or extended path.
      expect(verifyInclusion({ index: m ^ 1, size: n, path: proof }, leaf, root)).toBe(false);
      expect(verifyInclusion({ index: m, size: 2 * n, path: proof }, leaf, root)).toBe(false);
      expect(verifyInclusion({ index: m, size: n, path: proof.slice(1) }, leaf, root)).toBe(false);
      expect(
        verifyInclusion({ index: m, size: n, path: [...proof, proof[0] as Hash] }, leaf, root),
      ).toBe(false);
      expect(verifyInclusion({ index: n, size: n, path: proof }, leaf, root)).toBe(false);
    }
  });

  test('a bit flipped in a consistency proof or either root fails (§2.1.4.2)', () => {
    for (const [m, n] of [
      [1, 2],
      [3, 7],
      [4, 8],
      [6, 8],
      [512, 1024],
      [513, 1000],
      [1000, 1024],
    ] as const) {
      const proof = hashRanges(consistencyRanges(m, n), tree.node);
      const r1 = tree.root(m);
      const r2 = tree.root(n);
      for (let i = 0; i < proof.length; i++) {
        const bad = proof.map((h, j) => (j === i ? flip(h) : h));
        expect(verifyConsistency({ first: m, second: n, path: bad }, r1, r2)).toBe(false);
      }
      expect(verifyConsistency({ first: m, second: n, path: proof }, flip(r1), r2)).toBe(false);
      expect(verifyConsistency({ first: m, second: n, path: proof }, r1, flip(r2))).toBe(false);
      expect(verifyConsistency({ first: m, second: n, path: [] }, r1, r2)).toBe(false);
      // A tree with a different leaf m−1 (a rewritten history) is not consistent.
      const forked = createMemoryTree();
      for (let i = 0; i < n; i++) forked.append(leafHash(i === m - 1 ? utf8('evil') : data(i)));
      expect(verifyConsistency({ first: m, second: n, path: proof }, r1, forked.root(n))).toBe(
        false,
      );
    }
  });

  test('equal sizes need equal roots and an empty proof; the empty tree is consistent', () => {
    const r = tree.root(10);
    expect(verifyConsistency({ first: 10, second: 10, path: [] }, r, r)).toBe(true);
    expect(verifyConsistency({ first: 10, second: 10, path: [] }, r, flip(r))).toBe(false);
    expect(verifyConsistency({ first: 0, second: 10, path: [] }, tree.root(0), r)).toBe(true);
    expect(verifyConsistency({ first: 11, second: 10, path: [] }, r, r)).toBe(false);
  });

  test('multi-leaf proofs rebuild the root for subsets of leaves, and only with the exact proof', () => {
    const sets: [number[], number][] = [
      [[0], 1],
      [[0], 1024],
      [[3, 4, 5], 9],
      [[0, 1, 2, 3, 4, 5, 6], 7],
      [[1, 100, 500, 501, 1023], 1024],
      [[17, 300, 776], 777],
    ];
    for (const [indices, n] of sets) {
      const proof = hashRanges(multiRanges(indices, n), tree.node);
      const leaves = indices.map((i) => [i, leafHash(data(i))] as const);
      expect(toHex(multiRoot(leaves, n, proof) as Hash)).toBe(toHex(mth(0, n)));
      if (proof.length > 0) {
        expect(multiRoot(leaves, n, proof.slice(1))).toBeUndefined();
        const bad = proof.map((h, j) => (j === 0 ? flip(h) : h));
        expect(toHex(multiRoot(leaves, n, bad) as Hash)).not.toBe(toHex(mth(0, n)));
      }
      expect(multiRoot(leaves, n, [...proof, mth(0, 1)])).toBeUndefined();
    }
    // All leaves: no proof hash at all.
    const all = Array.from({ length: 100 }, (_, i) => [i, leafHash(data(i))] as const);
    expect(
      multiRanges(
        all.map((l) => l[0]),
        100,
      ),
    ).toEqual([]);
    expect(toHex(multiRoot(all, 100, []) as Hash)).toBe(toHex(mth(0, 100)));
  });

  test('truncation (a reorganisation) gives back the earlier tree exactly', () => {
    const t = createMemoryTree();
    for (let i = 0; i < 77; i++) t.append(leafHash(data(i)));
    t.truncate(50);
    expect(t.size).toBe(50);
    expect(toHex(t.root())).toBe(toHex(mth(0, 50)));
    for (let i = 50; i < 77; i++) t.append(leafHash(data(i)));
    expect(toHex(t.root())).toBe(toHex(mth(0, 77)));
  });
});
