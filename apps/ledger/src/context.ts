/**
 * @module context
 * What every route of the node receives: configuration, the SQL store (audit log, API keys, and
 * the embedded log), the backend, the log key, the clock, the logger, the development governance
 * (only in development) and the witness policy. Built once by the composition root
 * (`createLedgerNode` in node.ts).
 */
import type { PublicJwk, Signer } from '@openmid/core/keys';
import type { Logger, Sql } from '@openmid/server-kit';
import type { Backend } from './backend.js';
import type { LedgerConfig } from './config.js';
import type { DevGovernance } from './governance.js';
import type { SnapshotCache } from './snapshots.js';

/** Whose witness cosignatures the node stores: anyone's (development) or these thumbprints. */
export type WitnessPolicy = 'any' | ReadonlySet<string>;

/** The node's log key. */
export interface LogKey {
  readonly signer: Signer;
  /** kty, crv, x, y and `kid` = RFC 7638 thumbprint. */
  readonly publicJwk: PublicJwk & { readonly kid: string };
}

/** Everything a route needs. */
export interface LedgerContext {
  readonly config: LedgerConfig;
  readonly sql: Sql;
  readonly backend: Backend;
  readonly logKey: LogKey;
  readonly logger: Logger;
  /** Seconds. */
  readonly clock: () => number;
  /** The development governance keys; undefined unless development. */
  readonly governance: DevGovernance | undefined;
  readonly witnesses: WitnessPolicy;
  readonly snapshots: SnapshotCache;
}
