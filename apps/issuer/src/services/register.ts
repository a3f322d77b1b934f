/**
 * @module services/register
 * The agency's registry of record (issue 3 §2): citizens and their agency records (resident
 * register, driving-licence register…) in the issuer's own tables. Personal data is sealed per
 * record with server-kit's record cipher (associated data = table + id, so a ciphertext moved to
 * another row does not open); the only index over personal data is a keyed blind index (HMAC) of
 * the resident number, and identity-provider subjects are linked through a blind index too.
 *
 * Records hold the issuer INPUT claims, validated with the profile's schema on import
 * (`buildSubjectClaims`); the derived claims (ages) are computed at each issuance, on its day.
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  buildSubjectClaims,
  CREDENTIAL_TYPE_NAMES,
  type CredentialTypeName,
  findCredentialType,
} from '@openmid/profile-kr';
import { appendAudit, type SqlTx } from '@openmid/server-kit';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import { type IssuerContext, nowDate } from '../context.js';
import { demoSubjectOf } from '../idp/subject.js';
import { hmac } from '../secrets.js';

/** A citizen id: non-personal, chosen by the agency (letters, digits, `-`, `_`, `.`). */
export const CITIZEN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The identity part of a citizen, sealed in `citizens.identity_sealed`. */
export interface CitizenIdentity {
  readonly name?: string;
  readonly rrn?: string;
}

/** One record to store: a citizen's claims for one credential type. */
export interface RegisterRecord {
  readonly citizenId: string;
  readonly type: CredentialTypeName;
  /** Issuer input claims, already validated. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Subject at the configured identity provider (linked through a blind index). */
  readonly idpSubject?: string;
}

/** The blind index of a value of `kind` (HMAC under the register's key). */
export function blindIndex(
  ctx: Pick<IssuerContext, 'secrets'>,
  kind: string,
  value: string,
): string {
  return hmac(ctx.secrets.mac.blind, kind, value).toString('base64url');
}

/** The identity-provider name used in `idp_links` for the configured provider. */
export function idpName(ctx: Pick<IssuerContext, 'config' | 'urls'>): string {
  return ctx.config.ISSUER_IDP_URL ?? `${ctx.urls.issuer}/demo-idp`;
}

/**
 * Validate `claims` for `type` against the profile (on the issuance day `now`); throws
 * ERR_PROFILE_CLAIMS_INVALID with claim paths only.
 */
export function validateRecord(type: string, claims: unknown, now: Date): CredentialTypeName {
  const t = findCredentialType(type);
  buildSubjectClaims(t, claims, { issuedAt: now });
  return t.name;
}

/**
 * Store records (insert or replace) inside `tx`. Does not audit: the caller records one entry for
 * the whole chunk.
 */
