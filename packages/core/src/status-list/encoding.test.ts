import fc from 'fast-check';
import { zlibSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { b64uEncode, bytesEqual, concatBytes } from '../internal/bytes.js';
import { DEFAULT_MAX_STATUS_LIST_BYTES, decodeStatusList, encodeStatusList } from './encoding.js';
import { type StatusBits, StatusList } from './status-list.js';
import { adler32, inflateZlib } from './zlib.js';

/**
 * A ZLIB "bomb": one dynamic-Huffman DEFLATE block (RFC 1951 §3.2.7) whose literal/length code
 * gives the match length 258 a 1-bit code and whose distance code gives distance 1 a 1-bit code,
 * so each 2 zero bits of input expand to 258 zero bytes (DEFLATE's maximum ratio, ≈ 1032:1).
 * Built in O(input) without ever holding the expanded data. Output: 1 + 258·pairs zero bytes.
 */
function zlibBomb(pairs: number): { readonly bytes: Uint8Array; readonly expandsTo: number } {
  const head: number[] = [];
  const put = (value: number, n: number): void => {
    for (let i = 0; i < n; i++) head.push((value >>> i) & 1); // header fields: LSB first
  };
  const code = (value: number, n: number): void => {
    for (let i = n - 1; i >= 0; i--) head.push((value >>> i) & 1); // Huffman codes: MSB first
  };
  put(1, 1); // BFINAL
  put(2, 2); // BTYPE = dynamic
  put(29, 5); // HLIT: 286 literal/length codes (up to 285 = length 258)
  put(0, 5); // HDIST: 1 distance code
  put(14, 4); // HCLEN: 18 code-length codes
  const lengths: Record<number, number> = { 18: 1, 2: 2, 1: 2 };
  for (const s of [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1])
    put(lengths[s] ?? 0, 3);
  // Code-length codes: 18 → "0", 1 → "10", 2 → "11".
  code(3, 2); // literal 0: length 2
  code(0, 1);
  put(127, 7); // 138 zeros (literals 1..138)
  code(0, 1);
  put(106, 7); // 117 zeros (literals 139..255)
  code(3, 2); // 256 (end of block): length 2
  code(0, 1);
  put(17, 7); // 28 zeros (257..284)
  code(2, 2); // 285 (length 258): length 1
  code(2, 2); // distance 1: length 1
  // Literal/length codes: 285 → "0", 0 → "10", 256 → "11"; distance 1 → "0".
  code(2, 2); // literal 0
  const eob = head.length + 2 * pairs; // then `pairs` × ("0" length 258, "0" distance 1)
  const deflateBytes = Math.ceil((eob + 2) / 8);
  const out = new Uint8Array(2 + deflateBytes + 4);
  out[0] = 0x78;
  out[1] = 0xda;
  const setBit = (p: number): void => {
    out[2 + (p >>> 3)] = (out[2 + (p >>> 3)] as number) | (1 << (p & 7));
  };
  head.forEach((bit, i) => {
    if (bit) setBit(i);
  });
  setBit(eob); // end of block "11"
  setBit(eob + 1);
  const expandsTo = 1 + 258 * pairs;
  // Adler-32 of n zero bytes: a = 1, b = n mod 65521 (RFC 1950 §8.2), big-endian.
  const b = expandsTo % 65_521;
  out.set([b >>> 8, b & 0xff, 0, 1], 2 + deflateBytes);
  return { bytes: out, expandsTo };
}

function lstOf(bytes: Uint8Array): string {
  return b64uEncode(bytes);
}

describe('encodeStatusList / decodeStatusList (draft-ietf-oauth-status-list §4.2)', () => {
  test('encodes the §4.2 example exactly, at the highest compression level', () => {
    const list = StatusList.fromBytes(new Uint8Array([0xb9, 0xa3]), 1);
    expect(encodeStatusList(list)).toEqual({ bits: 1, lst: 'eNrbuRgAAhcBXQ' });
  });

  test('adds aggregation_uri when asked (§9.2) and decoding accepts it', () => {
    const list = StatusList.create(8, 1);
    const json = encodeStatusList(list, { aggregationUri: 'https://issuer.example/lists' });
    expect(json.aggregation_uri).toBe('https://issuer.example/lists');
    expect(decodeStatusList(json).size).toBe(8);
  });

  test('a server may bring its own ZLIB compressor', () => {
    const list = StatusList.create(1024, 2);
    list.set(7, 2);
    const json = encodeStatusList(list, { compress: (b) => zlibSync(b, { level: 1 }) });
    expect(decodeStatusList(json).get(7)).toBe(2);
  });

  test('encode → decode returns the same bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<StatusBits>(1, 2, 4, 8),
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        (bits, bytes) => {
          const decoded = decodeStatusList(encodeStatusList(StatusList.fromBytes(bytes, bits)));
          expect(decoded.bits).toBe(bits);
          expect(bytesEqual(decoded.bytes, bytes)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('decodes correctly however the stream is sliced near the cap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 200_000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3000 }),
        fc.constantFrom(0, 1, 9),
        (length, writes, level) => {
          const bytes = new Uint8Array(length);
          for (const [i, v] of writes) bytes[i % length] = v;
          const z = zlibSync(bytes, { level: level as 0 | 1 | 9 });
          // maxBytes = length forces the smallest slices (64 B–1 KB) as the output nears the cap.
          expect(bytesEqual(inflateZlib(z, { maxBytes: length }), bytes)).toBe(true);
          expect(() => inflateZlib(z, { maxBytes: length - 1 })).toThrow(
            expect.objectContaining({ code: 'ERR_STATUS_LIST_TOO_LARGE' }),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  test('the default cap holds a 52-million-entry 2-bit list', () => {
    expect(DEFAULT_MAX_STATUS_LIST_BYTES).toBeGreaterThanOrEqual((52_000_000 * 2) / 8);
  });

  test('a list of exactly maxBytes decodes; one byte more is too large', () => {
    const json = encodeStatusList(StatusList.fromBytes(new Uint8Array(4096), 1));
    expect(decodeStatusList(json, { maxBytes: 4096 }).size).toBe(4096 * 8);
    expect(() => decodeStatusList(json, { maxBytes: 4095 })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_TOO_LARGE' }),
    );
  });

  test('the cap is never unbounded', () => {
    const json = encodeStatusList(StatusList.create(8, 1));
    for (const maxBytes of [0, -1, 1.5, Number.POSITIVE_INFINITY, Number.NaN, 2 ** 31]) {
      expect(() => decodeStatusList(json, { maxBytes })).toThrow(
        expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
      );
    }
  });
});

describe('decodeStatusList refuses malformed lists (ERR_STATUS_LIST_INVALID)', () => {
  const good = 'eNrbuRgAAhcBXQ'; // 78da dbb9 1800 0217 015d
  const goodBytes = zlibSync(new Uint8Array([0xb9, 0xa3]), { level: 9 });

  test.each([
    ['not an object', 'x'],
    ['an array', [1, good]],
    ['null', null],
    ['bits = 3', { bits: 3, lst: good }],
    ['bits = 0', { bits: 0, lst: good }],
    ['bits = 16', { bits: 16, lst: good }],
    ['bits as a string', { bits: '1', lst: good }],
    ['bits missing', { lst: good }],
    ['lst missing', { bits: 1 }],
    ['lst not a string', { bits: 1, lst: [0xb9] }],
    ['lst padded', { bits: 1, lst: `${good}==` }],
    ['lst in standard base64', { bits: 1, lst: 'eNrbuRgAAhcBXQ+/' }],
    ['lst with whitespace', { bits: 1, lst: 'eNrbuRgA AhcBXQ' }],
    ['lst empty', { bits: 1, lst: '' }],
    ['aggregation_uri not a string', { bits: 1, lst: good, aggregation_uri: 7 }],
  ])('%s', (_, value) => {
    expect(() => decodeStatusList(value)).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_INVALID' }),
    );
  });

  const corrupt = (edit: (b: Uint8Array) => Uint8Array) => ({
    bits: 1,
    lst: lstOf(edit(Uint8Array.from(goodBytes))),
  });

  test.each([
    ['raw DEFLATE without the ZLIB header', (b: Uint8Array) => b.subarray(2)],
    ['a gzip header', (b: Uint8Array) => concatBytes(new Uint8Array([0x1f, 0x8b]), b.subarray(2))],
    [
      'a bad FCHECK',
      (b: Uint8Array) => {
        b[1] = 0xdb;
        return b;
      },
    ],
    [
      'a preset dictionary (FDICT)',
      (b: Uint8Array) => {
        b[1] = 0xf9; // 0x78f9 % 31 = 0 with FDICT set
        return b;
      },
    ],
    [
      'a reserved block type',
      (b: Uint8Array) => {
        b[2] = 0xff;
        return b;
      },
    ],
    [
      'a corrupted body (Adler-32 mismatch)',
      (b: Uint8Array) => {
        b[3] = (b[3] as number) ^ 0x01;
        return b;
      },
    ],
    [
      'a wrong Adler-32',
      (b: Uint8Array) => {
        b[b.length - 1] = (b[b.length - 1] as number) ^ 0x80;
        return b;
      },
    ],
    ['a truncated stream (no trailer)', (b: Uint8Array) => b.subarray(0, b.length - 4)],
    ['a truncated stream (cut in the data)', (b: Uint8Array) => b.subarray(0, 5)],
    ['trailing garbage', (b: Uint8Array) => concatBytes(b, new Uint8Array([0, 0, 0, 0, 0]))],
    [
      'a second copy of the trailer (data between stream end and trailer)',
      (b: Uint8Array) => concatBytes(b, b.subarray(b.length - 4)),
    ],
    ['two concatenated streams', (b: Uint8Array) => concatBytes(b, b)],
  ])('%s', (_, edit) => {
    expect(() => decodeStatusList(corrupt(edit))).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_INVALID' }),
    );
  });

  test('an empty list (valid ZLIB of zero bytes) has no entries', () => {
    expect(() => decodeStatusList({ bits: 1, lst: lstOf(zlibSync(new Uint8Array(0))) })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_INVALID' }),
    );
  });

  test('every truncation of a real list is refused', () => {
    const list = StatusList.create(4096, 2);
    for (let i = 0; i < 4096; i += 37) list.set(i, (i % 3) + 1);
    const full = zlibSync(list.bytes, { level: 9 });
    for (let n = 0; n < full.length; n++) {
      expect(() => inflateZlib(full.subarray(0, n), { maxBytes: 1 << 20 })).toThrow(
        expect.objectContaining({ code: 'ERR_STATUS_LIST_INVALID' }),
      );
    }
    expect(bytesEqual(inflateZlib(full, { maxBytes: 1 << 20 }), list.bytes)).toBe(true);
  });

  test('a stream split across many slices decodes and still refuses trailing data', () => {
    // Incompressible input makes stored blocks and many slices.
    const bytes = new Uint8Array(300_000);
    let x = 1;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1_103_515_245 + 12_345) >>> 0;
      bytes[i] = x >>> 24;
    }
    const z = zlibSync(bytes, { level: 9 });
    expect(bytesEqual(inflateZlib(z, { maxBytes: 1 << 20 }), bytes)).toBe(true);
    const extra = concatBytes(z.subarray(0, z.length - 4), new Uint8Array(200_000), z.subarray(-4));
    expect(() => inflateZlib(extra, { maxBytes: 1 << 20 })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_INVALID' }),
    );
  });
});

describe('decompression bombs (SECURITY.md "Decompression capped")', () => {
  test('the bomb generator makes valid ZLIB', () => {
    const { bytes, expandsTo } = zlibBomb(1000);
    const out = inflateZlib(bytes, { maxBytes: 1 << 20 });
    expect(out.length).toBe(expandsTo);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  test('a 1 KB bomb is refused by a cap below its ≈ 1 MB expansion, after little output', () => {
    const { bytes, expandsTo } = zlibBomb(4000);
    expect(bytes.length).toBeLessThanOrEqual(1024);
    expect(expandsTo).toBeGreaterThan(1_000_000);
    const maxBytes = 64 * 1024;
    let error: unknown;
    try {
      decodeStatusList({ bits: 1, lst: lstOf(bytes) }, { maxBytes });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_STATUS_LIST_TOO_LARGE' });
    // Stopped within one slice (≤ 64 B × 1032) past the cap: far below the expanded size.
    const inflated = (error as { details: { inflatedBytes: number } }).details.inflatedBytes;
    expect(inflated).toBeGreaterThan(maxBytes);
    expect(inflated).toBeLessThanOrEqual(maxBytes + 64 * 1032 + 1024);
  });

  test('a bomb expanding to ≥ 1 GiB is refused quickly under the default cap, failing early', () => {
    const { bytes, expandsTo } = zlibBomb(Math.ceil(2 ** 30 / 258));
    expect(expandsTo).toBeGreaterThanOrEqual(2 ** 30);
    const lst = lstOf(bytes); // ≈ 1.4 MB of text
    const started = performance.now();
    let error: unknown;
    try {
      decodeStatusList({ bits: 2, lst });
    } catch (e) {
      error = e;
    }
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'ERR_STATUS_LIST_TOO_LARGE' });
    const inflated = (error as { details: { inflatedBytes: number } }).details.inflatedBytes;
    // At most the 16 MiB cap plus ≈ 1 MB: under 2 % of the bomb's expansion was ever produced.
    expect(inflated).toBeLessThanOrEqual(DEFAULT_MAX_STATUS_LIST_BYTES + 1032 * 1024 + 65_536);
    expect(inflated / expandsTo).toBeLessThan(0.02);
    // Inflating 1 GiB takes seconds; stopping at the cap takes milliseconds.
    expect(elapsed).toBeLessThan(1500);
  });

  test('an lst longer than any list within the cap is refused before decoding', () => {
    const lst = 'A'.repeat(2000);
    expect(() => decodeStatusList({ bits: 1, lst }, { maxBytes: 1000 })).toThrow(
      expect.objectContaining({ code: 'ERR_STATUS_LIST_TOO_LARGE' }),
    );
  });
});

describe('adler32 (RFC 1950 §8.2)', () => {
  test('matches the checksum fflate writes, across chunk boundaries', () => {
    const data = new Uint8Array(20_000).map((_, i) => (i * 7919) & 0xff);
    const z = zlibSync(data);
    const trailer = new DataView(z.buffer, z.byteOffset + z.length - 4).getUint32(0);
    expect(adler32([data])).toBe(trailer);
    expect(adler32([data.subarray(0, 7), data.subarray(7, 12_000), data.subarray(12_000)])).toBe(
      trailer,
    );
    expect(adler32([])).toBe(1);
  });
});
