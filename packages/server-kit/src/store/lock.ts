/**
 * @module store/lock
 * An exclusive lock on the embedded database folder. PGlite is PostgreSQL in single-user mode and
 * takes no lock of its own on the Node filesystem: a second process opening the same folder (a
 * forgotten dev server, a CLI run beside the service) corrupts it (electric-sql/pglite#1106,
 * #323). Like PostgreSQL's postmaster.pid, a lock file beside the folder holds the owner's pid; a
 * second opener fails fast while that process lives, and a stale file (owner gone, e.g. after
 * kill -9) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { OpenMidError } from '@openmid/core/errors';

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new OpenMidError('ERR_STORE_UNAVAILABLE', 'Cannot create the database lock file', {
      cause: e,
    });
  }
}

/**
 * Take the lock file at `path`, or throw ERR_STORE_LOCKED naming the live owner's pid. Returns the
 * release function (also run at process exit). Taking over a stale file is best effort: two
 * processes starting in the same instant after a crash could both succeed.
 */
export function acquireLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path)) {
      const release = (): void => {
        process.off('exit', release);
        if (readPid(path) === process.pid) {
          try {
            unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        }
      };
      process.on('exit', release);
      return release;
    }
    const owner = readPid(path);
    if (owner !== undefined && alive(owner)) {
      throw new OpenMidError(
        'ERR_STORE_LOCKED',
        `The database folder is in use by process ${owner}`,
        { details: { pid: owner } },
      );
    }
    try {
      unlinkSync(path); // stale: its owner is gone
    } catch {
      // Someone else removed it first; try again.
    }
  }
  throw new OpenMidError('ERR_STORE_LOCKED', 'The database folder lock could not be taken');
}
