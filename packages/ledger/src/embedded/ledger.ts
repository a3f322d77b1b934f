/**
 * @module embedded/ledger
 * The embedded backend: an append-only RFC 9162 Merkle log in the SQL store of server-kit
 * (PGlite or PostgreSQL). Node only.
 *
 * Appends. Every append (or batch) runs in one transaction that first takes a transaction-scoped
 * advisory lock (PostgreSQL §13.3.5), so appends from any number of processes are serialised; it
 * catches the in-memory trust state up with rows other processes appended, validates the entry
 * with the shared state machine, then writes the record, the perfect Merkle nodes the new leaf
 * completes (amortised two rows), the subject's new tail and the new head. A refused entry (or
 * batch) rolls back: nothing changes, in SQL or in memory.
 *
 * Memory. The process keeps the state of governance, issuers, relying parties and status lists
 * (thousands of subjects); document anchors (millions) stay in SQL and are answered by proofs.
 */
import {
  type CryptoProvider,
  jwkThumbprint,
  OpenMidError,
  type Signer,
  systemClock,
} from '@openmid/core';
import type { Sql, SqlQueryable } from '@openmid/server-kit';
import {
  entryIdOf,
  type ParsedEntry,
  parseEntry,
  type SignedEntry,
  subjectClassOf,
} from '../entry.js';
import { type SignedTreeHead, type TrustedKey, toVerifier } from '../heads.js';
import { concatBytes, fromHex, toHex } from '../internal/bytes.js';
import {
  type AppendReceipt,
  entryIdArg,
  type LedgerViews,
  ledgerViews,
  type TrustLedger,
} from '../ledger.js';
import { prepareAppend, proofRecordOf } from '../memory.js';
import { type Hash, leafHash, type NodeGetter, type NodeKey, nodeHash } from '../merkle.js';
import type { LogSource, StoredRecord } from '../proof.js';
import { applyEntry, createLedgerState, type LedgerState, type VerifierCache } from '../state.js';

/** Options of {@link openEmbeddedLedger}. */
export interface EmbeddedLedgerOptions {
  /** The SQL store, migrated with `LEDGER_MIGRATIONS`. */
  readonly sql: Sql;
  /** The log key (ES256): signs tree heads and subject indexes; fixed at genesis. */
  readonly signer: Signer;
  /** The log clock in seconds (default: the system clock). */
  readonly clock?: () => number;
  readonly crypto?: CryptoProvider;
}

/** The embedded ledger: a {@link TrustLedger} plus a bulk append. */
export interface EmbeddedLedger extends TrustLedger {
  /**
   * Validate and append many entries in one transaction (all or nothing): the fast path for
   * imports and bulk anchoring. Each entry is checked exactly as {@link TrustLedger.append} does.
   */
  appendBatch(entries: readonly SignedEntry[]): Promise<AppendReceipt[]>;
}

/** Advisory lock key of the ledger's appends: ('omid', 'lg' = 0x6c67). */
const LOCK = 'SELECT pg_advisory_xact_lock(1869440356, 27751)';

interface MetaRow {
  ledger_id: Uint8Array;
  log_key: string;
  tree_size: number | bigint | string;
  frontier: Uint8Array;
  root: Uint8Array;
}

interface RecordRow {
  idx: number | string;
  log_time: number | string;
  prev: number | string | null;
  kind: number;
  subject: Uint8Array;
  record: Uint8Array;
  entry: string;
}

const RECORD_COLUMNS = 'idx, log_time, prev, kind, subject, record, entry';

function n(v: number | bigint | string | null): number {
  return Number(v);
}

function toStored(row: RecordRow): StoredRecord {
  return {
    index: n(row.idx),
    time: n(row.log_time),
    prev: row.prev === null ? null : n(row.prev),
    kind: row.kind,
    subject: row.subject,
    record: row.record,
    entry: JSON.parse(row.entry) as SignedEntry,
  };
}

/**
 * The single-column key of a perfect node: index · 64 + level (levels stay below 64; indices
 * below 2^47), so a batch of nodes is one `key = ANY(array)` index lookup.
 */
function nodeKey(level: number, index: number): number {
  return index * 64 + level;
}

function decodeFrontier(bytes: Uint8Array): Hash[] {
  const out: Hash[] = [];
  for (let o = 0; o < bytes.length; o += 32) out.push(bytes.slice(o, o + 32));
  return out;
}

