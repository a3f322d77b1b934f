/**
 * CBOR encoder and hardened decoder: RFC 8949 Appendix A examples, deterministic encoding
 * (§4.2.1), tag 24 keeping the original bytes, and one test per rejection with its code.
 */
import { describe, expect, test } from 'vitest';
import { fromHex, toHex } from '../../internal/bytes.js';
import { decodeCbor, decodeEmbedded } from './decode.js';
import { embed, encodeCbor, encodeEmbedded } from './encode.js';
import { CborTag, type CborValue, EncodedCbor, RawCbor } from './types.js';

function hex(h: string): Uint8Array {
  const b = fromHex(h.replace(/\s+/g, ''));
  if (b === undefined) throw new Error(`bad hex ${h}`);
  return b;
}

const enc = (v: CborValue): string => toHex(encodeCbor(v));
const dec = (h: string, options?: Parameters<typeof decodeCbor>[1]): CborValue =>
  decodeCbor(hex(h), options);

// RFC 8949 Appendix A: [value, encoding]; every encoding here is the preferred one.
const APPENDIX_A: readonly [CborValue, string][] = [
  [0, '00'],
  [1, '01'],
  [10, '0a'],
  [23, '17'],
  [24, '1818'],
  [25, '1819'],
  [100, '1864'],
  [1000, '1903e8'],
  [1000000, '1a000f4240'],
  [1000000000000, '1b000000e8d4a51000'],
  [18446744073709551615n, '1bffffffffffffffff'],
  [-18446744073709551616n, '3bffffffffffffffff'],
  [-1, '20'],
  [-10, '29'],
  [-100, '3863'],
  [-1000, '3903e7'],
  [-0, 'f98000'],
  [1.1, 'fb3ff199999999999a'],
  [1.5, 'f93e00'],
  [65504, '19ffe0'], // an integer-valued number encodes as an integer
  [100000.5, 'fa47c35040'],
  [3.4028234663852886e38, 'fa7f7fffff'],
  [1.0e300, 'fb7e37e43c8800759c'],
  [2 ** -24, 'f90001'], // 5.960464477539063e-8
  [0.00006103515625, 'f90400'],
  [-4.1, 'fbc010666666666666'],
  [Number.POSITIVE_INFINITY, 'f97c00'],
  [Number.NaN, 'f97e00'],
  [Number.NEGATIVE_INFINITY, 'f9fc00'],
  [false, 'f4'],
  [true, 'f5'],
  [null, 'f6'],
  [undefined, 'f7'],
  [new Uint8Array(0), '40'],
  [new Uint8Array([1, 2, 3, 4]), '4401020304'],
  ['', '60'],
  ['a', '6161'],
  ['IETF', '6449455446'],
  ['"\\', '62225c'],
  ['\u00fc', '62c3bc'],
  ['\u6c34', '63e6b0b4'],
  ['\u{10151}', '64f0908591'],
  [[], '80'],
  [[1, 2, 3], '83010203'],
  [[1, [2, 3], [4, 5]], '8301820203820405'],
  [new Map(), 'a0'],
  [
    new Map([
      [1, 2],
      [3, 4],
    ]),
    'a201020304',
  ],
  [
    new Map<string, CborValue>([
      ['a', 1],
      ['b', [2, 3]],
    ]),
    'a26161016162820203',
  ],
  [['a', new Map([['b', 'c']])], '826161a161626163'],
  [new CborTag(0, '2013-03-21T20:04:00Z'), 'c074323031332d30332d32315432303a30343a30305a'],
  [new CborTag(1, 1363896240), 'c11a514b67b0'],
  [new CborTag(1, 1363896240.5), 'c1fb41d452d9ec200000'],
];

function normalise(v: unknown): unknown {
  if (v instanceof EncodedCbor) return { tag24: toHex(v.tagged) };
  if (v instanceof CborTag) return { tag: v.tag, value: normalise(v.value) };
  if (v instanceof Uint8Array) return { bytes: toHex(v) };
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, normalise(x)]);
  if (Array.isArray(v)) return v.map(normalise);
  return v;
}

