/**
 * @module store/open
 * Choose the backend from configuration: PostgreSQL when DATABASE_URL is set, otherwise embedded
 * PGlite in `<DATA_DIR>/pglite` (DESIGN.md §4: "Embedded default: PGlite … Production and scale:
 * PostgreSQL through DATABASE_URL").
 */
import { join } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Sql } from './sql.js';

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** A PostgreSQL URL: when set, the pg backend is used. */
  readonly databaseUrl?: string | undefined;
  /** The service's data folder: PGlite lives in `<dataDir>/pglite`. */
  readonly dataDir?: string | undefined;
  /** An in-memory PGlite (tests, demos); ignored when `databaseUrl` is set. */
  readonly memory?: boolean;
  /** Told about errors on idle PostgreSQL connections. */
  readonly onError?: (error: OpenMidError) => void;
}

/**
 * Open the store a service is configured for.
 *
 * @example
 * ```ts
 * const sql = await openStore({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR })
 * await migrate(sql, [...SERVER_KIT_MIGRATIONS, ...ISSUER_MIGRATIONS])
 * ```
 */
export function openStore(options: StoreOptions): Promise<Sql> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgres(
      options.onError === undefined
        ? { url: options.databaseUrl }
        : { url: options.databaseUrl, onError: options.onError },
    );
  }
  if (options.memory === true) return openPglite();
  if (options.dataDir === undefined || options.dataDir === '') {
    return Promise.reject(
      new OpenMidError('ERR_CONFIG_INVALID', 'Set DATABASE_URL or DATA_DIR for the SQL store'),
    );
  }
  return openPglite({ dataDir: join(options.dataDir, 'pglite') });
}
