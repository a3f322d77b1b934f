/**
 * @module wallet/vault
 * The wallet's key hierarchy and encrypted records (SECURITY.md "Wallet"; ADR 007):
 *
 * ```
 * PIN (6 digits) ──PBKDF2-SHA-256, 600,000 iterations, 128-bit salt──▶ PIN key (AES-256, non-extractable)
 * device key (AES-256-GCM, generated non-extractable, kept in IndexedDB as a CryptoKey)
 * data key (AES-256-GCM) ── wrapped: device-key-GCM( PIN-key-GCM( data key ) )
 *                        └─ optionally also: device-key-GCM( PRF-key-GCM( data key ) )  (biometrics)
 * every record = AES-256-GCM(data key, random 96-bit IV, AAD = "openmid-wallet/v1/record|store|id")
 * ```
 *
 * - The outer layer needs the device key, which JavaScript can use but never export: a copy of the
 *   database records (what script running in the page could exfiltrate) cannot be unwrapped
 *   elsewhere, so the 10^6 PINs cannot be searched offline. The inner layer needs the PIN (or the
 *   authenticator's PRF secret): the device key alone opens nothing.
 * - Wrong PINs are counted in the database BEFORE the PIN is tried (closing the tab mid-check
 *   still counts) and reset on success. The fifth wrong PIN deletes every wrapped copy of the data
 *   key (crypto-shredding): the records can never be opened again and the wallet must be reset and
 *   its cards re-issued, as for the Korean public-servant ID (DOMAIN.md §1.1).
 * - The unlocked data key is an in-memory, non-extractable CryptoKey; `lock()` forgets it.
 */
import { b64u, fromB64u, fromUtf8, randomBytes, utf8 } from './bytes.js';
import { WalletError } from './errors.js';
import type { KvStore, StoreName } from './store.js';

/** Digits in a PIN (DOMAIN.md §1.2). */
export const PIN_LENGTH = 6;
/** Wrong PINs before lock-out (DOMAIN.md §1.1: the public-servant ID locks after five). */
export const MAX_PIN_ATTEMPTS = 5;
/**
 * PBKDF2-HMAC-SHA-256 iterations: OWASP's 2023 figure for this PRF. The device-key layer, not
 * the iteration count, is what stops an offline search of a 6-digit PIN space.
 */
export const PBKDF2_ITERATIONS = 600_000;

const RECORD_AAD = 'openmid-wallet/v1/record';
const PIN_AAD = 'openmid-wallet/v1/data-key/pin';
const PRF_AAD = 'openmid-wallet/v1/data-key/prf';
const DEVICE_AAD = 'openmid-wallet/v1/data-key/device';

/** A data key wrapped twice (base64url fields). */
export interface WrappedDataKey {
  /** IV of the inner (PIN or PRF key) layer. */
  readonly iv: string;
  /** IV of the outer (device key) layer. */
  readonly outerIv: string;
  /** device-key-GCM( inner-key-GCM( raw data key ) ). */
  readonly ct: string;
}

/** The persistent vault header (store `meta`, key `vault`): nothing in it is secret on its own. */
export interface VaultHeader {
  readonly v: 1;
  readonly createdAt: number;
  readonly kdf: {
    readonly name: 'PBKDF2';
    readonly hash: 'SHA-256';
    readonly iterations: number;
    readonly salt: string;
  };
  /** Absent after lock-out. */
  readonly pin?: WrappedDataKey;
  /** Biometric unlock (WebAuthn PRF), when enrolled. */
  readonly biometric?: {
    readonly credentialId: string;
    /** The PRF input (`eval.first`). */
    readonly prfSalt: string;
    readonly wrapped: WrappedDataKey;
  };
  /** Set when the fifth wrong PIN destroyed the wrapped keys. */
  readonly lockedOut?: true;
}

/** The persistent wrong-PIN counter (store `meta`, key `attempts`). */
export interface PinAttempts {
  readonly failed: number;
}

/** Where the wallet is. */
export type VaultState = 'new' | 'locked' | 'unlocked' | 'locked-out';

/** A sealed record as stored. */
export interface SealedRecord {
  readonly v: 1;
  readonly iv: string;
  readonly ct: string;
}

/** The PRF secret of a platform authenticator (wallet/webauthn.ts implements it). */
export interface PrfSource {
  /** Register a credential and evaluate its PRF once. */
  enrol(): Promise<{
    readonly credentialId: string;
    readonly prfSalt: string;
    readonly secret: Uint8Array;
  }>;
  /** Evaluate the PRF of `credentialId` on `prfSalt` (user verification by the platform). */
  evaluate(credentialId: string, prfSalt: string): Promise<Uint8Array>;
}

