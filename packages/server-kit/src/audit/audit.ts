/**
 * @module audit
 * The tamper-evident audit log (SECURITY.md "Trust ledger and audit log"). Every state change
 * (offer created, credential issued, status changed, admin login, API key created…) appends one
 * entry IN THE SAME TRANSACTION as the change, so there is never a change without its entry nor an
 * entry without its change (the caller passes its `tx`; the type demands a transaction handle).
 *
 * Hash chain: entry n stores `prev_hash` (= hash of entry n-1; 32 zero bytes for the first) and
 * `hash = SHA-256(prev_hash ‖ canonical bytes of the entry)`, where the canonical bytes are the
 * JSON of `{ v, seq, at, actor, action, subject, details }` with object keys sorted at every
 * level (no whitespace; strings and numbers as JSON.stringify writes them). Appends are serialised
 * by a row lock on the single `audit_head` row (SELECT … FOR UPDATE), so the chain stays linear
 * under any number of concurrent writers; the lock is held until the caller's transaction ends.
 *
 * What the chain detects: an edited, reordered or deleted row, and a truncated tail as long as the
 * head row was not rewritten too. An attacker with write access who rewrites the tail AND the head
 * consistently is only caught against a head anchored elsewhere: sign the head with
 * {@link signAuditHead} and anchor it outside the database (the trust ledger, later), then verify
 * with `{ anchor }`.
 *
 * Details must be non-personal: ids, codes, counts, types (never a name, resident number, address,
 * token, code or PIN). Keys on the logger's deny list are refused (ERR_AUDIT_ENTRY_INVALID), values
 * are limited to JSON scalars, arrays and objects, 4 KiB in all.
 */
import { createHash } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import { signCompactJws, verifyCompactJws } from '@openmid/core/jose';
import type { Signer, Verifier } from '@openmid/core/keys';
import { isSensitiveKey } from '../log/logger.js';
import type { Migration } from '../store/migrate.js';
import type { Sql, SqlTx } from '../store/sql.js';

const ZERO_HASH = '0'.repeat(64);
/** Hash format of new entries: 2 covers the chain and the position in it (1: before chains). */
const FORMAT_VERSION = 2;
const MAX_DETAILS_BYTES = 4096;

/** The audit tables; part of {@link SERVER_KIT_MIGRATIONS}. */
export const AUDIT_MIGRATION: Migration = {
  id: 'server-kit/001-audit-log',
  sql: `
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text,
  details jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE TABLE audit_head (
  id smallint PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${ZERO_HASH}');
`,
};

/** A JSON value allowed in audit details. */
export type AuditValue =
  | string
  | number
  | boolean
  | null
  | readonly AuditValue[]
  | { readonly [key: string]: AuditValue };

/** What the caller records. */
export interface AuditInput {
  /** Who: `apikey:<id>`, `system`, `operator:<id>`, `citizen:<pseudonymous id>` — never a name. */
  readonly actor: string;
  /** What, as a dotted verb: `offer.create`, `credential.revoke`, `api_key.create`. */
  readonly action: string;
  /** The object acted on, by id: `credential:<id>`; null when none. */
  readonly subject?: string | null;
  /** Non-personal context: ids, codes, counts. */
  readonly details?: { readonly [key: string]: AuditValue };
}

/** A stored audit entry. */
export interface AuditEntry {
  /** Global, ordered identifier (gaps possible where a transaction rolled back). */
  readonly seq: number;
  /** The chain (1…{@link AUDIT_CHAINS}) and the dense position in it. */
  readonly chain: number;
  readonly chainSeq: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly subject: string | null;
  readonly details: { readonly [key: string]: AuditValue };
  readonly prevHash: string;
  readonly hash: string;
}

/** Options of {@link appendAudit}. */
export interface AppendAuditOptions {
  /** Clock for `at`; default `new Date()`. */
  readonly now?: () => Date;
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_AUDIT_ENTRY_INVALID', message);
}

const ACTION = /^[a-z][a-z0-9_]*(?:[.:][a-z0-9_]+)*$/;
const PRINTABLE = /^[\x21-\x7e]{1,200}$/;

