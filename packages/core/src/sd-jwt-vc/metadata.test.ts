/**
 * Type Metadata: the draft's own examples ("Example 2: Type Metadata" and "Extending Claim
 * Metadata", copied from the draft text), integrity strings (W3C SRI), validation of untrusted
 * documents, extends resolution, and the sd / mandatory rules against an issued credential.
 */
import { describe, expect, test } from 'vitest';
import { utf8 } from '../internal/bytes.js';
import { generateKeyPair } from '../keys/index.js';
import { parseSdJwt } from '../sd-jwt/holder.js';
import { issueSdJwt } from '../sd-jwt/issue.js';
import { computeIntegrity, matchesIntegrity, verifyIntegrity } from './integrity.js';
import {
  assertMetadataRules,
  findMetadataViolations,
  mergeTypeMetadata,
  parseTypeMetadata,
  resolveTypeMetadata,
  type TypeMetadata,
  validateTypeMetadata,
} from './metadata.js';

/** The draft's "Example 2: Type Metadata" (trimmed to one locale per entry). */
const EDUCATION: TypeMetadata = {
  vct: 'https://betelgeuse.example.com/education_credential',
  name: 'Betelgeuse Education Credential - Preliminary Version',
  description: "This is our development version of the education credential. Don't panic.",
  extends: 'https://galaxy.example.com/galactic-education-credential-0.9',
  'extends#integrity': 'sha256-ilOUJsTultOwLfz7QUcFALaRa3BP/jelX1ds04kB9yU=',
  display: [
    {
      locale: 'en-US',
      name: 'Betelgeuse Education Credential',
      description: 'An education credential for all carbon-based life forms on Betelgeusians',
      rendering: {
        simple: {
          logo: {
            uri: 'https://betelgeuse.example.com/public/education-logo.png',
            'uri#integrity': 'sha256-LmXfh+9cLlJNXN+TsMk+PmKjZ5t0WRL5ca/xGgX3c1U=',
            alt_text: 'Betelgeuse Ministry of Education logo',
          },
          background_color: '#12107c',
          text_color: '#FFFFFF',
        },
        svg_templates: [
          {
            uri: 'https://betelgeuse.example.com/public/credential-english.svg',
            properties: { orientation: 'landscape', color_scheme: 'light', contrast: 'high' },
          },
        ],
      },
    },
  ],
  claims: [
    {
      path: ['name'],
      display: [{ locale: 'en-US', label: 'Name' }],
      sd: 'always',
      mandatory: true,
    },
    { path: ['address'], sd: 'always' },
    { path: ['address', 'street_address'], sd: 'always', svg_id: 'address_street_address' },
    { path: ['degrees'], sd: 'never' },
    { path: ['degrees', null], sd: 'always' },
    { path: ['degrees', null, 'field_of_study'], sd: 'never' },
    { path: ['degrees', null, 'date_awarded'], sd: 'always' },
  ],
};

/** A Korean document as the profile writes it: plain data that must type-check. */
const KR_MDL: TypeMetadata = {
  vct: 'urn:kr:mdl:1',
  display: [{ locale: 'ko-KR', name: '모바일 운전면허증' }],
  claims: [
    { path: ['licence_number'], display: [{ locale: 'ko-KR', label: '면허번호' }], sd: 'always' },
    { path: ['age_over_19'], sd: 'always' },
  ],
};

