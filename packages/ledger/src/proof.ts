/**
 * @module proof
 * Ledger proofs: a set of subject chains, checkable offline against a signed tree head. One
 * format serves query answers ("keys of issuer X at T", with the entries that decide it) and trust
 * snapshots (every governance, issuer and relying-party chain).
 *
 * A proof carries:
 * - `head`: the signed tree head (RFC 9162 size and root, signed by the log key);
 * - `index`: the log's signed statement of the last entry of each subject in `tails`
 *   (`null`: the subject has no entry), bound to the same size and root;
 * - `records`: every entry of each carried chain (for a status list: its last entry), with the
 *   log time and `prev` link the log assigned;
 * - `proof`: a multi-leaf Merkle proof ({@link ./merkle.js} `multiRanges`) from those records'
 *   leaves to the root.
 * A verifier recomputes each leaf from the entry, the root from the leaves, follows each chain
 * from its signed tail back through `prev` links (so no entry of a carried subject can be left
 * out), then replays the entries through the state machine, verifying every signature.
 */
import { type CryptoProvider, isOpenMidError, OpenMidError, type Signer } from '@openmid/core';
import { canonicalize } from './canonical.js';
import {
  chainModeOf,
  ENTRY_KINDS,
  encodeRecord,
  entryIdOf,
  entryPreimage,
  isTrustClass,
  type ParsedEntry,
  parseEntry,
  type SignedEntry,
  subjectClassOf,
  subjectOf,
} from './entry.js';
import {
  checkCosignatures,
  type SignedTreeHead,
  type SubjectIndex,
  signSubjectIndex,
  type TrustedKey,
  toVerifier,
  verifySubjectIndex,
  verifyTreeHead,
} from './heads.js';
import { bytesEqual, fromHex, sha256, toHex, utf8 } from './internal/bytes.js';
import {
  consistencyRanges,
  type Hash,
  hashRanges,
  leafHash,
  multiRanges,
  multiRoot,
  type NodeGetter,
  type NodeKey,
  nodesForRanges,
  verifyConsistency,
} from './merkle.js';
import { type AnswerOf, answerQuery, type Query, subjectsOfQuery } from './query.js';
import {
  applyEntry,
  checkEntry,
  createLedgerState,
  type LedgerState,
  noteRecord,
  type VerifierCache,
} from './state.js';
import { type LedgerStateJson, stateToJson } from './state-json.js';

/** A logged entry as a proof carries it. */
export interface ProofRecord {
  readonly index: number;
  /** The log's clock when it appended the entry (seconds). */
  readonly time: number;
  /** Index of the previous entry of the same subject, or null. */
  readonly prev: number | null;
  readonly entry: SignedEntry;
}

/**
 * A logged anchor whose body cannot be parsed (only possible on a chain, where the contract
 * cannot read JSON: see the ADR), carried as its raw 114-byte leaf data, hex. Never a trust entry.
 */
export interface OpaqueRecord {
  readonly index: number;
  readonly record: string;
}

/** A ledger proof (see the module comment). */
export interface LedgerProof {
  readonly v: 1;
  readonly head: string;
  readonly index: string;
  readonly tails: Readonly<Record<string, number | null>>;
  readonly records: readonly (ProofRecord | OpaqueRecord)[];
  readonly proof: readonly string[];
  /** Witness cosignatures of the head. */
  readonly cosignatures?: readonly string[];
}

/** A consistency proof from an earlier tree head to the proof's head. */
export interface ConsistencyProofJson {
  readonly from: number;
  readonly fromRoot: string;
  readonly path: readonly string[];
}

/** A trust snapshot: every trust subject, the state it yields, and optionally a consistency proof. */
export interface TrustSnapshot extends LedgerProof {
  readonly type: 'openmid-trust-snapshot';
  readonly state: LedgerStateJson;
  readonly consistency?: ConsistencyProofJson;
}

/** A query, its answer and the proof that decides it. */
export interface ProvenAnswer<Q extends Query = Query> {
  readonly query: Q;
  readonly answer: AnswerOf<Q>;
  readonly proof: LedgerProof;
}

