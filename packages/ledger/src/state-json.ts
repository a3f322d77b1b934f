/**
 * @module state-json
 * A plain-JSON view of a {@link LedgerState} (maps become arrays sorted by identifier), for trust
 * snapshots, the CLI's `ledger show` and the wallet's cache. Deterministic: the same state gives
 * the same JCS bytes, so a snapshot's stated state can be compared with the state its entries
 * rebuild.
 */
import type { GovernanceKey, RpProfile } from './entry.js';
import type {
  DocumentAnchor,
  IssuerVersion,
  KeyState,
  LedgerState,
  StatusListAnchor,
} from './state.js';

/** JSON view of an issuer. */
export interface IssuerJson {
  readonly id: string;
  readonly versions: readonly IssuerVersion[];
  readonly keys: readonly KeyState[];
  readonly removedAt?: number;
  readonly entries: readonly number[];
}

/** JSON view of a relying party. */
export interface RpJson {
  readonly id: string;
  readonly versions: readonly {
    readonly since: number;
    readonly index: number;
    readonly profile: RpProfile;
  }[];
  readonly removedAt?: number;
  readonly entries: readonly number[];
}

/** JSON view of a ledger state. */
export interface LedgerStateJson {
  readonly ledgerId: string | null;
  readonly name: string | null;
  readonly size: number;
  readonly governance: {
    readonly keys: readonly GovernanceKey[];
    readonly quorum: number;
    readonly index: number;
  } | null;
  readonly issuers: readonly IssuerJson[];
  readonly rps: readonly RpJson[];
  readonly statusLists: readonly StatusListAnchor[];
  readonly documents: readonly DocumentAnchor[];
  readonly rejected: readonly { readonly index: number; readonly code: string }[];
}

function byId<T>(m: ReadonlyMap<string, T>): T[] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}

/** The JSON view of `state`. */
export function stateToJson(state: LedgerState): LedgerStateJson {
  return {
    ledgerId: state.ledgerId ?? null,
    name: state.name ?? null,
    size: state.size,
    governance: state.governance
      ? {
          keys: state.governance.keys,
          quorum: state.governance.quorum,
          index: state.governance.index,
        }
      : null,
    issuers: byId(state.issuers).map((i) => ({
      id: i.id,
      versions: i.versions,
      keys: byId(i.keys),
      ...(i.removedAt === undefined ? {} : { removedAt: i.removedAt }),
      entries: i.entries,
    })),
    rps: byId(state.rps).map((r) => ({
      id: r.id,
      versions: r.versions,
      ...(r.removedAt === undefined ? {} : { removedAt: r.removedAt }),
      entries: r.entries,
    })),
    statusLists: byId(state.statusLists),
    documents: byId(state.documents).flat(),
    rejected: state.rejected,
  };
}