describe('integrity strings (W3C SRI §3)', () => {
  test('the SRI specification example', () => {
    const bytes = utf8("alert('Hello, world.');");
    const expected = 'sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO';
    expect(computeIntegrity(bytes, { alg: 'sha384' })).toBe(expected);
    expect(matchesIntegrity(bytes, expected)).toBe(true);
    expect(matchesIntegrity(bytes, `${expected}?ct=application/javascript`)).toBe(true);
  });

  test('compute and verify over the bytes as served', () => {
    const bytes = utf8(JSON.stringify(KR_MDL));
    const integrity = computeIntegrity(bytes);
    expect(integrity).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
    expect(() => verifyIntegrity(bytes, integrity)).not.toThrow();
    // base64url and missing padding denote the same digest.
    const url = integrity.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, '');
    expect(matchesIntegrity(bytes, url)).toBe(true);
    const other = utf8(`${JSON.stringify(KR_MDL)} `);
    expect(() => verifyIntegrity(other, integrity)).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWTVC_INTEGRITY_MISMATCH' }),
    );
  });

  test('the strongest algorithm decides; unknown algorithms alone never pass', () => {
    const bytes = utf8('document');
    const s256 = computeIntegrity(bytes);
    const s512 = computeIntegrity(bytes, { alg: 'sha512' });
    expect(matchesIntegrity(bytes, `${s256} ${s512}`)).toBe(true);
    expect(matchesIntegrity(bytes, `${s256} sha512-${'A'.repeat(86)}==`)).toBe(false);
    expect(matchesIntegrity(bytes, `md5-abc ${s256}`)).toBe(true);
    expect(matchesIntegrity(bytes, 'md5-abc sha1-xyz')).toBe(false);
    expect(matchesIntegrity(bytes, '')).toBe(false);
  });
});

describe('validateTypeMetadata', () => {
  test('accepts the draft example and a Korean profile document', () => {
    expect(validateTypeMetadata(JSON.parse(JSON.stringify(EDUCATION)))).toEqual(EDUCATION);
    expect(validateTypeMetadata(KR_MDL, { vct: 'urn:kr:mdl:1' })).toBe(KR_MDL);
  });

  test('ignores members it does not know', () => {
    expect(() =>
      validateTypeMetadata({ vct: 'urn:x', schema_uri: 7, extra: { a: 1 } }),
    ).not.toThrow();
  });

  test.each([
    ['not an object', []],
    ['no vct', { name: 'x' }],
    ['an empty vct', { vct: '' }],
    ['a display without locale', { vct: 'urn:x', display: [{ name: 'x' }] }],
    ['a display that is not an array', { vct: 'urn:x', display: { locale: 'en', name: 'x' } }],
    [
      'a logo without uri',
      { vct: 'urn:x', display: [{ locale: 'en', name: 'x', rendering: { simple: { logo: {} } } }] },
    ],
    [
      'two svg templates without properties',
      {
        vct: 'urn:x',
        display: [
          { locale: 'en', name: 'x', rendering: { svg_templates: [{ uri: 'a' }, { uri: 'b' }] } },
        ],
      },
    ],
    [
      'svg properties naming nothing',
      {
        vct: 'urn:x',
        display: [
          { locale: 'en', name: 'x', rendering: { svg_templates: [{ uri: 'a', properties: {} }] } },
        ],
      },
    ],
    [
      'a bad orientation',
      {
        vct: 'urn:x',
        display: [
          {
            locale: 'en',
            name: 'x',
            rendering: { svg_templates: [{ uri: 'a', properties: { orientation: 'up' } }] },
          },
        ],
      },
    ],
    ['an empty path', { vct: 'urn:x', claims: [{ path: [] }] }],
    ['a negative index', { vct: 'urn:x', claims: [{ path: ['a', -1] }] }],
    ['a repeated path', { vct: 'urn:x', claims: [{ path: ['a'] }, { path: ['a'] }] }],
    ['an unknown sd value', { vct: 'urn:x', claims: [{ path: ['a'], sd: 'sometimes' }] }],
    ['a non-boolean mandatory', { vct: 'urn:x', claims: [{ path: ['a'], mandatory: 'yes' }] }],
    [
      'a claim display without label',
      { vct: 'urn:x', claims: [{ path: ['a'], display: [{ locale: 'en' }] }] },
    ],
    ['an svg_id starting with a digit', { vct: 'urn:x', claims: [{ path: ['a'], svg_id: '1a' }] }],
    [
      'a repeated svg_id',
      {
        vct: 'urn:x',
        claims: [
          { path: ['a'], svg_id: 'x' },
          { path: ['b'], svg_id: 'x' },
        ],
      },
    ],
  ])('rejects %s', (_name, doc) => {
    expect(() => validateTypeMetadata(doc)).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWTVC_TYPE_METADATA_INVALID' }),
    );
  });

  test('rejects a document for another type', () => {
    expect(() => validateTypeMetadata(KR_MDL, { vct: 'urn:kr:rrc:1' })).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWTVC_TYPE_METADATA_INVALID' }),
    );
  });
});