/** The vault API the rest of the wallet uses. */
export interface Vault {
  /** The persistent state (never 'unlocked' after a reload). */
  state(): Promise<VaultState>;
  /** Wrong PINs still allowed before lock-out. */
  attemptsLeft(): Promise<number>;
  /** Onboarding: create the device key, the data key and its PIN wrap; leaves the vault unlocked. */
  setUp(pin: string): Promise<void>;
  unlock(pin: string): Promise<void>;
  unlockWithBiometrics(prf: PrfSource): Promise<void>;
  /** Wrap the data key for biometric unlock too (asks the PIN again). */
  enrolBiometrics(pin: string, prf: PrfSource): Promise<void>;
  hasBiometrics(): Promise<boolean>;
  removeBiometrics(): Promise<void>;
  changePin(oldPin: string, newPin: string): Promise<void>;
  lock(): void;
  isUnlocked(): boolean;
  /** Encrypt and store `value` (JSON) as record `id` of `store`. */
  seal(store: RecordStore, id: string, value: unknown): Promise<void>;
  /** Decrypt record `id` (undefined when absent). */
  open<T>(store: RecordStore, id: string): Promise<T | undefined>;
  /** Every record of a store, decrypted. */
  list<T>(store: RecordStore): Promise<{ readonly id: string; readonly value: T }[]>;
  remove(store: RecordStore, id: string): Promise<void>;
  /** Delete every key and record, then the database (the wallet is 'new' again). */
  factoryReset(): Promise<void>;
}

/** The stores whose values are sealed records. */
export type RecordStore = Extract<StoreName, 'cards' | 'history' | 'settings'>;

/** Options of {@link createVault}. */
export interface VaultOptions {
  /** PBKDF2 iterations for new vaults (tests lower it). */
  readonly iterations?: number;
  /** Seconds since the epoch (default: the system clock). */
  readonly now?: () => number;
}

const TRIVIAL = ['0123456789', '9876543210'];

/** Throw ERR_WALLET_PIN_FORMAT unless `pin` is six digits and not all-same or a run (123456). */
export function assertPinFormat(pin: string): void {
  if (!/^[0-9]{6}$/.test(pin))
    throw new WalletError('ERR_WALLET_PIN_FORMAT', 'A PIN is six digits');
  if (/^(.)\1{5}$/.test(pin) || TRIVIAL.some((run) => run.includes(pin)))
    throw new WalletError('ERR_WALLET_PIN_FORMAT', 'The PIN is too easy to guess', {
      details: { reason: 'trivial' },
    });
}

function gcm(iv: Uint8Array<ArrayBuffer>, aad: string): AesGcmParams {
  return { name: 'AES-GCM', iv, additionalData: utf8(aad) };
}

function bytesOf(text: string | undefined): Uint8Array<ArrayBuffer> {
  const b = text === undefined ? undefined : fromB64u(text);
  if (b === undefined) throw new WalletError('ERR_WALLET_RECORD_CORRUPT');
  return b;
}

async function pinKey(pin: string, header: VaultHeader): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', utf8(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    {
      name: 'PBKDF2',
      hash: 'SHA-256',
      salt: bytesOf(header.kdf.salt),
      iterations: header.kdf.iterations,
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

async function prfKey(secret: Uint8Array<ArrayBuffer>, prfSalt: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: bytesOf(prfSalt), info: utf8(PRF_AAD) },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['wrapKey', 'unwrapKey'],
  );
}

async function wrap(
  dataKey: CryptoKey,
  inner: CryptoKey,
  innerAad: string,
  device: CryptoKey,
): Promise<WrappedDataKey> {
  const iv = randomBytes(12);
  const outerIv = randomBytes(12);
  const once = await crypto.subtle.wrapKey('raw', dataKey, inner, gcm(iv, innerAad));
  const twice = await crypto.subtle.encrypt(gcm(outerIv, DEVICE_AAD), device, once);
  return { iv: b64u(iv), outerIv: b64u(outerIv), ct: b64u(new Uint8Array(twice)) };
}

