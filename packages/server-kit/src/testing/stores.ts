/**
 * @module testing/stores
 * Run one vitest suite against BOTH store backends (DESIGN.md §4: "the test suite runs against
 * PGlite everywhere and against PostgreSQL where one is reachable (CI has one)"):
 * - a fresh in-memory PGlite;
 * - a fresh PostgreSQL database, created with a random name on the server of `DATABASE_URL` (when
 *   set) or `postgres://127.0.0.1:5432/postgres` (trust auth, user `postgres` then `root`), and
 *   dropped afterwards.
 * When no PostgreSQL answers, the PostgreSQL half is skipped locally, but FAILS when `CI` is set:
 * CI must never silently skip it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { type Migration, migrate } from '../store/migrate.js';
import { openPglite } from '../store/pglite.js';
import { openPostgres } from '../store/postgres.js';
import type { Sql, SqlBackend } from '../store/sql.js';

/** What a suite body gets from {@link describeStores}. */
export interface StoreTestContext {
  readonly backend: SqlBackend;
  /** The suite's store (valid inside tests and hooks, not while the suite is being collected). */
  sql(): Sql;
  /**
   * A second, independent store on the same database, like another process (PostgreSQL only;
   * undefined on PGlite, which one process owns). Closed with the suite.
   */
  reopen(): Promise<Sql> | undefined;
}

/** Options of {@link describeStores}. */
export interface DescribeStoresOptions {
  /** Migrations applied to each fresh database before the suite runs. */
  readonly migrations?: readonly Migration[];
}

const DEFAULT_ADMIN_URLS = [
  'postgres://postgres@127.0.0.1:5432/postgres',
  'postgres://root@127.0.0.1:5432/postgres',
];

/** The server URLs to try, in order: DATABASE_URL alone when set. */
function adminUrls(): string[] {
  const url = process.env['DATABASE_URL'];
  return url !== undefined && url !== '' ? [url] : DEFAULT_ADMIN_URLS;
}

let reachable: Promise<string | undefined> | undefined;

/** The first admin URL that accepts a connection (probed once per test file). */
function findServer(): Promise<string | undefined> {
  reachable ??= (async () => {
    for (const url of adminUrls()) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        return url;
      } catch {
        // try the next candidate
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return undefined;
  })();
  return reachable;
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Declare `suite` twice: `<name> [pglite]` and `<name> [pg]`, each on a fresh database.
 *
 * @example
 * ```ts
 * describeStores('audit log', ({ sql }) => {
 *   test('appends', async () => { await sql().transaction(…) })
 * }, { migrations: SERVER_KIT_MIGRATIONS })
 * ```
 */
export function describeStores(
  name: string,
  suite: (ctx: StoreTestContext) => void,
  options: DescribeStoresOptions = {},
): void {
  describe(`${name} [pglite]`, () => {
    let store: Sql | undefined;
    beforeAll(async () => {
      store = await openPglite();
      if (options.migrations !== undefined) await migrate(store, options.migrations);
    });
    afterAll(async () => {
      await store?.close();
    });
    suite({
      backend: 'pglite',
      sql: () => {
        if (store === undefined) throw new Error('store used outside a test');
        return store;
      },
      reopen: () => undefined,
    });
  });

  describe(`${name} [pg]`, () => {
    let store: Sql | undefined;
    let serverUrl: string | undefined;
    let dbUrl: string | undefined;
    let database: string | undefined;
    let unavailable = false;
    const extra: Sql[] = [];
    beforeAll(async () => {
      serverUrl = await findServer();
      if (serverUrl === undefined) {
        if (process.env['CI'] !== undefined && process.env['CI'] !== '') {
          throw new Error(
            `PostgreSQL is unreachable (${adminUrls().length} URL(s) tried) and CI is set: the PostgreSQL half of the store suites must run in CI`,
          );
        }
        unavailable = true;
        return;
      }
      database = `openmid_test_${randomBytes(8).toString('hex')}`;
      await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${database}`));
      dbUrl = withDatabase(serverUrl, database);
      store = await openPostgres({ url: dbUrl, max: 20 });
      if (options.migrations !== undefined) await migrate(store, options.migrations);
    });
    beforeEach((ctx) => {
      if (unavailable) ctx.skip();
    });
    afterAll(async () => {
      for (const s of extra) await s.close();
      await store?.close();
      if (serverUrl !== undefined && database !== undefined) {
        await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      }
    });
    suite({
      backend: 'pg',
      sql: () => {
        if (store === undefined) throw new Error('store used outside a test');
        return store;
      },
      reopen: () => {
        if (dbUrl === undefined) return undefined;
        return openPostgres({ url: dbUrl }).then((s) => {
          extra.push(s);
          return s;
        });
      },
    });
  });
}
