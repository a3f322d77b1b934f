/**
 * @module ledger.e2e.main
 * Entry point of the ledger end-to-end test: the `openmid` command with `keygen` and `ledger`, run
 * as its own process exactly as `bin/openmid.js` runs `main.ts` (node:crypto, real streams, exit
 * status), independent of which commands `commands/index.ts` lists. Not part of the CLI.
 */
import { useNodeCrypto } from '@openmid/core/node';
import { type Command, type Io, runCommand } from './cli.js';
import { keygen } from './commands/keygen.js';
import { ledger } from './commands/ledger.js';

useNodeCrypto();

const root: Command = {
  name: 'openmid',
  summary: 'openmid (keygen and ledger only, for the ledger end-to-end test)',
  usage: '<command> [options]',
  subcommands: [keygen, ledger],
};

const io: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  cwd: process.cwd(),
};

process.exitCode = await runCommand(root, process.argv.slice(2), io);
