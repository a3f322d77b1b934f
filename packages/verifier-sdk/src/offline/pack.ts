/**
 * @module offline/pack
 * The binary container of offline QR payloads (`docs/offline-qr.md`) and its compression.
 *
 * A compact JWS or SD-JWT is base64url text over JSON; base64 hides the redundancy of the JSON
 * from a compressor and costs 33 %. So each part is carried as its decoded bytes — JSON texts
 * and raw signatures — with a LEB128 length, the container is compressed with raw DEFLATE
 * (RFC 1951; the web-standard `CompressionStream('deflate-raw')`, in browsers and Node), and the
 * verifier re-encodes each part. The re-encoding is exact because only canonical (strict,
 * unpadded) base64url is accepted when packing, so every signature still covers the same text.
 *
 * Decompression is capped before allocation grows ({@link MAX_UNPACKED_BYTES}): a small hostile
 * QR cannot expand into megabytes.
 */
import { OpenMidError } from '@openmid/core/errors';
import { base64url } from 'jose';

/** Most bytes a decompressed container may have. */
export const MAX_UNPACKED_BYTES = 16_384;

function qrInvalid(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError(
    'ERR_OFFLINE_QR_INVALID',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/** Decode canonical base64url (re-encoding gives the same text), or throw `ERR_INPUT_INVALID`. */
export function canonicalB64u(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(text);
  } catch (cause) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'A token part is not base64url', { cause });
  }
  if (base64url.encode(bytes) !== text)
    throw new OpenMidError('ERR_INPUT_INVALID', 'A token part is not canonical base64url');
  return bytes;
}

/** Builds a container. */
export class ContainerWriter {
  private readonly chunks: number[] = [];

  byte(b: number): this {
    this.chunks.push(b & 0xff);
    return this;
  }

