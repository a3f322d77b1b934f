/**
 * @module services/webhooks
 * Optional notifications to a relying party's webhook when one of its transactions completes or
 * is refused (issue 4 §2). The body is a compact JWS (`typ: openmid-presentation-event+jwt`,
 * `Content-Type: application/jwt`) signed with the registry key published at
 * `/.well-known/jwks.json`: `{ iss, aud: <rp id>, iat, jti, event, transaction_id }` — no
 * personal data; the party then reads the result with its API key.
 *
 * Deliveries are queued in the store in the same statement as the state change (a crash loses
 * none) and retried with back-off (5 s, 30 s, 2 min, 10 min, 1 h…) up to
 * `VERIFIER_WEBHOOK_ATTEMPTS`, through the outbound policy (https, no private addresses in
 * production, timeout, no redirects). Several instances share the queue (`FOR UPDATE SKIP LOCKED`).
 */
import { OpenMidError } from '@openmid/core/errors';
import { signCompactJws } from '@openmid/core/jose';
import { safeError } from '@openmid/server-kit';
import type { VerifierContext } from '../context.js';

/** `typ` of a webhook notification. */
export const WEBHOOK_TYP = 'openmid-presentation-event+jwt';

const BACKOFF_SECONDS = [5, 30, 120, 600, 3600, 3600 * 6];

interface Due {
  readonly id: string;
  readonly transaction_id: string;
  readonly rp_id: string;
  readonly url: string;
  readonly event: string;
  readonly attempts: number;
}

/** The signed notification body. */
export async function webhookBody(
  ctx: VerifierContext,
  d: Pick<Due, 'id' | 'transaction_id' | 'rp_id' | 'event'>,
): Promise<string> {
  return signCompactJws(
    {
      iss: ctx.urls.base,
      aud: d.rp_id,
      iat: ctx.clock(),
      jti: d.id,
      event: d.event,
      transaction_id: d.transaction_id,
    },
    { typ: WEBHOOK_TYP, signer: ctx.registry.signer },
  );
}

/**
 * Deliver due notifications (at most `limit`); returns how many were attempted. Called by the
 * worker loop; safe to run on several instances at once.
 */
export async function deliverWebhooks(ctx: VerifierContext, limit = 20): Promise<number> {
  const now = new Date(ctx.clock() * 1000);
  const due = await ctx.sql.transaction(async (tx) => {
    const r = await tx.query<Due>(
      `SELECT id, transaction_id, rp_id, url, event, attempts FROM verifier_webhooks
        WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= $1
        ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    // Claim them: push next_at ahead so another worker does not pick them meanwhile.
    for (const d of r.rows)
      await tx.query('UPDATE verifier_webhooks SET next_at = $2 WHERE id = $1', [
        d.id,
        new Date(now.getTime() + 60_000),
      ]);
    return r.rows;
  });
  await Promise.all(
    due.map(async (d) => {
      let status = 0;
      try {
        status = await ctx.outbound.post(d.url, await webhookBody(ctx, d), {
          'content-type': 'application/jwt',
        });
      } catch (e) {
        ctx.logger.warn({ err: safeError(e), webhook: d.id }, 'webhook delivery failed');
      }
      const attempts = d.attempts + 1;
      if (status >= 200 && status < 300) {
        await ctx.sql.query(
          'UPDATE verifier_webhooks SET delivered_at = $2, attempts = $3, last_status = $4 WHERE id = $1',
          [d.id, new Date(ctx.clock() * 1000), attempts, status],
        );
        return;
      }
      const exhausted = attempts >= ctx.config.VERIFIER_WEBHOOK_ATTEMPTS;
      const wait = BACKOFF_SECONDS[Math.min(attempts - 1, BACKOFF_SECONDS.length - 1)] as number;
      await ctx.sql.query(
        `UPDATE verifier_webhooks SET attempts = $2, last_status = $3, next_at = $4,
           failed_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE NULL END WHERE id = $1`,
        [
          d.id,
          attempts,
          status,
          new Date((ctx.clock() + wait) * 1000),
          exhausted,
          new Date(ctx.clock() * 1000),
        ],
      );
      const err = new OpenMidError('ERR_VP_WEBHOOK_FAILED', 'Webhook delivery failed', {
        details: { webhook: d.id, attempts, status },
      });
      ctx.logger.warn({ err: safeError(err), exhausted }, 'webhook will be retried');
    }),
  );
  return due.length;
}