function checkValue(v: unknown, depth: number): void {
  if (depth > 6) throw invalid('Audit details nest too deeply');
  if (v === null || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalid('Audit details numbers must be finite');
    return;
  }
  if (typeof v === 'string') {
    if (v.includes('\u0000')) throw invalid('Audit details strings must not contain NUL');
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) checkValue(x, depth + 1);
    return;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) {
      if (isSensitiveKey(k)) throw invalid('Audit details must not carry personal data or secrets');
      checkValue(x, depth + 1);
    }
    return;
  }
  throw invalid('Audit details must be plain JSON');
}

function checkInput(entry: AuditInput): void {
  if (!PRINTABLE.test(entry.actor)) throw invalid('Audit actor must be a printable id');
  if (!ACTION.test(entry.action) || entry.action.length > 100) {
    throw invalid('Audit action must be a dotted lower-case verb');
  }
  const subject = entry.subject ?? null;
  if (subject !== null && !PRINTABLE.test(subject)) throw invalid('Audit subject must be an id');
  checkValue(entry.details ?? {}, 0);
}

/** JSON with object keys sorted at every level: the canonical form hashed by the chain. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256Hex(prevHash: string, canonical: string): string {
  return createHash('sha256')
    .update(Buffer.from(prevHash, 'hex'))
    .update(canonical, 'utf8')
    .digest('hex');
}

/** hash = SHA-256(prev_hash ‖ canonical bytes of the entry, chain and position included), hex. */
export function entryHash(prevHash: string, entry: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  return sha256Hex(
    prevHash,
    canonicalJson({
      v: FORMAT_VERSION,
      seq: entry.seq,
      chain: entry.chain,
      chain_seq: entry.chainSeq,
      at: entry.at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      details: entry.details,
    }),
  );
}

/** The format-1 hash of entries written before the chains existed. */
function entryHashV1(
  prevHash: string,
  entry: Omit<AuditEntry, 'prevHash' | 'hash' | 'chain' | 'chainSeq'>,
): string {
  return sha256Hex(
    prevHash,
    canonicalJson({
      v: 1,
      seq: entry.seq,
      at: entry.at.toISOString(),
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      details: entry.details,
    }),
  );
}

/**
 * Audit chains: the log is split into {@link AUDIT_CHAINS} independent hash chains. An appender
 * takes whichever chain no other transaction holds (`FOR UPDATE SKIP LOCKED`), so up to that many
 * transactions append concurrently instead of queuing behind one head row — the single chain
 * capped a whole issuer at ≈ 1,000–1,400 audited transactions/s. Each entry still belongs to
 * exactly one chain, with dense per-chain positions (`chain_seq`) and a link to its predecessor,
 * so an edit, a deletion or a reordering anywhere is detected; `seq` is a global, ordered
 * identifier (from a sequence: a rolled-back transaction leaves a gap, which is harmless).
 */
export const AUDIT_CHAINS = 8;

/** Converts the single chain of migration 001 into {@link AUDIT_CHAINS} chains; part of SERVER_KIT_MIGRATIONS. */
export const AUDIT_CHAINS_MIGRATION: Migration = {
  id: 'server-kit/003-audit-chains',
  sql: `
ALTER TABLE audit_log ADD COLUMN chain smallint NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN chain_seq bigint;
UPDATE audit_log SET chain_seq = seq;
ALTER TABLE audit_log ALTER COLUMN chain_seq SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN chain DROP DEFAULT;
ALTER TABLE audit_log ADD COLUMN format smallint NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX audit_log_chain_pos ON audit_log (chain, chain_seq);
ALTER TABLE audit_head DROP CONSTRAINT IF EXISTS audit_head_id_check;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_chain_range CHECK (id BETWEEN 1 AND ${AUDIT_CHAINS});
INSERT INTO audit_head (id, seq, hash) SELECT g, 0, '${ZERO_HASH}' FROM generate_series(2, ${AUDIT_CHAINS}) AS g;
CREATE SEQUENCE audit_seq;
SELECT setval('audit_seq', (SELECT COALESCE(max(seq), 0) + 1 FROM audit_log), false);
`,
};

