import { describe, expect, test } from 'vitest';
import { canonicalize } from './canonical.js';

describe('RFC 8785 JSON canonicalization', () => {
  test('the §3.2.2 example: literals, numbers and strings as ECMAScript prints them', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  test('the §3.2.3 example: members sorted by UTF-16 code units', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  test('Appendix B numbers: -0 is 0, exponents as ECMAScript prints them', () => {
    expect(canonicalize([-0, 1e21, 1e-7, 9007199254740991, 5e-324])).toBe(
      '[0,1e+21,1e-7,9007199254740991,5e-324]',
    );
  });

  test('the same value in any member order gives the same bytes; Korean text stays as is', () => {
    expect(canonicalize({ b: [1, { d: 1, c: 2 }], a: '행정안전부' })).toBe(
      canonicalize({ a: '행정안전부', b: [1, { c: 2, d: 1 }] }),
    );
    expect(canonicalize({ a: '행정안전부' })).toBe('{"a":"행정안전부"}');
  });

  test('refuses what is not I-JSON: lone surrogates, non-finite numbers, non-plain objects, deep nesting', () => {
    for (const bad of [
      { s: '\ud800' },
      { ['\udc00']: 1 },
      [Number.NaN],
      [Number.POSITIVE_INFINITY],
      new Date(0),
      { m: new Map() },
      [() => 1],
    ]) {
      expect(() => canonicalize(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_LEDGER_ENTRY_INVALID' }),
      );
    }
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrow(
      expect.objectContaining({ code: 'ERR_LEDGER_ENTRY_INVALID' }),
    );
  });

  test('a __proto__ member is data, never a prototype', () => {
    const v = JSON.parse('{"__proto__":{"x":1},"a":2}');
    expect(canonicalize(v)).toBe('{"__proto__":{"x":1},"a":2}');
  });
});
