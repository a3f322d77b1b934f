/**
 * Property tests (fast-check) of the CBOR codec, with cbor-x as an independent oracle:
 * - our deterministic encoding decodes back to the same value, passes the deterministic decoder,
 *   and re-encodes to the same bytes;
 * - cbor-x decodes our encoding to the same value, and we decode cbor-x's encoding (which is not
 *   always preferred) to the same value;
 * - random bytes and mutated encodings never raise anything but a coded ERR_CBOR_* error.
 */
import { Decoder, Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isOpenMidError } from '../../errors/error.js';
import { decodeCbor } from './decode.js';
import { encodeCbor } from './encode.js';
import type { CborKey, CborValue } from './types.js';

const TWO_64 = 2n ** 64n;

/** A canonical, comparable form: integers by value whatever their JS type, floats tagged. */
function canon(v: unknown, keepNegativeZero = true): unknown {
  if (typeof v === 'bigint') return `i:${v}`;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'f:NaN';
    if (Object.is(v, -0)) return keepNegativeZero ? 'f:-0' : 'i:0';
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 64) return `i:${BigInt(v)}`;
    return `f:${v}`;
  }
  if (v instanceof Uint8Array) return { b: [...v] };
  if (Array.isArray(v)) return v.map((x) => canon(x, keepNegativeZero));
  if (v instanceof Map)
    return [...v.entries()]
      .map(([k, x]) => [String(canon(k)), canon(x, keepNegativeZero)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return v;
}

const key: fc.Arbitrary<CborKey> = fc.oneof(fc.string({ maxLength: 12 }), fc.integer());
const leaf: fc.Arbitrary<CborValue> = fc.oneof(
  fc.maxSafeInteger(),
  fc.bigInt({ min: 2n ** 53n, max: TWO_64 - 1n }),
  // Down to -2^63 only: cbor-x writes smaller integers as bignums (tag 3). -2^64 is in cbor.test.ts.
  fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) - 1n }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.uint8Array({ maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.double(),
  fc.float().map((f) => f as number),
);

const { value } = fc.letrec<{ value: CborValue; array: CborValue; map: CborValue }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('map')),
  array: fc.array(tie('value'), { maxLength: 6 }),
  map: fc
    .uniqueArray(fc.tuple(key, tie('value')), {
      maxLength: 6,
      selector: ([k]) => `${typeof k}:${String(k)}`,
    })
    .map((entries) => new Map(entries)),
}));

const theirDecoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const theirEncoder = new Encoder({
  mapsAsObjects: false,
  useRecords: false,
  variableMapSize: false, // maps get 16-bit counts: well-formed, not preferred (as @auth0/mdl)
  tagUint8Array: false,
});

describe('CBOR codec properties', () => {
  test('deterministic encoding round-trips and is stable', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCbor(v);
        const back = decodeCbor(bytes, { deterministic: true, maxDepth: 64 });
        expect(canon(back)).toEqual(canon(v));
        expect(encodeCbor(back)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  test('cbor-x reads our encoding as the same value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canon(theirDecoder.decode(encodeCbor(v)))).toEqual(canon(v));
      }),
      { numRuns: 300 },
    );
  });

  test('we read cbor-x encodings (non-preferred map headers) as the same value', () => {
    fc.assert(
      fc.property(value, (v) => {
        const theirs = new Uint8Array(theirEncoder.encode(v));
        // cbor-x writes -0 as the integer 0: compare without the sign of zero.
        expect(canon(decodeCbor(theirs, { maxDepth: 64 }), false)).toEqual(canon(v, false));
      }),
      { numRuns: 300 },
    );
  });

  test('random bytes are decoded or refused with a CBOR code, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeCbor(bytes);
        } catch (e) {
          expect(isOpenMidError(e) && e.code.startsWith('ERR_CBOR_')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated and truncated encodings are decoded or refused with a CBOR code', () => {
    fc.assert(
      fc.property(
        value,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        (v, at, b, cut) => {
          const bytes = encodeCbor(v);
          const i = at % bytes.length;
          const mutated = cut ? bytes.subarray(0, i) : bytes.slice();
          if (!cut) mutated[i] = b;
          try {
            decodeCbor(mutated, { deterministic: at % 2 === 0 });
          } catch (e) {
            expect(isOpenMidError(e) && e.code.startsWith('ERR_CBOR_')).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
