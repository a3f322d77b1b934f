/**
 * `openmid start` hands each service an environment; the services validate theirs strictly (an
 * unknown ISSUER_* variable is a start-up failure). This checks the two agree, without starting
 * anything: a variable added on one side only fails here, not in a newcomer's `npm start`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadIssuerConfig } from '../../../issuer/src/config.js';
import { loadLedgerConfig } from '../../../ledger/src/config.js';
import { loadPortalConfig } from '../../../portal/src/config.js';
import { loadVerifierConfig } from '../../../verifier/src/config.js';
import { type Dirs, environment, SERVICES, type Urls } from './start.js';

const loaders: Record<string, (env: Record<string, string>) => unknown> = {
  ledger: loadLedgerConfig,
  issuer: loadIssuerConfig,
  verifier: loadVerifierConfig,
  portal: loadPortalConfig,
};

function setting(withLedgerKey: boolean) {
  const root = mkdtempSync(join(tmpdir(), 'openmid-start-'));
  const names = SERVICES.map((s) => s.name);
  const urls = Object.fromEntries(names.map((n, i) => [n, `http://localhost:${7100 + i}`])) as Urls;
  const dirs = Object.fromEntries(names.map((n) => [n, join(root, n)])) as Dirs;
  const ports = Object.fromEntries(names.map((n, i) => [n, 7100 + i]));
  if (withLedgerKey) {
    mkdirSync(dirs.ledger, { recursive: true });
    writeFileSync(join(dirs.ledger, 'log-key.jwk'), '{}');
  }
  return { urls, dirs, ports };
}

describe('openmid start → service configuration', () => {
  for (const withLedgerKey of [true, false]) {
    test(`every service accepts the environment start gives it (ledger key ${withLedgerKey ? 'present' : 'absent'})`, () => {
      const { urls, dirs, ports } = setting(withLedgerKey);
      for (const spec of SERVICES) {
        const load = loaders[spec.name];
        if (load === undefined) continue; // the wallet server reads PORT and URLs only
        const env = {
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          ...environment(spec, urls, dirs, ports),
        };
        expect(() => load(env), spec.name).not.toThrow();
      }
    });
  }

  test('the issuer prints its demo offer QR in the terminal (issue 3: npm start shows one)', () => {
    const { urls, dirs, ports } = setting(true);
    const issuer = SERVICES.find((s) => s.name === 'issuer');
    if (issuer === undefined) throw new Error('no issuer in SERVICES');
    const config = loadIssuerConfig({
      NODE_ENV: 'development',
      ...environment(issuer, urls, dirs, ports),
    }) as { ISSUER_PRINT_DEMO_OFFER: boolean };
    expect(config.ISSUER_PRINT_DEMO_OFFER).toBe(true);
  });
});
