import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { assertStatusTransition, type StatusBits, StatusList, StatusType } from './status-list.js';

const BITS: readonly StatusBits[] = [1, 2, 4, 8];

describe('StatusList packing (draft-ietf-oauth-status-list §4.1)', () => {
  test('packs 1-bit statuses LSB-first: the §4.1 example gives 0xB9 0xA3', () => {
    const list = StatusList.create(16, 1);
    const statuses = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
    for (const [i, s] of statuses.entries()) list.set(i, s);
    expect([...list.bytes]).toEqual([0xb9, 0xa3]);
    expect(statuses.map((_, i) => list.get(i))).toEqual(statuses);
  });

  test('packs 2-bit statuses LSB-first: the §4.1 example gives 0xC9 0x44 0xF9', () => {
    const list = StatusList.create(12, 2);
    const statuses = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
    for (const [i, s] of statuses.entries()) list.set(i, s);
    expect([...list.bytes]).toEqual([0xc9, 0x44, 0xf9]);
  });

  test('index 0 lives in the least significant bits of byte 0 for every width', () => {
    for (const bits of BITS) {
      const list = StatusList.create(16, bits);
      list.set(0, 1);
      expect([...list.bytes.subarray(0, 2)]).toEqual([1, 0]);
      list.set(0, 0);
      list.set(1, 1); // index 1: the next `bits` bits, in byte 1 only for 8-bit lists
      expect([...list.bytes.subarray(0, 2)]).toEqual(bits === 8 ? [0, 1] : [1 << bits, 0]);
    }
  });

  test('fromBytes reads the size from the byte length', () => {
    const list = StatusList.fromBytes(new Uint8Array([0xb9, 0xa3]), 1);
    expect(list.size).toBe(16);
    expect(StatusList.fromBytes(new Uint8Array(3), 2).size).toBe(12);
    expect(StatusList.fromBytes(new Uint8Array(3), 8).size).toBe(3);
  });

  test('create rounds the byte array up and keeps the exact size', () => {
    const list = StatusList.create(10, 1);
    expect(list.bytes.length).toBe(2);
    expect(list.size).toBe(10);
    expect(() => list.get(10)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_INDEX_OUT_OF_RANGE' }),
    );
  });

  test('status type constants follow §7.1', () => {
    expect(StatusType).toEqual({ VALID: 0, INVALID: 1, SUSPENDED: 2, APPLICATION_SPECIFIC: 3 });
  });
});

describe('StatusList bounds', () => {
  const list = StatusList.create(64, 2);

  test.each([
    ['the size', 64],
    ['past the size', 1000],
    ['negative', -1],
    ['fractional', 1.5],
    ['beyond 2^53', 2 ** 53 + 2],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('get and set refuse an index %s (§8.3 step 6)', (_, index) => {
    expect(() => list.get(index)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_INDEX_OUT_OF_RANGE' }),
    );
    expect(() => list.set(index, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_INDEX_OUT_OF_RANGE' }),
    );
  });

  test.each([
    [1, 2],
    [2, 4],
    [4, 16],
    [8, 256],
  ] as const)('a %i-bit list refuses the value %i and negative or fractional values', (bits, v) => {
    const l = StatusList.create(8, bits);
    for (const bad of [v, -1, 0.5, Number.NaN]) {
      expect(() => l.set(0, bad)).toThrow(
        expect.objectContaining({ code: 'ERR_STATUS_VALUE_INVALID' }),
      );
    }
    l.set(0, v - 1);
    expect(l.get(0)).toBe(v - 1);
    expect(l.maxValue).toBe(v - 1);
  });

  test('creation refuses bad widths and sizes', () => {
    for (const [size, bits] of [
      [0, 1],
      [-1, 1],
      [1.5, 1],
      [8, 3],
      [8, 0],
      [2 ** 33, 2],
    ] as const) {
      expect(() => StatusList.create(size, bits as StatusBits)).toThrow(
        expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
      );
    }
    expect(() => StatusList.fromBytes(new Uint8Array(0), 1)).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });
});

describe('StatusList round trips (property)', () => {
  test('set then get returns the value and leaves every other entry unchanged', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BITS),
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 40 }),
        (bits, size, writes) => {
          const list = StatusList.create(size, bits);
          const model = new Array<number>(size).fill(0);
          for (const [i, raw] of writes) {
            const index = i % size;
            const value = raw % 2 ** bits;
            list.set(index, value);
            model[index] = value;
            expect(list.get(index)).toBe(value);
          }
          for (let i = 0; i < size; i++) expect(list.get(i)).toBe(model[i]);
        },
      ),
    );
  });
});

describe('assertStatusTransition', () => {
  test('revocation is final', () => {
    for (const to of [StatusType.VALID, StatusType.SUSPENDED, StatusType.APPLICATION_SPECIFIC]) {
      expect(() => assertStatusTransition(StatusType.INVALID, to)).toThrow(
        expect.objectContaining({ code: 'ERR_STATUS_VALUE_INVALID' }),
      );
    }
    expect(() => assertStatusTransition(StatusType.INVALID, StatusType.INVALID)).not.toThrow();
  });

  test('suspension can be lifted and any status can be revoked', () => {
    expect(() => assertStatusTransition(StatusType.SUSPENDED, StatusType.VALID)).not.toThrow();
    expect(() => assertStatusTransition(StatusType.VALID, StatusType.INVALID)).not.toThrow();
    expect(() => assertStatusTransition(StatusType.SUSPENDED, StatusType.INVALID)).not.toThrow();
  });
});
