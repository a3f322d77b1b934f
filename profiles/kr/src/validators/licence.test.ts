import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  isValidLicenceNumber,
  LEGACY_LICENCE_REGION_NAMES,
  LICENCE_REGION_CODES,
  maskLicenceNumber,
  parseLicenceNumber,
} from './licence.js';

describe('parseLicenceNumber (DOMAIN.md §1.6, §8.2)', () => {
  test('splits RR-YY-NNNNNN-CD', () => {
    expect(parseLicenceNumber('11-23-123456-10')).toEqual({
      normalised: '11-23-123456-10',
      region: '11',
      legacyRegionName: false,
      year: '23',
      serial: '123456',
      checkDigit: '1',
      reissueCount: 0,
    });
  });

  test('accepts missing hyphens and restores them', () => {
    expect(parseLicenceNumber('132312345612').normalised).toBe('13-23-123456-12');
    expect(parseLicenceNumber('13-23123456-12').normalised).toBe('13-23-123456-12');
  });

  test('accepts the legacy region-name form of cards issued before 2014-06', () => {
    const p = parseLicenceNumber('서울-88-123456-12');
    expect(p).toMatchObject({ region: '서울', legacyRegionName: true, reissueCount: 2 });
    expect(parseLicenceNumber('부산88123456 12'.replace(' ', '')).normalised).toBe(
      '부산-88-123456-12',
    );
  });

  test('accepts every region code 11–26 and 28, and never computes the check digit', () => {
    for (const rr of Object.keys(LICENCE_REGION_CODES)) {
      for (const c of '0123456789') {
        expect(isValidLicenceNumber(`${rr}-05-000001-${c}0`)).toBe(true);
      }
    }
  });

  test.each([
    ['region 27', '27-23-123456-10', 'region'],
    ['region 10', '10-23-123456-10', 'region'],
    ['region 29', '29-23-123456-10', 'region'],
    ['an unknown region name', '평양-88-123456-12', 'region'],
    ['a short serial', '11-23-12345-10', 'format'],
    ['a missing re-issue digit', '11-23-123456-1', 'format'],
    ['letters', '11-2A-123456-10', 'format'],
    ['an empty string', '', 'format'],
    ['a long input', `11-23-123456-10${'0'.repeat(20)}`, 'format'],
  ])('rejects %s', (_name, input, reason) => {
    expect(() => parseLicenceNumber(input)).toThrow(
      expect.objectContaining({ code: 'ERR_KR_LICENCE_NUMBER_INVALID', details: { reason } }),
    );
  });

  test('knows 16 legacy region names', () => {
    expect(LEGACY_LICENCE_REGION_NAMES).toHaveLength(16);
  });
});

describe('maskLicenceNumber', () => {
  test('hides the serial: 11-23-******-10', () => {
    expect(maskLicenceNumber('112312345610')).toBe('11-23-******-10');
    expect(maskLicenceNumber('서울-88-123456-12')).toBe('서울-88-******-12');
  });

  test('never reveals the serial', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(LICENCE_REGION_CODES)),
        fc.stringMatching(/^\d{2}$/),
        fc.stringMatching(/^\d{6}$/),
        fc.stringMatching(/^\d{2}$/),
        (rr, yy, serial, cd) => {
          const masked = maskLicenceNumber(`${rr}-${yy}-${serial}-${cd}`);
          expect(masked).toBe(`${rr}-${yy}-******-${cd}`);
        },
      ),
    );
  });
});
