/**
 * @module main
 * Start a trust-ledger node as `npm start` does (`startLedgerNode`): configuration from the
 * environment, node:crypto, the SQL store (PGlite in DATA_DIR or PostgreSQL) and its migrations,
 * the log key, the backend (`OPENMID_LEDGER`), the genesis (LEDGER_GENESIS_FILE, or the demo
 * governance in development), a bootstrap admin key in development, the server.
 *
 * Run directly (`node --conditions=@openmid/source --import tsx apps/ledger/src/main.ts`) it
 * starts the node and prints its URL, ledger id and log key thumbprint.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OpenMidError } from '@openmid/core/errors';
import { jwkThumbprint, type PublicJwk, parsePublicJwk } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import type { SignedEntry, TrustLedger } from '@openmid/ledger';
import {
  appendAudit,
  createApiKey,
  createLogger,
  type Logger,
  migrate,
  openStore,
  type RunningServer,
  type Sql,
  serve,
} from '@openmid/server-kit';
import { type Backend, openBackend } from './backend.js';
import { devGovernanceEnabled, type LedgerConfig, loadLedgerConfig } from './config.js';
import type { LogKey, WitnessPolicy } from './context.js';
import { type DevGovernance, devGenesis, loadOrCreateDevGovernance } from './governance.js';
import { LEDGER_SCOPES } from './http/routes.js';
import { ensurePrivateDir, loadOrCreateKeyFile } from './keys.js';
import { createLedgerNode, type LedgerNode, nodeMigrations } from './node.js';

async function waitConfirmed(backend: Backend, entryId: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    await backend.sync();
    if ((await backend.ledger.status(entryId)).status === 'confirmed') return;
    if (Date.now() > deadline) {
      throw new OpenMidError('ERR_LEDGER_PENDING', 'The genesis entry was not confirmed in time');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Give an empty ledger its genesis: LEDGER_GENESIS_FILE (signed by every agency), else the demo
 * governance in development. Audited as `ledger.genesis`. Returns the ledger id, if any.
 */
export async function ensureGenesis(input: {
  readonly config: LedgerConfig;
  readonly sql: Sql;
  readonly backend: Backend;
  readonly governance: DevGovernance | undefined;
  readonly logger: Logger;
  readonly clock: () => number;
}): Promise<string | undefined> {
  const { config, backend, logger } = input;
  const ledger: TrustLedger = backend.ledger;
  const existing = await ledger.ledgerId();
  if (existing !== undefined) return existing;
  let entry: SignedEntry;
  let source: string;
  if (config.LEDGER_GENESIS_FILE !== undefined) {
    try {
      entry = JSON.parse(readFileSync(config.LEDGER_GENESIS_FILE, 'utf8')) as SignedEntry;
    } catch (e) {
      throw new OpenMidError('ERR_CONFIG_INVALID', 'LEDGER_GENESIS_FILE cannot be read', {
        cause: e,
        details: { variables: ['LEDGER_GENESIS_FILE'] },
      });
    }
    source = 'file';
  } else if (input.governance !== undefined) {
    entry = await devGenesis(input.governance, { name: config.LEDGER_NAME, now: input.clock() });
    source = 'development';
  } else {
    logger.warn('the ledger has no genesis: set LEDGER_GENESIS_FILE');
    return undefined;
  }
  const receipt = await ledger.append(entry);
  if (receipt.status === 'pending') await waitConfirmed(backend, receipt.entryId);
  await input.sql.transaction((tx) =>
    appendAudit(tx, {
      actor: 'system',
      action: 'ledger.genesis',
      subject: `entry:${receipt.entryId}`,
      details: { source },
    }),
  );
  logger.info({ ledgerId: receipt.entryId, source }, 'genesis appended');
  return receipt.entryId;
}

/**
 * Create the bootstrap admin key on the first start of a development node (no key exists yet)
 * and write it to `<DATA_DIR>/admin-api-key` (0600), scopes `ledger:genesis`, `ledger:dev-cosign`.
 * Never logged. Returns the file path when a key exists there.
 */
