/**
 * @module store/postgres
 * The production backend: a real PostgreSQL through a `pg` Pool (DATABASE_URL). Each transaction
 * takes a dedicated client and runs BEGIN … COMMIT / ROLLBACK on it; serialization failures
 * (40001) and deadlocks (40P01) are retried when the caller asks for it.
 */
import { OpenMidError } from '@openmid/core/errors';
import pg from 'pg';
import {
  abortedError,
  isolationSql,
  parseInt8,
  type Sql,
  type SqlParam,
  type SqlQueryable,
  type SqlResult,
  type SqlTx,
  scopedTx,
  storeError,
  transactionGuard,
  withRetries,
} from './sql.js';

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** `postgres://user:password@host:port/database`; a secret: never logged. */
  readonly url: string;
  /** Pool size; default 10. */
  readonly max?: number;
  /** Time allowed to obtain a connection; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Told about errors on idle pooled connections (already coded; log them). */
  readonly onError?: (error: OpenMidError) => void;
}

const parserOf = pg.types.getTypeParser as (
  oid: number,
  format?: string,
) => (text: string) => unknown;
const textArray = parserOf(1009) as (text: string) => (string | null)[];
const identity = (text: string): string => text;

/**
 * Type parsers that make `pg` return what PGlite returns (see {@link SqlQueryable.query}): int8 as
 * number-or-bigint rather than string, bytea as a plain Uint8Array rather than a Buffer, date and
 * timestamp as PostgreSQL's text rather than a local-time Date.
 */
const OVERRIDES: Record<number, (text: string) => unknown> = {
  20: parseInt8,
  1016: (text) => textArray(text).map((v) => (v === null ? null : parseInt8(v))),
  17: (text) => {
    const buf = parserOf(17)(text) as Buffer;
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  },
  1082: identity,
  1114: identity,
  1182: textArray,
  1115: textArray,
};

const types = {
  getTypeParser: ((oid: number, format?: string) =>
    OVERRIDES[oid] ?? parserOf(oid, format)) as typeof pg.types.getTypeParser,
};

interface PgRunner {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

function queryable(runner: PgRunner): SqlQueryable {
  return {
    dialect: 'postgresql',
    async query<T extends object>(text: string, params?: readonly SqlParam[]) {
      try {
        const r = await runner.query(text, params === undefined ? [] : [...params]);
        return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length } as SqlResult<T>;
      } catch (e) {
        throw storeError(e);
      }
    },
    async exec(text: string) {
      try {
        await runner.query(text); // no values: simple protocol, several statements allowed
      } catch (e) {
        throw storeError(e);
      }
    },
  };
}

/**
 * Open a PostgreSQL store and check that it answers (fail fast at start-up: ERR_STORE_UNAVAILABLE).
 *
 * @example
 * ```ts
 * const sql = await openPostgres({ url: config.DATABASE_URL })
 * ```
 */
export async function openPostgres(options: PostgresOptions): Promise<Sql> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'openmid',
    types,
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', (e) => options.onError?.(storeError(e)));
  const guard = transactionGuard();
  const top = queryable(pool);
  let closed = false;
  const live = (): void => {
    if (closed) throw new OpenMidError('ERR_STORE_UNAVAILABLE', 'The store is closed');
    guard.assertOutside();
  };

  async function attempt<T>(fn: (tx: SqlTx) => Promise<T>, isolation: string): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw storeError(e);
    }
    const scoped = scopedTx(queryable(client));
    let destroy = false;
    try {
      await scoped.tx.exec(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await guard.run(() => fn(scoped.tx));
      let commit: pg.QueryResult;
      try {
        commit = await client.query('COMMIT');
      } catch (e) {
        throw storeError(e);
      }
      // COMMIT of an aborted transaction answers ROLLBACK without an error (PostgreSQL COMMIT docs).
      if (commit.command === 'ROLLBACK') throw abortedError();
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        destroy = true; // the connection is broken: do not give it back to the pool
      }
      throw e;
    } finally {
      scoped.end();
      client.release(destroy);
    }
  }

  const sql: Sql = {
    dialect: 'postgresql',
    backend: 'pg',
    async query(text, params) {
      live();
      return top.query(text, params);
    },
    async exec(text) {
      live();
      return top.exec(text);
    },
    async transaction(fn, txOptions) {
      live();
      const isolation = isolationSql(txOptions?.isolation);
      return withRetries(txOptions?.retries ?? 0, () => attempt(fn, isolation));
    },
    async ping() {
      live();
      await top.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  try {
    await sql.ping();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  return sql;
}
