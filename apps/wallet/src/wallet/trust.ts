/**
 * @module wallet/trust
 * What the wallet believes, and why (DESIGN.md §2, §5; ADR 005 §1): the wallet PINS its trust
 * anchors — the registry key that signs the offline trust bundle, and the trust ledger's log key
 * and ledger id when a ledger is configured — from its build (`VITE_OPENMID_TRUST`) or, in
 * development, from the wallet server's first-run configuration, sealed in the vault at
 * onboarding and never replaced afterwards (a factory reset starts over).
 *
 * From those anchors it keeps a verified trust source:
 * - the **trust ledger** snapshot (`@openmid/ledger/http` `fetchTrustSnapshot`: every entry and
 *   signature re-verified, rollback refused) when a ledger is pinned;
 * - the verifier registry's signed **trust bundle** (`openTrustBundle` with the pinned keys), which
 *   also carries the registry itself as the issuer of verifier attestations and the status lists.
 *
 * The ledger answers for the issuers and relying parties it knows; the bundle for the rest. Both are
 * refreshed when older than an hour (and on demand); offline, the last verified copy is used until
 * its own maximum age (`ERR_OFFLINE_BUNDLE_STALE`).
 */
import { isOpenMidError } from '@openmid/core/errors';
import type { PublicJwk } from '@openmid/core/keys';
import {
  createStatusListSource,
  type IssuerKeyContext,
  type IssuerKeysAnswer,
  openTrustBundle,
  type RefreshingLedgerTrustSource,
  type RelyingPartyRegistration,
  refreshingLedgerTrustSource,
  type StatusListSource,
  type StoredLedgerSnapshot,
  type TrustBundle,
  type TrustedKey,
  type TrustSource,
} from '@openmid/verifier';
import { WalletError } from './errors.js';
import { type HttpPolicy, request } from './http.js';
import type { Vault } from './vault.js';

/** The pinned anchors. */
export interface TrustAnchors {
  /** Where the signed trust bundle is fetched. */
  readonly bundleUrl: string;
  /** The registry keys the bundle must be signed with. */
  readonly registryKeys: readonly TrustedKey[];
  /** The trust ledger, when one is used. */
  readonly ledger?: {
    readonly url: string;
    readonly logKey: PublicJwk;
    readonly ledgerId?: string;
  };
  /** When the anchors were pinned (seconds). */
  readonly pinnedAt: number;
}

/** A trust source the wallet can use now, with status lists. */
export interface CurrentTrust extends TrustSource {
  readonly statusLists: StatusListSource;
  /** Where the answers come from, for the about screen. */
  readonly sources: {
    readonly bundleIssuedAt?: number;
    readonly issuers: number;
    readonly relyingParties: number;
    /** Entries in the verified ledger snapshot in use, when a ledger is pinned and reachable. */
    readonly ledgerSize?: number;
  };
}

/** The wallet's trust. */
export interface WalletTrust {
  /** The anchors pinned in this wallet. */
  anchors(): Promise<TrustAnchors | undefined>;
  /** Pin anchors (only once: a second call with other anchors is refused). */
  pin(anchors: TrustAnchors): Promise<void>;
  /** A verified trust source (refreshed when older than `refreshAfter`). */
  current(options?: { readonly refresh?: boolean }): Promise<CurrentTrust>;
}

interface StoredBundle {
  readonly text: string;
  readonly fetchedAt: number;
}

/** Options of {@link createWalletTrust}. */
export interface WalletTrustOptions {
  readonly vault: Vault;
  readonly http: HttpPolicy;
  /** Seconds before a stored bundle is fetched again (default 3,600). */
  readonly refreshAfter?: number;
  readonly now?: () => number;
}

const ANCHORS = 'trust-anchors';
const BUNDLE = 'trust-bundle';
const LEDGER = 'trust-ledger';
/** A wallet keeps answering from its last verified ledger snapshot this long (seconds). */
const LEDGER_MAX_AGE = 7 * 86_400;

