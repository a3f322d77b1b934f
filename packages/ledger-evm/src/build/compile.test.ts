import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CONTRACT_ARTIFACT, compileRegistry } from './compile.js';

describe('registry contract artifact', () => {
  test('recompiling the committed source with solc-js reproduces the committed artifact exactly', {
    timeout: 60_000,
  }, () => {
    const committed = JSON.parse(readFileSync(CONTRACT_ARTIFACT, 'utf8')) as Record<
      string,
      unknown
    >;
    const fresh = compileRegistry();
    expect(fresh.compiler.version).toBe((committed['compiler'] as { version: string }).version);
    expect(fresh.abi).toEqual(committed['abi']);
    expect(fresh.bytecode).toBe(committed['bytecode']);
    expect(fresh.deployedBytecode).toBe(committed['deployedBytecode']);
    expect(JSON.parse(JSON.stringify(fresh))).toEqual(committed);
  });

  test('a changed source gives other bytecode (the check can fail)', { timeout: 60_000 }, () => {
    const source = readFileSync(CONTRACT_ARTIFACT.replace(/\.json$/, ''), 'utf8');
    const changed = compileRegistry(source.replace('MAX_SKEW = 300', 'MAX_SKEW = 301'));
    const committed = JSON.parse(readFileSync(CONTRACT_ARTIFACT, 'utf8')) as {
      deployedBytecode: string;
    };
    expect(changed.deployedBytecode).not.toBe(committed.deployedBytecode);
  });
});
