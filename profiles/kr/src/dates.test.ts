import { describe, expect, test } from 'vitest';
import {
  addDays,
  addYears,
  ageOn,
  dateOfAge,
  isIsoDate,
  isYouthProtectionAdult,
  kstDateOf,
  parseIsoDate,
  toEpochSeconds,
} from './dates.js';

describe('ISO dates', () => {
  test('parse only real calendar days in strict YYYY-MM-DD', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('2024-2-09')).toBe(false);
    expect(isIsoDate('2024-02-09T00:00:00Z')).toBe(false);
    expect(isIsoDate(20240209)).toBe(false);
  });

  test('addYears moves 29 February to 28 February in common years (민법 §160 ③)', () => {
    expect(addYears('2024-02-29', 3)).toBe('2027-02-28');
    expect(addYears('2024-12-19', 3)).toBe('2027-12-19');
  });

  test('addDays crosses months and years', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('0050-01-01', 1)).toBe('0050-01-02');
  });
});

describe('kstDateOf', () => {
  test('counts the calendar day in Korea (UTC+9)', () => {
    expect(kstDateOf(new Date('2025-03-27T14:59:59Z'))).toBe('2025-03-27');
    expect(kstDateOf(new Date('2025-03-27T15:00:00Z'))).toBe('2025-03-28');
    expect(kstDateOf(Date.parse('2025-03-27T15:00:00Z') / 1000)).toBe('2025-03-28');
  });

  test('rejects invalid instants', () => {
    expect(() => toEpochSeconds(new Date('nope'))).toThrow(RangeError);
    expect(() => toEpochSeconds(Number.NaN)).toThrow(RangeError);
    expect(() => toEpochSeconds(-1)).toThrow(RangeError);
  });
});

describe('만 나이 (민법 §158)', () => {
  test('goes up on the birthday itself', () => {
    expect(ageOn('2006-03-28', '2025-03-27')).toBe(18);
    expect(ageOn('2006-03-28', '2025-03-28')).toBe(19);
    expect(dateOfAge('2006-03-28', 19)).toBe('2025-03-28');
  });

  test('a 29-February birth ages on 1 March of common years and on 29 February of leap years', () => {
    expect(ageOn('2004-02-29', '2023-02-28')).toBe(18);
    expect(ageOn('2004-02-29', '2023-03-01')).toBe(19);
    expect(dateOfAge('2004-02-29', 19)).toBe('2023-03-01');
    expect(ageOn('2004-02-29', '2024-02-28')).toBe(19);
    expect(ageOn('2004-02-29', '2024-02-29')).toBe(20);
    expect(dateOfAge('2004-02-29', 20)).toBe('2024-02-29');
  });
});

describe('청소년 보호법 §2 1호 (the calendar-year rule)', () => {
  test('a person is no longer a youth from 1 January of the year of the 19th birthday', () => {
    expect(isYouthProtectionAdult('2007-12-31', '2025-12-31')).toBe(false);
    expect(isYouthProtectionAdult('2007-12-31', '2026-01-01')).toBe(true);
    // …while the Civil Act age of majority comes only on the birthday.
    expect(ageOn('2007-12-31', '2026-01-01')).toBe(18);
  });
});
