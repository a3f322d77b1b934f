/**
 * @module canonical
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of every ledger body, so that a
 * hash or signature over an entry is the same wherever the entry is re-encoded (CLI file, HTTP
 * body, chain event, snapshot).
 *
 * JCS is the ECMAScript serialisation of the I-JSON subset with object members sorted by their
 * UTF-16 code units (RFC 8785 §3.2): strings and numbers are therefore exactly what
 * `JSON.stringify` prints (§3.2.2.2, §3.2.2.3, both defined by reference to ECMA-262), and only the
 * member ordering and the I-JSON restrictions (RFC 7493: no lone surrogates, finite numbers) need
 * code of their own.
 */
import { OpenMidError } from '@openmid/core';

/** A JSON value as the ledger handles it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Maximum nesting depth accepted by {@link canonicalize} (entries are at most a few levels deep). */
export const MAX_JSON_DEPTH = 32;

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** True when `s` has no lone surrogate (String.prototype.isWellFormed where available, ES2024). */
function wellFormed(s: string): boolean {
  if (!SURROGATE.test(s)) return true;
  const native = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === 'function' ? native.call(s) : !LONE_SURROGATE.test(s);
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_LEDGER_ENTRY_INVALID', message);
}

function stringOf(s: string): string {
  // RFC 8785 §3.2.2.2 defers to ECMAScript JSON.stringify, which escapes lone surrogates as
  // \udxxx; I-JSON (RFC 7493 §2.1) forbids them, so they are refused instead.
  if (!wellFormed(s)) throw invalid('A string holds a lone surrogate (not I-JSON)');
  return JSON.stringify(s);
}

function write(value: unknown, depth: number, out: string[]): void {
  if (depth > MAX_JSON_DEPTH) throw invalid('JSON nested too deeply');
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      // §3.2.2.3: ECMAScript Number serialisation; NaN and infinities are not JSON.
      if (!Number.isFinite(value)) throw invalid('A number is not finite');
      out.push(JSON.stringify(value));
      return;
    case 'string':
      out.push(stringOf(value));
      return;
    case 'object': {
      if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.push(',');
          write(value[i], depth + 1, out);
        }
        out.push(']');
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw invalid('Not a plain JSON object');
      const obj = value as Record<string, unknown>;
      // §3.2.3: members sorted by the UTF-16 code units of their names, which is what the default
      // Array.prototype.sort comparison does for strings.
      const keys = Object.keys(obj).sort();
      out.push('{');
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (!first) out.push(',');
        first = false;
        out.push(stringOf(k), ':');
        write(v, depth + 1, out);
      }
      out.push('}');
      return;
    }
    default:
      throw invalid('Not a JSON value');
  }
}

/**
 * The RFC 8785 canonical JSON text of `value`. Members whose value is `undefined` are omitted (as
 * `JSON.stringify` does); anything else that is not JSON throws ERR_LEDGER_ENTRY_INVALID.
 *
 * @example
 * ```ts
 * canonicalize({ b: 1, a: [true, 'é'] }) // '{"a":[true,"é"],"b":1}'
 * ```
 * @see RFC 8785 §3.2
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, 0, out);
  return out.join('');
}
