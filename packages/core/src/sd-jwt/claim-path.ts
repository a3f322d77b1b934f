/**
 * @module sd-jwt/claim-path
 * Claim paths: a non-empty array of member names, non-negative array indices and `null` (all
 * elements), processed left to right over a JSON value.
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Claim Path"; OpenID4VP 1.0 §7 (the same claims path pointer)
 */
import { hasOwn, isJsonObject } from '../internal/json.js';
import type { ClaimPath } from './types.js';

/** A claim selected by a path, with the concrete path (no `null`) that reaches it. */
export interface SelectedClaim {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

/** True for a well-formed claim path: non-empty; strings, non-negative integers or `null`. */
export function isClaimPath(value: unknown): value is ClaimPath {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const c of value) {
    if (c === null || typeof c === 'string') continue;
    if (typeof c === 'number' && Number.isSafeInteger(c) && c >= 0) continue;
    return false;
  }
  return true;
}

/**
 * Select the claims a path points to. Returns `undefined` when processing aborts: a component
 * does not fit the kind of a selected element, or nothing is selected at the end.
 *
 * @example
 * ```ts
 * selectClaims({ degrees: [{ type: 'BSc' }, { type: 'MSc' }] }, ['degrees', null, 'type'])
 * // → [{ path: ['degrees', 0, 'type'], value: 'BSc' }, { path: ['degrees', 1, 'type'], value: 'MSc' }]
 * ```
 * @see draft-ietf-oauth-sd-jwt-vc "Claim Path" (processing steps 1 to 3)
 */
export function selectClaims(root: unknown, path: ClaimPath): SelectedClaim[] | undefined {
  let selected: SelectedClaim[] = [{ path: [], value: root }];
  for (const component of path) {
    const next: SelectedClaim[] = [];
    for (const { path: at, value } of selected) {
      if (typeof component === 'string') {
        if (!isJsonObject(value)) return undefined;
        if (hasOwn(value, component))
          next.push({ path: [...at, component], value: value[component] });
      } else {
        if (!Array.isArray(value)) return undefined;
        if (component === null) {
          for (let i = 0; i < value.length; i++)
            next.push({ path: [...at, i], value: value[i] as unknown });
        } else if (component < value.length) {
          next.push({ path: [...at, component], value: value[component] as unknown });
        }
      }
    }
    selected = next;
  }
  return selected.length === 0 ? undefined : selected;
}

/** True when `prefix` is a (not necessarily proper) prefix of `path`. */
export function isPathPrefix(
  prefix: readonly (string | number)[],
  path: readonly (string | number)[],
): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}
