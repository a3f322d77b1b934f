/**
 * @module validators/rrn
 * 주민등록번호 (resident registration number, RRN) and 외국인등록번호 (foreigner registration
 * number): 13 digits `YYMMDD-SXXXXXX` (DOMAIN.md §2.1).
 *
 * - Digits 1–6 are the birth date; digit 7 (S) gives the century and sex, and marks foreigners:
 *   9/0 Korean male/female born 1800–1899, 1/2 born 1900–1999, 3/4 born 2000–2099; 5/6 foreigner
 *   male/female born 1900–1999, 7/8 born 2000–2099.
 * - Until 2020-09 digits 8–13 were a registration-office code, a serial and a check digit. Since
 *   2020-10 (주민등록법 시행규칙 as amended 2020) newly assigned or changed numbers carry six
 *   random digits, so a failed check digit is NOT proof that a number is invalid: the check is
 *   reported as the hint `legacyChecksumOk`, never as a rejection.
 * - The old office code is never interpreted: deriving a region or birthplace from an RRN is
 *   wrong for post-2020 numbers and discriminatory for the others.
 *
 * The number is personal data whose processing needs a statutory basis (PIPA art. 24-2): errors
 * never echo it, and {@link maskRrn} is the only form to display outside its owner's wallet.
 */
import { OpenMidError } from '@openmid/core/errors';
import { formatIsoDate, type IsoDate, isValidDate } from '../dates.js';

/** Sex as encoded by the RRN century/sex digit. */
export type Sex = 'male' | 'female';

/** A structurally valid RRN, split into what it states. */
export interface ParsedRrn {
  /** Canonical form `YYMMDD-SXXXXXX`. */
  readonly normalised: string;
  /** Birth date from digits 1–6 and the century of digit 7. */
  readonly birthDate: IsoDate;
  /** Sex from digit 7. */
  readonly sex: Sex;
  /** True for 외국인등록번호 (digit 7 is 5–8). */
  readonly foreigner: boolean;
  /** Digit 7 itself. */
  readonly centuryDigit: number;
  /**
   * Whether the pre-2020-10 check digit holds. A HINT only: numbers assigned since 2020-10 have a
   * random tail and fail it about nine times in ten while being perfectly valid.
   */
  readonly legacyChecksumOk: boolean;
}

/** Why an RRN was rejected (safe to log: it never contains the number). */
export type RrnInvalidReason = 'format' | 'date';

const RRN = /^(\d{6})-?(\d{7})$/;
const WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5] as const;

/** Century (first year) and sex for each value of digit 7. */
const CENTURY_DIGIT: readonly { century: number; sex: Sex; foreigner: boolean }[] = [
  { century: 1800, sex: 'female', foreigner: false }, // 0
  { century: 1900, sex: 'male', foreigner: false }, // 1
  { century: 1900, sex: 'female', foreigner: false }, // 2
  { century: 2000, sex: 'male', foreigner: false }, // 3
  { century: 2000, sex: 'female', foreigner: false }, // 4
  { century: 1900, sex: 'male', foreigner: true }, // 5
  { century: 1900, sex: 'female', foreigner: true }, // 6
  { century: 2000, sex: 'male', foreigner: true }, // 7
  { century: 2000, sex: 'female', foreigner: true }, // 8
  { century: 1800, sex: 'male', foreigner: false }, // 9
];

function invalid(reason: RrnInvalidReason): OpenMidError {
  return new OpenMidError('ERR_KR_RRN_INVALID', 'Invalid resident registration number', {
    details: { reason },
  });
}

/**
 * The legacy (1975 – 2020-09) check digit of the first 12 digits of an RRN:
 * `(11 − Σ dᵢ·wᵢ mod 11) mod 10`, w = 2,3,4,5,6,7,8,9,2,3,4,5 (DOMAIN.md §2.1).
 */
export function legacyRrnCheckDigit(first12: string): number {
  if (!/^\d{12}$/.test(first12)) throw new RangeError('Expected 12 digits');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (first12.charCodeAt(i) - 48) * (WEIGHTS[i] as number);
  return (11 - (sum % 11)) % 10;
}

/**
 * Digit 7 for a person born in `year` (1800–2099) of `sex`, Korean or foreigner. Throws a
 * `RangeError` for combinations the scheme has no digit for (foreigners born before 1900).
 */
export function rrnCenturyDigit(year: number, sex: Sex, foreigner = false): number {
  const century = Math.floor(year / 100) * 100;
  const digit = CENTURY_DIGIT.findIndex(
    (c) => c.century === century && c.sex === sex && c.foreigner === foreigner,
  );
  if (digit < 0) throw new RangeError('No RRN century digit for this birth year');
  return digit;
}

/**
 * Parse and validate an RRN (`\d{6}-?\d{7}`): digits 1–6 must be a real calendar day of the
 * century digit 7 gives (leap years included; every digit 0–9 has a meaning). The legacy check
 * digit is reported, not enforced.
 *
 * @throws OpenMidError `ERR_KR_RRN_INVALID` with `details.reason` (`format` | `date`); the number
 *   itself is never part of the error.
 * @example parseRrn('971013-9019902') // { birthDate: '1897-10-13', sex: 'male', legacyChecksumOk: true, … }
 * @see DOMAIN.md §2.1, §8.1
 */
export function parseRrn(input: string): ParsedRrn {
  if (typeof input !== 'string' || input.length > 14) throw invalid('format');
  const m = RRN.exec(input);
  if (m === null) throw invalid('format');
  const front = m[1] as string;
  const back = m[2] as string;
  const centuryDigit = back.charCodeAt(0) - 48;
  const meaning = CENTURY_DIGIT[centuryDigit];
  // Every digit 0–9 has a meaning; the guard only narrows the type.
  if (meaning === undefined) throw invalid('format');
  const year = meaning.century + Number(front.slice(0, 2));
  const month = Number(front.slice(2, 4));
  const day = Number(front.slice(4, 6));
  if (!isValidDate(year, month, day)) throw invalid('date');
  const digits = front + back;
  const check = legacyRrnCheckDigit(digits.slice(0, 12));
  const last = digits.charCodeAt(12) - 48;
  // Foreigner numbers of the legacy scheme are commonly reported (public validator code, not an
  // official source) to use the citizen digit plus 2, mod 10; as this is only a hint, accept both.
  const legacyChecksumOk = last === check || (meaning.foreigner && last === (check + 2) % 10);
  return {
    normalised: `${front}-${back}`,
    birthDate: formatIsoDate(year, month, day),
    sex: meaning.sex,
    foreigner: meaning.foreigner,
    centuryDigit,
    legacyChecksumOk,
  };
}

/** True when {@link parseRrn} accepts the input. */
export function isValidRrn(input: string): boolean {
  try {
    parseRrn(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * Mask an RRN for display: `YYMMDD-S******` (birth date and century/sex digit shown, the last six
 * digits never). This is the convention of the PASS and mobile-ID screens (DOMAIN.md §1.6, §2.1).
 *
 * @throws OpenMidError `ERR_KR_RRN_INVALID` when the input is not a valid RRN (nothing is echoed).
 */
export function maskRrn(rrn: string): string {
  const { normalised } = parseRrn(rrn);
  return `${normalised.slice(0, 8)}******`;
}