export async function bootstrapAdminKey(
  config: LedgerConfig,
  sql: Sql,
): Promise<string | undefined> {
  if (config.NODE_ENV !== 'development' || !config.LEDGER_ADMIN_BOOTSTRAP) return undefined;
  const path = join(config.DATA_DIR, 'admin-api-key');
  const existing = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
  if (Number(existing.rows[0]?.n ?? 0) > 0) return existsSync(path) ? path : undefined;
  const { token } = await sql.transaction((tx) =>
    createApiKey(tx, { label: 'bootstrap-admin', scopes: LEDGER_SCOPES, actor: 'system' }),
  );
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** The witness policy: LEDGER_WITNESS_KEYS_FILE, else any (development) or none. */
export function loadWitnessPolicy(config: LedgerConfig): WitnessPolicy {
  const file = config.LEDGER_WITNESS_KEYS_FILE;
  if (file === undefined) return config.NODE_ENV === 'development' ? 'any' : new Set<string>();
  try {
    const keys = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(keys)) throw new Error('not an array');
    return new Set(
      keys.map((k) => {
        const { kid: _kid, alg: _alg, use: _use, ...jwk } = k as Record<string, unknown>;
        return jwkThumbprint(parsePublicJwk(jwk, 'ES256').jwk);
      }),
    );
  } catch (e) {
    throw new OpenMidError('ERR_CONFIG_INVALID', 'LEDGER_WITNESS_KEYS_FILE cannot be read', {
      cause: e,
      details: { variables: ['LEDGER_WITNESS_KEYS_FILE'] },
    });
  }
}

/** A running node. */
export interface RunningLedgerNode {
  readonly url: string;
  readonly port: number;
  /** The ledger id (hex genesis entry id); undefined while the ledger has no genesis. */
  readonly ledgerId: string | undefined;
  /** The log key to pin (public JWK, `kid` = RFC 7638 thumbprint). */
  readonly logKey: PublicJwk & { readonly kid: string };
  /** Where the development bootstrap admin key is, if anywhere. */
  readonly adminKeyFile: string | undefined;
  readonly node: LedgerNode;
  close(): Promise<void>;
}

/** Options of {@link startLedgerNode}. */
export interface StartLedgerNodeOptions {
  /** Configuration (default: from `env`). */
  readonly config?: LedgerConfig;
  /** Environment to read the configuration from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Install SIGTERM/SIGINT handlers (default true). */
  readonly handleSignals?: boolean;
}

/**
 * Start the node as `npm start` does: PORT 7005, DATA_DIR .data/ledger, the embedded backend
 * unless OPENMID_LEDGER=evm, the demo governance in development.
 *
 * @example
 * ```ts
 * const node = await startLedgerNode()
 * console.log(node.url, node.ledgerId, node.logKey.kid)
 * ```
 */
export async function startLedgerNode(
  options: StartLedgerNodeOptions = {},
): Promise<RunningLedgerNode> {
  const config = options.config ?? loadLedgerConfig(options.env);
  useNodeCrypto();
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'ledger' });
  ensurePrivateDir(config.DATA_DIR);
  const sql = await openStore({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    onError: () => logger.warn('idle database connection error'),
  });
  let backend: Backend | undefined;
  try {
    await migrate(sql, nodeMigrations(config));
    const keyFile = await loadOrCreateKeyFile(
      config.LEDGER_LOG_KEY_FILE ?? join(config.DATA_DIR, 'log-key.jwk'),
    );
    if (keyFile.created) logger.info({ kid: keyFile.publicJwk.kid }, 'log key created');
    const logKey: LogKey = { signer: keyFile.signer, publicJwk: keyFile.publicJwk };
    const clock = (): number => Math.floor(Date.now() / 1000);
    backend = await openBackend(config, { sql, signer: logKey.signer, logger, clock });
    const governance = devGovernanceEnabled(config)
      ? await loadOrCreateDevGovernance(config.DATA_DIR)
      : undefined;
    const ledgerId = await ensureGenesis({ config, sql, backend, governance, logger, clock });
    const node = createLedgerNode({
      config,
      sql,
      backend,
      logKey,
      logger,
      clock,
      witnesses: loadWitnessPolicy(config),
      ...(governance === undefined ? {} : { governance }),
    });
    const adminKeyFile = await bootstrapAdminKey(config, sql);
    const opened = backend;
    const server: RunningServer = await serve(node.app, {
      port: config.PORT,
      hostname: config.HOST,
      logger,
      handleSignals: options.handleSignals ?? true,
      onClose: async () => {
        await opened.close();
        await sql.close();
      },
    });
    return {
      url: server.url,
      port: server.port,
      ledgerId,
      logKey: logKey.publicJwk,
      adminKeyFile,
      node,
      close: () => server.close(),
    };
  } catch (e) {
    await backend?.close().catch(() => undefined);
    await sql.close();
    throw e;
  }
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const running = await startLedgerNode();
  process.stdout.write(
    `OpenMID trust ledger (${running.node.ctx.backend.kind}): ${running.url}\n` +
      `ledger id: ${running.ledgerId ?? '(no genesis yet)'}\n` +
      `log key:   ${running.logKey.kid}\n`,
  );
}
