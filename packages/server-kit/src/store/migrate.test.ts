import { expect, test } from 'vitest';
import { describeStores } from '../testing/stores.js';
import { type Migration, migrate, pendingMigrations } from './migrate.js';

const m1: Migration = { id: 'test/001-people', sql: 'CREATE TABLE people (id int PRIMARY KEY)' };
const m2: Migration = {
  id: 'test/002-runs',
  // Not idempotent on purpose: running it twice would fail on the CREATE and double the INSERT.
  sql: 'CREATE TABLE runs (n int); INSERT INTO runs VALUES (1);',
};

describeStores('migrations', ({ sql, backend, reopen }) => {
  test('apply in order, and a second run is a no-op', async () => {
    expect(await pendingMigrations(sql(), [m1, m2])).toEqual([m1.id, m2.id]);
    expect(await migrate(sql(), [m1, m2])).toEqual({ applied: [m1.id, m2.id] });
    expect(await migrate(sql(), [m1, m2])).toEqual({ applied: [] });
    expect(await pendingMigrations(sql(), [m1, m2])).toEqual([]);
    expect((await sql().query('SELECT count(*) AS n FROM runs')).rows).toEqual([{ n: 1 }]);
  });

  test('a new migration at the end is applied alone', async () => {
    const m3: Migration = { id: 'test/003-more', sql: 'ALTER TABLE people ADD COLUMN x int' };
    expect(await pendingMigrations(sql(), [m1, m2, m3])).toEqual([m3.id]);
    expect(await migrate(sql(), [m1, m2, m3])).toEqual({ applied: [m3.id] });
  });

  test('a failing migration leaves no trace and is reported with its id', async () => {
    const bad: Migration = {
      id: 'test/004-bad',
      sql: 'CREATE TABLE half (v int); SELECT * FROM no_such_table;',
    };
    const all = [m1, m2, { id: 'test/003-more', sql: 'ALTER TABLE people ADD COLUMN x int' }];
    await expect(migrate(sql(), [...all, bad])).rejects.toMatchObject({
      code: 'ERR_STORE_MIGRATION_FAILED',
      details: { id: bad.id, sqlState: '42P01' },
    });
    const t = await sql().query<{ t: string | null }>("SELECT to_regclass('half')::text AS t");
    expect(t.rows[0]?.t).toBeNull();
    expect(await pendingMigrations(sql(), [...all, bad])).toEqual([bad.id]);
  });

  test('an edited, reordered or unknown migration is refused', async () => {
    const m3 = { id: 'test/003-more', sql: 'ALTER TABLE people ADD COLUMN x int' };
    await expect(
      migrate(sql(), [{ ...m1, sql: `${m1.sql} -- edited` }, m2, m3]),
    ).rejects.toMatchObject({ code: 'ERR_STORE_MIGRATION_FAILED', details: { id: m1.id } });
    await expect(migrate(sql(), [m2, m1, m3])).rejects.toMatchObject({
      code: 'ERR_STORE_MIGRATION_FAILED',
    });
    // The database knows test/003-more; this version does not.
    await expect(migrate(sql(), [m1, m2])).rejects.toMatchObject({
      code: 'ERR_STORE_MIGRATION_FAILED',
      details: { id: m3.id },
    });
  });

  test('duplicate or malformed ids are refused before touching the database', async () => {
    await expect(migrate(sql(), [m1, m1])).rejects.toMatchObject({
      code: 'ERR_STORE_MIGRATION_FAILED',
    });
    await expect(migrate(sql(), [{ id: '../x y', sql: 'SELECT 1' }])).rejects.toMatchObject({
      code: 'ERR_STORE_MIGRATION_FAILED',
    });
  });

  test.runIf(backend === 'pg')(
    'two processes migrating at once apply each migration exactly once',
    async () => {
      const list: Migration[] = Array.from({ length: 6 }, (_, i) => ({
        id: `race/${String(i).padStart(3, '0')}`,
        sql: `CREATE TABLE race_${i} (v int); INSERT INTO race_${i} VALUES (${i});`,
      }));
      const base = [m1, m2, { id: 'test/003-more', sql: 'ALTER TABLE people ADD COLUMN x int' }];
      const others = await Promise.all([reopen(), reopen(), reopen()]);
      const stores = [sql(), ...others.map((s) => s ?? sql())];
      const results = await Promise.all(stores.map((s) => migrate(s, [...base, ...list])));
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(list.map((m) => m.id));
      for (let i = 0; i < list.length; i++) {
        const r = await sql().query(`SELECT count(*) AS n FROM race_${i}`);
        expect(r.rows).toEqual([{ n: 1 }]);
      }
    },
  );
});
