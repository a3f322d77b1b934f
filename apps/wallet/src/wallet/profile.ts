/**
 * @module wallet/profile
 * What the wallet takes from the Korean profile (`@openmid/profile-kr`): claim labels, value kinds
 * and PIPA sensitivity per credential type (which decides what is asked separately: the portrait
 * and the resident registration number), display masks (`maskRrn`, `maskLicenceNumber`), the
 * card colours, and the statutory-basis rule for resident numbers (PIPA art. 24-2) that the
 * consent screen applies to a party's registration.
 */
import {
  type ClaimDefinition,
  CREDENTIAL_TYPES,
  type CredentialType,
  type Labels,
  maskLicenceNumber,
  maskRrn,
  type Sensitivity,
} from '@openmid/profile-kr';
import type { ClaimPath, LegalBasisRule } from '@openmid/verifier';

const BY_VCT: ReadonlyMap<string, CredentialType> = new Map(
  CREDENTIAL_TYPES.flatMap((t) => [
    [t.vct, t],
    [t.name, t],
  ]),
);

/** The profile's credential type of `vctOrName`, if it is one. */
export function typeOf(vctOrName: string): CredentialType | undefined {
  return BY_VCT.get(vctOrName);
}

/** A claim of a type, by its top-level name. */
export function claimOf(vct: string, name: string): ClaimDefinition | undefined {
  return typeOf(vct)?.claims.find((c) => c.name === name);
}

/** What the consent screen needs to know about a requested claim path. */
export interface ClaimInfo {
  readonly labels: Labels;
  readonly sensitivity: Sensitivity;
  readonly definition?: ClaimDefinition;
}

/** Label and sensitivity of `path` in type `vct` (unknown claims are shown by their path). */
export function claimInfo(vct: string, path: ClaimPath): ClaimInfo {
  const name = typeof path[0] === 'string' ? path[0] : '';
  const def = claimOf(vct, name);
  if (def === undefined) {
    const text = path.map((p) => (p === null ? '*' : String(p))).join('.');
    return { labels: { ko: text, en: text }, sensitivity: 'ordinary' };
  }
  const member = def.members?.find((m) => m.name === path[1]);
  const labels =
    member === undefined
      ? def.labels
      : { ko: `${def.labels.ko} ${member.labels.ko}`, en: `${def.labels.en} ${member.labels.en}` };
  return { labels, sensitivity: def.sensitivity, definition: def };
}

/** True for the claims the wallet asks about separately (SECURITY.md "Presentation"). */
export function askedSeparately(sensitivity: Sensitivity): boolean {
  return sensitivity === 'biometric' || sensitivity === 'rrn';
}

/** The profile's rule: a claim with the `rrn` sensitivity needs a statute (PIPA art. 24-2). */
export const legalBasisRequired: LegalBasisRule = (vct: string, path: ClaimPath): boolean => {
  const name = path[0];
  return typeof name === 'string' && claimOf(vct, name)?.sensitivity === 'rrn';
};

/**
 * A claim value as the card shows it: resident and licence numbers masked, dates as they are,
 * lists joined, periods as "start ~ end", images and objects not as text.
 */
export function displayValue(
  vct: string,
  name: string,
  value: unknown,
  options: { readonly reveal?: boolean } = {},
): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (typeof value === 'string') {
    if (options.reveal !== true) {
      try {
        if (claimOf(vct, name)?.sensitivity === 'rrn') return maskRrn(value);
        if (name === 'licence_number') return maskLicenceNumber(value);
      } catch {
        return '••••••';
      }
    }
    if (value.startsWith('data:')) return '';
    return value;
  }
  // Members may be null-prototype objects (an mdoc's `driving_privileges`): never String() them.
  if (Array.isArray(value))
    return value
      .map((v) => (typeof v === 'object' && v !== null ? displayValue(vct, name, v) : String(v)))
      .join(', ');
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o['start'] === 'string' && typeof o['end'] === 'string')
      return `${o['start']} ~ ${o['end']}`;
    return Object.values(o)
      .filter((v) => typeof v === 'string')
      .join(' ');
  }
  return String(value);
}
