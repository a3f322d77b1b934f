/**
 * @module query
 * Questions a verifier, a wallet or an issuer asks the trust ledger, answered from a
 * {@link LedgerState} (live, or rebuilt offline from a snapshot or a proof):
 * - which keys of issuer X are valid at time T, and which key a credential's `kid` names
 *   (DESIGN.md §2: an issuer's keys are resolved from the ledger, never from its `iss` URL);
 * - may issuer X issue credential type Y at time T;
 * - may relying party Z ask for claim C of type Y (its purpose, and its legal basis when the
 *   claim is a resident registration number: PIPA art. 24-2);
 * - the latest anchor of a status list, the anchors of a document.
 *
 * Each question is a plain {@link Query} value so that a proof can carry it and an offline
 * verifier can recompute the answer from the proof's entries.
 */
import { OpenMidError, type PublicJwk } from '@openmid/core';
import type { ClaimPath, LocalizedText } from './entry.js';
import {
  type DocumentAnchor,
  type IssuerState,
  issuerInactiveReason,
  issuerVersionAt,
  keyValidAt,
  type LedgerState,
  type RpVersion,
  type StatusListAnchor,
} from './state.js';

/** A question to the ledger. Times are seconds. */
export type Query =
  | { readonly q: 'issuer-keys'; readonly issuer: string; readonly at: number }
  | {
      readonly q: 'issuer-type';
      readonly issuer: string;
      readonly vct: string;
      readonly at: number;
    }
  | {
      readonly q: 'rp-claim';
      readonly rp: string;
      readonly vct: string;
      readonly claim: ClaimPath;
      readonly at: number;
      /** The claim needs a statutory basis (the profile marks it `rrn`). */
      readonly legalBasisRequired?: boolean;
    }
  | { readonly q: 'status-list'; readonly uri: string }
  | { readonly q: 'document'; readonly digest: string };

/** Why something is not trusted or allowed. */
export type DenyReason =
  | 'unknown'
  | 'not-yet-valid'
  | 'expired'
  | 'removed'
  | 'no-valid-key'
  | 'type-not-allowed'
  | 'claim-not-registered'
  | 'no-legal-basis';

/** A key of an issuer as answered. */
export interface AnsweredKey {
  readonly kid: string;
  readonly jwk: PublicJwk;
  readonly validFrom: number;
  readonly validUntil?: number;
  readonly revokedAt?: number;
}

/** Answer to `issuer-keys`. */
export interface IssuerKeysAnswer {
  readonly trusted: boolean;
  readonly reason?: DenyReason;
  readonly names?: LocalizedText;
  /** Keys valid at the time asked (empty unless trusted). */
  readonly keys: readonly AnsweredKey[];
}

/** Answer to `issuer-type`. */
export interface IssuerTypeAnswer {
  readonly allowed: boolean;
  readonly reason?: DenyReason;
}

/** Answer to `rp-claim`. */
export interface RpClaimAnswer {
  readonly allowed: boolean;
  readonly reason?: DenyReason;
  readonly names?: LocalizedText;
  readonly purpose?: LocalizedText;
  readonly rrnLegalBasis?: string | null;
}

/** Answer to `status-list`. */
export interface StatusListAnswer {
  readonly anchor: StatusListAnchor | null;
}

/** Answer to `document`. */
export interface DocumentAnswer {
  readonly anchors: readonly DocumentAnchor[];
}

/** The answer type of each query. */
export type AnswerOf<Q extends Query> = Q extends { q: 'issuer-keys' }
  ? IssuerKeysAnswer
  : Q extends { q: 'issuer-type' }
    ? IssuerTypeAnswer
    : Q extends { q: 'rp-claim' }
      ? RpClaimAnswer
      : Q extends { q: 'status-list' }
        ? StatusListAnswer
        : DocumentAnswer;

function publicKey(k: AnsweredKey): AnsweredKey {
  return {
    kid: k.kid,
    jwk: k.jwk,
    validFrom: k.validFrom,
    ...(k.validUntil === undefined ? {} : { validUntil: k.validUntil }),
    ...(k.revokedAt === undefined ? {} : { revokedAt: k.revokedAt }),
  };
}

function activeIssuer(
  state: LedgerState,
  id: string,
  at: number,
): { issuer: IssuerState } | { reason: DenyReason } {
  const issuer = state.issuers.get(id);
  if (!issuer) return { reason: 'unknown' };
  const reason = issuerInactiveReason(issuer, at);
  return reason === undefined ? { issuer } : { reason };
}

/** The keys of issuer `id` valid at `at` (for credential verification). */
export function issuerKeysAt(state: LedgerState, id: string, at: number): IssuerKeysAnswer {
  const a = activeIssuer(state, id, at);
  if ('reason' in a) return { trusted: false, reason: a.reason, keys: [] };
  const keys = [...a.issuer.keys.values()]
    .filter((k) => keyValidAt(k, at))
    .map(publicKey)
    .sort((x, y) => (x.kid < y.kid ? -1 : x.kid > y.kid ? 1 : 0));
  const names = issuerVersionAt(a.issuer, at).names;
  return keys.length === 0
    ? { trusted: false, reason: 'no-valid-key', names, keys: [] }
    : { trusted: true, names, keys };
}

