/**
 * @module services/devices
 * The lost phone as ONE audited flow (issue 3 §2; DOMAIN.md §1.2 "Loss: … all mobile IDs on that
 * device suspended"), and the notification endpoint that completes it (OpenID4VCI 1.0 §11):
 *
 * 1. report — by an operator on the phone line (admin API) or by the citizen after signing in
 *    through the identity provider (web page): in ONE transaction, every VALID credential bound to
 *    that device is suspended, a loss report is opened, and one re-issuance offer per credential
 *    type that was on the device is prepared for the new phone;
 * 2. the citizen redeems the offers on the new phone (pre-authorized code + tx_code);
 * 3. when the wallet notifies `credential_accepted` for a re-issued credential, the old device's
 *    credentials of that type are REVOKED (final) in the notification's transaction; when every
 *    offer of the report has been accepted the report is closed.
 *
 * A device is identified by the thumbprint of the DPoP key its wallet uses for token requests;
 * operators may also name it by the holder-key thumbprint of any credential on it.
 */
import { OpenMidError } from '@openmid/core/errors';
import { appendAudit } from '@openmid/server-kit';
import { type IssuerContext, inSeconds, nowDate } from '../context.js';
import type { DpopProof } from '../oauth/dpop.js';
import { useOnce } from '../oauth/once.js';
import { randomId } from '../secrets.js';
import { grantOfToken } from './credential.js';
import { configurationsOfType, MSO_MDOC_FORMAT } from './mdoc.js';
import { type CreatedOffer, insertOffer } from './offers.js';
import { bumpLists, publishLists, resolveDevice, suspendDeviceInTx } from './status.js';

/** The outcome of a loss report. */
export interface LossReport {
  readonly report_id: string;
  readonly device_id: string;
  /** Credentials suspended by this report. */
  readonly suspended: number;
  /** Re-issuance offers for the new device (their tx_codes go out of band). */
  readonly offers: readonly CreatedOffer[];
}

/**
 * Report a lost phone: suspend everything on it and prepare re-issuance offers, in one
 * transaction audited as `device.report_lost`.
 *
 * @example
 * ```ts
 * const report = await reportLostPhone(ctx, { citizenId, thumbprint: deviceId, actor: 'apikey:…' })
 * ```
 */
export async function reportLostPhone(
  ctx: IssuerContext,
  input: { readonly citizenId: string; readonly thumbprint: string; readonly actor: string },
): Promise<LossReport> {
  const out = await ctx.sql.transaction(async (tx) => {
    const deviceId = await resolveDevice(tx, input.citizenId, input.thumbprint);
    const suspended = await suspendDeviceInTx(tx, ctx, { citizenId: input.citizenId, deviceId });
    // Per type and format: the re-issuance offer carries every configuration (SD-JWT VC, mdoc)
    // that was on the device, as many copies as the largest of them.
    const types = await tx.query<{ type: string; n: number; formats: string[] }>(
      `SELECT type, max(n)::int AS n, array_agg(format ORDER BY format) AS formats
         FROM (SELECT type, format, count(*) AS n FROM credentials
                WHERE citizen_id = $1 AND device_id = $2 AND status <> 1
                GROUP BY type, format) f
        GROUP BY type ORDER BY type`,
      [input.citizenId, deviceId],
    );
    const reportId = randomId(16);
    await tx.query(
      `INSERT INTO loss_reports (id, citizen_id, device_id, state, reported_by, suspended, created_at)
       VALUES ($1, $2, $3, 'open', $4, $5, $6)`,
      [reportId, input.citizenId, deviceId, input.actor, suspended.ids.length, nowDate(ctx)],
    );
    const offers: CreatedOffer[] = [];
    for (const t of types.rows) {
      offers.push(
        await insertOffer(tx, ctx, {
          citizenId: input.citizenId,
          type: t.type,
          copies: Math.min(t.n, ctx.config.ISSUER_BATCH_SIZE),
          ...(t.formats.includes(MSO_MDOC_FORMAT)
            ? {
                configurations: configurationsOfType(t.type).filter(
                  (c) => c === t.type || t.formats.includes(MSO_MDOC_FORMAT),
                ),
              }
            : {}),
          actor: input.actor,
          lossReportId: reportId,
        }),
      );
    }
    await appendAudit(tx, {
      actor: input.actor,
      action: 'device.report_lost',
      subject: `citizen:${input.citizenId}`,
      details: {
        report: reportId,
        device: deviceId,
        suspended: suspended.ids.length,
        offers: offers.map((o) => o.offer_id),
      },
    });
    return { reportId, deviceId, suspended, offers };
  });
  await publishLists(ctx, out.suspended.lists);
  return {
    report_id: out.reportId,
    device_id: out.deviceId,
    suspended: out.suspended.ids.length,
    offers: out.offers,
  };
}

