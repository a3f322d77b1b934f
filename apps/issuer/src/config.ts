/**
 * @module config
 * The issuer's configuration, parsed once from the environment with server-kit's `loadConfig`
 * (STYLE.md rule 13): zod-validated, deep-frozen, failing fast with one message naming every bad
 * variable and never its value. `docs/issuer.md` lists every variable.
 */
import { type DeepReadonly, envVar, loadConfig, serviceConfigShape, z } from '@openmid/server-kit';

const shape = serviceConfigShape({ port: 7001, dataDir: '.data/issuer' });

/** The environment variables the issuer reads. */
export const IssuerConfigSchema = z.object({
  PORT: shape.PORT,
  HOST: shape.HOST,
  DATABASE_URL: shape.DATABASE_URL,
  DATA_DIR: shape.DATA_DIR,
  LOG_LEVEL: shape.LOG_LEVEL,
  NODE_ENV: shape.NODE_ENV,
  /** The credential issuer identifier (OpenID4VCI 1.0 §12.2.1) and the public base URL. */
  ISSUER_URL: envVar.httpUrl('http://localhost:7001'),
  /** PostgreSQL connections per process (with DATABASE_URL). */
  ISSUER_DB_POOL: envVar.int({ min: 1, max: 200, default: 20 }),
  ISSUER_NAME_KO: z.string().min(1).max(100).default('OpenMID 발급기관'),
  ISSUER_NAME_EN: z.string().min(1).max(100).default('OpenMID issuing agency'),
  /** Development: create an admin API key on first start and write it to DATA_DIR/admin-api-key. */
  ISSUER_ADMIN_BOOTSTRAP: envVar.boolean(true),
  /** Synthetic citizens seeded into an empty register on first start (0: none). */
  ISSUER_SEED_CITIZENS: envVar.int({ min: 0, max: 10_000_000, default: 1000 }),
  ISSUER_SEED: z.string().min(1).max(100).default('openmid-demo'),
  /** Print an offer QR for the first demo citizen at start-up (off for a quiet production log). */
  ISSUER_PRINT_DEMO_OFFER: envVar.boolean(true),
  /** Lifetime of a credential offer's pre-authorized code, seconds. */
  ISSUER_OFFER_TTL: envVar.int({ min: 60, max: 30 * 86_400, default: 7 * 86_400 }),
  ISSUER_TX_CODE_LENGTH: envVar.int({ min: 4, max: 10, default: 6 }),
  ISSUER_TX_CODE_ATTEMPTS: envVar.int({ min: 1, max: 10, default: 5 }),
  ISSUER_TOKEN_TTL: envVar.int({ min: 30, max: 3600, default: 300 }),
  ISSUER_NONCE_TTL: envVar.int({ min: 10, max: 3600, default: 300 }),
  /** Most credentials (distinct holder keys) one credential request may ask for. */
  ISSUER_BATCH_SIZE: envVar.int({ min: 1, max: 100, default: 10 }),
  /** Require server-provided DPoP nonces (RFC 9449 §8) at the token and credential endpoints. */
  ISSUER_DPOP_NONCE: envVar.boolean(false),
  /** Offers per transaction in population batches. */
  ISSUER_BATCH_CHUNK: envVar.int({ min: 1, max: 10_000, default: 1000 }),
  ISSUER_STATUS_LIST_SIZE: envVar.int({ min: 1024, max: 2 ** 28, default: 2 ** 20 }),
  /** `ttl` of status list tokens (seconds a relying party may cache one). */
  ISSUER_STATUS_TTL: envVar.int({ min: 1, max: 86_400, default: 300 }),
  /** `exp` of status list tokens, seconds after `iat`. */
  ISSUER_STATUS_EXP: envVar.int({ min: 60, max: 30 * 86_400, default: 86_400 }),
  /** Sustained requests per second per client address (0: no rate limit). */
  ISSUER_RATE_LIMIT: envVar.int({ min: 0, max: 1_000_000, default: 50 }),
  /** OpenID Connect issuer of the citizen identity provider; default: the built-in demo IdP. */
  ISSUER_IDP_URL: envVar.httpUrl().optional(),
  ISSUER_IDP_CLIENT_ID: z.string().min(1).max(200).default('openmid-issuer'),
  ISSUER_IDP_CLIENT_SECRET: z.string().min(16).max(500).optional(),
  /** Mount the demo OpenID Connect provider under /demo-idp. */
  ISSUER_DEMO_IDP: envVar.boolean(true),
  /**
   * The trust-ledger node (docs/ledger-node.md). When set, the issuer registers its iss, key and
   * credential types there at start-up and anchors every status list token it publishes; unset,
   * the registration is only logged.
   */
  ISSUER_LEDGER_URL: envVar.httpUrl().optional(),
  /** The ledger node's log key (public JWK, JSON) to pin; unset: taken from the node (dev). */
  ISSUER_LEDGER_LOG_KEY: z
    .string()
    .max(2000)
    .refine((v) => {
      try {
        const k = JSON.parse(v) as unknown;
        return typeof k === 'object' && k !== null && !Array.isArray(k) && !('d' in k);
      } catch {
        return false;
      }
    }, 'must be a public JWK (JSON)')
    .optional(),
  /** The expected ledger id (64 hex: its genesis entry id); unset: learned from the node. */
  ISSUER_LEDGER_ID: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
    .optional(),
  /** Development: the ledger node's admin key (scope ledger:dev-cosign) for its countersigning. */
  ISSUER_LEDGER_ADMIN_KEY: z.string().min(1).max(200).optional(),
  /** Development: where to read that key when ISSUER_LEDGER_ADMIN_KEY is unset. */
  ISSUER_LEDGER_ADMIN_KEY_FILE: envVar.path('.data/ledger/admin-api-key'),
});

/** The parsed, frozen issuer configuration. */
export type IssuerConfig = DeepReadonly<z.output<typeof IssuerConfigSchema>>;

/**
 * Parse the issuer configuration from `env` (default `process.env`); throws ERR_CONFIG_INVALID
 * naming every bad variable.
 *
 * @example
 * ```ts
 * const config = loadIssuerConfig({ ...process.env, PORT: '0' })
 * ```
 */
export function loadIssuerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): IssuerConfig {
  return loadConfig(IssuerConfigSchema, env, { prefixes: ['ISSUER_'] });
}
