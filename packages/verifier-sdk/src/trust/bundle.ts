/**
 * @module trust/bundle
 * The offline **trust bundle** (issue 4 §3): what a verifier device that has been online once
 * carries to verify without a network — trusted issuers with their keys and credential types,
 * relying-party registrations, and the issuers' Status List Tokens — each part with its maximum
 * age, in one compact JWS (`typ: openmid-trust-bundle+jwt`) signed by the registry.
 *
 * Payload (JSON):
 * ```
 * { iss, iat, max_age: { issuers, relying_parties, status_lists },
 *   issuers: [TrustedIssuer…], relying_parties: [RelyingPartyRegistration…],
 *   status_lists: [{ uri, token }…] }
 * ```
 *
 * Opening it verifies the signature with a PINNED bundle key (never a key from the file), every
 * record, and the age: once the trust part is older than its maximum age every trust question
 * fails with `ERR_OFFLINE_BUNDLE_STALE` (refresh online). A status list older than its maximum
 * age, or one whose token no longer verifies, does not fail the bundle: the credential's status
 * becomes unknown, which the relying party's policy decides about.
 *
 * **With the trust ledger** the payload also has
 * `ledger: { ledger_id, tree_size, root_hash, log_key, snapshot? }`: a trust snapshot of the
 * ledger (DESIGN.md §5) — included, or referenced by its head and supplied by the device
 * (`OpenTrustBundleOptions.ledger.snapshot`, e.g. fetched from the ledger's CDN). The snapshot is
 * verified offline like any other (`verifySnapshot`: every entry, signature and proof, against the
 * log key the device pins or, failing that, the one the signed bundle names), must be exactly the
 * head the bundle names, and then decides every issuer and relying-party question with the
 * ledger's rules (`trust/ledger.ts`) — the `issuers` of the payload only contribute the
 * registries (issuers of `REGISTRY_ATTESTATION_TYPE`), and both lists stay in the payload for
 * readers that predate the ledger. The bundle's own maximum ages still apply. A bundle without
 * `ledger` (the earlier format) opens exactly as before.
 */
import type { CryptoProvider } from '@openmid/core';
import { asOpenMidError, OpenMidError } from '@openmid/core/errors';
import { signCompactJws, systemClock, verifyCompactJws } from '@openmid/core/jose';
import { jwkThumbprint, type PublicJwk, parsePublicJwk, type Signer } from '@openmid/core/keys';
import { type VerifiedStatusList, verifyStatusListToken } from '@openmid/core/status-list';
import {
  type LedgerState,
  type TrustSnapshot,
  type VerifyProofOptions,
  verifySnapshot,
} from '@openmid/ledger';
import { isObject } from '../internal/json.js';
import type { StatusListSource } from '../verify/status.js';
import { pickKey, verifierForKey } from './keys.js';
import { ledgerTrustSource } from './ledger.js';
import {
  parseRelyingPartyRegistration,
  parseTrustedIssuer,
  REGISTRY_ATTESTATION_TYPE,
  type RelyingPartyRegistration,
  staticTrustSource,
  type TrustedIssuer,
  type TrustedKey,
  type TrustSource,
} from './source.js';

/** `typ` of a trust bundle. */
export const TRUST_BUNDLE_TYP = 'openmid-trust-bundle+jwt';
/** Largest bundle accepted, characters (status lists of a nation fit). */
export const MAX_TRUST_BUNDLE_LENGTH: number = 64 * 1024 * 1024;

/** Maximum ages of the parts of a bundle, seconds. */
export interface TrustBundleMaxAge {
  readonly issuers: number;
  readonly relyingParties: number;
  readonly statusLists: number;
}

/** Default maximum ages: a week for trust data, a day for status lists. */
export const DEFAULT_BUNDLE_MAX_AGE: TrustBundleMaxAge = Object.freeze({
  issuers: 7 * 86_400,
  relyingParties: 7 * 86_400,
  statusLists: 86_400,
});

/**
 * The trust-ledger part of a bundle: the head of a verified snapshot, the log key it verifies
 * with, and the snapshot itself (or nothing, to reference the head only).
 */
export interface TrustBundleLedger {
  /** Hex genesis entry id. */
  readonly ledgerId: string;
  readonly treeSize: number;
  /** Hex root hash of that tree size. */
  readonly rootHash: string;
  /** The ledger's log key (public JWK). */
  readonly logKey: PublicJwk;
  /** The snapshot at that head; omitted, the device supplies it when opening the bundle. */
  readonly snapshot?: TrustSnapshot;
}