export async function storeRecords(
  tx: SqlTx,
  ctx: IssuerContext,
  records: readonly RegisterRecord[],
): Promise<void> {
  const now = nowDate(ctx);
  const idp = idpName(ctx);
  const ids: string[] = [];
  const rrnIdx: (string | null)[] = [];
  const identities: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.citizenId)) continue;
    seen.add(r.citizenId);
    const name = typeof r.claims['name'] === 'string' ? r.claims['name'] : undefined;
    const rrn = typeof r.claims['rrn'] === 'string' ? r.claims['rrn'] : undefined;
    const identity: CitizenIdentity = {
      ...(name === undefined ? {} : { name }),
      ...(rrn === undefined ? {} : { rrn }),
    };
    ids.push(r.citizenId);
    rrnIdx.push(rrn === undefined ? null : blindIndex(ctx, 'rrn', rrn.replace('-', '')));
    identities.push(await ctx.cipher.sealJson(identity, { table: 'citizens', id: r.citizenId }));
  }
  // A citizen row per id; the identity is refreshed by the latest import.
  await tx.query(
    `INSERT INTO citizens (id, rrn_index, identity_sealed, created_at, updated_at)
     SELECT u.id, u.rrn_index, u.identity_sealed, $4, $4
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, rrn_index, identity_sealed)
     ON CONFLICT (id) DO UPDATE SET identity_sealed = EXCLUDED.identity_sealed,
       rrn_index = COALESCE(EXCLUDED.rrn_index, citizens.rrn_index), updated_at = EXCLUDED.updated_at`,
    [ids, rrnIdx as string[], identities, now],
  );
  const rc: string[] = [];
  const rt: string[] = [];
  const rs: string[] = [];
  // One row per (citizen, type) and per subject in a statement: the last one wins.
  const latest = new Map(records.map((r) => [`${r.citizenId}/${r.type}`, r]));
  for (const r of latest.values()) {
    rc.push(r.citizenId);
    rt.push(r.type);
    rs.push(
      await ctx.cipher.sealJson(r.claims, {
        table: 'register_records',
        id: `${r.citizenId}/${r.type}`,
      }),
    );
  }
  await tx.query(
    `INSERT INTO register_records (citizen_id, type, claims_sealed, updated_at)
     SELECT u.c, u.t, u.s, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(c, t, s)
     ON CONFLICT (citizen_id, type) DO UPDATE SET claims_sealed = EXCLUDED.claims_sealed,
       updated_at = EXCLUDED.updated_at`,
    [rc, rt, rs, now],
  );
  const linked = [
    ...new Map(
      records.filter((r) => r.idpSubject !== undefined).map((r) => [r.idpSubject, r]),
    ).values(),
  ];
  if (linked.length > 0) {
    await tx.query(
      `INSERT INTO idp_links (idp, subject_index, citizen_id)
       SELECT $1, u.s, u.c FROM unnest($2::text[], $3::text[]) AS u(s, c)
       ON CONFLICT (idp, subject_index) DO UPDATE SET citizen_id = EXCLUDED.citizen_id`,
      [
        idp,
        linked.map((r) => blindIndex(ctx, 'idp', r.idpSubject as string)),
        linked.map((r) => r.citizenId),
      ],
    );
  }
}

/** The stored input claims of a citizen for a type; ERR_ISSUER_CITIZEN_NOT_FOUND when none. */
export async function readRecord(
  ctx: IssuerContext,
  citizenId: string,
  type: string,
): Promise<Record<string, unknown>> {
  const r = await ctx.sql.query<{ claims_sealed: string }>(
    'SELECT claims_sealed FROM register_records WHERE citizen_id = $1 AND type = $2',
    [citizenId, type],
  );
  const row = r.rows[0];
  if (row === undefined) {
    throw new OpenMidError(
      'ERR_ISSUER_CITIZEN_NOT_FOUND',
      'The citizen has no record for this credential type',
    );
  }
  return ctx.cipher.openJson<Record<string, unknown>>(row.claims_sealed, {
    table: 'register_records',
    id: `${citizenId}/${type}`,
  });
}

/** Throw ERR_ISSUER_CITIZEN_NOT_FOUND unless the citizen has a record of `type` (no decryption). */
export async function assertRecordExists(
  q: Pick<SqlTx, 'query'>,
  citizenId: string,
  type: string,
): Promise<void> {
  const r = await q.query('SELECT 1 FROM register_records WHERE citizen_id = $1 AND type = $2', [
    citizenId,
    type,
  ]);
  if (r.rowCount === 0) {
    throw new OpenMidError(
      'ERR_ISSUER_CITIZEN_NOT_FOUND',
      'The citizen has no record for this credential type',
    );
  }
}

/** The citizen linked to an identity-provider subject, or undefined. */
export async function citizenOfSubject(
  ctx: IssuerContext,
  subject: string,
): Promise<string | undefined> {
  const r = await ctx.sql.query<{ citizen_id: string }>(
    'SELECT citizen_id FROM idp_links WHERE idp = $1 AND subject_index = $2',
    [idpName(ctx), blindIndex(ctx, 'idp', subject)],
  );
  return r.rows[0]?.citizen_id;
}

/** A citizen as the admin API shows it. */
export interface CitizenView {
  readonly id: string;
  readonly types: readonly string[];
  /** Only with the `credentials:read-pii` scope. */
  readonly identity?: CitizenIdentity;
}

