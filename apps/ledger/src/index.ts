/**
 * @module @openmid/ledger-service
 * The OpenMID trust-ledger node (issue 6 §4): the embedded RFC 9162 log (or the EVM registry)
 * behind an HTTP API, with the development governance of the demo. What `npm start`, the CLI and
 * tests use: start the node, compose it from parts, its configuration. docs/ledger-node.md.
 */
export { type Backend, type BackendInputs, openBackend } from './backend.js';
export {
  devGovernanceEnabled,
  type LedgerConfig,
  LedgerConfigSchema,
  loadLedgerConfig,
} from './config.js';
export type { LedgerContext, LogKey, WitnessPolicy } from './context.js';
export {
  COUNTERSIGNED_TYPES,
  countersign,
  DEV_AGENCIES,
  DEV_QUORUM,
  type DevAgency,
  type DevGovernance,
  devGenesis,
  loadOrCreateDevGovernance,
} from './governance.js';
export { LEDGER_ERROR_MAP } from './http/errors.js';
export { LEDGER_SCOPES } from './http/routes.js';
export { type KeyFile, loadOrCreateKeyFile } from './keys.js';
export {
  bootstrapAdminKey,
  ensureGenesis,
  loadWitnessPolicy,
  type RunningLedgerNode,
  type StartLedgerNodeOptions,
  startLedgerNode,
} from './main.js';
export { createLedgerNode, type LedgerNode, type LedgerNodeParts, nodeMigrations } from './node.js';
