/**
 * @module mdoc/x509/der
 * The slice of ASN.1 DER (ITU-T X.690 §10) that X.509 certificates need: a strict reader
 * (definite minimal lengths, single-byte tags, every element inside its parent) and a writer.
 * Used instead of a general ASN.1 library so that certificate parsing is isomorphic, allocation-
 * free apart from the values it returns, and fast enough to run on every verification (ADR 006).
 */
import { OpenMidError } from '../../errors/error.js';

/** A DER element: tag byte and the byte ranges of the element and of its content. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Universal tags used here. */
export const DER = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Throw the certificate error (DER problems are certificate problems here). */
export function derFail(message: string): never {
  throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', message);
}

/** Read the element at `pos`, which must end by `limit`. */
export function readTlv(b: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) derFail('Truncated DER element');
  const tag = b[pos] as number;
  if ((tag & 0x1f) === 0x1f) derFail('Multi-byte DER tags are not supported');
  let len = b[pos + 1] as number;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) derFail('Indefinite DER length');
    if (n > 3) derFail('DER length too large');
    if (p + n > limit) derFail('Truncated DER length');
    if (b[p] === 0) derFail('Non-minimal DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[p + i] as number);
    if (len < 0x80) derFail('Non-minimal DER length');
    p += n;
  }
  if (p + len > limit) derFail('DER element longer than its container');
  return { tag, start: pos, contentStart: p, end: p + len };
}

/** Read `tlv` expecting `tag`. */
export function expectTlv(b: Uint8Array, pos: number, limit: number, tag: number): Tlv {
  const t = readTlv(b, pos, limit);
  if (t.tag !== tag) derFail(`Unexpected DER tag 0x${t.tag.toString(16)}`);
  return t;
}

/** The children of a constructed element. */
export function children(b: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readTlv(b, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** A dotted OID from the content of an OBJECT IDENTIFIER. */
export function readOid(b: Uint8Array, t: Tlv): string {
  if (t.tag !== DER.OID || t.end === t.contentStart) derFail('Not an OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) {
    const byte = b[i] as number;
    if (v === 0 && byte === 0x80) derFail('Non-minimal OID arc');
    v = v * 128 + (byte & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER) derFail('OID arc too large');
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
    } else if (i === t.end - 1) derFail('Truncated OID');
  }
  return arcs.join('.');
}

/** The content of an INTEGER, checked minimal; `positive` also requires a non-negative value. */
export function readInteger(b: Uint8Array, t: Tlv, positive = true): Uint8Array {
  if (t.tag !== DER.INTEGER || t.end === t.contentStart) derFail('Not an INTEGER');
  const first = b[t.contentStart] as number;
  if (t.end - t.contentStart > 1) {
    const second = b[t.contentStart + 1] as number;
    if ((first === 0 && second < 0x80) || (first === 0xff && second >= 0x80))
      derFail('Non-minimal INTEGER');
  }
  if (positive && first >= 0x80) derFail('Negative INTEGER');
  return b.subarray(t.contentStart, t.end);
}

/** A small non-negative INTEGER as a number. */
export function readSmallInt(b: Uint8Array, t: Tlv): number {
  const v = readInteger(b, t);
  if (v.length > 4) derFail('INTEGER too large');
  let n = 0;
  for (const byte of v) n = n * 256 + byte;
  return n;
}

/** A BIT STRING: its bytes and the number of unused bits in the last one. */
export function readBitString(b: Uint8Array, t: Tlv): { bytes: Uint8Array; unused: number } {
  if (t.tag !== DER.BIT_STRING || t.end === t.contentStart) derFail('Not a BIT STRING');
  const unused = b[t.contentStart] as number;
  if (unused > 7 || (unused > 0 && t.end - t.contentStart === 1)) derFail('Invalid BIT STRING');
  return { bytes: b.subarray(t.contentStart + 1, t.end), unused };
}

const LATIN1 = new TextDecoder('latin1');
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A directory string (UTF8String, PrintableString, IA5String, TeletexString, BMPString). */
export function readString(b: Uint8Array, t: Tlv): string {
  const content = b.subarray(t.contentStart, t.end);
  switch (t.tag) {
    case DER.UTF8_STRING:
      try {
        return UTF8.decode(content);
      } catch {
        return derFail('Invalid UTF8String');
      }
    case DER.PRINTABLE_STRING:
    case DER.IA5_STRING:
    case DER.TELETEX_STRING:
      return LATIN1.decode(content);
    case DER.BMP_STRING: {
      if (content.length % 2 !== 0) derFail('Invalid BMPString');
      let s = '';
      for (let i = 0; i < content.length; i += 2)
        s += String.fromCharCode(((content[i] as number) << 8) | (content[i + 1] as number));
      return s;
    }
    default:
      return derFail('Unsupported string type');
  }
}

/** A UTCTime or GeneralizedTime in whole seconds since the epoch (RFC 5280 §4.1.2.5). */
export function readTime(b: Uint8Array, t: Tlv): number {
  const s = LATIN1.decode(b.subarray(t.contentStart, t.end));
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === DER.UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (m === null) derFail('Invalid UTCTime');
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === DER.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (m === null) derFail('Invalid GeneralizedTime');
    year = Number(m[1]);
  } else return derFail('Not a time');
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, mo - 1, d, h, mi, se);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || se > 59)
    derFail('Invalid calendar time');
  return ms / 1000;
}

