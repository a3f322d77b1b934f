/**
 * @module @openmid/testing/citizens
 * Synthetic Korean citizens for tests, demos and load: deterministic from a seed, random-access
 * (`citizenAt(seed, i)`), realistic enough to exercise every validator of the Korean profile
 * (names by real family-name frequency, Hanja, passport romanisation, an age pyramid, road-name
 * addresses in the 17 시·도, RRNs whose 7th digit matches birth century and sex, licences with
 * renewal windows, disability registrations, public-servant and employee IDs), and
 * `claimsFor(type, citizen, { issuedAt })` giving issuer input the profile accepts.
 *
 * @example
 * ```ts
 * import { citizenAt, claimsFor } from '@openmid/testing/citizens';
 * const c = citizenAt('demo', 42);
 * const input = claimsFor('driving-licence', c, { issuedAt: new Date() });
 * ```
 */
export { type ClaimsForOptions, claimsFor, localAuthorityOf } from './claims.js';
export {
  CENSUS_DATE,
  type Citizen,
  type CitizenAddress,
  type CitizensOptions,
  citizenAt,
  citizenFromKey,
  citizens,
  type DisabilityFacet,
  type EmployeeFacet,
  type LicenceFacet,
  type PublicServantFacet,
} from './generate.js';
export { PORTRAIT_PLACEHOLDER } from './portrait.js';
export {
  draw,
  mix32,
  Rng,
  rngAt,
  type Seed,
  type SeedKey,
  seedKey,
  type Weighted,
  weighted,
} from './prng.js';
export { romaniseGivenName, romaniseSyllable } from './romanise.js';
