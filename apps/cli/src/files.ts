/**
 * @module files
 * File helpers for the CLI: `-` means standard input; secrets are written with mode 0600 and
 * never over an existing file unless asked.
 */
import { constants } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';
import type { Io } from './cli.js';

/** Read a text file, or standard input for `-`. Trailing whitespace is trimmed. */
export async function readText(path: string, io: Io): Promise<string> {
  if (path === '-') return (await io.stdin()).trim();
  try {
    return (await readFile(resolve(io.cwd, path), 'utf8')).trim();
  } catch (cause) {
    throw new OpenMidError('ERR_CLI_FILE_UNREADABLE', `cannot read ${path}`, { cause });
  }
}

/** Read and parse a JSON file (or `-`). */
export async function readJson(path: string, io: Io): Promise<unknown> {
  const text = await readText(path, io);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new OpenMidError('ERR_CLI_FILE_UNREADABLE', `${path} is not JSON`, { cause });
  }
}

/** Write a secret (a private key) with mode 0600; refuses to overwrite unless `force`. */
export async function writeSecret(
  path: string,
  content: string,
  io: Io,
  force = false,
): Promise<void> {
  const flags =
    constants.O_WRONLY | constants.O_CREAT | (force ? constants.O_TRUNC : constants.O_EXCL);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(resolve(io.cwd, path), flags, 0o600);
  } catch (cause) {
    const exists = (cause as NodeJS.ErrnoException).code === 'EEXIST';
    throw new OpenMidError(
      'ERR_CLI_FILE_UNREADABLE',
      exists ? `${path} exists (use --force to replace it)` : `cannot write ${path}`,
      { cause },
    );
  }
  try {
    await handle.chmod(0o600);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Write a public file. */
export async function writeText(path: string, content: string, io: Io): Promise<void> {
  await writeFile(resolve(io.cwd, path), content);
}
