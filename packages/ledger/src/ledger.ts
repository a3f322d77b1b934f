/**
 * @module ledger
 * The `TrustLedger` interface every backend implements (embedded SQL log, EVM registry, memory),
 * and the backend-independent parts of it: tree heads, RFC 9162 proofs, proven query answers and
 * trust snapshots over a {@link LogSource}.
 */
import { type CryptoProvider, OpenMidError, type Signer } from '@openmid/core';
import type { SignedEntry } from './entry.js';
import {
  type SignedTreeHead,
  signTreeHead,
  type TreeHead,
  type TrustedKey,
  verifyCosignature,
} from './heads.js';
import { fromHex, toHex } from './internal/bytes.js';
import {
  consistencyRanges,
  hashRanges,
  inclusionRanges,
  leafHash,
  nodesForRanges,
  rangeHash,
} from './merkle.js';
import {
  buildConsistency,
  buildProof,
  type LogSource,
  type ProofRecord,
  type ProvenAnswer,
  rebuildOwnProofState,
  type TrustSnapshot,
} from './proof.js';
import { type AnswerOf, answerQuery, type Query, subjectsOfQuery } from './query.js';
import type { LedgerState } from './state.js';
import { stateToJson } from './state-json.js';

/** The outcome of {@link TrustLedger.append}. */
export type AppendReceipt =
  | {
      readonly status: 'confirmed';
      readonly entryId: string;
      readonly index: number;
      /** The log's clock when it appended the entry (seconds). */
      readonly time: number;
    }
  | {
      /** Submitted, not yet at the confirmation depth (EVM). */
      readonly status: 'pending';
      readonly entryId: string;
      readonly txHash?: string;
    };

/** Where an entry stands. */
export type EntryStatus =
  | { readonly status: 'confirmed'; readonly index: number }
  | { readonly status: 'pending' }
  | { readonly status: 'unknown' };

/** An RFC 9162 inclusion proof (§2.1.3), hashes in hex. */
export interface InclusionProof {
  readonly index: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly path: readonly string[];
}

/** An RFC 9162 consistency proof (§2.1.4), hashes in hex. */
export interface ConsistencyProof {
  readonly first: number;
  readonly second: number;
  readonly path: readonly string[];
}

/** Options of {@link TrustLedger.exportSnapshot}. */
export interface ExportSnapshotOptions {
  /** Export at this tree size (default: the latest); e.g. the size witnesses cosigned. */
  readonly treeSize?: number;
  /** Include a consistency proof from this earlier head (what the wallet holds). */
  readonly since?: { readonly treeSize: number; readonly rootHash: string };
  /** Status lists whose latest anchor to include (URIs), or `'all'`. */
  readonly statusLists?: readonly string[] | 'all';
}

/**
 * A trust ledger: an append-only log of signed entries deciding which issuer may issue what and
 * which relying party may ask for what (DESIGN.md §5), with RFC 9162 proofs.
 *
 * Invariants (README.md): an entry is appended only if the state machine accepts it (signatures,
 * quorum, issuer key, preconditions) and a refused entry changes nothing; appends are serialised;
 * a record never changes once appended (EVM: once at the confirmation depth — a reorganisation
 * beyond it returns entries to pending, never silently keeps them).
 */
