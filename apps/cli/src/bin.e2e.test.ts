/**
 * The real `openmid` executable (bin/openmid.js re-executing Node with the source condition):
 * `npm start`'s guided demo and the exit statuses of the contract.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../bin/openmid.js', import.meta.url));

function openmid(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('bin/openmid.js', () => {
  test('the guided demo issues, presents, verifies and sees the revocation', () => {
    const r = openmid(['demo']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('✔ valid');
    expect(r.stdout).toContain('refused: ERR_STATUS_REVOKED');
  });

  test('bad usage exits 2, --help exits 0', () => {
    expect(openmid(['no-such-command']).status).toBe(2);
    const help = openmid(['verify', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: openmid verify');
  });
});
