/**
 * @module registry
 * The registry contract as TypeScript sees it: its committed artifact (ABI and bytecode), the
 * mapping from a parsed ledger entry to the contract's `append(effects, body, sigs)` arguments,
 * the mapping of the contract's custom errors to OpenMID error codes, and deployment.
 */

import { OpenMidError, type OpenMidErrorCode } from '@openmid/core';
import { canonicalize, type Effects, type ParsedEntry } from '@openmid/ledger';
import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import artifact from '../contracts/OpenMidTrustRegistry.sol.json' with { type: 'json' };

/** The registry contract's ABI (from the committed artifact). */
export const REGISTRY_ABI: Abi = artifact.abi as Abi;
/** Creation bytecode (from the committed artifact). */
export const REGISTRY_BYTECODE: Hex = artifact.bytecode as Hex;

/** A wallet client that can send transactions (an account and a chain are attached). */
export type SendingClient = WalletClient<Transport, Chain, Account>;

/** Lowercase 0x-hex of bytes. */
export function hex(bytes: Uint8Array): Hex {
  let s = '0x';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s as Hex;
}

/** The `Effects` struct argument. */
export function effectsArg(e: Effects): Record<string, unknown> {
  return {
    kind: e.kind,
    subject: hex(e.subject),
    issuer: hex(e.issuer),
    iat: BigInt(e.iat),
    exp: BigInt(e.exp),
    effectiveAt: BigInt(e.effectiveAt),
    keyId: hex(e.keyId),
    quorum: e.quorum,
    validFrom: BigInt(e.validFrom),
    validUntil: BigInt(e.validUntil),
    keys: e.keys.map((k) => ({
      id: hex(k.id),
      x: hex(k.x),
      y: hex(k.y),
      validFrom: BigInt(k.validFrom),
      validUntil: BigInt(k.validUntil),
    })),
  };
}

/** The three arguments of `append` for a parsed entry. */
export function appendArgs(
  entry: ParsedEntry,
): readonly [Record<string, unknown>, Hex, Record<string, unknown>[]] {
  return [
    effectsArg(entry.effects),
    hex(new TextEncoder().encode(canonicalize(entry.body))),
    entry.signatures.map((s) => ({
      keyId: hex(s.keyId),
      r: hex(s.sig.subarray(0, 32)),
      s: hex(s.sig.subarray(32, 64)),
    })),
  ];
}

/** The contract's custom errors and the codes they mean. */
export const REVERT_CODES: Readonly<Record<string, OpenMidErrorCode>> = Object.freeze({
  NotGenesis: 'ERR_LEDGER_ENTRY_INVALID',
  BadEffects: 'ERR_LEDGER_ENTRY_INVALID',
  Expired: 'ERR_LEDGER_ENTRY_EXPIRED',
  Duplicate: 'ERR_LEDGER_DUPLICATE',
  UnknownSigner: 'ERR_LEDGER_SIGNATURE_INVALID',
  BadSignature: 'ERR_LEDGER_SIGNATURE_INVALID',
  DuplicateSigner: 'ERR_LEDGER_QUORUM_NOT_MET',
  QuorumNotMet: 'ERR_LEDGER_QUORUM_NOT_MET',
  NotFound: 'ERR_LEDGER_NOT_FOUND',
  Conflict: 'ERR_LEDGER_CONFLICT',
  Unauthorised: 'ERR_LEDGER_UNAUTHORISED',
  SubjectClash: 'ERR_LEDGER_CONFLICT',
});

/** The custom error name of a reverted call, if viem decoded one. */
export function revertName(e: unknown): string | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const reverted = e.walk((x) => x instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

/**
 * Turn a viem error into a coded one: a contract revert becomes its ledger code; anything else
 * (node unreachable, RPC error) is ERR_LEDGER_UNAVAILABLE. The cause is kept, never echoed.
 */
export function chainError(e: unknown): OpenMidError {
  if (e instanceof OpenMidError) return e;
  const name = revertName(e);
  const code = name === undefined ? undefined : REVERT_CODES[name];
  if (code) return new OpenMidError(code, `The registry refused the entry (${name})`, { cause: e });
  return new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'The chain node failed the request', {
    cause: e,
  });
}

/** A deployed registry. */
export interface DeployedRegistry {
  readonly address: Address;
  readonly blockNumber: bigint;
  readonly gasUsed: bigint;
}

/**
 * Deploy the registry (the genesis entry is its first `append`).
 *
 * @example
 * ```ts
 * const { address, blockNumber } = await deployRegistry({ walletClient, publicClient })
 * ```
 */
export async function deployRegistry(clients: {
  readonly walletClient: SendingClient;
  readonly publicClient: PublicClient;
}): Promise<DeployedRegistry> {
  try {
    const hash = await clients.walletClient.deployContract({
      abi: REGISTRY_ABI,
      bytecode: REGISTRY_BYTECODE,
    });
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'The registry deployment failed');
    }
    return {
      address: receipt.contractAddress,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
    };
  } catch (e) {
    throw chainError(e);
  }
}
