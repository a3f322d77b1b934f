/**
 * The HTTP client of `@openmid/ledger/http` passes the TrustLedger conformance suite (issue 6 §3)
 * against this node in process (`fetch` = `app.request`), on PGlite and on PostgreSQL: whatever
 * the suite demands of a backend holds end to end through the HTTP API.
 */
import { runLedgerConformance } from '@openmid/ledger/testing';
import { describeStores } from '@openmid/server-kit/testing';
import { nodeMigrations } from './node.js';
import { createTestLedgerNode, testClock } from './testing.js';

const TABLES =
  'ledger_cosignatures, ledger_heads, ledger_subjects, ledger_nodes, ledger_records, ledger_meta';

describeStores(
  'HTTP client against the node',
  ({ sql }) => {
    runLedgerConformance('http → embedded node', async () => {
      await sql().exec(`TRUNCATE ${TABLES}`);
      const clock = testClock(1_800_000_000);
      const t = await createTestLedgerNode({ sql: sql(), clock, genesis: false });
      const ledger = t.client();
      return {
        ledger,
        logKey: t.logKey,
        logSigner: t.node.ctx.logKey.signer,
        now: async () => clock.now,
        advance: async (s) => {
          clock.now += s;
        },
        settle: async () => undefined,
        close: () => t.close(),
      };
    });
  },
  { migrations: nodeMigrations({ OPENMID_LEDGER: 'embedded' }) },
);
