import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';
import { afterEach, describe, expect, test } from 'vitest';
import { describeStores } from '../testing/stores.js';
import { openStore } from './open.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { storeError, withRetries } from './sql.js';

describeStores('SQL store', ({ sql, backend, reopen }) => {
  test('both backends return the same JavaScript types', async () => {
    const r = await sql().query<Record<string, unknown>>(
      `SELECT 1::int4 AS i4, 42::int8 AS i8, 9007199254740993::int8 AS big, count(*) AS cnt,
              1.50::numeric AS num, true AS b, '2024-01-02T03:04:05.678Z'::timestamptz AS ts,
              '1990-05-01'::date AS d, '{"a":[1,"x"]}'::jsonb AS j, '\\x0102'::bytea AS by,
              ARRAY['a','b'] AS arr, ARRAY[1,2]::int8[] AS arr8
         FROM (VALUES (1)) v`,
    );
    expect(r.rows[0]).toEqual({
      i4: 1,
      i8: 42,
      big: 9007199254740993n,
      cnt: 1,
      num: '1.50',
      b: true,
      ts: new Date('2024-01-02T03:04:05.678Z'),
      d: '1990-05-01',
      j: { a: [1, 'x'] },
      by: new Uint8Array([1, 2]),
      arr: ['a', 'b'],
      arr8: [1, 2],
    });
    expect(Object.getPrototypeOf(r.rows[0]?.['by'])).toBe(Uint8Array.prototype);
  });

  test('parameters of every supported kind round-trip', async () => {
    const r = await sql().query(
      'SELECT $1::jsonb AS j, $2::int8 AS n, $3::bytea AS by, $4::text[] AS ta, $5::timestamptz AS ts, $6::bool AS b',
      [
        JSON.stringify({ k: 'v' }),
        12n,
        new Uint8Array([9]),
        ['x', 'y'],
        new Date('2025-01-01T00:00:00Z'),
        false,
      ],
    );
    expect(r.rows[0]).toEqual({
      j: { k: 'v' },
      n: 12,
      by: new Uint8Array([9]),
      ta: ['x', 'y'],
      ts: new Date('2025-01-01T00:00:00Z'),
      b: false,
    });
  });

  test('rowCount counts changed rows', async () => {
    await sql().exec('CREATE TABLE rc (id int PRIMARY KEY); INSERT INTO rc VALUES (1), (2), (3)');
    expect((await sql().query('UPDATE rc SET id = id + 10 WHERE id < 3')).rowCount).toBe(2);
    expect((await sql().query('SELECT * FROM rc')).rowCount).toBe(3);
  });

  test('a bad value fails with a coded error that does not carry the value', async () => {
    const secret = '900101-1234567';
    const err = await sql()
      .query('SELECT $1::int AS n', [secret])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_STORE_QUERY_FAILED', details: { sqlState: '22P02' } });
    expect((err as Error).message).not.toContain(secret);
    expect(JSON.stringify(err)).not.toContain(secret);
  });

  test('a unique violation is ERR_STORE_CONFLICT naming the constraint, not the key', async () => {
    await sql().exec('CREATE TABLE uv (rrn text CONSTRAINT uv_rrn UNIQUE)');
    await sql().query('INSERT INTO uv VALUES ($1)', ['secret-key-value']);
    const err = await sql()
      .query('INSERT INTO uv VALUES ($1)', ['secret-key-value'])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ERR_STORE_CONFLICT',
      details: { sqlState: '23505', constraint: 'uv_rrn' },
    });
    expect(JSON.stringify(err)).not.toContain('secret-key-value');
  });

  test('a transaction commits when its callback resolves', async () => {
    await sql().exec('CREATE TABLE t_commit (v int)');
    const out = await sql().transaction(async (tx) => {
      await tx.query('INSERT INTO t_commit VALUES (1)');
      return 'done';
    });
    expect(out).toBe('done');
    expect((await sql().query('SELECT v FROM t_commit')).rows).toEqual([{ v: 1 }]);
  });

  test('a transaction rolls back and rethrows the caller error unchanged', async () => {
    await sql().exec('CREATE TABLE t_rollback (v int)');
    const mine = new TypeError('boom');
    await expect(
      sql().transaction(async (tx) => {
        await tx.query('INSERT INTO t_rollback VALUES (1)');
        throw mine;
      }),
    ).rejects.toBe(mine);
    expect((await sql().query('SELECT v FROM t_rollback')).rows).toEqual([]);
  });

  test('a swallowed failed statement makes the commit fail, and nothing is written', async () => {
    await sql().exec('CREATE TABLE t_aborted (v int)');
    await expect(
      sql().transaction(async (tx) => {
        await tx.query('INSERT INTO t_aborted VALUES (1)');
        await tx.query('SELECT 1/0').catch(() => undefined);
      }),
    ).rejects.toMatchObject({ code: 'ERR_STORE_QUERY_FAILED' });
    expect((await sql().query('SELECT v FROM t_aborted')).rows).toEqual([]);
  });

  test('using the store inside its own transaction fails instead of deadlocking', async () => {
    await expect(
      sql().transaction(async () => {
        await sql().query('SELECT 1');
      }),
    ).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    await expect(sql().transaction(() => sql().transaction(async () => 1))).rejects.toMatchObject({
      code: 'ERR_INTERNAL',
    });
    // The store is still usable afterwards.
    expect((await sql().query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
  });

  test('a transaction handle refuses use after its transaction ended', async () => {
    const leaked = await sql().transaction(async (tx) => tx);
    await expect(leaked.query('SELECT 1')).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
  });

  test('concurrent read-modify-write transactions lose no update (serializable + retries)', async () => {
    await sql().exec(
      'CREATE TABLE counter (id int PRIMARY KEY, n int); INSERT INTO counter VALUES (1, 0)',
    );
    const n = 12;
    await Promise.all(
      Array.from({ length: n }, () =>
        sql().transaction(
          async (tx) => {
            const r = await tx.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
            await new Promise((resolve) => setTimeout(resolve, 2));
            await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [(r.rows[0]?.n ?? 0) + 1]);
          },
          { isolation: 'serializable', retries: 20 },
        ),
      ),
    );
    expect((await sql().query('SELECT n FROM counter')).rows).toEqual([{ n }]);
  });

  test.runIf(backend === 'pg')(
    'a serialization failure is retried when asked, and reported as ERR_STORE_CONFLICT when not',
    async () => {
      await sql().exec(
        'CREATE TABLE ser (id int PRIMARY KEY, v int); INSERT INTO ser VALUES (1, 0)',
      );
      const other = await reopen();
      if (other === undefined) throw new Error('pg backend expected');
      // tx A reads, B commits a change to the same row, A then writes: 40001 in REPEATABLE READ.
      const run = (retries: number): Promise<number> => {
        let attempts = 0;
        return sql()
          .transaction(
            async (tx) => {
              attempts++;
              await tx.query('SELECT v FROM ser WHERE id = 1');
              if (attempts === 1) await other.query('UPDATE ser SET v = v + 1 WHERE id = 1');
              await tx.query('UPDATE ser SET v = v + 100 WHERE id = 1');
            },
            { isolation: 'repeatable read', retries },
          )
          .then(() => attempts);
      };
      await expect(run(0)).rejects.toMatchObject({
        code: 'ERR_STORE_CONFLICT',
        details: { sqlState: '40001', retryable: true },
      });
      expect(await run(1)).toBe(2);
    },
  );

  test('ping answers on a live store', async () => {
    await expect(sql().ping()).resolves.toBeUndefined();
  });
});

