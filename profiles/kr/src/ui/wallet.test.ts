import { describe, expect, test } from 'vitest';
import { formatString, WALLET_ERROR_MESSAGES, WALLET_STRINGS } from './index.js';

const placeholders = (s: string) => [...s.matchAll(/\{([a-z]+)\}/gi)].map((m) => m[1]).sort();

describe('wallet strings (Korean first, English)', () => {
  test('both languages have the same keys and the same placeholders', () => {
    expect(Object.keys(WALLET_STRINGS.en).sort()).toEqual(Object.keys(WALLET_STRINGS.ko).sort());
    for (const key of Object.keys(WALLET_STRINGS.ko) as (keyof typeof WALLET_STRINGS.ko)[])
      expect(placeholders(WALLET_STRINGS.en[key]), key).toEqual(
        placeholders(WALLET_STRINGS.ko[key]),
      );
  });

  test('every error message exists in both languages, with a default', () => {
    expect(Object.keys(WALLET_ERROR_MESSAGES.en).sort()).toEqual(
      Object.keys(WALLET_ERROR_MESSAGES.ko).sort(),
    );
    expect(WALLET_ERROR_MESSAGES.ko['default']).toBeTruthy();
    for (const text of [
      ...Object.values(WALLET_STRINGS.ko),
      ...Object.values(WALLET_ERROR_MESSAGES.ko),
    ])
      expect(text.trim().length).toBeGreaterThan(0);
  });

  test('placeholders are filled, unknown ones are left visible', () => {
    expect(formatString('{n}번 남음 {x}', { n: 3 })).toBe('3번 남음 {x}');
    expect(formatString('{__proto__}', {})).toBe('{__proto__}');
  });
});
