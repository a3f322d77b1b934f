/**
 * @module mdoc/profile
 * How an mdoc document type mirrors a credential type of the profile, so that relying parties
 * register, ask and read alike whatever the format (issue 7 §2):
 *
 * - registrations stay per `vct` and claim name: an `mso_mdoc` claim `[namespace, element]` that
 *   the profile maps (e.g. `["kr.openmid.mdl.1", "licence_classes"]` → `licence_classes` of
 *   `urn:openmid:kr:driving-licence:1`) is allowed when the claim is; an element the profile does
 *   not map (e.g. `driving_privileges`) must be registered under the doctype as the path
 *   `[namespace, element]`;
 * - results carry the profile's claim names (`mdlToKoreanClaims`), so a verified mdoc and a
 *   verified SD-JWT VC of the licence have the same `claims`.
 */
import {
  type CborValue,
  KR_LICENCE_ELEMENTS,
  KR_MDL_NAMESPACE,
  MDL_DOCTYPE,
  mdlToKoreanClaims,
  mdocValueToJson,
} from '@openmid/core/mdoc';

/** Elements as verified: namespace → element identifier → value. */
export type MdocNameSpaceValues = Readonly<Record<string, Readonly<Record<string, CborValue>>>>;

/** An mdoc document type as the mirror of a profile credential type. */
export interface MdocProfile {
  readonly doctype: string;
  /** The SD-JWT VC type it mirrors (registrations, results). */
  readonly vct: string;
  /** The profile claim an element carries, if the profile maps it. */
  claimOf(namespace: string, element: string): string | undefined;
  /** The profile's claims of verified elements (the mapped ones only). */
  toClaims(nameSpaces: MdocNameSpaceValues): Record<string, unknown>;
}

const KR_BY_ELEMENT = new Map(
  Object.entries(KR_LICENCE_ELEMENTS).map(([claim, [ns, element]]) => [
    `${ns}\u0000${element}`,
    claim,
  ]),
);

/** The Korean mobile driving licence: `org.iso.18013.5.1.mDL` ↔ `urn:openmid:kr:driving-licence:1`. */
export const KR_MDL_PROFILE: MdocProfile = Object.freeze({
  doctype: MDL_DOCTYPE,
  vct: 'urn:openmid:kr:driving-licence:1',
  claimOf(namespace: string, element: string): string | undefined {
    return KR_BY_ELEMENT.get(`${namespace}\u0000${element}`);
  },
  toClaims(nameSpaces: MdocNameSpaceValues): Record<string, unknown> {
    return mdlToKoreanClaims(nameSpaces, KR_MDL_NAMESPACE);
  },
});

/** The profiles the SDK knows by default. */
export const DEFAULT_MDOC_PROFILES: readonly MdocProfile[] = Object.freeze([KR_MDL_PROFILE]);

/** The profile of `doctype` among `profiles`. */
export function mdocProfileOf(
  doctype: string,
  profiles: readonly MdocProfile[] = DEFAULT_MDOC_PROFILES,
): MdocProfile | undefined {
  return profiles.find((p) => p.doctype === doctype);
}

/**
 * The credential type and claim path under which a relying party must be registered to ask for
 * element `[namespace, element]` of `doctype`: the profile's `(vct, [claim])` when it maps the
 * element, else `(doctype, [namespace, element])`.
 */
export function mdocRegistrationPath(
  doctype: string,
  path: readonly (string | number | null)[],
  profiles: readonly MdocProfile[] = DEFAULT_MDOC_PROFILES,
): { readonly vct: string; readonly path: readonly (string | number | null)[] } {
  const [ns, element] = path;
  const profile = mdocProfileOf(doctype, profiles);
  const claim =
    profile !== undefined && typeof ns === 'string' && typeof element === 'string'
      ? profile.claimOf(ns, element)
      : undefined;
  return profile !== undefined && claim !== undefined
    ? { vct: profile.vct, path: [claim] }
    : { vct: doctype, path: [...path] };
}

/**
 * The result claims of verified elements: the profile's claim names for mapped elements, and
 * `claims[namespace][element]` (JSON values) for the others.
 */
export function mdocResultClaims(
  doctype: string,
  nameSpaces: MdocNameSpaceValues,
  profiles: readonly MdocProfile[] = DEFAULT_MDOC_PROFILES,
): Record<string, unknown> {
  const profile = mdocProfileOf(doctype, profiles);
  const out: Record<string, unknown> = {};
  const define = (target: Record<string, unknown>, key: string, value: unknown) =>
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  if (profile !== undefined)
    for (const [k, v] of Object.entries(profile.toClaims(nameSpaces))) define(out, k, v);
  for (const [ns, elements] of Object.entries(nameSpaces)) {
    for (const [element, value] of Object.entries(elements)) {
      if (profile?.claimOf(ns, element) !== undefined) continue;
      let bucket = Object.hasOwn(out, ns) ? out[ns] : undefined;
      if (typeof bucket !== 'object' || bucket === null) {
        bucket = {};
        define(out, ns, bucket);
      }
      define(bucket as Record<string, unknown>, element, mdocValueToJson(value));
    }
  }
  return out;
}