describe('withRetries', () => {
  const serialization = storeError(Object.assign(new Error('x'), { code: '40001' }));

  test('retries serialization failures up to the limit', async () => {
    let calls = 0;
    await expect(
      withRetries(2, async () => {
        calls++;
        throw serialization;
      }),
    ).rejects.toBe(serialization);
    expect(calls).toBe(3);
  });

  test('does not retry other failures', async () => {
    let calls = 0;
    const other = new OpenMidError('ERR_STORE_QUERY_FAILED');
    await expect(
      withRetries(5, async () => {
        calls++;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });

  test('rejects a silly retry count', async () => {
    await expect(withRetries(-1, async () => 1)).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
  });
});

describe('storeError', () => {
  test('classifies driver errors by SQLSTATE', () => {
    const e = (code?: string) => Object.assign(new Error('value 900101-1234567'), { code });
    expect(storeError(e()).code).toBe('ERR_STORE_UNAVAILABLE');
    expect(storeError(e('ECONNREFUSED')).code).toBe('ERR_STORE_UNAVAILABLE');
    expect(storeError(e('08006')).code).toBe('ERR_STORE_UNAVAILABLE');
    expect(storeError(e('57P01')).code).toBe('ERR_STORE_UNAVAILABLE');
    expect(storeError(e('40P01')).code).toBe('ERR_STORE_CONFLICT');
    expect(storeError(e('23505')).code).toBe('ERR_STORE_CONFLICT');
    expect(storeError(e('23503')).code).toBe('ERR_STORE_QUERY_FAILED');
    expect(storeError(e('42P01')).message).not.toContain('900101');
  });
});

describe('embedded store in a data folder', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'openmid-store-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('keeps committed data across a restart', async () => {
    const dataDir = tempDir();
    const a = await openStore({ dataDir });
    await a.exec('CREATE TABLE kept (v text)');
    await a.query('INSERT INTO kept VALUES ($1)', ['x']);
    await a.close();
    const b = await openStore({ dataDir });
    expect((await b.query('SELECT v FROM kept')).rows).toEqual([{ v: 'x' }]);
    await b.close();
  });

  test('refuses a second opener while the first lives, and frees the folder on close', async () => {
    const dataDir = join(tempDir(), 'db');
    const first = await openPglite({ dataDir });
    expect(readFileSync(`${dataDir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await expect(openPglite({ dataDir })).rejects.toMatchObject({
      code: 'ERR_STORE_LOCKED',
      details: { pid: process.pid },
    });
    await first.close();
    const again = await openPglite({ dataDir });
    await again.close();
  });

  test('takes over a stale lock left by a dead process', async () => {
    const dataDir = join(tempDir(), 'db');
    writeFileSync(`${dataDir}.lock`, '2147483646\n'); // no such pid
    const store = await openPglite({ dataDir });
    expect(readFileSync(`${dataDir}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await store.close();
  });

  test('a closed store refuses queries', async () => {
    const store = await openPglite();
    await store.close();
    await expect(store.query('SELECT 1')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
  });

  test('openStore without DATABASE_URL or DATA_DIR is a configuration error', async () => {
    await expect(openStore({})).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });
});

describe('PostgreSQL backend', () => {
  test('an unreachable server fails fast with ERR_STORE_UNAVAILABLE', async () => {
    await expect(
      openPostgres({ url: 'postgres://nobody@127.0.0.1:1/none', connectTimeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
  });
});