/** A log position as a backend stores it. */
export interface StoredRecord {
  readonly index: number;
  readonly time: number;
  readonly prev: number | null;
  readonly kind: number;
  readonly subject: Uint8Array;
  /** The entry, or undefined for an opaque (unparseable) anchor. */
  readonly entry: SignedEntry | undefined;
  /** The 114-byte leaf data. */
  readonly record: Uint8Array;
}

/** Read access to a log, at any tree size it has reached (records and nodes never change). */
export interface LogSource {
  /** The records at these indices. */
  records(indices: readonly number[]): Promise<StoredRecord[]>;
  /** Every index of each subject (hex) below `size`, ascending (subjects without one: absent). */
  chains(subjects: readonly string[], size: number): Promise<Map<string, number[]>>;
  /** The last index of each subject (hex) below `size` (subjects without one: absent). */
  tails(subjects: readonly string[], size: number): Promise<Map<string, number>>;
  /** Every governance, issuer and relying-party subject (hex) with its last index below `size`. */
  trustTails(size: number): Promise<Map<string, number>>;
  /** Fetch perfect Merkle nodes; the getter answers for those keys. */
  nodes(keys: readonly NodeKey[]): Promise<NodeGetter>;
  /** URIs of every status list anchored below `size` (for snapshots that carry them all). */
  statusLists?(size: number): Promise<string[]>;
}

/** Options of {@link buildProof}. */
export interface BuildProofOptions {
  /** The signed tree head the proof is against. */
  readonly head: SignedTreeHead;
  /** The log key (signs the subject index). */
  readonly signer: Signer;
  /** Subject labels to carry (e.g. `issuer:https://…`); `governance` is always carried. */
  readonly subjects: readonly string[];
  /** Also carry every governance, issuer and relying-party subject (a trust snapshot). */
  readonly full?: boolean;
  readonly cosignatures?: readonly string[];
  /** The log's clock (seconds) for the index timestamp. */
  readonly now: number;
  readonly crypto?: CryptoProvider;
}

function anchorIssuerLabel(entry: SignedEntry | undefined): string | undefined {
  const body = entry?.body;
  return body && (body.typ === 'anchor.status-list' || body.typ === 'anchor.document')
    ? `issuer:${body.issuer}`
    : undefined;
}

/** Hex SHA-256 of the JCS of a tails map (what the subject index signs). */
export function tailsHash(
  tails: Readonly<Record<string, number | null>>,
  crypto?: CryptoProvider,
): string {
  return toHex(sha256(utf8(canonicalize(tails)), crypto));
}

/**
 * Build a proof carrying the chains of `subjects` (and the issuers of any anchor among them). The
 * log is read in rounds of batch queries (tails, chains, records), not subject by subject: a full
 * snapshot of ten thousand subjects is a handful of queries.
 */
