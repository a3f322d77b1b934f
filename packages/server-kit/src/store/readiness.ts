/**
 * @module store/readiness
 * The readiness probe of a service backed by the store: ready when the database answers and every
 * migration of this version is applied (a new version waits for its migrations; an old version
 * facing a newer schema reports `mismatch`).
 */
import type { ReadinessReport } from '../http/app.js';
import { type Migration, pendingMigrations } from './migrate.js';
import type { Sql } from './sql.js';

/**
 * Check the store for `/readyz`.
 *
 * @example
 * ```ts
 * createApp({ logger, readiness: () => storeReadiness(sql, MIGRATIONS) })
 * ```
 */
export async function storeReadiness(
  sql: Sql,
  migrations: readonly Migration[],
): Promise<ReadinessReport> {
  try {
    await sql.ping();
  } catch {
    return { ready: false, checks: { store: 'unavailable', migrations: 'unknown' } };
  }
  try {
    const pending = await pendingMigrations(sql, migrations);
    return pending.length === 0
      ? { ready: true, checks: { store: 'ok', migrations: 'ok' } }
      : { ready: false, checks: { store: 'ok', migrations: 'pending' } };
  } catch {
    return { ready: false, checks: { store: 'ok', migrations: 'mismatch' } };
  }
}
