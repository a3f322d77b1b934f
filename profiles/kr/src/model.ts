/**
 * @module model
 * The shapes of the profile: credential types, claim definitions, the disclosure frame handed to
 * the SD-JWT engine, and SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §6 "SD-JWT VC Type
 * Metadata", §8 "Display Metadata", §9 "Claim Metadata"; the section numbers are those of the
 * drafts since -09, with `locale`, `mandatory` and `sd` in claim metadata).
 *
 * The Type Metadata type is declared here structurally so that the profile stays data-only; the
 * core engine's own `TypeMetadata` type accepts the same JSON.
 */
import type { z } from 'zod';

/** A text in Korean and English. */
export interface Labels {
  readonly ko: string;
  readonly en: string;
}

/** The five credential types of the Korean profile (DOMAIN.md §1.6). */
export type CredentialTypeName =
  | 'resident-id'
  | 'driving-licence'
  | 'disability'
  | 'public-servant'
  | 'employee-id';

/**
 * How sensitive a claim is under PIPA (개인정보 보호법), which decides what a relying party may
 * request and what the wallet must ask about separately (SECURITY.md, presentation):
 * - `ordinary`: personal information (art. 15–17 consent or another basis);
 * - `unique-identifier`: 고유식별정보 other than the RRN — licence, passport, foreigner
 *   registration numbers — separate consent or a legal basis (art. 24);
 * - `rrn`: the resident registration number, only with a statutory basis; consent is not enough
 *   (art. 24-2, DOMAIN.md §7);
 * - `biometric`: the portrait, a 생체인식정보 when used to identify (art. 23 민감정보);
 * - `health`: health information such as disability type and severity (art. 23 민감정보:
 *   separate consent or a legal basis).
 */
export type Sensitivity = 'ordinary' | 'unique-identifier' | 'rrn' | 'biometric' | 'health';

/** The JSON form of a claim value. */
export type ClaimValueType =
  | 'string'
  | 'date'
  | 'boolean'
  | 'string-array'
  | 'date-range'
  | 'image-uri';

/** A member of a structured claim (e.g. `aptitude_test_period.start`). */
export interface ClaimMember {
  readonly name: string;
  readonly type: ClaimValueType;
  readonly labels: Labels;
}

/** One claim of a credential type. */
export interface ClaimDefinition {
  /** The JSON claim name (snake_case). */
  readonly name: string;
  /** The claim path in array form (SD-JWT VC §9.1), e.g. `['address']`. */
  readonly path: readonly string[];
  /** The JSON form of the value. */
  readonly type: ClaimValueType;
  /** Present in every credential of the type (Type Metadata `mandatory`). */
  readonly required: boolean;
  /**
   * Issued as a Disclosure. Every personal claim is: SD-JWT VC forbids selective disclosure only
   * for iss, nbf, exp, cnf, vct, vct#integrity and status (§3.2.2.2), none of which is a subject
   * claim.
   */
  readonly selectivelyDisclosable: boolean;
  /** Label shown to people. */
  readonly labels: Labels;
  /** Longer explanation, when the label is not enough. */
  readonly description?: Labels;
  /** PIPA sensitivity class. */
  readonly sensitivity: Sensitivity;
  /** Computed by the profile at issuance; never accepted from the issuer's input. */
  readonly derived?: true;
  /** Members of a structured (object) claim. */
  readonly members?: readonly ClaimMember[];
}

/**
 * A disclosure frame for the SD-JWT engine: `_sd` lists the members of this object that become
 * Disclosures (names, or indices for arrays); other keys hold frames for nested objects.
 */
export interface DisclosureFrame {
  readonly _sd?: readonly (string | number)[];
  readonly [member: string]: DisclosureFrame | readonly (string | number)[] | undefined;
}

/** Rendering method "simple" (SD-JWT VC §8.1.1). */
export interface SimpleRendering {
  readonly logo?: {
    readonly uri: string;
    readonly 'uri#integrity'?: string;
    readonly alt_text?: string;
  };
  readonly background_color?: string;
  readonly text_color?: string;
}

/** Display metadata of a type for one locale (SD-JWT VC §8). */
export interface TypeDisplayMetadata {
  readonly locale: string;
  readonly name: string;
  readonly description?: string;
  readonly rendering?: { readonly simple?: SimpleRendering };
}

/** Display metadata of a claim for one locale (SD-JWT VC §9.2). */
export interface ClaimDisplayMetadata {
  readonly locale: string;
  readonly label: string;
  readonly description?: string;
}

/** Claim metadata (SD-JWT VC §9): path, display, `mandatory` and `sd` (§9.3). */
export interface ClaimMetadata {
  readonly path: readonly (string | number | null)[];
  readonly display?: readonly ClaimDisplayMetadata[];
  readonly mandatory?: boolean;
  readonly sd?: 'always' | 'allowed' | 'never';
  readonly svg_id?: string;
}

/** An SD-JWT VC Type Metadata document (SD-JWT VC §6.2 "Type Metadata Format"). */
export interface TypeMetadata {
  readonly vct: string;
  readonly name?: string;
  readonly description?: string;
  readonly extends?: string;
  readonly 'extends#integrity'?: string;
  readonly display?: readonly TypeDisplayMetadata[];
  readonly claims?: readonly ClaimMetadata[];
}

/** Subject claims after validation and derivation, ready for the SD-JWT VC payload. */
export type SubjectClaims = Readonly<Record<string, unknown>>;

/** A credential type of the profile. */
export interface CredentialType {
  /** Short name, e.g. `driving-licence`. */
  readonly name: CredentialTypeName;
  /** SD-JWT VC type identifier (`vct`, SD-JWT VC §3.2.2.1), e.g. `urn:openmid:kr:driving-licence:1`. */
  readonly vct: string;
  /** Human name of the credential. */
  readonly labels: Labels;
  /** One-sentence description. */
  readonly description: Labels;
  /** The statute that gives the mobile credential the effect of the plastic card. */
  readonly legalBasis: Labels;
  /** Who issues the credential in law (the issuer of the plastic card). */
  readonly issuerOfRecord: Labels;
  /** Validity of the mobile credential in years from issuance (DOMAIN.md §1.2: 3 years). */
  readonly validityYears: number;
  /** Minimum 만 나이 of the holder at issuance, when the law sets one. */
  readonly minimumAge: number | undefined;
  /** Every claim, in display order. */
  readonly claims: readonly ClaimDefinition[];
  /**
   * zod schema of the claims an issuer supplies (derived claims excluded; strict: unknown claims
   * are rejected). Prefer `buildSubjectClaims`, which also runs the cross-claim checks.
   */
  readonly schema: z.ZodType<Record<string, unknown>, unknown>;
  /** Disclosure frame listing every disclosable top-level claim. */
  readonly disclosureFrame: DisclosureFrame;
  /** SD-JWT VC Type Metadata for `vct`. */
  readonly typeMetadata: TypeMetadata;
}
