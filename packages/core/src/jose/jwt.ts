/**
 * @module jose/jwt
 * JWT time-claim checks (RFC 7519 §4.1.4–4.1.6) with a bounded clock leeway (SECURITY.md:
 * "non-NumericDate times → reject. Bounded clock leeway").
 */
import { OpenMidError } from '../errors/error.js';

/** Largest clock leeway any caller may configure, in seconds. */
export const MAX_CLOCK_LEEWAY_SECONDS = 300;
/** Default clock leeway, in seconds. */
export const DEFAULT_CLOCK_LEEWAY_SECONDS = 30;

/** A clock returning seconds since the epoch. */
export type Clock = () => number;

/** The system clock in NumericDate seconds. */
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

/** Options of {@link checkTimeClaims}. */
export interface TimeClaimOptions {
  /** Current time in seconds (default: system clock). */
  readonly now?: number;
  /** Clock leeway in seconds, ≤ {@link MAX_CLOCK_LEEWAY_SECONDS} (default 30). */
  readonly leeway?: number;
  /** Claims that must be present. */
  readonly require?: readonly ('iat' | 'nbf' | 'exp')[];
}

/** Validate and return the leeway option. */
export function resolveLeeway(leeway: number | undefined): number {
  const l = leeway ?? DEFAULT_CLOCK_LEEWAY_SECONDS;
  if (!Number.isFinite(l) || l < 0 || l > MAX_CLOCK_LEEWAY_SECONDS) {
    throw new OpenMidError(
      'ERR_INPUT_INVALID',
      `Clock leeway must be between 0 and ${MAX_CLOCK_LEEWAY_SECONDS} seconds`,
    );
  }
  return l;
}

/** Read a NumericDate claim: `undefined` when absent, an error when present but not a number. */
export function numericDate(payload: Record<string, unknown>, name: string): number | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new OpenMidError('ERR_JWT_CLAIM_INVALID', `The ${name} claim is not a NumericDate`, {
      details: { claim: name },
    });
  }
  return v;
}

/**
 * Check `iat`, `nbf` and `exp` against the clock. `iat` in the future (beyond leeway) is refused
 * as not yet valid.
 */
export function checkTimeClaims(
  payload: Record<string, unknown>,
  options?: TimeClaimOptions,
): void {
  const now = options?.now ?? systemClock();
  const leeway = resolveLeeway(options?.leeway);
  const iat = numericDate(payload, 'iat');
  const nbf = numericDate(payload, 'nbf');
  const exp = numericDate(payload, 'exp');
  for (const name of options?.require ?? []) {
    if (payload[name] === undefined) {
      throw new OpenMidError('ERR_JWT_CLAIM_MISSING', `The ${name} claim is required`, {
        details: { claim: name },
      });
    }
  }
  if (exp !== undefined && now - leeway >= exp)
    throw new OpenMidError('ERR_JWT_EXPIRED', 'The token is expired');
  if (nbf !== undefined && now + leeway < nbf)
    throw new OpenMidError('ERR_JWT_NOT_YET_VALID', 'The token is not yet valid');
  if (iat !== undefined && now + leeway < iat)
    throw new OpenMidError('ERR_JWT_NOT_YET_VALID', 'The token was issued in the future');
}
