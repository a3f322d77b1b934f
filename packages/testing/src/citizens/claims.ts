/**
 * @module citizens/claims
 * Issuer input for a citizen and a credential type: what an agency's registry would hand to
 * `buildSubjectClaims`. Card dates (issue date, renewal window, expiry) depend on the issuance
 * day and come from per-type random streams, so they are deterministic too.
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  CREDENTIAL_TYPE_NAMES,
  type CredentialTypeName,
  findCredentialType,
  type Instant,
  type IsoDate,
  kstDateOf,
} from '@openmid/profile-kr';
import { civilFromDays, daysOfIso, isoOfDays } from './calendar.js';
import {
  type Citizen,
  disabilityFacet,
  employeeFacet,
  licenceFacet,
  publicServantFacet,
} from './generate.js';
import { PORTRAIT_PLACEHOLDER } from './portrait.js';
import { type Rng, rngAt, seedKey } from './prng.js';

/** Options of {@link claimsFor}. */
export interface ClaimsForOptions {
  /** The issuance instant (`Date` or NumericDate seconds); card dates are chosen before it. */
  readonly issuedAt: Instant;
}

/** First random stream used for card dates (one per credential type). */
const CARD_STREAM = 16;

function tooEarly(): OpenMidError {
  return new OpenMidError(
    'ERR_INPUT_INVALID',
    'The citizen cannot hold this credential at that issuance time (too young, or licence not yet obtained)',
  );
}

function birthday(birthDate: IsoDate, age: number): number {
  const y = Number(birthDate.slice(0, 4)) + age;
  const md = birthDate.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return daysOfIso(md === '02-29' && !leap ? `${y}-03-01` : `${y}-${md}`);
}

/** A card issue date: some time in the last `maxDays` days, never before `eligibleDay`. */
function issueDay(rng: Rng, today: number, eligibleDay: number, maxDays: number): number {
  if (eligibleDay > today) throw tooEarly();
  return Math.max(eligibleDay, today - rng.below(maxDays));
}

/** `시장`, `군수` or `구청장` of the citizen's 시·군·구 (or of 세종특별자치시). */
export function localAuthorityOf(citizen: Citizen): string {
  const { sido, sigungu } = citizen.address;
  if (sigungu === undefined) return `${sido}장`;
  const suffix = sigungu.endsWith('구') ? '청장' : sigungu.endsWith('군') ? '수' : '장';
  return `${sido} ${sigungu}${suffix}`;
}

/**
 * The licence card current on `today`: renewals every 10 years (5 from age 65, 3 from 75) in the
 * calendar year of the due date (DOMAIN.md §1.6: licences obtained or renewed since 2011-12-09),
 * starting from the first issue.
 */
