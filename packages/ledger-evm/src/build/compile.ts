/**
 * @module build/compile
 * Compile the registry contract with solc-js (the `solc` npm package: no native compiler is
 * downloaded) into the artifact committed beside the source. `npm run build:contract -w
 * @openmid/ledger-evm` rewrites it; a test recompiles and compares, so source and artifact cannot
 * drift apart.
 *
 * Settings are part of the artifact: solc 0.8.37, optimizer 200 runs, via-IR, EVM version
 * `osaka` (the P256VERIFY precompile, EIP-7951), no metadata hash (the bytecode then depends only
 * on the source and these settings).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where the source and the artifact live. */
export const CONTRACT_SOURCE: string = fileURLToPath(
  new URL('../../contracts/OpenMidTrustRegistry.sol', import.meta.url),
);
/** The committed artifact. */
export const CONTRACT_ARTIFACT: string = fileURLToPath(
  new URL('../../contracts/OpenMidTrustRegistry.sol.json', import.meta.url),
);

/** The compiled contract. */
export interface RegistryArtifact {
  readonly contractName: 'OpenMidTrustRegistry';
  readonly compiler: { readonly version: string; readonly settings: Record<string, unknown> };
  readonly abi: readonly unknown[];
  readonly bytecode: `0x${string}`;
  readonly deployedBytecode: `0x${string}`;
}

const SETTINGS = {
  evmVersion: 'osaka',
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: {
    '*': { OpenMidTrustRegistry: ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
  },
};

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<
    string,
    Record<
      string,
      {
        abi: unknown[];
        evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
      }
    >
  >;
}

/** Compile the contract source (≈ 1–3 s). Throws on any compiler error. */
export function compileRegistry(
  source: string = readFileSync(CONTRACT_SOURCE, 'utf8'),
): RegistryArtifact {
  const require = createRequire(import.meta.url);
  const solc = require('solc') as { compile(input: string): string; version(): string };
  const input = {
    language: 'Solidity',
    sources: { 'OpenMidTrustRegistry.sol': { content: source } },
    settings: SETTINGS,
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = out.contracts['OpenMidTrustRegistry.sol']?.['OpenMidTrustRegistry'];
  if (!c) throw new Error('solc produced no OpenMidTrustRegistry');
  const { outputSelection: _o, ...settings } = SETTINGS;
  return {
    contractName: 'OpenMidTrustRegistry',
    compiler: { version: solc.version(), settings },
    abi: c.abi,
    bytecode: `0x${c.evm.bytecode.object}`,
    deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
  };
}

// `node --import tsx packages/ledger-evm/src/build/compile.ts`: rewrite the artifact.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const artifact = compileRegistry();
  writeFileSync(CONTRACT_ARTIFACT, `${JSON.stringify(artifact, null, 2)}\n`);
  process.stdout.write(
    `wrote ${CONTRACT_ARTIFACT} (${(artifact.deployedBytecode.length - 2) / 2} bytes deployed)\n`,
  );
}