/** What goes into a bundle. */
export interface TrustBundleContent {
  readonly issuers: readonly TrustedIssuer[];
  readonly relyingParties: readonly RelyingPartyRegistration[];
  /** Status List Tokens (compact JWT text) by URI, as fetched from the issuers. */
  readonly statusLists: readonly { readonly uri: string; readonly token: string }[];
  /** The trust ledger the issuers and relying parties come from (see the module comment). */
  readonly ledger?: TrustBundleLedger;
}

const HEX32 = /^[0-9a-f]{64}$/;

function minimalJwk(jwk: PublicJwk): PublicJwk {
  return jwk.y === undefined
    ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x }
    : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

function ledgerClaim(ledger: TrustBundleLedger): Record<string, unknown> {
  if (
    !HEX32.test(ledger.ledgerId) ||
    !HEX32.test(ledger.rootHash) ||
    !Number.isSafeInteger(ledger.treeSize) ||
    ledger.treeSize < 1
  )
    throw new OpenMidError('ERR_INPUT_INVALID', 'The ledger head of a bundle is malformed');
  let snapshot: Record<string, unknown> | undefined;
  if (ledger.snapshot !== undefined) {
    // A consistency proof is for the one who fetched it: a device verifies the snapshot alone.
    const { consistency: _c, ...rest } = ledger.snapshot;
    snapshot = rest;
  }
  return {
    ledger_id: ledger.ledgerId,
    tree_size: ledger.treeSize,
    root_hash: ledger.rootHash,
    log_key: minimalJwk(parsePublicJwk(ledger.logKey, 'ES256').jwk),
    ...(snapshot === undefined ? {} : { snapshot }),
  };
}

/** Options of {@link createTrustBundle}. */
export interface CreateTrustBundleOptions {
  /** The registry's bundle-signing key. */
  readonly signer: Signer;
  /** The registry's identifier. */
  readonly iss: string;
  readonly now?: number;
  readonly maxAge?: Partial<TrustBundleMaxAge>;
}

function ageOk(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 && n <= 366 * 86_400;
}

/**
 * Registry side: sign a trust bundle.
 *
 * @example
 * ```ts
 * const bundle = await createTrustBundle({ issuers, relyingParties, statusLists }, { signer, iss: REGISTRY })
 * ```
 */
export async function createTrustBundle(
  content: TrustBundleContent,
  options: CreateTrustBundleOptions,
): Promise<string> {
  const maxAge = { ...DEFAULT_BUNDLE_MAX_AGE, ...options.maxAge };
  if (!ageOk(maxAge.issuers) || !ageOk(maxAge.relyingParties) || !ageOk(maxAge.statusLists))
    throw new OpenMidError('ERR_INPUT_INVALID', 'Maximum ages are 1 s to 366 days');
  return signCompactJws(
    {
      iss: options.iss,
      iat: options.now ?? systemClock(),
      max_age: {
        issuers: maxAge.issuers,
        relying_parties: maxAge.relyingParties,
        status_lists: maxAge.statusLists,
      },
      issuers: content.issuers,
      relying_parties: content.relyingParties,
      status_lists: content.statusLists.map((s) => ({ uri: s.uri, token: s.token })),
      ...(content.ledger === undefined ? {} : { ledger: ledgerClaim(content.ledger) }),
    },
    { typ: TRUST_BUNDLE_TYP, signer: options.signer },
  );
}

/** An opened trust bundle: a trust source and a status list source, offline. */
export interface TrustBundle extends TrustSource {
  /** The registry that signed it. */
  readonly iss: string;
  readonly issuedAt: number;
  readonly maxAge: TrustBundleMaxAge;
  readonly issuers: readonly TrustedIssuer[];
  readonly relyingParties: readonly RelyingPartyRegistration[];
  /** The bundle's status lists, verified on first use with the issuer keys of the bundle. */
  readonly statusLists: StatusListSource;
  /** Seconds until the trust part goes stale (negative once stale). */
  freshFor(now?: number): number;
  /**
   * The trust ledger the answers come from, when the bundle carries (or references) a snapshot:
   * its verified head and state.
   */
  readonly ledger?: OpenedBundleLedger;
}

/** The verified ledger part of an opened bundle. */
export interface OpenedBundleLedger {
  readonly ledgerId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  /** When the log signed that head (seconds). */
  readonly headTime: number;
  readonly state: LedgerState;
}

/** How a device opens the ledger part of a bundle. */
export interface OpenBundleLedgerOptions {
  /**
   * The ledger's log key as the device pins it: the bundle must name this key. Without it, the
   * key the (registry-signed) bundle names verifies the snapshot.
   */
  readonly logKey?: PublicJwk;
  /** The expected ledger id. */
  readonly ledgerId?: string;
  /** The snapshot of a bundle that references its head only. */
  readonly snapshot?: unknown;
  /** Require witness cosignatures on the snapshot's head. */
  readonly witnesses?: VerifyProofOptions['witnesses'];
  /** Refuse a bundle without a ledger snapshot (an earlier-format bundle). */
  readonly required?: boolean;
}

