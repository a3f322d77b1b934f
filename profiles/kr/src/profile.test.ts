import { describe, expect, test } from 'vitest';
import {
  buildSubjectClaims,
  CREDENTIAL_TYPE_NAMES,
  CREDENTIAL_TYPES,
  type CredentialType,
  credentialExpiry,
  disclosureFrameFor,
  findCredentialType,
  legacyRrnCheckDigit,
  nextAgeClaimChange,
} from './index.js';

const PORTRAIT =
  'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E';

/** A legacy-valid RRN for a birth date (YYMMDD) and century/sex digit. */
function rrn(yymmdd: string, s: number): string {
  const first12 = `${yymmdd}${s}01234`;
  return `${yymmdd}-${s}01234${legacyRrnCheckDigit(first12)}`;
}

const ISSUED = new Date('2025-06-01T03:00:00Z'); // 12:00 KST

const INPUTS: Record<string, Record<string, unknown>> = {
  'resident-id': {
    name: '홍길동',
    name_hanja: '洪吉童',
    rrn: rrn('900101', 1),
    address: '서울특별시 종로구 세종대로 209',
    issue_date: '2025-03-28',
    issuing_authority: '서울특별시 종로구청장',
    portrait: PORTRAIT,
  },
  'driving-licence': {
    name: '홍길동',
    rrn: rrn('900101', 1).replace('-', ''),
    address: '서울특별시 종로구 세종대로 209',
    licence_number: '112312345610',
    licence_classes: ['2종보통', '1종대형'],
    aptitude_test_period: { start: '2033-01-01', end: '2033-12-31' },
    conditions: ['자동변속기'],
    serial: '2EPD4',
    issue_date: '2023-05-02',
    issuing_authority: '서울경찰청장',
    portrait: PORTRAIT,
  },
  disability: {
    name: '홍길동',
    rrn: rrn('900101', 1),
    address: '울산광역시 울주군 온양읍 솔밭1길 12, 101동 1001호(○○아파트)',
    disability_severity: '심한 장애',
    disability_types: ['시각'],
    issue_date: '2024-01-10',
    issuing_authority: '울산광역시 울주군수',
    portrait: PORTRAIT,
  },
  'public-servant': {
    name: '홍길동',
    organisation: '행정안전부',
    department: '디지털정부정책과',
    grade: '행정사무관',
    employee_number: '2021-004512',
    portrait: PORTRAIT,
    issue_date: '2024-02-01',
    expiry_date: '2029-01-31',
  },
  'employee-id': {
    name: '홍길동',
    employer: '주식회사 한빛전자',
    employee_number: 'E1234567',
    portrait: PORTRAIT,
    issue_date: '2024-02-01',
  },
};

function input(type: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(INPUTS[type] as Record<string, unknown>), ...patch };
}

function claimsError(fn: () => unknown): { code: string; details: { paths: unknown[] } } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; details: { paths: unknown[] } };
  }
  throw new Error('expected an error');
}

