import { generateKeyPair } from '@openmid/core';
import { runLedgerConformance } from '@openmid/ledger/testing';
import { afterAll, beforeAll } from 'vitest';
import { openEvmLedger } from './ledger.js';
import { deployRegistry } from './registry.js';
import {
  type HardhatClients,
  type HardhatNode,
  hardhatClients,
  startHardhatNode,
} from './testing/hardhat.js';

// The EVM backend passes the same suite as the embedded log, on a real Hardhat node started here
// (and stopped by its PID), one freshly deployed registry per test, confirmation depth 2.
let node: HardhatNode;
let c: HardhatClients;

beforeAll(async () => {
  node = await startHardhatNode();
  c = await hardhatClients(node.url);
});

afterAll(async () => {
  await node?.stop();
});

const CONFIRMATIONS = 2;

runLedgerConformance('evm', async () => {
  const log = await generateKeyPair('ES256');
  const deployed = await deployRegistry(c);
  const ledger = await openEvmLedger({
    publicClient: c.publicClient,
    walletClient: c.walletClient,
    address: deployed.address,
    signer: log.signer,
    confirmations: CONFIRMATIONS,
    fromBlock: deployed.blockNumber,
  });
  const now = async (): Promise<number> => Number((await c.publicClient.getBlock()).timestamp) + 1;
  return {
    ledger,
    logKey: log.publicJwk,
    logSigner: log.signer,
    now,
    advance: async (seconds) => {
      await c.testClient.increaseTime({ seconds });
      await c.testClient.mine({ blocks: 1 });
    },
    settle: async () => {
      await c.testClient.mine({ blocks: CONFIRMATIONS });
      await ledger.sync();
    },
    close: () => ledger.close(),
  };
});