/** Undo {@link wrap}; `null` when the inner key is wrong (GCM tag mismatch). */
async function unwrap(
  w: WrappedDataKey,
  inner: CryptoKey,
  innerAad: string,
  device: CryptoKey,
  extractable: boolean,
): Promise<CryptoKey | null> {
  let once: ArrayBuffer;
  try {
    once = await crypto.subtle.decrypt(gcm(bytesOf(w.outerIv), DEVICE_AAD), device, bytesOf(w.ct));
  } catch (cause) {
    // The outer layer only fails when the device key or the header is not the one we wrote.
    throw new WalletError('ERR_WALLET_RECORD_CORRUPT', 'The wrapped data key does not open', {
      cause,
    });
  }
  try {
    return await crypto.subtle.unwrapKey(
      'raw',
      once,
      inner,
      gcm(bytesOf(w.iv), innerAad),
      { name: 'AES-GCM', length: 256 },
      extractable,
      ['encrypt', 'decrypt'],
    );
  } catch {
    return null;
  }
}

/**
 * The vault over a {@link KvStore}.
 *
 * @example
 * ```ts
 * const vault = createVault(indexedDbStore())
 * if ((await vault.state()) === 'new') await vault.setUp(pin)
 * else await vault.unlock(pin)
 * await vault.seal('cards', id, card)
 * ```
 */
