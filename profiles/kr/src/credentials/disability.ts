/**
 * @module credentials/disability
 * 모바일 장애인등록증 (mobile disability registration card), DOMAIN.md §1.6: launched 2026-01-22
 * (MOHW and MOIS), for registered persons aged 14 or over, valid 3 years.
 *
 * Guardian consent (minors, intellectual/autism/mental disabilities) is an issuance-process rule,
 * not a claim: the issuer service enforces it before calling the profile.
 */
import { z } from 'zod';
import {
  ADDRESS,
  AGE_CLAIMS,
  address,
  BIRTH_DATE,
  claim,
  ISSUE_DATE,
  ISSUING_AUTHORITY,
  isoDate,
  localAuthority,
  NAME,
  PORTRAIT,
  personName,
  portrait,
  RRN,
  rrn,
} from '../claims.js';
import { defineCredentialType } from '../define.js';
import type { CredentialType, Labels } from '../model.js';

/** 장애정도: two levels since the grade system (1–6) was abolished on 2019-07-01. */
export const DISABILITY_SEVERITIES: Readonly<Record<string, Labels>> = Object.freeze({
  '심한 장애': { ko: '심한 장애', en: 'Severe' },
  '심하지 않은 장애': { ko: '심하지 않은 장애', en: 'Not severe' },
});

/**
 * The 15 장애유형 of the Act on Welfare of Persons with Disabilities (장애인복지법 시행령 별표 1),
 * as listed in DOMAIN.md §1.6.
 */
export const DISABILITY_TYPES: Readonly<Record<string, Labels>> = Object.freeze({
  지체: { ko: '지체장애', en: 'Physical' },
  뇌병변: { ko: '뇌병변장애', en: 'Brain lesion' },
  시각: { ko: '시각장애', en: 'Visual' },
  청각: { ko: '청각장애', en: 'Hearing' },
  언어: { ko: '언어장애', en: 'Speech' },
  안면: { ko: '안면장애', en: 'Facial' },
  신장: { ko: '신장장애', en: 'Kidney' },
  심장: { ko: '심장장애', en: 'Heart' },
  간: { ko: '간장애', en: 'Liver' },
  호흡기: { ko: '호흡기장애', en: 'Respiratory' },
  장루·요루: { ko: '장루·요루장애', en: 'Ostomy' },
  뇌전증: { ko: '뇌전증장애', en: 'Epilepsy' },
  지적: { ko: '지적장애', en: 'Intellectual' },
  자폐성: { ko: '자폐성장애', en: 'Autism' },
  정신: { ko: '정신장애', en: 'Mental' },
});

const severity = z.enum(Object.keys(DISABILITY_SEVERITIES) as [string, ...string[]]);
const disabilityType = z.enum(Object.keys(DISABILITY_TYPES) as [string, ...string[]]);

/** The disability registration card. */
export const DISABILITY: CredentialType = defineCredentialType({
  name: 'disability',
  labels: { ko: '모바일 장애인등록증', en: 'Mobile disability registration card' },
  description: {
    ko: '장애인등록증과 같은 효력을 가지는 모바일 장애인등록증',
    en: 'Mobile disability registration card with the legal effect of the plastic card',
  },
  legalBasis: {
    ko: '장애인복지법 제32조 (2025년 개정으로 모바일 장애인등록증 발급 근거 마련)',
    en: 'Act on Welfare of Persons with Disabilities art. 32 (amended 2025 to provide for the mobile card)',
  },
  issuerOfRecord: {
    ko: '주소지의 시장·군수·구청장',
    en: 'Mayor, county head or district head of the place of residence',
  },
  minimumAge: 14,
  colours: { background: '#5B2C83', text: '#FFFFFF' },
  claims: [
    NAME,
    RRN,
    BIRTH_DATE,
    ADDRESS,
    claim(
      'disability_severity',
      'string',
      { ko: '장애정도', en: 'Severity of disability' },
      { required: true, sensitivity: 'health' },
    ),
    claim(
      'disability_types',
      'string-array',
      { ko: '장애유형', en: 'Types of disability' },
      { required: true, sensitivity: 'health' },
    ),
    ISSUE_DATE,
    ISSUING_AUTHORITY,
    PORTRAIT,
    ...AGE_CLAIMS,
  ],
  schema: z.strictObject({
    name: personName,
    rrn,
    birth_date: isoDate.optional(),
    address,
    disability_severity: severity,
    disability_types: z
      .array(disabilityType)
      .min(1)
      .max(15)
      .refine((a) => new Set(a).size === a.length, 'duplicate type'),
    issue_date: isoDate,
    issuing_authority: localAuthority,
    portrait,
  }),
});
