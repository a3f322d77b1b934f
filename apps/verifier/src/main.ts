/**
 * @module main
 * The composition root of the verifier (STYLE.md rule 7): `createVerifier({ config, sql, kms,
 * logger, clock, fetch })` wires the registry, the trust source, the status list cache, outbound
 * calls and the HTTP app from explicit parts (tests pass an in-memory store, a fake clock and an
 * in-process fetch); `startVerifier()` does what `npm start` needs — configuration from the
 * environment, node:crypto, the store and its migrations, the registry key, the demo relying
 * parties, bootstrap API keys in development, background work, the server — and returns
 * `{ url, close, … }`.
 *
 * With VERIFIER_LEDGER_URL the trust source is the trust ledger (`registry/ledger.ts`): issuers
 * and relying-party registrations come from its verified snapshot, and this registry's relying
 * parties are registered on it at start-up.
 *
 * Run directly (`node --conditions=@openmid/source --import tsx apps/verifier/src/main.ts`) it
 * starts the verifier and prints its URL.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OpenMidError } from '@openmid/core/errors';
import { type Clock, systemClock } from '@openmid/core/jose';
import type { PublicJwk } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import type { FetchLike as LedgerFetch } from '@openmid/ledger/http';
import {
  type App,
  createApiKey,
  createApp,
  createLogger,
  createRecordCipher,
  type Kms,
  type Logger,
  localKms,
  type Migration,
  migrate,
  openStore,
  type RunningServer,
  SERVER_KIT_MIGRATIONS,
  type Sql,
  safeError,
  serve,
  sqlApiKeyStore,
  storeReadiness,
} from '@openmid/server-kit';
import { createStatusListSource, type TrustedIssuer } from '@openmid/verifier';
import { loadVerifierConfig, outboundInsecure, type VerifierConfig } from './config.js';
import { type VerifierContext, verifierUrls } from './context.js';
import { registerAdminRoutes } from './http/admin.js';
import { VERIFIER_ERROR_MAP } from './http/errors.js';
import { registerRelayRoutes } from './http/relay.js';
import { registerRpRoutes } from './http/rp.js';
import { registerWalletRoutes } from './http/wallet.js';
import { VERIFIER_MIGRATIONS } from './migrations.js';
import { trustIssuersOnFirstUse } from './registry/dev-trust.js';
import { createVerifierIacas } from './registry/iacas.js';
import { createVerifierLedger } from './registry/ledger.js';
import {
  ADMIN_SCOPE,
  createRpApiKey,
  listIssuers,
  registerIssuer,
  syncLedgerRelyingParties,
} from './registry/registry.js';
import { seedDemoRelyingParties } from './registry/seed.js';
import { ledgerVerifierTrust, registryRecordOf, sqlTrustSource } from './registry/trust.js';
import { loadOrCreateRegistryKeys } from './secrets.js';
import { chainEvents } from './services/events.js';
import { createOutbound, type FetchLike } from './services/outbound.js';
import { createRelay } from './services/relay.js';
import { pruneExpired, purgeResults } from './services/results.js';
import { deliverWebhooks } from './services/webhooks.js';

/** Every migration the verifier's database needs, in order. */
export const ALL_MIGRATIONS: readonly Migration[] = Object.freeze([
  ...SERVER_KIT_MIGRATIONS,
  ...VERIFIER_MIGRATIONS,
]);

/** The parts the verifier is composed of. */
export interface VerifierParts {
  readonly config: VerifierConfig;
  /** A migrated store. */
  readonly sql: Sql;
  readonly kms: Kms;
  readonly logger: Logger;
  /** NumericDate seconds (default: the system clock). */
  readonly clock?: Clock;
  /** Outbound HTTP (status lists, webhooks; default: global fetch). */
  readonly fetch?: FetchLike;
  /** Resolve host names for the private-address check (default: DNS). */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
  /** Run the background workers (webhooks, purges, ledger refresh; default true). */
  readonly background?: boolean;
  /** Outbound HTTP to the trust-ledger node (default: global fetch). */
  readonly ledgerFetch?: LedgerFetch;
  /** First retry delay of a ledger registration (ms, doubling to 60 s; default 5000). */
  readonly ledgerRetryMs?: number;
}

/** A composed verifier. */
export interface Verifier {
  readonly app: App;
  readonly ctx: VerifierContext;
  /** Stop background work (not the store: the caller owns it). */
  stop(): Promise<void>;
}

/**
 * Compose the verifier from its parts.
 *
 * @example
 * ```ts
 * const verifier = await createVerifier({ config, sql, kms: localKms({ dir }), logger })
 * const res = await verifier.app.request('/v1/trust-bundle')
 * ```
 */