export async function buildProof(
  source: LogSource,
  options: BuildProofOptions,
): Promise<LedgerProof> {
  const { head, crypto } = options;
  const size = head.treeSize;
  const tails: Record<string, number | null> = {};
  const records = new Map<number, StoredRecord>();
  const hexOf = (label: string): string => toHex(subjectOf(label, crypto));
  // A status list is carried by its last entry alone; every other subject by its whole chain.
  const tailOnly = new Set<string>();
  let round = new Map<string, number | undefined>();
  for (const label of ['governance', ...options.subjects]) {
    const h = hexOf(label);
    if (label.startsWith('status-list:')) tailOnly.add(h);
    round.set(h, undefined);
  }
  if (options.full === true) {
    for (const [subject, tail] of await source.trustTails(size)) round.set(subject, tail);
  }
  while (round.size > 0) {
    const unknown = [...round]
      .filter(([s, t]) => t === undefined && !Object.hasOwn(tails, s))
      .map(([s]) => s);
    const found =
      unknown.length > 0 ? await source.tails(unknown, size) : new Map<string, number>();
    const wanted: string[] = [];
    const indices: number[] = [];
    for (const [subject, known] of round) {
      if (Object.hasOwn(tails, subject)) continue;
      const tail = known ?? found.get(subject);
      tails[subject] = tail ?? null;
      if (tail === undefined) continue;
      if (tailOnly.has(subject)) indices.push(tail);
      else wanted.push(subject);
    }
    const chains =
      wanted.length > 0 ? await source.chains(wanted, size) : new Map<string, number[]>();
    for (const chain of chains.values()) indices.push(...chain);
    const missing = [...new Set(indices)].filter((i) => !records.has(i)).sort((x, y) => x - y);
    const next = new Map<string, number | undefined>();
    for (let i = 0; i < missing.length; i += 5000) {
      for (const r of await source.records(missing.slice(i, i + 5000))) {
        records.set(r.index, r);
        const issuer = anchorIssuerLabel(r.entry);
        if (issuer !== undefined) {
          const h = hexOf(issuer);
          if (!Object.hasOwn(tails, h)) next.set(h, undefined);
        }
      }
    }
    round = next;
  }
  const sorted = [...records.keys()].sort((a, b) => a - b);
  const ranges = size === 0 ? [] : multiRanges(sorted, size);
  const get = await source.nodes(nodesForRanges(ranges));
  const proof = hashRanges(ranges, get, crypto).map(toHex);
  const index: SubjectIndex = {
    ledgerId: head.ledgerId,
    treeSize: size,
    rootHash: head.rootHash,
    timestamp: options.now,
    scope: options.full === true ? 'full' : 'partial',
    tailsHash: tailsHash(tails, crypto),
  };
  return {
    v: 1,
    head: head.jws,
    index: await signSubjectIndex(index, options.signer),
    tails,
    records: sorted.map((i) => {
      const r = records.get(i) as StoredRecord;
      return r.entry === undefined
        ? { index: i, record: toHex(r.record) }
        : { index: i, time: r.time, prev: r.prev, entry: r.entry };
    }),
    proof,
    ...(options.cosignatures && options.cosignatures.length > 0
      ? { cosignatures: options.cosignatures }
      : {}),
  };
}

/** Build a consistency proof (hex) between two tree sizes of a log. */
export async function buildConsistency(
  source: LogSource,
  from: { readonly treeSize: number; readonly rootHash: string },
  to: number,
  crypto?: CryptoProvider,
): Promise<ConsistencyProofJson> {
  const ranges = consistencyRanges(from.treeSize, to);
  const get = await source.nodes(nodesForRanges(ranges));
  return {
    from: from.treeSize,
    fromRoot: from.rootHash,
    path: hashRanges(ranges, get, crypto).map(toHex),
  };
}

/** Options of {@link verifyLedgerProof}. */
export interface VerifyProofOptions {
  /** The log key that signs tree heads and subject indexes. */
  readonly logKey: TrustedKey;
  /** The expected ledger (hex genesis entry id): another ledger's proof is refused. */
  readonly ledgerId?: string;
  /** Require cosignatures of at least `threshold` of these witnesses. */
  readonly witnesses?: { readonly keys: readonly TrustedKey[]; readonly threshold: number };
  /** The last head this verifier trusted: refuse a smaller tree or a different root (split view). */
  readonly previousHead?: { readonly treeSize: number; readonly rootHash: string };
  /** Refuse a head older than this many seconds (needs `now`). */
  readonly maxAge?: number;
  /** Current time, seconds. */
  readonly now?: number;
  /** Refuse proofs carrying entries the state machine rejects (default: allowed, reported). */
  readonly strict?: boolean;
  readonly crypto?: CryptoProvider;
}

/** What a verified proof establishes. */
export interface VerifiedProof {
  readonly head: SignedTreeHead;
  readonly scope: 'full' | 'partial';
  /** The state rebuilt from the carried entries (complete for the carried subjects). */
  readonly state: LedgerState;
}