describe('credential types', () => {
  test('the profile defines the five types of DOMAIN.md §1.6', () => {
    expect(CREDENTIAL_TYPE_NAMES).toEqual([
      'resident-id',
      'driving-licence',
      'disability',
      'public-servant',
      'employee-id',
    ]);
  });

  test.each(CREDENTIAL_TYPES.map((t) => [t.name, t] as const))(
    '%s has a URN vct, labels, legal basis, issuer of record and a 3-year validity',
    (name, t) => {
      expect(t.vct).toBe(`urn:openmid:kr:${name}:1`);
      for (const text of [t.labels, t.description, t.legalBasis, t.issuerOfRecord]) {
        expect(text.ko.length).toBeGreaterThan(1);
        expect(text.en.length).toBeGreaterThan(1);
      }
      expect(t.validityYears).toBe(3);
    },
  );

  test('every personal claim is selectively disclosable, and none is a VC-reserved name', () => {
    for (const t of CREDENTIAL_TYPES) {
      for (const c of t.claims) {
        expect(c.selectivelyDisclosable).toBe(true);
        // SD-JWT VC §3.2.2.2: these are never selectively disclosable, so never subject claims.
        expect(['iss', 'nbf', 'exp', 'cnf', 'vct', 'vct#integrity', 'status']).not.toContain(
          c.name,
        );
        expect(c.path).toEqual([c.name]);
        expect(c.name).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    }
  });

  test('the schema accepts exactly the non-derived claims', () => {
    for (const t of CREDENTIAL_TYPES) {
      const shape = Object.keys((t.schema as unknown as { shape: object }).shape).sort();
      const supplied = t.claims
        .filter((c) => c.derived !== true)
        .map((c) => c.name)
        .sort();
      expect(shape).toEqual(supplied);
    }
  });

  test('sensitivities follow PIPA: RRN art. 24-2, licence number art. 24, portrait biometric', () => {
    const dl = findCredentialType('driving-licence');
    const of = (t: CredentialType, name: string) =>
      t.claims.find((c) => c.name === name)?.sensitivity;
    expect(of(dl, 'rrn')).toBe('rrn');
    expect(of(dl, 'licence_number')).toBe('unique-identifier');
    expect(of(dl, 'portrait')).toBe('biometric');
    expect(of(findCredentialType('disability'), 'disability_types')).toBe('health');
    expect(of(dl, 'address')).toBe('ordinary');
  });

  test('types are frozen shared data', () => {
    const t = findCredentialType('resident-id');
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.claims[0])).toBe(true);
    expect(Object.isFrozen(t.typeMetadata.claims)).toBe(true);
    expect(() => {
      (t.disclosureFrame._sd as string[]).push('x');
    }).toThrow(TypeError);
  });
});

