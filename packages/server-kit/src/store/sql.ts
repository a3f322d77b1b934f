/**
 * @module store/sql
 * The one SQL interface every OpenMID service uses, PostgreSQL dialect only, with two backends:
 * embedded PGlite (a data folder, zero set-up) and a real PostgreSQL through `pg` (DESIGN.md §4).
 * The same SQL text runs on both; result values are normalised so that both backends return the
 * same JavaScript types.
 *
 * Driver errors never leave this layer raw: PostgreSQL error messages and PGlite errors carry
 * input values (`invalid input syntax for type integer: "…"`, the query parameters, the key of
 * a unique violation), so every failure becomes an {@link OpenMidError} whose message and details
 * hold only the SQLSTATE and schema names; the driver error stays in `cause`, which is never logged
 * or sent to a client.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { OpenMidError } from '@openmid/core/errors';

/**
 * A query parameter. JSON goes in as a string with an explicit cast (`$1::jsonb`): the two drivers
 * serialise JS objects and arrays differently, strings identically.
 */
export type SqlParam =
  | string
  | number
  | bigint
  | boolean
  | null
  | Date
  | Uint8Array
  | readonly string[]
  | readonly number[];

/** The rows of one statement. */
export interface SqlResult<T> {
  readonly rows: T[];
  /** Rows returned (SELECT) or changed (INSERT, UPDATE, DELETE) by the statement. */
  readonly rowCount: number;
}

/** What both a store and a transaction can do. */
export interface SqlQueryable {
  /** Always `'postgresql'`: one dialect, two engines. */
  readonly dialect: 'postgresql';
  /**
   * Run ONE statement with `$1…$n` parameters (extended protocol).
   *
   * Value mapping, identical on both backends: int2/int4/float → number; int8 → number when it is
   * a safe integer, else bigint (cast to text where exactness matters); numeric → string;
   * timestamptz → Date; date and timestamp (without zone) → string as PostgreSQL prints them;
   * json/jsonb → parsed value; bytea → Uint8Array; arrays → arrays of the above.
   */
  query<T extends object = Record<string, unknown>>(
    text: string,
    params?: readonly SqlParam[],
  ): Promise<SqlResult<T>>;
  /** Run a script of several statements without parameters (simple protocol), e.g. a migration. */
  exec(text: string): Promise<void>;
}

/**
 * A transaction handle, valid only inside the `transaction` callback that received it. The
 * `transactional` brand lets APIs demand one (the audit log only appends inside the caller's
 * transaction).
 */
export interface SqlTx extends SqlQueryable {
  readonly transactional: true;
}

/** Transaction isolation levels (PostgreSQL §13.2). */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Options of {@link Sql.transaction}. */
export interface TransactionOptions {
  /** Default `'read committed'`, PostgreSQL's default. */
  readonly isolation?: IsolationLevel;
  /**
   * Extra attempts after a serialization failure or deadlock (SQLSTATE 40001 / 40P01); default 0.
   * The callback then runs again from the start, so it must have no effect outside the database.
   */
  readonly retries?: number;
}

/** The backend behind a {@link Sql} store. */
export type SqlBackend = 'pglite' | 'pg';

/** A SQL store: a PGlite instance or a PostgreSQL pool. */
export interface Sql extends SqlQueryable {
  readonly backend: SqlBackend;
  /**
   * Run `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (and rethrow).
   * Inside `fn` use only `tx`: calling the store itself (or opening a nested transaction) would
   * wait for this very transaction on PGlite, so it throws ERR_INTERNAL on both backends instead
   * of deadlocking on one.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Readiness probe: one round trip (`SELECT 1`); throws ERR_STORE_UNAVAILABLE. */
  ping(): Promise<void>;
  /** Close the store (pool or embedded database); idempotent. */
  close(): Promise<void>;
}

/** SQLSTATEs that mean "retry the whole transaction" (PostgreSQL Appendix A, class 40). */
const RETRYABLE = new Set(['40001', '40P01']);
/** SQLSTATEs reported as a conflict with existing data: unique and exclusion violations. */
const CONFLICT = new Set(['23505', '23P01']);

function field(e: unknown, name: string): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const v = (e as Record<string, unknown>)[name];
  return typeof v === 'string' && v.length <= 128 ? v : undefined;
}

/** The five-character SQLSTATE of a driver error, or undefined when it carries none. */
export function sqlState(e: unknown): string | undefined {
  const code = field(e, 'code');
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when `e` is a serialization failure or deadlock: the transaction may be retried. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof OpenMidError) return e.details?.['retryable'] === true;
  const state = sqlState(e);
  return state !== undefined && RETRYABLE.has(state);
}

