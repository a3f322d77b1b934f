#!/usr/bin/env node
// The `openmid` command. Runs the TypeScript sources through tsx with the `@openmid/source`
// export condition (docs/adr/001-workspace-and-toolchain.md). Node cannot add an export condition
// after start-up, so the first process re-executes itself once with the right flags.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONDITION = '--conditions=@openmid/source';
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');

if (process.execArgv.includes(CONDITION)) {
  await import(main);
} else {
  // Resolve tsx from this package, not from the caller's working directory.
  const tsx = import.meta.resolve('tsx');
  const child = spawn(
    process.execPath,
    [CONDITION, '--import', tsx, main, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
