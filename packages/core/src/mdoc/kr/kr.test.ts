/**
 * The Korean licence as an mDL: the mapping from the profile's subject claims (generated for
 * synthetic citizens and validated by the profile itself), name splitting and romanisation
 * checked against the generator's own family/given names and passport spellings, and a full
 * issue → present → verify → read-back round trip.
 */
import { buildSubjectClaims, DRIVING_LICENCE } from '@openmid/profile-kr';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import { describe, expect, test } from 'vitest';
import { generateKeyPair } from '../../keys/index.js';
import { CborTag, type CborValue } from '../cbor/types.js';
import { issueMdoc } from '../issue.js';
import { createDeviceResponse } from '../present.js';
import { openid4vpSessionTranscript } from '../transcript.js';
import { verifyDeviceResponse } from '../verify.js';
import { createDemoPki } from '../x509/create.js';
import { createTrustStore } from '../x509/trust.js';
import {
  KR_LICENCE_ELEMENTS,
  KR_MDL_NAMESPACE,
  koreanAge,
  koreanLicenceToMdl,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  mdlToKoreanClaims,
} from './licence.js';
import {
  isLatin1Name,
  romaniseKoreanName,
  splitKoreanName,
  TWO_SYLLABLE_FAMILY_NAMES,
} from './names.js';

const ISSUED_AT = Date.UTC(2026, 4, 15, 3) / 1000; // 2026-05-15 12:00 KST

function licenceClaims(i: number, issuedAt = ISSUED_AT): Record<string, unknown> {
  const citizen = citizenAt('mdoc-kr', i);
  return buildSubjectClaims(DRIVING_LICENCE, claimsFor('driving-licence', citizen, { issuedAt }), {
    issuedAt,
  }) as Record<string, unknown>;
}

describe('Korean names for the mDL name elements (18013-5 §7.2.1)', () => {
  test.each([
    ['홍길동', '홍', '길동'],
    ['김민', '김', '민'],
    ['남궁민수', '남궁', '민수'],
    ['남궁민', '남궁', '민'],
    ['제갈공명', '제갈', '공명'],
    ['선우', '선', '우'],
    ['SMITH JOHN PAUL', 'SMITH', 'JOHN PAUL'],
    ['MADONNA', 'MADONNA', ''],
  ])('splits %s into %s + %s', (name, family, given) => {
    expect(splitKoreanName(name)).toEqual({ family, given });
  });

  test('the register split wins over the rule (황보람 may be 황 + 보람)', () => {
    expect(splitKoreanName('황보람')).toEqual({ family: '황보', given: '람' });
    expect(splitKoreanName('황보람', '황')).toEqual({ family: '황', given: '보람' });
  });

  test.each([
    ['김', '민준', 'KIM', 'MINJUN'],
    ['이', '서연', 'LEE', 'SEOYEON'],
    ['박', '복남', 'PARK', 'BOKNAM'],
    ['남궁', '옥분', 'NAMGUNG', 'OKBUN'],
    ['빈', '철', 'BIN', 'CHEOL'],
  ])('romanises %s %s as %s %s', (family, given, f, g) => {
    expect(romaniseKoreanName({ family, given })).toEqual({ family: f, given: g });
  });

  test('agrees with the generator on 2,000 citizens, except the ambiguous two-syllable family names', () => {
    let ambiguous = 0;
    for (let i = 0; i < 2000; i++) {
      const c = citizenAt('names', i);
      const split = splitKoreanName(c.name);
      if (split.family !== c.familyName) {
        // Only names that begin with a two-syllable family name can be split differently…
        expect(TWO_SYLLABLE_FAMILY_NAMES).toContain(c.name.slice(0, 2));
        ambiguous++;
        // …and the register's family name settles them.
        expect(splitKoreanName(c.name, c.familyName)).toEqual({
          family: c.familyName,
          given: c.givenName,
        });
        continue;
      }
      expect(split.given).toBe(c.givenName);
      const latin = romaniseKoreanName(split);
      expect(`${latin.family} ${latin.given}`).toBe(c.passportName);
      expect(isLatin1Name(latin.family) && isLatin1Name(latin.given)).toBe(true);
    }
    expect(ambiguous).toBeLessThan(10);
  });
});

