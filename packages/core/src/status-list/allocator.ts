/**
 * @module status-list/allocator
 * Status-list index allocation that is unique and unpredictable (SECURITY.md "Index allocation is
 * unique and unpredictable under concurrency"; draft-ietf-oauth-status-list -18, §12.4 and §12.5.1
 * RECOMMEND "non-sequential, pseudo-random or random indices", §13.3 requires preventing double
 * allocation).
 *
 * The index of the n-th credential is `PRP_key(n)`, a keyed pseudo-random permutation of
 * `[0, size)`:
 *
 * - a 10-round alternating Feistel network on `k = ⌈log2 size⌉` bits (halves of ⌊k/2⌋ and ⌈k/2⌉
 *   bits, the structure of FF1 in NIST SP 800-38G §6.1, with modular addition), whose round
 *   function is HMAC-SHA256 under the secret key (RFC 2104), domain-separated by round, list size
 *   and an optional tweak;
 * - cycle-walking (Black–Rogaway, "Ciphers with Arbitrary Finite Domains", 2002) to restrict the
 *   permutation of `[0, 2^k)` to `[0, size)` when `size` is not a power of two (fewer than two
 *   steps on average, since `2^k < 2·size`).
 *
 * Each round function takes at most 16 bits, so it is tabulated once per allocator (at most
 * 10 × 2^16 values, 16 per HMAC call); an index then costs ten table look-ups and additions.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { OpenMidError } from '../errors/error.js';
import { utf8 } from '../internal/bytes.js';

/** Smallest secret key accepted: 128 bits. */
export const MIN_ALLOCATOR_KEY_BYTES = 16;
/** Largest list an allocator serves: 2^32 entries. */
export const MAX_ALLOCATOR_SIZE: number = 2 ** 32;

const ROUNDS = 10;
const LABEL = utf8('OpenMID status-list index PRP v1');

/** Options of {@link createIndexAllocator}. */
export interface IndexAllocatorOptions {
  /** Entries in the status list: indices are drawn from `[0, size)`, each exactly once. */
  readonly size: number;
  /**
   * Secret key, ≥ 16 bytes from a CSPRNG, kept for the list's whole life (changing it would
   * re-use indices). Never published: with it, indices reveal issuance order.
   */
  readonly key: Uint8Array;
  /** Domain separation, e.g. the list URI, so one key can serve many lists independently. */
  readonly tweak?: string | Uint8Array;
  /** First counter {@link IndexAllocator.next} uses (default 0), to resume an in-memory allocator. */
  readonly start?: number;
}

/** Hands out the indices of one status list. */
export interface IndexAllocator {
  /** Number of distinct indices: the list size. */
  readonly capacity: number;
  /**
   * The index of the `counter`-th credential, for `0 ≤ counter < capacity`: pure and
   * deterministic, distinct counters give distinct indices. A counter ≥ capacity is
   * `ERR_STATUS_ALLOCATOR_EXHAUSTED`.
   */
  indexAt(counter: number): number;
  /** In-memory use: the index for the next counter; `ERR_STATUS_ALLOCATOR_EXHAUSTED` when none is left. */
  next(): number;
  /** How many indices {@link IndexAllocator.next} has handed out (the next counter). */
  readonly issued: number;
}

/**
 * Create an index allocator for a status list of `size` entries.
 *
 * **Why this gives herd privacy.** Indices are a pseudo-random permutation of issuance counters:
 * without the key, the index sequence cannot be told apart from a random ordering of the list.
 * So an index reveals neither when its credential was issued relative to others (no "index 7
 * is the 8th citizen enrolled"), nor how many credentials exist (the indices in use are spread
 * over the whole list, and unused entries are VALID 0x00 like used ones, §13.3); two credentials'
 * indices do not tell which came first. Every list carries `size` entries whatever the number
 * issued, so a verifier fetching it is hidden among all of them (§12.1).
 *
 * **Why this is unique under concurrency.** A permutation never maps two counters to one index,
 * so uniqueness reduces to handing out each counter once: a persistent issuer keeps the counter in
 * PostgreSQL and takes the next value atomically (`UPDATE … SET next = next + 1 … RETURNING`)
 * before calling {@link IndexAllocator.indexAt} — no random draw, collision check or retry. A
 * re-issued credential takes a new counter, hence a fresh index (§13.2).
 *
 * @example
 * ```ts
 * const allocator = createIndexAllocator({ size: 1 << 20, key: listSecret, tweak: listUri })
 * const idx = allocator.indexAt(counterFromDatabase)
 * ```
 * @see draft-ietf-oauth-status-list §12.4, §12.5.1, §13.2, §13.3; NIST SP 800-38G §6.1
 */
