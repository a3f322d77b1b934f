/**
 * The PostgreSQL half of describeStores must never be skipped silently in CI: run a store suite in
 * a child vitest against an unreachable server, with and without CI set.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const suite = 'packages/server-kit/src/testing/stores.test.ts';

function runSuite(extra: Record<string, string>): { status: number | null; output: string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('VITEST') && k !== 'CI' && k !== 'DATABASE_URL')
      env[k] = v;
  }
  const r = spawnSync(
    process.execPath,
    [
      fileURLToPath(new URL('node_modules/vitest/vitest.mjs', `file://${root}`)),
      'run',
      '--project',
      'unit',
      suite,
    ],
    { cwd: root, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const UNREACHABLE = 'postgres://nobody@127.0.0.1:1/postgres';

test('with CI set, an unreachable PostgreSQL fails the suite', () => {
  const r = runSuite({ CI: 'true', DATABASE_URL: UNREACHABLE });
  expect(r.status).not.toBe(0);
  expect(r.output).toContain('PostgreSQL is unreachable');
});

test('without CI, the PostgreSQL half is skipped and the PGlite half passes', () => {
  const r = runSuite({ DATABASE_URL: UNREACHABLE });
  expect(r.status, r.output).toBe(0);
  expect(r.output).toMatch(/2 passed/);
  expect(r.output).toMatch(/2 skipped/);
});

test('with PostgreSQL reachable, both halves run and the test database is dropped', async () => {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  try {
    await admin.connect();
  } catch {
    return; // no local PostgreSQL: covered by the two tests above
  }
  const count = async () =>
    Number(
      (
        await admin.query(
          "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'openmid_test_%'",
        )
      ).rows[0].n,
    );
  try {
    const before = await count();
    const r = runSuite({});
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/4 passed/);
    expect(await count()).toBe(before);
  } finally {
    await admin.end();
  }
});