function licenceCard(birthDate: IsoDate, firstIssued: IsoDate, today: number) {
  let last = daysOfIso(firstIssued);
  if (last > today) throw tooEarly();
  const first = civilFromDays(last);
  const birth = daysOfIso(birthDate);
  for (;;) {
    const lastDate = civilFromDays(last);
    const age = civilFromDays(last).year - civilFromDays(birth).year;
    const interval = age >= 75 ? 3 : age >= 65 ? 5 : 10;
    const dueYear = lastDate.year + interval;
    if (daysOfIso(`${dueYear}-12-31`) >= today) {
      return { issued: last, start: `${dueYear}-01-01`, end: `${dueYear}-12-31` };
    }
    // Renewed on the anniversary of the first issue in the due year (28 Feb for 29 Feb).
    const day = first.month === 2 && first.day === 29 ? 28 : first.day;
    last = daysOfIso(
      `${dueYear}-${String(first.month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    );
  }
}

/**
 * The claims an issuer would supply for `citizen` and credential type `typeName` at `issuedAt`:
 * accepted by the profile's schema (`buildSubjectClaims`) for every citizen, every type and any
 * `issuedAt` on or after `CENSUS_DATE` (2026-01-01). A citizen who does not hold the credential
 * (`citizen.licence` undefined, …) gets a plausible hypothetical one.
 *
 * @throws OpenMidError `ERR_PROFILE_TYPE_UNKNOWN` for an unknown type; `ERR_INPUT_INVALID` when
 *   `issuedAt` is before the citizen could hold the credential.
 */
export function claimsFor(
  typeName: CredentialTypeName | string,
  citizen: Citizen,
  options: ClaimsForOptions,
): Record<string, unknown> {
  const type = findCredentialType(typeName);
  let todayIso: IsoDate;
  try {
    todayIso = kstDateOf(options.issuedAt);
  } catch (cause) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'issuedAt is not a valid instant', { cause });
  }
  const today = daysOfIso(todayIso);
  const key = seedKey(citizen.seed);
  const rng = rngAt(key, citizen.index, CARD_STREAM + CREDENTIAL_TYPE_NAMES.indexOf(type.name));

  switch (type.name) {
    case 'resident-id': {
      const issued = issueDay(rng, today, birthday(citizen.birthDate, 17), 3650);
      return {
        name: citizen.name,
        ...(citizen.nameHanja === undefined ? {} : { name_hanja: citizen.nameHanja }),
        rrn: citizen.rrn,
        address: citizen.address.full,
        issue_date: isoOfDays(issued),
        issuing_authority: localAuthorityOf(citizen),
        portrait: PORTRAIT_PLACEHOLDER,
      };
    }
    case 'driving-licence': {
      const licence = citizen.licence ?? licenceFacet(key, citizen);
      const card = licenceCard(citizen.birthDate, licence.firstIssued, today);
      return {
        name: citizen.name,
        rrn: citizen.rrn,
        address: citizen.address.full,
        licence_number: licence.number,
        licence_classes: [...licence.classes],
        aptitude_test_period: { start: card.start, end: card.end },
        ...(licence.conditions.length === 0 ? {} : { conditions: [...licence.conditions] }),
        serial: licence.serial,
        issue_date: isoOfDays(card.issued),
        issuing_authority: `${citizen.policeAgency}경찰청장`,
        portrait: PORTRAIT_PLACEHOLDER,
      };
    }
    case 'disability': {
      const disability = citizen.disability ?? disabilityFacet(key, citizen.index);
      const issued = issueDay(rng, today, birthday(citizen.birthDate, 14), 2920);
      return {
        name: citizen.name,
        rrn: citizen.rrn,
        address: citizen.address.full,
        disability_severity: disability.severity,
        disability_types: [...disability.types],
        issue_date: isoOfDays(issued),
        issuing_authority: localAuthorityOf(citizen),
        portrait: PORTRAIT_PLACEHOLDER,
      };
    }
    case 'public-servant': {
      const post =
        citizen.work?.kind === 'public-servant' ? citizen.work : publicServantFacet(key, citizen);
      // Appointment starts at 18 in practice; a hypothetical post of a 17-year-old is allowed
      // so that every citizen of the population yields claims for every type.
      const issued = issueDay(rng, today, birthday(citizen.birthDate, 17), 1460);
      return {
        name: citizen.name,
        organisation: post.organisation,
        department: post.department,
        grade: post.grade,
        employee_number: post.employeeNumber,
        portrait: PORTRAIT_PLACEHOLDER,
        issue_date: isoOfDays(issued),
        // Cards are valid five years; issued within the last four, so still valid today.
        expiry_date: isoOfDays(issued + 5 * 365),
      };
    }
    default: {
      const job = citizen.work?.kind === 'employee' ? citizen.work : employeeFacet(key, citizen);
      const issued = issueDay(rng, today, birthday(citizen.birthDate, 15), 1825);
      return {
        name: citizen.name,
        employer: job.employer,
        ...(job.department === undefined ? {} : { department: job.department }),
        ...(job.position === undefined ? {} : { position: job.position }),
        employee_number: job.employeeNumber,
        portrait: PORTRAIT_PLACEHOLDER,
        issue_date: isoOfDays(issued),
        ...(rng.chance(0.5) ? { expiry_date: isoOfDays(issued + 6 * 365) } : {}),
      };
    }
  }
}
