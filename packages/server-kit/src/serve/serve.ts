/**
 * @module serve
 * Run an app on Node's HTTP server (@hono/node-server) with a graceful shutdown: on SIGTERM or
 * SIGINT stop accepting connections, let in-flight requests finish (up to a grace period, then
 * cut the remaining connections), run the `onClose` hooks (close the store), flush the logger and
 * exit. Start-up and shutdown lines carry the address and timings only.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as nodeServe } from '@hono/node-server';
import type { App } from '../http/app.js';
import type { Logger } from '../log/logger.js';
import { safeError } from '../log/logger.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  readonly port: number;
  readonly hostname?: string;
  readonly logger: Logger;
  /** Run after the server stopped, e.g. `() => sql.close()`. */
  readonly onClose?: () => Promise<void> | void;
  /** Time in-flight requests get before their connections are cut; default 10 000 ms. */
  readonly graceMs?: number;
  /** Install SIGTERM/SIGINT handlers that close and exit; default true (false in tests). */
  readonly handleSignals?: boolean;
}

/** A running server. */
export interface RunningServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stop gracefully; idempotent; resolves when everything is closed. */
  close(): Promise<void>;
}

/**
 * Start serving `app`; resolves once listening.
 *
 * @example
 * ```ts
 * const server = await serve(app, { port: config.PORT, hostname: config.HOST, logger, onClose: () => sql.close() })
 * ```
 */
export function serve(app: App, options: ServeOptions): Promise<RunningServer> {
  const { logger } = options;
  const hostname = options.hostname ?? '127.0.0.1';
  const grace = options.graceMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const server = nodeServe(
      { fetch: app.fetch, port: options.port, hostname },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        const url = `http://${host}:${info.port}`;
        let closing: Promise<void> | undefined;
        const close = (): Promise<void> => {
          closing ??= (async () => {
            const started = performance.now();
            logger.info({ port: info.port }, 'shutting down');
            const http = server as Server;
            await new Promise<void>((done) => {
              const timer = setTimeout(() => {
                http.closeAllConnections?.();
              }, grace);
              timer.unref();
              // Keep-alive connections would hold close() open until they time out: close each
              // one as soon as it is idle (in-flight requests finish first).
              const idle = setInterval(() => http.closeIdleConnections?.(), 50);
              http.close(() => {
                clearTimeout(timer);
                clearInterval(idle);
                done();
              });
              http.closeIdleConnections?.();
            });
            try {
              await options.onClose?.();
            } catch (e) {
              logger.error({ err: safeError(e) }, 'shutdown hook failed');
            }
            logger.info({ ms: Math.round(performance.now() - started) }, 'stopped');
            logger.flush();
          })();
          return closing;
        };
        if (options.handleSignals !== false) {
          const onSignal = (signal: NodeJS.Signals): void => {
            logger.info({ signal }, 'signal received');
            close().then(
              () => process.exit(0),
              () => process.exit(1),
            );
          };
          process.once('SIGTERM', onSignal);
          process.once('SIGINT', onSignal);
        }
        logger.info({ host: info.address, port: info.port }, 'listening');
        resolve({ port: info.port, url, close });
      },
    );
    server.once('error', (e) => {
      logger.error({ err: safeError(e) }, 'server failed to start');
      reject(e);
    });
  });
}