function invalid(message: string, details?: Record<string, unknown>): OpenMidError {
  return new OpenMidError(
    'ERR_LEDGER_SNAPSHOT_INVALID',
    message,
    details ? { details } : undefined,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface CheckedRecord {
  readonly index: number;
  readonly time: number;
  readonly prev: number | null;
  readonly kind: number;
  readonly subject: string;
  readonly parsed: ParsedEntry | undefined;
  readonly entryId: Uint8Array;
  readonly leaf: Hash;
}

function readU64(b: Uint8Array, o: number): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return v.getUint32(o) * 0x1_0000_0000 + v.getUint32(o + 4);
}

function checkRecord(
  r: unknown,
  ledgerId: Uint8Array,
  crypto: CryptoProvider | undefined,
): CheckedRecord {
  if (!isObject(r)) throw invalid('A record is malformed');
  const index = r['index'];
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw invalid('A record index is malformed');
  }
  if (typeof r['record'] === 'string') {
    const bytes = fromHex(r['record'], 114);
    if (bytes === undefined || bytes[0] !== 1) throw invalid('An opaque record is malformed');
    const kind = bytes[1] as number;
    // Only an anchor can be opaque: a trust entry must always be shown in full.
    if (kind !== ENTRY_KINDS['anchor.status-list'] && kind !== ENTRY_KINDS['anchor.document']) {
      throw invalid('Only anchors may be carried opaque', { index });
    }
    const prevPlus = readU64(bytes, 10);
    return {
      index,
      time: readU64(bytes, 2),
      prev: prevPlus === 0 ? null : prevPlus - 1,
      kind,
      subject: toHex(bytes.subarray(18, 50)),
      parsed: undefined,
      entryId: bytes.slice(50, 82),
      leaf: leafHash(bytes, crypto),
    };
  }
  const time = r['time'];
  const prev = r['prev'];
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    throw invalid('A record time is malformed', { index });
  }
  if (
    prev !== null &&
    (typeof prev !== 'number' || !Number.isSafeInteger(prev) || prev < 0 || prev >= index)
  ) {
    throw invalid('A record prev link is malformed', { index });
  }
  let parsed: ParsedEntry;
  try {
    parsed = parseEntry(r['entry'], crypto);
  } catch (e) {
    throw new OpenMidError('ERR_LEDGER_SNAPSHOT_INVALID', 'A carried entry is malformed', {
      cause: e,
      details: { index },
    });
  }
  const entryId = entryIdOf(parsed, ledgerId, crypto);
  const record = encodeRecord({
    kind: parsed.kind,
    time,
    prev: prev as number | null,
    subject: parsed.subject,
    entryId,
    sigsHash: parsed.sigsHash,
  });
  return {
    index,
    time,
    prev: prev as number | null,
    kind: parsed.kind,
    subject: toHex(parsed.subject),
    parsed,
    entryId,
    leaf: leafHash(record, crypto),
  };
}

async function checkPreviousHead(
  proof: Record<string, unknown>,
  head: SignedTreeHead,
  previous: { readonly treeSize: number; readonly rootHash: string },
  crypto?: CryptoProvider,
): Promise<void> {
  if (head.treeSize < previous.treeSize) {
    throw new OpenMidError('ERR_LEDGER_ROLLBACK', 'The tree head is smaller than one already seen');
  }
  if (head.treeSize === previous.treeSize) {
    if (head.rootHash !== previous.rootHash) {
      throw new OpenMidError('ERR_LEDGER_SPLIT_VIEW', 'Same tree size, different root');
    }
    return;
  }
  const c = proof['consistency'];
  if (!isObject(c) || c['from'] !== previous.treeSize || !Array.isArray(c['path'])) {
    throw new OpenMidError(
      'ERR_LEDGER_PROOF_INVALID',
      'No consistency proof from the previous tree head',
    );
  }
  const path = (c['path'] as unknown[]).map((h) =>
    typeof h === 'string' ? fromHex(h, 32) : undefined,
  );
  const oldRoot = fromHex(previous.rootHash, 32);
  const newRoot = fromHex(head.rootHash, 32);
  if (
    path.some((h) => h === undefined) ||
    !oldRoot ||
    !newRoot ||
    !verifyConsistency(
      { first: previous.treeSize, second: head.treeSize, path: path as Hash[] },
      oldRoot,
      newRoot,
      crypto,
    )
  ) {
    throw new OpenMidError(
      'ERR_LEDGER_PROOF_INVALID',
      'The consistency proof from the previous tree head does not verify',
    );
  }
}

