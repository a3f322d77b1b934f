/**
 * @module citizens/generate
 * Synthetic Korean citizens, deterministic and random-access: `citizenAt(seed, i)` depends only
 * on the seed and i, so populations of any size can be generated in parallel or resumed.
 *
 * The population is the one of {@link CENSUS_DATE}: ages 17 to 99 on that day (every citizen can
 * hold a resident registration card) following an approximate age pyramid. Facets that only some
 * citizens have (driving licence, disability registration, public-servant or employee ID) come
 * from their own random streams, so `claimsFor` can also produce a plausible hypothetical facet
 * for a citizen who does not hold it.
 */
import {
  type IsoDate,
  LICENCE_CLASSES,
  legacyRrnCheckDigit,
  rrnCenturyDigit,
  type Sex,
} from '@openmid/profile-kr';
import { civilFromDays, daysOfIso, isoOfDays } from './calendar.js';
import {
  FAMILY_NAMES,
  GIVEN_NAMES,
  PURE_HANGUL_NAMES,
  SINGLE_SYLLABLE_NAMES,
} from './data/names.js';
import {
  APARTMENT_NAMES,
  GYEONGGI_NORTH,
  LICENCE_REGION,
  MYEON_NAMES,
  POLICE_AGENCY,
  REGIONS,
  ROAD_STEMS,
} from './data/regions.js';
import {
  COMPANY_DEPARTMENTS,
  COMPANY_LINES,
  COMPANY_STEMS,
  GOV_DEPARTMENTS,
  GRADES,
  MINISTRIES,
  POSITIONS,
} from './data/work.js';
import { draw, type Rng, rngAt, type Seed, type SeedKey, seedKey, weighted } from './prng.js';
import { romaniseGivenName } from './romanise.js';

/** The day the synthetic population describes: every citizen is 17–99 years old on it. */
export const CENSUS_DATE: IsoDate = '2026-01-01';
const CENSUS_DAY = daysOfIso(CENSUS_DATE);

/** A road-name address and the divisions it names. */
export interface CitizenAddress {
  /** The full address (DOMAIN.md §2.3 format). */
  readonly full: string;
  /** 시·도. */
  readonly sido: string;
  /** 시·군·구 (with its 구 for large cities); undefined for 세종특별자치시. */
  readonly sigungu: string | undefined;
}

/** A driving licence (the card facts that do not depend on the issuance day). */
export interface LicenceFacet {
  /** `RR-YY-NNNNNN-CD`. */
  readonly number: string;
  /** Classes, in card order. */
  readonly classes: readonly string[];
  /** When the licence was first obtained. */
  readonly firstIssued: IsoDate;
  readonly conditions: readonly string[];
  /** 암호일련번호. */
  readonly serial: string;
}

/** A disability registration. */
export interface DisabilityFacet {
  readonly severity: '심한 장애' | '심하지 않은 장애';
  readonly types: readonly string[];
}

/** A public servant's post. */
export interface PublicServantFacet {
  readonly kind: 'public-servant';
  readonly organisation: string;
  readonly department: string;
  readonly grade: string;
  readonly employeeNumber: string;
}

/** An employee's job. */
export interface EmployeeFacet {
  readonly kind: 'employee';
  readonly employer: string;
  readonly department: string | undefined;
  readonly position: string | undefined;
  readonly employeeNumber: string;
}

/** A synthetic citizen. */
export interface Citizen {
  readonly seed: Seed;
  readonly index: number;
  /** Full name, family name first, no space (홍길동). */
  readonly name: string;
  readonly familyName: string;
  readonly givenName: string;
  /** Hanja form, undefined for pure-Hangul given names. */
  readonly nameHanja: string | undefined;
  /** Passport romanisation `FAMILY GIVEN`. */
  readonly passportName: string;
  readonly sex: Sex;
  readonly birthDate: IsoDate;
  /** `YYMMDD-SXXXXXX`; the S digit matches birth century and sex. */
  readonly rrn: string;
  /** `legacy`: assigned before 2020-10 (check digit valid); `random`: assigned or changed since. */
  readonly rrnScheme: 'legacy' | 'random';
  readonly address: CitizenAddress;
  /** The police agency for the address (서울, 경기남부, …), which issues the licence card. */
  readonly policeAgency: string;
  readonly licence: LicenceFacet | undefined;
  readonly disability: DisabilityFacet | undefined;
  readonly work: PublicServantFacet | EmployeeFacet | undefined;
}

