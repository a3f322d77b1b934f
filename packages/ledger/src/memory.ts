/**
 * @module memory
 * An in-memory log ({@link createMemoryLog}: records, subject chains and an RFC 9162 tree of
 * every perfect node) and a complete in-memory {@link TrustLedger} on top of it
 * ({@link createMemoryLedger}): for tests, demos, the wallet, and as the EVM client's mirror of
 * the confirmed chain. Isomorphic.
 */
import { type CryptoProvider, OpenMidError, type Signer, systemClock } from '@openmid/core';
import {
  ENTRY_KINDS,
  encodeRecord,
  entryIdOf,
  entryPreimage,
  isTrustClass,
  type ParsedEntry,
  parseEntry,
  type SignedEntry,
  subjectClassOf,
} from './entry.js';
import type { SignedTreeHead } from './heads.js';
import { fromHex, toHex } from './internal/bytes.js';
import {
  type AppendReceipt,
  entryIdArg,
  type LedgerViews,
  ledgerViews,
  type TrustLedger,
} from './ledger.js';
import { createMemoryTree, leafHash, type MemoryTree, type NodeGetter } from './merkle.js';
import type { LogSource, ProofRecord, StoredRecord } from './proof.js';
import {
  applyEntry,
  checkEntry,
  createLedgerState,
  type LedgerState,
  type VerifierCache,
} from './state.js';

/** An append-only log in memory that answers proofs at every size it reached. */
export interface MemoryLog extends LogSource {
  readonly size: number;
  readonly tree: MemoryTree;
  /** Append the record at position `size`. */
  append(record: StoredRecord): void;
  /** Drop every record from `size` on and return them (a chain reorganisation). */
  truncate(size: number): StoredRecord[];
  record(index: number): StoredRecord | undefined;
  /** Index of an entry by its hex id. */
  indexOf(entryId: string): number | undefined;
  /** The current last index of a subject (hex). */
  currentTail(subject: string): number | undefined;
  statusLists(size: number): Promise<string[]>;
}

function below(xs: readonly number[], size: number): number[] {
  let hi = xs.length;
  while (hi > 0 && (xs[hi - 1] as number) >= size) hi--;
  return xs.slice(0, hi);
}

/** Create an empty {@link MemoryLog}. */
export function createMemoryLog(crypto?: CryptoProvider): MemoryLog {
  const records: StoredRecord[] = [];
  const tree = createMemoryTree(crypto);
  const chains = new Map<string, number[]>();
  const ids = new Map<string, number>();
  const trust = new Set<string>();
  const lists = new Map<string, { uri: string; first: number }>();
  const idOf = (r: StoredRecord): string => toHex(r.record.subarray(50, 82));
  return {
    get size() {
      return records.length;
    },
    tree,
    append(r) {
      if (r.index !== records.length) throw new OpenMidError('ERR_INTERNAL', 'Out-of-order append');
      records.push(r);
      tree.append(leafHash(r.record, crypto));
      const subject = toHex(r.subject);
      const chain = chains.get(subject) ?? [];
      chain.push(r.index);
      chains.set(subject, chain);
      ids.set(idOf(r), r.index);
      if (isTrustClass(subjectClassOf(r.kind))) trust.add(subject);
      const body = r.entry?.body;
      if (body?.typ === 'anchor.status-list' && !lists.has(subject)) {
        lists.set(subject, { uri: body.uri, first: r.index });
      }
    },
    truncate(size) {
      const removed = records.splice(size);
      tree.truncate(size);
      for (const r of removed) {
        const subject = toHex(r.subject);
        const chain = below(chains.get(subject) ?? [], size);
        if (chain.length === 0) {
          chains.delete(subject);
          trust.delete(subject);
        } else chains.set(subject, chain);
        ids.delete(idOf(r));
        if ((lists.get(subject)?.first ?? -1) >= size) lists.delete(subject);
      }
      return removed;
    },
    record: (i) => records[i],
    indexOf: (id) => ids.get(id),
    currentTail(subject) {
      const chain = chains.get(subject);
      return chain === undefined ? undefined : chain[chain.length - 1];
    },
    async records(indices) {
      return indices.map((i) => {
        const r = records[i];
        if (!r) throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such entry');
        return r;
      });
    },
    async chains(subjects, size) {
      const out = new Map<string, number[]>();
      for (const s of subjects) {
        const c = below(chains.get(s) ?? [], size);
        if (c.length > 0) out.set(s, c);
      }
      return out;
    },
    async tails(subjects, size) {
      const out = new Map<string, number>();
      for (const s of subjects) {
        const c = below(chains.get(s) ?? [], size);
        const last = c[c.length - 1];
        if (last !== undefined) out.set(s, last);
      }
      return out;
    },
    async trustTails(size) {
      const out = new Map<string, number>();
      for (const subject of trust) {
        const c = below(chains.get(subject) ?? [], size);
        const last = c[c.length - 1];
        if (last !== undefined) out.set(subject, last);
      }
      return out;
    },
    async nodes(): Promise<NodeGetter> {
      return tree.node;
    },
    async statusLists(size) {
      return [...lists.values()].filter((l) => l.first < size).map((l) => l.uri);
    },
  };
}

/** A serialised section: appends run one after another (the log is append-only and ordered). */
export function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = last.then(fn, fn);
    last = run.catch(() => undefined);
    return run;
  };
}

/** What an accepted entry becomes in the log. */
export interface PreparedRecord {
  readonly entryId: string;
  readonly stored: StoredRecord;
}

