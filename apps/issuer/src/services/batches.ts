/**
 * @module services/batches
 * Population batches (issue 3 §2 "`openmid issuer batch-offers --type driving-licence --from
 * register` creates offers for a whole register, resumable after a crash, with a progress bar and
 * a rate figure").
 *
 * A batch is a row (`batches`) and a set of offers tagged with its id. Work proceeds in chunks, in
 * citizen-id order: each chunk is ONE transaction that inserts the offers of the next N citizens
 * holding a record of the type (skipping any already offered in this batch: `UNIQUE (batch_id,
 * citizen_id)` plus `ON CONFLICT DO NOTHING`), advances the batch's cursor and count, and appends
 * ONE audit entry with the count as its last statement (the audit chain serialises appends: one
 * entry per chunk, not per offer). A crash loses at most the chunk in flight, which rolls back;
 * running the batch again resumes from the stored cursor. The offers' codes are derived from their
 * ids (services/offers.ts), so the letters of a batch can be exported at any time.
 */
import { OpenMidError } from '@openmid/core/errors';
import { findCredentialType } from '@openmid/profile-kr';
import { appendAudit } from '@openmid/server-kit';
import { type IssuerContext, inSeconds, nowDate } from '../context.js';
import { randomId } from '../secrets.js';
import { type CreatedOffer, describeOffer } from './offers.js';

/** Progress of a batch, reported after every chunk. */
export interface BatchProgress {
  readonly batchId: string;
  readonly type: string;
  readonly offered: number;
  readonly total: number;
  readonly done: boolean;
  /** Offers per second over this run. */
  readonly ratePerSecond: number;
}

/** Options of {@link runBatchOffers}. */
export interface BatchOptions {
  /** The credential type (configuration id), e.g. `driving-licence`. */
  readonly type: string;
  /** Resume this batch; a new batch is created when absent. */
  readonly batchId?: string;
  readonly copies?: number;
  /** Offers per transaction (default 1000). */
  readonly chunkSize?: number;
  readonly actor: string;
  readonly onProgress?: (p: BatchProgress) => void;
  /** Stop after this many chunks (tests); default: until done. */
  readonly maxChunks?: number;
}

/** A batch as stored. */
export interface BatchState {
  readonly batch_id: string;
  readonly type: string;
  readonly copies: number;
  readonly state: 'running' | 'completed';
  readonly total: number;
  readonly offered: number;
  readonly created_at: string;
  readonly completed_at: string | null;
}

/** Create a batch row for `type` over the whole register (audited as `batch.create`). */
export async function createBatch(
  ctx: IssuerContext,
  input: { readonly type: string; readonly copies?: number; readonly actor: string },
): Promise<BatchState> {
  const type = findCredentialType(input.type).name;
  const copies = input.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > ctx.config.ISSUER_BATCH_SIZE) {
    throw new OpenMidError('ERR_VCI_BATCH_TOO_LARGE', 'copies must be 1 to the batch size');
  }
  const id = randomId(12);
  const now = nowDate(ctx);
  await ctx.sql.transaction(async (tx) => {
    const t = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM register_records WHERE type = $1',
      [type],
    );
    await tx.query(
      `INSERT INTO batches (id, type, copies, state, total, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, 'running', $4, $5, $6, $6)`,
      [id, type, copies, Number(t.rows[0]?.n ?? 0), input.actor, now],
    );
    await appendAudit(tx, {
      actor: input.actor,
      action: 'batch.create',
      subject: `batch:${id}`,
      details: { type, copies },
    });
  });
  return readBatch(ctx, id);
}

/** Read a batch; ERR_ISSUER_BATCH_NOT_FOUND when unknown. */
export async function readBatch(ctx: IssuerContext, batchId: string): Promise<BatchState> {
  const r = await ctx.sql.query<{
    id: string;
    type: string;
    copies: number;
    state: 'running' | 'completed';
    total: number;
    offered: number;
    created_at: Date;
    completed_at: Date | null;
  }>(
    'SELECT id, type, copies, state, total, offered, created_at, completed_at FROM batches WHERE id = $1',
    [batchId],
  );
  const b = r.rows[0];
  if (b === undefined) throw new OpenMidError('ERR_ISSUER_BATCH_NOT_FOUND', 'No such batch');
  return {
    batch_id: b.id,
    type: b.type,
    copies: b.copies,
    state: b.state,
    total: b.total,
    offered: b.offered,
    created_at: b.created_at.toISOString(),
    completed_at: b.completed_at === null ? null : b.completed_at.toISOString(),
  };
}

/**
 * Create (or resume) the offers of a population batch, chunk by chunk, until every citizen with
 * a record of the type has one. Safe to run again after a crash: already-offered citizens are
 * skipped; the result is the same set of offers, each citizen offered once per batch.
 *
 * @example
 * ```ts
 * const done = await runBatchOffers(ctx, { type: 'driving-licence', actor: 'apikey:…',
 *   onProgress: (p) => bar.update(p.offered / p.total) })
 * ```
 */