/** Notification events (OpenID4VCI 1.0 §11.1). */
export const NOTIFICATION_EVENTS = [
  'credential_accepted',
  'credential_failure',
  'credential_deleted',
] as const;

/**
 * The notification endpoint: record the wallet's event for the credentials of one response; on
 * `credential_accepted` of a re-issuance, revoke the lost device's credentials of that type.
 * Audited as `credential.notify`.
 *
 * @see OpenID4VCI 1.0 §11.1 (request), §11.2 (204 response), §11.3 (errors)
 */
export async function notify(
  ctx: IssuerContext,
  input: { readonly token: string; readonly dpop: DpopProof; readonly body: unknown },
): Promise<void> {
  const grant = await grantOfToken(ctx, input.token, input.dpop, { allowIssued: true });
  const body = input.body as Record<string, unknown> | null;
  const notificationId = body?.['notification_id'];
  const event = body?.['event'];
  if (
    typeof notificationId !== 'string' ||
    typeof event !== 'string' ||
    !(NOTIFICATION_EVENTS as readonly string[]).includes(event)
  ) {
    throw new OpenMidError('ERR_VCI_NOTIFICATION_INVALID', 'Invalid notification request');
  }
  const lists: number[] = [];
  await ctx.sql.transaction(async (tx) => {
    const u = await tx.query<{ type: string }>(
      `UPDATE credentials SET notified = $3 WHERE notification_id = $1 AND offer_id = $2
        RETURNING type`,
      [notificationId, grant.offerId, event],
    );
    if (u.rows.length === 0) {
      throw new OpenMidError('ERR_VCI_NOTIFICATION_INVALID', 'Unknown notification_id');
    }
    if (!(await useOnce(tx, 'dpop', `${input.dpop.jkt}.${input.dpop.jti}`, inSeconds(ctx, 180)))) {
      throw new OpenMidError('ERR_DPOP_PROOF_INVALID', 'The DPoP proof was replayed');
    }
    let revokedOld = 0;
    if (event === 'credential_accepted' && grant.lossReportId !== null) {
      const type = u.rows[0]?.type as string;
      const r = await tx.query<{ list_id: number }>(
        `UPDATE credentials c SET status = 1, status_changed_at = $4
           FROM loss_reports l
          WHERE l.id = $1 AND c.citizen_id = l.citizen_id AND c.device_id = l.device_id
            AND c.type = $2 AND c.status IN (0, 2) AND c.offer_id <> $3
          RETURNING c.list_id`,
        [grant.lossReportId, type, grant.offerId, nowDate(ctx)],
      );
      revokedOld = r.rows.length;
      for (const row of r.rows) lists.push(row.list_id);
      await bumpLists(tx, lists);
      // Close the report once every re-issuance offer has been accepted.
      await tx.query(
        `UPDATE loss_reports SET state = 'completed', completed_at = $2
          WHERE id = $1 AND state = 'open' AND NOT EXISTS (
            SELECT 1 FROM offers o WHERE o.loss_report_id = $1 AND NOT EXISTS (
              SELECT 1 FROM credentials c WHERE c.offer_id = o.id AND c.notified = 'credential_accepted'))`,
        [grant.lossReportId, nowDate(ctx)],
      );
    }
    await appendAudit(tx, {
      actor: `device:${input.dpop.jkt}`,
      action: 'credential.notify',
      subject: `offer:${grant.offerId}`,
      details: { event, count: u.rows.length, revokedOld },
    });
  });
  await publishLists(ctx, lists);
}