/** Options of {@link openTrustBundle}. */
export interface OpenTrustBundleOptions {
  /** The pinned bundle-signing keys of the registry (configuration, never the file). */
  readonly keys: readonly TrustedKey[];
  /** Clock for staleness checks (default: system clock). */
  readonly clock?: () => number;
  readonly leeway?: number;
  readonly crypto?: CryptoProvider;
  /** The trust-ledger part (see {@link OpenBundleLedgerOptions}). */
  readonly ledger?: OpenBundleLedgerOptions;
}

function bundleInvalid(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError(
    'ERR_OFFLINE_BUNDLE_INVALID',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/** Verify the ledger part of a bundle: its snapshot, offline, at exactly the head named. */
async function openLedgerPart(
  claim: unknown,
  options: OpenTrustBundleOptions,
): Promise<OpenedBundleLedger> {
  const o = options.ledger ?? {};
  if (
    !isObject(claim) ||
    typeof claim['ledger_id'] !== 'string' ||
    !HEX32.test(claim['ledger_id']) ||
    typeof claim['root_hash'] !== 'string' ||
    !HEX32.test(claim['root_hash']) ||
    typeof claim['tree_size'] !== 'number' ||
    !Number.isSafeInteger(claim['tree_size'])
  )
    throw bundleInvalid('The ledger part of the bundle is malformed');
  let stated: PublicJwk;
  try {
    stated = parsePublicJwk(claim['log_key'], 'ES256').jwk;
  } catch (cause) {
    throw bundleInvalid('The ledger log key of the bundle is malformed', cause);
  }
  if (o.logKey !== undefined && jwkThumbprint(o.logKey) !== jwkThumbprint(stated))
    throw bundleInvalid('The bundle names another ledger log key than the pinned one');
  if (o.ledgerId !== undefined && o.ledgerId !== claim['ledger_id'])
    throw bundleInvalid('The bundle is for another trust ledger');
  const snapshot = claim['snapshot'] ?? o.snapshot;
  if (snapshot === undefined)
    throw bundleInvalid('The bundle references a ledger snapshot that was not supplied');
  let verified: Awaited<ReturnType<typeof verifySnapshot>>;
  try {
    verified = await verifySnapshot(snapshot, {
      logKey: minimalJwk(o.logKey ?? stated),
      ledgerId: claim['ledger_id'],
      ...(o.witnesses === undefined ? {} : { witnesses: o.witnesses }),
      ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
    });
  } catch (e) {
    throw bundleInvalid('The ledger snapshot of the bundle does not verify', asOpenMidError(e));
  }
  const { head, state } = verified;
  if (head.treeSize !== claim['tree_size'] || head.rootHash !== claim['root_hash'])
    throw bundleInvalid('The ledger snapshot is not at the head the bundle names');
  return {
    ledgerId: head.ledgerId,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    headTime: head.timestamp,
    state,
  };
}

/**
 * Verifier device (or wallet): open a trust bundle. Throws `ERR_OFFLINE_BUNDLE_INVALID` (bad
 * signature, unknown key, malformed content) or `ERR_OFFLINE_BUNDLE_STALE` (too old already).
 *
 * @example
 * ```ts
 * const bundle = await openTrustBundle(text, { keys: [pinnedRegistryKey] })
 * await verifyPresentation({ qr }, { trust: bundle, statusLists: bundle.statusLists, timeWindow: 60, aud: OFFLINE_AUDIENCE })
 * ```
 */
export async function openTrustBundle(
  text: string,
  options: OpenTrustBundleOptions,
): Promise<TrustBundle> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await verifyCompactJws(text, {
      typ: TRUST_BUNDLE_TYP,
      maxLength: MAX_TRUST_BUNDLE_LENGTH,
      key: (header) =>
        verifierForKey(
          pickKey({ keys: options.keys }, header.kid, 'ERR_OFFLINE_BUNDLE_INVALID'),
          options.crypto,
        ),
    }));
  } catch (e) {
    throw bundleInvalid('The trust bundle does not verify with the pinned keys', asOpenMidError(e));
  }
  const iss = payload['iss'];
  const iat = payload['iat'];
  const age = payload['max_age'];
  if (typeof iss !== 'string' || typeof iat !== 'number' || !Number.isSafeInteger(iat))
    throw bundleInvalid('The bundle needs iss and iat');
  if (
    !isObject(age) ||
    !ageOk(age['issuers']) ||
    !ageOk(age['relying_parties']) ||
    !ageOk(age['status_lists'])
  )
    throw bundleInvalid('The bundle needs a maximum age for each part');
  const maxAge: TrustBundleMaxAge = {
    issuers: age['issuers'],
    relyingParties: age['relying_parties'],
    statusLists: age['status_lists'],
  };
  const lists = (name: string) => {
    const v = payload[name];
    if (!Array.isArray(v)) throw bundleInvalid(`${name} must be an array`);
    return v;
  };
  const fail = (m: string) => bundleInvalid(m);
  let issuers: TrustedIssuer[];
  let relyingParties: RelyingPartyRegistration[];
  try {
    issuers = lists('issuers').map((i) => parseTrustedIssuer(i, fail));
    relyingParties = lists('relying_parties').map((r) => parseRelyingPartyRegistration(r));
  } catch (e) {
    throw bundleInvalid('A bundle record is malformed', e);
  }
  const tokens = new Map<string, string>();
  for (const s of lists('status_lists')) {
    if (!isObject(s) || typeof s['uri'] !== 'string' || typeof s['token'] !== 'string')
      throw bundleInvalid('A status list entry needs uri and token');
    tokens.set(s['uri'], s['token']);
  }
  const clock = options.clock ?? systemClock;
  const leeway = options.leeway ?? 30;
  const trustAge = Math.min(maxAge.issuers, maxAge.relyingParties);
  const fresh = (at: number, limit: number): void => {
    if (iat > at + leeway)
      throw new OpenMidError(
        'ERR_OFFLINE_BUNDLE_STALE',
        'The trust bundle is issued in the future',
      );
    if (at - iat > limit)
      throw new OpenMidError(
        'ERR_OFFLINE_BUNDLE_STALE',
        'The trust bundle is older than its maximum age',
      );
  };
  fresh(clock(), trustAge);
  const ledgerPart = payload['ledger'];
  if (ledgerPart === undefined && options.ledger?.required === true)
    throw bundleInvalid('The bundle carries no trust ledger snapshot');
  const ledger = ledgerPart === undefined ? undefined : await openLedgerPart(ledgerPart, options);
  // With a ledger, it decides every issuer and relying party; the payload adds the registries.
  const inner: TrustSource =
    ledger === undefined
      ? staticTrustSource({ issuers, relyingParties })
      : ledgerTrustSource(ledger.state, {
          registries: issuers.filter((i) => i.types.includes(REGISTRY_ATTESTATION_TYPE)),
        });
  const issuerById = new Map(issuers.map((i) => [i.id, i]));
  const listKey = async (iss: unknown, kid: unknown) => {
    if (ledger !== undefined) {
      if (typeof iss !== 'string')
        throw new OpenMidError('ERR_STATUS_UNKNOWN', 'The list names no issuer');
      const answer = await inner.issuerKeys(iss, clock());
      return verifierForKey(pickKey(answer, kid, 'ERR_STATUS_UNKNOWN'), options.crypto);
    }
    const issuer = typeof iss === 'string' ? issuerById.get(iss) : undefined;
    if (issuer === undefined)
      throw new OpenMidError('ERR_STATUS_UNKNOWN', 'The list issuer is not in the bundle');
    return verifierForKey(
      pickKey({ keys: issuer.keys }, kid, 'ERR_STATUS_UNKNOWN'),
      options.crypto,
    );
  };
  const verified = new Map<string, Promise<VerifiedStatusList>>();
  const statusLists: StatusListSource = (uri) => {
    const token = tokens.get(uri);
    if (token === undefined)
      return Promise.reject(
        new OpenMidError('ERR_STATUS_UNKNOWN', 'The bundle has no such status list'),
      );
    let p = verified.get(uri);
    if (p === undefined) {
      p = verifyStatusListToken(token, {
        uri,
        now: clock(),
        key: (header, body) => listKey(body['iss'], header.kid),
      });
      p.catch(() => verified.delete(uri));
      verified.set(uri, p);
    }
    // The age is judged at every use: a device keeps its bundle open for days.
    return p.then((list) => {
      if (clock() - leeway - list.iat > maxAge.statusLists)
        throw new OpenMidError(
          'ERR_STATUS_TOKEN_EXPIRED',
          'The bundled status list is older than its maximum age',
        );
      return list;
    });
  };
  return {
    iss,
    issuedAt: iat,
    maxAge,
    issuers,
    relyingParties,
    statusLists,
    freshFor: (now = clock()) => trustAge - (now - iat),
    ...(ledger === undefined ? {} : { ledger }),
    async issuerKeys(id, at, context) {
      fresh(at, maxAge.issuers);
      return inner.issuerKeys(id, at, context);
    },
    async issuerMayIssue(id, vct, at) {
      fresh(at, maxAge.issuers);
      return inner.issuerMayIssue(id, vct, at);
    },
    async relyingParty(id, at) {
      fresh(at, maxAge.relyingParties);
      return inner.relyingParty(id, at);
    },
  };
}
