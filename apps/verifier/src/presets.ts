/**
 * @module presets
 * Named DCQL queries (OpenID4VP 1.0 §6) for the Korean profile (issue 4 §2), each asking for the
 * least that answers the question (DOMAIN.md §1.3, §7): a shop gets `age_over_19` only, a bank
 * name and resident number only with its legal basis, a checkpoint the licence qualification.
 * Alternatives are expressed with `credential_sets` (resident card or driving licence) and
 * `claim_sets` (licence conditions when the licence has any). The `mdl-*` presets ask for the
 * driving licence as an ISO mdoc (`mso_mdoc`, OpenID4VP 1.0 Appendix B.2: `doctype_value` and
 * `[namespace, element]` paths, issue 7 §2); `driving-qualification-any` accepts either form
 * (`credential_sets`, the SD-JWT VC first). Also the profile's rule for which claims need a
 * statutory basis (PIPA art. 24-2).
 */
import { OpenMidError } from '@openmid/core/errors';
import { KR_LICENCE_ELEMENTS, MDL_DOCTYPE } from '@openmid/core/mdoc';
import { DRIVING_LICENCE, findCredentialType, RESIDENT_ID } from '@openmid/profile-kr';
import {
  type ClaimPath,
  type DcqlQuery,
  type LegalBasisRule,
  parseDcqlQuery,
} from '@openmid/verifier';

const ID = RESIDENT_ID.vct;
const DL = DRIVING_LICENCE.vct;

function credential(id: string, vct: string, paths: readonly string[]) {
  return {
    id,
    format: 'dc+sd-jwt' as const,
    meta: { vct_values: [vct] },
    claims: paths.map((p) => ({ path: [p] })),
  };
}

/** An mdoc claim query for the profile claim `claim` (its [namespace, element]). */
function element(claim: string, id?: string) {
  const path = KR_LICENCE_ELEMENTS[claim];
  if (path === undefined) throw new Error(`no mdoc element for ${claim}`);
  return { ...(id === undefined ? {} : { id }), path: [...path], intent_to_retain: false };
}

/** The driving qualification from the licence in mdoc form. */
const MDL_QUALIFICATION = {
  id: 'driving_licence_mdoc',
  format: 'mso_mdoc' as const,
  meta: { doctype_value: MDL_DOCTYPE },
  claims: [
    element('licence_classes', 'classes'),
    element('aptitude_test_period', 'period'),
    element('conditions', 'conditions'),
  ],
  claim_sets: [
    ['classes', 'period', 'conditions'],
    ['classes', 'period'],
  ],
};

/** The presets by name. */
export const PRESETS: Readonly<Record<string, DcqlQuery>> = Object.freeze({
  /** Convenience store: adult yes/no, from the resident card or the driving licence. */
  'age-over-19': parseDcqlQuery({
    credentials: [
      credential('resident_card', ID, ['age_over_19']),
      credential('driving_licence', DL, ['age_over_19']),
    ],
    credential_sets: [{ options: [['resident_card'], ['driving_licence']] }],
  }),
  /** Name and date of birth, from either card. */
  'identity-basic': parseDcqlQuery({
    credentials: [
      credential('resident_card', ID, ['name', 'birth_date']),
      credential('driving_licence', DL, ['name', 'birth_date']),
    ],
    credential_sets: [{ options: [['resident_card'], ['driving_licence']] }],
  }),
  /** Licence classes and the aptitude-test (renewal) period; the conditions when there are any. */
  'driving-qualification': parseDcqlQuery({
    credentials: [
      {
        id: 'driving_licence',
        format: 'dc+sd-jwt',
        meta: { vct_values: [DL] },
        claims: [
          { id: 'classes', path: ['licence_classes'] },
          { id: 'period', path: ['aptitude_test_period'] },
          { id: 'conditions', path: ['conditions'] },
        ],
        claim_sets: [
          ['classes', 'period', 'conditions'],
          ['classes', 'period'],
        ],
      },
    ],
  }),
  /** `driving-qualification` from the licence as an ISO mdoc (18013-5 readers' form). */
  'mdl-driving-qualification': parseDcqlQuery({ credentials: [MDL_QUALIFICATION] }),
  /** Adult yes/no from the licence as an ISO mdoc (`age_over_19`). */
  'mdl-age-over-19': parseDcqlQuery({
    credentials: [
      {
        id: 'driving_licence_mdoc',
        format: 'mso_mdoc',
        meta: { doctype_value: MDL_DOCTYPE },
        claims: [element('age_over_19')],
      },
    ],
  }),
  /** The driving qualification from either form of the licence (the SD-JWT VC preferred). */
  'driving-qualification-any': parseDcqlQuery({
    credentials: [
      {
        id: 'driving_licence',
        format: 'dc+sd-jwt',
        meta: { vct_values: [DL] },
        claims: [
          { id: 'classes', path: ['licence_classes'] },
          { id: 'period', path: ['aptitude_test_period'] },
          { id: 'conditions', path: ['conditions'] },
        ],
        claim_sets: [
          ['classes', 'period', 'conditions'],
          ['classes', 'period'],
        ],
      },
      MDL_QUALIFICATION,
    ],
    credential_sets: [{ options: [['driving_licence'], ['driving_licence_mdoc']] }],
  }),
  /** Real-name identification with the resident registration number (needs a legal basis). */
  'full-identity-with-rrn': parseDcqlQuery({
    credentials: [credential('resident_card', ID, ['name', 'rrn', 'birth_date', 'address'])],
  }),
});

/** The names of {@link PRESETS}. */
export const PRESET_NAMES: readonly string[] = Object.freeze(Object.keys(PRESETS));

/** The preset `name`, or `ERR_VP_PRESET_UNKNOWN`. */
export function presetQuery(name: string): DcqlQuery {
  const q = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (q === undefined)
    throw new OpenMidError('ERR_VP_PRESET_UNKNOWN', 'No such preset', {
      details: { presets: PRESET_NAMES },
    });
  return q;
}

/**
 * The Korean profile's rule: a claim whose definition has the `rrn` sensitivity needs a statutory
 * basis (PIPA art. 24-2). Unknown types or claims need none here (they are refused elsewhere
 * unless registered).
 */
export const legalBasisRequired: LegalBasisRule = (vct: string, path: ClaimPath): boolean => {
  let type: ReturnType<typeof findCredentialType>;
  try {
    type = findCredentialType(vct);
  } catch {
    return false;
  }
  const name = path[0];
  return (
    typeof name === 'string' && type.claims.some((c) => c.name === name && c.sensitivity === 'rrn')
  );
};