/** Parse anchors from configuration JSON (unknown input). */
export function parseTrustAnchors(value: unknown, pinnedAt: number): TrustAnchors {
  const bad = (why: string) =>
    new WalletError('ERR_WALLET_TRUST_UNAVAILABLE', `Trust configuration: ${why}`);
  if (typeof value !== 'object' || value === null) throw bad('not an object');
  const v = value as Record<string, unknown>;
  if (typeof v['bundleUrl'] !== 'string') throw bad('bundleUrl');
  const keys = v['registryKeys'];
  if (!Array.isArray(keys) || keys.length === 0) throw bad('registryKeys');
  const registryKeys = keys.map((k) => {
    const o = k as Record<string, unknown>;
    if (typeof o['kid'] !== 'string' || typeof o['jwk'] !== 'object' || o['jwk'] === null)
      throw bad('registry key');
    return { kid: o['kid'], jwk: o['jwk'] as PublicJwk };
  });
  const l = v['ledger'] as Record<string, unknown> | null | undefined;
  const ledger =
    l && typeof l['url'] === 'string' && typeof l['logKey'] === 'object' && l['logKey'] !== null
      ? {
          url: l['url'],
          logKey: l['logKey'] as PublicJwk,
          ...(typeof l['ledgerId'] === 'string' ? { ledgerId: l['ledgerId'] } : {}),
        }
      : undefined;
  return {
    bundleUrl: v['bundleUrl'],
    registryKeys,
    ...(ledger === undefined ? {} : { ledger }),
    pinnedAt,
  };
}

function bundleSource(bundle: TrustBundle): CurrentTrust {
  return {
    issuerKeys: (iss, at, context) => bundle.issuerKeys(iss, at, context),
    issuerMayIssue: (iss, vct, at) => bundle.issuerMayIssue(iss, vct, at),
    relyingParty: (id, at) => bundle.relyingParty(id, at),
    statusLists: bundle.statusLists,
    sources: {
      bundleIssuedAt: bundle.issuedAt,
      issuers: bundle.issuers.length,
      relyingParties: bundle.relyingParties.length,
    },
  };
}

/** True when a trust source could not answer (as opposed to answering "not trusted"). */
function unavailable(e: unknown): boolean {
  return (
    isOpenMidError(e, 'ERR_TRUST_SOURCE_UNAVAILABLE') ||
    isOpenMidError(e, 'ERR_LEDGER_SNAPSHOT_STALE') ||
    isOpenMidError(e, 'ERR_LEDGER_UNAVAILABLE')
  );
}

/**
 * Prefer `first` for every question it can answer (an issuer with keys, a known party), else
 * ask `second`: the ledger first, the bundle for what the ledger does not carry (the registry that
 * attests relying parties, parties not yet on the ledger) — and for everything while the ledger
 * cannot answer at all (unreachable, or its last verified snapshot too old). Both are pinned; a
 * "no" from the ledger about an issuer it knows is final.
 */
export function layeredTrust(first: TrustSource, second: TrustSource): TrustSource {
  const ask = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (e) {
      if (unavailable(e)) return undefined;
      throw e;
    }
  };
  const known = async (
    iss: string,
    at: number,
    context?: IssuerKeyContext,
  ): Promise<IssuerKeysAnswer | undefined> => {
    const a = await ask(() => first.issuerKeys(iss, at, context));
    return a !== undefined && a.keys.length > 0 ? a : undefined;
  };
  return {
    async issuerKeys(iss, at, context) {
      return (await known(iss, at, context)) ?? second.issuerKeys(iss, at, context);
    },
    async issuerMayIssue(iss, vct, at) {
      return (await known(iss, at)) !== undefined
        ? first.issuerMayIssue(iss, vct, at)
        : second.issuerMayIssue(iss, vct, at);
    },
    async relyingParty(id, at): Promise<RelyingPartyRegistration | undefined> {
      return (await ask(() => first.relyingParty(id, at))) ?? second.relyingParty(id, at);
    },
  };
}

/**
 * The wallet's trust over its vault.
 *
 * @example
 * ```ts
 * const trust = createWalletTrust({ vault, http })
 * const t = await trust.current()
 * await t.issuerMayIssue(iss, vct, now)
 * ```
 */
