/**
 * @module mdoc/values
 * The date types of ISO/IEC 18013-5 §7.2.1 and the conversion of data element values for apps:
 * `tdate` = `#6.0(tstr)` (RFC 3339 date-time; in ValidityInfo without fractions and in UTC "Z",
 * §9.1.2.4) and `full-date` = `#6.1004(tstr)` (RFC 8943 §3, `YYYY-MM-DD`).
 */
import { OpenMidError } from '../errors/error.js';
import { b64uEncode } from '../internal/bytes.js';
import { defineOwn } from '../internal/json.js';
import { CborTag, type CborValue, EncodedCbor } from './cbor/types.js';

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isFullDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = FULL_DATE.exec(value);
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * A `full-date` data element value: `#6.1004("YYYY-MM-DD")`.
 *
 * @throws OpenMidError `ERR_INPUT_INVALID` when `date` is not a real `YYYY-MM-DD` day.
 * @see ISO/IEC 18013-5 §7.2.1, RFC 8943 §3
 */
export function fullDate(date: string): CborTag {
  if (!isFullDate(date)) throw new OpenMidError('ERR_INPUT_INVALID', 'Not a YYYY-MM-DD date');
  return new CborTag(1004, date);
}

/**
 * A `tdate` in the ValidityInfo form: whole seconds, UTC, `Z` (18013-5 §9.1.2.4).
 *
 * @example tdate(1_700_000_000) // #6.0("2023-11-14T22:13:20Z")
 */
export function tdate(seconds: number): CborTag {
  if (!Number.isSafeInteger(seconds))
    throw new OpenMidError('ERR_INPUT_INVALID', 'A tdate must be whole seconds');
  return new CborTag(0, `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`);
}

/**
 * Read a ValidityInfo `tdate` strictly: tag 0, `YYYY-MM-DDTHH:MM:SSZ`, a real instant.
 * Returns seconds since the epoch, or `undefined` when the value is not of that form.
 */
export function readTdate(value: CborValue): number | undefined {
  if (!(value instanceof CborTag) || value.tag !== 0 || typeof value.value !== 'string')
    return undefined;
  const t = value.value;
  // YYYY-MM-DDTHH:MM:SSZ, parsed by hand (it runs three times per verification).
  if (t.length !== 20 || t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':')
    return undefined;
  if (t[16] !== ':' || t[19] !== 'Z') return undefined;
  const n = (i: number, len: number): number => {
    let v = 0;
    for (let k = i; k < i + len; k++) {
      const c = t.charCodeAt(k) - 48;
      if (c < 0 || c > 9) return -1;
      v = v * 10 + c;
    }
    return v;
  };
  const y = n(0, 4);
  const mo = n(5, 2);
  const d = n(8, 2);
  const h = n(11, 2);
  const mi = n(14, 2);
  const s = n(17, 2);
  if (
    y < 0 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    s < 0 ||
    s > 59
  )
    return undefined;
  if (d > daysInMonth(y, mo)) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * A data element value as JSON-friendly data, for apps that show or forward disclosed elements:
 * maps become null-prototype objects (integer keys as strings; `__proto__` stays an own key),
 * `full-date` and `tdate` become their strings, byte strings base64url, big integers strings,
 * embedded CBOR the base64url of its content. Values are never interpreted beyond that.
 */
export function mdocValueToJson(value: CborValue): unknown {
  if (value instanceof Uint8Array) return b64uEncode(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof CborTag) {
    if ((value.tag === 0 || value.tag === 1004) && typeof value.value === 'string')
      return value.value;
    return { tag: value.tag, value: mdocValueToJson(value.value) };
  }
  if (value instanceof EncodedCbor) return b64uEncode(value.content);
  if (Array.isArray(value)) return value.map((v) => mdocValueToJson(v as CborValue));
  if (value instanceof Map) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of value) defineOwn(out, String(k), mdocValueToJson(v as CborValue));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) defineOwn(out, k, mdocValueToJson(v as CborValue));
    return out;
  }
  return value;
}
