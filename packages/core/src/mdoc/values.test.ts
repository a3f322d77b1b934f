/**
 * tdate and full-date (ISO/IEC 18013-5 §7.2.1, §9.1.2.4) and the JSON view of element values.
 */
import { describe, expect, test } from 'vitest';
import { CborTag } from './cbor/types.js';
import { fullDate, isFullDate, mdocValueToJson, readTdate, tdate } from './values.js';

describe('tdate in ValidityInfo (18013-5 §9.1.2.4)', () => {
  test('round-trips whole seconds in UTC', () => {
    expect(tdate(1_700_000_000)).toEqual(new CborTag(0, '2023-11-14T22:13:20Z'));
    expect(readTdate(tdate(1_700_000_000))).toBe(1_700_000_000);
  });

  test.each([
    ['fractional seconds', '2023-11-14T22:13:20.5Z'],
    ['an offset instead of Z', '2023-11-14T22:13:20+00:00'],
    ['an impossible day', '2023-02-30T00:00:00Z'],
    ['hour 24', '2023-11-14T24:00:00Z'],
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['no seconds', '2023-11-14T22:13Z'],
  ])('refuses %s', (_name, text) => {
    expect(readTdate(new CborTag(0, text))).toBeUndefined();
  });

  test('refuses an untagged string or another tag', () => {
    expect(readTdate('2023-11-14T22:13:20Z')).toBeUndefined();
    expect(readTdate(new CborTag(1004, '2023-11-14T22:13:20Z'))).toBeUndefined();
  });
});

describe('full-date (RFC 8943)', () => {
  test('accepts real days only', () => {
    expect(isFullDate('2024-02-29')).toBe(true);
    expect(isFullDate('2023-02-29')).toBe(false);
    expect(() => fullDate('2023-13-01')).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });
});

describe('mdocValueToJson', () => {
  test('gives JSON-friendly values with own __proto__ keys', () => {
    const v = mdocValueToJson(
      new Map<string | number, unknown>([
        ['__proto__', 1],
        [7, new Uint8Array([255])],
        ['d', fullDate('2020-01-01')],
        ['big', 2n ** 64n - 1n],
      ]) as never,
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect({ ...v }).toEqual({
      ['__proto__']: 1,
      '7': '_w',
      d: '2020-01-01',
      big: '18446744073709551615',
    });
  });
});
