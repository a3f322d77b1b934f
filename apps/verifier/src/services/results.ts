/**
 * @module services/results
 * What a relying party reads about its own transactions, behind its API key and the unguessable
 * transaction id (SECURITY.md "Presentation": results readable only by the party that asked).
 * Another party's transaction answers exactly like an unknown one (`ERR_VP_REQUEST_UNKNOWN`).
 *
 * Retention (issue 4 §2): the personal data of a result is deleted when it is delivered
 * (`VERIFIER_RETENTION=0`, the default) or `VERIFIER_RETENTION` seconds later; an undelivered
 * result is deleted `VERIFIER_RESULT_TTL` seconds after verification ({@link purgeResults}).
 * The audit log keeps who asked what and which issuer vouched — never claim values.
 */
import { timingSafeEqual } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import type { VerifierContext } from '../context.js';
import { eventDetails } from './events.js';
import { sha256b64u } from './requests.js';
import type { PresentationResult } from './responses.js';

/** The answer of the result endpoint. */
export type ResultView =
  | {
      readonly transaction_id: string;
      readonly status: 'pending' | 'expired';
      readonly expires_at: string;
    }
  | { readonly transaction_id: string; readonly status: 'refused'; readonly error: string }
  | ({
      readonly transaction_id: string;
      readonly status: 'verified';
      readonly rp: string;
    } & PresentationResult);

interface Row {
  readonly id: string;
  readonly rp_id: string;
  readonly state: string;
  readonly expires_at: Date;
  readonly wallet_error: string | null;
  readonly redirect_uri: string | null;
  readonly response_code_sha256: string | null;
  readonly result: string | null;
}

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Read transaction `id` for relying party `rpId`. A verified result is delivered once: with
 * retention 0 its personal data is deleted in the same transaction (event
 * `presentation.delivered`); a later read gets `ERR_VP_RESULT_GONE`. In the same-device flow the `response_code`
 * the wallet carried back must be given (`ERR_VP_RESPONSE_CODE_INVALID`).
 *
 * @example
 * ```ts
 * const view = await readResult(ctx, { rpId, id, actor })
 * ```
 */
export async function readResult(
  ctx: VerifierContext,
  input: {
    readonly rpId: string;
    readonly id: string;
    readonly responseCode?: string;
    readonly actor: string;
  },
): Promise<ResultView> {
  const now = ctx.clock();
  const nowDate = new Date(now * 1000);
  return ctx.sql.transaction(async (tx) => {
    const r = await tx.query<Row>(
      `SELECT id, rp_id, state, expires_at, wallet_error, redirect_uri, response_code_sha256, result
         FROM verifier_transactions WHERE id = $1 AND rp_id = $2 FOR UPDATE`,
      [input.id, input.rpId],
    );
    const row = r.rows[0];
    if (row === undefined) throw new OpenMidError('ERR_VP_REQUEST_UNKNOWN', 'No such transaction');
    if (row.state === 'created' || row.state === 'fetched')
      return {
        transaction_id: row.id,
        status: row.expires_at.getTime() <= nowDate.getTime() ? 'expired' : 'pending',
        expires_at: row.expires_at.toISOString(),
      };
    if (row.state === 'refused')
      return {
        transaction_id: row.id,
        status: 'refused',
        error: row.wallet_error ?? 'access_denied',
      };
    if (row.result === null)
      throw new OpenMidError('ERR_VP_RESULT_GONE', 'The result was delivered and deleted');
    if (row.response_code_sha256 !== null) {
      const code = input.responseCode;
      if (code === undefined || !sameDigest(sha256b64u(code), row.response_code_sha256))
        throw new OpenMidError(
          'ERR_VP_RESPONSE_CODE_INVALID',
          'The response_code is missing or wrong',
        );
    }
    const result = await ctx.cipher.openJson<PresentationResult>(row.result, {
      table: 'verifier_transactions',
      id: row.id,
    });
    if (row.state === 'completed') {
      const retention = ctx.config.VERIFIER_RETENTION;
      await tx.query(
        `UPDATE verifier_transactions SET state = 'delivered', delivered_at = $2,
           result = CASE WHEN $3::int = 0 THEN NULL ELSE result END, purge_at = $4
         WHERE id = $1`,
        [row.id, nowDate, retention, new Date((now + retention) * 1000)],
      );
      await tx.query(
        `INSERT INTO verifier_events (at, action, actor, transaction_id, rp_id, details)
         VALUES ($1, 'presentation.delivered', $2, $3, $4, $5)`,
        [nowDate, input.actor, row.id, row.rp_id, eventDetails({ retention })],
      );
    }
    return { transaction_id: row.id, status: 'verified', rp: row.rp_id, ...result };
  });
}

/**
 * Delete the personal data of results past their `purge_at` (undelivered ones after
 * VERIFIER_RESULT_TTL, delivered ones after VERIFIER_RETENTION); returns how many.
 */
export async function purgeResults(ctx: VerifierContext): Promise<number> {
  // Through the expiry index (never updated, so state changes stay HOT): a result is due once its
  // request expired and its purge time passed.
  const now = new Date(ctx.clock() * 1000);
  const r = await ctx.sql.query(
    `UPDATE verifier_transactions SET result = NULL
      WHERE expires_at <= $1 AND result IS NOT NULL AND purge_at <= $1`,
    [now],
  );
  return r.rowCount;
}

/**
 * Delete transactions a day past their expiry that hold no result any more (never answered, or
 * purged), with their webhook rows; presentation events stay (they are chained into the audit log).
 */
export async function pruneExpired(
  ctx: VerifierContext,
  olderThanSeconds = 86_400,
): Promise<number> {
  const r = await ctx.sql.query(
    'DELETE FROM verifier_transactions WHERE expires_at <= $1 AND result IS NULL',
    [new Date((ctx.clock() - olderThanSeconds) * 1000)],
  );
  return r.rowCount;
}