describe('parseTypeMetadata', () => {
  const bytes = utf8(JSON.stringify(KR_MDL));
  test('checks integrity before parsing, then strict JSON', () => {
    expect(
      parseTypeMetadata(bytes, { integrity: computeIntegrity(bytes), vct: 'urn:kr:mdl:1' }),
    ).toEqual(KR_MDL);
    expect(() => parseTypeMetadata(bytes, { integrity: computeIntegrity(utf8('x')) })).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWTVC_INTEGRITY_MISMATCH' }),
    );
  });
  test.each([
    ['duplicate members', utf8('{"vct": "a", "vct": "b"}')],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['too many bytes', new Uint8Array(2_000_000)],
  ])('rejects %s', (_name, input) => {
    expect(() => parseTypeMetadata(input)).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWTVC_TYPE_METADATA_INVALID' }),
    );
  });
});

describe('extending types', () => {
  const base: TypeMetadata = {
    vct: 'https://example.com/base-type-metadata',
    claims: [
      { path: ['name'], display: [{ label: 'Full Name', locale: 'en' }] },
      { path: ['address', 'city'], display: [{ label: 'City', locale: 'en' }] },
    ],
  };
  const child: TypeMetadata = {
    vct: 'https://example.com/custom-type-metadata',
    extends: 'https://example.com/base-type-metadata',
    claims: [
      { path: ['address', 'city'], display: [{ label: 'Town', locale: 'en' }] },
      { path: ['nationalities'], display: [{ label: 'Nationalities', locale: 'en' }] },
    ],
  };

  test('the draft example: inherit, override by path, add', () => {
    expect(mergeTypeMetadata(base, child).claims).toEqual([
      { path: ['name'], display: [{ label: 'Full Name', locale: 'en' }] },
      { path: ['address', 'city'], display: [{ label: 'Town', locale: 'en' }] },
      { path: ['nationalities'], display: [{ label: 'Nationalities', locale: 'en' }] },
    ]);
  });

  test('always / never and mandatory cannot be relaxed; omitted values inherit', () => {
    const strict: TypeMetadata = {
      vct: 'urn:b',
      claims: [{ path: ['a'], sd: 'always', mandatory: true }],
    };
    expect(() =>
      mergeTypeMetadata(strict, { vct: 'urn:c', claims: [{ path: ['a'], sd: 'never' }] }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SDJWTVC_TYPE_METADATA_INVALID' }));
    expect(() =>
      mergeTypeMetadata(strict, { vct: 'urn:c', claims: [{ path: ['a'], mandatory: false }] }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SDJWTVC_TYPE_METADATA_INVALID' }));
    expect(mergeTypeMetadata(strict, { vct: 'urn:c', claims: [{ path: ['a'] }] }).claims).toEqual([
      { path: ['a'], sd: 'always', mandatory: true },
    ]);
    const allowed: TypeMetadata = { vct: 'urn:b', claims: [{ path: ['a'], sd: 'allowed' }] };
    expect(
      mergeTypeMetadata(allowed, { vct: 'urn:c', claims: [{ path: ['a'], sd: 'never' }] })
        .claims?.[0]?.sd,
    ).toBe('never');
  });

  test('resolution follows extends with integrity, through the caller loader only', async () => {
    const baseBytes = utf8(JSON.stringify(base));
    const childDoc = { ...child, 'extends#integrity': computeIntegrity(baseBytes) };
    const childBytes = utf8(JSON.stringify(childDoc));
    const store = new Map([
      [base.vct, baseBytes],
      [child.vct, childBytes],
    ]);
    const load = async (vct: string) => {
      const b = store.get(vct);
      if (!b) throw new Error('absent');
      return b;
    };
    const effective = await resolveTypeMetadata(child.vct, {
      load,
      integrity: computeIntegrity(childBytes),
    });
    expect(effective.claims?.length).toBe(3);
    await expect(
      resolveTypeMetadata(child.vct, { load, integrity: computeIntegrity(baseBytes) }),
    ).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_INTEGRITY_MISMATCH',
    });
    store.set(base.vct, utf8(JSON.stringify({ ...base, name: 'changed' })));
    await expect(resolveTypeMetadata(child.vct, { load })).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_INTEGRITY_MISMATCH',
    });
  });

  test('a loader failure is reported as unavailable, with no detail of its own', async () => {
    await expect(
      resolveTypeMetadata('urn:a', {
        load: async () => {
          throw new Error('ECONNREFUSED');
        },
      }),
    ).rejects.toMatchObject({ code: 'ERR_SDJWTVC_TYPE_METADATA_UNAVAILABLE' });
  });

  test('circular extends and a document for another vct are refused', async () => {
    const a = utf8(JSON.stringify({ vct: 'urn:a', extends: 'urn:b' }));
    const b = utf8(JSON.stringify({ vct: 'urn:b', extends: 'urn:a' }));
    const load = async (vct: string) => (vct === 'urn:a' ? a : b);
    await expect(resolveTypeMetadata('urn:a', { load })).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_TYPE_METADATA_INVALID',
    });
    await expect(resolveTypeMetadata('urn:c', { load })).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_TYPE_METADATA_INVALID',
    });
  });
});

