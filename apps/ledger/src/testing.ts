/**
 * @module testing
 * A development node in process for tests (this app's, the issuer's, the CLI's): the embedded
 * backend on a given migrated store, a temporary DATA_DIR with the demo governance keys, an admin
 * key with every scope, a settable clock, and an HTTP client whose `fetch` is `app.request`.
 * Exported as `@openmid/ledger-service/testing`; never used by the service itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublicJwk } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import {
  createHttpLedger,
  type FetchLike,
  type HttpLedger,
  type HttpLedgerOptions,
} from '@openmid/ledger/http';
import { createApiKey, type Logger, type Sql, silentLogger } from '@openmid/server-kit';
import { openBackend } from './backend.js';
import { devGovernanceEnabled, type LedgerConfig, loadLedgerConfig } from './config.js';
import type { WitnessPolicy } from './context.js';
import { type DevGovernance, loadOrCreateDevGovernance } from './governance.js';
import { LEDGER_SCOPES } from './http/routes.js';
import { loadOrCreateKeyFile } from './keys.js';
import { ensureGenesis } from './main.js';
import { createLedgerNode, type LedgerNode } from './node.js';

/** A settable clock in seconds. */
export interface TestClock {
  now: number;
  (): number;
}

/** A clock at `start` (default 2026-03-02T00:00:00Z) that tests move by hand. */
export function testClock(start = Date.parse('2026-03-02T00:00:00Z') / 1000): TestClock {
  const f = (() => f.now) as TestClock;
  f.now = start;
  return f;
}

/** The base URL in-process requests use. */
export const TEST_LEDGER_URL = 'http://ledger.test';

/** A node in process. */
export interface TestLedgerNode {
  readonly node: LedgerNode;
  readonly config: LedgerConfig;
  /** The clock given (a {@link TestClock} unless the test passed another function). */
  readonly clock: TestClock;
  readonly dir: string;
  readonly governance: DevGovernance;
  /** The log key (public, `kid` = thumbprint). */
  readonly logKey: PublicJwk & { readonly kid: string };
  /** Undefined when created without genesis. */
  readonly ledgerId: string | undefined;
  /** An admin key with every scope of the node. */
  readonly adminKey: string;
  /** `fetch` over `app.request`. */
  readonly fetch: FetchLike;
  /** A client of the node (log key pinned). */
  client(extra?: Partial<HttpLedgerOptions>): HttpLedger;
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Options of {@link createTestLedgerNode}. */
export interface TestLedgerNodeOptions {
  /** Migrated with `nodeMigrations({ OPENMID_LEDGER: 'embedded' })`. */
  readonly sql: Sql;
  /** Seconds; a {@link TestClock} lets the test move time (default: one at 2026-03-02). */
  readonly clock?: TestClock | (() => number);
  /** Extra configuration (default: development, no rate limits). */
  readonly env?: Readonly<Record<string, string>>;
  /** Append the demo genesis (default true). */
  readonly genesis?: boolean;
  readonly witnesses?: WitnessPolicy;
  readonly logger?: Logger;
  readonly dir?: string;
}

/** Create a development node in process on `sql`. */
export async function createTestLedgerNode(
  options: TestLedgerNodeOptions,
): Promise<TestLedgerNode> {
  useNodeCrypto();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'openmid-ledger-'));
  const config = loadLedgerConfig({
    DATA_DIR: dir,
    NODE_ENV: 'development',
    LEDGER_RATE_LIMIT: '0',
    LEDGER_APPEND_RATE: '0',
    LEDGER_URL: TEST_LEDGER_URL,
    ...options.env,
  });
  const clock = (options.clock ?? testClock()) as TestClock;
  const logger = options.logger ?? silentLogger();
  const { sql } = options;
  const key = await loadOrCreateKeyFile(join(dir, 'log-key.jwk'));
  const logKey = { signer: key.signer, publicJwk: key.publicJwk };
  const backend = await openBackend(config, { sql, signer: logKey.signer, logger, clock });
  const governance = await loadOrCreateDevGovernance(dir);
  const ledgerId =
    options.genesis === false
      ? undefined
      : await ensureGenesis({
          config,
          sql,
          backend,
          governance: devGovernanceEnabled(config) ? governance : undefined,
          logger,
          clock,
        });
  const node = createLedgerNode({
    config,
    sql,
    backend,
    logKey,
    logger,
    clock,
    governance,
    ...(options.witnesses === undefined ? {} : { witnesses: options.witnesses }),
  });
  const { token } = await sql.transaction((tx) =>
    createApiKey(tx, { label: 'test-admin', scopes: LEDGER_SCOPES, actor: 'system' }),
  );
  const fetch: FetchLike = (input, init) => Promise.resolve(node.app.request(input, init));
  const request = (path: string, init?: RequestInit): Promise<Response> =>
    fetch(`${TEST_LEDGER_URL}${path}`, init);
  return {
    node,
    config,
    clock,
    dir,
    governance,
    logKey: logKey.publicJwk,
    ledgerId,
    adminKey: token,
    fetch,
    client: (extra = {}) =>
      createHttpLedger({
        url: TEST_LEDGER_URL,
        logKey: logKey.publicJwk,
        fetch,
        adminKey: token,
        ...extra,
      }),
    request,
    close: () => backend.close(),
  };
}