export interface TrustLedger {
  /** `embedded`, `evm` or `memory`. */
  readonly backend: string;
  /** Hex id of the ledger (its genesis entry id); undefined before genesis. */
  ledgerId(): Promise<string | undefined>;
  /** Validate and append a signed entry (the first one must be the genesis entry). */
  append(entry: SignedEntry): Promise<AppendReceipt>;
  /** Where an entry (by hex id) stands. */
  status(entryId: string): Promise<EntryStatus>;
  /** Number of (confirmed) entries. */
  size(): Promise<number>;
  /** One logged entry with its log time and chain link. */
  entry(index: number): Promise<ProofRecord>;
  /**
   * The signed tree head of the current (confirmed) size, or of an earlier size (signed on
   * demand and kept), signed by the log key.
   */
  treeHead(treeSize?: number): Promise<SignedTreeHead>;
  /** RFC 9162 §2.1.3 inclusion proof of entry `index` in the tree of `treeSize` (default: current). */
  inclusionProof(index: number, treeSize?: number): Promise<InclusionProof>;
  /** RFC 9162 §2.1.4 consistency proof between two tree sizes (second default: current). */
  consistencyProof(first: number, second?: number): Promise<ConsistencyProof>;
  /** The current derived state. Treat as read-only. */
  state(): Promise<LedgerState>;
  /** Answer a query with the proof that decides it. */
  query<Q extends Query>(query: Q): Promise<ProvenAnswer<Q>>;
  /** A trust snapshot for offline verifiers and wallets. */
  exportSnapshot(options?: ExportSnapshotOptions): Promise<TrustSnapshot>;
  /** Store a witness cosignature of a tree head this log signed (checked with `witnessKey`). */
  addCosignature(jws: string, witnessKey: TrustedKey): Promise<void>;
  /** Release resources (the store stays open: it belongs to the caller). */
  close(): Promise<void>;
}

/** The parts of a backend the shared {@link LedgerViews} need. */
export interface LogViewHost {
  readonly source: LogSource;
  readonly signer: Signer;
  /** Log clock, seconds. */
  readonly clock: () => number;
  readonly crypto?: CryptoProvider;
  /** Hex ledger id, or undefined before genesis. */
  ledgerId(): Promise<string | undefined>;
  /** Current (confirmed) size. */
  size(): Promise<number>;
  /** A stored head of exactly this size, if the backend keeps one. */
  storedHead(treeSize: number): Promise<SignedTreeHead | undefined>;
  /** Keep a head the views just signed. */
  storeHead(head: SignedTreeHead): Promise<void>;
  /** Cosignatures stored for a head. */
  cosignatures(treeSize: number): Promise<readonly string[]>;
  /** Extra head members (the EVM chain anchor). */
  anchor?(treeSize: number): Promise<TreeHead['anchor']>;
}

/** The backend-independent half of a {@link TrustLedger}. */
export interface LedgerViews {
  treeHead(treeSize?: number): Promise<SignedTreeHead>;
  root(treeSize: number): Promise<string>;
  inclusionProof(index: number, treeSize?: number): Promise<InclusionProof>;
  consistencyProof(first: number, second?: number): Promise<ConsistencyProof>;
  query<Q extends Query>(query: Q): Promise<ProvenAnswer<Q>>;
  exportSnapshot(options?: ExportSnapshotOptions): Promise<TrustSnapshot>;
  checkCosignature(jws: string, witnessKey: TrustedKey): Promise<SignedTreeHead>;
}

function sizeArg(n: number | undefined, current: number): number {
  const size = n ?? current;
  if (!Number.isSafeInteger(size) || size < 0 || size > current) {
    throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such tree size');
  }
  return size;
}