/**
 * The key a credential names: issuer `iss`, key `kid`, valid at `at` (the credential's issuance
 * time). Throws ERR_LEDGER_NOT_FOUND for an unknown issuer or kid and ERR_LEDGER_UNAUTHORISED when
 * the issuer is inactive or the key was not valid then.
 */
export function resolveIssuerKey(
  state: LedgerState,
  ref: { readonly issuer: string; readonly kid: string; readonly at: number },
): AnsweredKey {
  const issuer = state.issuers.get(ref.issuer);
  const key = issuer?.keys.get(ref.kid);
  if (!issuer || !key) throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'Unknown issuer or key id');
  if (issuerInactiveReason(issuer, ref.at) !== undefined || !keyValidAt(key, ref.at)) {
    throw new OpenMidError(
      'ERR_LEDGER_UNAUTHORISED',
      'The issuer or key was not valid at that time',
    );
  }
  return publicKey(key);
}

/** May issuer `id` issue credential type `vct` at `at`? */
export function issuerAllowedAt(
  state: LedgerState,
  id: string,
  vct: string,
  at: number,
): IssuerTypeAnswer {
  const a = activeIssuer(state, id, at);
  if ('reason' in a) return { allowed: false, reason: a.reason };
  return issuerVersionAt(a.issuer, at).types.includes(vct)
    ? { allowed: true }
    : { allowed: false, reason: 'type-not-allowed' };
}

function rpVersionAt(versions: readonly RpVersion[], at: number): RpVersion {
  let v = versions[0] as RpVersion;
  for (const c of versions) if (c.since <= at) v = c;
  return v;
}

/** True when a registered claim path covers a requested one (prefix; null matches any index). */
export function claimCovered(registered: ClaimPath, requested: ClaimPath): boolean {
  if (registered.length > requested.length) return false;
  for (let i = 0; i < registered.length; i++) {
    const r = registered[i];
    const q = requested[i];
    if (r === null) {
      if (q !== null && typeof q !== 'number') return false;
    } else if (r !== q) {
      return false;
    }
  }
  return true;
}

/** May relying party `rp` request `claim` of type `vct` at `at`? */
export function rpMayRequestAt(
  state: LedgerState,
  q: Extract<Query, { q: 'rp-claim' }>,
): RpClaimAnswer {
  const rp = state.rps.get(q.rp);
  if (!rp) return { allowed: false, reason: 'unknown' };
  const { profile } = rpVersionAt(rp.versions, q.at);
  const info = {
    names: profile.names,
    purpose: profile.purpose,
    rrnLegalBasis: profile.rrnLegalBasis,
  };
  if (rp.removedAt !== undefined && q.at >= rp.removedAt) {
    return { allowed: false, reason: 'removed', ...info };
  }
  if (q.at < profile.validFrom) return { allowed: false, reason: 'not-yet-valid', ...info };
  if (profile.validUntil !== undefined && q.at >= profile.validUntil) {
    return { allowed: false, reason: 'expired', ...info };
  }
  const request = profile.requests.find((r) => r.vct === q.vct);
  if (!request?.claims.some((c) => claimCovered(c, q.claim))) {
    return { allowed: false, reason: 'claim-not-registered', ...info };
  }
  if (q.legalBasisRequired === true && profile.rrnLegalBasis === null) {
    return { allowed: false, reason: 'no-legal-basis', ...info };
  }
  return { allowed: true, ...info };
}

function answerOf(state: LedgerState, query: Query): unknown {
  switch (query.q) {
    case 'issuer-keys':
      return issuerKeysAt(state, query.issuer, query.at);
    case 'issuer-type':
      return issuerAllowedAt(state, query.issuer, query.vct, query.at);
    case 'rp-claim':
      return rpMayRequestAt(state, query);
    case 'status-list':
      return { anchor: state.statusLists.get(query.uri) ?? null };
    case 'document':
      return { anchors: state.documents.get(query.digest) ?? [] };
    default:
      throw new OpenMidError('ERR_INPUT_INVALID', 'Unknown query');
  }
}

/** Answer any {@link Query} from a state. */
export function answerQuery<Q extends Query>(state: LedgerState, query: Q): AnswerOf<Q> {
  return answerOf(state, query) as AnswerOf<Q>;
}

/**
 * The subject labels whose chains decide a query: what a proof must carry. (A proof builder adds
 * the issuers of any anchor it carries: an anchor is only valid with its issuer's keys.)
 */
export function subjectsOfQuery(query: Query): string[] {
  switch (query.q) {
    case 'issuer-keys':
    case 'issuer-type':
      return ['governance', `issuer:${query.issuer}`];
    case 'rp-claim':
      return ['governance', `rp:${query.rp}`];
    case 'status-list':
      return ['governance', `status-list:${query.uri}`];
    case 'document':
      return ['governance', `document:${query.digest}`];
    default:
      throw new OpenMidError('ERR_INPUT_INVALID', 'Unknown query');
  }
}