export function createWalletTrust(options: WalletTrustOptions): WalletTrust {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const refreshAfter = options.refreshAfter ?? 3600;
  const { vault, http } = options;
  let cached: { readonly at: number; readonly trust: CurrentTrust } | undefined;
  let ledger: RefreshingLedgerTrustSource | undefined;

  /** The pinned ledger node, verified snapshot by snapshot (restored from the vault offline). */
  async function ledgerOf(a: TrustAnchors): Promise<RefreshingLedgerTrustSource | undefined> {
    if (a.ledger === undefined) return undefined;
    if (ledger !== undefined) return ledger;
    const restore = await vault.open<StoredLedgerSnapshot>('settings', LEDGER);
    ledger = refreshingLedgerTrustSource({
      url: a.ledger.url,
      logKey: a.ledger.logKey,
      ...(a.ledger.ledgerId === undefined ? {} : { ledgerId: a.ledger.ledgerId }),
      ...(restore === undefined ? {} : { restore }),
      refreshInterval: 300,
      maxAge: LEDGER_MAX_AGE,
      requireHttps: !http.allowHttp,
      clock: now,
      fetch: (input, init) =>
        http.fetch(input, { ...init, redirect: 'error', credentials: 'omit', cache: 'no-store' }),
      onUpdate: (view) =>
        vault.seal('settings', LEDGER, {
          snapshot: view.snapshot,
          confirmedAt: view.confirmedAt,
          ...(view.etag === undefined ? {} : { etag: view.etag }),
        } satisfies StoredLedgerSnapshot),
    });
    return ledger;
  }

  async function anchors(): Promise<TrustAnchors | undefined> {
    return vault.open<TrustAnchors>('settings', ANCHORS);
  }

  async function fetchBundle(a: TrustAnchors): Promise<StoredBundle> {
    const answer = await request(http, a.bundleUrl, { headers: { accept: 'application/jwt' } });
    if (answer.status !== 200)
      throw new WalletError('ERR_WALLET_NETWORK', 'The trust bundle could not be fetched', {
        details: { status: answer.status },
      });
    // Verify before storing: a bundle that does not verify never replaces a good one.
    await openTrustBundle(answer.text, { keys: a.registryKeys, clock: now });
    const stored = { text: answer.text, fetchedAt: now() };
    await vault.seal('settings', BUNDLE, stored);
    return stored;
  }

  async function load(refresh: boolean): Promise<CurrentTrust> {
    const a = await anchors();
    if (a === undefined)
      throw new WalletError('ERR_WALLET_TRUST_UNAVAILABLE', 'No trust anchors are pinned');
    let stored = await vault.open<StoredBundle>('settings', BUNDLE);
    if (refresh || stored === undefined || now() - stored.fetchedAt > refreshAfter) {
      try {
        stored = await fetchBundle(a);
      } catch (e) {
        // Offline: keep using the last verified bundle (its own maximum age still applies).
        if (stored === undefined)
          throw new WalletError('ERR_WALLET_TRUST_UNAVAILABLE', 'No trust list yet', { cause: e });
      }
    }
    const bundle = await openTrustBundle(stored.text, { keys: a.registryKeys, clock: now });
    const fromBundle = bundleSource(bundle);
    const node = await ledgerOf(a);
    let ledgerSize: number | undefined;
    if (node !== undefined) {
      try {
        ledgerSize = (await node.view()).head.treeSize;
      } catch {
        ledgerSize = undefined; // unreachable and nothing verified yet: the bundle answers
      }
    }
    const layered = node === undefined ? fromBundle : layeredTrust(node, fromBundle);
    const base: CurrentTrust = {
      ...fromBundle,
      issuerKeys: layered.issuerKeys,
      issuerMayIssue: layered.issuerMayIssue,
      relyingParty: layered.relyingParty,
      sources: {
        ...fromBundle.sources,
        ...(ledgerSize === undefined ? {} : { ledgerSize }),
      },
    };
    return {
      ...base,
      statusLists: createStatusListSource({
        trust: base,
        fetch: async (uri) => {
          const r = await request(http, uri, {
            headers: { accept: 'application/statuslist+jwt' },
          });
          if (r.status !== 200)
            throw new WalletError('ERR_WALLET_NETWORK', 'Status list unavailable', {
              details: { status: r.status },
            });
          return r.text;
        },
        clock: now,
        minTtl: 0,
        maxTtl: 60,
      }),
    };
  }

  return {
    anchors,
    async pin(next) {
      const existing = await anchors();
      if (existing !== undefined) {
        const same =
          JSON.stringify(existing.registryKeys) === JSON.stringify(next.registryKeys) &&
          JSON.stringify(existing.ledger ?? null) === JSON.stringify(next.ledger ?? null);
        if (!same)
          throw new WalletError(
            'ERR_WALLET_TRUST_UNAVAILABLE',
            'Other trust anchors are already pinned (factory reset to change them)',
          );
        return;
      }
      await vault.seal('settings', ANCHORS, next);
      cached = undefined;
    },
    async current(o = {}) {
      if (o.refresh !== true && cached !== undefined && now() - cached.at < 60) return cached.trust;
      const trust = await load(o.refresh === true);
      cached = { at: now(), trust };
      return trust;
    },
  };
}