/** Build the shared views over a backend. */
export function ledgerViews(host: LogViewHost): LedgerViews {
  const { source, crypto } = host;
  const root = async (treeSize: number): Promise<string> => {
    if (treeSize === 0) return toHex(rangeHash(0, 0, () => new Uint8Array(32), crypto));
    const ranges = [[0, treeSize] as const];
    const get = await source.nodes(nodesForRanges(ranges));
    return toHex(rangeHash(0, treeSize, get, crypto));
  };
  const requireLedger = async (): Promise<string> => {
    const id = await host.ledgerId();
    if (id === undefined)
      throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'The ledger has no genesis yet');
    return id;
  };
  const treeHead = async (treeSize?: number): Promise<SignedTreeHead> => {
    const ledgerId = await requireLedger();
    const size = sizeArg(treeSize, await host.size());
    const stored = await host.storedHead(size);
    if (stored) return stored;
    const anchor = host.anchor ? await host.anchor(size) : undefined;
    const head = await signTreeHead(
      {
        ledgerId,
        treeSize: size,
        rootHash: await root(size),
        timestamp: host.clock(),
        ...(anchor ? { anchor } : {}),
      },
      host.signer,
    );
    await host.storeHead(head);
    return head;
  };
  return {
    treeHead,
    root,
    async inclusionProof(index, treeSize) {
      const size = sizeArg(treeSize, await host.size());
      const ranges = inclusionRanges(index, size);
      const get = await source.nodes([...nodesForRanges(ranges), { level: 0, index }]);
      return {
        index,
        treeSize: size,
        leafHash: toHex(get(0, index)),
        path: hashRanges(ranges, get, crypto).map(toHex),
      };
    },
    async consistencyProof(first, second) {
      const n = sizeArg(second, await host.size());
      const m = sizeArg(first, n);
      const ranges = consistencyRanges(m, n);
      const get = await source.nodes(nodesForRanges(ranges));
      return { first: m, second: n, path: hashRanges(ranges, get, crypto).map(toHex) };
    },
    async query<Q extends Query>(query: Q): Promise<ProvenAnswer<Q>> {
      const head = await treeHead();
      const proof = await buildProof(source, {
        head,
        signer: host.signer,
        subjects: subjectsOfQuery(query),
        now: host.clock(),
        cosignatures: await host.cosignatures(head.treeSize),
        ...(crypto ? { crypto } : {}),
      });
      const state = await rebuildOwnProofState(proof, head.ledgerId, head.treeSize, crypto);
      return { query, answer: answerQuery(state, query) as AnswerOf<Q>, proof };
    },
    async exportSnapshot(options = {}) {
      const head = await treeHead(options.treeSize);
      let subjects: string[] = [];
      if (options.statusLists === 'all') {
        if (!source.statusLists) {
          throw new OpenMidError('ERR_INPUT_INVALID', 'This backend cannot list status lists');
        }
        subjects = (await source.statusLists(head.treeSize)).map((uri) => `status-list:${uri}`);
      } else if (options.statusLists) {
        subjects = options.statusLists.map((uri) => `status-list:${uri}`);
      }
      const proof = await buildProof(source, {
        head,
        signer: host.signer,
        subjects,
        full: true,
        now: host.clock(),
        cosignatures: await host.cosignatures(head.treeSize),
        ...(crypto ? { crypto } : {}),
      });
      const state = await rebuildOwnProofState(proof, head.ledgerId, head.treeSize, crypto);
      const consistency =
        options.since && options.since.treeSize < head.treeSize
          ? await buildConsistency(source, options.since, head.treeSize, crypto)
          : undefined;
      return {
        type: 'openmid-trust-snapshot',
        ...proof,
        state: stateToJson(state),
        ...(consistency ? { consistency } : {}),
      };
    },
    async checkCosignature(jws, witnessKey) {
      const c = await verifyCosignature(jws, witnessKey);
      const ledgerId = await requireLedger();
      const current = await host.size();
      if (
        c.ledgerId !== ledgerId ||
        c.treeSize > current ||
        (await root(c.treeSize)) !== c.rootHash
      ) {
        throw new OpenMidError(
          'ERR_LEDGER_TREE_HEAD_INVALID',
          'The cosignature is not of a tree head of this log',
        );
      }
      return treeHead(c.treeSize);
    },
  };
}

/** Decode a hex leaf hash (helper for backends). */
export function leafOf(record: Uint8Array, crypto?: CryptoProvider): Uint8Array {
  return leafHash(record, crypto);
}

/** Parse a hex entry id argument. */
export function entryIdArg(entryId: string): Uint8Array {
  const id = fromHex(entryId, 32);
  if (!id)
    throw new OpenMidError('ERR_INPUT_INVALID', 'An entry id is 64 lowercase hex characters');
  return id;
}
