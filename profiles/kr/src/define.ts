/**
 * @module define
 * Builds a {@link CredentialType} from its claim list: the disclosure frame and the SD-JWT VC
 * Type Metadata are generated from the same definitions, so labels, `mandatory` and `sd` can never
 * drift apart. Results are deeply frozen: types are shared module state.
 */
import type { z } from 'zod';
import type {
  ClaimDefinition,
  ClaimMetadata,
  CredentialType,
  CredentialTypeName,
  DisclosureFrame,
  Labels,
  TypeMetadata,
} from './model.js';

/** BCP 47 tags used in Type Metadata display entries. */
export const LOCALES: { readonly ko: 'ko-KR'; readonly en: 'en-US' } = Object.freeze({
  ko: 'ko-KR',
  en: 'en-US',
});

/** Input of {@link defineCredentialType}. */
export interface CredentialTypeSpec {
  readonly name: CredentialTypeName;
  readonly labels: Labels;
  readonly description: Labels;
  readonly legalBasis: Labels;
  readonly issuerOfRecord: Labels;
  readonly minimumAge?: number;
  readonly colours: { readonly background: string; readonly text: string };
  readonly claims: readonly ClaimDefinition[];
  readonly schema: z.ZodType<Record<string, unknown>, unknown>;
}

/** The `vct` of a type: `urn:openmid:kr:<name>:1`. */
export function vctOf(name: CredentialTypeName): string {
  return `urn:openmid:kr:${name}:1`;
}

function display(labels: Labels, description: Labels | undefined) {
  return [
    {
      locale: LOCALES.ko,
      label: labels.ko,
      ...(description === undefined ? {} : { description: description.ko }),
    },
    {
      locale: LOCALES.en,
      label: labels.en,
      ...(description === undefined ? {} : { description: description.en }),
    },
  ];
}

function claimMetadata(claims: readonly ClaimDefinition[]): ClaimMetadata[] {
  const out: ClaimMetadata[] = [];
  for (const c of claims) {
    out.push({
      path: [...c.path],
      display: display(c.labels, c.description),
      mandatory: c.required,
      // SD-JWT VC §9.3: "always" — the Issuer MUST make the claim selectively disclosable.
      sd: c.selectivelyDisclosable ? 'always' : 'never',
    });
    // Members of an object disclosed as one Disclosure are plain inside it.
    for (const m of c.members ?? []) {
      out.push({
        path: [...c.path, m.name],
        display: display(m.labels, undefined),
        mandatory: true,
        sd: 'never',
      });
    }
  }
  return out;
}

/** The disclosure frame: every selectively disclosable top-level claim in `_sd`. */
export function frameOf(claims: readonly ClaimDefinition[]): DisclosureFrame {
  return { _sd: claims.filter((c) => c.selectivelyDisclosable).map((c) => c.name) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Assemble and freeze a credential type. */
export function defineCredentialType(spec: CredentialTypeSpec): CredentialType {
  const vct = vctOf(spec.name);
  const typeMetadata: TypeMetadata = {
    vct,
    name: `OpenMID Korea: ${spec.labels.en}`,
    description: spec.description.en,
    display: [
      {
        locale: LOCALES.ko,
        name: spec.labels.ko,
        description: spec.description.ko,
        rendering: {
          simple: { background_color: spec.colours.background, text_color: spec.colours.text },
        },
      },
      {
        locale: LOCALES.en,
        name: spec.labels.en,
        description: spec.description.en,
        rendering: {
          simple: { background_color: spec.colours.background, text_color: spec.colours.text },
        },
      },
    ],
    claims: claimMetadata(spec.claims),
  };
  const type: CredentialType = {
    name: spec.name,
    vct,
    labels: spec.labels,
    description: spec.description,
    legalBasis: spec.legalBasis,
    issuerOfRecord: spec.issuerOfRecord,
    validityYears: 3,
    minimumAge: spec.minimumAge,
    claims: spec.claims,
    schema: spec.schema,
    disclosureFrame: frameOf(spec.claims),
    typeMetadata,
  };
  // The zod schema is not plain data: freeze everything but it.
  deepFreeze(type.claims);
  deepFreeze(type.disclosureFrame);
  deepFreeze(type.typeMetadata);
  deepFreeze(type.labels);
  deepFreeze(type.description);
  deepFreeze(type.legalBasis);
  deepFreeze(type.issuerOfRecord);
  return Object.freeze(type);
}
