/**
 * @module services/mdoc
 * The driving licence as an ISO/IEC 18013-5 mdoc through OpenID4VCI 1.0 (Appendix A.2, issue 7
 * §2): the `mso_mdoc` credential configuration `driving-licence-mdoc` next to the SD-JWT VC
 * `driving-licence`, issued from the SAME register record (`koreanLicenceToMdl` over the profile's
 * subject claims), bound to the key of the wallet's `jwt` key proof (its `jwk` becomes the MSO
 * device key, a COSE_Key), signed by the issuer's document signer, with a Token Status List
 * reference in the MSO (`status.status_list {idx, uri}`) allocated from the same lists as the
 * SD-JWT VCs. Batch copies get distinct device keys (one per proof), fresh salts and digest ids
 * (a new MSO per copy) and their own status index, so two presentations cannot be linked.
 *
 * The credential is the base64url of the IssuerSigned CBOR (Appendix A.2.4).
 */
import { OpenMidError } from '@openmid/core/errors';
import type { PublicJwk } from '@openmid/core/keys';
import {
  issueMdoc,
  KR_LICENCE_ELEMENTS,
  koreanLicenceToMdl,
  MDL_DOCTYPE,
} from '@openmid/core/mdoc';
import { type CredentialType, findCredentialType } from '@openmid/profile-kr';
import type { MdocPki } from '../mdoc-pki.js';
import { PROOF_ALGS } from '../oauth/proofs.js';

/** The `mso_mdoc` format identifier (OpenID4VCI 1.0 Appendix A.2.1). */
export const MSO_MDOC_FORMAT = 'mso_mdoc';

/** A credential configuration in mdoc form, and the credential type whose record it reads. */
export interface MdocConfiguration {
  /** The credential configuration id. */
  readonly id: string;
  /** The profile's credential type name (the register record, status handling, offers). */
  readonly type: string;
  readonly doctype: string;
}

/** The mdoc configurations the issuer offers (the Korean driving licence as an mDL). */
export const MDOC_CONFIGURATIONS: readonly MdocConfiguration[] = Object.freeze([
  { id: 'driving-licence-mdoc', type: 'driving-licence', doctype: MDL_DOCTYPE },
]);

/** The mdoc configuration `id`, if it is one. */
export function mdocConfiguration(id: string): MdocConfiguration | undefined {
  return MDOC_CONFIGURATIONS.find((c) => c.id === id);
}

/**
 * The credential type name behind a configuration id: the id itself for an SD-JWT VC
 * configuration, the mirrored type for an mdoc one.
 */
export function typeOfConfiguration(id: string): string {
  return mdocConfiguration(id)?.type ?? id;
}

/** Every configuration id (SD-JWT VC and mdoc) that issues credential type `type`. */
export function configurationsOfType(type: string): string[] {
  return [type, ...MDOC_CONFIGURATIONS.filter((c) => c.type === type).map((c) => c.id)];
}

/** COSE alg -7 (ES256): the `alg` of IssuerAuth (18013-5 §9.1.2.4; RFC 9053 §2.1). */
const COSE_ES256 = -7;

/** Labels of the ISO-only mDL elements (the mapped ones use the profile's claim labels). */
const ISO_LABELS: Readonly<Record<string, { ko: string; en: string }>> = {
  family_name: { ko: '성(로마자)', en: 'Family name' },
  given_name: { ko: '이름(로마자)', en: 'Given name' },
  family_name_national_character: { ko: '성', en: 'Family name (Hangul)' },
  given_name_national_character: { ko: '이름', en: 'Given name (Hangul)' },
  expiry_date: { ko: '만료일', en: 'Expiry date' },
  issuing_country: { ko: '발급 국가', en: 'Issuing country' },
  driving_privileges: { ko: '운전 가능 차종(국제)', en: 'Driving privileges' },
  un_distinguishing_sign: { ko: '국제 식별 부호', en: 'UN distinguishing sign' },
  age_birth_year: { ko: '출생 연도', en: 'Year of birth' },
  age_over_18: { ko: '만 18세 이상', en: 'Aged 18 or over' },
  age_over_21: { ko: '만 21세 이상', en: 'Aged 21 or over' },
};

