/**
 * @module validators/licence
 * 운전면허번호 (driving-licence number) `RR-YY-NNNNNN-CD` (DOMAIN.md §1.6, §8.2):
 * RR = first-issuing region (a number since 2014-06-01, a region name on older cards, e.g.
 * `서울-88-123456-12`), YY = year the licence was first obtained, NNNNNN = serial within that
 * year, C = check digit, D = loss/damage re-issue count.
 *
 * The check-digit algorithm is not public, so C is never computed or verified: any digit is
 * accepted. A licence number is a 고유식별정보 (PIPA art. 24): display it only masked
 * ({@link maskLicenceNumber}); errors never echo it.
 */
import { OpenMidError } from '@openmid/core/errors';

/**
 * Numeric region codes in use since 2014-06-01 (11–26 and 28). 11 (Seoul) and 13 (Gyeonggi) are
 * confirmed by samples; the rest is the commonly cited map (DOMAIN.md §1.6, marked "(?)"), used
 * here only for labels, never for validation beyond membership.
 */
export const LICENCE_REGION_CODES: Readonly<Record<string, string>> = Object.freeze({
  '11': '서울',
  '12': '부산',
  '13': '경기',
  '14': '강원',
  '15': '충북',
  '16': '충남',
  '17': '전북',
  '18': '전남',
  '19': '경북',
  '20': '경남',
  '21': '제주',
  '22': '대구',
  '23': '인천',
  '24': '광주',
  '25': '대전',
  '26': '울산',
  '28': '경기북부',
});

/** Region names printed instead of a number on cards issued before 2014-06-01. */
export const LEGACY_LICENCE_REGION_NAMES: readonly string[] = Object.freeze([
  '서울',
  '부산',
  '경기',
  '강원',
  '충북',
  '충남',
  '전북',
  '전남',
  '경북',
  '경남',
  '제주',
  '대구',
  '인천',
  '광주',
  '대전',
  '울산',
]);

/** A structurally valid licence number. */
export interface ParsedLicenceNumber {
  /** Canonical form with hyphens: `RR-YY-NNNNNN-CD` (or `서울-YY-NNNNNN-CD` for legacy cards). */
  readonly normalised: string;
  /** The region: a two-digit code, or the legacy region name. */
  readonly region: string;
  /** True when the region is printed as a name (cards issued before 2014-06-01). */
  readonly legacyRegionName: boolean;
  /** Two-digit year the licence was first obtained. */
  readonly year: string;
  /** Six-digit serial. */
  readonly serial: string;
  /** The check digit C as printed (not verifiable: the algorithm is not public). */
  readonly checkDigit: string;
  /** D: how many times the card was re-issued after loss or damage. */
  readonly reissueCount: number;
}

/** Why a licence number was rejected (safe to log). */
export type LicenceNumberInvalidReason = 'format' | 'region';

const NUMERIC = /^(\d{2})-?(\d{2})-?(\d{6})-?(\d)(\d)$/;
const LEGACY = /^([가-힣]{2})-?(\d{2})-?(\d{6})-?(\d)(\d)$/;

function invalid(reason: LicenceNumberInvalidReason): OpenMidError {
  return new OpenMidError('ERR_KR_LICENCE_NUMBER_INVALID', 'Invalid driving-licence number', {
    details: { reason },
  });
}

/**
 * Parse a licence number: `^\d{2}-?\d{2}-?\d{6}-?\d{2}$` with RR ∈ {11–26, 28}, or the legacy
 * form with a region name instead of RR. Hyphens are optional on input and restored on output.
 *
 * @throws OpenMidError `ERR_KR_LICENCE_NUMBER_INVALID` with `details.reason` (`format` | `region`).
 * @example parseLicenceNumber('112312345610').normalised // '11-23-123456-10'
 * @see DOMAIN.md §1.6, §8.2
 */
export function parseLicenceNumber(input: string): ParsedLicenceNumber {
  if (typeof input !== 'string' || input.length > 15) throw invalid('format');
  const numeric = NUMERIC.exec(input);
  const m = numeric ?? LEGACY.exec(input);
  if (m === null) throw invalid('format');
  const region = m[1] as string;
  const legacyRegionName = numeric === null;
  const known = legacyRegionName
    ? LEGACY_LICENCE_REGION_NAMES.includes(region)
    : Object.hasOwn(LICENCE_REGION_CODES, region);
  if (!known) throw invalid('region');
  const year = m[2] as string;
  const serial = m[3] as string;
  const checkDigit = m[4] as string;
  const d = m[5] as string;
  return {
    normalised: `${region}-${year}-${serial}-${checkDigit}${d}`,
    region,
    legacyRegionName,
    year,
    serial,
    checkDigit,
    reissueCount: Number(d),
  };
}

/** True when {@link parseLicenceNumber} accepts the input. */
export function isValidLicenceNumber(input: string): boolean {
  try {
    parseLicenceNumber(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * Mask a licence number for display: `RR-YY-******-CD`. The six-digit serial is the part that
 * identifies the holder within a region and year, so it is hidden; region, year, check digit and
 * re-issue count stay visible so that a clerk can tell two cards of one holder apart.
 *
 * @throws OpenMidError `ERR_KR_LICENCE_NUMBER_INVALID` when the input is not a valid number.
 */
export function maskLicenceNumber(licenceNumber: string): string {
  const p = parseLicenceNumber(licenceNumber);
  return `${p.region}-${p.year}-******-${p.checkDigit}${p.reissueCount}`;
}
