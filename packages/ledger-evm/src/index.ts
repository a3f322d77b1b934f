/**
 * @module @openmid/ledger-evm
 * The trust ledger on an EVM chain (Hyperledger Besu with QBFT in production, one validator per
 * agency; docs/ledger-evm.md): the registry contract (Solidity, compiled with solc-js, artifact
 * committed beside the source) enforces the governance quorum and the issuer keys on chain, and a
 * viem client implements the same `TrustLedger` interface as the embedded log, trusting only
 * blocks at a configured confirmation depth.
 */
export {
  type EvmLedger,
  type EvmLedgerOptions,
  openEvmLedger,
  type SyncReport,
} from './ledger.js';
export {
  appendArgs,
  chainError,
  type DeployedRegistry,
  deployRegistry,
  effectsArg,
  REGISTRY_ABI,
  REGISTRY_BYTECODE,
  REVERT_CODES,
  revertName,
  type SendingClient,
} from './registry.js';
