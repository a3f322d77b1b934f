/**
 * @module cli
 * A small command framework: each command declares its options (node:util parseArgs), its usage
 * text and a `run` function taking an {@link Io}, so the whole CLI is testable in-process.
 * Contract (issue 2): success exits 0; a failed verification or operation exits 1; bad usage exits
 * 2 with a helpful message; `--help` works on every command.
 */
import { parseArgs } from 'node:util';
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';

/** Input/output of a command (real process streams in main.ts, buffers in tests). */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Read all of standard input (for `-` file arguments). */
  readonly stdin: () => Promise<string>;
  /** Working directory against which relative paths resolve. */
  readonly cwd: string;
}

/** Option declarations in node:util parseArgs form. */
export type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }
>;

/** Parsed option values. */
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** One `openmid` command (or a group of sub-commands). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage text shown by --help and on usage errors (without the leading "Usage: openmid"). */
  readonly usage: string;
  readonly options?: OptionSpec;
  readonly subcommands?: readonly Command[];
  /** Allow positional arguments (default: none). */
  readonly positionals?: boolean;
  run?(ctx: { values: Values; positionals: string[]; io: Io }): Promise<number>;
}

/** A usage error: exit status 2. */
export function usageError(message: string): OpenMidError {
  return new OpenMidError('ERR_CLI_USAGE', message);
}

/** A required string option, or a usage error naming it. */
export function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw usageError(`missing required option --${name}`);
  return v;
}

/** An optional string option. */
export function optional(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function helpText(path: string, cmd: Command): string {
  // A command's usage already starts with its own path ("issuer offer …"): name the program once.
  const program = path.split(' ')[0] ?? path;
  let text = `Usage: ${program} ${cmd.usage}\n\n${cmd.summary}\n`;
  if (cmd.subcommands?.length) {
    text += '\nCommands:\n';
    for (const sub of cmd.subcommands) text += `  ${sub.name.padEnd(14)} ${sub.summary}\n`;
    text += `\nRun '${path} <command> --help' for a command's options.\n`;
  }
  return text;
}

/**
 * Run a command tree on an argument vector. Returns the exit status; never throws.
 */
export async function runCommand(
  root: Command,
  argv: readonly string[],
  io: Io,
  path = root.name,
): Promise<number> {
  const [first, ...rest] = argv;
  if (root.subcommands?.length) {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      (first === undefined ? io.stderr : io.stdout)(helpText(path, root));
      return first === undefined ? 2 : 0;
    }
    const sub = root.subcommands.find((c) => c.name === first);
    if (!sub) {
      io.stderr(`${path}: unknown command '${first}'\n\n${helpText(path, root)}`);
      return 2;
    }
    return runCommand(sub, rest, io, `${path} ${sub.name}`);
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(helpText(path, root));
    return 0;
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: root.options ?? {},
      allowPositionals: root.positionals ?? false,
      strict: true,
    }) as { values: Values; positionals: string[] };
  } catch (e) {
    io.stderr(`${path}: ${(e as Error).message}\n\n${helpText(path, root)}`);
    return 2;
  }
  try {
    if (!root.run) throw usageError('nothing to run');
    return await root.run({ ...parsed, io });
  } catch (e) {
    if (isOpenMidError(e, 'ERR_CLI_USAGE')) {
      io.stderr(`${path}: ${e.message}\n\n${helpText(path, root)}`);
      return 2;
    }
    const err = isOpenMidError(e)
      ? e
      : new OpenMidError('ERR_INTERNAL', 'Unexpected failure', { cause: e });
    io.stderr(`${path}: ${err.code}: ${err.message}\n`);
    return 1;
  }
}
