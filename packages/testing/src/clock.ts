/**
 * @module clock
 * Fake clocks for tests. They return NumericDate seconds, like core's `Clock` (`@openmid/core/jose`),
 * so they plug into every verifier and issuer option that takes a clock.
 */
import { OpenMidError } from '@openmid/core/errors';
import type { Clock } from '@openmid/core/jose';

function secondsOf(at: string | Date | number): number {
  const ms =
    typeof at === 'number' ? at * 1000 : at instanceof Date ? at.getTime() : Date.parse(at);
  if (!Number.isFinite(ms)) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'Not a date: use ISO 8601, a Date or seconds');
  }
  return Math.floor(ms / 1000);
}

/**
 * A clock stopped at `at`: an ISO 8601 string (a date-only `YYYY-MM-DD` means 00:00 UTC, as
 * `Date.parse` reads it; write `2026-03-01T00:00:00+09:00` for midnight in Korea), a `Date`, or
 * NumericDate seconds.
 *
 * @example fixedClock('2026-03-01T09:00:00+09:00')() // 1772323200
 */
export function fixedClock(at: string | Date | number): Clock {
  const s = secondsOf(at);
  return () => s;
}

/** A clock a test moves by hand. */
export interface ManualClock {
  /** The clock to hand to the code under test. */
  readonly now: Clock;
  /** Move forward (or back, with a negative number) by `seconds`. */
  advance(seconds: number): void;
  /** Jump to an instant (same forms as {@link fixedClock}). */
  set(at: string | Date | number): void;
}

/** A clock starting at `at` that only moves when the test says so. */
export function manualClock(at: string | Date | number): ManualClock {
  let s = secondsOf(at);
  return {
    now: () => s,
    advance(seconds: number) {
      if (!Number.isFinite(seconds)) throw new OpenMidError('ERR_INPUT_INVALID', 'Not a number');
      s += Math.trunc(seconds);
    },
    set(next) {
      s = secondsOf(next);
    },
  };
}
