/**
 * @module claims
 * Claim definitions and zod value schemas shared by the credential types. Korean formats are
 * checked with the validators of this profile; values are normalised (RRN and licence number with
 * hyphens) so that equal data always yields equal claims.
 */
import { z } from 'zod';
import { isIsoDate } from './dates.js';
import type { ClaimDefinition, ClaimMember, ClaimValueType, Labels, Sensitivity } from './model.js';
import { isRoadNameAddress } from './validators/address.js';
import { parseLicenceNumber } from './validators/licence.js';
import { parseRrn } from './validators/rrn.js';

/** Options of {@link claim}. */
interface ClaimOptions {
  readonly required?: boolean;
  readonly sensitivity?: Sensitivity;
  readonly derived?: true;
  readonly description?: Labels;
  readonly members?: readonly ClaimMember[];
}

/** Declare a top-level, selectively disclosable claim. */
export function claim(
  name: string,
  type: ClaimValueType,
  labels: Labels,
  options: ClaimOptions = {},
): ClaimDefinition {
  return {
    name,
    path: [name],
    type,
    required: options.required ?? false,
    selectivelyDisclosable: true,
    labels,
    ...(options.description === undefined ? {} : { description: options.description }),
    sensitivity: options.sensitivity ?? 'ordinary',
    ...(options.derived === undefined ? {} : { derived: options.derived }),
    ...(options.members === undefined ? {} : { members: options.members }),
  };
}

// ---------------------------------------------------------------------------------------------
// Value schemas

