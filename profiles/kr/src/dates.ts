/**
 * @module dates
 * Calendar dates of the Korean profile: ISO 8601 full dates (`YYYY-MM-DD`, the form every date
 * claim uses), the Korea Standard Time calendar day of an instant, and ages.
 *
 * Ages follow 민법 §158 (as amended 2022-12-27, in force 2023-06-28): "나이는 출생일을 산입하여
 * 만(滿) 나이로 계산하고, 연수로 표시한다" — the age goes up on the birthday itself. A person born on
 * 29 February reaches a new age on 1 March of a common year: the year period that began on the
 * birth day ends at the end of the last day of February (민법 §160 ②–③).
 */

/** A calendar date `YYYY-MM-DD` (ISO 8601 full-date, proleptic Gregorian). */
export type IsoDate = string;

/** An instant: a `Date`, or a NumericDate (seconds since the epoch, as in JWT `iat`). */
export type Instant = Date | number;

/** Korea Standard Time is UTC+9 all year (no daylight saving since 1988). */
export const KST_OFFSET_SECONDS = 9 * 3600;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date split into numbers. */
export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** True for Gregorian leap years. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when year/month/day name a real calendar day (years 1–9999). */
export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Parse a strict `YYYY-MM-DD` string naming a real day; `undefined` otherwise. */
export function parseIsoDate(text: string): DateParts | undefined {
  if (typeof text !== 'string' || text.length !== 10) return undefined;
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isValidDate(year, month, day) ? { year, month, day } : undefined;
}

/** True when `text` is a strict `YYYY-MM-DD` naming a real day. */
export function isIsoDate(text: unknown): text is IsoDate {
  return typeof text === 'string' && parseIsoDate(text) !== undefined;
}

/** Format numbers as `YYYY-MM-DD`. */
export function formatIsoDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/**
 * Seconds since the epoch of an instant. Throws a `RangeError` for an invalid `Date` or a
 * non-finite or negative number (callers turn it into their own error code).
 */
export function toEpochSeconds(instant: Instant): number {
  const s = instant instanceof Date ? instant.getTime() / 1000 : instant;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
    throw new RangeError('Not a valid instant');
  }
  return Math.floor(s);
}

/** The calendar day in Korea (KST, UTC+9) at an instant: the day Korean law counts from. */
export function kstDateOf(instant: Instant): IsoDate {
  const ms = (toEpochSeconds(instant) + KST_OFFSET_SECONDS) * 1000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Compare two ISO dates: negative, zero or positive (they sort as strings). */
export function compareIsoDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function requireDate(text: IsoDate): DateParts {
  const d = parseIsoDate(text);
  if (d === undefined) throw new RangeError('Not a YYYY-MM-DD calendar date');
  return d;
}

/**
 * 만 나이 (age in completed years) on a given day, 민법 §158. The age increases on the birthday;
 * 29-February births increase on 1 March in common years.
 */
export function ageOn(birthDate: IsoDate, onDate: IsoDate): number {
  const b = requireDate(birthDate);
  const d = requireDate(onDate);
  const beforeBirthday = d.month < b.month || (d.month === b.month && d.day < b.day);
  return d.year - b.year - (beforeBirthday ? 1 : 0);
}

/**
 * The first day on which a person born on `birthDate` is `age` years old (민법 §158, §160 ③):
 * the birthday in year `birth year + age`, or 1 March when that year has no 29 February.
 */
export function dateOfAge(birthDate: IsoDate, age: number): IsoDate {
  const b = requireDate(birthDate);
  const year = b.year + age;
  if (b.month === 2 && b.day === 29 && !isLeapYear(year)) return formatIsoDate(year, 3, 1);
  return formatIsoDate(year, b.month, b.day);
}

/**
 * 청소년 보호법 §2 1호: a 청소년 is a person under 만 19 "다만, 만 19세가 되는 해의 1월 1일을 맞이한
 * 사람은 제외한다" — from 1 January of the year of the 19th birthday a person is no longer a youth
 * for alcohol, tobacco and youth-restricted venues, whatever the birthday. This is looser than the
 * Civil Act age of majority that `age_over_19` states (민법 §4), so a verifier relying on
 * `age_over_19` never serves a youth, but may refuse someone the Youth Protection Act would allow.
 */
export function isYouthProtectionAdult(birthDate: IsoDate, onDate: IsoDate): boolean {
  return requireDate(onDate).year >= requireDate(birthDate).year + 19;
}

/**
 * Add calendar years to a date; a 29 February that does not exist in the target year becomes
 * 28 February (the period ends on the last day of the month, 민법 §160 ③).
 */
export function addYears(date: IsoDate, years: number): IsoDate {
  const d = requireDate(date);
  const year = d.year + years;
  const day = Math.min(d.day, daysInMonth(year, d.month));
  return formatIsoDate(year, d.month, day);
}

/** Add days to a date (may be negative). */
export function addDays(date: IsoDate, days: number): IsoDate {
  const d = requireDate(date);
  const t = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  t.setUTCFullYear(d.year, d.month - 1, d.day + days);
  return formatIsoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}