export function createIndexAllocator(options: IndexAllocatorOptions): IndexAllocator {
  const { size, key } = options;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_ALLOCATOR_SIZE)
    throw new OpenMidError('ERR_INPUT_INVALID', 'size must be an integer from 1 to 2^32');
  if (!(key instanceof Uint8Array) || key.length < MIN_ALLOCATOR_KEY_BYTES)
    throw new OpenMidError('ERR_INPUT_INVALID', 'The allocator key must be at least 128 bits');
  const start = options.start ?? 0;
  if (!Number.isSafeInteger(start) || start < 0 || start > size)
    throw new OpenMidError('ERR_INPUT_INVALID', 'start must be an integer from 0 to size');
  const tweak = typeof options.tweak === 'string' ? utf8(options.tweak) : options.tweak;
  if (tweak !== undefined && !(tweak instanceof Uint8Array))
    throw new OpenMidError('ERR_INPUT_INVALID', 'tweak must be a string or bytes');

  let k = 2;
  while (2 ** k < size) k++;
  const u = Math.floor(k / 2);
  const v = k - u;
  const tables = roundTables({ key, tweak, size, u, v });
  const maskU = 2 ** u - 1;
  const maskV = 2 ** v - 1;
  const splitV = 2 ** v;

  // One pass of the Feistel network over [0, 2^k); halves: a (u bits, high), b (v bits, low).
  const permute = (x: number): number => {
    let a = Math.floor(x / splitV);
    let b = x % splitV;
    for (let r = 0; r < ROUNDS; r++) {
      const f = (tables[r] as Uint16Array)[b] as number;
      const c = (a + f) & (r % 2 === 0 ? maskU : maskV);
      a = b;
      b = c;
    }
    return a * splitV + b;
  };

  const indexAt = (counter: number): number => {
    if (!Number.isSafeInteger(counter) || counter < 0)
      throw new OpenMidError('ERR_INPUT_INVALID', 'The counter must be a non-negative integer');
    if (counter >= size)
      throw new OpenMidError(
        'ERR_STATUS_ALLOCATOR_EXHAUSTED',
        'Every index of this status list is allocated',
        { details: { capacity: size } },
      );
    // Cycle-walking: the walk from a point of [0, size) returns to [0, size) on its cycle.
    let x = permute(counter);
    while (x >= size) x = permute(x);
    return x;
  };

  let counter = start;
  return {
    capacity: size,
    indexAt,
    next: (): number => {
      const index = indexAt(counter);
      counter++;
      return index;
    },
    get issued(): number {
      return counter;
    },
  };
}

interface TableParams {
  readonly key: Uint8Array;
  readonly tweak: Uint8Array | undefined;
  readonly size: number;
  readonly u: number;
  readonly v: number;
}

/**
 * Tabulate the round functions: table r maps the input half (v bits in even rounds, u bits in
 * odd ones) to 16 bits of HMAC-SHA256(key, LABEL ‖ 0 ‖ len(tweak) ‖ tweak ‖ size ‖ r ‖ block).
 * Each 32-byte MAC gives 16 consecutive entries.
 */
function roundTables(p: TableParams): Uint16Array[] {
  const tweak = p.tweak ?? new Uint8Array(0);
  const prefix = new Uint8Array(LABEL.length + 1 + 4 + tweak.length + 8);
  const view = new DataView(prefix.buffer);
  prefix.set(LABEL, 0);
  let o = LABEL.length + 1;
  view.setUint32(o, tweak.length);
  prefix.set(tweak, o + 4);
  o += 4 + tweak.length;
  view.setUint32(o, Math.floor(p.size / 2 ** 32));
  view.setUint32(o + 4, p.size >>> 0);
  const keyed = hmac.create(sha256, p.key).update(prefix);

  const tables: Uint16Array[] = [];
  const suffix = new Uint8Array(5);
  const suffixView = new DataView(suffix.buffer);
  const mac = new Uint8Array(32);
  for (let r = 0; r < ROUNDS; r++) {
    const width = r % 2 === 0 ? p.v : p.u;
    const table = new Uint16Array(2 ** width);
    suffix[0] = r;
    for (let block = 0; block * 16 < table.length; block++) {
      suffixView.setUint32(1, block);
      keyed.clone().update(suffix).digestInto(mac);
      const end = Math.min(16, table.length - block * 16);
      for (let j = 0; j < end; j++)
        table[block * 16 + j] = ((mac[2 * j] as number) << 8) | (mac[2 * j + 1] as number);
    }
    tables.push(table);
  }
  keyed.destroy();
  return tables;
}
