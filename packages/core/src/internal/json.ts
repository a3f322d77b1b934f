/**
 * @module internal/json
 * Strict JSON for security tokens: duplicate member names and excessive nesting are rejected
 * (SECURITY.md "Strict parsing"; RFC 7515 §5.2 and RFC 7519 §4 allow a parser to reject
 * duplicates, and we must, since two parsers that pick different duplicates disagree on a claim).
 *
 * A linear pre-scan checks depth and duplicates before `JSON.parse` allocates anything, then the
 * engine's native parser builds the value. Keys are compared after JSON unescaping, so `"a"` and
 * `"\u0061"` are duplicates.
 */

/** Default maximum nesting depth of objects and arrays. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** Why strict parsing failed. */
export type JsonFailure = 'syntax' | 'duplicate' | 'depth';

/** Result of {@link parseJsonStrict}. */
export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: JsonFailure };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;

/** Parse JSON text, rejecting duplicate member names and nesting deeper than `maxDepth`. */
export function parseJsonStrict(
  text: string,
  maxDepth: number = DEFAULT_MAX_JSON_DEPTH,
): JsonResult {
  const scan = scanJson(text, maxDepth);
  if (scan !== undefined) return { ok: false, reason: scan };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'syntax' };
  }
}

/** Objects with more keys than this switch from a linear list to a Set (linear time overall). */
const SMALL_OBJECT = 16;

/**
 * Frames of the scan: `null` for an array, the keys seen so far for an object — a list while the
 * object is small (tokens' objects are, and a list beats a Set there), a Set beyond that so a
 * hostile object with thousands of members stays linear.
 */
function scanJson(text: string, maxDepth: number): JsonFailure | undefined {
  const frames: (string[] | Set<string> | null)[] = [];
  let expectKey = false;
  let slashAt = -2;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote: one that is not preceded by an odd run of backslashes.
      let j = text.indexOf('"', i + 1);
      while (j !== -1) {
        let k = j - 1;
        while (text.charCodeAt(k) === BACKSLASH) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j === -1) return 'syntax';
      if (expectKey) {
        const keys = frames[frames.length - 1];
        if (keys) {
          let key: string;
          // The next backslash at or after this key, found once per region: linear overall.
          if (slashAt !== -1 && slashAt <= i) slashAt = text.indexOf('\\', i + 1);
          if (slashAt !== -1 && slashAt < j) {
            try {
              key = JSON.parse(text.slice(i, j + 1)) as string;
            } catch {
              return 'syntax';
            }
          } else key = text.slice(i + 1, j);
          if (Array.isArray(keys)) {
            for (let k = 0; k < keys.length; k++) if (keys[k] === key) return 'duplicate';
            keys.push(key);
            if (keys.length > SMALL_OBJECT) frames[frames.length - 1] = new Set(keys);
          } else {
            if (keys.has(key)) return 'duplicate';
            keys.add(key);
          }
        }
        expectKey = false;
      }
      i = j;
    } else if (c === LBRACE) {
      if (frames.length >= maxDepth) return 'depth';
      frames.push([]);
      expectKey = true;
    } else if (c === LBRACKET) {
      if (frames.length >= maxDepth) return 'depth';
      frames.push(null);
      expectKey = false;
    } else if (c === RBRACE || c === RBRACKET) {
      frames.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = frames[frames.length - 1] != null;
    }
  }
  return undefined;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Define an own, enumerable data property. Unlike assignment, this never invokes the
 * `__proto__` setter, so a claim named `__proto__`, `constructor` or `prototype` stays data and
 * touches no prototype (SECURITY.md, SD-JWT section).
 */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Own-property check that cannot be fooled by a member named `hasOwnProperty`. */
export function hasOwn(target: object, key: string): boolean {
  return Object.hasOwn(target, key);
}