/** The chain a transaction already holds: a transaction appends to one chain only (no deadlock). */
const heldChain = new WeakMap<SqlTx, number>();

interface HeadRow {
  id: number;
  seq: number;
  hash: string;
  next: number;
}

/**
 * Append one entry to an audit chain inside the caller's transaction. Returns the stored entry.
 *
 * The chain's head row stays locked until the caller's transaction ends; other transactions take
 * other chains meanwhile, so concurrency is bounded by {@link AUDIT_CHAINS}, not by one lock. A
 * transaction that appends several entries keeps its chain. Record a batch (e.g. 1 000 offers) as
 * one entry with a count rather than one entry per row.
 *
 * @example
 * ```ts
 * await sql.transaction(async (tx) => {
 *   await tx.query('UPDATE credentials SET status = 1 WHERE id = $1', [id])
 *   await appendAudit(tx, { actor: `apikey:${keyId}`, action: 'credential.revoke', subject: `credential:${id}` })
 * })
 * ```
 */
export async function appendAudit(
  tx: SqlTx,
  entry: AuditInput,
  options: AppendAuditOptions = {},
): Promise<AuditEntry> {
  if (tx.transactional !== true) throw invalid('appendAudit needs the caller transaction');
  checkInput(entry);
  const details = entry.details ?? {};
  const json = canonicalJson(details);
  if (Buffer.byteLength(json, 'utf8') > MAX_DETAILS_BYTES) throw invalid('Audit details too large');
  const head = await lockChain(tx);
  // Millisecond precision: what timestamptz stores and Date returns, so the hash recomputes.
  const at = new Date((options.now?.() ?? new Date()).getTime());
  const stored = {
    seq: Number(head.next),
    chain: Number(head.id),
    chainSeq: Number(head.seq) + 1,
    at,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    details: JSON.parse(json) as { [key: string]: AuditValue },
  };
  const hash = entryHash(head.hash, stored);
  await tx.query(
    `WITH appended AS (
       INSERT INTO audit_log (seq, chain, chain_seq, format, at, actor, action, subject, details, prev_hash, hash)
       VALUES ($1, $2, $3, ${FORMAT_VERSION}, $4, $5, $6, $7, $8::jsonb, $9, $10)
       RETURNING chain)
     UPDATE audit_head SET seq = $3, hash = $10 FROM appended WHERE audit_head.id = appended.chain`,
    [
      stored.seq,
      stored.chain,
      stored.chainSeq,
      at,
      stored.actor,
      stored.action,
      stored.subject,
      json,
      head.hash,
      hash,
    ],
  );
  return { ...stored, prevHash: head.hash, hash };
}

/** Lock a chain head for this transaction: the one it holds, else a free one, else wait for one. */
async function lockChain(tx: SqlTx): Promise<HeadRow> {
  const held = heldChain.get(tx);
  const cols = "id, seq, hash, nextval('audit_seq') AS next";
  let rows: HeadRow[];
  if (held !== undefined) {
    rows = (
      await tx.query<HeadRow>(`SELECT ${cols} FROM audit_head WHERE id = $1 FOR UPDATE`, [held])
    ).rows;
  } else {
    // PostgreSQL §13.3.2 / SELECT … SKIP LOCKED: any chain nobody else is appending to.
    rows = (
      await tx.query<HeadRow>(
        // The locked row's own (latest) values: a join would re-read it under the statement snapshot.
        `SELECT free.id, free.seq, free.hash, nextval('audit_seq') AS next
           FROM (SELECT id, seq, hash FROM audit_head ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED) AS free`,
      )
    ).rows;
    if (rows.length === 0) {
      // Every chain busy: queue on one. This transaction holds no other chain, so no deadlock.
      const id = 1 + Math.floor(Math.random() * AUDIT_CHAINS);
      rows = (
        await tx.query<HeadRow>(`SELECT ${cols} FROM audit_head WHERE id = $1 FOR UPDATE`, [id])
      ).rows;
    }
  }
  const head = rows[0];
  if (head === undefined) throw new OpenMidError('ERR_AUDIT_CHAIN_BROKEN', 'Audit head missing');
  heldChain.set(tx, Number(head.id));
  return head;
}

