/**
 * @module main
 * Start the portal (`node --conditions=@openmid/source --import tsx apps/portal/src/main.ts`): the
 * landing page on port 7000 linking to the wallet, the agency console and the demo relying parties,
 * calling the issuer and verifier server-side with the keys of their development data folders.
 * Environment: see config.ts and docs/wallet.md ("Portal").
 */
import { pathToFileURL } from 'node:url';
import { createLogger, type RunningServer, serve } from '@openmid/server-kit';
import { createPortalApp } from './app.js';
import { type Backends, type FetchLike, httpBackends } from './backends.js';
import { loadPortalConfig, type PortalConfig } from './config.js';
import { createInPersonReader } from './inperson.js';

/** A running portal. */
export interface RunningPortal {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Options of {@link startPortal}. */
export interface StartPortalOptions {
  /** Default: from the environment. */
  readonly config?: PortalConfig;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: the services over HTTP. */
  readonly backends?: Backends;
  readonly fetch?: FetchLike;
  /** Install SIGTERM/SIGINT handlers (default true). */
  readonly handleSignals?: boolean;
}

/**
 * Start the portal.
 *
 * @example
 * ```ts
 * const portal = await startPortal({ env: { PORT: '7000', ISSUER_DATA_DIR: '.data/issuer' } })
 * ```
 */
export async function startPortal(options: StartPortalOptions = {}): Promise<RunningPortal> {
  const config = options.config ?? loadPortalConfig(options.env);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'portal' });
  const app = createPortalApp({
    config,
    backends: options.backends ?? httpBackends(config, options.fetch),
    logger,
    inPerson: createInPersonReader({
      config,
      logger,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    }),
  });
  const server: RunningServer = await serve(app, {
    port: config.PORT,
    hostname: config.HOST,
    logger,
    handleSignals: options.handleSignals ?? true,
  });
  return { url: server.url, port: server.port, close: () => server.close() };
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const config = loadPortalConfig();
  await startPortal({ config });
  process.stdout.write(`OpenMID portal: ${config.PORTAL_URL}\n`);
}
