/**
 * @module credentials/driving-licence
 * 모바일 운전면허증 (mobile driving licence), DOMAIN.md §1.1, §1.6: nationwide since 2022-07-28,
 * issued by the 시·도경찰청장 who issued the licence.
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
  licenceNumber,
  NAME,
  PORTRAIT,
  personName,
  policeAuthority,
  portrait,
  RRN,
  rrn,
  shortText,
} from '../claims.js';
import { compareIsoDates } from '../dates.js';
import { defineCredentialType } from '../define.js';
import type { CredentialType } from '../model.js';

/**
 * Licence classes (도로교통법 §80 ②), in the order the card lists them (1종 → 특수 → 2종). 연습면허
 * (learner permits) are not 운전면허증 and are not issued as this credential.
 */
export const LICENCE_CLASSES: readonly string[] = Object.freeze([
  '1종대형',
  '1종보통',
  '1종소형',
  '1종특수(대형견인차)',
  '1종특수(소형견인차)',
  '1종특수(구난차)',
  '2종보통',
  '2종소형',
  '2종원동기장치자전거',
]);

/**
 * Minimum 만 나이 to hold each class (도로교통법 §82 ① 1호: under 18, or under 16 for
 * 원동기장치자전거; 6호: 1종 대형·특수 need 19 years and one year of driving experience).
 */
export const LICENCE_CLASS_MINIMUM_AGE: Readonly<Record<string, number>> = Object.freeze({
  '1종대형': 19,
  '1종보통': 18,
  '1종소형': 18,
  '1종특수(대형견인차)': 19,
  '1종특수(소형견인차)': 19,
  '1종특수(구난차)': 19,
  '2종보통': 18,
  '2종소형': 18,
  '2종원동기장치자전거': 16,
});

const licenceClass = z.enum(LICENCE_CLASSES as [string, ...string[]]);

/** The driving licence. */
export const DRIVING_LICENCE: CredentialType = defineCredentialType({
  name: 'driving-licence',
  labels: { ko: '모바일 운전면허증', en: 'Mobile driving licence' },
  description: {
    ko: '운전면허증과 같은 효력을 가지는 모바일 운전면허증',
    en: 'Mobile driving licence with the legal effect of the plastic licence',
  },
  legalBasis: {
    ko: '도로교통법 및 같은 법 시행규칙의 모바일 운전면허증 규정: 운전면허증과 같은 효력',
    en: 'Road Traffic Act and its Enforcement Rule (mobile driving licence provisions): same effect as the plastic licence',
  },
  issuerOfRecord: {
    ko: '시·도경찰청장',
    en: 'Commissioner of the metropolitan or provincial police agency',
  },
  minimumAge: 16,
  colours: { background: '#1B5E3B', text: '#FFFFFF' },
  claims: [
    NAME,
    RRN,
    BIRTH_DATE,
    ADDRESS,
    claim(
      'licence_number',
      'string',
      { ko: '면허번호', en: 'Licence number' },
      { required: true, sensitivity: 'unique-identifier' },
    ),
    claim(
      'licence_classes',
      'string-array',
      { ko: '면허종별', en: 'Licence classes' },
      { required: true },
    ),
    claim(
      'aptitude_test_period',
      'date-range',
      { ko: '적성검사(갱신)기간', en: 'Aptitude test / renewal period' },
      {
        required: true,
        description: {
          ko: '1종은 정기적성검사, 2종은 면허갱신 기간',
          en: 'Periodic aptitude test (class 1) or renewal (class 2) window',
        },
        members: [
          { name: 'start', type: 'date', labels: { ko: '시작일', en: 'From' } },
          { name: 'end', type: 'date', labels: { ko: '종료일', en: 'Until' } },
        ],
      },
    ),
    claim('conditions', 'string-array', { ko: '조건', en: 'Conditions' }),
    claim('serial', 'string', { ko: '암호일련번호', en: 'Security serial' }),
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
    licence_number: licenceNumber,
    // The card has three lines for classes (DOMAIN.md §1.6).
    licence_classes: z
      .array(licenceClass)
      .min(1)
      .max(3)
      .refine((a) => new Set(a).size === a.length, 'duplicate class')
      .transform((a) =>
        [...a].sort((x, y) => LICENCE_CLASSES.indexOf(x) - LICENCE_CLASSES.indexOf(y)),
      ),
    aptitude_test_period: z
      .strictObject({ start: isoDate, end: isoDate })
      .refine((p) => compareIsoDates(p.start, p.end) <= 0, 'start after end'),
    conditions: z.array(shortText).min(1).max(5).optional(),
    serial: z
      .string()
      .regex(/^[0-9A-Z]{5,6}$/)
      .optional(),
    issue_date: isoDate,
    issuing_authority: policeAuthority,
    portrait,
  }),
});
