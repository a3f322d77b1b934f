/**
 * @module crypto/kms
 * Where record-encryption keys come from. {@link Kms} is the port: production plugs an HSM or a
 * cloud KMS behind it (typically envelope encryption: a data key wrapped by the KMS master key,
 * unwrapped once at start-up and held in memory); the default is a local key file.
 *
 * Local key files (DESIGN.md §4 "keys from a KMS interface with a local key-file default"): a
 * directory holding `current.key` (32 random bytes, created with mode 0600 if absent, in a
 * directory created 0700) and any number of `retired-<kid>.key` files kept so that old records
 * still open after a rotation. A key file readable or writable by group or others, not a regular
 * file, or not exactly 32 bytes is refused (ERR_KMS_KEY_INSECURE): a key the whole machine can
 * read protects nothing. Key ids are derived from the key (a truncated SHA-256 under a domain
 * label), so a file needs no metadata and a swapped file cannot masquerade under another id.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';

/** Supplies 256-bit data keys by id. */
export interface Kms {
  /** The id of the key new records are sealed under. */
  currentKeyId(): string;
  /**
   * The 32-byte key with this id (unwrapped by the KMS/HSM if need be); throws
   * ERR_KMS_KEY_UNAVAILABLE when unknown. Callers may cache the result.
   */
  dataKey(keyId: string): Promise<Uint8Array>;
}

const KEY_BYTES = 32;

/** The id of a key: 16 base64url characters of SHA-256("openmid/record-key-id" ‖ key). */
export function keyIdOf(key: Uint8Array): string {
  return createHash('sha256')
    .update('openmid/record-key-id\u0000')
    .update(key)
    .digest('base64url')
    .slice(0, 16);
}

/**
 * A KMS over keys held in memory (tests; or keys delivered by a secret manager at start-up).
 * `current` defaults to the first key.
 */
export function staticKms(keys: readonly Uint8Array[], current?: string): Kms {
  const byId = new Map<string, Uint8Array>();
  for (const k of keys) {
    if (k.length !== KEY_BYTES)
      throw new OpenMidError('ERR_KMS_KEY_INSECURE', 'A key must be 32 bytes');
    byId.set(keyIdOf(k), Uint8Array.from(k));
  }
  const first = keys[0];
  const currentId = current ?? (first === undefined ? undefined : keyIdOf(first));
  if (currentId === undefined || !byId.has(currentId)) {
    throw new OpenMidError('ERR_KMS_KEY_UNAVAILABLE', 'No current record key');
  }
  return {
    currentKeyId: () => currentId,
    async dataKey(keyId) {
      const k = byId.get(keyId);
      if (k === undefined) {
        throw new OpenMidError('ERR_KMS_KEY_UNAVAILABLE', 'Unknown record key id', {
          details: { keyId: keyId.slice(0, 64) },
        });
      }
      return k;
    },
  };
}

/** Read a key file after checking it is private, regular and exactly 32 bytes. */
function readKeyFile(path: string): Uint8Array {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw new OpenMidError('ERR_KMS_KEY_UNAVAILABLE', 'Record key file cannot be read', {
      cause: e,
    });
  }
  if (!st.isFile())
    throw new OpenMidError('ERR_KMS_KEY_INSECURE', 'Record key is not a regular file');
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new OpenMidError(
      'ERR_KMS_KEY_INSECURE',
      'Record key file is accessible to group or others (chmod 600 it)',
      { details: { mode: (st.mode & 0o777).toString(8) } },
    );
  }
  if (st.size !== KEY_BYTES)
    throw new OpenMidError('ERR_KMS_KEY_INSECURE', 'Record key file must hold 32 bytes');
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new OpenMidError('ERR_KMS_KEY_UNAVAILABLE', 'Record key file cannot be read', {
      cause: e,
    });
  }
}

/** Create a key file with mode 0600, exclusively (never overwrites), durably. */
function createKeyFile(path: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const CURRENT = 'current.key';
const RETIRED = /^retired-([A-Za-z0-9_-]{16})\.key$/;

/** Options of {@link localKms}. */
export interface LocalKmsOptions {
  /** The key directory, e.g. `<DATA_DIR>/keys`. */
  readonly dir: string;
  /** Create `current.key` when absent (default true; false in production to fail fast). */
  readonly create?: boolean;
}

/**
 * The local key-file KMS: loads every key of `dir` at start-up (fail fast) and creates the current
 * key on first run.
 *
 * @example
 * ```ts
 * const kms = localKms({ dir: join(config.DATA_DIR, 'keys') })
 * const cipher = createRecordCipher(kms)
 * ```
 */
export function localKms(options: LocalKmsOptions): Kms {
  const { dir } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const currentPath = join(dir, CURRENT);
  let exists = true;
  try {
    statSync(currentPath);
  } catch {
    exists = false;
  }
  if (!exists) {
    if (options.create === false) {
      throw new OpenMidError('ERR_KMS_KEY_UNAVAILABLE', 'Record key file is missing');
    }
    try {
      createKeyFile(currentPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OpenMidError('ERR_KMS_KEY_UNAVAILABLE', 'Record key file cannot be created', {
          cause: e,
        });
      }
    }
  }
  const current = readKeyFile(currentPath);
  const keys = [current];
  for (const name of readdirSync(dir).sort()) {
    const m = RETIRED.exec(name);
    if (m === null) continue;
    const key = readKeyFile(join(dir, name));
    if (keyIdOf(key) !== m[1]) {
      throw new OpenMidError('ERR_KMS_KEY_INSECURE', 'A retired key file does not match its id');
    }
    keys.push(key);
  }
  return staticKms(keys, keyIdOf(current));
}

/**
 * Rotate the local key: `current.key` becomes `retired-<kid>.key` and a new `current.key` is
 * created. Records keep opening with the retired key; re-seal them with the cipher's
 * `needsRotation` to retire it for good. Returns the new and old key ids.
 */
export function rotateLocalKey(dir: string): { current: string; retired: string } {
  const currentPath = join(dir, CURRENT);
  const old = readKeyFile(currentPath);
  const retired = keyIdOf(old);
  renameSync(currentPath, join(dir, `retired-${retired}.key`));
  createKeyFile(currentPath);
  return { current: keyIdOf(readKeyFile(currentPath)), retired };
}
