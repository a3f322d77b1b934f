/**
 * @module log
 * Structured JSON logs (pino) that never carry personal data, tokens, codes or PINs
 * (SECURITY.md: every rejection "logs no personal data or token"; DESIGN.md §4).
 *
 * Three layers, because one is never enough:
 * 1. what is logged at all: the HTTP layer logs the route PATTERN, method, status, duration and
 *    request id — never bodies, query strings, raw URLs or headers;
 * 2. keys: every logged object (and child-logger bindings) is walked and the value of any key on
 *    the deny list ({@link SENSITIVE_KEYS}, or ending in token/secret/password) is replaced by
 *    `[REDACTED]`, at any depth;
 * 3. values: any string (messages included) is scrubbed of things that look like JWTs / SD-JWTs,
 *    resident registration numbers, API keys, bearer credentials, e-mail addresses and mobile
 *    numbers.
 * Errors are reduced to type, OpenMID code, message (OpenMID messages are PII-free by contract)
 * and stack frames; a foreign error's message is dropped (V8's JSON.parse message quotes its
 * input) and a `cause` contributes only its type and code.
 */
import { OpenMidError } from '@openmid/core/errors';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/config.js';

export type { Logger } from 'pino';

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are never logged, compared after lower-casing and dropping `-`, `_` and other
 * punctuation (`tx_code`, `txCode` and `TX-CODE` are one key).
 */
export const SENSITIVE_KEYS: readonly string[] = Object.freeze([
  // OAuth / OpenID4VC secrets and one-time values
  'code',
  'txcode',
  'preauthorizedcode',
  'authorizationcode',
  'usercode',
  'devicecode',
  'codeverifier',
  'pin',
  'nonce',
  'cnonce',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'vptoken',
  'token',
  'assertion',
  'clientassertion',
  'request',
  'requestobject',
  'response',
  'credential',
  'credentials',
  'proof',
  'proofs',
  'jwt',
  'sdjwt',
  'presentation',
  'kbjwt',
  'dpop',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'xapikey',
  'password',
  'passphrase',
  'secret',
  'clientsecret',
  'privatekey',
  'jwk',
  'd',
  'cnf',
  // personal data (DOMAIN.md §1.6 card fields, §2 identifiers)
  'rrn',
  'residentnumber',
  'residentregistrationnumber',
  'name',
  'givenname',
  'familyname',
  'fullname',
  'koreanname',
  'englishname',
  'birthdate',
  'dateofbirth',
  'birthday',
  'address',
  'residentaddress',
  'claims',
  'email',
  'phone',
  'phonenumber',
  'mobile',
  'portrait',
  'photo',
  'picture',
  'licencenumber',
  'licensenumber',
  'disability',
  'nationality',
  'sex',
  'gender',
  // whole request parts that may carry any of the above
  'body',
  'query',
  'querystring',
  'search',
  'url',
  'href',
  'redirecturi',
  'headers',
  'params',
]);

const KEY_SET = new Set(SENSITIVE_KEYS);
const KEY_SUFFIXES = ['token', 'secret', 'password', 'passphrase'];

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Whether the value under `key` must never be logged. */
export function isSensitiveKey(key: string): boolean {
  const k = normaliseKey(key);
  return KEY_SET.has(k) || KEY_SUFFIXES.some((s) => k.endsWith(s));
}

const VALUE_PATTERNS: readonly RegExp[] = [
  /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?(?:~[A-Za-z0-9_.-]*)*/g, // JWS / SD-JWT
  /\b(?:Bearer|DPoP|Basic)\s+[^\s,;"]+/gi, // credentials in an Authorization-like string
  /\bomk_[A-Za-z0-9_-]+/g, // OpenMID API keys
  /\b\d{6}-?[1-8]\d{6}\b/g, // resident registration number YYMMDD-SXXXXXX (DOMAIN.md §2.1)
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, // e-mail address
  /\b01[016789]-?\d{3,4}-?\d{4}\b/g, // Korean mobile number
];

/** Scrub a string of values that look like tokens or personal data. */
export function scrubText(text: string): string {
  let out = text;
  for (const re of VALUE_PATTERNS) out = out.replace(re, REDACTED);
  return out;
}

const MAX_DEPTH = 8;
const MAX_ITEMS = 100;

function stackFrames(e: Error): string[] | undefined {
  if (typeof e.stack !== 'string') return undefined;
  // Drop the first line(s): they repeat the message.
  return e.stack
    .split('\n')
    .filter((l) => l.trimStart().startsWith('at '))
    .slice(0, 15)
    .map((l) => scrubText(l.trim()));
}

function safeCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}

