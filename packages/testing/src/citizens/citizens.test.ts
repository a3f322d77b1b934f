import {
  ageOn,
  buildSubjectClaims,
  CREDENTIAL_TYPE_NAMES,
  isRoadNameAddress,
  LICENCE_CLASSES,
  parseLicenceNumber,
  parseRrn,
  SIDO,
} from '@openmid/profile-kr';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CENSUS_DATE, citizenAt, citizens, claimsFor, PORTRAIT_PLACEHOLDER } from './index.js';

const CENSUS_SECONDS = Date.parse(`${CENSUS_DATE}T00:00:00+09:00`) / 1000;
const THREE_YEARS = 3 * 365 * 86_400;

describe('determinism and random access', () => {
  test('the same seed and index always give the same citizen', () => {
    expect(citizenAt('seed', 123_456)).toEqual(citizenAt('seed', 123_456));
    expect(citizenAt(7, 2 ** 40)).toEqual(citizenAt(7, 2 ** 40));
  });

  test('different seeds give different populations', () => {
    const a = Array.from({ length: 20 }, (_, i) => citizenAt('a', i).rrn);
    const b = Array.from({ length: 20 }, (_, i) => citizenAt('b', i).rrn);
    expect(a).not.toEqual(b);
  });

  test('the iterator yields exactly citizenAt(seed, i), from any start', () => {
    const fromIterator = [...citizens('it', { start: 1000, count: 50 })];
    expect(fromIterator).toEqual(Array.from({ length: 50 }, (_, i) => citizenAt('it', 1000 + i)));
  });

  test('generation order does not matter (workers can split the index range)', () => {
    const forward = [3, 1, 2].map((i) => citizenAt('order', i));
    citizenAt('order', 99);
    expect([citizenAt('order', 3), citizenAt('order', 1), citizenAt('order', 2)]).toEqual(forward);
  });

  test('claimsFor is deterministic too', () => {
    const c = citizenAt('claims', 5);
    const issuedAt = new Date('2026-04-01T00:00:00Z');
    expect(claimsFor('driving-licence', c, { issuedAt })).toEqual(
      claimsFor('driving-licence', c, { issuedAt }),
    );
  });

  test('rejects a negative index', () => {
    expect(() => citizenAt('x', -1)).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });
});

