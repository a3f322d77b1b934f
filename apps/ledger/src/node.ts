/**
 * @module node
 * The composition root of the trust-ledger node (STYLE.md rule 7): `createLedgerNode(parts)`
 * builds the HTTP app from explicit parts — configuration, the migrated SQL store, the opened
 * backend, the log key, the logger, the clock, the development governance, the witness policy —
 * so tests run it in process (`app.request`) on any store and any backend.
 */
import {
  type App,
  createApp,
  type Logger,
  type Migration,
  SERVER_KIT_MIGRATIONS,
  type Sql,
  sqlApiKeyStore,
  storeReadiness,
} from '@openmid/server-kit';
import { type Backend, backendMigrations } from './backend.js';
import { devGovernanceEnabled, type LedgerConfig } from './config.js';
import type { LedgerContext, LogKey, WitnessPolicy } from './context.js';
import type { DevGovernance } from './governance.js';
import { LEDGER_ERROR_MAP } from './http/errors.js';
import { registerLedgerRoutes } from './http/routes.js';
import { createSnapshotCache } from './snapshots.js';

/** Every migration the node's store needs for a backend, in order. */
export function nodeMigrations(config: Pick<LedgerConfig, 'OPENMID_LEDGER'>): readonly Migration[] {
  return [...SERVER_KIT_MIGRATIONS, ...backendMigrations(config)];
}

/** The parts a node is composed of. */
export interface LedgerNodeParts {
  readonly config: LedgerConfig;
  /** Migrated with {@link nodeMigrations}. */
  readonly sql: Sql;
  readonly backend: Backend;
  readonly logKey: LogKey;
  readonly logger: Logger;
  /** Seconds (default: the system clock). */
  readonly clock?: () => number;
  /** The development governance keys: used only when the configuration is development. */
  readonly governance?: DevGovernance;
  /** Default: any witness in development, none in production. */
  readonly witnesses?: WitnessPolicy;
}

/** A composed node. */
export interface LedgerNode {
  readonly app: App;
  readonly ctx: LedgerContext;
}

/**
 * Compose the node's HTTP app.
 *
 * @example
 * ```ts
 * const node = createLedgerNode({ config, sql, backend, logKey, logger })
 * const res = await node.app.request('/v1/ledger')
 * ```
 */
export function createLedgerNode(parts: LedgerNodeParts): LedgerNode {
  const { config, sql, logger } = parts;
  const clock = parts.clock ?? (() => Math.floor(Date.now() / 1000));
  const dev = devGovernanceEnabled(config);
  const ctx: LedgerContext = {
    config,
    sql,
    backend: parts.backend,
    logKey: parts.logKey,
    logger,
    clock,
    // A governance key on a node is a development convenience, never a production feature.
    governance: dev ? parts.governance : undefined,
    witnesses: parts.witnesses ?? (config.NODE_ENV === 'development' ? 'any' : new Set<string>()),
    snapshots: createSnapshotCache(parts.backend.ledger, {
      maxAgeMs: config.LEDGER_SNAPSHOT_MAX_AGE * 1000,
    }),
  };
  const migrations = nodeMigrations(config);
  const rate = config.LEDGER_RATE_LIMIT;
  const submission = new Set<string>(['/v1/entries', '/v1/dev/countersign']);
  const app = createApp({
    logger,
    publicUrl: config.LEDGER_URL,
    apiKeys: sqlApiKeyStore(sql),
    readiness: () => storeReadiness(sql, migrations),
    errorMap: LEDGER_ERROR_MAP,
    rateLimit: rate === 0 ? false : { burst: rate * 10, perSecond: rate },
    // An entry body is at most 64 KiB canonical (MAX_BODY_BYTES) plus 16 signatures.
    bodyLimit: (path) => (submission.has(path) ? 128 * 1024 : 16 * 1024),
    // Wallets (browsers) fetch snapshots and proofs from anywhere; nothing here uses cookies.
    cors: {
      origins: '*',
      allowHeaders: ['Content-Type', 'Authorization', 'If-None-Match', 'Cache-Control'],
      exposeHeaders: ['ETag', 'x-request-id', 'Retry-After'],
    },
    openapi: {
      title: 'OpenMID trust-ledger node',
      version: '1.0.0',
      description:
        'Signed entries, RFC 9162 tree heads and proofs, proven queries and trust snapshots ' +
        '(docs/ledger-node.md).',
    },
  });
  registerLedgerRoutes(app, ctx);
  return { app, ctx };
}
