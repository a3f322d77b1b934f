/**
 * @module credentials/resident-id
 * 모바일 주민등록증 (mobile resident registration card), DOMAIN.md §1.1, §1.6: issued to citizens
 * aged 17 or over who hold the plastic card; nationwide since 2025-03-28.
 */
import { z } from 'zod';
import {
  ADDRESS,
  AGE_CLAIMS,
  address,
  BIRTH_DATE,
  claim,
  hanjaName,
  ISSUE_DATE,
  ISSUING_AUTHORITY,
  isoDate,
  localAuthority,
  NAME,
  PORTRAIT,
  portrait,
  RRN,
  rrn,
} from '../claims.js';
import { defineCredentialType } from '../define.js';
import type { CredentialType } from '../model.js';

/** The resident registration card. */
export const RESIDENT_ID: CredentialType = defineCredentialType({
  name: 'resident-id',
  labels: { ko: '모바일 주민등록증', en: 'Mobile resident registration card' },
  description: {
    ko: '주민등록증과 같은 효력을 가지는 모바일 신분증',
    en: 'Mobile identity card with the legal effect of the resident registration card',
  },
  legalBasis: {
    ko: '주민등록법 제24조의2 (모바일 주민등록증): 주민등록증과 같은 효력',
    en: 'Resident Registration Act art. 24-2 (mobile resident registration card): same effect as the plastic card',
  },
  issuerOfRecord: {
    ko: '주민등록지의 시장·군수·구청장',
    en: 'Mayor, county head or district head of the place of residence',
  },
  // 주민등록법 §24 ①: the card is issued to residents aged 17 or over.
  minimumAge: 17,
  colours: { background: '#1F4E8C', text: '#FFFFFF' },
  claims: [
    NAME,
    claim(
      'name_hanja',
      'string',
      { ko: '성명(한자)', en: 'Name in Hanja' },
      {
        description: {
          ko: '한자 성명이 없으면 생략합니다.',
          en: 'Omitted for names without Hanja.',
        },
      },
    ),
    RRN,
    BIRTH_DATE,
    ADDRESS,
    ISSUE_DATE,
    ISSUING_AUTHORITY,
    PORTRAIT,
    ...AGE_CLAIMS,
  ],
  schema: z.strictObject({
    // Citizens (naturalised ones included) are registered under a Hangul name.
    name: z
      .string()
      .max(20)
      .regex(/^[가-힣]{2,20}$/),
    name_hanja: hanjaName.optional(),
    rrn,
    birth_date: isoDate.optional(),
    address,
    issue_date: isoDate,
    issuing_authority: localAuthority,
    portrait,
  }),
});
