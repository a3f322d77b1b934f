import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatIsoDate, isValidDate } from '../dates.js';
import {
  isValidRrn,
  legacyRrnCheckDigit,
  maskRrn,
  parseRrn,
  rrnCenturyDigit,
  type Sex,
} from './rrn.js';

/** Build a 13-digit RRN from its parts; `legacy` picks a valid or a failing check digit. */
function makeRrn(
  birth: { y: number; m: number; d: number },
  s: number,
  tail5: string,
  legacy: boolean,
) {
  const front = `${String(birth.y % 100).padStart(2, '0')}${String(birth.m).padStart(2, '0')}${String(birth.d).padStart(2, '0')}`;
  const first12 = `${front}${s}${tail5}`;
  const check = legacyRrnCheckDigit(first12);
  return `${front}-${s}${tail5}${legacy ? check : (check + 1) % 10}`;
}

describe('parseRrn (DOMAIN.md §2.1)', () => {
  test('accepts the legacy test vector 971013-9019902: a man born in 1897, checksum valid', () => {
    expect(parseRrn('971013-9019902')).toEqual({
      normalised: '971013-9019902',
      birthDate: '1897-10-13',
      sex: 'male',
      foreigner: false,
      centuryDigit: 9,
      legacyChecksumOk: true,
    });
  });

  test('accepts the number without its hyphen and normalises it', () => {
    expect(parseRrn('9710139019902').normalised).toBe('971013-9019902');
  });

  test.each([
    ['0', '1800s', 'female', false],
    ['1', '1900s', 'male', false],
    ['2', '1900s', 'female', false],
    ['3', '2000s', 'male', false],
    ['4', '2000s', 'female', false],
    ['5', '1900s', 'male', true],
    ['6', '1900s', 'female', true],
    ['7', '2000s', 'male', true],
    ['8', '2000s', 'female', true],
    ['9', '1800s', 'male', false],
  ])('digit 7 = %s means born in the %s, %s, foreigner %s', (s, century, sex, foreigner) => {
    const r = parseRrn(`010101-${s}234567`);
    expect(r.birthDate.slice(0, 2)).toBe(century.slice(0, 2));
    expect(r.sex).toBe(sex);
    expect(r.foreigner).toBe(foreigner);
  });

  test('a post-2020-10 number with a random tail fails the legacy checksum but is valid', () => {
    // 2021-03-15, boy: S = 3, six random digits whose last one breaks the legacy check.
    const rrn = makeRrn({ y: 2021, m: 3, d: 15 }, 3, '82731', false);
    const r = parseRrn(rrn);
    expect(r.legacyChecksumOk).toBe(false);
    expect(r.birthDate).toBe('2021-03-15');
    expect(isValidRrn(rrn)).toBe(true);
  });

  test('reports the legacy checksum as a hint for a valid pre-2020 number', () => {
    expect(parseRrn(makeRrn({ y: 1990, m: 1, d: 1 }, 1, '23456', true)).legacyChecksumOk).toBe(
      true,
    );
  });

  test('accepts 29 February in a leap year of the right century only', () => {
    expect(parseRrn('000229-3123456').birthDate).toBe('2000-02-29');
    expect(parseRrn('000229-4123456').birthDate).toBe('2000-02-29');
    // 1900 was not a leap year: S = 1 makes 000229 impossible.
    expect(() => parseRrn('000229-1123456')).toThrow(
      expect.objectContaining({ code: 'ERR_KR_RRN_INVALID', details: { reason: 'date' } }),
    );
  });

  test.each([
    ['30 February', '900230-1234567', 'date'],
    ['month 13', '901301-1234567', 'date'],
    ['day 00', '900100-1234567', 'date'],
    ['31 April', '900431-2234567', 'date'],
    ['29 February 1999', '990229-1234567', 'date'],
    ['12 digits', '900101-123456', 'format'],
    ['14 digits', '900101-12345678', 'format'],
    ['letters', '9001O1-1234567', 'format'],
    ['two hyphens', '900101--1234567', 'format'],
    ['spaces', ' 900101-1234567', 'format'],
    ['full-width digits', '９００１０１-１２３４５６７', 'format'],
    ['an empty string', '', 'format'],
  ])('rejects %s', (_name, input, reason) => {
    expect(() => parseRrn(input)).toThrow(
      expect.objectContaining({ code: 'ERR_KR_RRN_INVALID', details: { reason } }),
    );
  });

  test('rejects a non-string without throwing anything but ERR_KR_RRN_INVALID', () => {
    expect(() => parseRrn(9001011234567 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'ERR_KR_RRN_INVALID' }),
    );
  });

  test('never echoes the number in the error', () => {
    try {
      parseRrn('900230-1234567');
      expect.unreachable();
    } catch (e) {
      expect(JSON.stringify(e)).not.toContain('900230');
      expect(String((e as Error).message)).not.toContain('900230');
    }
  });
});

describe('rrnCenturyDigit', () => {
  test.each([
    [1897, 'male', false, 9],
    [1899, 'female', false, 0],
    [1990, 'male', false, 1],
    [1990, 'female', false, 2],
    [2005, 'male', false, 3],
    [2005, 'female', false, 4],
    [1985, 'male', true, 5],
    [1985, 'female', true, 6],
    [2010, 'male', true, 7],
    [2010, 'female', true, 8],
  ] as const)('%i %s foreigner=%s → %i', (year, sex, foreigner, digit) => {
    expect(rrnCenturyDigit(year, sex, foreigner)).toBe(digit);
  });

  test('has no digit for foreigners born in the 1800s', () => {
    expect(() => rrnCenturyDigit(1890, 'male', true)).toThrow(RangeError);
  });
});

const birthArb = fc
  .record({
    y: fc.integer({ min: 1800, max: 2099 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .filter((b) => isValidDate(b.y, b.m, b.d));

describe('RRN properties', () => {
  test('every number built from a real date, sex and century validates and states them', () => {
    fc.assert(
      fc.property(
        birthArb,
        fc.constantFrom<Sex>('male', 'female'),
        fc.boolean(),
        fc.stringMatching(/^\d{5}$/),
        fc.boolean(),
        (birth, sex, foreigner, tail, legacy) => {
          fc.pre(!(foreigner && birth.y < 1900));
          const s = rrnCenturyDigit(birth.y, sex, foreigner);
          const r = parseRrn(makeRrn(birth, s, tail, legacy));
          expect(r.birthDate).toBe(formatIsoDate(birth.y, birth.m, birth.d));
          expect(r.sex).toBe(sex);
          expect(r.foreigner).toBe(foreigner);
          if (legacy) expect(r.legacyChecksumOk).toBe(true);
          if (!legacy && !foreigner) expect(r.legacyChecksumOk).toBe(false);
        },
      ),
    );
  });

  test('masking never reveals the last six digits', () => {
    fc.assert(
      fc.property(
        birthArb,
        fc.constantFrom<Sex>('male', 'female'),
        fc.stringMatching(/^\d{5}$/),
        (birth, sex, tail) => {
          const rrn = makeRrn(birth, rrnCenturyDigit(birth.y, sex), tail, true);
          const masked = maskRrn(rrn);
          expect(masked).toBe(`${rrn.slice(0, 8)}******`);
          expect(masked).not.toMatch(/\d{7}$/);
          expect(masked.slice(8)).not.toMatch(/\d/);
        },
      ),
    );
  });
});