/**
 * The credential configuration of `config` (OpenID4VCI 1.0 Appendix A.2.2): `doctype`, COSE
 * algorithm numbers, `cose_key` binding, `jwt` key proofs, display and claims metadata whose
 * paths are `[namespace, element]` (Appendix A.2.2, claims description path of two strings).
 */
export function mdocConfigurationMetadata(config: MdocConfiguration): Record<string, unknown> {
  const type: CredentialType = findCredentialType(config.type);
  const labelOf = (claim: string) => type.claims.find((c) => c.name === claim)?.labels;
  const claims: Record<string, unknown>[] = [];
  for (const [claim, [ns, element]] of Object.entries(KR_LICENCE_ELEMENTS)) {
    const labels = labelOf(claim);
    if (labels === undefined) continue;
    claims.push({
      path: [ns, element],
      display: [
        { name: labels.ko, locale: 'ko-KR' },
        { name: labels.en, locale: 'en-US' },
      ],
    });
  }
  for (const [element, labels] of Object.entries(ISO_LABELS))
    claims.push({
      path: ['org.iso.18013.5.1', element],
      display: [
        { name: labels.ko, locale: 'ko-KR' },
        { name: labels.en, locale: 'en-US' },
      ],
    });
  return {
    format: MSO_MDOC_FORMAT,
    doctype: config.doctype,
    // No `scope`: the authorization-code flow issues the SD-JWT VC only (docs/issuer.md).
    cryptographic_binding_methods_supported: ['cose_key'],
    credential_signing_alg_values_supported: [COSE_ES256],
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: [...PROOF_ALGS] } },
    credential_metadata: {
      display: [
        {
          name: `${type.labels.ko} (ISO mDL)`,
          locale: 'ko-KR',
          description: type.description.ko,
          background_color: '#0b3d91',
          text_color: '#ffffff',
        },
        {
          name: `${type.labels.en} (ISO mDL)`,
          locale: 'en-US',
          description: type.description.en,
          background_color: '#0b3d91',
          text_color: '#ffffff',
        },
      ],
      claims,
    },
  };
}

/** One mdoc copy to issue. */
export interface MdocCopy {
  /** The holder's device key (the key proof's `jwk`). */
  readonly deviceKey: PublicJwk;
  readonly status: { readonly idx: number; readonly uri: string };
}

/**
 * Issue the mdoc copies of one credential request from the profile's subject claims: one MSO per
 * copy (fresh salts, digest ids, device key, status index), valid from now until the SD-JWT VC's
 * expiry, signed by the document signer.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` when the register record does not map to an mDL.
 * @see OpenID4VCI 1.0 Appendix A.2.4; ISO/IEC 18013-5 §9.1.2.4
 */
export async function issueMdocCopies(
  pki: MdocPki,
  input: {
    readonly config: MdocConfiguration;
    readonly claims: Record<string, unknown>;
    readonly now: number;
    readonly exp: number;
    readonly copies: readonly MdocCopy[];
  },
): Promise<string[]> {
  const mdl = koreanLicenceToMdl(input.claims, { issuedAt: input.now });
  if (mdl.docType !== input.config.doctype)
    throw new OpenMidError('ERR_INTERNAL', 'The mapping yields another document type');
  const out: string[] = [];
  for (const copy of input.copies) {
    const { issuerSigned } = await issueMdoc({
      docType: mdl.docType,
      nameSpaces: mdl.nameSpaces,
      deviceKey: copy.deviceKey,
      signer: pki.documentSigner.signer,
      certificate: pki.documentSigner.der,
      validity: { signed: input.now, validUntil: input.exp },
      status: copy.status,
    });
    out.push(Buffer.from(issuerSigned).toString('base64url'));
  }
  return out;
}
