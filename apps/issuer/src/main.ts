/**
 * @module main
 * The composition root of the issuer (STYLE.md rule 7): `createIssuer({ config, sql, kms, logger,
 * clock, trust })` wires the services and the HTTP app from explicit parts (tests pass an
 * in-memory store and a fake clock); `startIssuer()` does what `npm start` needs — configuration
 * from the environment, node:crypto, the store and its migrations, the keys, the seeded demo
 * register, a bootstrap admin key, the server — and returns `{ url, close, … }`.
 *
 * Run directly (`node --conditions=@openmid/source --import tsx apps/issuer/src/main.ts`) it starts
 * the issuer and prints its URL and a demo credential-offer QR.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OpenMidError } from '@openmid/core/errors';
import type { Clock } from '@openmid/core/jose';
import { systemClock } from '@openmid/core/jose';
import type { PublicJwk } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { createHttpLedger, type FetchLike as LedgerFetch } from '@openmid/ledger/http';
import { CREDENTIAL_TYPES } from '@openmid/profile-kr';
import {
  type App,
  createApiKey,
  createApp,
  createLogger,
  createRecordCipher,
  type Kms,
  type Logger,
  localKms,
  migrate,
  openPostgres,
  openStore,
  type RunningServer,
  SERVER_KIT_MIGRATIONS,
  type Sql,
  serve,
  sqlApiKeyStore,
  storeReadiness,
} from '@openmid/server-kit';
import { type IssuerConfig, loadIssuerConfig } from './config.js';
import { type FetchLike, type IssuerContext, issuerUrls, nowDate } from './context.js';
import { registerAdminRoutes } from './http/admin.js';
import { ISSUER_ERROR_MAP } from './http/errors.js';
import { registerPublicRoutes } from './http/public.js';
import { registerWebRoutes } from './http/web.js';
import { registerDemoIdp } from './idp/demo-idp.js';
import { loadOrCreateMdocPki } from './mdoc-pki.js';
import { ISSUER_MIGRATIONS } from './migrations.js';
import { pruneUsedOnce } from './oauth/once.js';
import { offerQrTerminal } from './qr.js';
import { type IssuerSecrets, loadOrCreateSecrets } from './secrets.js';
import { createStatusAllocator } from './services/allocator.js';
import { MDOC_CONFIGURATIONS } from './services/mdoc.js';
import { type CreatedOffer, createOffer } from './services/offers.js';
import { createStatusPublisher } from './services/publisher.js';
import { demoCitizenId, seedDemoRegister } from './services/register.js';
import {
  anchoringPublisher,
  ledgerTrustRegistration,
  loggingTrustRegistration,
  type TrustRegistration,
} from './trust.js';

/** Every migration the issuer's database needs, in order. */
export const ALL_MIGRATIONS: readonly import('@openmid/server-kit').Migration[] = Object.freeze([
  ...SERVER_KIT_MIGRATIONS,
  ...ISSUER_MIGRATIONS,
]);

/** Scopes of the admin API. */
export const ADMIN_SCOPES: readonly string[] = Object.freeze([
  'offers:create',
  'credentials:read',
  'credentials:read-pii',
  'credentials:status',
  'register:import',
  'audit:read',
]);

/** The parts the issuer is composed of. */
export interface IssuerParts {
  readonly config: IssuerConfig;
  /** A migrated store. */
  readonly sql: Sql;
  readonly kms: Kms;
  readonly logger: Logger;
  /** NumericDate seconds (default: the system clock). */
  readonly clock?: Clock;
  readonly trust?: TrustRegistration;
  /** Outbound HTTP to the identity provider (default: global fetch). */
  readonly fetch?: FetchLike;
  /** Status counters reserved per database round trip (default 256). */
  readonly allocationBlock?: number;
  /** Outbound HTTP to the trust-ledger node (default: global fetch). */
  readonly ledgerFetch?: LedgerFetch;
}

/**
 * The trust registration the configuration asks for: the ledger at ISSUER_LEDGER_URL (its log
 * key pinned by ISSUER_LEDGER_LOG_KEY, else taken from the node; the development admin key from
 * ISSUER_LEDGER_ADMIN_KEY, else from ISSUER_LEDGER_ADMIN_KEY_FILE), or the logging default.
 */
