/**
 * @module internal/json
 * Strict JSON for the SDK: duplicate member names and excessive nesting are refused, as in every
 * OpenMID token (SECURITY.md "Strict parsing"). The strict parser lives in `@openmid/core`, which
 * exposes it only through its JWS decoder, so a JSON text is parsed as the payload of an unsigned
 * compact wrapper (`{}` header, one-byte signature) that is never trusted for anything else.
 */

import { isOpenMidError, OpenMidError, type OpenMidErrorCode } from '@openmid/core/errors';
import { decodeCompactJws } from '@openmid/core/jose';
import { base64url } from 'jose';

const EMPTY_HEADER = 'e30';

/**
 * Parse `text` as a JSON object, strictly. Any failure (syntax, duplicate member, depth, size,
 * not an object) is `code`; the message never quotes the input.
 */
export function parseJsonObject(
  text: string,
  code: OpenMidErrorCode,
  maxLength = 262_144,
): Record<string, unknown> {
  if (typeof text !== 'string' || text.length > maxLength)
    throw new OpenMidError(code, 'The JSON text is missing or too large');
  try {
    return decodeCompactJws(`${EMPTY_HEADER}.${base64url.encode(text)}.AA`, maxLength * 2).payload;
  } catch (e) {
    const why = isOpenMidError(e, 'ERR_JOSE_JSON_DUPLICATE_MEMBER')
      ? 'The JSON text has a duplicate member'
      : 'The JSON text is not a valid JSON object';
    throw new OpenMidError(code, why, { cause: e });
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property test that no prototype member can satisfy. */
export function hasOwn(target: object, key: string): boolean {
  return Object.hasOwn(target, key);
}