/** Random sub-streams of one citizen. */
export const STREAM = { identity: 0, licence: 1, disability: 2, servant: 3, employee: 4 } as const;

// ---------------------------------------------------------------------------------------------
// Tables

const FAMILY = weighted(FAMILY_NAMES.map((f) => [f, f[3]] as const));

/**
 * Residents by age band on the census day, thousands (rounded, after the 2025 주민등록 population
 * by 5-year band; only the shape matters). [first age, last age, people].
 */
const AGE_BANDS = weighted<readonly [number, number]>([
  [[17, 19], 1400],
  [[20, 24], 2600],
  [[25, 29], 3300],
  [[30, 34], 3500],
  [[35, 39], 3300],
  [[40, 44], 3800],
  [[45, 49], 3950],
  [[50, 54], 4300],
  [[55, 59], 4150],
  [[60, 64], 4150],
  [[65, 69], 3450],
  [[70, 74], 2450],
  [[75, 79], 1750],
  [[80, 84], 1300],
  [[85, 89], 700],
  [[90, 94], 250],
  [[95, 99], 50],
]);

const SIDO_TABLE = weighted(REGIONS.map((r) => [r, r[1]] as const));
// Cities and districts are larger than counties: weight 구/시 3 to 군 1.
const SIGUNGU_TABLES = new Map(
  REGIONS.map(([sido, , list]) => [
    sido,
    list.length === 0
      ? undefined
      : weighted(list.map((s) => [s, s.endsWith('군') ? 1 : 3] as const)),
  ]),
);

const GRADE_TABLE = weighted(GRADES);

const DISABILITY_TYPE_TABLE = weighted<string>([
  ['지체', 44],
  ['청각', 16],
  ['시각', 9.5],
  ['뇌병변', 9.3],
  ['지적', 8.3],
  ['정신', 4],
  ['신장', 3.9],
  ['자폐성', 1.5],
  ['언어', 0.9],
  ['간', 0.6],
  ['장루·요루', 0.5],
  ['호흡기', 0.4],
  ['뇌전증', 0.3],
  ['심장', 0.2],
  ['안면', 0.1],
]);

/** Licence class sets, 18 and over (most people hold 2종보통 or 1종보통). */
const CLASS_SETS = weighted<readonly string[]>([
  [['1종보통'], 47],
  [['2종보통'], 44],
  [['1종대형', '1종보통'], 5],
  [['2종보통', '2종소형'], 2],
  [['1종보통', '1종특수(대형견인차)'], 0.7],
  [['1종보통', '2종소형'], 1],
  [['2종원동기장치자전거'], 0.3],
]);

const SERIAL_CHARS = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

// ---------------------------------------------------------------------------------------------

function cohort(year: number): number {
  return year < 1960 ? 0 : year < 1980 ? 1 : year < 2000 ? 2 : 3;
}

/** Epoch day of the birthday at which a person born on `birthDay` turns `age`. */
function dayOfAge(birthDay: number, age: number): number {
  const b = civilFromDays(birthDay);
  const y = b.year + age;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (b.month === 2 && b.day === 29 && !leap) return daysOfIso(`${y}-03-01`);
  return daysOfIso(`${y}-${b.month < 10 ? '0' : ''}${b.month}-${b.day < 10 ? '0' : ''}${b.day}`);
}

function ageAt(birthDay: number, day: number): number {
  const b = civilFromDays(birthDay);
  const d = civilFromDays(day);
  return d.year - b.year - (d.month < b.month || (d.month === b.month && d.day < b.day) ? 1 : 0);
}