/** Why the chain is broken at a position. */
export type AuditBreak =
  | 'missing' // no row at this chain position (deleted), or the chain ends before its head / anchor
  | 'prev_hash_mismatch' // prev_hash is not the hash of the previous row (reordered, rewritten)
  | 'hash_mismatch' // the row's content does not hash to its stored hash (edited)
  | 'head_mismatch' // a head row disagrees with the last row of its chain
  | 'anchor_mismatch'; // the row at an anchored position has another hash than the anchor

/** The head of one chain. */
export interface ChainHead {
  readonly chain: number;
  /** Entries in the chain (the position of its last entry). */
  readonly seq: number;
  readonly hash: string;
}

/** The outcome of {@link verifyAuditChain}. */
export type AuditVerification =
  | { readonly ok: true; readonly count: number; readonly heads: readonly ChainHead[] }
  | {
      readonly ok: false;
      /** The chain and position where verification failed. */
      readonly chain: number;
      readonly chainSeq: number;
      /** The global `seq` of the offending row, when there is one (not for a deleted row). */
      readonly seq: number | null;
      readonly reason: AuditBreak;
      /** Entries verified before the failure, over all chains. */
      readonly checked: number;
    };

/** Trusted (signed and anchored elsewhere) chain heads to verify against. */
export interface AuditAnchor {
  readonly heads: readonly ChainHead[];
}

interface Row {
  seq: number;
  chain: number;
  chain_seq: number;
  format: number;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  details: { [key: string]: AuditValue };
  prev_hash: string;
  hash: string;
}

/**
 * Walk every chain from its first entry and report the first broken link (chains in order):
 * edited, reordered or deleted rows, a truncated tail against the head rows, and — given a signed
 * `anchor` kept outside the database — a truncated tail whose head rows were rewritten to match.
 */
export async function verifyAuditChain(
  sql: Sql,
  options: { readonly anchor?: AuditAnchor; readonly pageSize?: number } = {},
): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? 1000;
  // Read the heads first: rows appended afterwards are simply beyond them.
  const heads = (
    await sql.query<{ id: number; seq: number; hash: string }>(
      'SELECT id, seq, hash FROM audit_head ORDER BY id',
    )
  ).rows.map((h) => ({ chain: Number(h.id), seq: Number(h.seq), hash: h.hash }));
  let checked = 0;
  const fail = (
    chain: number,
    chainSeq: number,
    seq: number | null,
    reason: AuditBreak,
  ): AuditVerification => ({
    ok: false,
    chain,
    chainSeq,
    seq,
    reason,
    checked,
  });
  if (heads.length !== AUDIT_CHAINS || heads.some((h, i) => h.chain !== i + 1))
    return fail(0, 0, null, 'head_mismatch');
  for (const head of heads) {
    const anchor = options.anchor?.heads.find((a) => a.chain === head.chain);
    let expected = 1;
    let prev = ZERO_HASH;
    let anchorSeen = anchor === undefined || anchor.seq === 0;
    for (;;) {
      const page = await sql.query<Row>(
        `SELECT seq, chain, chain_seq, format, at, actor, action, subject, details, prev_hash, hash
           FROM audit_log WHERE chain = $1 AND chain_seq >= $2 AND chain_seq <= $3 ORDER BY chain_seq LIMIT $4`,
        [head.chain, expected, head.seq, pageSize],
      );
      for (const row of page.rows) {
        const pos = Number(row.chain_seq);
        const seq = Number(row.seq);
        if (pos !== expected) return fail(head.chain, expected, null, 'missing');
        if (row.prev_hash !== prev) return fail(head.chain, pos, seq, 'prev_hash_mismatch');
        const recomputed = hashOfRow(prev, row);
        if (recomputed !== row.hash) return fail(head.chain, pos, seq, 'hash_mismatch');
        if (anchor !== undefined && pos === anchor.seq) {
          if (row.hash !== anchor.hash) return fail(head.chain, pos, seq, 'anchor_mismatch');
          anchorSeen = true;
        }
        prev = row.hash;
        expected = pos + 1;
        checked++;
      }
      if (page.rows.length < pageSize) break;
    }
    if (expected - 1 < head.seq) return fail(head.chain, expected, null, 'missing');
    if (head.hash !== prev) return fail(head.chain, head.seq, null, 'head_mismatch');
    // The anchored entry lies beyond the head: the tail was truncated (head rewritten with it).
    if (!anchorSeen) return fail(head.chain, expected, null, 'missing');
  }
  return { ok: true, count: checked, heads };
}