function walkChains(
  tails: Record<string, unknown>,
  byIndex: ReadonlyMap<number, CheckedRecord>,
  size: number,
): void {
  const visited = new Set<number>();
  for (const [subject, tail] of Object.entries(tails)) {
    if (fromHex(subject, 32) === undefined) throw invalid('A tails key is not a subject hash');
    if (tail === null) {
      for (const r of byIndex.values()) {
        if (r.subject === subject)
          throw invalid('An entry of a subject said to be empty', { subject });
      }
      continue;
    }
    if (typeof tail !== 'number' || !Number.isSafeInteger(tail) || tail < 0 || tail >= size) {
      throw invalid('A tail is malformed', { subject });
    }
    let r = byIndex.get(tail);
    if (!r || r.subject !== subject)
      throw invalid('The last entry of a subject is missing', { subject });
    if (chainModeOf(subjectClassOf(r.kind)) === 'tail') {
      visited.add(r.index);
      continue;
    }
    for (;;) {
      if (visited.has(r.index)) throw invalid('Two chains share an entry', { index: r.index });
      visited.add(r.index);
      if (r.prev === null) break;
      const p = byIndex.get(r.prev);
      if (!p || p.subject !== subject) {
        throw invalid('An entry of a subject chain is missing', { subject, index: r.prev });
      }
      r = p;
    }
  }
  for (const r of byIndex.values()) {
    if (!visited.has(r.index))
      throw invalid('A carried entry is not on any signed chain', { index: r.index });
  }
}

/**
 * Replay checked records (ascending) through the state machine. `trusted` skips signature
 * verification: only for a log replaying records it validated itself (snapshot export).
 */
async function replayRecords(
  checked: readonly CheckedRecord[],
  ledgerId: Uint8Array,
  options: {
    readonly crypto?: CryptoProvider;
    readonly strict?: boolean;
    readonly trusted?: boolean;
  },
): Promise<LedgerState> {
  const { crypto } = options;
  const state = createLedgerState({ trackDocuments: true });
  const verifiers: VerifierCache = new Map();
  const seen = new Set<string>();
  for (const r of checked) {
    const label = r.parsed?.subjectLabel ?? r.subject;
    if (!r.parsed) {
      if (options.strict === true) {
        throw new OpenMidError('ERR_LEDGER_ENTRY_INVALID', 'An opaque entry', {
          details: { index: r.index },
        });
      }
      state.rejected.push({ index: r.index, code: 'ERR_LEDGER_ENTRY_INVALID' });
      noteRecord(state, { index: r.index, subject: r.subject, label, kind: r.kind });
      continue;
    }
    const id = toHex(r.entryId);
    try {
      if (seen.has(id)) throw new OpenMidError('ERR_LEDGER_DUPLICATE', 'Duplicate entry');
      await checkEntry(
        state,
        r.parsed,
        { index: r.index, time: r.time, preimage: entryPreimage(r.parsed, ledgerId) },
        { verifiers, ...(crypto ? { crypto } : {}), ...(options.trusted ? { trusted: true } : {}) },
      );
      seen.add(id);
      applyEntry(state, r.parsed, { index: r.index, time: r.time, entryId: id });
    } catch (e) {
      if (!isOpenMidError(e) || !e.code.startsWith('ERR_LEDGER_')) throw e;
      if (options.strict === true) throw e;
      state.rejected.push({ index: r.index, code: e.code });
      noteRecord(state, { index: r.index, subject: r.subject, label, kind: r.kind });
    }
  }
  return state;
}