describe('mapping the licence claims (koreanLicenceToMdl)', () => {
  test('maps 300 generated licences, consistently with the profile', () => {
    for (let i = 0; i < 300; i++) {
      const claims = licenceClaims(i);
      const { docType, nameSpaces } = koreanLicenceToMdl(claims, { issuedAt: ISSUED_AT });
      expect(docType).toBe(MDL_DOCTYPE);
      const iso = nameSpaces.get(MDL_NAMESPACE) as ReadonlyMap<string, CborValue>;
      const kr = nameSpaces.get(KR_MDL_NAMESPACE) as ReadonlyMap<string, CborValue>;
      expect(
        `${iso.get('family_name_national_character')}${iso.get('given_name_national_character')}`,
      ).toBe(claims['name']);
      expect(isLatin1Name(iso.get('family_name') as string)).toBe(true);
      expect(isLatin1Name(iso.get('issuing_authority') as string)).toBe(true);
      expect(iso.get('issuing_country')).toBe('KR');
      expect(iso.get('un_distinguishing_sign')).toBe('ROK');
      expect(iso.get('document_number')).toBe(claims['licence_number']);
      expect(iso.get('birth_date')).toEqual(new CborTag(1004, claims['birth_date'] as string));
      expect(iso.get('expiry_date')).toEqual(
        new CborTag(1004, (claims['aptitude_test_period'] as { end: string }).end),
      );
      // The profile's derived ages and ours agree (same 만 나이 rule, same KST day).
      for (const t of [14, 19, 65]) expect(iso.get(`age_over_${t}`)).toBe(claims[`age_over_${t}`]);
      expect((iso.get('driving_privileges') as unknown[]).length).toBeGreaterThan(0);
      expect(kr.get('licence_classes')).toEqual(claims['licence_classes']);
      expect(kr.get('rrn')).toBe(claims['rrn']);
      expect(kr.get('portrait_media_type')).toBe('image/svg+xml'); // the generator's placeholder
    }
  });

  test('maps classes to 18013-1 categories and conditions to 18013-2 codes', () => {
    const claims = {
      ...licenceClaims(1),
      licence_classes: ['1종보통', '2종소형'],
      conditions: ['자동변속기', '기타 조건'],
      portrait: 'data:image/jpeg;base64,/9j/4AAQ',
    };
    const { nameSpaces } = koreanLicenceToMdl(claims, { issuedAt: ISSUED_AT });
    const iso = nameSpaces.get(MDL_NAMESPACE) as ReadonlyMap<string, CborValue>;
    const privileges = iso.get('driving_privileges') as Map<string, CborValue>[];
    expect(privileges.map((p) => p.get('vehicle_category_code'))).toEqual([
      'A1',
      'A',
      'B',
      'C1',
      'D1',
    ]);
    expect(privileges[0]?.get('codes')).toEqual([new Map([['code', '78']])]);
    expect(iso.get('portrait')).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    const kr = nameSpaces.get(KR_MDL_NAMESPACE) as ReadonlyMap<string, CborValue>;
    expect(kr.get('conditions')).toEqual(['자동변속기', '기타 조건']);
    expect(kr.has('portrait_media_type')).toBe(false);
  });

  test('states ages on the KST day of issuance, with 29 February birthdays on 1 March', () => {
    expect(koreanAge('2007-02-28', '2026-02-28')).toBe(19);
    expect(koreanAge('2008-02-29', '2026-02-28')).toBe(17);
    expect(koreanAge('2008-02-29', '2026-03-01')).toBe(18);
    // 2026-05-14 15:00 UTC is already 15 May in Korea.
    const claims = {
      ...licenceClaims(2),
      birth_date: '2007-05-15',
      rrn: undefined,
      age_over_19: undefined,
      age_over_14: undefined,
      age_over_65: undefined,
    };
    const at = Date.UTC(2026, 4, 14, 15) / 1000;
    const iso = koreanLicenceToMdl(claims, { issuedAt: at }).nameSpaces.get(MDL_NAMESPACE);
    expect(iso?.get('age_over_19')).toBe(true);
    expect(iso?.get('age_over_21')).toBe(false);
  });

  test.each([
    ['a missing name', { name: undefined }, 'name'],
    ['an unknown class', { licence_classes: ['3종보통'] }, 'licence_classes'],
    ['a bad birth date', { birth_date: '1990-02-30' }, 'birth_date'],
    [
      'a bad aptitude period',
      { aptitude_test_period: { start: 'x', end: '2030-01-01' } },
      'aptitude_test_period',
    ],
    ['a portrait that is not a data URI', { portrait: 'https://x.example/p.jpg' }, 'portrait'],
    [
      'an age claim that contradicts the birth date',
      { age_over_19: false, birth_date: '1970-01-01' },
      'age_over_19',
    ],
    ['a non-Latin-1 register spelling', { given_name_latin: '길동' }, 'given_name_latin'],
  ])('refuses %s, naming the claim but not its value', (_name, change, claim) => {
    const claims = { ...licenceClaims(3), ...change, rrn: '900101-1SECRET' };
    try {
      koreanLicenceToMdl(claims, { issuedAt: ISSUED_AT });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_MDOC_CLAIMS_INVALID' });
      expect((e as { details: { claims: string[] } }).details.claims).toContain(claim);
      expect(JSON.stringify(e)).not.toContain('SECRET');
    }
  });
});