function hashOfRow(prev: string, row: Row): string {
  const base = {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: row.details,
  };
  // Rows written before the chains existed (format 1) hash without chain and chain_seq.
  return Number(row.format) === 1
    ? entryHashV1(prev, base)
    : entryHash(prev, { ...base, chain: Number(row.chain), chainSeq: Number(row.chain_seq) });
}

/**
 * Throw ERR_AUDIT_CHAIN_BROKEN (details: chain, chainSeq, seq, reason) unless the chains verify.
 */
export async function assertAuditChain(
  sql: Sql,
  options: { readonly anchor?: AuditAnchor } = {},
): Promise<{ count: number; heads: readonly ChainHead[] }> {
  const r = await verifyAuditChain(sql, options);
  if (!r.ok) {
    throw new OpenMidError(
      'ERR_AUDIT_CHAIN_BROKEN',
      `Audit chain ${r.chain} broken at position ${r.chainSeq}`,
      { details: { chain: r.chain, chainSeq: r.chainSeq, seq: r.seq, reason: r.reason } },
    );
  }
  return { count: r.count, heads: r.heads };
}

/** The JOSE `typ` of a signed audit head. */
export const AUDIT_HEAD_TYP = 'openmid-audit-head+jwt';

/**
 * Sign the current chain heads (and iat) as a compact JWS. Tail truncation together with rewritten
 * heads is only detectable against such heads kept OUTSIDE the database (the trust ledger anchors
 * them); verify with `verifyAuditChain(sql, { anchor: await readAuditHead(…) })`.
 */
export async function signAuditHead(
  sql: Sql,
  signer: Signer,
  options: { readonly now?: () => Date } = {},
): Promise<{ heads: readonly ChainHead[]; jws: string }> {
  const r = await sql.query<{ id: number; seq: number; hash: string }>(
    'SELECT id, seq, hash FROM audit_head ORDER BY id',
  );
  if (r.rows.length !== AUDIT_CHAINS)
    throw new OpenMidError('ERR_AUDIT_CHAIN_BROKEN', 'Audit heads missing');
  const heads = r.rows.map((h) => ({ chain: Number(h.id), seq: Number(h.seq), hash: h.hash }));
  const iat = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const jws = await signCompactJws(
    { heads: heads.map((h) => [h.chain, h.seq, h.hash]), iat },
    { typ: AUDIT_HEAD_TYP, signer },
  );
  return { heads, jws };
}

/** Verify a signed audit head and return it as an anchor for {@link verifyAuditChain}. */
export async function readAuditHead(jws: string, verifier: Verifier): Promise<AuditAnchor> {
  const { payload } = await verifyCompactJws(jws, { typ: AUDIT_HEAD_TYP, key: verifier });
  const raw = payload['heads'];
  const bad = () => new OpenMidError('ERR_AUDIT_ENTRY_INVALID', 'Signed audit head is malformed');
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > AUDIT_CHAINS) throw bad();
  const heads = raw.map((h: unknown) => {
    if (!Array.isArray(h) || h.length !== 3) throw bad();
    const [chain, seq, hash] = h as unknown[];
    if (
      typeof chain !== 'number' ||
      !Number.isInteger(chain) ||
      chain < 1 ||
      chain > AUDIT_CHAINS ||
      typeof seq !== 'number' ||
      !Number.isSafeInteger(seq) ||
      seq < 0 ||
      typeof hash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(hash)
    ) {
      throw bad();
    }
    return { chain, seq, hash };
  });
  return { heads };
}
