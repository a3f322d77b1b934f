/**
 * @module heads
 * Signed statements about the log, all compact JWS (ES256) with their own explicit `typ`
 * (SECURITY.md: a token of one kind is never accepted as another):
 * - the signed tree head (RFC 9162 §4.10 in substance: tree size, root hash, timestamp), signed
 *   by the log key, `typ` `openmid-ledger-sth+jwt`;
 * - the subject index, signed by the log key with the same size and root: the last entry of each
 *   subject a proof carries, so that a proof shows a subject's chain complete,
 *   `typ` `openmid-ledger-index+jwt`;
 * - a witness cosignature over a tree head it checked for consistency,
 *   `typ` `openmid-ledger-cosig+jwt`.
 */
import {
  isOpenMidError,
  OpenMidError,
  type PublicJwk,
  type Signer,
  signCompactJws,
  type Verifier,
  verifierFromJwk,
  verifyCompactJws,
} from '@openmid/core';
import { fromHex } from './internal/bytes.js';

/** `typ` of a signed tree head. */
export const STH_TYP = 'openmid-ledger-sth+jwt';
/** `typ` of a subject index. */
export const INDEX_TYP = 'openmid-ledger-index+jwt';
/** `typ` of a witness cosignature. */
export const COSIG_TYP = 'openmid-ledger-cosig+jwt';

/** Where an EVM-backed tree head was read (informative: lets an online party re-check the chain). */
export interface ChainAnchor {
  readonly chainId: number;
  readonly contract: string;
  readonly blockNumber: number;
  readonly blockHash: string;
}

/** A tree head: the log's size and RFC 9162 root at a time. */
export interface TreeHead {
  /** Hex id of the ledger (its genesis entry id). */
  readonly ledgerId: string;
  readonly treeSize: number;
  /** Hex MTH of the first `treeSize` leaves. */
  readonly rootHash: string;
  /** When the log signed it (seconds). */
  readonly timestamp: number;
  readonly anchor?: ChainAnchor;
}

/** A tree head with its JWS. */
export interface SignedTreeHead extends TreeHead {
  readonly jws: string;
}

/** A subject index: the last entry of some subjects at a tree size. */
export interface SubjectIndex {
  readonly ledgerId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly timestamp: number;
  /** `full`: every governance, issuer and relying-party subject of the log is listed. */
  readonly scope: 'full' | 'partial';
  /** Hex SHA-256 of the JCS of the `tails` map the proof carries. */
  readonly tailsHash: string;
}

/** A trusted key: a verifier, or a public JWK (ES256). */
export type TrustedKey = Verifier | PublicJwk;

/** Turn a {@link TrustedKey} into a verifier. */
export async function toVerifier(key: TrustedKey): Promise<Verifier> {
  if ('verify' in key && typeof key.verify === 'function') return key as Verifier;
  return verifierFromJwk(key, { alg: 'ES256' });
}

function bad(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError('ERR_LEDGER_TREE_HEAD_INVALID', message, cause ? { cause } : undefined);
}