export async function createVerifier(parts: VerifierParts): Promise<Verifier> {
  const { config, sql, logger } = parts;
  const clock = parts.clock ?? systemClock;
  const cipher = createRecordCipher(parts.kms);
  const registry = await loadOrCreateRegistryKeys(config.DATA_DIR, cipher);
  const urls = verifierUrls(config.VERIFIER_URL);
  const names = { ko: config.VERIFIER_NAME_KO, en: config.VERIFIER_NAME_EN };
  const registryRecord = registryRecordOf({ registry, registryId: urls.base, names });
  const ledger = createVerifierLedger({
    config,
    logger,
    clock,
    registry: registryRecord,
    ...(parts.ledgerFetch === undefined ? {} : { fetch: parts.ledgerFetch }),
    ...(parts.ledgerRetryMs === undefined ? {} : { retryMs: parts.ledgerRetryMs }),
  });
  const trust =
    ledger === undefined
      ? sqlTrustSource(sql, { registry, registryId: urls.base, names })
      : ledgerVerifierTrust(ledger.trust, registryRecord);
  const outbound = createOutbound({
    insecure: outboundInsecure(config),
    timeoutMs: config.VERIFIER_OUTBOUND_TIMEOUT_MS,
    ...(parts.fetch === undefined ? {} : { fetch: parts.fetch }),
    ...(parts.resolve === undefined ? {} : { resolve: parts.resolve }),
  });
  const statusLists = createStatusListSource({
    trust,
    fetch: (uri) => outbound.text(uri, 'application/statuslist+jwt', 16 * 1024 * 1024),
    clock,
    minTtl: config.VERIFIER_STATUS_MIN_TTL,
    maxTtl: Math.max(config.VERIFIER_STATUS_MIN_TTL, config.VERIFIER_STATUS_MAX_TTL),
    maxAge: config.VERIFIER_STATUS_MAX_AGE,
  });
  // `ctx` is read lazily by the IACA discovery (the issuers the trust source trusts now).
  let self: VerifierContext | undefined;
  const iacas = createVerifierIacas({
    ...(config.VERIFIER_IACA_FILE === undefined ? {} : { file: config.VERIFIER_IACA_FILE }),
    discovery: config.VERIFIER_IACA_DISCOVERY,
    issuers: () => (self === undefined ? Promise.resolve([]) : listIssuers(self)),
    outbound,
    logger,
  });
  const ctx: VerifierContext = {
    config,
    sql,
    cipher,
    logger,
    clock,
    registry,
    trust,
    ...(ledger === undefined ? {} : { ledger }),
    statusLists,
    outbound,
    urls,
    caches: {
      rpOfKey: new Map(),
      signers: new Map(),
      attestations: new Map(),
      bundle: { value: undefined, until: 0 },
    },
    iacas,
    relay: createRelay({
      ttl: config.VERIFIER_RELAY_TTL,
      maxSessions: config.VERIFIER_RELAY_MAX_SESSIONS,
    }),
  };
  self = ctx;
  const rate = config.VERIFIER_RATE_LIMIT;
  const app = createApp({
    logger,
    publicUrl: urls.base,
    apiKeys: sqlApiKeyStore(sql),
    readiness: () => storeReadiness(sql, ALL_MIGRATIONS),
    errorMap: VERIFIER_ERROR_MAP,
    rateLimit: rate === 0 ? false : { burst: rate * 10, perSecond: rate },
    bodyLimit: 512 * 1024,
    cors: {
      origins: '*',
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['x-request-id', 'Retry-After'],
    },
    openapi: {
      title: 'OpenMID verifier',
      version: '0.1.0',
      description:
        'OpenID4VP 1.0 verifier for registered relying parties, results API, offline trust bundles',
    },
  });
  registerRpRoutes(app, ctx);
  registerWalletRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerRelayRoutes(app, ctx);

  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  if (parts.background !== false) {
    // One run of each task at a time: a slow run skips the next ticks instead of piling up.
    const every = (ms: number, task: () => Promise<unknown>, what: string) => {
      let busy = false;
      const t = setInterval(() => {
        if (busy) return;
        busy = true;
        const run = task()
          .catch((e) => logger.warn({ err: safeError(e), task: what }, 'background task failed'))
          .finally(() => {
            busy = false;
            running.delete(run);
          });
        running.add(run);
      }, ms);
      t.unref();
      timers.push(t);
    };
    every(1000, () => deliverWebhooks(ctx), 'webhooks');
    every(1000, () => chainEvents(ctx), 'events');
    every(15_000, () => purgeResults(ctx), 'purge');
    every(3_600_000, () => pruneExpired(ctx), 'prune');
    every(30_000, async () => ctx.relay.sweep(), 'relay');
    // Keep the ledger view warm: questions then never wait for the node.
    if (ledger !== undefined)
      every(config.VERIFIER_LEDGER_REFRESH * 1000, () => ledger.trust.refresh(), 'ledger');
  }
  return {
    app,
    ctx,
    async stop() {
      for (const t of timers) clearInterval(t);
      ledger?.registration.close();
      await Promise.allSettled([...running]);
    },
  };
}