describe('CBOR encoding (RFC 8949 Appendix A, §4.2.1)', () => {
  test.each(APPENDIX_A)('encodes %s as %s', (value, expected) => {
    expect(enc(value)).toBe(expected);
  });

  test.each(APPENDIX_A)('decodes %s from %s', (value, encoded) => {
    expect(normalise(dec(encoded))).toEqual(normalise(value));
  });

  test('decodes non-preferred but well-formed encodings when determinism is not required', () => {
    expect(dec('f93c00')).toBe(1); // 1.0 as float16
    expect(dec('fb3ff0000000000000')).toBe(1);
    expect(dec('1800')).toBe(0);
    expect(dec('1b0000000000000001')).toBe(1);
    expect(dec('7801 61')).toBe('a');
    expect(dec('f97bff')).toBe(65504);
  });

  test('sorts map keys by the bytewise order of their encodings', () => {
    const m = new Map<string | number, CborValue>([
      ['b', 1],
      [-1, 2],
      ['a', 3],
      [10, 4],
      [100, 5],
      ['aa', 6],
    ]);
    // 0a < 1864 < 20 < 6161 < 6162 < 626161
    expect(enc(m)).toBe('a60a0418640520026161036162016261610' + '6');
  });

  test('encodes plain objects as maps with sorted text keys', () => {
    expect(enc({ b: 1, a: [true] })).toBe('a2616181f5616201');
  });

  test('refuses two keys with the same encoding', () => {
    expect(() =>
      encodeCbor(
        new Map<number | bigint, CborValue>([
          [1, 1],
          [1n, 2],
        ]),
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_CBOR_DUPLICATE_KEY' }));
  });

  test('refuses values outside the data model', () => {
    for (const bad of [() => 1, Symbol('x'), new Date(0), 2n ** 64n, -(2n ** 64n) - 1n]) {
      expect(() => encodeCbor(bad as unknown as CborValue)).toThrow(
        expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
      );
    }
    const cyclic: CborValue[] = [];
    cyclic.push(cyclic);
    expect(() => encodeCbor(cyclic)).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });

  test('writes RawCbor byte for byte', () => {
    expect(enc([new RawCbor(hex('1b0000000000000001')), 2])).toBe('821b000000000000000102');
  });
});

describe('tag 24: encoded CBOR data item (RFC 8949 §3.4.5.1)', () => {
  test('RFC 8949 Appendix A example', () => {
    const v = dec('d818456449455446');
    expect(v).toBeInstanceOf(EncodedCbor);
    expect(toHex((v as EncodedCbor).tagged)).toBe('d818456449455446');
    expect(toHex((v as EncodedCbor).content)).toBe('6449455446');
    expect(decodeEmbedded(v as EncodedCbor)).toBe('IETF');
    expect(toHex(embed(hex('6449455446')).tagged)).toBe('d818456449455446');
    expect(toHex(encodeEmbedded('IETF').tagged)).toBe('d818456449455446');
  });

  test('keeps the original bytes, even a non-preferred length, and re-emits them unchanged', () => {
    // The same content with a one-byte length header (58 05) instead of 45.
    const v = dec('81 d818 5805 6449455446') as CborValue[];
    const item = v[0] as EncodedCbor;
    expect(toHex(item.tagged)).toBe('d81858056449455446');
    expect(enc([item])).toBe('81d81858056449455446');
  });

  test('refuses a tag 24 around anything but a byte string', () => {
    expect(() => dec('d81800')).toThrow(expect.objectContaining({ code: 'ERR_CBOR_MALFORMED' }));
  });
});

describe('hostile CBOR (SECURITY.md "mdoc / CBOR")', () => {
  const cases: readonly [string, string, string, Parameters<typeof decodeCbor>[1]?][] = [
    ['empty input', '', 'ERR_CBOR_MALFORMED'],
    ['truncated header', '1901', 'ERR_CBOR_MALFORMED'],
    ['truncated array', '82011901', 'ERR_CBOR_MALFORMED'],
    ['reserved additional information 28', '1c', 'ERR_CBOR_MALFORMED'],
    ['reserved additional information 30 on a string', '7e', 'ERR_CBOR_MALFORMED'],
    ['a stray break', 'ff', 'ERR_CBOR_MALFORMED'],
    ['trailing bytes', '0000', 'ERR_CBOR_MALFORMED'],
    ['invalid UTF-8', '62c328', 'ERR_CBOR_MALFORMED'],
    ['UTF-8 surrogate', '63eda080', 'ERR_CBOR_MALFORMED'],
    ['tag 0 on an integer', 'c000', 'ERR_CBOR_MALFORMED'],
    ['tag 1004 on bytes', 'd903ec40', 'ERR_CBOR_MALFORMED'],
    ['string length larger than the input', '7a7fffffff61', 'ERR_CBOR_TOO_LARGE'],
    ['byte string of 2^64-1 bytes', '5bffffffffffffffff00', 'ERR_CBOR_TOO_LARGE'],
    ['array of 2^32-1 elements', '9affffffff00', 'ERR_CBOR_TOO_LARGE'],
    ['map of 2^64-1 pairs', 'bbffffffffffffffff0000', 'ERR_CBOR_TOO_LARGE'],
    ['map count equal to the bytes left', 'a2010203', 'ERR_CBOR_TOO_LARGE'],
    ['indefinite byte string', '5f4100ff', 'ERR_CBOR_INDEFINITE_LENGTH'],
    ['indefinite text string', '7f6161ff', 'ERR_CBOR_INDEFINITE_LENGTH'],
    ['indefinite array', '9f01ff', 'ERR_CBOR_INDEFINITE_LENGTH'],
    ['indefinite map', 'bf0101ff', 'ERR_CBOR_INDEFINITE_LENGTH'],
    ['duplicate text key', 'a2616101616102', 'ERR_CBOR_DUPLICATE_KEY'],
    ['duplicate integer key', 'a201010102', 'ERR_CBOR_DUPLICATE_KEY'],
    ['duplicate key hidden by a longer encoding', 'a20101180102', 'ERR_CBOR_DUPLICATE_KEY'],
    ['duplicate key hidden by a longer length', 'a2616101780161 02', 'ERR_CBOR_DUPLICATE_KEY'],
    ['byte-string map key', 'a14000', 'ERR_CBOR_UNSUPPORTED'],
    ['float map key', 'a1f93c0000', 'ERR_CBOR_UNSUPPORTED'],
    ['array map key', 'a18000', 'ERR_CBOR_UNSUPPORTED'],
    ['tagged map key', 'a1c0616100', 'ERR_CBOR_UNSUPPORTED'],
    ['huge tag number', 'dbffffffffffffffff00', 'ERR_CBOR_UNSUPPORTED'],
    ['tag 55799 (self-describe) not on the allow-list', 'd9d9f700', 'ERR_CBOR_UNSUPPORTED'],
    ['bignum tag 2', 'c24101', 'ERR_CBOR_UNSUPPORTED'],
    ['shared-reference tag 28', 'd81c00', 'ERR_CBOR_UNSUPPORTED'],
    ['unassigned simple value', 'e0', 'ERR_CBOR_UNSUPPORTED'],
    ['one-byte simple value', 'f820', 'ERR_CBOR_UNSUPPORTED'],
  ];

  test.each(cases)('rejects %s', (_name, input, code, options) => {
    expect(() => dec(input, options)).toThrow(expect.objectContaining({ code }));
  });

  const deterministic: readonly [string, string][] = [
    ['a one-byte argument for 5', '1805'],
    ['a two-byte argument for 5', '190005'],
    ['a four-byte argument for 255', '1a000000ff'],
    ['an eight-byte argument for 2^32-1', '1b00000000ffffffff'],
    ['a negative integer with a long argument', '3800'],
    ['a non-minimal string length', '780161'],
    ['a non-minimal array count', '980100'],
    ['a non-minimal tag number', 'd9001840'],
    ['1.0 as float32', 'fa3f800000'],
    ['1.5 as float64', 'fb3ff8000000000000'],
    ['unsorted map keys', 'a2020001 00'],
    ['map keys sorted by length-first order but not bytewise', 'a2 6161 00 19 0100 00'],
  ];

  test.each(deterministic)('rejects %s where determinism is required', (_name, input) => {
    expect(() => dec(input, { deterministic: true, tags: [24] })).toThrow(
      expect.objectContaining({ code: 'ERR_CBOR_NOT_DETERMINISTIC' }),
    );
    // Accepted when determinism is not required.
    expect(() => dec(input, { tags: [24] })).not.toThrow();
  });

  test('accepts deterministic encodings in deterministic mode', () => {
    for (const [value, encoded] of APPENDIX_A) {
      if (value instanceof CborTag) continue;
      expect(normalise(dec(encoded, { deterministic: true }))).toEqual(normalise(value));
    }
  });

  test('refuses a depth bomb before building anything', () => {
    const bomb = new Uint8Array(200_001).fill(0x81);
    bomb[200_000] = 0;
    expect(() => decodeCbor(bomb)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_TOO_DEEP' }));
    const maps = hex(`${'a16161'.repeat(20)}00`);
    expect(() => decodeCbor(maps)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_TOO_DEEP' }));
    const tags = hex(`${'c0'.repeat(40)}6161`);
    expect(() => decodeCbor(tags)).toThrow(expect.objectContaining({ code: 'ERR_CBOR_TOO_DEEP' }));
  });

  test('honours maxDepth, maxItems and maxBytes', () => {
    expect(() => dec('818180', { maxDepth: 2 })).toThrow(
      expect.objectContaining({ code: 'ERR_CBOR_TOO_DEEP' }),
    );
    expect(dec('818180', { maxDepth: 3 })).toEqual([[[]]]);
    expect(() => dec('83010203', { maxItems: 3 })).toThrow(
      expect.objectContaining({ code: 'ERR_CBOR_TOO_LARGE' }),
    );
    expect(() => dec('83010203', { maxBytes: 3 })).toThrow(
      expect.objectContaining({ code: 'ERR_CBOR_TOO_LARGE' }),
    );
  });

  test('a length bomb is refused at once, whatever it announces', () => {
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      expect(() => dec('9bffffffffffffffff')).toThrow(
        expect.objectContaining({ code: 'ERR_CBOR_TOO_LARGE' }),
      );
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('a __proto__ key is plain data and touches no prototype', () => {
    // {"__proto__": {"polluted": true}, "constructor": 1}
    const v = dec('a2 695f5f70726f746f5f5f a168706f6c6c75746564f5 6b636f6e7374727563746f72 01');
    expect(v).toBeInstanceOf(Map);
    const m = v as Map<string, CborValue>;
    expect(m.get('__proto__')).toBeInstanceOf(Map);
    expect(m.get('constructor')).toBe(1);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(m)).toBe(Map.prototype);
  });

  test('errors carry only an offset, never data', () => {
    try {
      dec('a2 6a5345435245542d303031 01 6a5345435245542d303031 02');
      expect.unreachable();
    } catch (e) {
      expect(JSON.stringify(e)).not.toContain('SECRET');
      expect((e as { details?: unknown }).details).toEqual({ offset: 13 });
    }
  });
});

describe('integers and floats', () => {
  test('decodes 64-bit integers beyond 2^53 as bigint, safe ones as number', () => {
    expect(dec('1b001fffffffffffff')).toBe(Number.MAX_SAFE_INTEGER);
    expect(dec('1b0020000000000000')).toBe(2n ** 53n);
    expect(dec('3b001ffffffffffffe')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(dec('3b001fffffffffffff')).toBe(-(2n ** 53n));
  });

  test('round-trips float16 subnormals and extremes', () => {
    for (const x of [2 ** -24, 2 ** -14, 65504, -(2 ** -20), 0.5, 2 ** 15]) {
      const e = encodeCbor(x);
      expect(decodeCbor(e, { deterministic: true })).toBe(x);
    }
    expect(enc(2 ** -24)).toBe('f90001');
    expect(enc(0.5)).toBe('f93800');
    expect(enc(2 ** -25)).toBe('fa33000000');
    expect(enc(65520.5)).toBe('fa477ff080');
  });
});