/**
 * Turn a driver error into a coded {@link OpenMidError} that is safe to log: SQLSTATE and schema
 * names (constraint, table, column) only; the driver error, whose message and fields may hold
 * values, is kept as `cause`. OpenMID errors pass through unchanged.
 */
export function storeError(e: unknown): OpenMidError {
  if (e instanceof OpenMidError) return e;
  const state = sqlState(e);
  if (state === undefined) {
    // No SQLSTATE: socket errors, pool timeouts, a terminated connection.
    return new OpenMidError('ERR_STORE_UNAVAILABLE', 'Database unavailable', { cause: e });
  }
  const details: Record<string, unknown> = { sqlState: state };
  for (const name of ['constraint', 'table', 'column'] as const) {
    const v = field(e, name);
    if (v !== undefined) details[name] = v;
  }
  if (RETRYABLE.has(state)) {
    details['retryable'] = true;
    return new OpenMidError('ERR_STORE_CONFLICT', 'Concurrent transaction conflict', {
      cause: e,
      details,
    });
  }
  if (CONFLICT.has(state)) {
    return new OpenMidError('ERR_STORE_CONFLICT', 'Conflicts with existing data', {
      cause: e,
      details,
    });
  }
  // Class 08 connection exception, 57P0x operator intervention / shutdown, 53 insufficient resources.
  if (state.startsWith('08') || state.startsWith('57P') || state.startsWith('53')) {
    return new OpenMidError('ERR_STORE_UNAVAILABLE', 'Database unavailable', {
      cause: e,
      details,
    });
  }
  return new OpenMidError('ERR_STORE_QUERY_FAILED', `SQL statement failed (${state})`, {
    cause: e,
    details,
  });
}

/** The isolation clause for BEGIN / SET TRANSACTION, from a closed list (never interpolated input). */
export function isolationSql(level: IsolationLevel | undefined): string {
  switch (level ?? 'read committed') {
    case 'read committed':
      return 'READ COMMITTED';
    case 'repeatable read':
      return 'REPEATABLE READ';
    case 'serializable':
      return 'SERIALIZABLE';
    default:
      throw new OpenMidError('ERR_INPUT_INVALID', 'Unknown isolation level');
  }
}

/**
 * Run `attempt` and retry it on serialization failures, up to `retries` extra times, with a short
 * randomised back-off so that the racing transactions do not collide again in lock-step.
 */
export async function withRetries<T>(retries: number, attempt: () => Promise<T>): Promise<T> {
  if (!Number.isInteger(retries) || retries < 0 || retries > 20) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'retries must be an integer in 0..20');
  }
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (n >= retries || !isRetryable(e)) throw e;
      const delay = Math.random() * 10 * 2 ** Math.min(n, 5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Marks the asynchronous context of a running transaction, per store, so that a call to the
 * store from inside its own transaction fails loudly instead of deadlocking (PGlite serialises
 * everything behind the open transaction).
 */
export function transactionGuard(): {
  run<T>(fn: () => Promise<T>): Promise<T>;
  assertOutside(): void;
} {
  const als = new AsyncLocalStorage<true>();
  return {
    run: (fn) => als.run(true, fn),
    assertOutside() {
      if (als.getStore() === true) {
        throw new OpenMidError(
          'ERR_INTERNAL',
          'The store was used inside one of its own transactions: use the tx handle',
        );
      }
    },
  };
}

/** A transaction handle that refuses use once its transaction has ended (a leaked `tx`). */
export function scopedTx(inner: SqlQueryable): { tx: SqlTx; end(): void } {
  let open = true;
  const check = (): void => {
    if (!open) {
      throw new OpenMidError('ERR_INTERNAL', 'Transaction handle used after its transaction ended');
    }
  };
  const tx: SqlTx = {
    dialect: 'postgresql',
    transactional: true,
    async query(text, params) {
      check();
      return inner.query(text, params);
    },
    async exec(text) {
      check();
      return inner.exec(text);
    },
  };
  return {
    tx,
    end() {
      open = false;
    },
  };
}

/** int8 as PGlite parses it: a number when safe, else a bigint. */
export function parseInt8(text: string): number | bigint {
  const n = BigInt(text);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : n;
}

/**
 * COMMIT found the transaction aborted (a statement failed and the callback swallowed the error):
 * PostgreSQL answers COMMIT with ROLLBACK, so nothing was written. Reported, never silently passed.
 */
export function abortedError(cause?: unknown): OpenMidError {
  return new OpenMidError(
    'ERR_STORE_QUERY_FAILED',
    'The transaction was aborted by a failed statement and rolled back',
    { cause, details: { sqlState: '25P02' } },
  );
}
