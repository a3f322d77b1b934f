/**
 * @module http/wire
 * The trust-ledger node's HTTP API (version 1) as both sides see it: the paths, the JSON shapes
 * the node answers with, and the guards a client uses before it trusts anything. Every shape here
 * is stable (additive changes only); docs/ledger-node.md describes each endpoint.
 *
 * Nothing that a client learns from these shapes is trusted as is: tree heads are verified with
 * the pinned log key, entries against an inclusion proof, answers and snapshots by recomputing
 * them from the proofs they carry ({@link ./client.js}).
 */
import type { PublicJwk } from '@openmid/core';
import type { AppendReceipt, ConsistencyProof, EntryStatus, InclusionProof } from '../ledger.js';

/** The paths of the node's API, version 1. */
export const LEDGER_PATHS: {
  readonly info: string;
  readonly treeHead: string;
  readonly entries: string;
  entry(index: number): string;
  entryStatus(entryId: string): string;
  readonly inclusion: string;
  readonly consistency: string;
  readonly query: string;
  readonly snapshot: string;
  readonly cosignatures: string;
  readonly devCountersign: string;
} = Object.freeze({
  info: '/v1/ledger',
  treeHead: '/v1/tree-head',
  entries: '/v1/entries',
  entry: (index: number) => `/v1/entries/${index}`,
  entryStatus: (entryId: string) => `/v1/entries/by-id/${entryId}`,
  inclusion: '/v1/proofs/inclusion',
  consistency: '/v1/proofs/consistency',
  query: '/v1/query',
  snapshot: '/v1/snapshot',
  cosignatures: '/v1/cosignatures',
  devCountersign: '/v1/dev/countersign',
});

/**
 * `GET /v1/ledger`: what a verifier or wallet pins. `ledgerId` is the hex genesis entry id (null
 * before genesis); `logKey` the ES256 key that signs tree heads and subject indexes, with its RFC
 * 7638 thumbprint as `kid`. Pin both out of band in production: a node can lie about itself.
 */
export interface LedgerInfo {
  readonly ledgerId: string | null;
  /** The genesis `name`. */
  readonly name: string | null;
  /** `embedded` or `evm`. */
  readonly backend: string;
  readonly logKey: PublicJwk & { readonly kid: string };
  /** Confirmed entries. */
  readonly treeSize: number;
  /** True when the development governance endpoint is enabled (never in production). */
  readonly development: boolean;
  /** EVM backend: where the registry lives. */
  readonly chain?: {
    readonly chainId: number;
    readonly contract: string;
    readonly confirmations: number;
  };
}

/** `GET /v1/tree-head`: the signed tree head; clients verify `jws`, the rest is informative. */
export interface TreeHeadJson {
  readonly ledgerId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly timestamp: number;
  readonly jws: string;
}

/** `POST /v1/cosignatures` body: a witness cosignature and the witness's public key. */
export interface CosignatureSubmission {
  readonly cosignature: string;
  readonly witnessKey: PublicJwk;
}

/** The JSON error body of every failed call (server-kit). */
export interface ErrorJson {
  readonly code: string;
  readonly message: string;
  readonly requestId: string;
  readonly details?: Record<string, unknown>;
}

/** The shapes re-exported for the node's schemas. */
export type { AppendReceipt, ConsistencyProof, EntryStatus, InclusionProof };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

const HEX32 = /^[0-9a-f]{64}$/;

/** True for 64 lowercase hex characters (entry ids, hashes). */
export function isHex32(v: unknown): v is string {
  return typeof v === 'string' && HEX32.test(v);
}

function isHexList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isHex32);
}

/** Guard of {@link LedgerInfo} (the key itself is checked by whoever pins it). */
export function isLedgerInfo(v: unknown): v is LedgerInfo {
  return (
    isObject(v) &&
    (v['ledgerId'] === null || isHex32(v['ledgerId'])) &&
    (v['name'] === null || typeof v['name'] === 'string') &&
    typeof v['backend'] === 'string' &&
    isObject(v['logKey']) &&
    typeof v['logKey']['kid'] === 'string' &&
    isCount(v['treeSize']) &&
    typeof v['development'] === 'boolean'
  );
}

/** Guard of {@link AppendReceipt}. */
export function isAppendReceipt(v: unknown): v is AppendReceipt {
  if (!isObject(v) || !isHex32(v['entryId'])) return false;
  if (v['status'] === 'confirmed') return isCount(v['index']) && isCount(v['time']);
  return (
    v['status'] === 'pending' && (v['txHash'] === undefined || typeof v['txHash'] === 'string')
  );
}

/** Guard of {@link EntryStatus}. */
export function isEntryStatus(v: unknown): v is EntryStatus {
  if (!isObject(v)) return false;
  if (v['status'] === 'confirmed') return isCount(v['index']);
  return v['status'] === 'pending' || v['status'] === 'unknown';
}

/** Guard of {@link InclusionProof}. */
export function isInclusionProof(v: unknown): v is InclusionProof {
  return (
    isObject(v) &&
    isCount(v['index']) &&
    isCount(v['treeSize']) &&
    v['index'] < v['treeSize'] &&
    isHex32(v['leafHash']) &&
    isHexList(v['path']) &&
    v['path'].length <= 64
  );
}

/** Guard of {@link ConsistencyProof}. */
export function isConsistencyProof(v: unknown): v is ConsistencyProof {
  return (
    isObject(v) &&
    isCount(v['first']) &&
    isCount(v['second']) &&
    v['first'] <= v['second'] &&
    isHexList(v['path']) &&
    v['path'].length <= 128
  );
}

/** Guard of {@link ErrorJson}. */
export function isErrorJson(v: unknown): v is ErrorJson {
  return (
    isObject(v) &&
    typeof v['code'] === 'string' &&
    /^ERR_[A-Z0-9_]{1,60}$/.test(v['code']) &&
    typeof v['message'] === 'string'
  );
}
