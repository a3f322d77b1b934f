/**
 * @module wallet/history
 * The citizen's history (SECURITY.md "Wallet": every issuance and presentation, including refused
 * and failed ones): who (issuer or relying party, as the trust list names them), what (card type and
 * claim names — never values), when, and the outcome with its error code. Each entry is a sealed
 * record of the `history` store; ids sort by time, so the store's key order is the timeline.
 */
import type { LocalizedText } from '@openmid/verifier';
import { randomId } from './bytes.js';
import type { Vault } from './vault.js';

/** What happened. */
export type HistoryKind =
  | 'issuance'
  | 'presentation'
  | 'offline-presentation'
  /** Shown in person to an ISO 18013-5 reader over the relay (the ISO mDL). */
  | 'in-person'
  | 'status';

/** How it ended. */
export type HistoryOutcome =
  | 'accepted'
  | 'verified'
  | 'shown'
  | 'refused'
  | 'failed'
  | 'suspended'
  | 'revoked';

/** One history entry. */
export interface HistoryEntry {
  readonly v: 1;
  readonly id: string;
  /** Seconds since the epoch. */
  readonly at: number;
  readonly kind: HistoryKind;
  readonly outcome: HistoryOutcome;
  /** The issuer or relying party. */
  readonly party: { readonly id: string; readonly names?: LocalizedText };
  readonly purpose?: LocalizedText;
  /** The card involved (type name and the card's id in the wallet). */
  readonly card?: { readonly type: string; readonly id?: string };
  /** Claim paths asked or shared (names only, never values). */
  readonly claims: readonly string[];
  /** Claims that were beyond the party's registration, when any. */
  readonly exceeded?: readonly string[];
  /** The stable error code of a failure. */
  readonly errorCode?: string;
}

/** A history id that sorts by time: 12 hex digits of milliseconds, then randomness. */
function historyId(atMs: number): string {
  return `${Math.floor(atMs).toString(16).padStart(12, '0')}-${randomId()}`;
}

/** Append an entry. */
export async function addHistory(
  vault: Vault,
  entry: Omit<HistoryEntry, 'v' | 'id' | 'at'> & { readonly at?: number },
): Promise<HistoryEntry> {
  const atMs = entry.at === undefined ? Date.now() : entry.at * 1000;
  const full: HistoryEntry = { ...entry, v: 1, id: historyId(atMs), at: Math.floor(atMs / 1000) };
  await vault.seal('history', full.id, full);
  return full;
}

/** Every entry, newest first. */
export async function listHistory(vault: Vault): Promise<HistoryEntry[]> {
  return (await vault.list<HistoryEntry>('history')).map((r) => r.value).reverse();
}

/**
 * The export file (JSON): every entry, oldest first, with a header naming the format. Only what
 * the history holds (no claim values, no keys): safe to hand to a helpline or a lawyer.
 */
export async function exportHistory(vault: Vault, now: number): Promise<string> {
  const entries = (await listHistory(vault)).reverse().map(({ v: _v, ...e }) => ({
    ...e,
    time: new Date(e.at * 1000).toISOString(),
  }));
  return `${JSON.stringify(
    {
      format: 'openmid-wallet-history',
      version: 1,
      exportedAt: new Date(now * 1000).toISOString(),
      entries,
    },
    null,
    2,
  )}\n`;
}

/** A claim path as text (`aptitude_test_period.end`, `*` for every element). */
export function pathText(path: readonly (string | number | null)[]): string {
  return path.map((p) => (p === null ? '*' : String(p))).join('.');
}