function makeAddress(rng: Rng): CitizenAddress {
  const [sido] = draw(rng, SIDO_TABLE);
  const table = SIGUNGU_TABLES.get(sido);
  const sigungu = table === undefined ? undefined : draw(rng, table);
  let area = sigungu === undefined ? sido : `${sido} ${sigungu}`;
  if (sigungu?.endsWith('군') === true) {
    area += rng.chance(0.5) ? ` ${sigungu.slice(0, -1)}읍` : ` ${rng.pick(MYEON_NAMES)}`;
  }
  const stem = rng.pick(ROAD_STEMS);
  const kind = rng.float();
  const road =
    kind < 0.4
      ? `${stem}로`
      : kind < 0.5
        ? `${stem}대로`
        : kind < 0.85
          ? `${stem}로${rng.between(1, 60)}길`
          : `${stem}로${rng.between(1, 200)}번길`;
  let number = String(rng.chance(0.5) ? rng.between(1, 40) : rng.between(1, 400));
  if (rng.chance(0.15)) number += `-${rng.between(1, 30)}`;
  const detail = rng.float();
  let full = `${area} ${road} ${number}`;
  if (detail < 0.55) {
    const floor = rng.between(1, 25);
    const unit = rng.between(1, 8);
    full += `, ${rng.between(101, 115)}동 ${floor}0${unit}호(${rng.pick(APARTMENT_NAMES)}아파트)`;
  } else if (detail < 0.65) {
    full += `, ${rng.between(1, 5)}층`;
  }
  return { full, sido, sigungu };
}

function makeRrn(rng: Rng, birthDate: IsoDate, sex: Sex, legacy: boolean): string {
  const front = birthDate.slice(2, 4) + birthDate.slice(5, 7) + birthDate.slice(8, 10);
  const s = rrnCenturyDigit(Number(birthDate.slice(0, 4)), sex);
  if (!legacy) return `${front}-${s}${rng.digits(6)}`;
  // Legacy tail: a registration-office code (never interpreted), the day's order, check digit.
  const office = String(rng.below(96)).padStart(2, '0') + rng.digits(2);
  const first12 = `${front}${s}${office}${rng.between(1, 9)}`;
  return `${front}-${first12.slice(6)}${legacyRrnCheckDigit(first12)}`;
}

/** The licence a citizen holds, or would hold (stream `licence`). */
export function licenceFacet(
  key: SeedKey,
  citizen: Pick<Citizen, 'index' | 'birthDate' | 'address'>,
): LicenceFacet {
  const rng = rngAt(key, citizen.index, STREAM.licence);
  const birthDay = daysOfIso(citizen.birthDate);
  const age = ageAt(birthDay, CENSUS_DAY);
  let classes: readonly string[];
  let minAge: number;
  if (age < 18) {
    classes = ['2종원동기장치자전거'];
    minAge = 16;
  } else {
    classes = draw(rng, CLASS_SETS);
    if (age < 20 && classes.some((c) => c.startsWith('1종대형') || c.startsWith('1종특수'))) {
      classes = ['1종보통'];
    }
    minAge = classes.includes('2종원동기장치자전거') ? 16 : 18;
    if (classes.includes('1종대형') || classes.some((c) => c.startsWith('1종특수'))) minAge = 19;
  }
  // Most people pass the test within a few years of becoming eligible.
  const span = Math.max(0, age - minAge);
  const firstAge = minAge + Math.floor(rng.float() ** 3 * span);
  const earliest = dayOfAge(birthDay, firstAge);
  const firstDay = Math.min(CENSUS_DAY, earliest + rng.below(365));
  const firstYear = civilFromDays(firstDay).year;
  const region = rng.chance(0.8)
    ? citizen.address.sido === '경기도' &&
      GYEONGGI_NORTH.has((citizen.address.sigungu ?? '').split(' ')[0] as string)
      ? '28'
      : (LICENCE_REGION[citizen.address.sido] as string)
    : rng.pick(Object.values(LICENCE_REGION));
  const reissue = rng.chance(0.85) ? 0 : rng.chance(0.8) ? 1 : 2;
  const number = `${region}-${String(firstYear % 100).padStart(2, '0')}-${rng.digits(6)}-${rng.digits(1)}${reissue}`;
  const c = rng.float();
  const conditions = c < 0.08 ? ['자동변속기'] : c < 0.085 ? ['보청기 착용'] : [];
  let serial = '';
  const serialLength = rng.chance(0.7) ? 5 : 6;
  for (let i = 0; i < serialLength; i++) serial += SERIAL_CHARS[rng.below(SERIAL_CHARS.length)];
  return {
    number,
    classes: [...classes].sort((a, b) => LICENCE_CLASSES.indexOf(a) - LICENCE_CLASSES.indexOf(b)),
    firstIssued: isoOfDays(firstDay),
    conditions,
    serial,
  };
}

