/**
 * @module store/migrate
 * Schema migrations: an ordered list of `{ id, sql }`, recorded in `schema_migrations` with a
 * checksum of their SQL. Each migration runs in its own transaction together with its record, so a
 * crash leaves it either fully applied or not at all. Running the list again is a no-op.
 *
 * Two processes starting at once on PostgreSQL: every migration transaction first takes the same
 * transaction-scoped advisory lock (PostgreSQL §13.3.5) and then re-reads what is applied, so the
 * second process waits, sees the migration done and skips it. On PGlite transactions are already
 * serialised; the same SQL runs.
 *
 * Rules (checked, ERR_STORE_MIGRATION_FAILED): ids are unique; the applied migrations must be a
 * prefix of the list, in order, with unchanged SQL (an edited migration is an error, never
 * silently re-run); a database holding migrations this version does not know is refused. Migration
 * SQL must be transactional (no CREATE INDEX CONCURRENTLY).
 */
import { createHash } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import type { Sql, SqlTx } from './sql.js';

/** One schema change. `id` is stable forever (e.g. `issuer/003-status-lists`). */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/** The outcome of {@link migrate}. */
export interface MigrateResult {
  /** Ids applied by this call, in order (empty when the schema was up to date). */
  readonly applied: readonly string[];
}

/** Advisory lock key for migrations: a fixed pair of int4 ('omid' = 0x6f6d6964, 1), PostgreSQL §9.28.10. */
const LOCK = 'SELECT pg_advisory_xact_lock(1869440356, 1)';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  ordinal integer PRIMARY KEY,
  id text NOT NULL UNIQUE,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

const ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

function checksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

function failed(message: string, details?: Record<string, unknown>, cause?: unknown): OpenMidError {
  return new OpenMidError('ERR_STORE_MIGRATION_FAILED', message, { cause, details });
}

function validate(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (!ID.test(m.id)) throw failed('Invalid migration id', { id: m.id.slice(0, 128) });
    if (seen.has(m.id)) throw failed('Duplicate migration id', { id: m.id });
    if (typeof m.sql !== 'string' || m.sql.trim() === '') {
      throw failed('Empty migration', { id: m.id });
    }
    seen.add(m.id);
  }
}

interface AppliedRow {
  ordinal: number;
  id: string;
  checksum: string;
}

/** Check that what the database holds is a prefix of `migrations`; return how many are applied. */
function appliedPrefix(applied: readonly AppliedRow[], migrations: readonly Migration[]): number {
  applied.forEach((row, i) => {
    const m = migrations[i];
    if (row.ordinal !== i) throw failed('schema_migrations has a gap', { ordinal: i });
    if (m === undefined) {
      throw failed('The database has migrations this version does not know', { id: row.id });
    }
    if (m.id !== row.id) {
      throw failed('Migration order differs from the applied history', {
        expected: row.id,
        found: m.id,
      });
    }
    if (checksum(m.sql) !== row.checksum) {
      throw failed('Migration was edited after being applied', { id: m.id });
    }
  });
  return applied.length;
}

async function readApplied(tx: SqlTx): Promise<AppliedRow[]> {
  const r = await tx.query<AppliedRow>(
    'SELECT ordinal, id, checksum FROM schema_migrations ORDER BY ordinal',
  );
  return r.rows;
}

/**
 * Apply the pending migrations in order, each in its own transaction under the migration lock.
 *
 * @example
 * ```ts
 * await migrate(sql, [...SERVER_KIT_MIGRATIONS, ...ISSUER_MIGRATIONS])
 * ```
 */
export async function migrate(sql: Sql, migrations: readonly Migration[]): Promise<MigrateResult> {
  validate(migrations);
  const applied: string[] = [];
  for (;;) {
    const step = await sql
      .transaction(async (tx) => {
        await tx.query(LOCK);
        await tx.exec(CREATE_TABLE);
        const done = appliedPrefix(await readApplied(tx), migrations);
        const next = migrations[done];
        if (next === undefined) return undefined;
        try {
          await tx.exec(next.sql);
        } catch (e) {
          const state = e instanceof OpenMidError ? e.details?.['sqlState'] : undefined;
          throw failed('Migration failed', { id: next.id, sqlState: state }, e);
        }
        await tx.query(
          'INSERT INTO schema_migrations (ordinal, id, checksum) VALUES ($1, $2, $3)',
          [done, next.id, checksum(next.sql)],
        );
        return next.id;
      })
      .catch((e: unknown) => {
        if (e instanceof OpenMidError && e.code === 'ERR_STORE_MIGRATION_FAILED') throw e;
        throw failed('Migration failed', undefined, e);
      });
    if (step === undefined) return { applied };
    applied.push(step);
  }
}

/**
 * The ids of `migrations` not yet applied (readiness: a service is not ready while this is
 * non-empty). Throws ERR_STORE_MIGRATION_FAILED when the history does not match the list.
 */
export async function pendingMigrations(
  sql: Sql,
  migrations: readonly Migration[],
): Promise<readonly string[]> {
  const exists = await sql.query<{ t: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  if (exists.rows[0]?.t == null) return migrations.map((m) => m.id);
  const rows = await sql.query<AppliedRow>(
    'SELECT ordinal, id, checksum FROM schema_migrations ORDER BY ordinal',
  );
  const done = appliedPrefix(rows.rows, migrations);
  return migrations.slice(done).map((m) => m.id);
}
