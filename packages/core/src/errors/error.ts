/**
 * @module errors
 * The one error class of OpenMID. Every rejection carries a stable `code` (`ERR_<AREA>_<THING>`),
 * set where the error is thrown, never derived from message text (STYLE.md rules 8–10).
 * Messages and details must never contain personal data, tokens, codes or PINs: they may be logged.
 */
import type { OpenMidErrorCode } from './codes.js';

/** Options accepted by {@link OpenMidError}. */
export interface OpenMidErrorOptions {
  /** The lower-level error, if any. Never echoed to clients (5xx bodies omit it). */
  readonly cause?: unknown;
  /** Structured, non-personal context (a claim *path*, a list URI, an index), safe to log. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * An OpenMID failure with a stable machine-readable code.
 *
 * @example
 * ```ts
 * try { await verifySdJwt(token, policy) }
 * catch (e) { if (isOpenMidError(e) && e.code === 'ERR_STATUS_REVOKED') … }
 * ```
 */
export class OpenMidError extends Error {
  readonly code: OpenMidErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: OpenMidErrorCode, message?: string, options?: OpenMidErrorOptions) {
    super(message ?? code, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpenMidError';
    this.code = code;
    this.details = options?.details;
  }

  /** A log- and wire-safe view: code, message and details, never the cause. */
  toJSON(): {
    code: OpenMidErrorCode;
    message: string;
    details?: Readonly<Record<string, unknown>>;
  } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `e` is an {@link OpenMidError} (optionally with the given code). */
export function isOpenMidError(e: unknown, code?: OpenMidErrorCode): e is OpenMidError {
  return e instanceof OpenMidError && (code === undefined || e.code === code);
}

/** Throw an {@link OpenMidError}; handy in expressions. */
export function fail(
  code: OpenMidErrorCode,
  message?: string,
  options?: OpenMidErrorOptions,
): never {
  throw new OpenMidError(code, message, options);
}

/**
 * Re-throw OpenMID errors unchanged; wrap anything else as `ERR_INTERNAL` (fail closed).
 * Used at public verification boundaries so callers only ever see coded errors.
 */
export function asOpenMidError(e: unknown): OpenMidError {
  if (e instanceof OpenMidError) return e;
  return new OpenMidError('ERR_INTERNAL', 'Unexpected internal failure', { cause: e });
}
