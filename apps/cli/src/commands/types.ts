/**
 * @module commands/types
 * `openmid types [--json]`: the credential types of the Korean profile, their claims and an
 * example claims object (a synthetic citizen) that `openmid issue` accepts for each type.
 */
import { CREDENTIAL_TYPES } from '@openmid/profile-kr';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import type { Command } from '../cli.js';

/** The JSON description of every type (the `types --json` contract). */
export function describeTypes(issuedAt: Date = new Date()): unknown[] {
  return CREDENTIAL_TYPES.map((type, i) => ({
    name: type.name,
    vct: type.vct,
    labels: type.labels,
    validity_years: type.validityYears,
    claims: type.claims.map((c) => ({
      name: c.name,
      path: c.path,
      type: c.type,
      required: c.required,
      selectively_disclosable: c.selectivelyDisclosable,
      derived: c.derived === true,
      sensitivity: c.sensitivity,
      labels: c.labels,
    })),
    example: claimsFor(type.name, citizenAt('openmid-example', i), { issuedAt }),
  }));
}

export const types: Command = {
  name: 'types',
  summary: 'List the credential types of the Korean profile and their claims.',
  usage: 'types [--json]',
  options: { json: { type: 'boolean', default: false } },
  async run({ values, io }) {
    if (values['json'] === true) {
      io.stdout(`${JSON.stringify(describeTypes(), null, 2)}\n`);
      return 0;
    }
    for (const type of CREDENTIAL_TYPES) {
      io.stdout(
        `${type.name.padEnd(16)} ${type.labels.ko} / ${type.labels.en}\n  vct ${type.vct}\n`,
      );
      for (const c of type.claims) {
        const flags = [
          c.required ? 'required' : 'optional',
          c.selectivelyDisclosable ? 'disclosable' : 'always shown',
        ];
        if (c.derived) flags.push('derived');
        io.stdout(
          `    ${c.name.padEnd(22)} ${c.type.padEnd(12)} ${flags.join(', ').padEnd(34)} ${c.labels.ko}\n`,
        );
      }
    }
    return 0;
  },
};