/** What the issuer announces about itself (the issuer's `TrustRegistration` shape). */
export interface IssuerAnnouncement {
  readonly iss: string;
  readonly name: { readonly ko: string; readonly en: string };
  /** Public JWKs with `kid`. */
  readonly keys: readonly PublicJwk[];
  readonly credentialTypes: readonly string[];
  readonly statusLists: readonly string[];
  /** IACA roots (PEM) of its mdocs. */
  readonly iacas?: readonly string[];
}

/**
 * An adapter with the issuer's `TrustRegistration` shape (`register(…)`), so that a composition
 * that starts both services can register the issuer in the verifier's interim registry.
 *
 * @example
 * ```ts
 * const verifier = await startVerifier()
 * const issuer = await startIssuer({ trust: verifierTrustRegistration(verifier.verifier.ctx) })
 * ```
 */
export function verifierTrustRegistration(ctx: VerifierContext): {
  register(r: IssuerAnnouncement): Promise<void>;
} {
  return {
    async register(r) {
      await registerIssuer(ctx, issuerRecordOf(r), 'system');
      if (r.iacas !== undefined) await ctx.iacas.add(r.iss, r.iacas);
    },
  };
}

/** A trusted-issuer record from an issuer's announcement. */
export function issuerRecordOf(r: IssuerAnnouncement): TrustedIssuer {
  return {
    id: r.iss,
    names: { ko: r.name.ko, en: r.name.en },
    types: [...r.credentialTypes],
    keys: r.keys.map((k) => {
      const { kid, alg: _alg, use: _use, ...jwk } = k as PublicJwk & { kid?: string };
      if (kid === undefined) throw new Error('issuer keys need a kid');
      return { kid, jwk: jwk as PublicJwk };
    }),
    statusLists: [...r.statusLists],
  };
}

/**
 * In development, on first start: an admin API key (`DATA_DIR/admin-api-key`) and one API key per
 * demo relying party (`DATA_DIR/rp-keys/<id>.key`), mode 0600, never logged. Returns the files.
 */
