/**
 * @module http/app
 * The Hono base app every OpenMID service starts from (`@hono/zod-openapi`'s OpenAPIHono, so each
 * route's zod schemas produce the OpenAPI 3.1 document at `/openapi.json`). In order, for every
 * request:
 *
 * 1. request id: `x-request-id` is accepted only if it looks like an id (a UUID, or 16–64 base64url
 *    characters with a letter: never a number someone could smuggle a resident number or a phone
 *    into), otherwise generated; echoed on the response; a child logger bound to it is `c.var.log`;
 * 2. one access-log line per request: method, route PATTERN, status, duration, request id (never
 *    the raw URL, query string, headers or body);
 * 3. security headers on every response, error responses included;
 * 4. OAuth-route marking, CORS (off unless configured), rate limiting (429 + Retry-After), body
 *    size limit (413);
 * 5. errors mapped to HTTP here and only here ({@link renderError}); every 5xx logged with the
 *    request id.
 *
 * `/healthz` (liveness: the process answers) and `/readyz` (readiness: store reachable, migrations
 * applied) are exempt from rate limiting and logged at debug level.
 */
import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { OpenMidError } from '@openmid/core/errors';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { routePath } from 'hono/route';
import type { ApiKeyPrincipal, ApiKeyStore } from '../auth/api-keys.js';
import type { Logger } from '../log/logger.js';
import { safeError } from '../log/logger.js';
import { type ErrorMap, inputInvalid, renderError, toOpenMidError } from './errors.js';
import { type RateLimitOptions, rateLimit } from './rate-limit.js';

/** Per-request values every handler can read with `c.get(…)` / `c.var`. */
export interface AppVariables {
  /** The request id (also in the `x-request-id` response header and every log line). */
  requestId: string;
  /** A logger bound to this request id. */
  log: Logger;
  /** Set by `requireScope`: the API key that authenticated the request (its id, never the token). */
  principal: ApiKeyPrincipal | undefined;
  /** `'oauth'` on routes whose errors use the OAuth body (`oauthRoute`, `oauthPaths`). */
  errorStyle: 'oauth' | undefined;
  /** The API key store, when the app was created with one. */
  apiKeyStore: ApiKeyStore | undefined;
}

/** The Hono environment of an OpenMID app. */
export interface AppEnv {
  Variables: AppVariables;
}

/** An OpenMID service app. */
export type App = OpenAPIHono<AppEnv>;

/** The readiness report of `/readyz`. */
export interface ReadinessReport {
  readonly ready: boolean;
  /** Named checks, e.g. `{ store: 'ok', migrations: 'pending' }` (no secrets, no personal data). */
  readonly checks: Readonly<Record<string, string>>;
}

/** Cross-origin access, off unless given. */
export interface CorsOptions {
  /** Allowed origins (exact), or '*' for public read-only endpoints such as metadata. */
  readonly origins: readonly string[] | '*';
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly credentials?: boolean;
}

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly logger: Logger;
  /** The public URL of the service; when https, every response carries HSTS. */
  readonly publicUrl?: string;
  /** Body size limit in bytes, or per request path; default 256 KiB. */
  readonly bodyLimit?: number | ((path: string) => number);
  /** Rate limiting for every route but health; default 60 burst, 10/s per client; false: off. */
  readonly rateLimit?: RateLimitOptions | false;
  readonly cors?: CorsOptions;
  /** Additions to {@link DEFAULT_ERROR_MAP} for this app's codes and endpoints. */
  readonly errorMap?: ErrorMap;
  /** Paths (exact, or a prefix ending in `*`) whose errors use the OAuth body. */
  readonly oauthPaths?: readonly string[];
  /** Readiness of `/readyz`; always ready when omitted. */
  readonly readiness?: () => Promise<ReadinessReport>;
  /** The API keys `requireScope` checks. */
  readonly apiKeys?: ApiKeyStore;
  /** OpenAPI `info`. */
  readonly openapi?: {
    readonly title: string;
    readonly version: string;
    readonly description?: string;
  };
}