/**
 * The state a proof's records build, replayed WITHOUT verifying signatures: for the log that made
 * the proof from records it validated itself (the `state` of a snapshot it exports, the answer
 * of a query it proves). Never use on a proof received from elsewhere: {@link verifyLedgerProof}.
 */
export async function rebuildOwnProofState(
  proof: LedgerProof,
  ledgerId: string,
  treeSize: number,
  crypto?: CryptoProvider,
): Promise<LedgerState> {
  const id = fromHex(ledgerId, 32) as Uint8Array;
  const checked = proof.records.map((r) => checkRecord(r, id, crypto));
  const state = await replayRecords(checked, id, { trusted: true, ...(crypto ? { crypto } : {}) });
  state.size = treeSize;
  return state;
}

/**
 * Verify a ledger proof or trust snapshot offline and rebuild the state of the subjects it
 * carries. Throws ERR_LEDGER_SNAPSHOT_INVALID (malformed, incomplete, stray records),
 * ERR_LEDGER_PROOF_INVALID (Merkle), ERR_LEDGER_TREE_HEAD_INVALID, ERR_LEDGER_GENESIS_MISMATCH,
 * ERR_LEDGER_ROLLBACK / ERR_LEDGER_SPLIT_VIEW (against `previousHead`), ERR_LEDGER_SNAPSHOT_STALE,
 * ERR_LEDGER_WITNESS_MISSING.
 */
export async function verifyLedgerProof(
  proof: unknown,
  options: VerifyProofOptions,
): Promise<VerifiedProof> {
  const { crypto } = options;
  if (!isObject(proof) || proof['v'] !== 1) throw invalid('Not a ledger proof');
  const { head: headJws, index: indexJws, tails, records, proof: path } = proof;
  if (
    typeof headJws !== 'string' ||
    typeof indexJws !== 'string' ||
    !isObject(tails) ||
    !Array.isArray(records) ||
    !Array.isArray(path)
  ) {
    throw invalid('A ledger proof member is missing or malformed');
  }
  const logKey = await toVerifier(options.logKey);
  const head = await verifyTreeHead(headJws, {
    logKey,
    ...(options.ledgerId === undefined ? {} : { ledgerId: options.ledgerId }),
  });
  const index = await verifySubjectIndex(indexJws, { logKey, ledgerId: head.ledgerId });
  if (index.treeSize !== head.treeSize || index.rootHash !== head.rootHash) {
    throw invalid('The subject index is for another tree head');
  }
  if (index.tailsHash !== tailsHash(tails as Record<string, number | null>, crypto)) {
    throw invalid('The tails are not the ones the log signed');
  }
  if (options.maxAge !== undefined) {
    if (options.now === undefined) throw new OpenMidError('ERR_INPUT_INVALID', 'maxAge needs now');
    if (options.now - head.timestamp > options.maxAge) {
      throw new OpenMidError('ERR_LEDGER_SNAPSHOT_STALE', 'The tree head is too old');
    }
  }
  if (options.previousHead) await checkPreviousHead(proof, head, options.previousHead, crypto);
  if (options.witnesses) {
    const cosigs = proof['cosignatures'];
    await checkCosignatures(
      Array.isArray(cosigs) ? cosigs.filter((c): c is string => typeof c === 'string') : [],
      head,
      { witnesses: options.witnesses.keys, threshold: options.witnesses.threshold },
    );
  }

  // Leaves, then the root.
  const ledgerId = fromHex(head.ledgerId, 32) as Uint8Array;
  const checked = records.map((r) => checkRecord(r, ledgerId, crypto));
  const byIndex = new Map<number, CheckedRecord>();
  let last = -1;
  for (const r of checked) {
    if (r.index <= last || r.index >= head.treeSize)
      throw invalid('Records out of order or beyond the tree');
    last = r.index;
    byIndex.set(r.index, r);
  }
  const hashes = path.map((h) => (typeof h === 'string' ? fromHex(h, 32) : undefined));
  if (hashes.some((h) => h === undefined))
    throw new OpenMidError('ERR_LEDGER_PROOF_INVALID', 'A proof hash is malformed');
  let root: Hash | undefined;
  try {
    root = multiRoot(
      checked.map((r) => [r.index, r.leaf] as const),
      head.treeSize,
      hashes as Hash[],
      crypto,
    );
  } catch (e) {
    throw new OpenMidError('ERR_LEDGER_PROOF_INVALID', 'The Merkle proof is malformed', {
      cause: e,
    });
  }
  if (!root || !bytesEqual(root, fromHex(head.rootHash, 32) as Uint8Array)) {
    throw new OpenMidError(
      'ERR_LEDGER_PROOF_INVALID',
      'The entries do not lead to the signed root',
    );
  }

  // Completeness: every carried subject's chain, from its signed tail.
  walkChains(tails, byIndex, head.treeSize);
  const governance = toHex(subjectOf('governance', crypto));
  if (head.treeSize > 0 && tails[governance] === undefined) {
    throw invalid('The governance chain is missing');
  }
  for (const r of checked) {
    const issuer = anchorIssuerLabel(r.parsed?.canonical);
    if (issuer !== undefined && tails[toHex(subjectOf(issuer, crypto))] === undefined) {
      throw invalid('An anchor is carried without its issuer', { index: r.index });
    }
  }

  // Replay through the state machine, verifying every signature.
  const state = await replayRecords(checked, ledgerId, {
    ...(crypto ? { crypto } : {}),
    ...(options.strict === true ? { strict: true } : {}),
  });
  if (head.treeSize > 0 && state.ledgerId !== head.ledgerId) {
    throw new OpenMidError('ERR_LEDGER_GENESIS_MISMATCH', 'The genesis entry is not the ledger id');
  }
  state.size = head.treeSize;
  return { head, scope: index.scope, state };
}

