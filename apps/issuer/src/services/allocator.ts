/**
 * @module services/allocator
 * Status-list index allocation (SECURITY.md "Index allocation is unique and unpredictable under
 * concurrency"; draft-ietf-oauth-status-list §12.4, §13.3). The index of the n-th credential of a
 * list is `PRP_key(n)` (core's `createIndexAllocator`, a keyed Feistel permutation), so uniqueness
 * reduces to handing out each counter once.
 *
 * Counters come from PostgreSQL in BLOCKS: one short transaction `UPDATE status_lists SET
 * next_counter = next_counter + B` reserves B counters for this process, which then hands them out
 * from memory. A crash loses at most the unused rest of a block (gaps, never duplicates: a
 * reserved counter is never reserved again), and the hot `status_lists` row is touched once per B
 * credentials instead of once per credential. A list that is full is followed by a new one, with
 * its own secret PRP key sealed in its row (the key must live exactly as long as the counter, so
 * it is kept with it, encrypted by the KMS). The `UNIQUE (list_id, idx)` constraint on
 * `credentials` is the last line of defence.
 */
import { randomBytes } from 'node:crypto';
import { createIndexAllocator, type IndexAllocator } from '@openmid/core/status-list';
import { appendAudit, type RecordCipher, type Sql } from '@openmid/server-kit';

/** One allocated status entry. */
export interface StatusSlot {
  readonly listId: number;
  readonly idx: number;
  /** The list's URI: `status.status_list.uri` of the credential. */
  readonly uri: string;
}

/** Hands out status entries. */
export interface StatusAllocator {
  /** `n` fresh, distinct entries (possibly across two lists when one fills up). */
  allocate(n: number): Promise<StatusSlot[]>;
}

/** Options of {@link createStatusAllocator}. */
export interface StatusAllocatorOptions {
  readonly sql: Sql;
  readonly cipher: RecordCipher;
  /** Entries per list (2^20 by default). */
  readonly listSize: number;
  /** The URI of a list. */
  readonly listUri: (listId: number) => string;
  /** Counters reserved per database round trip (default 256). */
  readonly blockSize?: number;
  /** Told when a list is created (to publish its first token). */
  readonly onListCreated?: (listId: number) => void;
  readonly now: () => Date;
}

interface Block {
  readonly listId: number;
  next: number;
  readonly end: number;
  readonly prp: IndexAllocator;
}

/** Status entries use 2 bits: VALID 0, INVALID 1 (revoked), SUSPENDED 2 (§7.1). */
export const STATUS_BITS = 2;

/**
 * Create the allocator of one issuer process.
 *
 * @example
 * ```ts
 * const allocator = createStatusAllocator({ sql, cipher, listSize: 2 ** 20, listUri, now })
 * const [slot] = await allocator.allocate(1)
 * ```
 */
export function createStatusAllocator(options: StatusAllocatorOptions): StatusAllocator {
  const { sql, cipher, listSize } = options;
  const blockSize = options.blockSize ?? 256;
  const prps = new Map<number, Promise<IndexAllocator>>();
  let block: Block | undefined;
  let reserving: Promise<Block> | undefined;

  const prpOf = (listId: number, sealed: string, size: number): Promise<IndexAllocator> => {
    let p = prps.get(listId);
    if (p === undefined) {
      p = cipher
        .open(sealed, { table: 'status_lists', id: String(listId) })
        .then((key) => createIndexAllocator({ size, key, tweak: options.listUri(listId) }));
      p.catch(() => prps.delete(listId));
      prps.set(listId, p);
    }
    return p;
  };

  async function reserve(): Promise<Block> {
    for (;;) {
      const block = await tryReserve();
      if (block !== undefined) return block;
    }
  }

  /** One attempt; undefined when another process created the next list meanwhile (retry). */
  async function tryReserve(): Promise<Block | undefined> {
    let created: number | undefined;
    const r = await sql.transaction(async (tx) => {
      // The newest list, locked: reservations and list creation are serialised on it.
      const head = await tx.query<{
        id: number;
        size: number;
        next_counter: number;
        allocator_key_sealed: string;
      }>(
        'SELECT id, size, next_counter, allocator_key_sealed FROM status_lists ORDER BY id DESC LIMIT 1 FOR UPDATE',
      );
      let list = head.rows[0];
      if (list === undefined || Number(list.next_counter) >= list.size) {
        const id = list === undefined ? 1 : list.id + 1;
        const sealed = await cipher.seal(randomBytes(32), {
          table: 'status_lists',
          id: String(id),
        });
        // FOR UPDATE locks nothing when there is no list yet (or the next one does not exist):
        // two reservations may both try to create it, and the loser retries.
        const ins = await tx.query(
          `INSERT INTO status_lists (id, size, bits, allocator_key_sealed, created_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
          [id, listSize, STATUS_BITS, sealed, options.now()],
        );
        if (ins.rowCount !== 1) return undefined;
        await appendAudit(tx, {
          actor: 'system',
          action: 'status_list.create',
          subject: `status_list:${id}`,
          details: { size: listSize, bits: STATUS_BITS },
        });
        created = id;
        list = { id, size: listSize, next_counter: 0, allocator_key_sealed: sealed };
      }
      const take = Math.min(blockSize, list.size - Number(list.next_counter));
      const u = await tx.query<{ next_counter: number }>(
        'UPDATE status_lists SET next_counter = next_counter + $2 WHERE id = $1 RETURNING next_counter',
        [list.id, take],
      );
      const end = Number(u.rows[0]?.next_counter);
      return { list, start: end - take, end };
    });
    if (r === undefined) return undefined;
    if (created !== undefined) options.onListCreated?.(created);
    const prp = await prpOf(r.list.id, r.list.allocator_key_sealed, r.list.size);
    return { listId: r.list.id, next: r.start, end: r.end, prp };
  }

  return {
    async allocate(n) {
      const out: StatusSlot[] = [];
      while (out.length < n) {
        const b = block;
        if (b !== undefined && b.next < b.end) {
          const counter = b.next++;
          out.push({
            listId: b.listId,
            idx: b.prp.indexAt(counter),
            uri: options.listUri(b.listId),
          });
          continue;
        }
        // One reservation at a time per process; concurrent callers wait for the same one.
        if (reserving === undefined) {
          reserving = reserve().finally(() => {
            reserving = undefined;
          });
          block = await reserving;
        } else {
          await reserving;
        }
      }
      return out;
    },
  };
}