function defaultTrust(parts: IssuerParts, secrets: IssuerSecrets): TrustRegistration {
  const { config, logger } = parts;
  const url = config.ISSUER_LEDGER_URL;
  if (url === undefined) return loggingTrustRegistration(logger);
  const host = new URL(config.ISSUER_URL).hostname;
  if (
    !config.ISSUER_URL.startsWith('https://') &&
    !['localhost', '127.0.0.1', '[::1]'].includes(host)
  ) {
    // The ledger accepts HTTPS issuer identifiers, and loopback ones for a development system
    // (DESIGN.md §2, packages/ledger entry rules): fail now, not at the node.
    throw new OpenMidError(
      'ERR_CONFIG_INVALID',
      'ISSUER_LEDGER_URL needs an https ISSUER_URL (or a loopback one in development)',
      { details: { variables: ['ISSUER_URL', 'ISSUER_LEDGER_URL'] } },
    );
  }
  const pinned = config.ISSUER_LEDGER_LOG_KEY;
  if (pinned === undefined && config.NODE_ENV === 'production') {
    logger.warn('ISSUER_LEDGER_LOG_KEY is unset: the ledger node is trusted on first use');
  }
  const adminKey = (): string | undefined => {
    if (config.ISSUER_LEDGER_ADMIN_KEY !== undefined) return config.ISSUER_LEDGER_ADMIN_KEY;
    try {
      return readFileSync(config.ISSUER_LEDGER_ADMIN_KEY_FILE, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  return ledgerTrustRegistration({
    connect: () => {
      const key = config.NODE_ENV === 'development' ? adminKey() : undefined;
      return createHttpLedger({
        url,
        logKey: pinned === undefined ? 'trust-on-first-use' : (JSON.parse(pinned) as PublicJwk),
        ...(config.ISSUER_LEDGER_ID === undefined ? {} : { ledgerId: config.ISSUER_LEDGER_ID }),
        ...(key === undefined ? {} : { adminKey: key }),
        ...(parts.ledgerFetch === undefined ? {} : { fetch: parts.ledgerFetch }),
      });
    },
    signer: secrets.signer,
    kid: secrets.publicJwk.kid,
    mode: config.NODE_ENV === 'development' ? 'development' : 'production',
    proposalsDir: join(config.DATA_DIR, 'ledger-proposals'),
    clock: parts.clock ?? systemClock,
    logger,
  });
}

/** A composed issuer. */
export interface Issuer {
  readonly app: App;
  readonly ctx: IssuerContext;
  /** Stop background work (not the store: the caller owns it). */
  stop(): Promise<void>;
}

/**
 * Compose the issuer from its parts: keys (from DATA_DIR, created on first start), status
 * allocation and publication, the HTTP app with the public, admin, web and demo-IdP routes.
 *
 * @example
 * ```ts
 * const issuer = await createIssuer({ config, sql, kms: localKms({ dir }), logger })
 * const res = await issuer.app.request('/.well-known/openid-credential-issuer')
 * ```
 */
export async function createIssuer(parts: IssuerParts): Promise<Issuer> {
  const { config, sql, logger } = parts;
  const clock = parts.clock ?? systemClock;
  const cipher = createRecordCipher(parts.kms);
  const secrets = await loadOrCreateSecrets(config.DATA_DIR, cipher);
  const urls = issuerUrls(config.ISSUER_URL);
  const mdoc = await loadOrCreateMdocPki(config.DATA_DIR, cipher, {
    issuerUrl: urls.issuer,
    name: config.ISSUER_NAME_EN,
    now: clock(),
  });
  const trust = parts.trust ?? defaultTrust(parts, secrets);
  const published = createStatusPublisher({
    sql,
    signer: secrets.signer,
    iss: urls.issuer,
    listUri: urls.statusList,
    ttl: config.ISSUER_STATUS_TTL,
    expiresIn: config.ISSUER_STATUS_EXP,
    clock,
    logger,
  });
  // Every published status list token is anchored on the trust ledger (when one is wired).
  const publisher = anchoringPublisher(published, {
    sql,
    trust,
    listUri: urls.statusList,
    logger,
  });
  const allocator = createStatusAllocator({
    sql,
    cipher,
    listSize: config.ISSUER_STATUS_LIST_SIZE,
    listUri: urls.statusList,
    ...(parts.allocationBlock === undefined ? {} : { blockSize: parts.allocationBlock }),
    onListCreated: (id) => publisher.schedule(id),
    now: () => new Date(clock() * 1000),
  });
  const ctx: IssuerContext = {
    config,
    sql,
    cipher,
    secrets,
    mdoc,
    logger,
    clock,
    trust,
    allocator,
    publisher,
    urls,
    fetch: parts.fetch ?? ((input, init) => fetch(input, init)),
  };

  const rate = config.ISSUER_RATE_LIMIT;
  const app = createApp({
    logger,
    publicUrl: urls.issuer,
    apiKeys: sqlApiKeyStore(sql),
    readiness: () => storeReadiness(sql, ALL_MIGRATIONS),
    errorMap: ISSUER_ERROR_MAP,
    oauthPaths: ['/token', '/par', '/credential', '/notification', '/nonce'],
    rateLimit: rate === 0 ? false : { burst: rate * 10, perSecond: rate },
    bodyLimit: (path) => (path === '/admin/register/import' ? 32 * 1024 * 1024 : 256 * 1024),
    cors: {
      origins: '*',
      allowHeaders: ['Content-Type', 'Authorization', 'DPoP'],
      exposeHeaders: ['x-request-id', 'Retry-After', 'DPoP-Nonce', 'WWW-Authenticate'],
    },
    openapi: {
      title: 'OpenMID issuer',
      version: '0.1.0',
      description: 'OpenID4VCI 1.0 credential issuer, authorization server and admin API',
    },
  });
  registerPublicRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerWebRoutes(app, ctx);
  if (config.ISSUER_DEMO_IDP) registerDemoIdp(app, ctx);

  // Lists whose last change was committed but not published before a crash.
  await publisher.publishPending();
  const prune = setInterval(() => {
    pruneUsedOnce(sql, nowDate(ctx)).catch(() => undefined);
  }, 60_000);
  prune.unref();

  const statusLists = await sql.query<{ id: number }>('SELECT id FROM status_lists ORDER BY id');
  // The document signer's key is registered like the credential key, and the mdoc doctypes
  // like the vcts: a verifier trusts an mdoc through the ledger (ADR 006, "Integration").
  await ctx.trust.register({
    iss: urls.issuer,
    name: { ko: config.ISSUER_NAME_KO, en: config.ISSUER_NAME_EN },
    keys: [secrets.publicJwk, mdoc.documentSigner.publicJwk],
    credentialTypes: [
      ...CREDENTIAL_TYPES.map((t) => t.vct),
      ...new Set(MDOC_CONFIGURATIONS.map((c) => c.doctype)),
    ],
    statusLists: statusLists.rows.map((r) => urls.statusList(r.id)),
    iacas: [mdoc.iaca.pem],
  });
  // Tokens published while the ledger was not wired, unreachable, or before a crash.
  publisher.anchorAll();

  return {
    app,
    ctx,
    async stop() {
      clearInterval(prune);
      await publisher.drain();
      await trust.close?.();
    },
  };
}

/**
 * Create the bootstrap admin key on the first start of a development issuer (no key exists yet)
 * and write it to `<DATA_DIR>/admin-api-key` with mode 0600. The key is never logged. Returns the
 * file path when a key was written.
 */
export async function bootstrapAdminKey(ctx: IssuerContext): Promise<string | undefined> {
  const { config, sql } = ctx;
  if (config.NODE_ENV !== 'development' || !config.ISSUER_ADMIN_BOOTSTRAP) return undefined;
  const path = join(config.DATA_DIR, 'admin-api-key');
  const existing = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
  if (Number(existing.rows[0]?.n ?? 0) > 0) return existsSync(path) ? path : undefined;
  const { token } = await sql.transaction((tx) =>
    createApiKey(tx, { label: 'bootstrap-admin', scopes: ADMIN_SCOPES, actor: 'system' }),
  );
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** A running issuer. */
export interface RunningIssuer {
  readonly url: string;
  readonly port: number;
  readonly issuer: Issuer;
  /** Where the bootstrap admin key was written (development, first start), if anywhere. */
  readonly adminKeyFile: string | undefined;
  close(): Promise<void>;
}

/** Options of {@link startIssuer}. */
export interface StartIssuerOptions {
  /** Configuration (default: from `env`). */
  readonly config?: IssuerConfig;
  /** Environment to read the configuration from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  readonly trust?: TrustRegistration;
  /** Install SIGTERM/SIGINT handlers (default true). */
  readonly handleSignals?: boolean;
}

/**
 * Start the issuer as `npm start` does: embedded PGlite in DATA_DIR unless DATABASE_URL is set,
 * migrations, keys, the seeded demo register (ISSUER_SEED_CITIZENS on first start), a bootstrap
 * admin key in development, and the HTTP server on PORT.
 *
 * @example
 * ```ts
 * const issuer = await startIssuer()
 * console.log(issuer.url, await demoOfferText(issuer.issuer.ctx))
 * ```
 */
export async function startIssuer(options: StartIssuerOptions = {}): Promise<RunningIssuer> {
  const config = options.config ?? loadIssuerConfig(options.env);
  useNodeCrypto();
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'issuer' });
  const onError = (): void => logger.warn('idle database connection error');
  const sql =
    config.DATABASE_URL === undefined
      ? await openStore({ dataDir: config.DATA_DIR, onError })
      : await openPostgres({ url: config.DATABASE_URL, max: config.ISSUER_DB_POOL, onError });
  try {
    await migrate(sql, ALL_MIGRATIONS);
    const kms = localKms({ dir: join(config.DATA_DIR, 'keys') });
    const issuer = await createIssuer({
      config,
      sql,
      kms,
      logger,
      ...(options.trust === undefined ? {} : { trust: options.trust }),
    });
    const seeded = await seedDemoRegister(issuer.ctx, {
      count: config.ISSUER_SEED_CITIZENS,
      seed: config.ISSUER_SEED,
    });
    if (seeded > 0) logger.info({ count: seeded }, 'demo register seeded');
    const adminKeyFile = await bootstrapAdminKey(issuer.ctx);
    const server: RunningServer = await serve(issuer.app, {
      port: config.PORT,
      hostname: config.HOST,
      logger,
      handleSignals: options.handleSignals ?? true,
      onClose: async () => {
        await issuer.stop();
        await sql.close();
      },
    });
    return {
      url: server.url,
      port: server.port,
      issuer,
      adminKeyFile,
      close: () => server.close(),
    };
  } catch (e) {
    await sql.close();
    throw e;
  }
}

/**
 * Create an offer for the first demo citizen and return it with terminal text: the issuer URL, a
 * QR code of the offer and its tx_code, for `npm start` to print (audited as `offer.create`).
 */
export async function demoOfferText(
  ctx: IssuerContext,
  options: { readonly type?: string; readonly url?: string } = {},
): Promise<{ offer: CreatedOffer; text: string }> {
  const offer = await createOffer(ctx, {
    citizenId: demoCitizenId(0),
    type: options.type ?? 'resident-id',
    byReference: true,
    actor: 'system',
  });
  const qr = await offerQrTerminal(offer.credential_offer_uri);
  const text = [
    `OpenMID issuer: ${options.url ?? ctx.urls.issuer}`,
    `Credential offer for demo citizen ${demoCitizenId(0)} (${offer.credential_configuration_id}):`,
    qr,
    offer.credential_offer_uri,
    `tx_code: ${offer.tx_code}`,
  ].join('\n');
  return { offer, text };
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const running = await startIssuer();
  // A terminal-only deployment has no console page: the QR is how a newcomer gets a first card.
  if (running.issuer.ctx.config.ISSUER_PRINT_DEMO_OFFER) {
    const { text } = await demoOfferText(running.issuer.ctx, { url: running.url });
    process.stdout.write(`${text}\n`);
  } else process.stdout.write(`OpenMID issuer: ${running.url}\n`);
}
