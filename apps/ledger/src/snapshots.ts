/**
 * @module snapshots
 * Serving trust snapshots to a nation of wallets and verifiers: a snapshot of 10,000 relying
 * parties and 200 issuers is ~17 MB and takes about a second to build (packages/ledger README),
 * so the node builds each one ONCE per tree head and options (concurrent requests wait for the
 * same build), keeps the serialised text for `LEDGER_SNAPSHOT_MAX_AGE` seconds, and answers with a
 * weak ETag (RFC 9110 §8.8.1) that names what the snapshot says — tree size, root, options,
 * witness cosignatures — so `If-None-Match` is a 304 and CDNs can cache it.
 */
import { createHash } from 'node:crypto';
import type { TrustLedger, TrustSnapshot } from '@openmid/ledger';

/** A built snapshot. */
export interface BuiltSnapshot {
  readonly snapshot: TrustSnapshot;
  /** Its JSON text, as served. */
  readonly text: string;
  /** Weak ETag. */
  readonly etag: string;
  readonly treeSize: number;
}

/** Options of one snapshot. */
export interface SnapshotRequest {
  readonly treeSize?: number;
  readonly statusLists?: readonly string[] | 'all';
}

/** The cache. */
export interface SnapshotCache {
  get(request: SnapshotRequest): Promise<BuiltSnapshot>;
  /** Forget every built snapshot (a cosignature was added). */
  clear(): void;
}

/** Create the cache over a ledger; `maxAgeMs` 0 only coalesces concurrent builds. */
export function createSnapshotCache(
  ledger: TrustLedger,
  options: { readonly maxAgeMs: number; readonly now?: () => number; readonly max?: number },
): SnapshotCache {
  const now = options.now ?? Date.now;
  const max = options.max ?? 8;
  const built = new Map<string, { value: BuiltSnapshot; at: number }>();
  const building = new Map<string, Promise<BuiltSnapshot>>();
  let generation = 0;
  return {
    async get(request) {
      const head = await ledger.treeHead(request.treeSize);
      const lists =
        request.statusLists === 'all'
          ? '*'
          : [...new Set(request.statusLists ?? [])].sort().join('\n');
      const key = `${head.treeSize}:${head.rootHash}:${lists}`;
      const hit = built.get(key);
      if (hit && now() - hit.at < options.maxAgeMs) return hit.value;
      const inflight = building.get(key);
      if (inflight) return inflight;
      const gen = generation;
      const p = (async () => {
        const snapshot = await ledger.exportSnapshot({
          treeSize: head.treeSize,
          ...(request.statusLists === undefined ? {} : { statusLists: request.statusLists }),
        });
        const tag = createHash('sha256')
          .update(`${key}\n${(snapshot.cosignatures ?? []).join('\n')}`)
          .digest('base64url')
          .slice(0, 32);
        const value: BuiltSnapshot = {
          snapshot,
          text: JSON.stringify(snapshot),
          etag: `W/"${tag}"`,
          treeSize: head.treeSize,
        };
        if (gen === generation) {
          built.set(key, { value, at: now() });
          while (built.size > max) {
            const oldest = built.keys().next();
            if (oldest.done === true) break;
            built.delete(oldest.value);
          }
        }
        return value;
      })().finally(() => building.delete(key));
      building.set(key, p);
      return p;
    },
    clear() {
      generation++;
      built.clear();
    },
  };
}