describe('type metadata (SD-JWT VC §6, §8, §9)', () => {
  test.each(CREDENTIAL_TYPES.map((t) => [t.name, t] as const))(
    '%s lists every claim with ko and en labels and sd consistent with the definitions',
    (_name, t) => {
      const md = t.typeMetadata;
      expect(md.vct).toBe(t.vct);
      expect(md.display?.map((d) => d.locale)).toEqual(['ko-KR', 'en-US']);
      for (const d of md.display ?? []) {
        expect(d.name.length).toBeGreaterThan(0);
        expect(d.rendering?.simple?.background_color).toMatch(/^#[0-9A-F]{6}$/);
        expect(d.rendering?.simple?.text_color).toMatch(/^#[0-9A-F]{6}$/);
      }
      for (const c of t.claims) {
        const entry = md.claims?.find((m) => JSON.stringify(m.path) === JSON.stringify(c.path));
        expect(entry, c.name).toBeDefined();
        expect(entry?.display?.find((d) => d.locale === 'ko-KR')?.label).toBe(c.labels.ko);
        expect(entry?.display?.find((d) => d.locale === 'en-US')?.label).toBe(c.labels.en);
        expect(entry?.sd).toBe(c.selectivelyDisclosable ? 'always' : 'never');
        expect(entry?.mandatory).toBe(c.required);
      }
      // Every metadata entry is a claim or a member of one.
      for (const m of md.claims ?? []) {
        expect(t.claims.some((c) => c.name === m.path[0])).toBe(true);
      }
    },
  );

  test('members of a structured claim are described but not separately disclosable', () => {
    const md = findCredentialType('driving-licence').typeMetadata;
    const start = md.claims?.find((c) => c.path.join('.') === 'aptitude_test_period.start');
    expect(start?.sd).toBe('never');
    expect(start?.display?.map((d) => d.label)).toEqual(['시작일', 'From']);
  });

  test('the metadata is plain JSON', () => {
    for (const t of CREDENTIAL_TYPES) {
      expect(JSON.parse(JSON.stringify(t.typeMetadata))).toEqual(t.typeMetadata);
    }
  });
});

describe('disclosure frames', () => {
  test('list every top-level claim under _sd', () => {
    for (const t of CREDENTIAL_TYPES) {
      expect(t.disclosureFrame._sd).toEqual(t.claims.map((c) => c.name));
    }
  });

  test('disclosureFrameFor leaves out claims the credential does not carry', () => {
    const claims = buildSubjectClaims('employee-id', input('employee-id'), { issuedAt: ISSUED });
    const frame = disclosureFrameFor('employee-id', claims);
    expect(frame._sd).toEqual(['name', 'employer', 'employee_number', 'portrait', 'issue_date']);
  });
});

describe('findCredentialType', () => {
  test('finds a type by short name or vct', () => {
    expect(findCredentialType('disability').name).toBe('disability');
    expect(findCredentialType('urn:openmid:kr:disability:1').name).toBe('disability');
  });

  test.each([
    'passport',
    'Disability',
    '__proto__',
    'constructor',
    'urn:openmid:kr:disability:2',
    '',
  ])('rejects %j with ERR_PROFILE_TYPE_UNKNOWN', (key) => {
    expect(() => findCredentialType(key)).toThrow(
      expect.objectContaining({ code: 'ERR_PROFILE_TYPE_UNKNOWN' }),
    );
  });
});

describe('buildSubjectClaims', () => {
  test.each(CREDENTIAL_TYPE_NAMES.map((n) => [n]))('accepts a valid %s', (name) => {
    const claims = buildSubjectClaims(name, input(name), { issuedAt: ISSUED });
    expect(Object.keys(claims).length).toBeGreaterThan(3);
  });

  test('adds birth date and derived ages, normalises identifiers, keeps definition order', () => {
    const claims = buildSubjectClaims('driving-licence', input('driving-licence'), {
      issuedAt: ISSUED,
    });
    expect(claims).toMatchObject({
      rrn: rrn('900101', 1),
      birth_date: '1990-01-01',
      licence_number: '11-23-123456-10',
      licence_classes: ['1종대형', '2종보통'],
      age_over_14: true,
      age_over_19: true,
      age_over_65: false,
    });
    const order = findCredentialType('driving-licence').claims.map((c) => c.name);
    expect(Object.keys(claims)).toEqual(order.filter((n) => n in claims));
  });

  test('accepts NumericDate seconds for issuedAt', () => {
    const a = buildSubjectClaims('resident-id', input('resident-id'), { issuedAt: ISSUED });
    const b = buildSubjectClaims('resident-id', input('resident-id'), {
      issuedAt: ISSUED.getTime() / 1000,
    });
    expect(b).toEqual(a);
  });

  test('reports failing claim paths, never values', () => {
    const e = claimsError(() =>
      buildSubjectClaims(
        'resident-id',
        input('resident-id', { rrn: '900230-1234567', address: '서울 어딘가', extra: '비밀' }),
        { issuedAt: ISSUED },
      ),
    );
    expect(e.code).toBe('ERR_PROFILE_CLAIMS_INVALID');
    expect(e.details.paths).toEqual(expect.arrayContaining([['rrn'], ['address'], ['extra']]));
    const text = JSON.stringify(e);
    for (const secret of ['900230', '어딘가', '비밀', '홍길동']) expect(text).not.toContain(secret);
  });

  test('rejects a non-object input', () => {
    for (const bad of [null, 'x', 42, []]) {
      expect(
        claimsError(() => buildSubjectClaims('resident-id', bad, { issuedAt: ISSUED })).code,
      ).toBe('ERR_PROFILE_CLAIMS_INVALID');
    }
  });

  test('rejects derived claims supplied by the issuer', () => {
    const e = claimsError(() =>
      buildSubjectClaims('resident-id', input('resident-id', { age_over_19: true }), {
        issuedAt: ISSUED,
      }),
    );
    expect(e.details.paths).toEqual([['age_over_19']]);
  });

  test('rejects __proto__ as a claim without touching any prototype', () => {
    const hostile = JSON.parse(
      JSON.stringify(input('employee-id')).replace('{', '{"__proto__":{"polluted":1},'),
    );
    const e = claimsError(() => buildSubjectClaims('employee-id', hostile, { issuedAt: ISSUED }));
    expect(e.details.paths).toEqual([['__proto__']]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test.each([
    [
      'a birth date that contradicts the RRN',
      'resident-id',
      { birth_date: '1990-01-02' },
      ['birth_date'],
    ],
    ['a foreigner number on a resident card', 'resident-id', { rrn: rrn('900101', 5) }, ['rrn']],
    ['an issue date after issuance', 'resident-id', { issue_date: '2025-06-02' }, ['issue_date']],
    ['an issue date before birth', 'resident-id', { issue_date: '1989-12-31' }, ['issue_date']],
    [
      'an expired public-servant card',
      'public-servant',
      { expiry_date: '2025-05-31' },
      ['expiry_date'],
    ],
    [
      'an expiry before the issue date',
      'employee-id',
      { expiry_date: '2024-01-01' },
      ['expiry_date'],
    ],
    [
      'a renewal period ending before the card was issued',
      'driving-licence',
      { aptitude_test_period: { start: '2022-01-01', end: '2022-12-31' } },
      ['aptitude_test_period'],
    ],
    [
      'a period that ends before it starts',
      'driving-licence',
      { aptitude_test_period: { start: '2033-12-31', end: '2033-01-01' } },
      ['aptitude_test_period'],
    ],
    [
      'an unknown licence class',
      'driving-licence',
      { licence_classes: ['3종보통'] },
      ['licence_classes', 0],
    ],
    [
      'four licence classes',
      'driving-licence',
      { licence_classes: ['1종대형', '1종보통', '2종보통', '2종소형'] },
      ['licence_classes'],
    ],
    [
      'a duplicate licence class',
      'driving-licence',
      { licence_classes: ['1종보통', '1종보통'] },
      ['licence_classes'],
    ],
    [
      'a bad licence number',
      'driving-licence',
      { licence_number: '27-23-123456-10' },
      ['licence_number'],
    ],
    [
      'a police authority on a resident card',
      'resident-id',
      { issuing_authority: '서울경찰청장' },
      ['issuing_authority'],
    ],
    [
      'an unknown disability type',
      'disability',
      { disability_types: ['췌장'] },
      ['disability_types', 0],
    ],
    [
      'an old disability grade',
      'disability',
      { disability_severity: '1급' },
      ['disability_severity'],
    ],
    ['a Latin name on a resident card', 'resident-id', { name: 'HONG GILDONG' }, ['name']],
    [
      'a portrait that is not a data: URI',
      'resident-id',
      { portrait: 'https://example.com/p.jpg' },
      ['portrait'],
    ],
  ])('rejects %s', (_name, type, patch, path) => {
    const e = claimsError(() => buildSubjectClaims(type, input(type, patch), { issuedAt: ISSUED }));
    expect(e.code).toBe('ERR_PROFILE_CLAIMS_INVALID');
    expect(e.details.paths).toContainEqual(path);
  });

  test('enforces the minimum ages: 17 for the resident card, 14 for the disability card', () => {
    // Born 2008-06-02: 16 on 2025-06-01.
    const young = rrn('080602', 3);
    expect(
      claimsError(() =>
        buildSubjectClaims('resident-id', input('resident-id', { rrn: young }), {
          issuedAt: ISSUED,
        }),
      ).details.paths,
    ).toEqual([['rrn']]);
    expect(
      buildSubjectClaims('disability', input('disability', { rrn: young }), { issuedAt: ISSUED })[
        'age_over_14'
      ],
    ).toBe(true);
    // Born 2012-01-01: 13.
    expect(
      claimsError(() =>
        buildSubjectClaims('disability', input('disability', { rrn: rrn('120101', 4) }), {
          issuedAt: ISSUED,
        }),
      ).details.paths,
    ).toEqual([['rrn']]);
  });

  test('enforces the minimum age of each licence class (도로교통법 §82)', () => {
    const seventeen = rrn('080101', 3);
    const moped = input('driving-licence', {
      rrn: seventeen,
      licence_classes: ['2종원동기장치자전거'],
      issue_date: '2025-01-02',
    });
    expect(buildSubjectClaims('driving-licence', moped, { issuedAt: ISSUED })['age_over_19']).toBe(
      false,
    );
    const car = { ...moped, licence_classes: ['2종보통'] };
    expect(
      claimsError(() => buildSubjectClaims('driving-licence', car, { issuedAt: ISSUED })).details
        .paths,
    ).toEqual([['licence_classes']]);
  });

  test('rejects an invalid issuedAt with ERR_INPUT_INVALID and an unknown type name', () => {
    expect(() =>
      buildSubjectClaims('resident-id', input('resident-id'), { issuedAt: new Date('x') }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INVALID' }));
    expect(() => buildSubjectClaims('passport', {}, { issuedAt: ISSUED })).toThrow(
      expect.objectContaining({ code: 'ERR_PROFILE_TYPE_UNKNOWN' }),
    );
  });
});

describe('derived age claims at boundary dates', () => {
  /** Issue a resident card for someone born on `birth` (YYMMDD, S) at 12:00 KST on `day`. */
  function agesOn(yymmdd: string, s: number, day: string) {
    const claims = buildSubjectClaims(
      'resident-id',
      input('resident-id', { rrn: rrn(yymmdd, s), issue_date: '2022-01-01' }),
      {
        issuedAt: new Date(`${day}T03:00:00Z`),
      },
    );
    return [claims['age_over_14'], claims['age_over_19'], claims['age_over_65']];
  }

  test('age_over_19 is false the day before the 19th birthday and true on it (KST)', () => {
    expect(agesOn('060328', 3, '2025-03-27')).toEqual([true, false, false]);
    expect(agesOn('060328', 3, '2025-03-28')).toEqual([true, true, false]);
  });

  test('the KST calendar day counts, not the UTC one', () => {
    const claims = (iso: string) =>
      buildSubjectClaims(
        'resident-id',
        input('resident-id', { rrn: rrn('060328', 3), issue_date: '2024-01-01' }),
        {
          issuedAt: new Date(iso),
        },
      )['age_over_19'];
    expect(claims('2025-03-27T14:59:59Z')).toBe(false); // 23:59:59 KST on the 27th
    expect(claims('2025-03-27T15:00:00Z')).toBe(true); // 00:00 KST on the 28th
  });

  test('a 29-February birth turns 19 on 1 March in a common year', () => {
    expect(agesOn('040229', 3, '2023-02-28')).toEqual([true, false, false]);
    expect(agesOn('040229', 3, '2023-03-01')).toEqual([true, true, false]);
  });

  test('age_over_65 at the 65th birthday', () => {
    expect(agesOn('600701', 1, '2025-06-30')).toEqual([true, true, false]);
    expect(agesOn('600701', 1, '2025-07-01')).toEqual([true, true, true]);
  });
});

describe('nextAgeClaimChange', () => {
  test('names the claim that goes stale during the validity, and when', () => {
    expect(nextAgeClaimChange('2007-08-15', ISSUED)).toEqual({
      claim: 'age_over_19',
      date: '2026-08-15',
    });
    expect(nextAgeClaimChange('1961-01-10', ISSUED)).toEqual({
      claim: 'age_over_65',
      date: '2026-01-10',
    });
  });

  test('is undefined when nothing changes before expiry', () => {
    expect(nextAgeClaimChange('1990-01-01', ISSUED)).toBeUndefined();
    expect(nextAgeClaimChange('1950-01-01', ISSUED)).toBeUndefined();
    // 19th birthday exactly 3 years after issuance: the credential has expired by then.
    expect(nextAgeClaimChange('2009-06-01', ISSUED)).toBeUndefined();
  });
});

describe('credentialExpiry', () => {
  test('is three calendar years after issuance (DOMAIN.md §1.2)', () => {
    const iat = Date.parse('2024-12-19T01:02:03Z') / 1000;
    expect(credentialExpiry('resident-id', iat)).toBe(Date.parse('2027-12-19T01:02:03Z') / 1000);
    expect(credentialExpiry('resident-id', new Date('2024-02-29T10:00:00Z'))).toBe(
      Date.parse('2027-02-28T10:00:00Z') / 1000,
    );
  });

  test('never outlives the card expiry_date (end of that day in KST)', () => {
    const claims = buildSubjectClaims(
      'public-servant',
      input('public-servant', { expiry_date: '2026-01-31' }),
      {
        issuedAt: ISSUED,
      },
    );
    expect(credentialExpiry('public-servant', ISSUED, claims)).toBe(
      Date.parse('2026-01-31T15:00:00Z') / 1000,
    );
  });
});
