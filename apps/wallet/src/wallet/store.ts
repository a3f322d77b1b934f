/**
 * @module wallet/store
 * The wallet's persistence port: a few named key-value stores. In the browser it is one IndexedDB
 * database (`openmid-wallet`), whose values are structured clones — which is how non-extractable
 * `CryptoKey` objects are persisted without ever being exported (WebCrypto §14.4: a clone keeps
 * `extractable: false`). Tests use the in-memory implementation.
 *
 * What each store holds (see docs/adr/007-wallet-security.md):
 * - `meta`: the vault header (KDF salt and parameters, the doubly wrapped data key) and the
 *   persistent wrong-PIN counter — nothing personal, nothing usable without the device key;
 * - `keys`: non-extractable CryptoKeys (device key, DPoP key, holder keys);
 * - `cards`, `history`, `settings`: AES-GCM records sealed with the data key (wallet/vault.ts).
 */
import { type IDBPDatabase, openDB } from 'idb';
import { WalletError } from './errors.js';

/** The object stores of the wallet database. */
export const STORE_NAMES = ['meta', 'keys', 'cards', 'history', 'settings'] as const;

/** One of {@link STORE_NAMES}. */
export type StoreName = (typeof STORE_NAMES)[number];

/** The name of the IndexedDB database. */
export const DATABASE_NAME = 'openmid-wallet';

/** A small key-value persistence port. */
export interface KvStore {
  get(store: StoreName, key: string): Promise<unknown>;
  put(store: StoreName, key: string, value: unknown): Promise<void>;
  delete(store: StoreName, key: string): Promise<void>;
  /** Every entry of a store, in key order. */
  entries(store: StoreName): Promise<[string, unknown][]>;
  /** Remove every store and the database itself (factory reset). */
  destroy(): Promise<void>;
}

function storageError(cause: unknown): WalletError {
  return new WalletError('ERR_WALLET_STORAGE', undefined, { cause });
}

async function guarded<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw e instanceof WalletError ? e : storageError(e);
  }
}

/**
 * The IndexedDB implementation (browser). The connection is opened lazily and reused.
 *
 * @example
 * ```ts
 * const store = indexedDbStore()
 * await store.put('meta', 'attempts', { failed: 0 })
 * ```
 */
export function indexedDbStore(name: string = DATABASE_NAME): KvStore {
  let db: Promise<IDBPDatabase> | undefined;
  const open = (): Promise<IDBPDatabase> => {
    db ??= openDB(name, 1, {
      upgrade(d) {
        for (const s of STORE_NAMES) if (!d.objectStoreNames.contains(s)) d.createObjectStore(s);
      },
    });
    return db;
  };
  return {
    get: (store, key) => guarded(async () => (await open()).get(store, key)),
    put: (store, key, value) =>
      guarded(async () => {
        await (await open()).put(store, value, key);
      }),
    delete: (store, key) => guarded(async () => (await open()).delete(store, key)),
    entries: (store) =>
      guarded(async () => {
        const d = await open();
        const tx = d.transaction(store, 'readonly');
        const out: [string, unknown][] = [];
        for (let c = await tx.store.openCursor(); c !== null; c = await c.continue())
          out.push([String(c.key), c.value]);
        await tx.done;
        return out;
      }),
    destroy: () =>
      guarded(async () => {
        if (db !== undefined) (await db).close();
        db = undefined;
        await new Promise<void>((resolve, reject) => {
          const r = indexedDB.deleteDatabase(name);
          r.onsuccess = () => resolve();
          r.onerror = () => reject(r.error);
          // Another tab holds the database open: deletion completes when it closes.
          r.onblocked = () => resolve();
        });
      }),
  };
}

/** An in-memory store (tests; values are kept by reference). */
export function memoryStore(): KvStore & { readonly dump: () => Record<string, unknown> } {
  const data = new Map<StoreName, Map<string, unknown>>(STORE_NAMES.map((s) => [s, new Map()]));
  const of = (s: StoreName): Map<string, unknown> => data.get(s) as Map<string, unknown>;
  return {
    get: async (s, k) => of(s).get(k),
    put: async (s, k, v) => {
      of(s).set(k, v);
    },
    delete: async (s, k) => {
      of(s).delete(k);
    },
    entries: async (s) => [...of(s).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    destroy: async () => {
      for (const m of data.values()) m.clear();
    },
    dump: () => Object.fromEntries([...data.entries()].map(([s, m]) => [s, Object.fromEntries(m)])),
  };
}
