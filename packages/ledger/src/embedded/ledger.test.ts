import { generateKeyPair } from '@openmid/core';
import { describeStores } from '@openmid/server-kit/testing';
import { runLedgerConformance } from '../testing/conformance.js';
import { openEmbeddedLedger } from './ledger.js';
import { LEDGER_MIGRATIONS } from './schema.js';

const TABLES =
  'ledger_cosignatures, ledger_heads, ledger_subjects, ledger_nodes, ledger_records, ledger_meta';

// The embedded backend passes the shared suite on PGlite and on PostgreSQL.
describeStores(
  'embedded ledger',
  ({ sql }) => {
    runLedgerConformance('embedded', async () => {
      await sql().exec(`TRUNCATE ${TABLES}`);
      const log = await generateKeyPair('ES256');
      let now = 1_800_000_000;
      const ledger = await openEmbeddedLedger({ sql: sql(), signer: log.signer, clock: () => now });
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
  },
  { migrations: LEDGER_MIGRATIONS },
);
