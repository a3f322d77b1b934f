/**
 * @module config
 * The verifier's configuration, parsed once from the environment with server-kit's `loadConfig`
 * (STYLE.md rule 13): zod-validated, deep-frozen, failing fast with one message naming every bad
 * variable and never its value. `docs/verifier.md` lists every variable.
 */
import { type DeepReadonly, envVar, loadConfig, serviceConfigShape, z } from '@openmid/server-kit';

const shape = serviceConfigShape({ port: 7002, dataDir: '.data/verifier' });

/** The environment variables the verifier reads. */
export const VerifierConfigSchema = z.object({
  PORT: shape.PORT,
  HOST: shape.HOST,
  DATABASE_URL: shape.DATABASE_URL,
  DATA_DIR: shape.DATA_DIR,
  LOG_LEVEL: shape.LOG_LEVEL,
  NODE_ENV: shape.NODE_ENV,
  /** Public base URL: request and response URIs, the registry identifier (`iss`). */
  VERIFIER_URL: envVar.httpUrl('http://localhost:7002'),
  VERIFIER_NAME_KO: z.string().min(1).max(100).default('OpenMID 검증 서비스'),
  VERIFIER_NAME_EN: z.string().min(1).max(100).default('OpenMID verifier service'),
  /** Wallet endpoint of the same-device link (the wallet app's URL, or a custom scheme). */
  VERIFIER_WALLET_URL: z
    .string()
    .regex(
      /^(?:https?:\/\/[^\s?#]+|[a-z][a-z0-9+.-]*:\/\/[^\s?#]*)$/,
      'must be a URL without query',
    )
    .default('http://localhost:7003/present'),
  /** Seconds a request lives: the wallet must fetch it and answer within them (default 300). */
  VERIFIER_REQUEST_TTL: envVar.int({ min: 30, max: 3600, default: 300 }),
  /** Seconds an undelivered verified result is kept before its personal data is deleted. */
  VERIFIER_RESULT_TTL: envVar.int({ min: 30, max: 86_400, default: 600 }),
  /** Seconds a delivered result stays readable (0: its personal data is deleted on delivery). */
  VERIFIER_RETENTION: envVar.int({ min: 0, max: 30 * 86_400, default: 0 }),
  /** Bounds on how long a status list is cached, whatever its ttl says. */
  VERIFIER_STATUS_MIN_TTL: envVar.int({ min: 0, max: 86_400, default: 30 }),
  VERIFIER_STATUS_MAX_TTL: envVar.int({ min: 1, max: 86_400, default: 3600 }),
  /** Status lists older than this are treated as unknown (default one day). */
  VERIFIER_STATUS_MAX_AGE: envVar.int({ min: 60, max: 30 * 86_400, default: 86_400 }),
  /**
   * Allow outbound http and private or loopback addresses (status lists, webhooks). Default: on
   * unless NODE_ENV=production.
   */
  VERIFIER_OUTBOUND_INSECURE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional(),
  VERIFIER_OUTBOUND_TIMEOUT_MS: envVar.int({ min: 100, max: 60_000, default: 5000 }),
  /** Maximum ages written into exported trust bundles. */
  VERIFIER_BUNDLE_MAX_AGE: envVar.int({ min: 3600, max: 90 * 86_400, default: 7 * 86_400 }),
  VERIFIER_BUNDLE_STATUS_MAX_AGE: envVar.int({ min: 300, max: 30 * 86_400, default: 86_400 }),
  VERIFIER_WEBHOOK_ATTEMPTS: envVar.int({ min: 1, max: 20, default: 6 }),
  /** Sustained requests per second per client address (0: no rate limit). */
  VERIFIER_RATE_LIMIT: envVar.int({ min: 0, max: 1_000_000, default: 50 }),
  /** Seed the demo relying parties (bank, convenience-store, police-checkpoint, car-rental). */
  VERIFIER_SEED_DEMO: envVar.boolean(true),
  /** Development: write an admin key and the demo parties' API keys into DATA_DIR. */
  VERIFIER_ADMIN_BOOTSTRAP: envVar.boolean(true),
  /**
   * Development only: issuer URLs (comma-separated) trusted on first use from their published
   * metadata and JWK Set (`registry/dev-trust.ts`); refused unless NODE_ENV=development.
   */
  VERIFIER_DEV_TRUST_ISSUERS: z
    .string()
    .regex(/^https?:\/\/[^\s,]+(?:,https?:\/\/[^\s,]+)*$/, 'must be comma-separated http(s) URLs')
    .optional(),
  /** JSON file of trusted issuers (`TrustedIssuer[]`) registered at start. */
  VERIFIER_TRUSTED_ISSUERS_FILE: envVar.path().optional(),
  /**
   * The trust-ledger node (docs/ledger-node.md). When set, issuers (keys by iss + kid, types) and
   * relying-party registrations come from the ledger's verified snapshot, and the relying parties
   * of this registry are registered there; its log key must be pinned (no trust on first use).
   */
  VERIFIER_LEDGER_URL: envVar.httpUrl().optional(),
  /** The ledger's log key to pin: a public JWK (JSON). */
  VERIFIER_LEDGER_LOG_KEY: z
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
  /**
   * A file holding the log key to pin (a public JWK, or `openmid ledger info` output). In
   * development it may be the node's own key file on this machine (only its public half is read).
   */
  VERIFIER_LEDGER_LOG_KEY_FILE: envVar.path().optional(),
  /** The expected ledger id (64 hex: its genesis entry id); unset: pinned from the first snapshot. */
  VERIFIER_LEDGER_ID: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
    .optional(),
  /** Seconds after which the ledger snapshot is refreshed (in the background). */
  VERIFIER_LEDGER_REFRESH: envVar.int({ min: 1, max: 86_400, default: 30 }),
  /** Seconds the last verified snapshot is used while the node cannot confirm it; then 503. */
  VERIFIER_LEDGER_MAX_AGE: envVar.int({ min: 60, max: 30 * 86_400, default: 3600 }),
  /** Development: the ledger node's admin key (scope ledger:dev-cosign) for its countersigning. */
  VERIFIER_LEDGER_ADMIN_KEY: z.string().min(1).max(200).optional(),
  /**
   * JSON file of IACA roots of mdoc issuers, `[{ "iss": "…", "pem": "…" }]` (each bound to the
   * issuer whose ledger-registered document-signer keys it may vouch for).
   */
  VERIFIER_IACA_FILE: envVar.path().optional(),
  /** Fetch `<iss>/iaca` of every trusted issuer with an mdoc doctype (registry/iacas.ts). */
  VERIFIER_IACA_DISCOVERY: envVar.boolean(true),
  /** Seconds an in-person relay session lives (docs/in-person.md). */
  VERIFIER_RELAY_TTL: envVar.int({ min: 30, max: 3600, default: 300 }),
  /** Most in-person relay sessions open at once (0: the relay is off). */
  VERIFIER_RELAY_MAX_SESSIONS: envVar.int({ min: 0, max: 1_000_000, default: 10_000 }),
  /** Development: where to read that key when VERIFIER_LEDGER_ADMIN_KEY is unset. */
  VERIFIER_LEDGER_ADMIN_KEY_FILE: envVar.path('.data/ledger/admin-api-key'),
});

/** The parsed, frozen verifier configuration. */
export type VerifierConfig = DeepReadonly<z.output<typeof VerifierConfigSchema>>;

/**
 * Parse the verifier configuration from `env` (default `process.env`); throws ERR_CONFIG_INVALID
 * naming every bad variable.
 *
 * @example
 * ```ts
 * const config = loadVerifierConfig({ ...process.env, PORT: '0' })
 * ```
 */
export function loadVerifierConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): VerifierConfig {
  return loadConfig(VerifierConfigSchema, env, { prefixes: ['VERIFIER_'] });
}

/** Whether outbound calls may use http and private addresses. */
export function outboundInsecure(config: VerifierConfig): boolean {
  return config.VERIFIER_OUTBOUND_INSECURE ?? config.NODE_ENV !== 'production';
}
