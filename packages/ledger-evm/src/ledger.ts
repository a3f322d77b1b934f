/**
 * @module ledger
 * The EVM backend of {@link TrustLedger}: entries go on chain through the registry contract (which
 * enforces the quorum and the issuer keys itself) and are read back from its `Appended` events
 * into a local mirror (an in-memory RFC 9162 log and the shared state machine), from which tree
 * heads, proofs, proven answers and trust snapshots are made exactly as the embedded log makes
 * them.
 *
 * Confirmation. The mirror only takes blocks at the configured depth (`confirmations`: 1 = the
 * latest block; on Besu QBFT, whose blocks are final, 1 is right; on a chain with forks, more).
 * An appended entry is `pending` until then.
 *
 * Reorganisations. Every sync first checks that the last block it took still has the same hash.
 * If not, it walks back to the newest block that did not change, drops every mirrored entry
 * after it and rebuilds the state: those entries are `pending` again (and, by default, submitted
 * again), never silently kept. A tree head signed before such a reorganisation and one signed
 * after it can disagree at the same size: a witness reports that as a split view, which is what
 * it is.
 */
import { type CryptoProvider, OpenMidError, type Signer, systemClock } from '@openmid/core';
import {
  type AppendReceipt,
  applyEntry,
  checkEntry,
  createLedgerState,
  createMemoryLog,
  createMutex,
  type EntrySignature,
  entryIdOf,
  entryPreimage,
  fromHex,
  keyIdOf,
  type LedgerState,
  type LedgerViews,
  leafHash,
  ledgerViews,
  type MemoryLog,
  noteRecord,
  type ParsedEntry,
  parseEntry,
  prepareAppend,
  proofRecordOf,
  type SignedEntry,
  type SignedTreeHead,
  type StoredRecord,
  type TrustedKey,
  type TrustLedger,
  toHex,
  type VerifierCache,
} from '@openmid/ledger';
import type { Address, Hex, PublicClient } from 'viem';
import { appendArgs, chainError, REGISTRY_ABI, type SendingClient } from './registry.js';

/** Options of {@link openEvmLedger}. */
export interface EvmLedgerOptions {
  readonly publicClient: PublicClient;
  /** Needed to append (any account: authority comes from the entry signatures, not the sender). */
  readonly walletClient?: SendingClient;
  /** The registry contract. */
  readonly address: Address;
  /** This node's log key (ES256): signs the tree heads and subject indexes it exports. */
  readonly signer: Signer;
  /** Blocks needed before an entry counts (1 = the latest block). Default 2. */
  readonly confirmations?: number;
  /** The block the registry was deployed in (logs are read from there). Default 0. */
  readonly fromBlock?: bigint;
  /** Submit entries again when a reorganisation dropped them. Default true. */
  readonly resubmit?: boolean;
  /** Gas limit per append (default: estimated by the node). */
  readonly gas?: bigint;
  /** Clock for tree-head timestamps, seconds. */
  readonly clock?: () => number;
  readonly crypto?: CryptoProvider;
}

/** What a {@link EvmLedger.sync} did. */
export interface SyncReport {
  /** Entries newly confirmed. */
  readonly confirmed: number;
  /** Confirmed entries dropped by a reorganisation (now pending again). */
  readonly reorganised: number;
  /** The block the mirror now reflects. */
  readonly block: bigint;
}

/** The EVM ledger. */
export interface EvmLedger extends TrustLedger {
  readonly address: Address;
  /** Read new confirmed blocks, handle reorganisations, resubmit dropped entries. */
  sync(): Promise<SyncReport>;
  /** The index of a confirmed entry; ERR_LEDGER_PENDING while pending, ERR_LEDGER_NOT_FOUND if unknown. */
  confirmedIndex(entryId: string): Promise<number>;
}

interface Pending {
  readonly entry: ParsedEntry;
  txHash: Hex | undefined;
}

interface BlockRef {
  readonly number: bigint;
  readonly hash: Hex;
}

