/**
 * @module credentials/employee-id
 * A generic employee ID (사원증), like the DID employee IDs of NH Bank and KFTC (DOMAIN.md §1.1,
 * 2020): office entry and work-system login. It proves employment, not identity in law.
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

/** The employee ID. */
export const EMPLOYEE_ID: CredentialType = defineCredentialType({
  name: 'employee-id',
  labels: { ko: '모바일 사원증', en: 'Mobile employee ID' },
  description: {
    ko: '재직 사실과 소속을 증명하는 모바일 사원증',
    en: 'Mobile ID proving employment and affiliation',
  },
  legalBasis: {
    ko: '없음: 고용주가 발급하는 증명서로, 법적 신분증의 효력은 없음',
    en: 'None: an employer-issued credential with no effect as a legal identity document',
  },
  issuerOfRecord: { ko: '고용주', en: 'The employer' },
  colours: { background: '#37474F', text: '#FFFFFF' },
  claims: [
    NAME,
    claim('employer', 'string', { ko: '회사', en: 'Employer' }, { required: true }),
    claim('department', 'string', { ko: '부서', en: 'Department' }),
    claim('position', 'string', { ko: '직위', en: 'Position' }),
    claim(
      'employee_number',
      'string',
      { ko: '사원번호', en: 'Employee number' },
      { required: true },
    ),
    PORTRAIT,
    ISSUE_DATE,
    claim('expiry_date', 'date', { ko: '유효기간', en: 'Valid until' }),
  ],
  schema: z.strictObject({
    name: personName,
    employer: shortText,
    department: shortText.optional(),
    position: shortText.optional(),
    employee_number: cardNumber,
    portrait,
    issue_date: isoDate,
    expiry_date: isoDate.optional(),
  }),
});