function hex32(v: unknown): string | undefined {
  return typeof v === 'string' && fromHex(v, 32) !== undefined ? v : undefined;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

async function verifyJws(
  jws: string,
  typ: string,
  key: TrustedKey,
): Promise<Record<string, unknown>> {
  try {
    const { payload } = await verifyCompactJws(jws, {
      typ,
      key: await toVerifier(key),
      algorithms: ['ES256'],
    });
    return payload;
  } catch (e) {
    if (isOpenMidError(e) && e.code.startsWith('ERR_LEDGER_')) throw e;
    throw bad('The signed statement does not verify with the trusted key', e);
  }
}

function headOf(p: Record<string, unknown>): TreeHead {
  const ledgerId = hex32(p['ledger']);
  const treeSize = count(p['tree_size']);
  const rootHash = hex32(p['root_hash']);
  const timestamp = count(p['iat']);
  if (
    ledgerId === undefined ||
    treeSize === undefined ||
    rootHash === undefined ||
    timestamp === undefined
  ) {
    throw bad('The tree head is malformed');
  }
  const a = p['anchor'];
  if (a === undefined) return { ledgerId, treeSize, rootHash, timestamp };
  if (typeof a !== 'object' || a === null) throw bad('The tree head anchor is malformed');
  const anchor = a as Record<string, unknown>;
  const chainId = count(anchor['chainId']);
  const blockNumber = count(anchor['blockNumber']);
  const contract = anchor['contract'];
  const blockHash = anchor['blockHash'];
  if (
    chainId === undefined ||
    blockNumber === undefined ||
    typeof contract !== 'string' ||
    typeof blockHash !== 'string'
  ) {
    throw bad('The tree head anchor is malformed');
  }
  return {
    ledgerId,
    treeSize,
    rootHash,
    timestamp,
    anchor: { chainId, contract, blockNumber, blockHash },
  };
}

function checkLedger(ledgerId: string, expected: string | undefined): void {
  if (expected !== undefined && ledgerId !== expected) {
    throw new OpenMidError('ERR_LEDGER_GENESIS_MISMATCH', 'The tree head is of another ledger');
  }
}

/** Sign a tree head with the log key. */
export async function signTreeHead(head: TreeHead, signer: Signer): Promise<SignedTreeHead> {
  const payload: Record<string, unknown> = {
    ledger: head.ledgerId,
    tree_size: head.treeSize,
    root_hash: head.rootHash,
    iat: head.timestamp,
  };
  if (head.anchor) payload['anchor'] = { ...head.anchor };
  return { ...head, jws: await signCompactJws(payload, { typ: STH_TYP, signer }) };
}

/**
 * Verify a signed tree head with the log key (and, when given, that it is of `ledgerId`).
 * ERR_LEDGER_TREE_HEAD_INVALID, ERR_LEDGER_GENESIS_MISMATCH.
 */
export async function verifyTreeHead(
  jws: string,
  options: { readonly logKey: TrustedKey; readonly ledgerId?: string },
): Promise<SignedTreeHead> {
  const head = headOf(await verifyJws(jws, STH_TYP, options.logKey));
  checkLedger(head.ledgerId, options.ledgerId);
  return { ...head, jws };
}

/** Sign a subject index with the log key. */
export async function signSubjectIndex(index: SubjectIndex, signer: Signer): Promise<string> {
  return signCompactJws(
    {
      ledger: index.ledgerId,
      tree_size: index.treeSize,
      root_hash: index.rootHash,
      iat: index.timestamp,
      scope: index.scope,
      tails: index.tailsHash,
    },
    { typ: INDEX_TYP, signer },
  );
}

/** Verify a subject index with the log key. */
export async function verifySubjectIndex(
  jws: string,
  options: { readonly logKey: TrustedKey; readonly ledgerId?: string },
): Promise<SubjectIndex> {
  const p = await verifyJws(jws, INDEX_TYP, options.logKey);
  const head = headOf(p);
  const scope = p['scope'];
  const tailsHash = hex32(p['tails']);
  if ((scope !== 'full' && scope !== 'partial') || tailsHash === undefined) {
    throw bad('The subject index is malformed');
  }
  checkLedger(head.ledgerId, options.ledgerId);
  return {
    ledgerId: head.ledgerId,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    timestamp: head.timestamp,
    scope,
    tailsHash,
  };
}

/** A witness's cosignature of a tree head, as verified. */
export interface Cosignature {
  readonly ledgerId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  /** When the witness cosigned (seconds). */
  readonly timestamp: number;
  readonly jws: string;
}

/** Cosign a tree head (a witness does this after checking consistency: {@link ./witness.js}). */
export async function signCosignature(
  head: TreeHead,
  signer: Signer,
  timestamp: number,
): Promise<string> {
  return signCompactJws(
    { ledger: head.ledgerId, tree_size: head.treeSize, root_hash: head.rootHash, iat: timestamp },
    { typ: COSIG_TYP, signer },
  );
}

/** Verify one cosignature with one witness key. */
export async function verifyCosignature(jws: string, witnessKey: TrustedKey): Promise<Cosignature> {
  const h = headOf(await verifyJws(jws, COSIG_TYP, witnessKey));
  return {
    ledgerId: h.ledgerId,
    treeSize: h.treeSize,
    rootHash: h.rootHash,
    timestamp: h.timestamp,
    jws,
  };
}

/**
 * Count the distinct trusted witnesses that cosigned exactly `head` (same ledger, size and root);
 * throw ERR_LEDGER_WITNESS_MISSING when fewer than `threshold`.
 */
export async function checkCosignatures(
  cosignatures: readonly string[],
  head: TreeHead,
  policy: { readonly witnesses: readonly TrustedKey[]; readonly threshold: number },
): Promise<number> {
  const verifiers = await Promise.all(policy.witnesses.map(toVerifier));
  const counted = new Set<number>();
  for (const jws of cosignatures) {
    for (let w = 0; w < verifiers.length; w++) {
      if (counted.has(w)) continue;
      try {
        const c = await verifyCosignature(jws, verifiers[w] as Verifier);
        if (
          c.ledgerId === head.ledgerId &&
          c.treeSize === head.treeSize &&
          c.rootHash === head.rootHash
        ) {
          counted.add(w);
          break;
        }
      } catch {
        // Not this witness's (or not valid): try the next key.
      }
    }
  }
  if (counted.size < policy.threshold) {
    throw new OpenMidError(
      'ERR_LEDGER_WITNESS_MISSING',
      'Too few trusted witnesses cosigned the tree head',
      { details: { required: policy.threshold, found: counted.size } },
    );
  }
  return counted.size;
}
