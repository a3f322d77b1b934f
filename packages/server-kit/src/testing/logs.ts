/**
 * @module testing/logs
 * A logger whose lines are kept in memory, to assert what was (and was not) logged.
 */

import type { LogLevel } from '../config/config.js';
import { createLogger, type Logger } from '../log/logger.js';

/** A capturing logger and its lines. */
export interface CapturedLogs {
  readonly logger: Logger;
  /** Every line written, raw. */
  readonly lines: string[];
  /** Every line, parsed. */
  entries(): Record<string, unknown>[];
  /** All lines joined: search it for values that must never appear. */
  text(): string;
}

/** Create a logger (at `level`, default 'trace') that records its JSON lines in memory. */
export function captureLogs(level: LogLevel = 'trace'): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    name: 'test',
    destination: {
      write(line: string) {
        lines.push(line);
      },
    },
  });
  return {
    logger,
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
