/**
 * @module trust/registration
 * Comparing a DCQL query with a relying party's registration (issue 4 §1): the verifier service
 * refuses to create a request beyond it, and the wallet warns the citizen when a request it
 * receives exceeds it. A resident registration number needs a statutory basis as well as a
 * registration (PIPA art. 24-2: consent is not a basis), which the caller signals through
 * `legalBasisRequired` (from the profile's `rrn` sensitivity). An `mso_mdoc` element counts as
 * the profile claim it mirrors (`mdoc/profile.ts`), so one registration covers both formats.
 */
import { OpenMidError } from '@openmid/core/errors';
import { type ClaimPath, type DcqlQuery, isMdocQuery } from '../dcql/query.js';
import { DEFAULT_MDOC_PROFILES, type MdocProfile, mdocRegistrationPath } from '../mdoc/profile.js';
import { type RelyingPartyRegistration, type RpDenyReason, rpMayRequest } from './source.js';

/** A requested claim the registration does not allow. */
export interface UnregisteredClaim {
  /** The DCQL credential query id. */
  readonly credential: string;
  readonly vct: string;
  readonly path: ClaimPath;
  readonly reason: RpDenyReason;
}

/** Whether claim `path` of type `vct` needs a statutory basis (e.g. the profile's `rrn` claims). */
export type LegalBasisRule = (vct: string, path: ClaimPath) => boolean;

/**
 * Every (credential type, claim path) of `dcql` that `rp` may not request. A credential query
 * accepting several types must be allowed for each of them (the wallet may answer with any).
 *
 * @example
 * ```ts
 * const extra = unregisteredClaims(verified.registration, request.dcql, (vct, p) => p[0] === 'rrn')
 * if (extra.length > 0) warnCitizen(extra)
 * ```
 */
export function unregisteredClaims(
  rp: RelyingPartyRegistration,
  dcql: DcqlQuery,
  legalBasisRequired: LegalBasisRule = () => false,
  mdocProfiles: readonly MdocProfile[] = DEFAULT_MDOC_PROFILES,
): UnregisteredClaim[] {
  const out: UnregisteredClaim[] = [];
  for (const q of dcql.credentials) {
    if (isMdocQuery(q)) {
      // An mdoc element is judged as the profile claim it carries (same registration as the
      // SD-JWT VC), else as [namespace, element] under the doctype.
      for (const c of q.claims ?? []) {
        const { vct, path } = mdocRegistrationPath(q.meta.doctype_value, c.path, mdocProfiles);
        const answer = rpMayRequest(rp, vct, path, legalBasisRequired(vct, path));
        if (!answer.allowed)
          out.push({ credential: q.id, vct, path: c.path, reason: answer.reason });
      }
      continue;
    }
    for (const vct of q.meta.vct_values) {
      for (const c of q.claims ?? []) {
        const answer = rpMayRequest(rp, vct, c.path, legalBasisRequired(vct, c.path));
        if (!answer.allowed)
          out.push({ credential: q.id, vct, path: c.path, reason: answer.reason });
      }
    }
  }
  return out;
}

/**
 * Throw `ERR_RP_ATTRIBUTE_NOT_REGISTERED` unless `rp` may request everything in `dcql`. The
 * details list credential ids, types, claim paths and reasons — never values.
 */
export function assertRequestRegistered(
  rp: RelyingPartyRegistration,
  dcql: DcqlQuery,
  legalBasisRequired?: LegalBasisRule,
): void {
  const extra = unregisteredClaims(rp, dcql, legalBasisRequired);
  if (extra.length > 0)
    throw new OpenMidError(
      'ERR_RP_ATTRIBUTE_NOT_REGISTERED',
      extra.some((x) => x.reason === 'no-legal-basis')
        ? 'The relying party has no statutory basis for the resident registration number'
        : 'The request asks for claims the relying party is not registered for',
      {
        details: {
          claims: extra.slice(0, 20).map((x) => ({
            credential: x.credential,
            vct: x.vct,
            path: [...x.path],
            reason: x.reason,
          })),
        },
      },
    );
}
