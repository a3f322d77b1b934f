/**
 * @module services/status
 * Status management (issue 3 §2; draft-ietf-oauth-status-list §7.1): a credential's status lives
 * in its row — VALID 0, REVOKED 1 (INVALID), SUSPENDED 2 — and every change is a CONDITIONAL update
 * whose WHERE clause is the allowed source states:
 *
 * | action    | from                | to        |
 * | --------- | ------------------- | --------- |
 * | revoke    | VALID or SUSPENDED  | REVOKED   |
 * | suspend   | VALID               | SUSPENDED |
 * | reinstate | SUSPENDED           | VALID     |
 *
 * so no interleaving of racing requests can reverse a revocation or lose one (a reinstate racing a
 * revoke either runs first and is then overridden, or finds REVOKED and matches nothing). The same
 * transaction bumps the version of every list it touched and appends the audit entry; after the
 * commit the lists are published before the call returns, so a revocation that answered 200 is in
 * the published list (and, after a crash, `publishPending` at start-up republishes it).
 */
import { OpenMidError } from '@openmid/core/errors';
import { appendAudit, type SqlTx } from '@openmid/server-kit';
import { type IssuerContext, nowDate } from '../context.js';

/** Status values as stored and published (§7.1). */
export const STATUS = { VALID: 0, REVOKED: 1, SUSPENDED: 2 } as const;
/** Status names as the admin API reports them. */
export type StatusName = 'valid' | 'revoked' | 'suspended';
/** The admin actions. */
export type StatusAction = 'revoke' | 'suspend' | 'reinstate';

/** The name of a stored status value. */
export function statusName(value: number): StatusName {
  return value === STATUS.REVOKED ? 'revoked' : value === STATUS.SUSPENDED ? 'suspended' : 'valid';
}

const RULES: Record<StatusAction, { to: number; from: readonly number[] }> = {
  revoke: { to: STATUS.REVOKED, from: [STATUS.VALID, STATUS.SUSPENDED] },
  suspend: { to: STATUS.SUSPENDED, from: [STATUS.VALID] },
  reinstate: { to: STATUS.VALID, from: [STATUS.SUSPENDED] },
};

/** Bump the version of each list (marks it for publication); inside the change's transaction. */
export async function bumpLists(tx: SqlTx, listIds: readonly number[]): Promise<void> {
  const unique = [...new Set(listIds)].sort((a, b) => a - b);
  if (unique.length === 0) return;
  // Sorted: two transactions touching the same lists lock them in the same order (no deadlock).
  await tx.query('UPDATE status_lists SET version = version + 1 WHERE id = ANY($1::int[])', [
    unique,
  ]);
}

/** Publish the lists a committed change touched, before answering. */
export async function publishLists(ctx: IssuerContext, listIds: readonly number[]): Promise<void> {
  await Promise.all([...new Set(listIds)].map((id) => ctx.publisher.publish(id)));
}

/** The outcome of a status change of one credential. */
export interface StatusChange {
  readonly credential_id: string;
  readonly status: StatusName;
  /** False when the credential already had the target status (idempotent repeat). */
  readonly changed: boolean;
}

/**
 * Revoke, suspend or reinstate one credential (audited as `credential.<action>`).
 * ERR_ISSUER_CREDENTIAL_NOT_FOUND for an unknown id; ERR_ISSUER_STATUS_TRANSITION when the
 * current status does not allow it (e.g. reinstating a revoked credential). Repeating the same
 * action is answered with the current status and changes nothing.
 */
