/**
 * @module issue
 * From issuer input to SD-JWT VC subject claims: schema validation, cross-claim checks that need
 * the issuance day, and the derived claims.
 *
 * Derived age claims (`age_over_14`, `age_over_19`, `age_over_65`) state the 만 나이 (민법 §158)
 * on the KST calendar day of issuance and are FIXED for the credential's 3-year validity: a
 * holder who turns 19 after issuance keeps `age_over_19: false` until the credential is issued
 * again. The error is always on the safe side (a "true" never becomes wrong, ages only grow), and
 * {@link nextAgeClaimChange} tells the issuer when to offer re-issuance. Note that the Youth
 * Protection Act counts by calendar year (see `isYouthProtectionAdult`); a verifier that relies on
 * `age_over_19` is therefore stricter than that Act, never looser.
 */
import { OpenMidError } from '@openmid/core/errors';
import { AGE_THRESHOLDS } from './claims.js';
import { LICENCE_CLASS_MINIMUM_AGE } from './credentials/driving-licence.js';
import {
  addYears,
  ageOn,
  compareIsoDates,
  dateOfAge,
  type Instant,
  type IsoDate,
  KST_OFFSET_SECONDS,
  kstDateOf,
  toEpochSeconds,
} from './dates.js';
import type { CredentialType, DisclosureFrame, SubjectClaims } from './model.js';
import { findCredentialType } from './registry.js';
import { parseRrn } from './validators/rrn.js';

/** Options of {@link buildSubjectClaims}. */
export interface BuildClaimsOptions {
  /** Issuance instant: a `Date` or NumericDate seconds. Ages and date checks use its KST day. */
  readonly issuedAt: Instant;
}

/** A claim path as reported in `ERR_PROFILE_CLAIMS_INVALID` details. */
export type ClaimPath = readonly (string | number)[];

const MAX_REPORTED_PATHS = 32;
const MAX_KEY_LENGTH = 64;

function resolveType(type: CredentialType | string): CredentialType {
  return typeof type === 'string' ? findCredentialType(type) : type;
}

function resolveInstant(issuedAt: Instant): number {
  try {
    return toEpochSeconds(issuedAt);
  } catch (cause) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'issuedAt is not a valid instant', { cause });
  }
}

function key(segment: PropertyKey): string | number {
  if (typeof segment === 'number') return segment;
  return String(segment).slice(0, MAX_KEY_LENGTH);
}

function invalidClaims(type: CredentialType, paths: readonly ClaimPath[]): OpenMidError {
  const seen = new Set<string>();
  const unique: ClaimPath[] = [];
  for (const p of paths) {
    const id = JSON.stringify(p);
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push(p);
    if (unique.length === MAX_REPORTED_PATHS) break;
  }
  // Paths only: values (names, numbers, addresses) are personal data and must not reach logs.
  return new OpenMidError(
    'ERR_PROFILE_CLAIMS_INVALID',
    `The claims do not satisfy the ${type.name} schema`,
    { details: { type: type.name, paths: unique } },
  );
}