describe('sd and mandatory rules against an issued credential', () => {
  const CLAIMS = {
    vct: EDUCATION.vct,
    name: 'Zaphod Beeblebrox',
    address: { street_address: '42 Galaxy Way', city: 'Betelgeuse City' },
    degrees: [
      { field_of_study: 'Intergalactic Politics', date_awarded: '2020-05-15' },
      { field_of_study: 'Space Navigation', date_awarded: '2018-06-20' },
    ],
  };

  test('a credential following the draft example rules has no violation', async () => {
    const { signer } = await generateKeyPair('ES256');
    const issued = await issueSdJwt(CLAIMS, {
      signer,
      typ: 'dc+sd-jwt',
      frame: {
        _sd: ['name', 'address'],
        address: { _sd: ['street_address'] },
        degrees: { _sd: [0, 1], '0': { _sd: ['date_awarded'] }, '1': { _sd: ['date_awarded'] } },
      },
    });
    expect(findMetadataViolations(parseSdJwt(issued), EDUCATION)).toEqual([]);
  });

  test('always not disclosable, never disclosable and a missing mandatory claim are reported', async () => {
    const { signer } = await generateKeyPair('ES256');
    const { name: _omit, ...withoutName } = CLAIMS;
    const issued = await issueSdJwt(withoutName, {
      signer,
      typ: 'dc+sd-jwt',
      frame: { _sd: ['address', 'degrees'], degrees: { _sd: [0] } },
    });
    const held = parseSdJwt(issued);
    expect(findMetadataViolations(held, EDUCATION)).toEqual(
      expect.arrayContaining([
        { path: ['name'], rule: 'mandatory' },
        { path: ['address', 'street_address'], rule: 'always' },
        { path: ['degrees'], rule: 'never' },
        { path: ['degrees', 1], rule: 'always' },
        { path: ['degrees', 0, 'date_awarded'], rule: 'always' },
      ]),
    );
    expect(() => assertMetadataRules(held, EDUCATION)).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWTVC_METADATA_VIOLATION' }),
    );
  });
});
