/**
 * @module config
 * The trust-ledger node's configuration, parsed once from the environment with server-kit's
 * `loadConfig` (STYLE.md rule 13): zod-validated, deep-frozen, failing fast with one message that
 * names every bad variable and never its value. `docs/ledger-node.md` lists every variable.
 *
 * One variable picks the backend: `OPENMID_LEDGER=embedded` (default: the RFC 9162 log in the
 * SQL store, PGlite in DATA_DIR or PostgreSQL by DATABASE_URL) or `OPENMID_LEDGER=evm` (the
 * registry contract on an EVM chain at EVM_RPC_URL).
 */
import { type DeepReadonly, envVar, loadConfig, serviceConfigShape, z } from '@openmid/server-kit';

const shape = serviceConfigShape({ port: 7005, dataDir: '.data/ledger' });

/** The environment variables the node reads. */
export const LedgerConfigSchema = z.object({
  PORT: shape.PORT,
  HOST: shape.HOST,
  DATABASE_URL: shape.DATABASE_URL,
  DATA_DIR: shape.DATA_DIR,
  LOG_LEVEL: shape.LOG_LEVEL,
  NODE_ENV: shape.NODE_ENV,
  /** How clients reach the node (HSTS when https). */
  LEDGER_URL: envVar.httpUrl('http://localhost:7005'),
  /** The backend: the embedded SQL log, or the registry contract on an EVM chain. */
  OPENMID_LEDGER: z
    .enum(['embedded', 'evm'], { error: 'must be embedded or evm' })
    .default('embedded'),
  /** The genesis `name` of a development ledger. */
  LEDGER_NAME: z.string().min(1).max(200).default('OpenMID development trust ledger'),
  /** The log key (private ES256 JWK, 0600); created on first start when absent. */
  LEDGER_LOG_KEY_FILE: envVar.path().optional(),
  /**
   * A signed genesis entry (`openmid ledger init` + `cosign` by every agency) appended on first
   * start. Without it, a development node creates the demo governance (three agencies, 2 of 3).
   */
  LEDGER_GENESIS_FILE: envVar.path().optional(),
  /** Development: create the demo governance and enable the countersign endpoint. */
  LEDGER_DEV_GOVERNANCE: envVar.boolean(true),
  /** Development: write an admin API key to DATA_DIR/admin-api-key on first start. */
  LEDGER_ADMIN_BOOTSTRAP: envVar.boolean(true),
  /** Witness keys whose cosignatures are stored (JSON array of public JWKs). */
  LEDGER_WITNESS_KEYS_FILE: envVar.path().optional(),
  /** Sustained requests per second per client address, burst ×10 (0: no limit). */
  LEDGER_RATE_LIMIT: envVar.int({ min: 0, max: 1_000_000, default: 50 }),
  /** Sustained submissions (entries, cosignatures) per second per client, burst ×4 (0: no limit). */
  LEDGER_APPEND_RATE: envVar.int({ min: 0, max: 1_000_000, default: 5 }),
  /** `Cache-Control: max-age` of snapshots, and how long the node reuses a built one (seconds). */
  LEDGER_SNAPSHOT_MAX_AGE: envVar.int({ min: 0, max: 86_400, default: 60 }),
  /** EVM backend: the chain's JSON-RPC endpoint. */
  EVM_RPC_URL: envVar.httpUrl().optional(),
  /** EVM backend: the sending account's key (0x + 64 hex); default: the node's first account (dev). */
  EVM_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x and 64 hex digits')
    .optional(),
  /** EVM backend: the registry address; development deploys one on first start when unset. */
  LEDGER_CONTRACT: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be an address (0x and 40 hex digits)')
    .optional(),
  /** EVM backend: the block the registry was deployed in. */
  LEDGER_FROM_BLOCK: envVar.int({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }),
  /** EVM backend: blocks before an entry counts (1 = the latest block; QBFT is final at 1). */
  LEDGER_CONFIRMATIONS: envVar.int({ min: 1, max: 1000, default: 1 }),
  /** EVM backend: how often the node follows the chain (ms). */
  LEDGER_SYNC_MS: envVar.int({ min: 50, max: 600_000, default: 1000 }),
});

/** The parsed, frozen node configuration. */
export type LedgerConfig = DeepReadonly<z.output<typeof LedgerConfigSchema>>;

/**
 * Parse the node configuration from `env` (default `process.env`); throws ERR_CONFIG_INVALID
 * naming every bad variable. Unknown `LEDGER_*` / `EVM_*` variables are errors (typos fail fast).
 *
 * @example
 * ```ts
 * const config = loadLedgerConfig({ ...process.env, OPENMID_LEDGER: 'evm', EVM_RPC_URL: url })
 * ```
 */
export function loadLedgerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LedgerConfig {
  return loadConfig(LedgerConfigSchema, env, { prefixes: ['LEDGER_', 'EVM_'] });
}

/** True when the development governance (demo genesis, countersign endpoint) is on. */
export function devGovernanceEnabled(config: LedgerConfig): boolean {
  return config.NODE_ENV === 'development' && config.LEDGER_DEV_GOVERNANCE;
}
