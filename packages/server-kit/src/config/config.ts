/**
 * @module config
 * Service configuration from the environment (STYLE.md rule 13): one zod object over the variables a
 * service reads, parsed ONCE at start-up, deep-frozen, and failing fast with ONE message that names
 * every bad or missing variable and why, never echoing a value (DATABASE_URL holds a password; an
 * API key or a key path may be secret too).
 *
 * Only the variables the schema declares are read; the rest of the environment is ignored, except
 * that variables with the service's own prefix that the schema does not declare are reported (a
 * typo such as `ISSUER_PROT` must not silently fall back to a default).
 */
import { OpenMidError } from '@openmid/core/errors';
import { z } from 'zod';

/** The environment as Node gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A deeply read-only view of a parsed configuration. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * Report variables that start with one of these prefixes but are not in the schema (typos), e.g.
   * `['ISSUER_']`.
   */
  readonly prefixes?: readonly string[];
}

/** Freeze `value` and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The reason for one issue, in words that never include the value. */
function reason(issue: z.core.$ZodIssue, raw: string | undefined): string {
  if (raw === undefined) return 'is required';
  const message = issue.message;
  // Custom messages could quote the input: never let a value (a secret) through.
  if (raw.length >= 3 && message.includes(raw)) return 'is invalid';
  return message;
}

/**
 * Parse the variables `schema` declares from `env`, or throw ERR_CONFIG_INVALID listing every
 * problem (`details.variables` holds the names). Empty strings count as unset.
 *
 * @example
 * ```ts
 * const Config = z.object({ ...serviceConfigShape({ port: 7001 }), ISSUER_NAME: z.string() })
 * export const config = loadConfig(Config, process.env, { prefixes: ['ISSUER_'] })
 * ```
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Env = process.env,
  options: LoadConfigOptions = {},
): DeepReadonly<z.output<S>> {
  const names = Object.keys(schema.shape);
  const input: Record<string, string> = {};
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v !== '') input[name] = v;
  }
  const problems = new Map<string, string>();
  for (const name of Object.keys(env).sort()) {
    if (!names.includes(name) && (options.prefixes ?? []).some((p) => name.startsWith(p))) {
      problems.set(name, 'is not a known variable (misspelt?)');
    }
  }
  const result = schema.strict().safeParse(input);
  if (result.success && problems.size === 0) {
    return deepFreeze(result.data) as DeepReadonly<z.output<S>>;
  }
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '(config)');
      if (!problems.has(name)) problems.set(name, reason(issue, input[name]));
    }
  }
  const lines = [...problems].map(([name, why]) => `${name} ${why}`);
  throw new OpenMidError('ERR_CONFIG_INVALID', `Invalid configuration: ${lines.join('; ')}`, {
    details: { variables: [...problems.keys()] },
  });
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[?[0-9A-Fa-f:.]+\]?)$/;

/** Schema helpers for environment variables (all inputs are strings). */
export const envVar = {
  /** A TCP port 1–65535. */
  port(defaultPort?: number): z.ZodType<number> {
    const s = z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a port number')
      .min(1, 'must be a port 1-65535')
      .max(65535, 'must be a port 1-65535');
    return defaultPort === undefined ? s : s.default(defaultPort);
  },
  /** A host name or IP address to listen on. */
  host(defaultHost = '127.0.0.1'): z.ZodType<string> {
    return z.string().regex(HOST, 'must be a host name or IP address').default(defaultHost);
  },
  /** An absolute http(s) URL without query or fragment, e.g. a service's public URL. */
  httpUrl(defaultUrl?: string): z.ZodType<string> {
    const s = z
      .string()
      .refine((v) => {
        try {
          const u = new URL(v);
          return (u.protocol === 'https:' || u.protocol === 'http:') && !u.search && !u.hash;
        } catch {
          return false;
        }
      }, 'must be an http(s) URL without query or fragment')
      .transform((v) => v.replace(/\/+$/, ''));
    return defaultUrl === undefined ? s : s.default(defaultUrl);
  },
  /** An optional `postgres://` / `postgresql://` URL (a secret: holds the password). */
  postgresUrl(): z.ZodType<string | undefined> {
    return z
      .string()
      .refine((v) => {
        try {
          const u = new URL(v);
          return u.protocol === 'postgres:' || u.protocol === 'postgresql:';
        } catch {
          return false;
        }
      }, 'must be a postgres:// URL')
      .optional();
  },
  /** A non-empty filesystem path. */
  path(defaultPath?: string): z.ZodType<string> {
    const s = z.string().min(1, 'must be a path');
    return defaultPath === undefined ? s : s.default(defaultPath);
  },
  /** A pino log level. */
  logLevel(defaultLevel: LogLevel = 'info'): z.ZodType<LogLevel> {
    return z
      .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
      .default(defaultLevel);
  },
  /** `true`/`false` (also `1`/`0`, `yes`/`no`); `z.coerce.boolean` would read "false" as true. */
  boolean(defaultValue: boolean): z.ZodType<boolean> {
    return z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(defaultValue);
  },
  /** An integer within bounds. */
  int(bounds: { min: number; max: number; default?: number }): z.ZodType<number> {
    const s = z.coerce
      .number({ error: 'must be an integer' })
      .int('must be an integer')
      .min(bounds.min, `must be at least ${bounds.min}`)
      .max(bounds.max, `must be at most ${bounds.max}`);
    return bounds.default === undefined ? s : s.default(bounds.default);
  },
};

/** Log levels accepted in LOG_LEVEL. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Defaults of {@link serviceConfigShape}. */
export interface ServiceDefaults {
  /** The service's default port (DESIGN: issuer 7001, verifier 7002, …). */
  readonly port: number;
  /** Default public URL; `http://localhost:<port>` when omitted. */
  readonly publicUrl?: string;
  /** Default data folder; `./data` when omitted. */
  readonly dataDir?: string;
}

/**
 * The variables every OpenMID service reads. Spread into the service's own object; rename
 * `PUBLIC_URL` where the service's contract names it differently (the issuer reads `ISSUER_URL`).
 *
 * - `PORT`, `HOST` (default 127.0.0.1; containers set 0.0.0.0);
 * - `DATABASE_URL`: PostgreSQL; when unset the embedded PGlite in `DATA_DIR` is used;
 * - `DATA_DIR`: embedded database, local key file;
 * - `LOG_LEVEL`; `NODE_ENV`: `development` | `production` | `test`;
 * - `PUBLIC_URL`: how clients reach the service (HSTS is sent when it is https).
 */
export function serviceConfigShape(defaults: ServiceDefaults): {
  PORT: z.ZodType<number>;
  HOST: z.ZodType<string>;
  DATABASE_URL: z.ZodType<string | undefined>;
  DATA_DIR: z.ZodType<string>;
  LOG_LEVEL: z.ZodType<LogLevel>;
  NODE_ENV: z.ZodType<'development' | 'production' | 'test'>;
  PUBLIC_URL: z.ZodType<string>;
} {
  return {
    PORT: envVar.port(defaults.port),
    HOST: envVar.host(),
    DATABASE_URL: envVar.postgresUrl(),
    DATA_DIR: envVar.path(defaults.dataDir ?? './data'),
    LOG_LEVEL: envVar.logLevel(),
    NODE_ENV: z
      .enum(['development', 'production', 'test'], {
        error: 'must be development, production or test',
      })
      .default('development'),
    PUBLIC_URL: envVar.httpUrl(defaults.publicUrl ?? `http://localhost:${defaults.port}`),
  };
}