/** Options of {@link verifySnapshot}. */
export type VerifySnapshotOptions = VerifyProofOptions;

/**
 * Verify a trust snapshot offline: everything {@link verifyLedgerProof} checks, plus that it is a
 * full snapshot and that its stated state is exactly the state its entries rebuild.
 *
 * @example
 * ```ts
 * const { state, head } = await verifySnapshot(snapshot, { logKey, ledgerId, previousHead })
 * issuerKeysAt(state, 'https://mois.go.kr', now)
 * ```
 */
export async function verifySnapshot(
  snapshot: unknown,
  options: VerifySnapshotOptions,
): Promise<VerifiedProof> {
  if (!isObject(snapshot) || snapshot['type'] !== 'openmid-trust-snapshot') {
    throw invalid('Not a trust snapshot');
  }
  const verified = await verifyLedgerProof(snapshot, options);
  if (verified.scope !== 'full') throw invalid('The snapshot does not carry every trust subject');
  for (const [subject, tail] of verified.state.tails) {
    if (
      isTrustClass(tail.cls) &&
      (snapshot['tails'] as Record<string, unknown>)[subject] === undefined
    ) {
      throw invalid('A trust subject is missing from the snapshot');
    }
  }
  const stated = canonicalize(snapshot['state']);
  if (stated !== canonicalize(stateToJson(verified.state))) {
    throw invalid('The stated state does not match the entries');
  }
  return verified;
}

/**
 * Verify a proven answer offline: verify its proof, recompute the answer from the rebuilt state
 * and compare. Returns the recomputed answer.
 */
export async function verifyProvenAnswer<Q extends Query>(
  proven: ProvenAnswer<Q>,
  options: VerifyProofOptions,
): Promise<AnswerOf<Q>> {
  const { state } = await verifyLedgerProof(proven.proof, options);
  const tails = proven.proof.tails;
  for (const label of subjectsOfQuery(proven.query)) {
    if (tails[toHex(subjectOf(label, options.crypto))] === undefined) {
      throw invalid('The proof does not carry a subject the query depends on');
    }
  }
  const answer = answerQuery(state, proven.query);
  if (canonicalize(answer) !== canonicalize(proven.answer)) {
    throw new OpenMidError('ERR_LEDGER_PROOF_INVALID', 'The answer is not what the proof decides');
  }
  return answer;
}
