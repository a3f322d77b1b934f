/**
 * @module main
 * Entry point of the `openmid` command (run through bin/openmid.js).
 */
import { useNodeCrypto } from '@openmid/core/node';
import { type Command, type Io, runCommand } from './cli.js';
import { commands } from './commands/index.js';

useNodeCrypto();

const root: Command = {
  name: 'openmid',
  summary: 'OpenMID: national mobile ID — keys, credentials, presentations, status lists.',
  usage: '<command> [options]',
  subcommands: commands,
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
