import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ERROR_CODES } from './codes.js';

const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set(
  [...doc.matchAll(/^\|\s*`(ERR_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1] as string),
);
const defined = new Set(Object.keys(ERROR_CODES));

describe('error codes and docs/errors.md agree', () => {
  test('every defined code is documented', () => {
    expect([...defined].filter((c) => !documented.has(c))).toEqual([]);
  });

  test('every documented code is defined', () => {
    expect([...documented].filter((c) => !defined.has(c))).toEqual([]);
  });

  test('codes follow ERR_<AREA>_<THING> and have a meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });
});
