/**
 * @module registry/seed
 * The demo relying parties seeded at start (issue 4 "Done when"), each registered for the least
 * it needs (DOMAIN.md §1.3, §7):
 *
 * | id                  | registered for                                                   | RRN basis |
 * | ------------------- | ---------------------------------------------------------------- | --------- |
 * | `bank`              | identity + resident number (either card)                         | 금융실명법 §3 |
 * | `convenience-store` | `age_over_19` only                                               | none      |
 * | `police-checkpoint` | licence qualification + identity (name, birth date, portrait)    | none      |
 * | `car-rental`        | licence classes, validity (aptitude-test period) and name        | none      |
 */
import { isOpenMidError } from '@openmid/core/errors';
import { DRIVING_LICENCE, RESIDENT_ID } from '@openmid/profile-kr';
import type { VerifierContext } from '../context.js';
import { type RelyingPartyInput, registerRelyingParty } from './registry.js';

const ID = RESIDENT_ID.vct;
const DL = DRIVING_LICENCE.vct;
const paths = (...names: string[]) => names.map((n) => [n]);

/** The demo relying parties. */
export const DEMO_RELYING_PARTIES: readonly RelyingPartyInput[] = Object.freeze([
  {
    id: 'bank',
    names: { ko: '오픈은행', en: 'OpenMID Demo Bank' },
    purpose: {
      ko: '비대면 계좌 개설을 위한 실명 확인',
      en: 'Real-name verification to open an account online',
    },
    requests: [
      { vct: ID, claims: paths('name', 'rrn', 'birth_date', 'address') },
      { vct: DL, claims: paths('name', 'rrn', 'birth_date', 'address') },
    ],
    rrnLegalBasis:
      '금융실명거래 및 비밀보장에 관한 법률 제3조 (Act on Real Name Financial Transactions, art. 3)',
  },
  {
    id: 'convenience-store',
    names: { ko: '오픈편의점', en: 'OpenMID Demo Convenience Store' },
    purpose: {
      ko: '주류·담배 판매 시 성인 여부 확인 (청소년 보호법)',
      en: 'Adult check before selling alcohol or tobacco (Juvenile Protection Act)',
    },
    requests: [
      { vct: ID, claims: paths('age_over_19') },
      { vct: DL, claims: paths('age_over_19') },
    ],
    rrnLegalBasis: null,
  },
  {
    id: 'police-checkpoint',
    names: { ko: '경찰 음주단속 현장', en: 'Police road checkpoint' },
    purpose: {
      ko: '운전자격 및 본인 확인 (도로교통법 제92조)',
      en: 'Driving qualification and identity check (Road Traffic Act art. 92)',
    },
    requests: [
      {
        vct: DL,
        claims: paths(
          'name',
          'birth_date',
          'portrait',
          'licence_number',
          'licence_classes',
          'aptitude_test_period',
          'conditions',
        ),
      },
      { vct: ID, claims: paths('name', 'birth_date', 'portrait') },
    ],
    rrnLegalBasis: null,
  },
  {
    id: 'car-rental',
    names: { ko: '오픈렌터카', en: 'OpenMID Demo Car Rental' },
    purpose: {
      ko: '차량 대여 시 운전면허 종류와 유효기간 확인',
      en: 'Licence classes and validity before renting a car',
    },
    requests: [{ vct: DL, claims: paths('name', 'licence_classes', 'aptitude_test_period') }],
    rrnLegalBasis: null,
  },
]);

/**
 * Register the demo relying parties that are not registered yet; returns the ids added. With the
 * trust ledger they are registered there too; a refusal by the ledger is logged (the party stays
 * registered here, and start-up's `syncLedgerRelyingParties` tries again) rather than stopping.
 */
export async function seedDemoRelyingParties(ctx: VerifierContext): Promise<string[]> {
  const existing = await ctx.sql.query<{ id: string }>('SELECT id FROM verifier_relying_parties');
  const have = new Set(existing.rows.map((r) => r.id));
  const added: string[] = [];
  for (const rp of DEMO_RELYING_PARTIES) {
    if (have.has(rp.id)) continue;
    try {
      await registerRelyingParty(ctx, rp, 'system');
    } catch (e) {
      const stored = await ctx.sql.query('SELECT 1 FROM verifier_relying_parties WHERE id = $1', [
        rp.id,
      ]);
      if (ctx.ledger === undefined || stored.rowCount === 0) throw e;
      ctx.logger.warn(
        { rp: rp.id, errorCode: isOpenMidError(e) ? e.code : 'ERR_INTERNAL' },
        'trust ledger: the demo relying party is not registered there yet',
      );
    }
    added.push(rp.id);
  }
  return added;
}