/** The disability registration a citizen holds, or would hold (stream `disability`). */
export function disabilityFacet(key: SeedKey, index: number): DisabilityFacet {
  const rng = rngAt(key, index, STREAM.disability);
  const severity = rng.chance(0.37) ? '심한 장애' : '심하지 않은 장애';
  const first = draw(rng, DISABILITY_TYPE_TABLE);
  const types = [first];
  if (rng.chance(0.03)) {
    const second = draw(rng, DISABILITY_TYPE_TABLE);
    if (second !== first) types.push(second);
  }
  return { severity, types };
}

/** The post a citizen holds, or would hold, as a public servant (stream `servant`). */
export function publicServantFacet(
  key: SeedKey,
  citizen: Pick<Citizen, 'index' | 'address'>,
): PublicServantFacet {
  const rng = rngAt(key, citizen.index, STREAM.servant);
  const u = rng.float();
  const { sido, sigungu } = citizen.address;
  // 40 % central government, the rest local: the 시·도 or the 시·군·구 office.
  let organisation: string;
  if (u < 0.4) organisation = rng.pick(MINISTRIES);
  else if (u < 0.6 || sigungu === undefined) organisation = sido;
  else organisation = `${sido} ${sigungu}`;
  return {
    kind: 'public-servant',
    organisation,
    department: rng.pick(GOV_DEPARTMENTS),
    grade: draw(rng, GRADE_TABLE),
    employeeNumber: `${rng.between(1990, 2025)}-${rng.digits(6)}`,
  };
}

/** The job a citizen holds, or would hold, as an employee (stream `employee`). */
export function employeeFacet(
  key: SeedKey,
  citizen: Pick<Citizen, 'index' | 'birthDate'>,
): EmployeeFacet {
  const rng = rngAt(key, citizen.index, STREAM.employee);
  const stem = rng.pick(COMPANY_STEMS);
  const line = rng.pick(COMPANY_LINES);
  const employer = rng.chance(0.5) ? `주식회사 ${stem}${line}` : `${stem}${line}(주)`;
  const age = ageAt(daysOfIso(citizen.birthDate), CENSUS_DAY);
  const eligible = POSITIONS.filter(([, minAge]) => age >= minAge);
  const position = eligible.length > 0 && rng.chance(0.8) ? rng.pick(eligible)[0] : undefined;
  return {
    kind: 'employee',
    employer,
    department: rng.chance(0.85) ? rng.pick(COMPANY_DEPARTMENTS) : undefined,
    position,
    employeeNumber: `E${rng.digits(7)}`,
  };
}

/**
 * The citizen at `index` (a non-negative safe integer) of a seed. Pure: the same seed and index
 * always give the same citizen, in any process and any order.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` for a bad seed or index.
 * @example citizenAt('demo', 0).name // e.g. '김서연'
 */
export function citizenAt(seed: Seed, index: number): Citizen {
  const key = seedKey(seed);
  return citizenFromKey(key, seed, index);
}