/** Read a citizen; the identity is decrypted only when `pii` is true. */
export async function readCitizen(
  ctx: IssuerContext,
  citizenId: string,
  options: { readonly pii: boolean },
): Promise<CitizenView> {
  const r = await ctx.sql.query<{ identity_sealed: string; types: string[] | null }>(
    `SELECT c.identity_sealed,
            ARRAY(SELECT type FROM register_records WHERE citizen_id = c.id ORDER BY type) AS types
       FROM citizens c WHERE c.id = $1`,
    [citizenId],
  );
  const row = r.rows[0];
  if (row === undefined) throw new OpenMidError('ERR_ISSUER_CITIZEN_NOT_FOUND', 'No such citizen');
  const view: CitizenView = { id: citizenId, types: row.types ?? [] };
  if (!options.pii) return view;
  const identity = await ctx.cipher.openJson<CitizenIdentity>(row.identity_sealed, {
    table: 'citizens',
    id: citizenId,
  });
  return { ...view, identity };
}

/** Find a citizen id by resident number through the blind index. */
export async function findCitizenByRrn(
  ctx: IssuerContext,
  rrn: string,
): Promise<string | undefined> {
  const r = await ctx.sql.query<{ id: string }>('SELECT id FROM citizens WHERE rrn_index = $1', [
    blindIndex(ctx, 'rrn', rrn.replace('-', '')),
  ]);
  return r.rows[0]?.id;
}

/** The id of the i-th demo citizen. */
export function demoCitizenId(index: number): string {
  return `demo-${String(index).padStart(7, '0')}`;
}

/** The credential types a demo citizen holds. */
function demoTypes(c: ReturnType<typeof citizenAt>): CredentialTypeName[] {
  const types: CredentialTypeName[] = ['resident-id', 'driving-licence'];
  if (c.disability !== undefined) types.push('disability');
  if (c.work !== undefined)
    types.push(c.work.kind === 'public-servant' ? 'public-servant' : 'employee-id');
  return types.filter((t) => CREDENTIAL_TYPE_NAMES.includes(t));
}

/**
 * Seed an EMPTY register with `count` synthetic citizens (deterministic from `seed`), each with a
 * resident record, a driving-licence record and, where the generator says so, disability and
 * work records, linked to the demo identity provider. Idempotent and resumable: chunks of 500
 * are inserted with ON CONFLICT, one audit entry per chunk. Returns the number seeded.
 */
export async function seedDemoRegister(
  ctx: IssuerContext,
  options: { readonly count: number; readonly seed: string },
): Promise<number> {
  if (options.count <= 0) return 0;
  const existing = await ctx.sql.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM citizens WHERE id LIKE 'demo-%'",
  );
  const have = Number(existing.rows[0]?.n ?? 0);
  if (have >= options.count) return 0;
  const now = nowDate(ctx);
  const CHUNK = 500;
  let seeded = 0;
  for (let start = have; start < options.count; start += CHUNK) {
    const records: RegisterRecord[] = [];
    const end = Math.min(options.count, start + CHUNK);
    for (let i = start; i < end; i++) {
      const citizen = citizenAt(options.seed, i);
      for (const type of demoTypes(citizen)) {
        let claims: Record<string, unknown>;
        try {
          claims = claimsFor(type, citizen, { issuedAt: now });
          validateRecord(type, claims, now);
        } catch {
          continue; // too young for this credential on this day
        }
        records.push({
          citizenId: demoCitizenId(i),
          type,
          claims,
          idpSubject: demoSubjectOf(citizen.rrn),
        });
      }
    }
    await ctx.sql.transaction(async (tx) => {
      await storeRecords(tx, ctx, records);
      await appendAudit(tx, {
        actor: 'system',
        action: 'register.seed',
        details: { from: start, to: end, records: records.length },
      });
    });
    seeded += end - start;
  }
  return seeded;
}

/** Type guard for CredentialTypeName. */
export function isTypeName(value: string): value is CredentialTypeName {
  return (CREDENTIAL_TYPE_NAMES as readonly string[]).includes(value);
}
