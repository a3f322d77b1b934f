/**
 * @module duration
 * Durations on the command line: `3y`, `90d`, `12h`, `30m`, `3600s` (a year is 365 days).
 */
import { usageError } from './cli.js';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, y: 365 * 86_400 };

/** Parse a duration into seconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^([1-9]\d{0,6})([smhdy])$/.exec(text);
  if (!m) throw usageError(`--${option} must look like 3y, 90d, 12h, 30m or 3600s`);
  return Number(m[1]) * (UNIT[m[2] as string] as number);
}