/** {@link citizenAt} with a pre-hashed seed (what the iterator uses). */
export function citizenFromKey(key: SeedKey, seed: Seed, index: number): Citizen {
  const rng = rngAt(key, index, STREAM.identity);
  const sex: Sex = rng.chance(0.496) ? 'male' : 'female';
  const [minAge, maxAge] = draw(rng, AGE_BANDS);
  const age = rng.between(minAge, maxAge);
  // Born between the day after the (age+1)th birthday and the age-th birthday before the census.
  const census = civilFromDays(CENSUS_DAY);
  const latest = daysOfIso(`${census.year - age}-01-01`);
  const earliest = daysOfIso(`${census.year - age - 1}-01-02`);
  const birthDay = earliest + rng.below(latest - earliest + 1);
  const birthDate = isoOfDays(birthDay);
  const birthYear = Number(birthDate.slice(0, 4));

  const family = draw(rng, FAMILY);
  let givenName: string;
  let givenHanja: string;
  const style = rng.float();
  if (style < 0.02) {
    [givenName, givenHanja] = rng.pick(SINGLE_SYLLABLE_NAMES[sex]);
  } else if (style < 0.07 && birthYear >= 1970) {
    givenName = rng.pick(PURE_HANGUL_NAMES);
    givenHanja = '';
  } else {
    [givenName, givenHanja] = rng.pick(
      GIVEN_NAMES[sex][cohort(birthYear)] as readonly (readonly [string, string])[],
    );
  }
  const familyName = family[0];
  const rrnScheme = rng.chance(0.01) ? 'random' : 'legacy';
  const rrn = makeRrn(rng, birthDate, sex, rrnScheme === 'legacy');
  const address = makeAddress(rng);
  const base = (address.sigungu ?? '').split(' ')[0] as string;
  const policeAgency =
    address.sido === '경기도' && GYEONGGI_NORTH.has(base)
      ? '경기북부'
      : (POLICE_AGENCY[address.sido] as string);

  // Who holds which card: licences are common (≈ 34 M holders), registered disability ≈ 5 % and
  // rising with age, public servants ≈ 5 % of working-age people.
  const licenceP =
    age < 18 ? 0.05 : age < 20 ? 0.3 : age < 30 ? 0.7 : age < 70 ? 0.85 : age < 80 ? 0.6 : 0.3;
  const holdsLicence = rng.chance(licenceP);
  const disabilityP = age < 40 ? 0.02 : age < 65 ? 0.05 : 0.12;
  const holdsDisability = rng.chance(disabilityP);
  const w = rng.float();
  const workKind =
    age >= 20 && age <= 60
      ? w < 0.05
        ? 'public-servant'
        : w < 0.65
          ? 'employee'
          : undefined
      : age > 60 && age <= 65
        ? w < 0.01
          ? 'public-servant'
          : w < 0.31
            ? 'employee'
            : undefined
        : undefined;

  const partial = { index, birthDate, address };
  return {
    seed,
    index,
    name: familyName + givenName,
    familyName,
    givenName,
    nameHanja: givenHanja === '' ? undefined : family[1] + givenHanja,
    passportName: `${family[2]} ${romaniseGivenName(givenName)}`,
    sex,
    birthDate,
    rrn,
    rrnScheme,
    address,
    policeAgency,
    licence: holdsLicence ? licenceFacet(key, partial) : undefined,
    disability: holdsDisability ? disabilityFacet(key, index) : undefined,
    work:
      workKind === 'public-servant'
        ? publicServantFacet(key, partial)
        : workKind === 'employee'
          ? employeeFacet(key, partial)
          : undefined,
  };
}

/** Options of {@link citizens}. */
export interface CitizensOptions {
  /** First index (default 0). */
  readonly start?: number;
  /** How many citizens (default: endless). */
  readonly count?: number;
}

/**
 * Iterate citizens `start`, `start + 1`, … of a seed (endless unless `count` is given). Equivalent
 * to calling {@link citizenAt} for each index, with the seed hashed once.
 */
export function* citizens(
  seed: Seed,
  options: CitizensOptions = {},
): Generator<Citizen, void, undefined> {
  const key = seedKey(seed);
  const start = options.start ?? 0;
  const end = options.count === undefined ? Number.MAX_SAFE_INTEGER : start + options.count;
  for (let i = start; i < end; i++) yield citizenFromKey(key, seed, i);
}
