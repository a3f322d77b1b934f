/**
 * @module services/publisher
 * Publishing status lists (draft-ietf-oauth-status-list §5.1, §13.7). A credential's status lives
 * in its row; a status change bumps its list's `version` in the same transaction. The publisher
 * rebuilds a list from its non-VALID rows, signs a `statuslist+jwt` (`sub` = the list URI, `iat`,
 * `exp`, `ttl`) and stores it with `published_version`; `GET /status-lists/{id}` serves the stored
 * token.
 *
 * Consistency: the version is read BEFORE the rows, in one REPEATABLE READ snapshot, so a stored
 * token covers at least every change up to its `published_version`; a change committed meanwhile
 * leaves `version > published_version` and is published by the next run. Runs for one list are
 * coalesced: a caller arriving while a run is in flight waits for ONE follow-up run, which starts
 * after the current one and so covers the caller's change. Several instances may publish at once;
 * the conditional UPDATE keeps only a newer version. On start-up every list whose version is ahead
 * of its published version is republished, so a change that committed before a crash is in the
 * published list after restart.
 */
import { deflateSync } from 'node:zlib';
import { OpenMidError } from '@openmid/core/errors';
import type { Signer } from '@openmid/core/keys';
import { StatusList, signStatusListToken } from '@openmid/core/status-list';
import { type Logger, type Sql, safeError } from '@openmid/server-kit';
import { STATUS_BITS } from './allocator.js';

/** Publishes status list tokens. */
export interface StatusPublisher {
  /** Publish `listId` now (coalesced); resolves once a token covering every committed change is stored. */
  publish(listId: number): Promise<void>;
  /** Publish soon, in the background (errors are logged). */
  schedule(listId: number): void;
  /** Publish every list whose version is ahead of its published token. */
  publishPending(): Promise<number>;
  /** Wait for background runs to finish. */
  drain(): Promise<void>;
}

/** Options of {@link createStatusPublisher}. */
export interface StatusPublisherOptions {
  readonly sql: Sql;
  readonly signer: Signer;
  readonly iss: string;
  readonly listUri: (listId: number) => string;
  readonly ttl: number;
  readonly expiresIn: number;
  /** NumericDate seconds. */
  readonly clock: () => number;
  readonly logger: Logger;
}

/** The result of one build: what the benchmark measures. */
export interface PublishedList {
  readonly listId: number;
  readonly version: number;
  readonly token: string;
  readonly etag: string;
  readonly ms: number;
}

/**
 * Build and sign the token of `listId` from the database and store it (unless a newer one is
 * stored already). Exported for the benchmark.
 */
export async function buildAndStoreList(
  options: StatusPublisherOptions,
  listId: number,
): Promise<PublishedList> {
  const started = performance.now();
  const { sql } = options;
  const snapshot = await sql.transaction(
    async (tx) => {
      const l = await tx.query<{ size: number; bits: number; version: number }>(
        'SELECT size, bits, version FROM status_lists WHERE id = $1',
        [listId],
      );
      const list = l.rows[0];
      if (list === undefined) {
        throw new OpenMidError('ERR_HTTP_NOT_FOUND', 'No such status list');
      }
      const rows = await tx.query<{ idx: number; status: number }>(
        'SELECT idx, status FROM credentials WHERE list_id = $1 AND status <> 0',
        [listId],
      );
      return { list, rows: rows.rows };
    },
    { isolation: 'repeatable read' },
  );
  const bits = snapshot.list.bits === STATUS_BITS ? STATUS_BITS : 2;
  const list = StatusList.create(snapshot.list.size, bits);
  for (const r of snapshot.rows) list.set(r.idx, r.status);
  const iat = options.clock();
  const version = Number(snapshot.list.version);
  const token = await signStatusListToken(list, {
    signer: options.signer,
    uri: options.listUri(listId),
    iss: options.iss,
    iat,
    exp: iat + options.expiresIn,
    ttl: options.ttl,
    // The draft RECOMMENDS the highest compression; above 1 MiB (4 M entries) level 9 costs ~14×
    // the time of level 6 for ~30 % less size (a 52 M-entry list: 0.7 s vs 0.05 s), and
    // publication latency is what a revocation waits for.
    compress: (b) => deflateSync(b, { level: b.length <= 1 << 20 ? 9 : 6 }),
  });
  const etag = `"${listId}-${version}-${iat}"`;
  await sql.query(
    `UPDATE status_lists SET token = $2, etag = $3, published_version = $4, published_at = $5
      WHERE id = $1 AND published_version < $4`,
    [listId, token, etag, version, new Date(iat * 1000)],
  );
  return { listId, version, token, etag, ms: performance.now() - started };
}

/**
 * Create the publisher of one issuer process.
 *
 * @example
 * ```ts
 * const publisher = createStatusPublisher({ sql, signer, iss, listUri, ttl: 300, expiresIn: 86_400, clock, logger })
 * await publisher.publish(listId) // after a revocation committed
 * ```
 */
export function createStatusPublisher(options: StatusPublisherOptions): StatusPublisher {
  const running = new Map<number, Promise<void>>();
  const queued = new Map<number, Promise<void>>();
  const background = new Set<Promise<void>>();

  const run = (listId: number): Promise<void> =>
    buildAndStoreList(options, listId).then(() => undefined);

  const publish = (listId: number): Promise<void> => {
    const current = running.get(listId);
    if (current === undefined) {
      const p = run(listId).finally(() => running.delete(listId));
      running.set(listId, p);
      return p;
    }
    // A run is in flight and may predate the caller's change: wait for one follow-up run.
    let next = queued.get(listId);
    if (next === undefined) {
      next = current
        .catch(() => undefined)
        .then(() => {
          queued.delete(listId);
          return publish(listId);
        });
      queued.set(listId, next);
    }
    return next;
  };

  return {
    publish,
    schedule(listId) {
      const p = publish(listId).catch((e: unknown) => {
        options.logger.error({ listId, err: safeError(e) }, 'status list publication failed');
      });
      background.add(p);
      void p.finally(() => background.delete(p));
    },
    async publishPending() {
      const r = await options.sql.query<{ id: number }>(
        'SELECT id FROM status_lists WHERE version > published_version ORDER BY id',
      );
      for (const row of r.rows) await publish(row.id);
      return r.rows.length;
    },
    async drain() {
      while (background.size > 0) await Promise.all([...background]);
    },
  };
}
