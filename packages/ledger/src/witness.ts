/**
 * @module witness
 * A witness: an independent party (another agency, an auditor) that keeps the last tree head it
 * saw of a log, accepts a new head only with a consistency proof from it (RFC 9162 §2.1.4.2), and
 * then cosigns it. A log that shows a smaller tree (ERR_LEDGER_ROLLBACK) or another root for the
 * same size (ERR_LEDGER_SPLIT_VIEW) to a witness is refused and caught: offline verifiers that
 * require witness cosignatures can no longer be shown a private fork.
 */
import { type CryptoProvider, OpenMidError, type Signer, systemClock } from '@openmid/core';
import {
  type SignedTreeHead,
  signCosignature,
  type TreeHead,
  type TrustedKey,
  toVerifier,
  verifyTreeHead,
} from './heads.js';
import { fromHex } from './internal/bytes.js';
import type { ConsistencyProof } from './ledger.js';
import { verifyConsistency } from './merkle.js';

/** Where a witness keeps the last head it accepted (a file, a table; default: memory). */
export interface WitnessStore {
  load(): Promise<TreeHead | undefined>;
  save(head: TreeHead): Promise<void>;
}

/** An in-memory {@link WitnessStore}. */
export function memoryWitnessStore(initial?: TreeHead): WitnessStore {
  let head = initial;
  return {
    load: async () => head,
    save: async (h) => {
      head = h;
    },
  };
}

/** Options of {@link createWitness}. */
export interface WitnessOptions {
  /** The witness's own ES256 key. */
  readonly signer: Signer;
  /** The log key whose tree heads it checks. */
  readonly logKey: TrustedKey;
  /** The ledger it watches (hex genesis entry id). */
  readonly ledgerId: string;
  readonly store?: WitnessStore;
  /** Seconds. */
  readonly clock?: () => number;
  readonly crypto?: CryptoProvider;
}

/** A witness. */
export interface Witness {
  /** The last head it accepted. */
  latest(): Promise<TreeHead | undefined>;
  /**
   * Check `head` (a signed tree head JWS) against the last accepted head with `consistency` (a
   * proof from that head's size; not needed for the first head or an unchanged one), remember it
   * and return the cosignature JWS.
   */
  cosign(head: string, consistency?: ConsistencyProof): Promise<string>;
}

function hashes(path: readonly string[]): Uint8Array[] {
  return path.map((h) => {
    const b = fromHex(h, 32);
    if (!b)
      throw new OpenMidError('ERR_LEDGER_PROOF_INVALID', 'A consistency proof hash is malformed');
    return b;
  });
}

/** Create a witness. */
export function createWitness(options: WitnessOptions): Witness {
  const store = options.store ?? memoryWitnessStore();
  const clock = options.clock ?? systemClock;
  let serial: Promise<unknown> = Promise.resolve();
  const logKey = toVerifier(options.logKey);
  const cosign = async (jws: string, consistency?: ConsistencyProof): Promise<string> => {
    const head: SignedTreeHead = await verifyTreeHead(jws, {
      logKey: await logKey,
      ledgerId: options.ledgerId,
    });
    const last = await store.load();
    if (last) {
      if (head.treeSize < last.treeSize) {
        throw new OpenMidError('ERR_LEDGER_ROLLBACK', 'The log shows a smaller tree than before');
      }
      if (head.treeSize === last.treeSize && head.rootHash !== last.rootHash) {
        throw new OpenMidError('ERR_LEDGER_SPLIT_VIEW', 'Same tree size, different root');
      }
      if (head.timestamp < last.timestamp) {
        throw new OpenMidError('ERR_LEDGER_TREE_HEAD_INVALID', 'The tree head goes back in time');
      }
      if (head.treeSize > last.treeSize) {
        if (
          !consistency ||
          consistency.first !== last.treeSize ||
          consistency.second !== head.treeSize ||
          !verifyConsistency(
            { first: last.treeSize, second: head.treeSize, path: hashes(consistency.path) },
            fromHex(last.rootHash, 32) as Uint8Array,
            fromHex(head.rootHash, 32) as Uint8Array,
            options.crypto,
          )
        ) {
          throw new OpenMidError(
            'ERR_LEDGER_PROOF_INVALID',
            'No valid consistency proof from the last head the witness saw',
          );
        }
      }
    }
    const { jws: _jws, ...plain } = head;
    await store.save(plain);
    return signCosignature(head, options.signer, clock());
  };
  return {
    latest: () => store.load(),
    cosign(jws, consistency) {
      // One head at a time: two racing heads must not both be checked against the same old head.
      const run = serial.then(
        () => cosign(jws, consistency),
        () => cosign(jws, consistency),
      );
      serial = run.catch(() => undefined);
      return run;
    },
  };
}