interface AppendedArgs {
  index: bigint;
  entryId: Hex;
  leafHash: Hex;
  record: Hex;
  body: Hex;
  sigs: readonly { keyId: Hex; r: Hex; s: Hex }[];
}

function bytesOf(h: Hex): Uint8Array {
  const b = fromHex(h.slice(2).toLowerCase());
  if (!b) throw new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'The chain returned malformed bytes');
  return b;
}

function u64(b: Uint8Array, o: number): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return v.getUint32(o) * 0x1_0000_0000 + v.getUint32(o + 4);
}

function isAppended(a: unknown): a is AppendedArgs {
  if (typeof a !== 'object' || a === null) return false;
  const o = a as Record<string, unknown>;
  return (
    typeof o['index'] === 'bigint' &&
    typeof o['record'] === 'string' &&
    typeof o['body'] === 'string' &&
    typeof o['leafHash'] === 'string' &&
    Array.isArray(o['sigs'])
  );
}

/**
 * Open the EVM ledger on a deployed registry and read the chain up to the confirmation depth.
 *
 * @example
 * ```ts
 * const ledger = await openEvmLedger({ publicClient, walletClient, address, signer: nodeKey })
 * const receipt = await ledger.append(entry)      // { status: 'pending', entryId, txHash }
 * await ledger.sync()                              // later: confirmed at the depth
 * ```
 */
