/**
 * @module services/events
 * The audit trail of presentations (issue 4 §2: "an audit record WITHOUT claim values"), built for
 * volume. server-kit's hash-chained audit log serialises every append on one row lock held until
 * commit, so one entry per presentation would cap a verifier at one commit (one fsync) at a time.
 * Instead, as server-kit's README advises for bulk work:
 *
 * 1. each presentation event (`presentation.request`, `.verified`, `.refused`, `.delivered`) is a
 *    row of `verifier_events`, written IN THE SAME STATEMENT as the state change it records (an
 *    event is never lost nor invented), with non-personal details: relying party, transaction id,
 *    types, claim paths, issuers, codes — never a value;
 * 2. {@link chainEvents} appends ONE audit entry per batch, `presentation.events`, carrying the
 *    count, the first and last `seq` and the SHA-256 of the batch's canonical lines, and marks the
 *    rows as chained in that entry — so an edited, deleted or inserted event is detected
 *    ({@link verifyEvents}) exactly as an edited audit row is. A background task chains every
 *    second; a crash leaves unchained rows that the next run chains.
 */
import { createHash } from 'node:crypto';
import { appendAudit } from '@openmid/server-kit';
import type { VerifierContext } from '../context.js';

/** A presentation event's non-personal details, serialised once (the exact text is hashed). */
export function eventDetails(details: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(details);
}

interface EventRow {
  readonly seq: number | string;
  readonly at: Date;
  readonly action: string;
  readonly actor: string;
  readonly transaction_id: string;
  readonly rp_id: string;
  readonly details: string;
}

function digest(rows: readonly EventRow[]): string {
  const h = createHash('sha256');
  for (const r of rows)
    h.update(
      `${r.seq}\t${r.at.toISOString()}\t${r.action}\t${r.actor}\t${r.transaction_id}\t${r.rp_id}\t${r.details}\n`,
      'utf8',
    );
  return h.digest('hex');
}

/**
 * Chain up to `limit` unchained events into the audit log as one `presentation.events` entry;
 * returns how many. Safe to run on several instances at once (`FOR UPDATE SKIP LOCKED`).
 */
export async function chainEvents(ctx: VerifierContext, limit = 1000): Promise<number> {
  return ctx.sql.transaction(async (tx) => {
    const r = await tx.query<EventRow>(
      `SELECT seq, at, action, actor, transaction_id, rp_id, details FROM verifier_events
        WHERE chained_in IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (r.rows.length === 0) return 0;
    const first = Number(r.rows[0]?.seq);
    const last = Number(r.rows[r.rows.length - 1]?.seq);
    const entry = await appendAudit(
      tx,
      {
        actor: 'system',
        action: 'presentation.events',
        subject: null,
        details: { count: r.rows.length, first, last, sha256: digest(r.rows) },
      },
      { now: () => new Date(ctx.clock() * 1000) },
    );
    await tx.query('UPDATE verifier_events SET chained_in = $1 WHERE seq = ANY($2::bigint[])', [
      entry.seq,
      r.rows.map((x) => Number(x.seq)),
    ]);
    return r.rows.length;
  });
}

/** The outcome of {@link verifyEvents}. */
export type EventsVerification =
  | { readonly ok: true; readonly batches: number; readonly events: number }
  | {
      readonly ok: false;
      readonly auditSeq: number;
      readonly reason: 'digest_mismatch' | 'count_mismatch';
    };

/**
 * Check every chained batch against its audit entry (count and SHA-256). Combine with server-kit's
 * `verifyAuditChain` for the chain itself.
 */
export async function verifyEvents(ctx: VerifierContext): Promise<EventsVerification> {
  const entries = await ctx.sql.query<{ seq: number; details: { count: number; sha256: string } }>(
    "SELECT seq, details FROM audit_log WHERE action = 'presentation.events' ORDER BY seq",
  );
  let events = 0;
  for (const e of entries.rows) {
    const rows = await ctx.sql.query<EventRow>(
      `SELECT seq, at, action, actor, transaction_id, rp_id, details FROM verifier_events
        WHERE chained_in = $1 ORDER BY seq`,
      [e.seq],
    );
    if (rows.rows.length !== e.details.count)
      return { ok: false, auditSeq: Number(e.seq), reason: 'count_mismatch' };
    if (digest(rows.rows) !== e.details.sha256)
      return { ok: false, auditSeq: Number(e.seq), reason: 'digest_mismatch' };
    events += rows.rows.length;
  }
  return { ok: true, batches: entries.rows.length, events };
}
