import { expect, test } from 'vitest';
import { describeStores } from './stores.js';

describeStores(
  'describeStores',
  ({ sql, backend, reopen }) => {
    test('hands each backend a fresh, migrated database', async () => {
      expect(sql().backend).toBe(backend);
      const r = await sql().query<{ n: number }>('SELECT count(*) AS n FROM fixture');
      expect(r.rows).toEqual([{ n: 0 }]);
    });

    test('reopen gives another connection to the same database on PostgreSQL only', async () => {
      const other = await reopen();
      if (backend === 'pglite') {
        expect(other).toBeUndefined();
        return;
      }
      if (other === undefined) throw new Error('pg: a second store was expected');
      await sql().query('INSERT INTO fixture VALUES (1)');
      expect((await other.query('SELECT count(*) AS n FROM fixture')).rows).toEqual([{ n: 1 }]);
      const db = await sql().query<{ d: string }>('SELECT current_database() AS d');
      expect(db.rows[0]?.d).toMatch(/^openmid_test_[0-9a-f]{16}$/);
    });
  },
  { migrations: [{ id: 'fixture/001', sql: 'CREATE TABLE fixture (v int)' }] },
);
