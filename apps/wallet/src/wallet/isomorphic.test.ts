/**
 * The app bundle runs in browsers only: nothing under src/ may import `node:*` or use Node
 * globals (the server, the e2e suite and the tests are outside src/ or are test files).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { WALLET_ERROR_CODES } from './errors.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n) ? [p] : [];
  });
}

describe('wallet bundle sources', () => {
  test('import no node: module and use no Buffer or process', () => {
    for (const f of files(SRC)) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/from ['"]node:/);
      expect(text, f).not.toMatch(/\bBuffer\.|\bprocess\.(env|argv|exit)/);
    }
  });

  test('every wallet error code has a message in Korean and English', async () => {
    const { WALLET_ERROR_MESSAGES } = await import('../../../../profiles/kr/src/ui/index.js');
    for (const code of Object.keys(WALLET_ERROR_CODES)) {
      expect(WALLET_ERROR_MESSAGES.ko, code).toHaveProperty(code);
      expect(WALLET_ERROR_MESSAGES.en, code).toHaveProperty(code);
    }
  });
});