/** Hangul name (2–20 syllables, family name first, no space) or an upper-case Latin name. */
export const personName: z.ZodString = z
  .string()
  .max(60)
  .regex(/^(?:[가-힣]{2,20}|[A-Z](?:[A-Z' -]{0,58}[A-Z])?)$/);

/** Hanja name (CJK unified ideographs, compatibility ideographs, extension A). */
export const hanjaName: z.ZodString = z
  .string()
  .max(20)
  .regex(/^[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]{1,20}$/);

/** `YYYY-MM-DD`, a real calendar day. */
export const isoDate: z.ZodType<string, unknown> = z.string().max(10).refine(isIsoDate);

/** RRN, normalised to `YYMMDD-SXXXXXX` (legacy check digit not enforced). */
export const rrn: z.ZodType<string, unknown> = z
  .string()
  .max(14)
  .transform((value, ctx) => {
    try {
      return parseRrn(value).normalised;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Invalid resident registration number' });
      return z.NEVER;
    }
  });

/** Licence number, normalised to `RR-YY-NNNNNN-CD`. */
export const licenceNumber: z.ZodType<string, unknown> = z
  .string()
  .max(15)
  .transform((value, ctx) => {
    try {
      return parseLicenceNumber(value).normalised;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Invalid driving-licence number' });
      return z.NEVER;
    }
  });

/** Road-name address (도로명주소). */
export const address: z.ZodType<string, unknown> = z.string().refine(isRoadNameAddress);

/** A short free text (organisation, department, …): no control characters, 1–100 chars. */
export const shortText: z.ZodString = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}\p{Cf}]+$/u);

/** An identifier printed on a card: letters, digits and hyphens, 4–20 characters. */
export const cardNumber: z.ZodString = z.string().regex(/^[0-9A-Za-z-]{4,20}$/);

/** Issuing authority of a 시·군·구 card (RRC, disability card): 시장, 군수 or 구청장. */
export const localAuthority: z.ZodString = z
  .string()
  .max(60)
  .regex(/^[가-힣]+(?: [가-힣]+){0,3}(?:시장|군수|구청장)$/);

/** Issuing authority of a driving licence: a 시·도경찰청장. */
export const policeAuthority: z.ZodString = z
  .string()
  .max(30)
  .regex(/^[가-힣]{2,12}경찰청장$/);

/** Largest portrait accepted, in characters of its data: URI (≈ 190 KB of JPEG). */
export const MAX_PORTRAIT_LENGTH = 262_144;

/**
 * Portrait as a `data:` URI (JPEG, PNG, WebP or SVG). Wallets must render it as an image
 * (`<img>`), never inline it as markup: an SVG may carry script.
 */
export const portrait: z.ZodString = z
  .string()
  .max(MAX_PORTRAIT_LENGTH)
  .regex(/^data:image\/(?:jpeg|png|webp|svg\+xml)(?:;base64)?,\S+$/);

// ---------------------------------------------------------------------------------------------
// Claims used by several types

export const NAME: ClaimDefinition = claim(
  'name',
  'string',
  { ko: '성명', en: 'Name' },
  { required: true },
);
export const RRN: ClaimDefinition = claim(
  'rrn',
  'string',
  { ko: '주민등록번호', en: 'Resident registration number' },
  {
    required: true,
    sensitivity: 'rrn',
    description: {
      ko: '법령에 근거가 있는 경우에만 요청할 수 있습니다 (개인정보 보호법 제24조의2).',
      en: 'May only be requested with a statutory basis (PIPA art. 24-2).',
    },
  },
);
export const BIRTH_DATE: ClaimDefinition = claim(
  'birth_date',
  'date',
  { ko: '생년월일', en: 'Date of birth' },
  {
    required: true,
    description: {
      ko: '생략하면 주민등록번호 앞 7자리에서 정합니다.',
      en: 'Taken from the first seven digits of the RRN when not supplied.',
    },
  },
);
export const ADDRESS: ClaimDefinition = claim(
  'address',
  'string',
  { ko: '주소', en: 'Address' },
  { required: true },
);
export const ISSUE_DATE: ClaimDefinition = claim(
  'issue_date',
  'date',
  { ko: '발급일자', en: 'Date of issue' },
  {
    required: true,
    description: { ko: '실물 카드의 발급일', en: 'Issue date of the plastic card' },
  },
);
export const ISSUING_AUTHORITY: ClaimDefinition = claim(
  'issuing_authority',
  'string',
  { ko: '발급기관', en: 'Issuing authority' },
  { required: true },
);
export const PORTRAIT: ClaimDefinition = claim(
  'portrait',
  'image-uri',
  { ko: '사진', en: 'Portrait' },
  { required: true, sensitivity: 'biometric' },
);

/** Ages stated by the derived `age_over_NN` claims, with the rule each one serves. */
export const AGE_THRESHOLDS: readonly {
  readonly age: number;
  readonly claim: string;
  readonly basis: Labels;
}[] = Object.freeze([
  {
    age: 14,
    claim: 'age_over_14',
    basis: {
      ko: '만 14세 미만 아동의 개인정보 처리에는 법정대리인 동의 필요 (개인정보 보호법 제22조의2)',
      en: 'Children under 14 need a legal guardian’s consent for data processing (PIPA art. 22-2)',
    },
  },
  {
    age: 19,
    claim: 'age_over_19',
    basis: { ko: '성년 (민법 제4조)', en: 'Age of majority (Civil Act art. 4)' },
  },
  {
    age: 65,
    claim: 'age_over_65',
    basis: {
      ko: '경로우대 대상 (노인복지법 제26조)',
      en: 'Senior-citizen concessions (Welfare of Senior Citizens Act art. 26)',
    },
  },
]);

/** The derived age claims, in order of {@link AGE_THRESHOLDS}. */
export const AGE_CLAIMS: readonly ClaimDefinition[] = AGE_THRESHOLDS.map((t) =>
  claim(
    t.claim,
    'boolean',
    { ko: `만 ${t.age}세 이상`, en: `Aged ${t.age} or over` },
    {
      required: true,
      derived: true,
      description: {
        ko: `발급 시점의 만 나이로 정하며 유효기간(3년) 동안 바뀌지 않습니다. ${t.basis.ko}.`,
        en: `Fixed at issuance from the age on that day; it does not change during the 3-year validity. ${t.basis.en}.`,
      },
    },
  ),
);