function foldRoot(frontier: readonly Hash[], crypto?: CryptoProvider): Hash {
  let h = frontier[frontier.length - 1] as Hash;
  for (let i = frontier.length - 2; i >= 0; i--) h = nodeHash(frontier[i] as Hash, h, crypto);
  return h;
}

/** The SQL {@link LogSource} (read-only; any connection). */
function sqlSource(sql: SqlQueryable): LogSource {
  return {
    async records(indices) {
      if (indices.length === 0) return [];
      const r = await sql.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM ledger_records WHERE idx = ANY($1::bigint[]) ORDER BY idx`,
        [indices],
      );
      if (r.rows.length !== new Set(indices).size) {
        throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such entry');
      }
      const byIdx = new Map(r.rows.map((row) => [n(row.idx), toStored(row)]));
      return indices.map((i) => byIdx.get(i) as StoredRecord);
    },
    async chains(subjects, size) {
      const r = await sql.query<{ s: string; idx: number | string }>(
        `SELECT encode(subject, 'hex') AS s, idx FROM ledger_records
         WHERE subject = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x)) AND idx < $2
         ORDER BY idx`,
        [subjects, size],
      );
      const out = new Map<string, number[]>();
      for (const row of r.rows) {
        const list = out.get(row.s) ?? [];
        list.push(n(row.idx));
        out.set(row.s, list);
      }
      return out;
    },
    async tails(subjects, size) {
      const r = await sql.query<{ s: string; m: number | string }>(
        `SELECT encode(subject, 'hex') AS s, max(idx) AS m FROM ledger_records
         WHERE subject = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x)) AND idx < $2
         GROUP BY subject`,
        [subjects, size],
      );
      return new Map(r.rows.map((row) => [row.s, n(row.m)]));
    },
    async trustTails(size) {
      const r = await sql.query<{ s: string; m: number | string }>(
        "SELECT encode(subject, 'hex') AS s, max(idx) AS m FROM ledger_records WHERE kind <= 9 AND idx < $1 GROUP BY subject",
        [size],
      );
      return new Map(r.rows.map((row) => [row.s, n(row.m)]));
    },
    async nodes(keys: readonly NodeKey[]): Promise<NodeGetter> {
      const map = new Map<number, Uint8Array>();
      if (keys.length > 0) {
        const r = await sql.query<{ key: number | string; hash: Uint8Array }>(
          'SELECT key, hash FROM ledger_nodes WHERE key = ANY($1::bigint[])',
          [keys.map((k) => nodeKey(k.level, k.index))],
        );
        for (const row of r.rows) map.set(n(row.key), row.hash);
      }
      return (level, index) => {
        const h = map.get(nodeKey(level, index));
        if (!h) throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such Merkle node');
        return h;
      };
    },
    async statusLists(size) {
      const r = await sql.query<{ label: string }>(
        'SELECT label FROM ledger_subjects WHERE kind = 10 AND first_idx < $1 ORDER BY label',
        [size],
      );
      return r.rows.map((row) => row.label.slice('status-list:'.length));
    },
  };
}

/**
 * Open the embedded ledger on a migrated store. The ledger starts empty until its genesis entry
 * is appended; afterwards the log key must stay the same (ERR_CONFIG_INVALID otherwise).
 *
 * @example
 * ```ts
 * await migrate(sql, [...SERVER_KIT_MIGRATIONS, ...LEDGER_MIGRATIONS])
 * const ledger = await openEmbeddedLedger({ sql, signer: logKey })
 * await ledger.append(genesis)
 * ```
 */
export async function openEmbeddedLedger(options: EmbeddedLedgerOptions): Promise<EmbeddedLedger> {
  const { sql, signer, crypto } = options;
  const clock = options.clock ?? systemClock;
  const logKeyId = jwkThumbprint(signer.publicJwk, 'sha-256', crypto ? { crypto } : undefined);
  const source = sqlSource(sql);
  const verifiers: VerifierCache = new Map();
  let state: LedgerState = createLedgerState({ trackDocuments: false });
  let chain = Promise.resolve() as Promise<unknown>;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  const readMeta = async (q: SqlQueryable): Promise<MetaRow | undefined> =>
    (
      await q.query<MetaRow>(
        'SELECT ledger_id, log_key, tree_size, frontier, root FROM ledger_meta WHERE id = 1',
      )
    ).rows[0];

  /**
   * Apply rows appended (by anyone) since the in-memory state was last updated. Document anchors
   * do not touch the in-memory state, so only the other rows are read.
   */
  const catchUp = async (q: SqlQueryable, target: number): Promise<void> => {
    let from = state.size;
    while (from < target) {
      const r = await q.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM ledger_records WHERE idx >= $1 AND idx < $2 AND kind <> 11 ORDER BY idx LIMIT 5000`,
        [from, target],
      );
      for (const row of r.rows) {
        const s = toStored(row);
        // Rows in our own store were validated when appended: re-parse, do not re-verify.
        const parsed = parseEntry(s.entry, crypto);
        applyEntry(state, parsed, {
          index: s.index,
          time: s.time,
          entryId: toHex(row.record.subarray(50, 82)),
        });
      }
      const last = r.rows[r.rows.length - 1];
      from = r.rows.length < 5000 || !last ? target : n(last.idx) + 1;
    }
    state.size = Math.max(state.size, target);
  };

  const meta0 = await readMeta(sql);
  if (meta0 && meta0.log_key !== logKeyId) {
    throw new OpenMidError('ERR_CONFIG_INVALID', 'This ledger was created with another log key');
  }
  await catchUp(sql, meta0 ? n(meta0.tree_size) : 0);

  const views: LedgerViews = ledgerViews({
    source,
    signer,
    clock,
    ...(crypto ? { crypto } : {}),
    ledgerId: async () => {
      const m = await readMeta(sql);
      return m ? toHex(m.ledger_id) : undefined;
    },
    size: async () => {
      const m = await readMeta(sql);
      return m ? n(m.tree_size) : 0;
    },
    async storedHead(treeSize) {
      const r = await sql.query<{ jws: string; root: Uint8Array; signed_at: number | string }>(
        'SELECT jws, root, signed_at FROM ledger_heads WHERE tree_size = $1',
        [treeSize],
      );
      const row = r.rows[0];
      const m = await readMeta(sql);
      if (!row || !m) return undefined;
      return {
        ledgerId: toHex(m.ledger_id),
        treeSize,
        rootHash: toHex(row.root),
        timestamp: n(row.signed_at),
        jws: row.jws,
      } satisfies SignedTreeHead;
    },
    async storeHead(head) {
      await sql.query(
        "INSERT INTO ledger_heads (tree_size, root, signed_at, jws) VALUES ($1, decode($2, 'hex'), $3, $4) ON CONFLICT (tree_size) DO NOTHING",
        [head.treeSize, head.rootHash, head.timestamp, head.jws],
      );
    },
    async cosignatures(treeSize) {
      const r = await sql.query<{ jws: string }>(
        'SELECT jws FROM ledger_cosignatures WHERE tree_size = $1 ORDER BY witness',
        [treeSize],
      );
      return r.rows.map((row) => row.jws);
    },
  });

  const appendAll = (entries: readonly SignedEntry[]): Promise<AppendReceipt[]> =>
    serial(async () => {
      const parsed: ParsedEntry[] = entries.map((e) => parseEntry(e, crypto));
      let applied = 0;
      try {
        return await sql.transaction(async (tx) => {
          await tx.query(LOCK);
          const meta = await readMeta(tx);
          let size = meta ? n(meta.tree_size) : 0;
          await catchUp(tx, size);
          const frontier = meta ? decodeFrontier(meta.frontier) : [];
          let ledgerId = meta ? toHex(meta.ledger_id) : undefined;
          const time = clock();
          // Tails of document subjects (not kept in memory), fetched in one query.
          // One lookup for the whole batch: entries already logged (replays) and the tails of
          // document subjects (not kept in memory).
          const docSubjects = [
            ...new Set(
              parsed
                .filter((p) => subjectClassOf(p.kind) === 'document')
                .map((p) => toHex(p.subject)),
            ),
          ];
          const idOf = (p: ParsedEntry, i: number): string | undefined => {
            const ledger = i === 0 && size === 0 ? undefined : ledgerId;
            if (p.kind !== 0 && ledger === undefined) return undefined;
            return toHex(
              entryIdOf(p, ledger === undefined ? undefined : fromHex(ledger, 32), crypto),
            );
          };
          const candidates = parsed.map(idOf).filter((x): x is string => x !== undefined);
          const tails = new Map<string, number>();
          const known = new Set<string>();
          if (meta && candidates.length + docSubjects.length > 0) {
            const r = await tx.query<{ k: string; v: string; tail: number | string | null }>(
              `SELECT 'i' AS k, encode(entry_id, 'hex') AS v, NULL::bigint AS tail FROM ledger_records
                 WHERE entry_id = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x))
               UNION ALL
               SELECT 's', encode(subject, 'hex'), tail FROM ledger_subjects
                 WHERE subject = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest($2::text[]) AS x))`,
              [candidates, docSubjects],
            );
            for (const row of r.rows) {
              if (row.k === 'i') known.add(row.v);
              else tails.set(row.v, n(row.tail));
            }
          }
          const batchIds = new Set<string>();
          const rows: { stored: StoredRecord; entryId: string; text: string; label: string }[] = [];
          const nodes: { level: number; index: number; hash: Hash }[] = [];
          const receipts: AppendReceipt[] = [];
          const duplicate = (id: string): boolean => batchIds.has(id) || known.has(id);
          for (const p of parsed) {
            const subject = toHex(p.subject);
            const prev = tails.get(subject) ?? state.tails.get(subject)?.index ?? null;
            const prepared = await prepareAppend({
              state,
              entry: p,
              index: size,
              time,
              prev,
              isDuplicate: duplicate,
              verifiers,
              ...(crypto ? { crypto } : {}),
            });
            if (size === 0) ledgerId = prepared.entryId;
            // Extend the tree: the new leaf completes one perfect node per trailing 1-bit of size.
            let h = leafHash(prepared.stored.record, crypto);
            nodes.push({ level: 0, index: size, hash: h });
            let index = size;
            let level = 0;
            while (index % 2 === 1) {
              h = nodeHash(frontier.pop() as Hash, h, crypto);
              level++;
              index = (index - 1) / 2;
              nodes.push({ level, index, hash: h });
            }
            frontier.push(h);
            applyEntry(state, p, { index: size, time, entryId: prepared.entryId });
            applied++;
            tails.set(subject, size);
            batchIds.add(prepared.entryId);
            rows.push({
              stored: prepared.stored,
              entryId: prepared.entryId,
              text: JSON.stringify(prepared.stored.entry),
              label: p.subjectLabel,
            });
            receipts.push({ status: 'confirmed', entryId: prepared.entryId, index: size, time });
            size++;
          }
          await writeRows(tx, {
            rows,
            nodes,
            meta: {
              ledgerId: ledgerId as string,
              logKey: logKeyId,
              size,
              frontier: concatBytes(...frontier),
              root: foldRoot(frontier, crypto),
            },
          });
          return receipts;
        });
      } catch (e) {
        // The transaction rolled back: so must the in-memory state.
        if (applied > 0) {
          state = createLedgerState({ trackDocuments: false });
          const m = await readMeta(sql);
          await catchUp(sql, m ? n(m.tree_size) : 0);
        }
        throw e;
      }
    });

  /** Rebuild the in-memory state from SQL (after a rolled-back batch mutated it). */
  const checkStateAfter = async (): Promise<void> => {
    const m = await readMeta(sql);
    if (state.size !== (m ? n(m.tree_size) : 0)) {
      state = createLedgerState({ trackDocuments: false });
      await catchUp(sql, m ? n(m.tree_size) : 0);
    }
  };

  return {
    backend: 'embedded',
    ledgerId: async () => await readMeta(sql).then((m) => (m ? toHex(m.ledger_id) : undefined)),
    async append(entry) {
      const [receipt] = await appendAll([entry]);
      return receipt as AppendReceipt;
    },
    appendBatch: appendAll,
    async status(entryId) {
      const r = await sql.query<{ idx: number | string }>(
        "SELECT idx FROM ledger_records WHERE entry_id = decode($1, 'hex')",
        [toHex(entryIdArg(entryId))],
      );
      const row = r.rows[0];
      return row ? { status: 'confirmed', index: n(row.idx) } : { status: 'unknown' };
    },
    size: async () => {
      const m = await readMeta(sql);
      return m ? n(m.tree_size) : 0;
    },
    async entry(index) {
      const [r] = await source.records([index]);
      return proofRecordOf(r as StoredRecord);
    },
    treeHead: (size) => views.treeHead(size),
    inclusionProof: (i, size) => views.inclusionProof(i, size),
    consistencyProof: (m, size) => views.consistencyProof(m, size),
    state: () =>
      serial(async () => {
        await checkStateAfter();
        return state;
      }),
    query: (q) => views.query(q),
    exportSnapshot: (o) => views.exportSnapshot(o),
    async addCosignature(jws: string, witnessKey: TrustedKey) {
      const head = await views.checkCosignature(jws, witnessKey);
      const witness = jwkThumbprint((await toVerifier(witnessKey)).publicJwk);
      await sql.query(
        'INSERT INTO ledger_cosignatures (tree_size, witness, jws) VALUES ($1, $2, $3) ON CONFLICT (tree_size, witness) DO UPDATE SET jws = EXCLUDED.jws',
        [head.treeSize, witness, jws],
      );
    },
    close: async () => undefined,
  };
}

