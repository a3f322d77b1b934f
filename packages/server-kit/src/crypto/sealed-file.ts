/**
 * @module crypto/sealed-file
 * A service's key file: JSON sealed with the record cipher (so it is only as readable as the
 * KMS key), created on first start with mode 0600. Two processes starting at once agree: the file
 * is created exclusively and durably, and the loser reads the winner's.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordCipher, RecordPlace } from './record.js';

/** Write `data` to a new file, mode 0600, exclusively and durably; false when it exists. */
function createExclusive(path: string, data: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * The sealed JSON in `<dir>/<file>`, created from `create()` when the file does not exist (the
 * folder with mode 0700). The associated data is `{ table: 'file', id: file }`, so a file
 * renamed onto another's name does not open.
 *
 * @throws the cipher's error when the file does not open (callers map it to their own code);
 *   the value is returned unvalidated: the caller checks its shape.
 */
export async function loadOrCreateSealedFile<T>(
  dir: string,
  file: string,
  cipher: RecordCipher,
  create: () => Promise<T>,
): Promise<T> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, file);
  const place: RecordPlace = { table: 'file', id: file };
  let envelope: string | undefined;
  try {
    envelope = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (envelope === undefined) {
    createExclusive(path, await cipher.sealJson(await create(), place));
    envelope = readFileSync(path, 'utf8');
  }
  return cipher.openJson<T>(envelope.trim(), place);
}