export async function changeStatus(
  ctx: IssuerContext,
  input: { readonly credentialId: string; readonly action: StatusAction; readonly actor: string },
): Promise<StatusChange> {
  const rule = RULES[input.action];
  const now = nowDate(ctx);
  const result = await ctx.sql.transaction(async (tx) => {
    const u = await tx.query<{ list_id: number }>(
      `UPDATE credentials SET status = $2, status_changed_at = $3
        WHERE id = $1 AND status = ANY($4::smallint[]) RETURNING list_id`,
      [input.credentialId, rule.to, now, rule.from],
    );
    const row = u.rows[0];
    if (row === undefined) {
      const s = await tx.query<{ status: number }>('SELECT status FROM credentials WHERE id = $1', [
        input.credentialId,
      ]);
      const current = s.rows[0];
      if (current === undefined) {
        throw new OpenMidError('ERR_ISSUER_CREDENTIAL_NOT_FOUND', 'No such credential');
      }
      if (current.status === rule.to) return { listId: undefined, status: current.status };
      throw new OpenMidError(
        'ERR_ISSUER_STATUS_TRANSITION',
        `Cannot ${input.action} a ${statusName(current.status)} credential`,
        { details: { status: statusName(current.status), action: input.action } },
      );
    }
    await bumpLists(tx, [row.list_id]);
    await appendAudit(tx, {
      actor: input.actor,
      action: `credential.${input.action}`,
      subject: `credential:${input.credentialId}`,
      details: { status: statusName(rule.to) },
    });
    return { listId: row.list_id, status: rule.to };
  });
  if (result.listId !== undefined) await publishLists(ctx, [result.listId]);
  return {
    credential_id: input.credentialId,
    status: statusName(result.status),
    changed: result.listId !== undefined,
  };
}

/**
 * The device of a citizen addressed by its id (the DPoP key thumbprint) or by the holder-key
 * thumbprint of any credential on it; ERR_ISSUER_CREDENTIAL_NOT_FOUND when none matches.
 */
export async function resolveDevice(
  q: Pick<SqlTx, 'query'>,
  citizenId: string,
  thumbprint: string,
): Promise<string> {
  const r = await q.query<{ device_id: string }>(
    `SELECT device_id FROM credentials
      WHERE citizen_id = $1 AND (device_id = $2 OR holder_jkt = $2) LIMIT 1`,
    [citizenId, thumbprint],
  );
  const device = r.rows[0]?.device_id;
  if (device === undefined) {
    throw new OpenMidError(
      'ERR_ISSUER_CREDENTIAL_NOT_FOUND',
      'No credential of this citizen on that device',
    );
  }
  return device;
}

/** The outcome of a bulk status change. */
export interface BulkStatusChange {
  readonly status: StatusName;
  /** Credentials changed by this call. */
  readonly credentials: readonly { readonly credential_id: string; readonly status: StatusName }[];
  readonly count: number;
}

/**
 * Suspend in `tx` every VALID credential of a citizen bound to a device; returns ids and lists.
 */
export async function suspendDeviceInTx(
  tx: SqlTx,
  ctx: IssuerContext,
  input: { readonly citizenId: string; readonly deviceId: string },
): Promise<{ ids: string[]; lists: number[] }> {
  const u = await tx.query<{ id: string; list_id: number }>(
    `UPDATE credentials SET status = 2, status_changed_at = $3
      WHERE citizen_id = $1 AND device_id = $2 AND status = 0 RETURNING id, list_id`,
    [input.citizenId, input.deviceId, nowDate(ctx)],
  );
  const lists = u.rows.map((r) => r.list_id);
  await bumpLists(tx, lists);
  return { ids: u.rows.map((r) => r.id), lists };
}

/**
 * Suspend everything bound to one device of a citizen in ONE transaction (lost phone, DOMAIN.md
 * §1.2), audited as `device.suspend`.
 */
export async function suspendDevice(
  ctx: IssuerContext,
  input: { readonly citizenId: string; readonly thumbprint: string; readonly actor: string },
): Promise<BulkStatusChange & { readonly device_id: string }> {
  const out = await ctx.sql.transaction(async (tx) => {
    const deviceId = await resolveDevice(tx, input.citizenId, input.thumbprint);
    const r = await suspendDeviceInTx(tx, ctx, { citizenId: input.citizenId, deviceId });
    await appendAudit(tx, {
      actor: input.actor,
      action: 'device.suspend',
      subject: `citizen:${input.citizenId}`,
      details: { device: deviceId, count: r.ids.length },
    });
    return { deviceId, ...r };
  });
  await publishLists(ctx, out.lists);
  return {
    device_id: out.deviceId,
    status: 'suspended',
    count: out.ids.length,
    credentials: out.ids.map((id) => ({ credential_id: id, status: 'suspended' as const })),
  };
}

