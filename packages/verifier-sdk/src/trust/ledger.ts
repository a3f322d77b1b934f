/**
 * @module trust/ledger
 * The trust ledger behind the {@link TrustSource} port (DESIGN.md §2, §5; issue 6 §4): which
 * issuer may sign with which key and issue which credential type, and what a relying party is
 * registered for, answered from the state of a VERIFIED trust snapshot (`@openmid/ledger`
 * `verifySnapshot`: every entry, signature, quorum and Merkle proof re-checked against the
 * pinned log key). Browser-safe: the wallet uses it as the verifier does.
 *
 * - {@link ledgerTrustSource}: the port over one verified `LedgerState`, with the ledger's own pure
 *   rules — `resolveIssuerKey` (the key a credential names, judged at the credential's `iat`: a
 *   key revoked at T verifies what was issued before T, never what claims to be issued after),
 *   `issuerAllowedAt` (the issuer active and allowed the `vct` now), `rpMayRequestAt` and the
 *   registration version in force.
 * - {@link refreshingLedgerTrustSource}: the same over a ledger node, refreshed with
 *   `@openmid/ledger/http` `fetchTrustSnapshot` — pinned log key and ledger id, the last verified
 *   head as `previousHead` (a smaller tree is `ERR_LEDGER_ROLLBACK`, another root for the same
 *   size `ERR_LEDGER_SPLIT_VIEW`, a larger one needs a consistency proof), `If-None-Match` with
 *   the snapshot's ETag, a refresh interval, and a maximum age: when the node cannot be reached
 *   (or refuses to prove its new head) the last verified state keeps answering until the node
 *   last confirmed it `maxAge` seconds ago, then every question fails closed with
 *   `ERR_LEDGER_SNAPSHOT_STALE`; before any state was verified, `ERR_TRUST_SOURCE_UNAVAILABLE`.
 * - {@link ledgerTrustData}: the registrations in force at a time as plain `TrustedIssuer` /
 *   `RelyingPartyRegistration` records (trust bundles, admin listings).
 *
 * The age counts from the node's last confirmation (a verified snapshot or a `304` for the held
 * one), not from the tree head's timestamp: a node signs a head once per size, so on a quiet
 * ledger the head is as old as the last change (docs/ledger-node.md "Known limits"). Set
 * `maxHeadAge` when witnesses cosign fresh heads regularly.
 */