describe('a Korean mDL end to end', () => {
  test('issue from the register record, present three elements, verify, read back as profile claims', async () => {
    const pki = await createDemoPki({ notBefore: ISSUED_AT - 3600 });
    const holder = await generateKeyPair('ES256');
    const claims = licenceClaims(7);
    const { docType, nameSpaces } = koreanLicenceToMdl(claims, { issuedAt: ISSUED_AT });
    const { issuerSigned } = await issueMdoc({
      docType,
      nameSpaces,
      deviceKey: holder.publicJwk,
      signer: pki.signer,
      certificate: pki.documentSigner.der,
      validity: { signed: ISSUED_AT, validUntil: ISSUED_AT + 30 * 86_400 },
    });
    const sessionTranscript = openid4vpSessionTranscript({
      clientId: 'x509_san_dns:rental.openmid.example',
      nonce: 'kr-1',
      responseUri: 'https://rental.openmid.example/response',
    });
    const wanted = ['name', 'licence_classes', 'age_over_19', 'birth_date', 'aptitude_test_period'];
    const disclose: Record<string, string[]> = {};
    for (const claim of wanted) {
      const [ns, element] = KR_LICENCE_ELEMENTS[claim] as readonly [string, string];
      disclose[ns] = [...(disclose[ns] ?? []), element];
    }
    const response = await createDeviceResponse({
      documents: [{ mdoc: issuerSigned, disclose, deviceSigner: holder.signer }],
      sessionTranscript,
    });
    const trust = await createTrustStore({ iacas: [pki.iaca.der] });
    const { documents } = await verifyDeviceResponse(response, {
      trust,
      sessionTranscript,
      docTypes: [MDL_DOCTYPE],
      now: ISSUED_AT + 60,
    });
    const back = mdlToKoreanClaims(documents[0]?.nameSpaces ?? {});
    expect({ ...back }).toEqual({
      name: claims['name'],
      licence_classes: claims['licence_classes'],
      age_over_19: claims['age_over_19'],
      birth_date: claims['birth_date'],
      aptitude_test_period: claims['aptitude_test_period'],
    });
  });
});
