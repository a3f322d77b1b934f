import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

// `@openmid/ledger` (everything but ./embedded, ./testing and tests) runs in the wallet PWA and in
// offline verifiers: no Node built-ins, no Buffer, no process, no server-kit.
const root = fileURLToPath(new URL('.', import.meta.url));
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'embedded' || name === 'testing' ? [] : files(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('the isomorphic part of @openmid/ledger imports nothing Node-only', () => {
  const offenders: string[] = [];
  for (const file of files(root)) {
    const src = readFileSync(file, 'utf8');
    if (/from\s+'node:|\bBuffer\b|\bprocess\.|@openmid\/server-kit|from\s+'pg'/.test(src))
      offenders.push(file);
  }
  expect(offenders).toEqual([]);
  expect(files(root).length).toBeGreaterThan(10);
});
