import { generateKeyPair } from '@openmid/core';
import { createMemoryLedger } from './memory.js';
import { runLedgerConformance } from './testing/conformance.js';

// The in-memory backend (wallet, demos, the EVM client's mirror) passes the shared suite.
runLedgerConformance('memory', async () => {
  const log = await generateKeyPair('ES256');
  let now = 1_800_000_000;
  const ledger = createMemoryLedger({ signer: log.signer, clock: () => now });
  return {
    ledger,
    logKey: log.publicJwk,
    logSigner: log.signer,
    now: async () => now,
    advance: async (s) => {
      now += s;
    },
    settle: async () => undefined,
    close: () => ledger.close(),
  };
});