/**
 * A log-safe view of an error: type, OpenMID code, message only for OpenMID errors, details
 * redacted, stack frames, and the chain of causes by type and code only.
 */
export function safeError(e: unknown, depth = 0): Record<string, unknown> {
  if (!(e instanceof Error)) return { type: typeof e };
  const out: Record<string, unknown> = { type: e.constructor?.name ?? 'Error' };
  if (e instanceof OpenMidError) {
    out['errorCode'] = e.code;
    out['message'] = scrubText(e.message);
    if (e.details !== undefined) out['details'] = redact(e.details);
  } else {
    const code = safeCode(e);
    if (code !== undefined) out['errorCode'] = code;
  }
  if (depth === 0) {
    const frames = stackFrames(e);
    if (frames !== undefined) out['stack'] = frames;
  }
  if (e.cause !== undefined && depth < 3) out['cause'] = safeError(e.cause, depth + 1);
  return out;
}

/**
 * A deep copy of `value` fit for a log line: sensitive keys redacted at any depth, strings
 * scrubbed, errors reduced by {@link safeError}, cycles and excessive depth cut.
 */
export function redact(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrubText(v);
    if (typeof v !== 'object' || v === null) return typeof v === 'bigint' ? v.toString() : v;
    if (v instanceof Error) return safeError(v);
    if (v instanceof Date) return v;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return '[BINARY]';
    if (seen.has(v)) return '[CIRCULAR]';
    if (depth >= MAX_DEPTH) return '[TRUNCATED]';
    seen.add(v);
    if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => walk(x, depth + 1));
    if (v instanceof Map || v instanceof Set) return `[${v.constructor.name}]`;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, {
        value: isSensitiveKey(k) && x !== undefined && x !== null ? REDACTED : walk(x, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(value, 0);
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `'info'`. */
  readonly level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass a collecting stream. */
  readonly destination?: DestinationStream;
  /** The service name, bound to every line. */
  readonly name?: string;
}

/**
 * A pino logger with the OpenMID redaction built in: every object, binding and message passes
 * through {@link redact} / {@link scrubText}. Log data as objects, with constant messages.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: config.LOG_LEVEL, name: 'issuer' })
 * log.info({ offerId, count }, 'offers created')
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base:
        options.name === undefined
          ? { pid: process.pid }
          : { pid: process.pid, service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      errorKey: 'err',
      // Redaction happens in formatters.log (before serializers run), so serializers stay identity.
      serializers: { err: (v: unknown) => v },
      formatters: {
        log: (object) => redact(object) as Record<string, unknown>,
        bindings: (bindings) => redact(bindings) as Record<string, unknown>,
      },
      hooks: {
        // pino takes a logged error's message as `msg`; a foreign message may quote input, so
        // errors are reduced by safeError before pino sees them.
        logMethod(args, method) {
          const list = (args as unknown[]).map((a, i) => {
            if (i !== 0) return a;
            if (a instanceof Error) return { err: safeError(a) };
            if (
              typeof a === 'object' &&
              a !== null &&
              (a as { err?: unknown }).err instanceof Error
            ) {
              return { ...a, err: safeError((a as { err: Error }).err) };
            }
            return a;
          });
          return method.apply(this, list as Parameters<typeof method>);
        },
        // Last line of defence: token- and identifier-shaped values never leave the process.
        streamWrite: (line) => scrubText(line),
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
  // pino applies formatters.bindings to the root only; children get their bindings redacted here.
  // Children inherit this own property through their prototype, so `this` is the child.
  const protoChild = Object.getPrototypeOf(logger).child as Logger['child'];
  Object.defineProperty(logger, 'child', {
    value: function child(this: Logger, bindings: Record<string, unknown>, opts?: object) {
      return protoChild.call(this, redact(bindings) as Record<string, unknown>, opts);
    },
    writable: true,
    configurable: true,
  });
  return logger;
}

/** A logger that drops everything (tests, tools). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