import type { CryptoProvider } from '@openmid/core';
import { asOpenMidError, isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { systemClock } from '@openmid/core/jose';
import {
  type AnsweredKey,
  issuerAllowedAt,
  issuerInactiveReason,
  issuerKeysAt,
  issuerVersionAt,
  type LedgerState,
  type TrustedKey as LogKey,
  keyValidAt as ledgerKeyValidAt,
  type RpClaimAnswer,
  type RpProfile,
  type RpVersion,
  resolveIssuerKey,
  rpMayRequestAt,
  type SignedTreeHead,
  type TrustSnapshot,
  type VerifyProofOptions,
  verifySnapshot,
} from '@openmid/ledger';
import { type FetchLike, fetchTrustSnapshot, type HeadRef } from '@openmid/ledger/http';
import type { ClaimPath } from '../dcql/query.js';
import {
  type IssuerKeyContext,
  type IssuerKeysAnswer,
  type RelyingPartyRegistration,
  staticTrustSource,
  type TrustData,
  type TrustedIssuer,
  type TrustedKey,
  type TrustSource,
} from './source.js';

/** A trust source over one verified ledger state. */
export interface LedgerTrustSource extends TrustSource {
  /** The verified state it answers from (never mutate it). */
  readonly state: LedgerState;
  /**
   * The ledger's own `rp-claim` rule (`rpMayRequestAt`): may relying party `rp` request `claim`
   * of type `vct` at `at` — with the reason when not, and the party's names and purpose.
   */
  rpClaim(query: {
    readonly rp: string;
    readonly vct: string;
    readonly claim: ClaimPath;
    readonly at: number;
    readonly legalBasisRequired?: boolean;
  }): RpClaimAnswer;
}

/** Options of {@link ledgerTrustSource}. */
export interface LedgerTrustSourceOptions {
  /**
   * Registries trusted besides the ledger (issuers of `REGISTRY_ATTESTATION_TYPE` whose keys the
   * caller pinned, e.g. the verifier service itself): answered from these records, never from
   * the ledger, for their identifiers.
   */
  readonly registries?: readonly TrustedIssuer[];
}

function trustedKeyOf(k: AnsweredKey): TrustedKey {
  const end =
    k.revokedAt === undefined
      ? k.validUntil
      : k.validUntil === undefined
        ? k.revokedAt
        : Math.min(k.validUntil, k.revokedAt);
  return {
    kid: k.kid,
    jwk: k.jwk,
    validFrom: k.validFrom,
    ...(end === undefined ? {} : { validUntil: end }),
  };
}

function versionAt(versions: readonly RpVersion[], at: number): RpVersion {
  let v = versions[0] as RpVersion;
  for (const c of versions) if (c.since <= at) v = c;
  return v;
}

function registrationOf(
  profile: RpProfile,
  index: number,
  ledgerId: string | undefined,
): RelyingPartyRegistration {
  return {
    id: profile.id,
    names: profile.names,
    purpose: profile.purpose,
    requests: profile.requests.map((r) => ({ vct: r.vct, claims: r.claims })),
    rrnLegalBasis: profile.rrnLegalBasis,
    keys: profile.keys.map((k) => ({ kid: k.kid, jwk: k.jwk })),
    validFrom: profile.validFrom,
    ...(profile.validUntil === undefined ? {} : { validUntil: profile.validUntil }),
    ...(ledgerId === undefined ? {} : { ledger: { ledgerId, index } }),
  };
}

/**
 * The {@link TrustSource} port over a verified ledger state (a snapshot checked with
 * `verifySnapshot`, or the state `fetchTrustSnapshot` returned).
 *
 * - `issuerKeys(iss, at, { kid, issuedAt })`: the issuer must be active at `at`; the key named by
 *   `kid` is `resolveIssuerKey` at `issuedAt` (default `at`), so a key revoked on the ledger at T
 *   refuses every credential that says it was issued at or after T;
 * - `issuerMayIssue(iss, vct, at)`: `issuerAllowedAt` (active, type allowed by the version in
 *   force);
 * - `relyingParty(id, at)`: the registration version in force at `at`, unless removed, not yet
 *   valid or expired, with `ledger: { ledgerId, index }` saying where it is recorded.
 *
 * @example
 * ```ts
 * const { state } = await verifySnapshot(stored, { logKey, ledgerId })
 * const trust = ledgerTrustSource(state, { registries: [pinnedRegistry] })
 * await verifyPresentation({ vpToken, dcql }, { trust, statusLists, nonce, aud })
 * ```
 * @see docs/ledger-node.md "For verifiers and wallets"
 */
export function ledgerTrustSource(
  state: LedgerState,
  options: LedgerTrustSourceOptions = {},
): LedgerTrustSource {
  const registries = options.registries ?? [];
  const pinned = staticTrustSource({ issuers: registries, relyingParties: [] });
  const isRegistry = new Set(registries.map((r) => r.id));
  const registrations = new Map<number, RelyingPartyRegistration>();
  return {
    state,
    async issuerKeys(iss: string, at: number, context?: IssuerKeyContext) {
      if (isRegistry.has(iss)) return pinned.issuerKeys(iss, at);
      const issuer = state.issuers.get(iss);
      if (issuer === undefined || issuerInactiveReason(issuer, at) !== undefined)
        return { keys: [] };
      const names = issuerVersionAt(issuer, at).names;
      const kid = context?.kid;
      const issued = context?.issuedAt;
      const when =
        issued !== undefined && Number.isSafeInteger(issued) && issued <= at ? issued : at;
      if (kid === undefined) {
        return { keys: issuerKeysAt(state, iss, when).keys.map(trustedKeyOf), names };
      }
      try {
        return {
          keys: [trustedKeyOf(resolveIssuerKey(state, { issuer: iss, kid, at: when }))],
          names,
        };
      } catch (e) {
        // Unknown kid, or the key (or issuer) was not valid when the credential says it was issued.
        if (
          isOpenMidError(e, 'ERR_LEDGER_NOT_FOUND') ||
          isOpenMidError(e, 'ERR_LEDGER_UNAUTHORISED')
        )
          return { keys: [], names } satisfies IssuerKeysAnswer;
        throw e;
      }
    },
    async issuerMayIssue(iss, vct, at) {
      if (isRegistry.has(iss)) return pinned.issuerMayIssue(iss, vct, at);
      return issuerAllowedAt(state, iss, vct, at).allowed;
    },
    async relyingParty(id, at) {
      const rp = state.rps.get(id);
      if (rp === undefined || rp.versions.length === 0) return undefined;
      if (rp.removedAt !== undefined && at >= rp.removedAt) return undefined;
      const version = versionAt(rp.versions, at);
      const p = version.profile;
      if (at < p.validFrom || (p.validUntil !== undefined && at >= p.validUntil)) return undefined;
      let reg = registrations.get(version.index);
      if (reg === undefined) {
        reg = registrationOf(p, version.index, state.ledgerId);
        registrations.set(version.index, reg);
      }
      return reg;
    },
    rpClaim(query) {
      return rpMayRequestAt(state, {
        q: 'rp-claim',
        rp: query.rp,
        vct: query.vct,
        claim: query.claim,
        at: query.at,
        ...(query.legalBasisRequired === undefined
          ? {}
          : { legalBasisRequired: query.legalBasisRequired }),
      });
    },
  };
}

/**
 * The issuers and relying parties of a ledger state in force at `at`, as plain records: an
 * issuer's keys valid at `at` or later (a revocation ends a key's `validUntil`), its names and
 * types of the version in force; each party's registration in force. Removed, expired and not
 * yet valid ones are left out. For trust bundles (what an older reader without the snapshot
 * uses) and listings.
 *
 * @example
 * ```ts
 * const { issuers, relyingParties } = ledgerTrustData(state, now)
 * ```
 */
export function ledgerTrustData(state: LedgerState, at: number): TrustData {
  const lists = new Map<string, string[]>();
  for (const s of state.statusLists.values()) {
    const of = lists.get(s.issuer);
    if (of === undefined) lists.set(s.issuer, [s.uri]);
    else of.push(s.uri);
  }
  const issuers: TrustedIssuer[] = [];
  for (const issuer of state.issuers.values()) {
    if (issuerInactiveReason(issuer, at) !== undefined) continue;
    const v = issuerVersionAt(issuer, at);
    const keys = [...issuer.keys.values()]
      .filter((k) => ledgerKeyValidAt(k, at) || k.validFrom > at)
      .map((k) => trustedKeyOf(k))
      .sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
    issuers.push({
      id: issuer.id,
      names: v.names,
      types: [...v.types],
      keys,
      validFrom: v.validFrom,
      ...(v.validUntil === undefined ? {} : { validUntil: v.validUntil }),
      statusLists: lists.get(issuer.id) ?? [],
    });
  }
  const relyingParties: RelyingPartyRegistration[] = [];
  for (const rp of state.rps.values()) {
    const r = versionAt(rp.versions, at);
    if (rp.removedAt !== undefined && at >= rp.removedAt) continue;
    const p = r.profile;
    if (at < p.validFrom || (p.validUntil !== undefined && at >= p.validUntil)) continue;
    relyingParties.push(registrationOf(p, r.index, state.ledgerId));
  }
  return {
    issuers: issuers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    relyingParties: relyingParties.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

// --- refreshing over a node ---------------------------------------------------------------------

/** A verified ledger state in use, with where it came from. */
export interface LedgerTrustView {
  readonly source: LedgerTrustSource;
  readonly state: LedgerState;
  /** The verified snapshot (store it to restore after a restart, or put it in a trust bundle). */
  readonly snapshot: TrustSnapshot;
  readonly head: SignedTreeHead;
  /** The snapshot's ETag, when the node sent one. */
  readonly etag?: string;
  /** When the node last confirmed this state (seconds): a verified snapshot or a 304 for it. */
  readonly confirmedAt: number;
}

/** A snapshot kept from an earlier run (verified again before use). */
export interface StoredLedgerSnapshot {
  readonly snapshot: unknown;
  /** When the node last confirmed it (seconds); the maximum age counts from here. */
  readonly confirmedAt: number;
  readonly etag?: string;
}

/** Options of {@link refreshingLedgerTrustSource}. */
export interface RefreshingLedgerOptions {
  /** Base URL of the ledger node. */
  readonly url: string;
  /** The node's log key, pinned out of band (never taken from the node). */
  readonly logKey: LogKey;
  /** The expected ledger id (hex genesis entry id); otherwise pinned from the first snapshot. */
  readonly ledgerId?: string;
  /** The newest head already trusted (persisted): nothing smaller or forked is accepted. */
  readonly previousHead?: HeadRef;
  /** A snapshot from an earlier run, verified again and used until its maximum age. */
  readonly restore?: StoredLedgerSnapshot;
  /** Seconds after which a question triggers a refresh in the background (default 60). */
  readonly refreshInterval?: number;
  /** Seconds the state answers without the node confirming it (default 3600); then fail closed. */
  readonly maxAge?: number;
  /** Refuse a tree head older than this many seconds (needs witnesses cosigning fresh heads). */
  readonly maxHeadAge?: number;
  /** Seconds between attempts while the node fails (default 5). */
  readonly retryInterval?: number;
  /** Require witness cosignatures. */
  readonly witnesses?: VerifyProofOptions['witnesses'];
  /** Status-list anchors to include (`'all'` or URIs; default none). */
  readonly statusLists?: readonly string[] | 'all';
  /** Registries trusted besides the ledger (see {@link LedgerTrustSourceOptions}). */
  readonly registries?: readonly TrustedIssuer[];
  /** Called after each newly verified snapshot (persist it); its errors are ignored. */
  readonly onUpdate?: (view: LedgerTrustView) => void | Promise<void>;
  readonly fetch?: FetchLike;
  /** Per request (default 30 000 ms). */
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  /** Refuse a non-https node URL (production). */
  readonly requireHttps?: boolean;
  /** Seconds (default: the system clock). */
  readonly clock?: () => number;
  readonly crypto?: CryptoProvider;
}

/** What a refresh did. */
export type LedgerRefreshOutcome = 'updated' | 'not-modified';

/** A {@link TrustSource} over a ledger node, refreshed and failing closed once too old. */
export interface RefreshingLedgerTrustSource extends TrustSource {
  /**
   * Fetch and verify the node's snapshot now (one at a time: concurrent calls share it). Rejects
   * with the coded reason — `ERR_LEDGER_ROLLBACK`, `ERR_LEDGER_SPLIT_VIEW`,
   * `ERR_LEDGER_PROOF_INVALID`, `ERR_LEDGER_SNAPSHOT_INVALID`, `ERR_LEDGER_GENESIS_MISMATCH`,
   * `ERR_LEDGER_UNAVAILABLE` — and then keeps the state it held.
   */
  refresh(): Promise<LedgerRefreshOutcome>;
  /** The state in use (it may be stale: see {@link RefreshingLedgerTrustSource.freshFor}). */
  current(): LedgerTrustView | undefined;
  /** Seconds until the state in use goes stale (negative once stale; undefined without one). */
  freshFor(now?: number): number | undefined;
  /** Why the last refresh failed, until one succeeds. */
  lastError(): OpenMidError | undefined;
  /** The ledger id in use (pinned, or learned from the first verified snapshot). */
  ledgerId(): string | undefined;
  /** The verified state in use now, refreshing first if needed; fails closed like the questions. */
  view(): Promise<LedgerTrustView>;
}

function positive(n: number | undefined, fallback: number, what: string): number {
  const v = n ?? fallback;
  if (!Number.isFinite(v) || v <= 0)
    throw new OpenMidError('ERR_INPUT_INVALID', `${what} must be > 0`);
  return v;
}

/**
 * A trust source over a ledger node (see the module comment): the wallet's and the verifier
 * service's view of the trust ledger.
 *
 * @example
 * ```ts
 * const trust = refreshingLedgerTrustSource({ url, logKey: pinnedLogKey, ledgerId, maxAge: 3600,
 *   restore: saved, onUpdate: (v) => save({ snapshot: v.snapshot, confirmedAt: v.confirmedAt }) })
 * await verifyPresentation({ vpToken, dcql }, { trust, statusLists, nonce, aud })
 * ```
 * @see docs/ledger-node.md "For verifiers and wallets"; RFC 9162 §2.1.4 (consistency)
 */
export function refreshingLedgerTrustSource(
  options: RefreshingLedgerOptions,
): RefreshingLedgerTrustSource {
  const clock = options.clock ?? systemClock;
  const refreshInterval = positive(options.refreshInterval, 60, 'refreshInterval');
  const maxAge = positive(options.maxAge, 3600, 'maxAge');
  const retryInterval = positive(options.retryInterval, 5, 'retryInterval');
  if (refreshInterval > maxAge)
    throw new OpenMidError('ERR_INPUT_INVALID', 'refreshInterval must not exceed maxAge');
  const registries = options.registries ?? [];
  let ledgerId = options.ledgerId;
  let floor: HeadRef | undefined = options.previousHead;
  let held: LedgerTrustView | undefined;
  let failure: { readonly error: OpenMidError; readonly at: number } | undefined;
  let inflight: Promise<LedgerRefreshOutcome> | undefined;

  const accept = (view: LedgerTrustView): void => {
    held = view;
    ledgerId ??= view.head.ledgerId;
    floor = { treeSize: view.head.treeSize, rootHash: view.head.rootHash };
  };

  const verifyOptions = (): VerifyProofOptions => ({
    logKey: options.logKey,
    ...(ledgerId === undefined ? {} : { ledgerId }),
    ...(options.witnesses === undefined ? {} : { witnesses: options.witnesses }),
    ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
  });

  // A stored snapshot is verified again (a file is not trusted) and must be the head this
  // source was told to trust, when it was told one: nothing older, nothing forked.
  let restoring: Promise<void> | undefined =
    options.restore === undefined
      ? undefined
      : (async () => {
          const stored = options.restore as StoredLedgerSnapshot;
          try {
            const { state, head } = await verifySnapshot(stored.snapshot, verifyOptions());
            if (
              floor !== undefined &&
              (head.treeSize !== floor.treeSize || head.rootHash !== floor.rootHash)
            )
              return;
            accept({
              source: ledgerTrustSource(state, { registries }),
              state,
              snapshot: stored.snapshot as TrustSnapshot,
              head,
              ...(stored.etag === undefined ? {} : { etag: stored.etag }),
              confirmedAt: stored.confirmedAt,
            });
          } catch {
            // Not usable: the node is asked instead.
          }
        })();

  const attempt = async (): Promise<LedgerRefreshOutcome> => {
    const now = clock();
    try {
      const r = await fetchTrustSnapshot({
        url: options.url,
        logKey: options.logKey,
        ...(ledgerId === undefined ? {} : { ledgerId }),
        ...(floor === undefined ? {} : { previousHead: floor }),
        ...(held?.etag === undefined ? {} : { etag: held.etag }),
        ...(options.statusLists === undefined ? {} : { statusLists: options.statusLists }),
        ...(options.witnesses === undefined ? {} : { witnesses: options.witnesses }),
        ...(options.maxHeadAge === undefined ? {} : { maxAge: options.maxHeadAge, now }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.maxResponseBytes === undefined
          ? {}
          : { maxResponseBytes: options.maxResponseBytes }),
        ...(options.requireHttps === undefined ? {} : { requireHttps: options.requireHttps }),
        ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
      });
      if (r.status === 'not-modified') {
        if (held === undefined)
          throw new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'The node answered 304 to no snapshot');
        held = { ...held, confirmedAt: now };
        failure = undefined;
        return 'not-modified';
      }
      const view: LedgerTrustView = {
        source: ledgerTrustSource(r.state, { registries }),
        state: r.state,
        snapshot: r.snapshot,
        head: r.head,
        ...(r.etag === undefined ? {} : { etag: r.etag }),
        confirmedAt: now,
      };
      accept(view);
      failure = undefined;
      try {
        await options.onUpdate?.(view);
      } catch {
        // Persisting is the caller's business; the verified state is in use either way.
      }
      return 'updated';
    } catch (e) {
      const error = asOpenMidError(e);
      failure = { error, at: now };
      throw error;
    }
  };

  const refresh = async (): Promise<LedgerRefreshOutcome> => {
    if (restoring !== undefined) {
      await restoring;
      restoring = undefined;
    }
    inflight ??= attempt().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const ageOf = (view: LedgerTrustView, now: number): number => now - view.confirmedAt;

  /** The state to answer from now, refreshing as the interval and the maximum age say. */
  const use = async (): Promise<LedgerTrustView> => {
    if (restoring !== undefined) {
      await restoring;
      restoring = undefined;
    }
    const now = clock();
    const retryable = failure === undefined || now - failure.at >= retryInterval;
    if (held !== undefined && ageOf(held, now) <= maxAge) {
      if (ageOf(held, now) > refreshInterval && retryable && inflight === undefined)
        refresh().catch(() => undefined); // in the background; recorded as lastError
      return held;
    }
    // Nothing usable held: this question waits for the node.
    if (retryable) {
      try {
        await refresh();
      } catch {
        // decided below
      }
    } else if (inflight !== undefined) {
      await inflight.catch(() => undefined);
    }
    const after = clock();
    if (held !== undefined && ageOf(held, after) <= maxAge) return held;
    const cause = failure?.error;
    if (held !== undefined)
      throw new OpenMidError(
        'ERR_LEDGER_SNAPSHOT_STALE',
        'The trust ledger state is older than its maximum age and the node cannot confirm it',
        cause === undefined ? undefined : { cause, details: { reason: cause.code } },
      );
    throw new OpenMidError(
      'ERR_TRUST_SOURCE_UNAVAILABLE',
      'No verified trust ledger state is at hand',
      cause === undefined ? undefined : { cause, details: { reason: cause.code } },
    );
  };

  return {
    refresh,
    current: () => held,
    freshFor: (now = clock()) => (held === undefined ? undefined : maxAge - ageOf(held, now)),
    lastError: () => failure?.error,
    ledgerId: () => ledgerId,
    view: use,
    async issuerKeys(iss, at, context) {
      return (await use()).source.issuerKeys(iss, at, context);
    },
    async issuerMayIssue(iss, vct, at) {
      return (await use()).source.issuerMayIssue(iss, vct, at);
    },
    async relyingParty(id, at) {
      return (await use()).source.relyingParty(id, at);
    },
  };
}