describe('every generated citizen is valid for the profile', () => {
  test('claimsFor passes buildSubjectClaims for all five types (property over indices and dates)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 8 }),
        fc.nat({ max: 50_000_000 }),
        fc.integer({ min: 0, max: THREE_YEARS }),
        (seed, index, offset) => {
          const citizen = citizenAt(seed, index);
          const issuedAt = CENSUS_SECONDS + offset;
          for (const type of CREDENTIAL_TYPE_NAMES) {
            const claims = buildSubjectClaims(type, claimsFor(type, citizen, { issuedAt }), {
              issuedAt,
            });
            expect(claims['name']).toBe(citizen.name);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  test('every RRN validates and its 7th digit matches birth date and sex', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.nat({ max: 50_000_000 }), (seed, index) => {
        const c = citizenAt(seed, index);
        const r = parseRrn(c.rrn);
        expect(r.normalised).toBe(c.rrn);
        expect(r.birthDate).toBe(c.birthDate);
        expect(r.sex).toBe(c.sex);
        expect(r.foreigner).toBe(false);
        const year = Number(c.birthDate.slice(0, 4));
        expect(r.centuryDigit).toBe((year >= 2000 ? 3 : 1) + (c.sex === 'female' ? 1 : 0));
        if (c.rrnScheme === 'legacy') expect(r.legacyChecksumOk).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('addresses, names, ages and licence numbers are well formed', () => {
    for (const c of citizens('shape', { count: 3000 })) {
      expect(isRoadNameAddress(c.address.full)).toBe(true);
      expect(SIDO.map((s) => s.name)).toContain(c.address.sido);
      expect(c.name).toBe(c.familyName + c.givenName);
      expect(c.passportName).toMatch(/^[A-Z]+ [A-Z]+$/);
      if (c.nameHanja !== undefined) {
        expect([...c.nameHanja]).toHaveLength([...c.name].length);
      }
      const age = ageOn(c.birthDate, CENSUS_DATE);
      expect(age).toBeGreaterThanOrEqual(17);
      expect(age).toBeLessThanOrEqual(99);
      if (c.licence !== undefined) {
        expect(parseLicenceNumber(c.licence.number).year).toBe(c.licence.firstIssued.slice(2, 4));
        for (const cls of c.licence.classes) expect(LICENCE_CLASSES).toContain(cls);
      }
    }
  });
});

describe('a realistic population', () => {
  const sample = [...citizens('stats', { count: 20_000 })];
  const share = (f: (c: (typeof sample)[number]) => boolean) =>
    sample.filter(f).length / sample.length;

  test('family names follow the census: 김 ≈ 21.5 %, 이 ≈ 14.7 %, two-syllable names are rare', () => {
    expect(share((c) => c.familyName === '김')).toBeCloseTo(0.215, 1);
    expect(share((c) => c.familyName === '이')).toBeCloseTo(0.147, 1);
    expect(share((c) => c.familyName.length === 2)).toBeLessThan(0.005);
  });

  test('pure-Hangul names have no Hanja form', () => {
    const pure = sample.filter((c) => c.nameHanja === undefined);
    expect(pure.length).toBeGreaterThan(0);
    expect(pure.length / sample.length).toBeLessThan(0.1);
  });

  test('ages follow a pyramid: more people in their 50s than in their 80s', () => {
    const age = (c: (typeof sample)[number]) => ageOn(c.birthDate, CENSUS_DATE);
    expect(share((c) => age(c) >= 50 && age(c) < 60)).toBeGreaterThan(
      3 * share((c) => age(c) >= 80 && age(c) < 90),
    );
    expect(share((c) => age(c) < 19)).toBeGreaterThan(0.01);
  });

  test('most licence holders hold 1종보통 or 2종보통', () => {
    const holders = sample.filter((c) => c.licence !== undefined);
    expect(holders.length / sample.length).toBeGreaterThan(0.6);
    const common = holders.filter(
      (c) => c.licence?.classes.includes('1종보통') || c.licence?.classes.includes('2종보통'),
    );
    expect(common.length / holders.length).toBeGreaterThan(0.95);
  });

  test('a realistic minority is registered disabled, and some work as public servants', () => {
    expect(share((c) => c.disability !== undefined)).toBeGreaterThan(0.03);
    expect(share((c) => c.disability !== undefined)).toBeLessThan(0.1);
    expect(share((c) => c.work?.kind === 'public-servant')).toBeGreaterThan(0.01);
    expect(share((c) => c.work?.kind === 'employee')).toBeGreaterThan(0.3);
  });

  test('all 17 시·도 appear, and Seoul and Gyeonggi are the largest', () => {
    const bySido = new Map<string, number>();
    for (const c of sample) bySido.set(c.address.sido, (bySido.get(c.address.sido) ?? 0) + 1);
    expect(bySido.size).toBe(17);
    const ranked = [...bySido].sort((a, b) => b[1] - a[1]).map(([s]) => s);
    expect(ranked.slice(0, 2)).toEqual(['경기도', '서울특별시']);
  });

  test('about 1 % of RRNs were assigned after 2020-10 with a random tail', () => {
    expect(share((c) => c.rrnScheme === 'random')).toBeGreaterThan(0.003);
    expect(share((c) => c.rrnScheme === 'random')).toBeLessThan(0.03);
  });
});

describe('claimsFor', () => {
  const issuedAt = new Date('2026-06-01T00:00:00Z');

  test('uses the citizen’s own licence when there is one', () => {
    const holder = [...citizens('lic', { count: 50 })].find((c) => c.licence !== undefined);
    expect(holder).toBeDefined();
    if (holder?.licence === undefined) return;
    const claims = claimsFor('driving-licence', holder, { issuedAt });
    expect(claims['licence_number']).toBe(holder.licence.number);
    expect(claims['licence_classes']).toEqual(holder.licence.classes);
    const period = claims['aptitude_test_period'] as { start: string; end: string };
    expect(period.end >= '2026-06-01').toBe(true);
    expect(period.start.slice(5)).toBe('01-01');
  });

  test('carries a tiny placeholder portrait', () => {
    const claims = claimsFor('resident-id', citizenAt('p', 0), { issuedAt });
    expect(claims['portrait']).toBe(PORTRAIT_PLACEHOLDER);
    expect(PORTRAIT_PLACEHOLDER.length).toBeLessThan(600);
    expect(PORTRAIT_PLACEHOLDER).toMatch(/^data:image\/svg\+xml;base64,/);
  });

  test('omits name_hanja for a pure-Hangul name', () => {
    const pure = [...citizens('hanja', { count: 2000 })].find((c) => c.nameHanja === undefined);
    if (pure === undefined) throw new Error('no pure-Hangul name in the sample');
    expect(claimsFor('resident-id', pure, { issuedAt })).not.toHaveProperty('name_hanja');
  });

  test('refuses an issuance time before the citizen could hold the credential', () => {
    const young = [...citizens('young', { count: 5000 })].find(
      (c) => ageOn(c.birthDate, CENSUS_DATE) === 17,
    );
    if (young === undefined) throw new Error('no 17-year-old in the sample');
    expect(() =>
      claimsFor('resident-id', young, { issuedAt: new Date('2020-01-01T00:00:00Z') }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INVALID' }));
  });

  test('rejects an unknown type', () => {
    expect(() => claimsFor('passport', citizenAt('x', 0), { issuedAt })).toThrow(
      expect.objectContaining({ code: 'ERR_PROFILE_TYPE_UNKNOWN' }),
    );
  });
});
