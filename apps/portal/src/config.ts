/**
 * @module config
 * The portal's configuration, parsed once from the environment with server-kit's `loadConfig`
 * (STYLE.md rule 13): zod-validated, frozen, failing fast with one message naming every bad
 * variable (never its value). Unknown `PORTAL_*` variables are errors.
 *
 * The admin and relying-party API keys are never configuration values shown anywhere: they are
 * read from the services' development data folders (or the files named here) when a call needs
 * them, used server-side, and never sent to a browser.
 */
import { type DeepReadonly, envVar, loadConfig, serviceConfigShape, z } from '@openmid/server-kit';

const shape = serviceConfigShape({ port: 7000, dataDir: '.data/portal' });

/** The environment variables the portal reads. */
export const PortalConfigSchema = z.object({
  PORT: shape.PORT,
  HOST: shape.HOST,
  DATA_DIR: shape.DATA_DIR,
  LOG_LEVEL: shape.LOG_LEVEL,
  NODE_ENV: shape.NODE_ENV,
  /** Where browsers reach the portal (form posts must come from this origin). */
  PORTAL_URL: envVar.httpUrl('http://localhost:7000'),
  ISSUER_URL: envVar.httpUrl('http://localhost:7001'),
  VERIFIER_URL: envVar.httpUrl('http://localhost:7002'),
  WALLET_URL: envVar.httpUrl('http://localhost:7003'),
  LEDGER_URL: envVar.httpUrl().optional(),
  /** The issuer's data folder: its development admin key is `admin-api-key` there. */
  ISSUER_DATA_DIR: envVar.path('.data/issuer'),
  /** The verifier's data folder: `admin-api-key` and `rp-keys/<id>.key` there. */
  VERIFIER_DATA_DIR: envVar.path('.data/verifier'),
  /**
   * The ledger node's data folder: the police checkpoint's in-person reader pins the ledger's log
   * key from `log-key.jwk` there (only its public half is read), as `openmid start` does for the
   * verifier; never taken from the node itself.
   */
  LEDGER_DATA_DIR: envVar.path().optional(),
  /** Override: a file holding the ledger log key to pin (a public JWK, or `openmid ledger info`). */
  PORTAL_LEDGER_LOG_KEY_FILE: envVar.path().optional(),
  /** Override: a file holding the issuer admin key (scopes offers:create, credentials:*). */
  PORTAL_ISSUER_ADMIN_KEY_FILE: envVar.path().optional(),
  /** Override: a file holding the verifier registry admin key (scope registry:admin). */
  PORTAL_VERIFIER_ADMIN_KEY_FILE: envVar.path().optional(),
  /** Override: the folder of the demo relying parties' API keys (`<id>.key`). */
  PORTAL_RP_KEYS_DIR: envVar.path().optional(),
  /** How many demo citizens the agency console lists. */
  PORTAL_DEMO_CITIZENS: envVar.int({ min: 1, max: 1000, default: 12 }),
});

/** The parsed, frozen configuration. */
export type PortalConfig = DeepReadonly<z.output<typeof PortalConfigSchema>>;

/**
 * Parse the portal configuration from `env` (default `process.env`).
 *
 * @example
 * ```ts
 * const config = loadPortalConfig({ PORT: '7000', ISSUER_DATA_DIR: '.data/issuer' })
 * ```
 */
export function loadPortalConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PortalConfig {
  return loadConfig(PortalConfigSchema, env, { prefixes: ['PORTAL_'] });
}
