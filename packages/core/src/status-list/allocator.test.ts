import { describe, expect, test } from 'vitest';
import { createIndexAllocator } from './allocator.js';

const KEY = new Uint8Array(32).map((_, i) => i * 13 + 7);
const OTHER_KEY = new Uint8Array(32).map((_, i) => i * 29 + 1);

function allIndices(size: number, key = KEY, tweak?: string): number[] {
  const allocator = createIndexAllocator({ size, key, ...(tweak ? { tweak } : {}) });
  return Array.from({ length: size }, (_, counter) => allocator.indexAt(counter));
}

function expectPermutation(indices: readonly number[], size: number): void {
  const seen = new Uint8Array(size);
  for (const i of indices) {
    expect(Number.isInteger(i) && i >= 0 && i < size).toBe(true);
    seen[i] = (seen[i] as number) + 1;
  }
  expect(seen.every((n) => n === 1)).toBe(true);
}

describe('createIndexAllocator: uniqueness (draft-ietf-oauth-status-list §13.3)', () => {
  test.each([1, 2, 3, 7, 1000, 1024, 1025, 4099])(
    'size %i: every index in [0, size) appears exactly once over the counters',
    (size) => {
      expectPermutation(allIndices(size), size);
    },
  );

  test('next() hands out the same indices as indexAt(counter), then is exhausted', () => {
    const a = createIndexAllocator({ size: 1000, key: KEY });
    const b = createIndexAllocator({ size: 1000, key: KEY });
    const got = Array.from({ length: 1000 }, () => a.next());
    expect(got).toEqual(Array.from({ length: 1000 }, (_, c) => b.indexAt(c)));
    expect(a.issued).toBe(1000);
    expect(a.capacity).toBe(1000);
    expect(() => a.next()).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_ALLOCATOR_EXHAUSTED' }),
    );
  });

  test('a counter at or past the capacity is exhausted; a malformed counter is invalid', () => {
    const allocator = createIndexAllocator({ size: 1024, key: KEY });
    for (const counter of [1024, 5000, 2 ** 40])
      expect(() => allocator.indexAt(counter)).toThrow(
        expect.objectContaining({ code: 'ERR_STATUS_ALLOCATOR_EXHAUSTED' }),
      );
    for (const counter of [-1, 1.5, Number.NaN, 2 ** 53])
      expect(() => allocator.indexAt(counter)).toThrow(
        expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
      );
  });

  test('start resumes an in-memory allocator', () => {
    const resumed = createIndexAllocator({ size: 64, key: KEY, start: 60 });
    const fresh = createIndexAllocator({ size: 64, key: KEY });
    expect([resumed.next(), resumed.next()]).toEqual([fresh.indexAt(60), fresh.indexAt(61)]);
  });

  test('refuses keys under 128 bits and bad sizes', () => {
    for (const bad of [
      { size: 1024, key: new Uint8Array(15) },
      { size: 1024, key: 'secret' as unknown as Uint8Array },
      { size: 0, key: KEY },
      { size: 1.5, key: KEY },
      { size: 2 ** 32 + 1, key: KEY },
      { size: 16, key: KEY, start: 17 },
      { size: 16, key: KEY, tweak: 5 as unknown as string },
    ]) {
      expect(() => createIndexAllocator(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
      );
    }
  });
});

describe('createIndexAllocator: unpredictability (§12.4, §12.5.1)', () => {
  test('different keys, and different tweaks under one key, give different sequences', () => {
    const base = allIndices(1024);
    const otherKey = allIndices(1024, OTHER_KEY);
    const otherTweak = allIndices(1024, KEY, 'https://issuer.example/status/2');
    for (const other of [otherKey, otherTweak]) {
      const same = base.filter((v, i) => other[i] === v).length;
      expect(same).toBeLessThan(10); // a random pair of permutations agrees in ≈ 1 place
    }
  });

  test('the first 1000 indices of a 2^20 list are neither monotonic nor sequential, and spread out', () => {
    const size = 2 ** 20;
    const allocator = createIndexAllocator({ size, key: KEY });
    const first = Array.from({ length: 1000 }, (_, c) => allocator.indexAt(c));
    expect(new Set(first).size).toBe(1000);
    // Ascents: ≈ 500 ± 16 for a random order; 999 for an increasing one.
    let ascents = 0;
    let consecutive = 0;
    for (let i = 1; i < first.length; i++) {
      if ((first[i] as number) > (first[i - 1] as number)) ascents++;
      if (Math.abs((first[i] as number) - (first[i - 1] as number)) <= 1) consecutive++;
    }
    expect(ascents).toBeGreaterThan(420);
    expect(ascents).toBeLessThan(580);
    expect(consecutive).toBeLessThan(3);
    // Chi-square over 16 equal buckets of the index range: 15 degrees of freedom, and a value
    // above 37.7 has probability < 0.001 for uniform indices (a counter-ordered allocator puts all
    // 1000 in bucket 0: χ² = 15,000).
    const buckets = new Array<number>(16).fill(0);
    for (const i of first) {
      const b = Math.floor(i / (size / 16));
      buckets[b] = (buckets[b] as number) + 1;
    }
    const expected = first.length / 16;
    const chi2 = buckets.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(37.7);
    // The mean lands near the middle of the range (σ of the mean ≈ 9,600).
    const mean = first.reduce((a, b) => a + b, 0) / first.length;
    expect(Math.abs(mean - size / 2)).toBeLessThan(40_000);
  });

  test('is fast: at least 200k indices per second for a 2^20 list (tables included)', () => {
    const started = performance.now();
    const allocator = createIndexAllocator({ size: 2 ** 20, key: KEY });
    let sink = 0;
    const n = 200_000;
    for (let c = 0; c < n; c++) sink ^= allocator.indexAt(c);
    const seconds = (performance.now() - started) / 1000;
    expect(sink).toBeGreaterThanOrEqual(0);
    expect(n / seconds).toBeGreaterThan(200_000);
  });
});