export async function bootstrapKeys(
  ctx: VerifierContext,
  rpIds: readonly string[],
): Promise<{ readonly admin?: string; readonly relyingParties: Readonly<Record<string, string>> }> {
  const { config, sql } = ctx;
  if (config.NODE_ENV !== 'development' || !config.VERIFIER_ADMIN_BOOTSTRAP)
    return { relyingParties: {} };
  const adminPath = join(config.DATA_DIR, 'admin-api-key');
  if (!existsSync(adminPath)) {
    const { token } = await sql.transaction((tx) =>
      createApiKey(tx, { label: 'bootstrap-admin', scopes: [ADMIN_SCOPE], actor: 'system' }),
    );
    writeFileSync(adminPath, `${token}\n`, { mode: 0o600 });
    chmodSync(adminPath, 0o600);
  }
  const dir = join(config.DATA_DIR, 'rp-keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {};
  for (const id of rpIds) {
    const path = join(dir, `${id}.key`);
    if (!existsSync(path)) {
      const { token } = await createRpApiKey(ctx, id, 'system');
      writeFileSync(path, `${token}\n`, { mode: 0o600 });
      chmodSync(path, 0o600);
    }
    files[id] = path;
  }
  return { admin: adminPath, relyingParties: files };
}

/** A running verifier. */
export interface RunningVerifier {
  readonly url: string;
  readonly port: number;
  readonly verifier: Verifier;
  /** Development bootstrap key files (admin, and per demo relying party). */
  readonly keyFiles: {
    readonly admin?: string;
    readonly relyingParties: Readonly<Record<string, string>>;
  };
  close(): Promise<void>;
}

/** Options of {@link startVerifier}. */
export interface StartVerifierOptions {
  /** Configuration (default: from `env`). */
  readonly config?: VerifierConfig;
  /** Environment to read the configuration from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** Issuers to trust from the start (e.g. the demo issuer started alongside). */
  readonly trustedIssuers?: readonly TrustedIssuer[];
  /** Outbound HTTP (default: global fetch). */
  readonly fetch?: FetchLike;
  /** Outbound HTTP to the trust-ledger node (default: global fetch). */
  readonly ledgerFetch?: LedgerFetch;
  /** Install SIGTERM/SIGINT handlers (default true). */
  readonly handleSignals?: boolean;
}

/**
 * Start the verifier as `npm start` does: embedded PGlite in DATA_DIR unless DATABASE_URL is set,
 * migrations, the registry key, the demo relying parties (VERIFIER_SEED_DEMO), trusted issuers
 * (option or VERIFIER_TRUSTED_ISSUERS_FILE), bootstrap API keys in development, background work
 * and the HTTP server on PORT (default 7002).
 *
 * @example
 * ```ts
 * const verifier = await startVerifier({ trustedIssuers: [issuerRecordOf(announcement)] })
 * console.log(verifier.url, verifier.keyFiles.relyingParties['bank'])
 * ```
 */
export async function startVerifier(options: StartVerifierOptions = {}): Promise<RunningVerifier> {
  const config = options.config ?? loadVerifierConfig(options.env);
  if (
    config.VERIFIER_LEDGER_URL !== undefined &&
    (options.trustedIssuers !== undefined ||
      config.VERIFIER_TRUSTED_ISSUERS_FILE !== undefined ||
      config.VERIFIER_DEV_TRUST_ISSUERS !== undefined)
  )
    throw new OpenMidError(
      'ERR_CONFIG_INVALID',
      'With VERIFIER_LEDGER_URL issuers are trusted through the trust ledger only',
      { details: { variables: ['VERIFIER_TRUSTED_ISSUERS_FILE', 'VERIFIER_DEV_TRUST_ISSUERS'] } },
    );
  useNodeCrypto();
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'verifier' });
  const sql = await openStore({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    onError: () => logger.warn('idle database connection error'),
  });
  try {
    await migrate(sql, ALL_MIGRATIONS);
    const kms = localKms({ dir: join(config.DATA_DIR, 'keys') });
    const verifier = await createVerifier({
      config,
      sql,
      kms,
      logger,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.ledgerFetch === undefined ? {} : { ledgerFetch: options.ledgerFetch }),
    });
    const { ctx } = verifier;
    if (ctx.ledger !== undefined)
      await ctx.ledger.trust.refresh().catch((e: unknown) => {
        logger.warn({ err: safeError(e) }, 'trust ledger: no verified snapshot yet');
      });
    const seeded = config.VERIFIER_SEED_DEMO ? await seedDemoRelyingParties(ctx) : [];
    if (seeded.length > 0)
      logger.info({ relyingParties: seeded }, 'demo relying parties registered');
    // Every party of this registry on the ledger (those registered before it was wired too).
    if (ctx.ledger !== undefined) await syncLedgerRelyingParties(ctx);
    const issuers: unknown[] = [...(options.trustedIssuers ?? [])];
    if (config.VERIFIER_TRUSTED_ISSUERS_FILE !== undefined) {
      const listed = JSON.parse(
        readFileSync(config.VERIFIER_TRUSTED_ISSUERS_FILE, 'utf8'),
      ) as unknown;
      if (Array.isArray(listed)) issuers.push(...listed);
    }
    for (const issuer of issuers) await registerIssuer(ctx, issuer, 'system');
    const devTrust = config.VERIFIER_DEV_TRUST_ISSUERS?.split(',').map((u) =>
      u.replace(/\/+$/, ''),
    );
    // In the background: the issuer may start after the verifier.
    if (devTrust !== undefined)
      void trustIssuersOnFirstUse(ctx, devTrust).catch((e) =>
        logger.warn({ err: safeError(e) }, 'trust on first use failed'),
      );
    const keyFiles = config.VERIFIER_SEED_DEMO
      ? await bootstrapKeys(ctx, ['bank', 'convenience-store', 'police-checkpoint', 'car-rental'])
      : await bootstrapKeys(ctx, []);
    const server: RunningServer = await serve(verifier.app, {
      port: config.PORT,
      hostname: config.HOST,
      logger,
      handleSignals: options.handleSignals ?? true,
      onClose: async () => {
        await verifier.stop();
        await sql.close();
      },
    });
    return { url: server.url, port: server.port, verifier, keyFiles, close: () => server.close() };
  } catch (e) {
    await sql.close();
    throw e;
  }
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const running = await startVerifier();
  process.stdout.write(
    `OpenMID verifier: ${running.url}\n` +
      Object.entries(running.keyFiles.relyingParties)
        .map(([id, file]) => `  relying party ${id}: API key in ${file}\n`)
        .join(''),
  );
}