function str(claims: Record<string, unknown>, name: string): string | undefined {
  const v = claims[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Validate the claims an issuer supplies for a credential type and return the subject claims of
 * the credential, with the derived claims added, in the type's claim order.
 *
 * Checks, beyond the type's zod schema: `birth_date` (when given) equals the RRN's; the holder is
 * born and at least the type's minimum age on the issuance day (17 for the resident card, 14 for
 * the disability card, per licence class for the driving licence); no foreigner number on a
 * resident registration card (foreigners hold a 외국인등록증); `issue_date` between birth and
 * issuance; `expiry_date` not before the issuance day; the aptitude-test period not ending before
 * the card's issue date.
 *
 * @param type a credential type, its short name or its `vct`.
 * @param input the issuer's claims (untrusted JSON).
 * @throws OpenMidError `ERR_PROFILE_CLAIMS_INVALID` with `details.paths` (claim paths, never
 *   values); `ERR_PROFILE_TYPE_UNKNOWN`; `ERR_INPUT_INVALID` for a bad `issuedAt`.
 * @example buildSubjectClaims('resident-id', input, { issuedAt: new Date() }).age_over_19
 */
export function buildSubjectClaims(
  type: CredentialType | string,
  input: unknown,
  options: BuildClaimsOptions,
): SubjectClaims {
  const t = resolveType(type);
  const today = kstDateOf(resolveInstant(options.issuedAt));
  const parsed = t.schema.safeParse(input);
  if (!parsed.success) {
    const paths: ClaimPath[] = [];
    for (const issue of parsed.error.issues) {
      const base = issue.path.map(key);
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) paths.push([...base, key(k)]);
      } else {
        paths.push(base);
      }
    }
    throw invalidClaims(t, paths);
  }
  const claims = parsed.data;
  const failures: ClaimPath[] = [];

  let birthDate = str(claims, 'birth_date');
  const rrn = str(claims, 'rrn');
  if (rrn !== undefined) {
    const r = parseRrn(rrn);
    if (birthDate !== undefined && birthDate !== r.birthDate) failures.push(['birth_date']);
    birthDate ??= r.birthDate;
    if (t.name === 'resident-id' && r.foreigner) failures.push(['rrn']);
  }
  const birthPath: ClaimPath = str(claims, 'birth_date') === undefined ? ['rrn'] : ['birth_date'];
  if (birthDate !== undefined) {
    if (compareIsoDates(birthDate, today) > 0) {
      failures.push(birthPath);
    } else {
      const age = ageOn(birthDate, today);
      if (t.minimumAge !== undefined && age < t.minimumAge) failures.push(birthPath);
      const classes = claims['licence_classes'];
      if (Array.isArray(classes)) {
        for (const c of classes) {
          if (age < (LICENCE_CLASS_MINIMUM_AGE[c as string] ?? 0))
            failures.push(['licence_classes']);
        }
      }
    }
  }
  const issueDate = str(claims, 'issue_date');
  if (issueDate !== undefined) {
    if (compareIsoDates(issueDate, today) > 0) failures.push(['issue_date']);
    if (birthDate !== undefined && compareIsoDates(issueDate, birthDate) < 0) {
      failures.push(['issue_date']);
    }
  }
  const expiryDate = str(claims, 'expiry_date');
  if (expiryDate !== undefined) {
    if (compareIsoDates(expiryDate, today) < 0) failures.push(['expiry_date']);
    if (issueDate !== undefined && compareIsoDates(expiryDate, issueDate) < 0) {
      failures.push(['expiry_date']);
    }
  }
  const period = claims['aptitude_test_period'] as { end?: string } | undefined;
  if (period?.end !== undefined && issueDate !== undefined) {
    if (compareIsoDates(period.end, issueDate) < 0) failures.push(['aptitude_test_period']);
  }
  if (failures.length > 0) throw invalidClaims(t, failures);

  const out: Record<string, unknown> = {};
  for (const def of t.claims) {
    if (def.derived === true) {
      const threshold = AGE_THRESHOLDS.find((a) => a.claim === def.name);
      if (threshold === undefined || birthDate === undefined) {
        throw new OpenMidError('ERR_INTERNAL', 'A derived claim has no derivation');
      }
      out[def.name] = ageOn(birthDate, today) >= threshold.age;
    } else if (def.name === 'birth_date') {
      if (birthDate !== undefined) out[def.name] = birthDate;
    } else if (claims[def.name] !== undefined) {
      out[def.name] = claims[def.name];
    }
  }
  return out;
}

/**
 * The disclosure frame of a type restricted to the claims actually present, so that optional
 * claims left out (e.g. `name_hanja`) are not named in the frame.
 */
export function disclosureFrameFor(
  type: CredentialType | string,
  claims: SubjectClaims,
): DisclosureFrame {
  const t = resolveType(type);
  const sd = (t.disclosureFrame._sd ?? []).filter(
    (name) => typeof name === 'string' && Object.hasOwn(claims, name),
  );
  return { _sd: sd };
}

/**
 * The `exp` (NumericDate seconds) of a credential issued at `issuedAt`: `validityYears` (3)
 * calendar years later (DOMAIN.md §1.2; a 29 February becomes 28 February), and never after the
 * end (24:00 KST) of the card's own `expiry_date` when the claims have one.
 */
export function credentialExpiry(
  type: CredentialType | string,
  issuedAt: Instant,
  claims?: SubjectClaims,
): number {
  const t = resolveType(type);
  const iat = resolveInstant(issuedAt);
  const day = Math.floor(iat / 86_400);
  const secondsOfDay = iat - day * 86_400;
  const utcDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
  const end = addYears(utcDate, t.validityYears);
  let exp = Date.parse(`${end}T00:00:00Z`) / 1000 + secondsOfDay;
  const expiry = claims === undefined ? undefined : claims['expiry_date'];
  if (typeof expiry === 'string') {
    const endOfCard = Date.parse(`${expiry}T00:00:00Z`) / 1000 + 86_400 - KST_OFFSET_SECONDS;
    exp = Math.min(exp, endOfCard);
  }
  return exp;
}

/**
 * When the next derived age claim of a credential issued at `issuedAt` goes stale: the first
 * `age_over_NN` that is false on the issuance day but would be true before the credential
 * expires, with the KST day it becomes true. `undefined` when no claim changes during the
 * validity. Issuers and wallets use it to offer re-issuance (e.g. on the 19th birthday).
 */
export function nextAgeClaimChange(
  birthDate: IsoDate,
  issuedAt: Instant,
  validityYears = 3,
): { readonly claim: string; readonly date: IsoDate } | undefined {
  const today = kstDateOf(resolveInstant(issuedAt));
  const until = addYears(today, validityYears);
  const age = ageOn(birthDate, today);
  for (const t of AGE_THRESHOLDS) {
    if (age >= t.age) continue;
    const date = dateOfAge(birthDate, t.age);
    return compareIsoDates(date, until) < 0 ? { claim: t.claim, date } : undefined;
  }
  return undefined;
}
