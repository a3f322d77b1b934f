/**
 * @module sd-jwt/frame
 * Building a {@link DisclosureFrame} from claim paths, so a credential type can say "these claims
 * are selectively disclosable" in the same path form its type metadata and DCQL queries use.
 */
import { OpenMidError } from '../errors/error.js';
import { defineOwn, hasOwn } from '../internal/json.js';
import { isClaimPath, selectClaims } from './claim-path.js';
import type { ClaimPath, DisclosureFrame } from './types.js';

interface MutableFrame {
  _sd?: (string | number)[];
  [member: string]: MutableFrame | (string | number)[] | number | undefined;
}

function child(frame: MutableFrame, key: string): MutableFrame {
  if (hasOwn(frame, key)) return frame[key] as MutableFrame;
  const created: MutableFrame = {};
  defineOwn(frame as Record<string, unknown>, key, created);
  return created;
}

/**
 * Build a disclosure frame from claim paths. The last component of each path becomes disclosable;
 * earlier components become nested frames. Listing both `['address']` and
 * `['address', 'street_address']` gives a recursive disclosure (RFC 9901 §4.2.6).
 *
 * Without `claims`, paths must be concrete (no `null`). With `claims`, `null` expands to every
 * element present, and paths the claims do not contain are skipped, so one list of paths per
 * credential type serves credentials whose optional claims are absent.
 *
 * @example
 * ```ts
 * frameFromPaths([['address', 'street'], ['nationalities', 0]])
 * // → { address: { _sd: ['street'] }, nationalities: { _sd: [0] } }
 * ```
 */
export function frameFromPaths(
  paths: readonly ClaimPath[],
  claims?: Readonly<Record<string, unknown>>,
): DisclosureFrame {
  const root: MutableFrame = {};
  for (const path of paths) {
    if (!isClaimPath(path))
      throw new OpenMidError('ERR_SDJWT_FRAME_INVALID', 'A claim path is malformed');
    let concrete: (readonly (string | number)[])[];
    if (claims === undefined) {
      if (path.includes(null))
        throw new OpenMidError(
          'ERR_SDJWT_FRAME_INVALID',
          'A claim path with null needs the claims to expand it',
        );
      concrete = [path as readonly (string | number)[]];
    } else {
      concrete = (selectClaims(claims, path) ?? []).map((s) => s.path);
    }
    for (const p of concrete) {
      let frame = root;
      for (let i = 0; i < p.length - 1; i++) frame = child(frame, String(p[i]));
      const last = p[p.length - 1] as string | number;
      const sd = frame._sd ?? [];
      if (!sd.includes(last)) sd.push(last);
      frame._sd = sd;
    }
  }
  return root;
}