export async function runBatchOffers(
  ctx: IssuerContext,
  options: BatchOptions,
): Promise<BatchState> {
  const batch =
    options.batchId === undefined
      ? await createBatch(ctx, {
          type: options.type,
          ...(options.copies === undefined ? {} : { copies: options.copies }),
          actor: options.actor,
        })
      : await readBatch(ctx, options.batchId);
  const chunk = options.chunkSize ?? 1000;
  const started = performance.now();
  let offeredThisRun = 0;
  let chunks = 0;
  for (;;) {
    if (options.maxChunks !== undefined && chunks >= options.maxChunks) break;
    chunks++;
    const step = await ctx.sql.transaction(async (tx) => {
      const b = await tx.query<{ cursor: string; state: string; offered: number; total: number }>(
        'SELECT cursor, state, offered, total FROM batches WHERE id = $1 FOR UPDATE',
        [batch.batch_id],
      );
      const row = b.rows[0];
      if (row === undefined) throw new OpenMidError('ERR_ISSUER_BATCH_NOT_FOUND', 'No such batch');
      if (row.state === 'completed')
        return { inserted: 0, done: true, offered: row.offered, total: row.total };
      const next = await tx.query<{ citizen_id: string }>(
        `SELECT citizen_id FROM register_records
          WHERE type = $1 AND citizen_id > $2 ORDER BY citizen_id LIMIT $3`,
        [batch.type, row.cursor, chunk],
      );
      const citizens = next.rows.map((r) => r.citizen_id);
      const now = nowDate(ctx);
      let inserted = 0;
      if (citizens.length > 0) {
        const ins = await tx.query(
          `INSERT INTO offers (id, citizen_id, type, copies, grant_type, state, expires_at, batch_id,
                               created_by, created_at)
           SELECT u.id, u.citizen_id, $1, $2, 'pre-authorized_code', 'offered', $3, $4, $5, $6
             FROM unnest($7::text[], $8::text[]) AS u(id, citizen_id)
           ON CONFLICT (batch_id, citizen_id) WHERE batch_id IS NOT NULL DO NOTHING`,
          [
            batch.type,
            batch.copies,
            inSeconds(ctx, ctx.config.ISSUER_OFFER_TTL),
            batch.batch_id,
            options.actor,
            now,
            citizens.map(() => randomId(16)),
            citizens,
          ],
        );
        inserted = ins.rowCount;
      }
      const done = citizens.length < chunk;
      const cursor = citizens[citizens.length - 1] ?? row.cursor;
      const u = await tx.query<{ offered: number; total: number }>(
        `UPDATE batches SET cursor = $2, offered = offered + $3, updated_at = $4,
                state = CASE WHEN $5 THEN 'completed' ELSE state END,
                completed_at = CASE WHEN $5 THEN $4 ELSE completed_at END,
                total = CASE WHEN $5 THEN offered + $3 ELSE GREATEST(total, offered + $3) END
          WHERE id = $1 RETURNING offered, total`,
        [batch.batch_id, cursor, inserted, now, done],
      );
      await appendAudit(tx, {
        actor: options.actor,
        action: 'batch.offers',
        subject: `batch:${batch.batch_id}`,
        details: { type: batch.type, count: inserted, done },
      });
      return {
        inserted,
        done,
        offered: Number(u.rows[0]?.offered ?? 0),
        total: Number(u.rows[0]?.total ?? 0),
      };
    });
    offeredThisRun += step.inserted;
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({
      batchId: batch.batch_id,
      type: batch.type,
      offered: step.offered,
      total: step.total,
      done: step.done,
      ratePerSecond: seconds > 0 ? offeredThisRun / seconds : 0,
    });
    if (step.done) break;
    // Let waiting requests in between chunks (PGlite runs one transaction at a time).
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return readBatch(ctx, batch.batch_id);
}

/**
 * The offers of a batch for delivery (letters, SMS): citizen id, offer URI and tx_code, derived
 * again from the offer ids. Pages of up to 1000 by citizen id.
 */
export async function exportBatchOffers(
  ctx: IssuerContext,
  input: { readonly batchId: string; readonly after?: string; readonly limit?: number },
): Promise<(CreatedOffer & { citizen_id: string })[]> {
  const r = await ctx.sql.query<{ id: string; citizen_id: string; type: string; expires_at: Date }>(
    `SELECT id, citizen_id, type, expires_at FROM offers
      WHERE batch_id = $1 AND citizen_id > $2 ORDER BY citizen_id LIMIT $3`,
    [input.batchId, input.after ?? '', Math.min(input.limit ?? 1000, 1000)],
  );
  return r.rows.map((o) => ({
    citizen_id: o.citizen_id,
    ...describeOffer(ctx, { offerId: o.id, type: o.type, expiresAt: o.expires_at }),
  }));
}