/** Inputs of {@link prepareAppend}. */
export interface PrepareAppendInput {
  readonly state: LedgerState;
  readonly entry: ParsedEntry;
  readonly index: number;
  readonly time: number;
  /** The previous index of the entry's subject. */
  readonly prev: number | null;
  /** Whether the log already holds an entry with this id. */
  readonly isDuplicate: (entryId: string) => boolean | Promise<boolean>;
  readonly verifiers?: VerifierCache;
  readonly crypto?: CryptoProvider;
}

/**
 * Validate an entry for position `index` at log time `time` and build its record. Throws the
 * coded refusal; changes nothing (the caller applies the state and stores the record).
 */
export async function prepareAppend(input: PrepareAppendInput): Promise<PreparedRecord> {
  const { state, entry, crypto } = input;
  const ledgerId = state.ledgerId === undefined ? undefined : fromHex(state.ledgerId, 32);
  if (
    (input.index === 0) !== (entry.kind === ENTRY_KINDS.genesis) ||
    (input.index > 0 && !ledgerId)
  ) {
    throw new OpenMidError(
      'ERR_LEDGER_ENTRY_INVALID',
      'The genesis entry comes first, and only there',
    );
  }
  const entryId = entryIdOf(entry, ledgerId, crypto);
  const id = toHex(entryId);
  if (await input.isDuplicate(id)) {
    throw new OpenMidError('ERR_LEDGER_DUPLICATE', 'The entry is already in the log');
  }
  await checkEntry(
    state,
    entry,
    { index: input.index, time: input.time, preimage: entryPreimage(entry, ledgerId) },
    {
      ...(input.verifiers ? { verifiers: input.verifiers } : {}),
      ...(crypto ? { crypto } : {}),
    },
  );
  const record = encodeRecord({
    kind: entry.kind,
    time: input.time,
    prev: input.prev,
    subject: entry.subject,
    entryId,
    sigsHash: entry.sigsHash,
  });
  return {
    entryId: id,
    stored: {
      index: input.index,
      time: input.time,
      prev: input.prev,
      kind: entry.kind,
      subject: entry.subject,
      entry: entry.canonical,
      record,
    },
  };
}

/** A stored record as a {@link ProofRecord}. */
export function proofRecordOf(r: StoredRecord): ProofRecord {
  if (r.entry === undefined) {
    throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'The entry at this index is unreadable');
  }
  return { index: r.index, time: r.time, prev: r.prev, entry: r.entry };
}

/** Options of {@link createMemoryLedger}. */
export interface MemoryLedgerOptions {
  /** The log key (ES256) that signs tree heads and subject indexes. */
  readonly signer: Signer;
  /** The log clock in seconds (default: the system clock). */
  readonly clock?: () => number;
  readonly crypto?: CryptoProvider;
}

/**
 * A complete {@link TrustLedger} in memory.
 *
 * @example
 * ```ts
 * const ledger = createMemoryLedger({ signer: logKey.signer })
 * await ledger.append(genesis)
 * ```
 */
export function createMemoryLedger(options: MemoryLedgerOptions): TrustLedger & {
  readonly log: MemoryLog;
} {
  const { crypto } = options;
  const clock = options.clock ?? systemClock;
  const log = createMemoryLog(crypto);
  const state = createLedgerState();
  const verifiers: VerifierCache = new Map();
  const heads = new Map<number, SignedTreeHead>();
  const cosigs = new Map<number, string[]>();
  const serial = createMutex();
  const views: LedgerViews = ledgerViews({
    source: log,
    signer: options.signer,
    clock,
    ...(crypto ? { crypto } : {}),
    ledgerId: async () => state.ledgerId,
    size: async () => log.size,
    storedHead: async (n) => heads.get(n),
    storeHead: async (h) => {
      heads.set(h.treeSize, h);
    },
    cosignatures: async (n) => cosigs.get(n) ?? [],
  });
  return {
    backend: 'memory',
    log,
    ledgerId: async () => state.ledgerId,
    append: (entry: SignedEntry) =>
      serial(async (): Promise<AppendReceipt> => {
        const parsed = parseEntry(entry, crypto);
        const index = log.size;
        const time = clock();
        const prev = log.currentTail(toHex(parsed.subject)) ?? null;
        const prepared = await prepareAppend({
          state,
          entry: parsed,
          index,
          time,
          prev,
          isDuplicate: (id) => log.indexOf(id) !== undefined,
          verifiers,
          ...(crypto ? { crypto } : {}),
        });
        applyEntry(state, parsed, { index, time, entryId: prepared.entryId });
        log.append(prepared.stored);
        return { status: 'confirmed', entryId: prepared.entryId, index, time };
      }),
    async status(entryId) {
      const index = log.indexOf(toHex(entryIdArg(entryId)));
      return index === undefined ? { status: 'unknown' } : { status: 'confirmed', index };
    },
    size: async () => log.size,
    async entry(index) {
      const r = log.record(index);
      if (!r) throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such entry');
      return proofRecordOf(r);
    },
    treeHead: (size) => views.treeHead(size),
    inclusionProof: (i, n) => views.inclusionProof(i, n),
    consistencyProof: (m, n) => views.consistencyProof(m, n),
    state: async () => state,
    query: (q) => views.query(q),
    exportSnapshot: (o) => views.exportSnapshot(o),
    async addCosignature(jws, key) {
      const head = await views.checkCosignature(jws, key);
      cosigs.set(head.treeSize, [...(cosigs.get(head.treeSize) ?? []), jws]);
    },
    close: async () => undefined,
  };
}