/** The OpenAPI security scheme name of API keys (registered when the app has `apiKeys`). */
export const API_KEY_SCHEME = 'ApiKey';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Whether an incoming `x-request-id` may be reused (it will be logged and echoed). */
export function isAcceptableRequestId(id: string): boolean {
  return UUID.test(id) || (TOKEN_ID.test(id) && /[A-Za-z]/.test(id) && !id.includes('omk_'));
}

const HEALTH = new Set(['/healthz', '/readyz']);

/** The JSON error body schema, for route `responses` in OpenAPI documents. */
export const ErrorBodySchema: z.ZodType<{
  code: string;
  message: string;
  requestId: string;
  details?: Record<string, unknown>;
}> = z
  .object({
    code: z.string().openapi({ example: 'ERR_INPUT_INVALID' }),
    message: z.string(),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('Error');

/** The OAuth error body schema (RFC 6749 §5.2). */
export const OAuthErrorBodySchema: z.ZodType<{ error: string; error_description?: string }> = z
  .object({ error: z.string(), error_description: z.string().optional() })
  .openapi('OAuthError');

/**
 * Route middleware marking a route's errors as OAuth style (`{ error, error_description }`), for
 * use in `createRoute({ middleware: [oauthRoute] })`. Errors raised before it runs (rate limit,
 * body limit) keep the JSON style unless the path is also in `oauthPaths`.
 */
export const oauthRoute: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('errorStyle', 'oauth');
  await next();
};

function matchesPath(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

function setIfAbsent(headers: Headers, name: string, value: string): void {
  if (!headers.has(name)) headers.set(name, value);
}

/**
 * Security headers for a JSON API (OWASP REST Security Cheat Sheet, "Security Headers"):
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`,
 * `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (a JSON document needs
 * nothing; a route serving HTML sets its own CSP), `Cache-Control: no-store` unless the route set
 * a caching policy (status lists, metadata), and HSTS when the service is reached over https
 * (RFC 6797 §6.1).
 */
function securityHeaders(hsts: boolean): MiddlewareHandler<AppEnv> {
  return async function secure(c, next) {
    await next();
    let h: Headers;
    try {
      h = c.res.headers;
      h.set('X-Content-Type-Options', 'nosniff');
    } catch {
      return; // immutable response (proxied fetch): leave it
    }
    h.set('Referrer-Policy', 'no-referrer');
    h.set('X-Frame-Options', 'DENY');
    setIfAbsent(
      h,
      'Content-Security-Policy',
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    setIfAbsent(h, 'Cache-Control', 'no-store');
    if (hsts) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}

/**
 * Create the base app. Register routes with `app.openapi(createRoute(…), handler)`.
 *
 * @example
 * ```ts
 * const app = createApp({ logger, publicUrl: config.ISSUER_URL, readiness: () => storeReadiness(sql, MIGRATIONS) })
 * app.openapi(offerRoute, async (c) => c.json(await createOffer(c.req.valid('json')), 201))
 * serve(app, { port: config.PORT, hostname: config.HOST, logger, onClose: () => sql.close() })
 * ```
 */
export function createApp(options: AppOptions): App {
  const { logger } = options;
  const oauthPaths = options.oauthPaths ?? [];
  const app = new OpenAPIHono<AppEnv>({
    // Validation failures of every route schema become ERR_INPUT_INVALID with field paths only.
    defaultHook: (result) => {
      if (!result.success) throw inputInvalid(result.error, result.target);
    },
  });

  // 1–2. Request id, request logger, access log (outermost: sees the final status).
  app.use('*', async function requestContext(c, next) {
    const incoming = c.req.header('x-request-id');
    const requestId =
      incoming !== undefined && isAcceptableRequestId(incoming) ? incoming : randomUUID();
    const log = logger.child({ reqId: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    c.set('apiKeyStore', options.apiKeys);
    if (matchesPath(c.req.path, oauthPaths)) c.set('errorStyle', 'oauth');
    const start = performance.now();
    try {
      await next();
    } finally {
      try {
        c.res.headers.set('x-request-id', requestId);
      } catch {
        // immutable response
      }
      const status = c.res.status;
      const route = routeOf(c);
      const entry = {
        method: c.req.method,
        route,
        status,
        ms: Math.round((performance.now() - start) * 10) / 10,
      };
      if (HEALTH.has(c.req.path)) log.debug(entry, 'request');
      else log.info(entry, 'request');
    }
  });

  // 3. Security headers.
  app.use('*', securityHeaders(options.publicUrl?.startsWith('https://') === true));

  // 4. CORS, rate limit, body limit.
  if (options.cors !== undefined) {
    const o = options.cors;
    app.use(
      '*',
      cors({
        origin: o.origins === '*' ? '*' : [...o.origins],
        allowHeaders: [...(o.allowHeaders ?? ['Content-Type', 'Authorization', 'DPoP'])],
        exposeHeaders: [...(o.exposeHeaders ?? ['x-request-id', 'Retry-After', 'DPoP-Nonce'])],
        credentials: o.credentials ?? false,
      }),
    );
  }
  if (options.rateLimit !== false) {
    const limiter = rateLimit(options.rateLimit ?? {});
    app.use('*', async function limitRate(c, next) {
      if (HEALTH.has(c.req.path)) return next();
      return limiter(c, next);
    });
  }
  const limitFor = options.bodyLimit ?? 256 * 1024;
  app.use('*', async function limitBody(c, next) {
    const maxSize = typeof limitFor === 'number' ? limitFor : limitFor(c.req.path);
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new OpenMidError('ERR_HTTP_BODY_TOO_LARGE', 'Request body too large', {
          details: { limit: maxSize },
        });
      },
    })(c, next);
  });

  // 5. Error mapping, at the edge only.
  app.onError((err, c) => {
    const e = toOpenMidError(err);
    const requestId = c.get('requestId') ?? 'unknown';
    const rendered = renderError(e, {
      ...(options.errorMap === undefined ? {} : { map: options.errorMap }),
      oauth: c.get('errorStyle') === 'oauth',
      requestId,
    });
    const log = c.get('log') ?? logger.child({ reqId: requestId });
    if (rendered.status >= 500) {
      // The original error: its stack says where it failed (its foreign message is dropped).
      log.error({ route: routeOf(c), errorCode: e.code, err: safeError(err) }, 'request failed');
    }
    if (rendered.status === 401 && c.res.headers.get('WWW-Authenticate') === null) {
      // RFC 9110 §11.6.1: a 401 carries at least one challenge.
      rendered.headers['WWW-Authenticate'] = 'Bearer';
    }
    return c.json(rendered.body, rendered.status, rendered.headers);
  });
  app.notFound(() => {
    throw new OpenMidError('ERR_HTTP_NOT_FOUND', 'Not found');
  });

  // Health.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      responses: {
        200: {
          description: 'Alive',
          content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
        },
      },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );
  const Readiness = z
    .object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.string()) })
    .openapi('Readiness');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: store reachable and migrations applied',
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: Readiness } } },
        503: { description: 'Not ready', content: { 'application/json': { schema: Readiness } } },
      },
    }),
    async (c) => {
      let report: ReadinessReport;
      try {
        report =
          options.readiness === undefined ? { ready: true, checks: {} } : await options.readiness();
      } catch (e) {
        c.get('log').warn({ err: safeError(e) }, 'readiness check failed');
        report = { ready: false, checks: { readiness: 'error' } };
      }
      const body = {
        status: report.ready ? ('ready' as const) : ('not_ready' as const),
        checks: { ...report.checks },
      };
      return report.ready ? c.json(body, 200) : c.json(body, 503);
    },
  );

  if (options.apiKeys !== undefined) {
    // Routes guarded by requireScope declare `security: [{ [API_KEY_SCHEME]: [] }]`.
    app.openAPIRegistry.registerComponent('securitySchemes', API_KEY_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: 'OpenMID API key (omk_…) with scopes',
    });
  }

  // OpenAPI 3.1 document of every route registered through app.openapi (now or later).
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: options.openapi?.title ?? 'OpenMID service',
      version: options.openapi?.version ?? '0.0.0',
      ...(options.openapi?.description === undefined
        ? {}
        : { description: options.openapi.description }),
    },
  });
  return app;
}

/** The matched route pattern of the request (never the raw path, which may carry an id). */
function routeOf(c: Context): string {
  try {
    const p = routePath(c, -1);
    return p === '' || p === '*' || p === '/*' ? '(unmatched)' : p;
  } catch {
    return '(unmatched)';
  }
}
