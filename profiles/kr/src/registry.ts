/**
 * @module registry
 * The credential types of the Korean profile, looked up by short name or `vct`.
 */
import { OpenMidError } from '@openmid/core/errors';
import { DISABILITY } from './credentials/disability.js';
import { DRIVING_LICENCE } from './credentials/driving-licence.js';
import { EMPLOYEE_ID } from './credentials/employee-id.js';
import { PUBLIC_SERVANT } from './credentials/public-servant.js';
import { RESIDENT_ID } from './credentials/resident-id.js';
import type { CredentialType, CredentialTypeName } from './model.js';

/** Every credential type of the profile, in a stable order. */
export const CREDENTIAL_TYPES: readonly CredentialType[] = Object.freeze([
  RESIDENT_ID,
  DRIVING_LICENCE,
  DISABILITY,
  PUBLIC_SERVANT,
  EMPLOYEE_ID,
]);

/** The short names of {@link CREDENTIAL_TYPES}. */
export const CREDENTIAL_TYPE_NAMES: readonly CredentialTypeName[] = Object.freeze(
  CREDENTIAL_TYPES.map((t) => t.name),
);

// A Map, not an object: a lookup of "__proto__" or "constructor" must not reach a prototype.
const BY_KEY: ReadonlyMap<string, CredentialType> = new Map(
  CREDENTIAL_TYPES.flatMap((t) => [
    [t.name, t],
    [t.vct, t],
  ]),
);

/**
 * Find a credential type by short name (`driving-licence`) or `vct`
 * (`urn:openmid:kr:driving-licence:1`). Matching is exact and case-sensitive, as `vct` is
 * (SD-JWT VC §3.2.2.1).
 *
 * @throws OpenMidError `ERR_PROFILE_TYPE_UNKNOWN` when no type matches.
 */
export function findCredentialType(nameOrVct: string): CredentialType {
  const type = typeof nameOrVct === 'string' ? BY_KEY.get(nameOrVct) : undefined;
  if (type === undefined) {
    throw new OpenMidError('ERR_PROFILE_TYPE_UNKNOWN', 'Unknown credential type');
  }
  return type;
}
