/**
 * @module status-list/zlib
 * Strict, size-capped ZLIB (RFC 1950) decompression for status lists, on top of fflate's
 * streaming DEFLATE (RFC 1951) decoder.
 *
 * Why not `unzlibSync`: it inflates everything it is given (a 1 MB input can expand to 1 GB, since
 * DEFLATE reaches ≈ 1032:1), it does not check the Adler-32 trailer that RFC 1950 §2.3 requires of
 * a compliant decompressor, and it ignores bytes after the end of the stream. Here:
 *
 * - the 2-byte header is checked (CM = 8, CINFO ≤ 7, FCHECK, no preset dictionary; RFC 1950 §2.2);
 * - the DEFLATE body is fed in slices whose worst-case expansion (1032 × slice) fits the remaining
 *   budget, and decoding stops as soon as the running total exceeds the cap, so a bomb costs at
 *   most the cap plus clamp(cap, 66 KB, 1 MB) of output, never its expanded size;
 * - the stream must end exactly before the 4-byte Adler-32 trailer (no trailing bytes), and the
 *   trailer must match the output.
 */
import { Inflate } from 'fflate';
import { OpenMidError } from '../errors/error.js';
import { concatBytes } from '../internal/bytes.js';

/** Largest expansion of DEFLATE: a 258-byte match per 2 bits (RFC 1951 §3.2.5), rounded up. */
const MAX_DEFLATE_RATIO = 1032;
/**
 * Input slice bounds: slices shrink as the output nears the cap (bounded overshoot) and are large
 * far below it (few pushes). The smallest slice is cap / 1032 clamped to [64 B, 1 KB], so the
 * overshoot past the cap is at most clamp(cap, 66 KB, 1 MB).
 */
const MIN_SLICE = 1024;
const TINY_SLICE = 64;
const MAX_SLICE = 65_536;
/** Adler-32 modulus and the largest run before the sums must be reduced (RFC 1950 §9). */
const ADLER_MOD = 65_521;
const ADLER_NMAX = 5552;

/** Running Adler-32 (RFC 1950 §8.2) over a sequence of chunks. */
export function adler32(chunks: readonly Uint8Array[]): number {
  let a = 1;
  let b = 0;
  for (const chunk of chunks) {
    let i = 0;
    while (i < chunk.length) {
      const end = Math.min(i + ADLER_NMAX, chunk.length);
      for (; i < end; i++) {
        a += chunk[i] as number;
        b += a;
      }
      a %= ADLER_MOD;
      b %= ADLER_MOD;
    }
  }
  return (b * 65_536 + a) >>> 0;
}

/** The private state of fflate's `Inflate` that tells where the DEFLATE stream ended. */
interface InflateInternals {
  /** Unconsumed input, starting at the byte that holds the current bit position. */
  readonly p?: unknown;
  /** Decoder state: `p` bit position in `p`, `f` final block seen, `l` inside a block. */
  readonly s?: { readonly p?: unknown; readonly f?: unknown; readonly l?: unknown };
}

/**
 * Bits of input left after the end of the DEFLATE stream, or `undefined` when the stream has not
 * ended. fflate 0.8 exposes no API for this, so this reads its (stable since 0.4) private state
 * and fails closed with `ERR_INTERNAL` if that state ever changes shape: a dependency upgrade must
 * not silently re-admit trailing data.
 */
function unconsumedBits(inflater: Inflate): number | undefined {
  const internals = inflater as unknown as InflateInternals;
  const { p, s } = internals;
  if (!(p instanceof Uint8Array) || typeof s !== 'object' || s === null || typeof s.p !== 'number')
    throw new OpenMidError('ERR_INTERNAL', 'Unsupported fflate version (inflate state)');
  if (!s.f || s.l) return undefined;
  return p.length * 8 - s.p;
}

/** Options of {@link inflateZlib}. */
export interface InflateZlibOptions {
  /** Maximum decompressed size in bytes; exceeding it is `ERR_STATUS_LIST_TOO_LARGE`. */
  readonly maxBytes: number;
}

/**
 * Decompress one complete ZLIB stream, refusing anything malformed (`ERR_STATUS_LIST_INVALID`)
 * and anything that would exceed `maxBytes` (`ERR_STATUS_LIST_TOO_LARGE`, raised after at most
 * `maxBytes` + clamp(`maxBytes`, 66 KB, 1 MB) of output).
 *
 * @see RFC 1950 §2.2 (header), §2.3 (a compliant decompressor checks CMF, FLG and ADLER32)
 */
export function inflateZlib(input: Uint8Array, options: InflateZlibOptions): Uint8Array {
  const { maxBytes } = options;
  const minSlice = Math.min(
    MIN_SLICE,
    Math.max(TINY_SLICE, Math.floor(maxBytes / MAX_DEFLATE_RATIO)),
  );
  // Header (2) + at least one byte of DEFLATE data + Adler-32 (4).
  if (input.length < 7) throw invalid('The status list is too short to be ZLIB data');
  const cmf = input[0] as number;
  const flg = input[1] as number;
  // RFC 1950 §2.2: CM = 8 (deflate), CINFO ≤ 7 (window ≤ 32K), FCHECK, FDICT = 0.
  if ((cmf & 0x0f) !== 8 || cmf >>> 4 > 7 || (cmf * 256 + flg) % 31 !== 0 || (flg & 0x20) !== 0)
    throw invalid('The status list does not start with a valid ZLIB header');

  const body = input.subarray(2, input.length - 4);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxBytes) overflow = true;
    else if (chunk.length > 0) chunks.push(chunk);
  });

  let offset = 0;
  let left: number | undefined;
  try {
    do {
      const budget = Math.floor((maxBytes - total) / MAX_DEFLATE_RATIO);
      const slice = Math.min(MAX_SLICE, Math.max(minSlice, budget));
      const end = Math.min(body.length, offset + slice);
      inflater.push(body.subarray(offset, end), end === body.length);
      offset = end;
      // Stop at the end of the stream: fflate would otherwise buffer (and re-copy) the rest.
      left = unconsumedBits(inflater);
    } while (offset < body.length && !overflow && left === undefined);
  } catch (e) {
    if (e instanceof OpenMidError) throw e;
    // fflate raises on invalid block types, bad Huffman codes, distances too far back and
    // truncated input (on the final push).
    throw invalid('The status list is not valid DEFLATE data', e);
  }
  if (overflow) {
    throw new OpenMidError(
      'ERR_STATUS_LIST_TOO_LARGE',
      'The status list decompresses beyond the configured limit',
      { details: { maxBytes, inflatedBytes: total } },
    );
  }
  if (left === undefined) throw invalid('The status list ZLIB stream is truncated');
  // Only the padding bits of the last byte may remain (RFC 1951 §3.1.1: the stream need not end
  // on a byte boundary); anything more is data between the stream's end and the trailer.
  if (offset < body.length || left >= 8)
    throw invalid('The status list has data after the end of the ZLIB stream');

  const t = input.length - 4;
  const expected =
    (((input[t] as number) << 24) |
      ((input[t + 1] as number) << 16) |
      ((input[t + 2] as number) << 8) |
      (input[t + 3] as number)) >>>
    0;
  if (adler32(chunks) !== expected)
    throw invalid('The status list ZLIB checksum (Adler-32) does not match');
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(...chunks);
}

function invalid(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError(
    'ERR_STATUS_LIST_INVALID',
    message,
    cause === undefined ? undefined : { cause },
  );
}