export async function openEvmLedger(options: EvmLedgerOptions): Promise<EvmLedger> {
  const { publicClient, walletClient, address, crypto } = options;
  const confirmations = BigInt(options.confirmations ?? 2);
  if (confirmations < 1n) throw new OpenMidError('ERR_INPUT_INVALID', 'confirmations must be ≥ 1');
  const fromBlock = options.fromBlock ?? 0n;
  const clock = options.clock ?? systemClock;
  const resubmit = options.resubmit ?? true;
  const serial = createMutex();
  const verifiers: VerifierCache = new Map();

  let mirror: MemoryLog = createMemoryLog(crypto);
  let state: LedgerState = createLedgerState();
  /** Block of each mirrored record, by index. */
  let blocks: BlockRef[] = [];
  let synced: BlockRef | undefined;
  const pending = new Map<string, Pending>();
  const heads = new Map<number, SignedTreeHead>();
  const cosigs = new Map<number, string[]>();
  const chainId = await publicClient.getChainId().catch((e: unknown) => {
    throw chainError(e);
  });

  const views: LedgerViews = ledgerViews({
    source: {
      records: (i) => mirror.records(i),
      chains: (s, n) => mirror.chains(s, n),
      tails: (s, n) => mirror.tails(s, n),
      trustTails: (n) => mirror.trustTails(n),
      nodes: (k) => mirror.nodes(k),
      statusLists: (n) => mirror.statusLists(n),
    },
    signer: options.signer,
    clock,
    ...(crypto ? { crypto } : {}),
    ledgerId: async () => state.ledgerId,
    size: async () => mirror.size,
    storedHead: async (n) => heads.get(n),
    storeHead: async (h) => {
      heads.set(h.treeSize, h);
    },
    cosignatures: async (n) => cosigs.get(n) ?? [],
    anchor: async (n) =>
      synced && n === mirror.size
        ? {
            chainId,
            contract: address.toLowerCase(),
            blockNumber: Number(synced.number),
            blockHash: synced.hash,
          }
        : undefined,
  });

  /** Rebuild a signed entry from an event: kids come from the keys the state knows. */
  const entryOf = (
    kind: number,
    bodyBytes: Uint8Array,
    sigs: AppendedArgs['sigs'],
  ): SignedEntry | undefined => {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bodyBytes));
    } catch {
      return undefined;
    }
    const b = body as Record<string, unknown>;
    let kids: readonly string[] = [];
    if (kind === 0) {
      const keys = (b['governance'] as { keys?: { kid?: unknown }[] } | undefined)?.keys ?? [];
      kids = keys.map((k) => (typeof k.kid === 'string' ? k.kid : ''));
    } else if (kind <= 9) {
      kids = state.governance?.keys.map((k) => k.kid) ?? [];
    } else if (typeof b['issuer'] === 'string') {
      kids = [...(state.issuers.get(b['issuer'])?.keys.keys() ?? [])];
    }
    const byId = new Map(kids.map((k) => [toHex(keyIdOf(k, crypto)), k]));
    const signatures: EntrySignature[] = [];
    for (const s of sigs) {
      const kid = byId.get(s.keyId.slice(2).toLowerCase());
      if (kid === undefined) return undefined;
      signatures.push({ kid, sig: `${s.r.slice(2)}${s.s.slice(2)}`.toLowerCase() });
    }
    return { body: body as SignedEntry['body'], signatures };
  };

  /** Apply one record to the mirror; returns the rebuilt entry's id. */
  const applyRecord = async (stored: StoredRecord, verify: boolean): Promise<void> => {
    const subject = toHex(stored.subject);
    let parsed: ParsedEntry | undefined;
    if (stored.entry) {
      try {
        parsed = parseEntry(stored.entry, crypto);
      } catch {
        parsed = undefined;
      }
    }
    if (!parsed) {
      state.rejected.push({ index: stored.index, code: 'ERR_LEDGER_ENTRY_INVALID' });
      noteRecord(state, { index: stored.index, subject, label: subject, kind: stored.kind });
      return;
    }
    const ledgerId = state.ledgerId === undefined ? undefined : fromHex(state.ledgerId, 32);
    try {
      await checkEntry(
        state,
        parsed,
        { index: stored.index, time: stored.time, preimage: entryPreimage(parsed, ledgerId) },
        { verifiers, ...(crypto ? { crypto } : {}), ...(verify ? {} : { trusted: true }) },
      );
      applyEntry(state, parsed, {
        index: stored.index,
        time: stored.time,
        entryId: toHex(stored.record.subarray(50, 82)),
      });
    } catch (e) {
      if (!(e instanceof OpenMidError) || !e.code.startsWith('ERR_LEDGER_')) throw e;
      state.rejected.push({ index: stored.index, code: e.code });
      noteRecord(state, {
        index: stored.index,
        subject,
        label: parsed.subjectLabel,
        kind: stored.kind,
      });
    }
  };

  const ingest = async (args: AppendedArgs, block: BlockRef): Promise<void> => {
    const index = Number(args.index);
    if (index !== mirror.size) {
      throw new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'The chain log has a gap', {
        details: { index },
      });
    }
    const record = bytesOf(args.record);
    if (
      record.length !== 114 ||
      toHex(leafHash(record, crypto)) !== args.leafHash.slice(2).toLowerCase()
    ) {
      throw new OpenMidError(
        'ERR_LEDGER_UNAVAILABLE',
        'The chain record does not match its leaf hash',
      );
    }
    const kind = record[1] as number;
    const prevPlus = u64(record, 10);
    let entry = entryOf(kind, bytesOf(args.body), args.sigs);
    if (entry) {
      // The entry must rebuild exactly the record the contract hashed; otherwise carry it opaque.
      try {
        const parsed = parseEntry(entry, crypto);
        const ledgerId = kind === 0 ? undefined : fromHex(state.ledgerId ?? '', 32);
        const same =
          toHex(entryIdOf(parsed, ledgerId, crypto)) === toHex(record.subarray(50, 82)) &&
          toHex(parsed.sigsHash) === toHex(record.subarray(82, 114)) &&
          parsed.kind === kind &&
          toHex(parsed.subject) === toHex(record.subarray(18, 50));
        entry = same ? parsed.canonical : undefined;
      } catch {
        entry = undefined;
      }
    }
    if (!entry && kind < 10) {
      // Only an issuer can put an unreadable entry on chain (anchors); a governance entry that
      // cannot be rebuilt means the chain and this client disagree: stop rather than guess.
      throw new OpenMidError(
        'ERR_LEDGER_UNAVAILABLE',
        'A governance entry on chain cannot be rebuilt',
        {
          details: { index },
        },
      );
    }
    const stored: StoredRecord = {
      index,
      time: u64(record, 2),
      prev: prevPlus === 0 ? null : prevPlus - 1,
      kind,
      subject: record.slice(18, 50),
      entry,
      record,
    };
    await applyRecord(stored, true);
    mirror.append(stored);
    blocks.push(block);
    pending.delete(toHex(record.subarray(50, 82)));
  };

  const send = async (p: Pending): Promise<Hex> => {
    if (!walletClient)
      throw new OpenMidError('ERR_INPUT_INVALID', 'A wallet client is needed to append');
    try {
      return await walletClient.writeContract({
        address,
        abi: REGISTRY_ABI,
        functionName: 'append',
        args: appendArgs(p.entry),
        ...(options.gas === undefined ? {} : { gas: options.gas }),
      });
    } catch (e) {
      throw chainError(e);
    }
  };

  /** Drop mirrored entries after the newest block that is still on the chain. */
  const unwind = async (): Promise<number> => {
    let keep = mirror.size;
    let forkBlock: BlockRef | undefined;
    while (keep > 0) {
      const ref = blocks[keep - 1] as BlockRef;
      const now = await publicClient.getBlock({ blockNumber: ref.number }).catch(() => undefined);
      if (now?.hash === ref.hash) {
        forkBlock = ref;
        break;
      }
      keep--;
    }
    const dropped = mirror.truncate(keep);
    blocks = blocks.slice(0, keep);
    for (const n of [...heads.keys()]) if (n > keep) heads.delete(n);
    for (const n of [...cosigs.keys()]) if (n > keep) cosigs.delete(n);
    // Rebuild the state from the entries that stayed (verified when first read).
    const kept = mirror;
    mirror = createMemoryLog(crypto);
    state = createLedgerState();
    for (let i = 0; i < keep; i++) {
      const r = kept.record(i) as StoredRecord;
      await applyRecord(r, false);
      mirror.append(r);
    }
    synced = forkBlock ?? (fromBlock > 0n ? await blockRef(fromBlock - 1n) : undefined);
    for (const r of dropped) {
      if (!r.entry) continue;
      const parsed = parseEntry(r.entry, crypto);
      pending.set(toHex(r.record.subarray(50, 82)), { entry: parsed, txHash: undefined });
    }
    return dropped.length;
  };

  const blockRef = async (n: bigint): Promise<BlockRef> => {
    const b = await publicClient.getBlock({ blockNumber: n });
    if (!b.hash)
      throw new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'The node returned a pending block');
    return { number: n, hash: b.hash };
  };

  const sync = (): Promise<SyncReport> =>
    serial(async () => {
      try {
        let reorganised = 0;
        if (synced) {
          const now = await publicClient
            .getBlock({ blockNumber: synced.number })
            .catch(() => undefined);
          if (now?.hash !== synced.hash) reorganised = await unwind();
        }
        const latest = await publicClient.getBlockNumber();
        const safe = latest - (confirmations - 1n);
        const start = synced ? synced.number + 1n : fromBlock;
        const before = mirror.size;
        if (safe >= start) {
          const refs = new Map<bigint, BlockRef>();
          for (let from = start; from <= safe; from += 2000n) {
            const to = from + 1999n < safe ? from + 1999n : safe;
            const logs = await publicClient.getContractEvents({
              address,
              abi: REGISTRY_ABI,
              eventName: 'Appended',
              fromBlock: from,
              toBlock: to,
              strict: true,
            });
            logs.sort((a, b) =>
              a.blockNumber === b.blockNumber
                ? a.logIndex - b.logIndex
                : a.blockNumber < b.blockNumber
                  ? -1
                  : 1,
            );
            for (const log of logs) {
              const args = (log as unknown as { args: unknown }).args;
              if (!isAppended(args) || log.blockNumber === null || log.blockHash === null) {
                throw new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'A malformed Appended event');
              }
              const ref = refs.get(log.blockNumber) ?? {
                number: log.blockNumber,
                hash: log.blockHash,
              };
              refs.set(log.blockNumber, ref);
              await ingest(args, ref);
            }
          }
          synced = await blockRef(safe);
          // The contract's own root at that block must be the mirror's: same leaves, same tree.
          const [size, root] = await Promise.all([
            publicClient.readContract({
              address,
              abi: REGISTRY_ABI,
              functionName: 'size',
              blockNumber: safe,
            }),
            publicClient.readContract({
              address,
              abi: REGISTRY_ABI,
              functionName: 'root',
              blockNumber: safe,
            }),
          ]);
          if (
            Number(size) !== mirror.size ||
            (mirror.size > 0 && String(root).slice(2).toLowerCase() !== toHex(mirror.tree.root()))
          ) {
            throw new OpenMidError(
              'ERR_LEDGER_UNAVAILABLE',
              'The contract root differs from the mirror',
            );
          }
        }
        if (resubmit && walletClient) {
          for (const p of pending.values()) {
            if (p.txHash === undefined) {
              p.txHash = await send(p).catch(() => undefined);
            }
          }
        }
        return { confirmed: mirror.size - before, reorganised, block: synced?.number ?? fromBlock };
      } catch (e) {
        throw chainError(e);
      }
    });

  const append = (entry: SignedEntry): Promise<AppendReceipt> =>
    serial(async () => {
      const parsed = parseEntry(entry, crypto);
      const latest = await publicClient.getBlock().catch((e: unknown) => {
        throw chainError(e);
      });
      // Validate as the contract will (and more: the body itself), against the confirmed state.
      const prepared = await prepareAppend({
        state,
        entry: parsed,
        index: mirror.size,
        time: Number(latest.timestamp) + 1,
        prev: mirror.currentTail(toHex(parsed.subject)) ?? null,
        isDuplicate: (id) => mirror.indexOf(id) !== undefined || pending.has(id),
        verifiers,
        ...(crypto ? { crypto } : {}),
      });
      const p: Pending = { entry: parsed, txHash: undefined };
      p.txHash = await send(p);
      pending.set(prepared.entryId, p);
      return { status: 'pending', entryId: prepared.entryId, txHash: p.txHash };
    });

  const ledger: EvmLedger = {
    backend: 'evm',
    address,
    sync,
    append,
    ledgerId: async () => state.ledgerId,
    async status(entryId) {
      const id = entryId.toLowerCase();
      const index = mirror.indexOf(id);
      if (index !== undefined) return { status: 'confirmed', index };
      return pending.has(id) ? { status: 'pending' } : { status: 'unknown' };
    },
    async confirmedIndex(entryId) {
      const s = await ledger.status(entryId);
      if (s.status === 'confirmed') return s.index;
      throw new OpenMidError(
        s.status === 'pending' ? 'ERR_LEDGER_PENDING' : 'ERR_LEDGER_NOT_FOUND',
        s.status === 'pending' ? 'The entry is not confirmed yet' : 'Unknown entry',
      );
    },
    size: async () => mirror.size,
    async entry(index) {
      const r = mirror.record(index);
      if (!r) throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such entry');
      return proofRecordOf(r);
    },
    treeHead: (n) => views.treeHead(n),
    inclusionProof: (i, n) => views.inclusionProof(i, n),
    consistencyProof: (m, n) => views.consistencyProof(m, n),
    state: async () => state,
    query: (q) => views.query(q),
    exportSnapshot: (o) => views.exportSnapshot(o),
    async addCosignature(jws: string, witnessKey: TrustedKey) {
      const head = await views.checkCosignature(jws, witnessKey);
      cosigs.set(head.treeSize, [...(cosigs.get(head.treeSize) ?? []), jws]);
    },
    close: async () => undefined,
  };
  await sync();
  return ledger;
}
