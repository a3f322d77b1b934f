/**
 * @module store/pglite
 * The embedded backend: PGlite (PostgreSQL compiled to WebAssembly, single-user mode) in a data
 * folder, or in memory for tests. Zero set-up; the same SQL as the PostgreSQL backend.
 *
 * Concurrency: PGlite holds a transaction mutex for the whole `transaction()` callback and every
 * top-level query waits on the same mutex, so concurrent transactions never interleave statements;
 * they run one after the other (effectively SERIALIZABLE). That is also why the store refuses to
 * be called from inside its own transaction (it would wait for itself).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite, type Transaction, TransactionAbortedError } from '@electric-sql/pglite';
import { OpenMidError } from '@openmid/core/errors';
import { acquireLock } from './lock.js';
import {
  abortedError,
  isolationSql,
  type Sql,
  type SqlParam,
  type SqlQueryable,
  type SqlResult,
  scopedTx,
  storeError,
  transactionGuard,
  withRetries,
} from './sql.js';

/** Options of {@link openPglite}. */
export interface PgliteOptions {
  /** The data folder; omit for an in-memory database (tests). */
  readonly dataDir?: string;
}

const identity = (text: string): string => text;

/**
 * Type parsers that make PGlite return what the `pg` backend returns: PostgreSQL's own text for
 * `date` (1082) and `timestamp` (1114), never a Date shifted by the local time zone. int8 already
 * parses as number-or-bigint in PGlite; the pg backend copies that rule.
 */
const PARSERS = { 1082: identity, 1114: identity };

type PgliteRunner = Pick<Transaction, 'query' | 'exec'>;

function queryable(runner: PgliteRunner): SqlQueryable {
  return {
    dialect: 'postgresql',
    async query<T extends object>(text: string, params?: readonly SqlParam[]) {
      try {
        const r = await runner.query<T>(text, params === undefined ? [] : [...params]);
        return { rows: r.rows, rowCount: r.affectedRows || r.rows.length } as SqlResult<T>;
      } catch (e) {
        throw storeError(e);
      }
    },
    async exec(text: string) {
      try {
        await runner.exec(text);
      } catch (e) {
        throw storeError(e);
      }
    },
  };
}

/**
 * Open (and create if needed) an embedded PGlite store. A data folder is locked against a second
 * process (ERR_STORE_LOCKED) and created with mode 0700.
 *
 * @example
 * ```ts
 * const sql = await openPglite({ dataDir: './data/pglite' })
 * ```
 */
export async function openPglite(options: PgliteOptions = {}): Promise<Sql> {
  const { dataDir } = options;
  let release: (() => void) | undefined;
  if (dataDir !== undefined) {
    mkdirSync(dirname(dataDir), { recursive: true, mode: 0o700 });
    release = acquireLock(`${dataDir}.lock`);
  }
  let db: PGlite;
  try {
    db = new PGlite(dataDir === undefined ? { parsers: PARSERS } : { dataDir, parsers: PARSERS });
    await db.waitReady;
  } catch (e) {
    release?.();
    throw new OpenMidError('ERR_STORE_UNAVAILABLE', 'The embedded database failed to start', {
      cause: e,
    });
  }
  const guard = transactionGuard();
  const top = queryable(db);
  let closed = false;
  const live = (): void => {
    if (closed) throw new OpenMidError('ERR_STORE_UNAVAILABLE', 'The store is closed');
    guard.assertOutside();
  };
  return {
    dialect: 'postgresql',
    backend: 'pglite',
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
      return withRetries(txOptions?.retries ?? 0, async () => {
        let thrown: { e: unknown } | undefined;
        try {
          return await db.transaction((ptx) => {
            const scoped = scopedTx(queryable(ptx));
            return guard.run(async () => {
              try {
                await scoped.tx.exec(`SET TRANSACTION ISOLATION LEVEL ${isolation}`);
                return await fn(scoped.tx);
              } catch (e) {
                thrown = { e };
                throw e;
              } finally {
                scoped.end();
              }
            });
          });
        } catch (e) {
          if (thrown !== undefined && e === thrown.e) throw e; // the caller's own error, unchanged
          if (e instanceof TransactionAbortedError) throw abortedError(e);
          throw storeError(e);
        }
      });
    },
    async ping() {
      live();
      await top.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        release?.();
      }
    },
  };
}
