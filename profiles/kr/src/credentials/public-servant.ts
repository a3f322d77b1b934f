/**
 * @module credentials/public-servant
 * 모바일 공무원증 (mobile public-servant ID), DOMAIN.md §1.1, §1.6: since 2021 for central and
 * local government officials (applied for through e-사람 / 차세대 인사랑, approved by the head of
 * department); used at government-complex gates, smart-work centres and for work-system login.
 * DOMAIN.md marks the field list "(?)": 성명, 소속기관/부서, 직급 (optional), 공무원증번호, 사진,
 * 발급일, 유효기간.
 */
import { z } from 'zod';
import {
  cardNumber,
  claim,
  ISSUE_DATE,
  isoDate,
  NAME,
  PORTRAIT,
  personName,
  portrait,
  shortText,
} from '../claims.js';
import { defineCredentialType } from '../define.js';
import type { CredentialType } from '../model.js';

/** The public-servant ID. */
export const PUBLIC_SERVANT: CredentialType = defineCredentialType({
  name: 'public-servant',
  labels: { ko: '모바일 공무원증', en: 'Mobile public-servant ID' },
  description: {
    ko: '공무원 신분과 소속을 증명하는 모바일 공무원증',
    en: 'Mobile ID proving public-servant status and affiliation',
  },
  legalBasis: {
    ko: '소속 기관이 발급하는 공무원증의 모바일 형태 (행정안전부·인사혁신처 사업). 국가 신분증의 효력을 주는 별도 법률 조항은 확인되지 않음',
    en: 'Mobile form of the ID card issued by the employing institution (a MOIS / MPM programme); no statutory provision giving it the effect of a national identity document was found',
  },
  issuerOfRecord: { ko: '소속 기관의 장', en: 'Head of the employing institution' },
  colours: { background: '#263238', text: '#FFFFFF' },
  claims: [
    NAME,
    claim('organisation', 'string', { ko: '소속기관', en: 'Organisation' }, { required: true }),
    claim('department', 'string', { ko: '부서', en: 'Department' }, { required: true }),
    claim('grade', 'string', { ko: '직급', en: 'Grade' }),
    claim(
      'employee_number',
      'string',
      { ko: '공무원증번호', en: 'ID card number' },
      { required: true },
    ),
    PORTRAIT,
    ISSUE_DATE,
    claim('expiry_date', 'date', { ko: '유효기간', en: 'Valid until' }, { required: true }),
  ],
  schema: z.strictObject({
    name: personName,
    organisation: shortText,
    department: shortText,
    grade: shortText.optional(),
    employee_number: cardNumber,
    portrait,
    issue_date: isoDate,
    expiry_date: isoDate,
  }),
});
