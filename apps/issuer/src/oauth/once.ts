/**
 * @module oauth/once
 * One-time values without a row per value: c_nonces (OpenID4VCI 1.0 §7) and DPoP nonces (RFC 9449
 * §8) are MAC'd timestamps — `base64url(time ‖ random ‖ HMAC(key, purpose ‖ time ‖ random))` — so
 * minting one costs no database write, an unknown one fails the MAC and an old one fails the
 * time check. Single use is enforced where it matters, at redemption, by inserting the value's
 * hash into `used_once` (primary key) inside the redeeming transaction: of two requests racing
 * with one nonce, exactly one insert succeeds. The same table remembers DPoP `jti`s and identity
 * provider codes until they expire.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlQueryable } from '@openmid/server-kit';
import { hmac, sha256b64u } from '../secrets.js';

const TIME = 6;
const RANDOM = 16;
const MAC = 16;
const LENGTH = TIME + RANDOM + MAC;

/** Purposes keep a c_nonce from being accepted as a DPoP nonce and vice versa. */
export type NoncePurpose = 'c_nonce' | 'dpop_nonce' | 'idp_ticket';

/** Mint a nonce valid from `nowSeconds`. */
export function mintNonce(key: Uint8Array, purpose: NoncePurpose, nowSeconds: number): string {
  const body = Buffer.alloc(TIME + RANDOM);
  body.writeUIntBE(nowSeconds, 0, TIME);
  randomBytes(RANDOM).copy(body, TIME);
  const mac = hmac(key, purpose, body.toString('base64url')).subarray(0, MAC);
  return Buffer.concat([body, mac]).toString('base64url');
}

/**
 * The mint time (seconds) of a nonce whose MAC verifies and that is younger than `ttl`; undefined
 * otherwise (malformed, forged, expired, or from the future beyond 5 s of clock skew).
 */
export function checkNonce(
  key: Uint8Array,
  purpose: NoncePurpose,
  value: unknown,
  options: { readonly now: number; readonly ttl: number },
): number | undefined {
  if (typeof value !== 'string' || value.length !== Math.ceil((LENGTH * 4) / 3)) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length !== LENGTH || bytes.toString('base64url') !== value) return undefined;
  const body = bytes.subarray(0, TIME + RANDOM);
  const expected = hmac(key, purpose, body.toString('base64url')).subarray(0, MAC);
  if (!timingSafeEqual(expected, bytes.subarray(TIME + RANDOM))) return undefined;
  const minted = body.readUIntBE(0, TIME);
  if (minted > options.now + 5 || minted + options.ttl < options.now) return undefined;
  return minted;
}

/**
 * Record `value` (of `kind`) as used until `expiresAt`; false when it was used already. Call inside
 * the transaction whose effect the value authorises, so that a rollback frees it again.
 */
export async function useOnce(
  tx: SqlQueryable,
  kind: string,
  value: string,
  expiresAt: Date,
): Promise<boolean> {
  const r = await tx.query(
    'INSERT INTO used_once (hash, expires_at) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING',
    [sha256b64u(`${kind}\u0000${value}`), expiresAt],
  );
  return r.rowCount === 1;
}

/** One value for {@link useAllOnce}. */
export interface OnceEntry {
  readonly kind: string;
  readonly value: string;
  readonly expiresAt: Date;
}

/**
 * Record several values in ONE statement; returns the entries that had been used before (empty
 * when all are fresh). Same transaction rule as {@link useOnce}.
 */
export async function useAllOnce(
  tx: SqlQueryable,
  entries: readonly OnceEntry[],
): Promise<OnceEntry[]> {
  const hashes = entries.map((e) => sha256b64u(`${e.kind}\u0000${e.value}`));
  const r = await tx.query<{ hash: string }>(
    `INSERT INTO used_once (hash, expires_at)
     SELECT u.h, u.e FROM unnest($1::text[], $2::timestamptz[]) AS u(h, e)
     ON CONFLICT (hash) DO NOTHING RETURNING hash`,
    [hashes, entries.map((e) => e.expiresAt.toISOString())],
  );
  const fresh = new Set(r.rows.map((x) => x.hash));
  return entries.filter((_, i) => !fresh.has(hashes[i] as string));
}

/** Forget used values that have expired (their nonce or proof would be refused anyway). */
export async function pruneUsedOnce(sql: SqlQueryable, now: Date): Promise<number> {
  const r = await sql.query('DELETE FROM used_once WHERE expires_at < $1', [now]);
  return r.rowCount;
}