  varint(n: number): this {
    let v = n;
    while (v >= 0x80) {
      this.chunks.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.chunks.push(v);
    return this;
  }

  field(bytes: Uint8Array): this {
    this.varint(bytes.length);
    for (const b of bytes) this.chunks.push(b);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/** Reads a container; every overrun is `ERR_OFFLINE_QR_INVALID`. */
export class ContainerReader {
  private at = 0;
  private readonly data: Uint8Array;

  constructor(data: Uint8Array) {
    this.data = data;
  }

  byte(): number {
    const b = this.data[this.at];
    if (b === undefined) throw qrInvalid('The QR payload is truncated');
    this.at++;
    return b;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return n;
      scale *= 128;
    }
    throw qrInvalid('A length in the QR payload is too large');
  }

  field(): Uint8Array {
    const n = this.varint();
    if (this.at + n > this.data.length) throw qrInvalid('The QR payload is truncated');
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  end(): void {
    if (this.at !== this.data.length) throw qrInvalid('The QR payload has trailing bytes');
  }
}

async function pump(
  stream: CompressionStream | DecompressionStream,
  input: Uint8Array,
  cap: number,
) {
  const writer = stream.writable.getWriter();
  writer.write(input as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > cap) {
      await reader.cancel().catch(() => undefined);
      throw qrInvalid('The QR payload decompresses beyond the size cap');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/** Raw DEFLATE (RFC 1951). */
export function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  return pump(new CompressionStream('deflate-raw'), data, Number.POSITIVE_INFINITY);
}

/** Raw INFLATE, capped at `cap` bytes (default {@link MAX_UNPACKED_BYTES}). */
export async function inflateRaw(
  data: Uint8Array,
  cap: number = MAX_UNPACKED_BYTES,
): Promise<Uint8Array> {
  try {
    return await pump(new DecompressionStream('deflate-raw'), data, cap);
  } catch (e) {
    if (e instanceof OpenMidError) throw e;
    throw qrInvalid('The QR payload does not decompress', e);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Text of UTF-8 bytes; `ERR_OFFLINE_QR_INVALID` when not UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw qrInvalid('A QR payload part is not UTF-8', cause);
  }
}

// --- JSON compaction ---------------------------------------------------------------------------
//
// Each JSON text (JWS headers and payloads, disclosures) is carried "compacted": frequent byte
// strings of OpenMID tokens become one control byte (TOKENS), and every quoted canonical base64url
// string of 16 or more characters (digests, key coordinates, salts, kids) becomes 0x01, a length
// byte and its raw bytes. Valid JSON never holds a raw control byte (tab, LF and CR excepted, which
// are never used as codes), so expansion is unambiguous; a text that holds one is refused.

/** Compaction table v1 (code → text). Changing it needs a new container version. */
export const TOKENS: readonly (readonly [number, string])[] = Object.freeze([
  [0x02, '{"alg":"ES256","typ":"dc+sd-jwt","kid":'],
  [0x03, '{"alg":"ES256","typ":"kb+jwt"}'],
  [0x04, '"_sd":['],
  [0x05, '"_sd_alg":"sha-256"'],
  [0x06, '"cnf":{"jwk":{"kty":"EC","crv":"P-256","x":'],
  [0x07, ',"y":'],
  [0x08, '"status":{"status_list":{"idx":'],
  [0x0b, ',"uri":"'],
  [0x0c, '"iss":"'],
  [0x0e, ',"vct":"urn:openmid:kr:'],
  [0x0f, '"iat":'],
  [0x10, ',"exp":'],
  [0x11, ',"aud":"offline","nonce":"w60-'],
  [0x12, ',"aud":"verifier_attestation:'],
  [0x13, ',"nonce":"'],
  [0x14, ',"sd_hash":'],
  [0x15, '"age_over_'],
  [0x16, 'resident-id:1"'],
  [0x17, 'driving-licence:1"'],
  [0x18, '/status-lists/'],
  [0x19, 'https://'],
  [0x1a, '{"alg":"EdDSA","typ":"'],
  [0x1b, '{"alg":"ES256","typ":"'],
  [0x1c, '"kid":'],
  [0x1d, '"vct":"'],
  [0x1e, '"aud":"'],
  [0x1f, '"sub":"'],
]);

const BINARY = 0x01;
const TOKEN_TEXT = new Map(TOKENS.map(([code, text]) => [code, utf8(text)]));
const BY_LENGTH = [...TOKENS]
  .sort((a, b) => b[1].length - a[1].length)
  .map(([code, text]) => [code, utf8(text)] as const);
const B64U = /^[A-Za-z0-9_-]$/;

function startsAt(bytes: Uint8Array, at: number, token: Uint8Array): boolean {
  if (at + token.length > bytes.length) return false;
  for (let i = 0; i < token.length; i++) if (bytes[at + i] !== token[i]) return false;
  return true;
}

/** Compact a JSON text's bytes (see above); `ERR_INPUT_INVALID` when it holds a control byte. */
export function compactJson(json: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < json.length; ) {
    const b = json[i] as number;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)
      throw new OpenMidError('ERR_INPUT_INVALID', 'A JSON text holds a control character');
    if (b === 0x22) {
      // A quoted base64url run of 16–255 characters that decodes canonically.
      let j = i + 1;
      while (
        j < json.length &&
        j - i - 1 < 256 &&
        B64U.test(String.fromCharCode(json[j] as number))
      )
        j++;
      const n = j - i - 1;
      if (n >= 16 && json[j] === 0x22) {
        const run = String.fromCharCode(...json.subarray(i + 1, j));
        let raw: Uint8Array | undefined;
        try {
          raw = base64url.decode(run);
        } catch {
          raw = undefined;
        }
        if (raw !== undefined && raw.length < 256 && base64url.encode(raw) === run) {
          out.push(BINARY, raw.length, ...raw);
          i = j + 1;
          continue;
        }
      }
    }
    const hit = BY_LENGTH.find(([, token]) => startsAt(json, i, token));
    if (hit !== undefined) {
      out.push(hit[0]);
      i += hit[1].length;
      continue;
    }
    out.push(b);
    i++;
  }
  return Uint8Array.from(out);
}

/** Expand {@link compactJson}'s output; `ERR_OFFLINE_QR_INVALID` on a malformed code. */
export function expandJson(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; ) {
    const b = data[i] as number;
    if (b === BINARY) {
      const n = data[i + 1];
      if (n === undefined || i + 2 + n > data.length)
        throw qrInvalid('A QR payload field is truncated');
      out.push(0x22, ...utf8(base64url.encode(data.subarray(i + 2, i + 2 + n))), 0x22);
      i += 2 + n;
      continue;
    }
    const token = TOKEN_TEXT.get(b);
    if (token !== undefined) out.push(...token);
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)
      throw qrInvalid('Unknown compaction code');
    else out.push(b);
    i++;
  }
  return Uint8Array.from(out);
}

/** Write a compact JWS as three fields (compacted header JSON, compacted payload JSON, signature). */
export function writeJws(w: ContainerWriter, jws: string): void {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new OpenMidError('ERR_INPUT_INVALID', 'Not a compact JWS');
  w.field(compactJson(canonicalB64u(parts[0] as string)));
  w.field(compactJson(canonicalB64u(parts[1] as string)));
  w.field(canonicalB64u(parts[2] as string));
}

/** Read a compact JWS written by {@link writeJws}. */
export function readJws(r: ContainerReader): string {
  const header = base64url.encode(expandJson(r.field()));
  const payload = base64url.encode(expandJson(r.field()));
  return `${header}.${payload}.${base64url.encode(r.field())}`;
}
