/**
 * @module @openmid/ledger-evm/testing
 * A local Hardhat node and viem clients for tests and benchmarks. Never import from production code.
 */
export {
  type HardhatClients,
  type HardhatNode,
  hardhatClients,
  startHardhatNode,
} from './hardhat.js';
