/**
 * @module paths
 * Claim paths on the command line: `name`, `aptitude_test_period.start`, `licence_classes.0`,
 * `licence_classes.*` (every element). They become SD-JWT VC claim paths (arrays of strings,
 * indices and null).
 */
import type { ClaimPath } from '@openmid/core/sd-jwt';
import { usageError } from './cli.js';

/** Parse one dotted claim path. */
export function parseClaimPath(text: string): ClaimPath {
  if (text.trim() === '') throw usageError('empty claim path');
  return text.split('.').map((segment) => {
    if (segment === '') throw usageError(`invalid claim path '${text}'`);
    if (segment === '*') return null;
    return /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment;
  });
}

/** Parse a comma-separated list of claim paths. */
export function parseClaimPaths(text: string): ClaimPath[] {
  return text.split(',').map((p) => parseClaimPath(p.trim()));
}
