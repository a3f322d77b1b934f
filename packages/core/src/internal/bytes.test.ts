import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { b64uDecode, b64uEncode, bytesEqual, fromHex, toHex } from './bytes.js';

describe('base64url', () => {
  test('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = b64uEncode(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(b64uDecode(text)).toEqual(bytes);
      }),
    );
  });

  test('matches the RFC 4648 §10 test vectors (unpadded, URL alphabet)', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of cases) {
      expect(b64uEncode(new TextEncoder().encode(plain))).toBe(encoded);
    }
    expect(b64uEncode(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  test.each([
    ['padding', 'Zg=='],
    ['standard alphabet +', 'a+b/'],
    ['whitespace', 'Zm9v Yg'],
    ['impossible length 4k+1', 'Zm9vY'],
    ['non-canonical trailing bits (2 chars)', 'Zh'],
    ['non-canonical trailing bits (3 chars)', 'Zm9'],
    ['non-ASCII', 'Zm9\u0176'],
  ])('rejects %s', (_name, text) => {
    expect(b64uDecode(text)).toBeUndefined();
  });

  test('decodes a sub-range without slicing', () => {
    expect(b64uDecode('xxZm9vxx', 2, 6)).toEqual(new TextEncoder().encode('foo'));
  });
});

describe('bytes', () => {
  test('bytesEqual compares content and length', () => {
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
  });

  test('hex round-trips and rejects odd or non-hex input', () => {
    expect(toHex(fromHex('00ff10') as Uint8Array)).toBe('00ff10');
    expect(fromHex('0')).toBeUndefined();
    expect(fromHex('zz')).toBeUndefined();
  });
});