export function createVault(store: KvStore, options: VaultOptions = {}): Vault {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let dataKey: CryptoKey | undefined;

  const header = async (): Promise<VaultHeader | undefined> =>
    (await store.get('meta', 'vault')) as VaultHeader | undefined;
  const device = async (): Promise<CryptoKey> => {
    const k = (await store.get('keys', 'device')) as CryptoKey | undefined;
    if (k === undefined) throw new WalletError('ERR_WALLET_NOT_SET_UP');
    return k;
  };
  const failed = async (): Promise<number> =>
    ((await store.get('meta', 'attempts')) as PinAttempts | undefined)?.failed ?? 0;
  const requireHeader = async (): Promise<VaultHeader> => {
    const h = await header();
    if (h === undefined) throw new WalletError('ERR_WALLET_NOT_SET_UP');
    if (h.lockedOut === true || h.pin === undefined) throw new WalletError('ERR_WALLET_LOCKED_OUT');
    return h;
  };
  const key = (): CryptoKey => {
    if (dataKey === undefined) throw new WalletError('ERR_WALLET_LOCKED');
    return dataKey;
  };
  const aad = (s: RecordStore, id: string): string => `${RECORD_AAD}|${s}|${id}`;

  /** Count the attempt first, try the PIN, reset or (at the limit) shred. */
  async function withPin(pin: string, extractable: boolean): Promise<CryptoKey> {
    assertPinFormat(pin);
    const h = await requireHeader();
    const before = await failed();
    if (before >= MAX_PIN_ATTEMPTS) throw new WalletError('ERR_WALLET_LOCKED_OUT');
    await store.put('meta', 'attempts', { failed: before + 1 } satisfies PinAttempts);
    const k = await unwrap(
      h.pin as WrappedDataKey,
      await pinKey(pin, h),
      `${PIN_AAD}|${h.kdf.salt}`,
      await device(),
      extractable,
    );
    if (k !== null) {
      await store.put('meta', 'attempts', { failed: 0 } satisfies PinAttempts);
      return k;
    }
    const left = MAX_PIN_ATTEMPTS - (before + 1);
    if (left <= 0) {
      // Crypto-shredding: without any wrapped copy the data key is gone for good.
      const { pin: _pin, biometric: _bio, ...rest } = h;
      await store.put('meta', 'vault', { ...rest, lockedOut: true } satisfies VaultHeader);
      dataKey = undefined;
      throw new WalletError('ERR_WALLET_LOCKED_OUT');
    }
    throw new WalletError('ERR_WALLET_PIN_WRONG', undefined, { details: { attemptsLeft: left } });
  }

  const vault: Vault = {
    async state() {
      const h = await header();
      if (h === undefined) return 'new';
      if (h.lockedOut === true || h.pin === undefined) return 'locked-out';
      return dataKey === undefined ? 'locked' : 'unlocked';
    },
    async attemptsLeft() {
      return Math.max(0, MAX_PIN_ATTEMPTS - (await failed()));
    },
    async setUp(pin) {
      assertPinFormat(pin);
      if ((await header()) !== undefined) throw new WalletError('ERR_WALLET_ALREADY_SET_UP');
      const deviceKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ]);
      // Extractable only long enough to be wrapped; the session uses a non-extractable copy.
      const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, [
        'encrypt',
        'decrypt',
      ]);
      const salt = b64u(randomBytes(16));
      const draft: VaultHeader = {
        v: 1,
        createdAt: now(),
        kdf: {
          name: 'PBKDF2',
          hash: 'SHA-256',
          iterations: options.iterations ?? PBKDF2_ITERATIONS,
          salt,
        },
      };
      const derived = await pinKey(pin, draft);
      const pinWrap = await wrap(fresh, derived, `${PIN_AAD}|${salt}`, deviceKey);
      await store.put('keys', 'device', deviceKey);
      await store.put('meta', 'attempts', { failed: 0 } satisfies PinAttempts);
      await store.put('meta', 'vault', { ...draft, pin: pinWrap } satisfies VaultHeader);
      dataKey =
        (await unwrap(pinWrap, derived, `${PIN_AAD}|${salt}`, deviceKey, false)) ?? undefined;
      if (dataKey === undefined) throw new WalletError('ERR_WALLET_RECORD_CORRUPT');
    },
    async unlock(pin) {
      dataKey = await withPin(pin, false);
    },
    async unlockWithBiometrics(prf) {
      const h = await requireHeader();
      const bio = h.biometric;
      if (bio === undefined) throw new WalletError('ERR_WALLET_BIOMETRIC_UNAVAILABLE');
      const secret = await prf.evaluate(bio.credentialId, bio.prfSalt);
      const k = await unwrap(
        bio.wrapped,
        await prfKey(new Uint8Array(secret), bio.prfSalt),
        `${PRF_AAD}|${bio.credentialId}`,
        await device(),
        false,
      );
      if (k === null) throw new WalletError('ERR_WALLET_BIOMETRIC_FAILED');
      dataKey = k;
    },
    async enrolBiometrics(pin, prf) {
      const exportable = await withPin(pin, true);
      const h = await requireHeader();
      const e = await prf.enrol();
      const wrapped = await wrap(
        exportable,
        await prfKey(new Uint8Array(e.secret), e.prfSalt),
        `${PRF_AAD}|${e.credentialId}`,
        await device(),
      );
      await store.put('meta', 'vault', {
        ...h,
        biometric: { credentialId: e.credentialId, prfSalt: e.prfSalt, wrapped },
      } satisfies VaultHeader);
    },
    async hasBiometrics() {
      return (await header())?.biometric !== undefined;
    },
    async removeBiometrics() {
      const h = await requireHeader();
      const { biometric: _b, ...rest } = h;
      await store.put('meta', 'vault', rest satisfies VaultHeader);
    },
    async changePin(oldPin, newPin) {
      assertPinFormat(newPin);
      const exportable = await withPin(oldPin, true);
      const h = await requireHeader();
      const salt = b64u(randomBytes(16));
      const kdf = { ...h.kdf, salt, iterations: options.iterations ?? PBKDF2_ITERATIONS };
      const next: VaultHeader = { ...h, kdf };
      const pinWrap = await wrap(
        exportable,
        await pinKey(newPin, next),
        `${PIN_AAD}|${salt}`,
        await device(),
      );
      await store.put('meta', 'vault', { ...next, pin: pinWrap } satisfies VaultHeader);
    },
    lock() {
      dataKey = undefined;
    },
    isUnlocked() {
      return dataKey !== undefined;
    },
    async seal(s, id, value) {
      const iv = randomBytes(12);
      const ct = await crypto.subtle.encrypt(
        gcm(iv, aad(s, id)),
        key(),
        utf8(JSON.stringify(value)),
      );
      await store.put(s, id, {
        v: 1,
        iv: b64u(iv),
        ct: b64u(new Uint8Array(ct)),
      } satisfies SealedRecord);
    },
    async open<T>(s: RecordStore, id: string): Promise<T | undefined> {
      const r = (await store.get(s, id)) as SealedRecord | undefined;
      if (r === undefined) return undefined;
      return openRecord<T>(r, key(), aad(s, id));
    },
    async list<T>(s: RecordStore) {
      const k = key();
      const out: { id: string; value: T }[] = [];
      for (const [id, r] of await store.entries(s))
        out.push({ id, value: await openRecord<T>(r as SealedRecord, k, aad(s, id)) });
      return out;
    },
    async remove(s, id) {
      key();
      await store.delete(s, id);
    },
    async factoryReset() {
      dataKey = undefined;
      await store.destroy();
    },
  };
  return vault;
}

async function openRecord<T>(r: SealedRecord, k: CryptoKey, aad: string): Promise<T> {
  try {
    if (r.v !== 1) throw new Error('version');
    const pt = await crypto.subtle.decrypt(gcm(bytesOf(r.iv), aad), k, bytesOf(r.ct));
    return JSON.parse(fromUtf8(new Uint8Array(pt))) as T;
  } catch (cause) {
    throw new WalletError('ERR_WALLET_RECORD_CORRUPT', undefined, { cause });
  }
}