/**
 * Revoke every credential of a citizen (optionally of some types), e.g. the plastic resident card
 * was reported lost (DOMAIN.md §1.2), in one transaction audited as `citizen.revoke_all`.
 */
export async function revokeCitizen(
  ctx: IssuerContext,
  input: { readonly citizenId: string; readonly types?: readonly string[]; readonly actor: string },
): Promise<BulkStatusChange> {
  const out = await ctx.sql.transaction(async (tx) => {
    const u = await tx.query<{ id: string; list_id: number }>(
      `UPDATE credentials SET status = 1, status_changed_at = $2
        WHERE citizen_id = $1 AND status IN (0, 2)
          AND ($3::text[] IS NULL OR type = ANY($3::text[]))
        RETURNING id, list_id`,
      [input.citizenId, nowDate(ctx), input.types === undefined ? null : [...input.types]],
    );
    await bumpLists(
      tx,
      u.rows.map((r) => r.list_id),
    );
    await appendAudit(tx, {
      actor: input.actor,
      action: 'citizen.revoke_all',
      subject: `citizen:${input.citizenId}`,
      details: { count: u.rows.length, types: input.types === undefined ? null : [...input.types] },
    });
    return u.rows;
  });
  await publishLists(
    ctx,
    out.map((r) => r.list_id),
  );
  return {
    status: 'revoked',
    count: out.length,
    credentials: out.map((r) => ({ credential_id: r.id, status: 'revoked' as const })),
  };
}

/** A credential as the admin API lists it: ids, type, status, device — no personal data. */
export interface CredentialSummary {
  readonly credential_id: string;
  readonly citizen_id: string;
  readonly type: string;
  readonly status: StatusName;
  readonly device_id: string;
  readonly holder_key_thumbprint: string;
  readonly status_list: { readonly id: number; readonly idx: number };
  readonly issued_at: string;
  readonly expires_at: string;
  readonly accepted: boolean;
}

/** List credentials by citizen, device (id or holder thumbprint) or id; newest first, ≤ 500. */
export async function listCredentials(
  ctx: IssuerContext,
  filter: {
    readonly citizenId?: string;
    readonly device?: string;
    readonly credentialId?: string;
    readonly limit?: number;
  },
): Promise<CredentialSummary[]> {
  const r = await ctx.sql.query<{
    id: string;
    citizen_id: string;
    type: string;
    status: number;
    device_id: string;
    holder_jkt: string;
    list_id: number;
    idx: number;
    issued_at: Date;
    expires_at: Date;
    notified: string | null;
  }>(
    `SELECT id, citizen_id, type, status, device_id, holder_jkt, list_id, idx, issued_at,
            expires_at, notified
       FROM credentials
      WHERE ($1::text IS NULL OR citizen_id = $1)
        AND ($2::text IS NULL OR device_id = $2 OR holder_jkt = $2)
        AND ($3::text IS NULL OR id = $3)
      ORDER BY issued_at DESC, id LIMIT $4`,
    [
      filter.citizenId ?? null,
      filter.device ?? null,
      filter.credentialId ?? null,
      Math.min(filter.limit ?? 100, 500),
    ],
  );
  return r.rows.map((row) => ({
    credential_id: row.id,
    citizen_id: row.citizen_id,
    type: row.type,
    status: statusName(row.status),
    device_id: row.device_id,
    holder_key_thumbprint: row.holder_jkt,
    status_list: { id: row.list_id, idx: row.idx },
    issued_at: row.issued_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    accepted: row.notified === 'credential_accepted',
  }));
}