// ---------------------------------------------------------------------------------------------
// Writer

/** An element: tag and content. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else if (n < 0x100) header = [tag, 0x81, n];
  else if (n < 0x10000) header = [tag, 0x82, n >> 8, n & 0xff];
  else header = [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(header.length + n);
  out.set(header);
  out.set(content, header.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const seq = (...parts: Uint8Array[]): Uint8Array => tlv(DER.SEQUENCE, concat(parts));
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(DER.SET, concat(parts));
/** `[n]` context-specific: constructed (EXPLICIT or constructed IMPLICIT) or primitive. */
export const ctx = (n: number, content: Uint8Array, constructed = true): Uint8Array =>
  tlv((constructed ? 0xa0 : 0x80) | n, content);
export const octets = (bytes: Uint8Array): Uint8Array => tlv(DER.OCTET_STRING, bytes);
export const bits = (bytes: Uint8Array, unused = 0): Uint8Array =>
  tlv(DER.BIT_STRING, concat([new Uint8Array([unused]), bytes]));
export const bool = (value: boolean): Uint8Array =>
  tlv(DER.BOOLEAN, new Uint8Array([value ? 0xff : 0]));
export const utf8String = (s: string): Uint8Array =>
  tlv(DER.UTF8_STRING, new TextEncoder().encode(s));
export const printable = (s: string): Uint8Array =>
  tlv(DER.PRINTABLE_STRING, new TextEncoder().encode(s));
export const ia5 = (s: string): Uint8Array => tlv(DER.IA5_STRING, new TextEncoder().encode(s));

/** An unsigned big-endian magnitude as a minimal DER INTEGER. */
export function uint(magnitude: Uint8Array | number): Uint8Array {
  let m: Uint8Array;
  if (typeof magnitude === 'number') {
    const bytes: number[] = [];
    let v = magnitude;
    do {
      bytes.unshift(v & 0xff);
      v = Math.floor(v / 256);
    } while (v > 0);
    m = new Uint8Array(bytes);
  } else m = magnitude;
  let i = 0;
  while (i < m.length - 1 && m[i] === 0) i++;
  m = m.subarray(i);
  return tlv(DER.INTEGER, (m[0] as number) & 0x80 ? concat([new Uint8Array([0]), m]) : m);
}

/** A dotted OID as an OBJECT IDENTIFIER. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const tmp = [v & 0x7f];
    let x = Math.floor(v / 128);
    while (x > 0) {
      tmp.unshift((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    out.push(...tmp);
  };
  push((arcs[0] as number) * 40 + (arcs[1] as number));
  for (const a of arcs.slice(2)) push(a);
  return tlv(DER.OID, new Uint8Array(out));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
export function time(seconds: number): Uint8Array {
  const d = new Date(seconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  return y < 2050
    ? tlv(DER.UTC_TIME, new TextEncoder().encode(`${p(y % 100)}${rest}`))
    : tlv(DER.GENERALIZED_TIME, new TextEncoder().encode(`${p(y, 4)}${rest}`));
}

// ---------------------------------------------------------------------------------------------
// ECDSA signatures: DER Ecdsa-Sig-Value (RFC 5480 §2.2.3? RFC 3279 §2.2.3) ↔ IEEE P1363 r ‖ s

/** DER `SEQUENCE { r INTEGER, s INTEGER }` to fixed-size r ‖ s. */
export function derToP1363(der: Uint8Array, size: number): Uint8Array {
  const outer = expectTlv(der, 0, der.length, DER.SEQUENCE);
  if (outer.end !== der.length) derFail('Trailing bytes after the ECDSA signature');
  const parts = children(der, outer);
  if (parts.length !== 2) derFail('An ECDSA signature has two integers');
  const out = new Uint8Array(size * 2);
  parts.forEach((t, i) => {
    let v = readInteger(der, t as Tlv);
    if (v.length > size + 1 || (v.length === size + 1 && v[0] !== 0))
      derFail('ECDSA integer too large');
    if (v.length === size + 1) v = v.subarray(1);
    out.set(v, i * size + size - v.length);
  });
  return out;
}

/** Fixed-size r ‖ s to DER `SEQUENCE { r INTEGER, s INTEGER }`. */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  const size = sig.length / 2;
  return seq(uint(sig.subarray(0, size)), uint(sig.subarray(size)));
}