/**
 * Write a batch in ONE statement (data-modifying CTEs, PostgreSQL §7.8.4): the records, the
 * perfect Merkle nodes they complete, the subjects' new tails and the new head. Arrays carry the
 * values (no per-row parameters); bytes travel as hex text, decoded in SQL.
 */
async function writeRows(
  tx: SqlQueryable,
  batch: {
    readonly rows: readonly {
      stored: StoredRecord;
      entryId: string;
      text: string;
      label: string;
    }[];
    readonly nodes: readonly { level: number; index: number; hash: Hash }[];
    readonly meta: {
      readonly ledgerId: string;
      readonly logKey: string;
      readonly size: number;
      readonly frontier: Uint8Array;
      readonly root: Uint8Array;
    };
  },
): Promise<void> {
  const { rows, nodes, meta } = batch;
  // One row per subject: its first index in this batch (kept when the subject exists) and its last.
  const subjects = new Map<string, { kind: number; label: string; first: number; tail: number }>();
  for (const r of rows) {
    const s = toHex(r.stored.subject);
    const cur = subjects.get(s);
    subjects.set(s, {
      kind: cur?.kind ?? r.stored.kind,
      label: r.label,
      first: cur?.first ?? r.stored.index,
      tail: r.stored.index,
    });
  }
  const list = [...subjects.entries()];
  await tx.query(
    `WITH rec AS (
       INSERT INTO ledger_records (idx, entry_id, subject, kind, log_time, prev, record, entry)
       SELECT t.idx, decode(t.id, 'hex'), decode(t.subject, 'hex'), t.kind, t.log_time, NULLIF(t.prev, -1), decode(t.record, 'hex'), t.entry
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[])
         AS t(idx, id, subject, kind, log_time, prev, record, entry)
     ), nod AS (
       INSERT INTO ledger_nodes (key, hash)
       SELECT t.key, decode(t.hash, 'hex') FROM unnest($9::bigint[], $10::text[]) AS t(key, hash)
     ), sub AS (
       INSERT INTO ledger_subjects (subject, kind, label, first_idx, tail)
       SELECT decode(t.subject, 'hex'), t.kind, t.label, t.first_idx, t.tail
       FROM unnest($11::text[], $12::smallint[], $13::text[], $14::bigint[], $15::bigint[]) AS t(subject, kind, label, first_idx, tail)
       ON CONFLICT (subject) DO UPDATE SET tail = EXCLUDED.tail
     )
     INSERT INTO ledger_meta (id, ledger_id, log_key, tree_size, frontier, root)
     VALUES (1, decode($16, 'hex'), $17, $18, $19, $20)
     ON CONFLICT (id) DO UPDATE SET tree_size = EXCLUDED.tree_size, frontier = EXCLUDED.frontier, root = EXCLUDED.root`,
    [
      rows.map((r) => r.stored.index),
      rows.map((r) => r.entryId),
      rows.map((r) => toHex(r.stored.subject)),
      rows.map((r) => r.stored.kind),
      rows.map((r) => r.stored.time),
      // -1 stands for "no previous entry" (parameter arrays carry no NULL): NULLIF above.
      rows.map((r) => r.stored.prev ?? -1),
      rows.map((r) => toHex(r.stored.record)),
      rows.map((r) => r.text),
      nodes.map((x) => nodeKey(x.level, x.index)),
      nodes.map((x) => toHex(x.hash)),
      list.map(([s]) => s),
      list.map(([, v]) => v.kind),
      list.map(([, v]) => v.label),
      list.map(([, v]) => v.first),
      list.map(([, v]) => v.tail),
      meta.ledgerId,
      meta.logKey,
      meta.size,
      meta.frontier,
      meta.root,
    ],
  );
}
