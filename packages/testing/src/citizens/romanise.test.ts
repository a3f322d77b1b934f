import { describe, expect, test } from 'vitest';
import { romaniseGivenName, romaniseSyllable } from './romanise.js';

describe('Revised Romanization of given names', () => {
  test.each([
    ['길동', 'GILDONG'],
    ['서연', 'SEOYEON'],
    ['민석', 'MINSEOK'],
    ['슬기', 'SEULGI'],
    ['혁', 'HYEOK'],
    ['예린', 'YERIN'],
    ['지훈', 'JIHUN'],
    ['하윤', 'HAYUN'],
    ['은비', 'EUNBI'],
    ['쥐', 'JWI'],
    // Sound changes between syllables are not transcribed in names (복남 → Boknam).
    ['복남', 'BOKNAM'],
  ])('%s → %s', (name, roman) => {
    expect(romaniseGivenName(name)).toBe(roman);
  });

  test('leaves non-Hangul characters alone', () => {
    expect(romaniseSyllable('A')).toBe('A');
  });
});
