/**
 * @module trust/source
 * The **TrustSource** port: the only questions a relying party (and a wallet checking a relying
 * party) asks about trust, answered for a given time (DESIGN.md §2, §5):
 *
 * 1. which keys may issuer X sign with at time T ({@link TrustSource.issuerKeys});
 * 2. may issuer X issue credential type Y at time T ({@link TrustSource.issuerMayIssue});
 * 3. what is relying party Z registered for at time T — the claims it may request per credential
 *    type, its purpose, its legal basis for the resident registration number, its request-signing
 *    keys ({@link TrustSource.relyingParty}); {@link rpMayRequest} answers "may Z ask for claim C
 *    of type Y" from it.
 *
 * Issuer keys are never fetched from the `iss` URL: they come from the source. Implementations:
 * {@link staticTrustSource} (in memory; under the offline trust bundle), the verifier service's
 * SQL registry, and the trust ledger (`trust/ledger.ts`: a verified snapshot's state, refreshed
 * from a ledger node or carried in a trust bundle). A registry that signs verifier attestations is an
 * issuer of the pseudo-type {@link REGISTRY_ATTESTATION_TYPE}, so the same two issuer questions
 * decide which registries a wallet believes.
 */
import { OpenMidError } from '@openmid/core/errors';
import { type PublicJwk, parsePublicJwk } from '@openmid/core/keys';
import { isClaimPath } from '@openmid/core/sd-jwt';
import type { ClaimPath } from '../dcql/query.js';
import { isObject } from '../internal/json.js';

/** A text in Korean and English (the ledger's LocalizedText). */
export interface LocalizedText {
  readonly ko: string;
  readonly en: string;
}

/** A public key with its id, valid in `[validFrom, validUntil)` (NumericDate seconds) when given. */
export interface TrustedKey {
  readonly kid: string;
  readonly jwk: PublicJwk;
  readonly validFrom?: number;
  readonly validUntil?: number;
}

/** A trusted issuer: its `iss`, names, the types it may issue, its keys, its validity. */
export interface TrustedIssuer {
  /** The exact `iss` of its credentials. */
  readonly id: string;
  readonly names: LocalizedText;
  /** The credential types (`vct`) it may issue. */
  readonly types: readonly string[];
  readonly keys: readonly TrustedKey[];
  readonly validFrom?: number;
  readonly validUntil?: number;
  /** The status list URIs it publishes (for trust bundles). */
  readonly statusLists?: readonly string[];
}

/** The claims a relying party may request from one credential type. */
export interface RpRequestRule {
  readonly vct: string;
  readonly claims: readonly ClaimPath[];
}

/**
 * A relying-party registration (issue 4 §1; the ledger's `RpProfile`): identifier, names,
 * purpose, the claims it may request per credential type, its statutory basis for the resident
 * registration number (PIPA art. 24-2; `null` when it has none) and its request-signing keys.
 */
export interface RelyingPartyRegistration {
  readonly id: string;
  readonly names: LocalizedText;
  readonly purpose: LocalizedText;
  readonly requests: readonly RpRequestRule[];
  readonly rrnLegalBasis: string | null;
  readonly keys: readonly TrustedKey[];
  readonly validFrom: number;
  readonly validUntil?: number;
  /**
   * Where the registration is recorded when it comes from the trust ledger: the ledger (its
   * genesis entry id) and the log index of the entry whose version is in force. A wallet looks
   * the party up there by its `id` (docs/ledger-node.md "For verifiers and wallets").
   */
  readonly ledger?: RegistrationOnLedger;
}

/** Where a relying party's registration is on the trust ledger. */
export interface RegistrationOnLedger {
  /** The ledger id (hex SHA-256 of its genesis entry). */
  readonly ledgerId: string;
  /** The log index of the `rp.register` / `rp.update` entry in force. */
  readonly index: number;
}

/**
 * What a verifier knows about the credential whose issuer key it asks for. A source that records
 * when keys were revoked (the trust ledger) judges the KEY at `issuedAt` — a key revoked at T
 * still verifies credentials issued before T, never those issued after — and the ISSUER at the
 * time asked. Sources without revocation times (a registry, a bundle) may ignore it.
 */
export interface IssuerKeyContext {
  /** The `kid` the credential's header names. */
  readonly kid?: string;
  /** The credential's `iat` (NumericDate seconds), never later than the time asked. */
  readonly issuedAt?: number;
}

/** Answer to "which keys may issuer X sign with at T". */
export interface IssuerKeysAnswer {
  /** Keys valid at the time asked; empty when the issuer is unknown, removed or not valid then. */
  readonly keys: readonly TrustedKey[];
  readonly names?: LocalizedText;
}

/**
 * The trust port. Every method answers for the time `at` (NumericDate seconds). Methods never
 * throw for "not trusted" (they answer empty, false, undefined); they throw
 * `ERR_TRUST_SOURCE_UNAVAILABLE` (or the bundle's `ERR_OFFLINE_BUNDLE_STALE`, the ledger's
 * `ERR_LEDGER_SNAPSHOT_STALE`) when they cannot answer, and callers then trust nothing.
 */
export interface TrustSource {
  /** The keys issuer `iss` may sign with; `context` narrows them to one credential (optional). */
  issuerKeys(iss: string, at: number, context?: IssuerKeyContext): Promise<IssuerKeysAnswer>;
  issuerMayIssue(iss: string, vct: string, at: number): Promise<boolean>;
  relyingParty(id: string, at: number): Promise<RelyingPartyRegistration | undefined>;
}

/**
 * The pseudo credential type a registry is authorised for when it signs verifier attestations
 * (`issuerMayIssue(registry, REGISTRY_ATTESTATION_TYPE, at)`).
 */
export const REGISTRY_ATTESTATION_TYPE = 'urn:openmid:verifier-attestation:1';

/** True when key `k` is valid at `at`. */
export function keyValidAt(k: TrustedKey, at: number): boolean {
  return (
    (k.validFrom === undefined || k.validFrom <= at) &&
    (k.validUntil === undefined || at < k.validUntil)
  );
}

function validAt(x: { readonly validFrom?: number; readonly validUntil?: number }, at: number) {
  return (
    (x.validFrom === undefined || x.validFrom <= at) &&
    (x.validUntil === undefined || at < x.validUntil)
  );
}

/**
 * True when a registered claim path covers a requested one: a prefix, where a registered `null`
 * covers any index (and `null`) and an index covers only itself. The ledger uses the same rule.
 */
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

/** Why a relying party may not request a claim. */
export type RpDenyReason = 'claim-not-registered' | 'no-legal-basis';

/**
 * May relying party `rp` request claim `path` of type `vct`? `legalBasisRequired` is true for a
 * resident registration number (the profile's `rrn` sensitivity): consent is not a basis (PIPA
 * art. 24-2), so the registration must name a statute. Returns the reason when not.
 */
export function rpMayRequest(
  rp: RelyingPartyRegistration,
  vct: string,
  path: ClaimPath,
  legalBasisRequired = false,
): { readonly allowed: true } | { readonly allowed: false; readonly reason: RpDenyReason } {
  const rule = rp.requests.find((r) => r.vct === vct);
  if (rule === undefined || !rule.claims.some((c) => claimCovered(c, path)))
    return { allowed: false, reason: 'claim-not-registered' };
  if (legalBasisRequired && (rp.rrnLegalBasis === null || rp.rrnLegalBasis.trim() === ''))
    return { allowed: false, reason: 'no-legal-basis' };
  return { allowed: true };
}

// --- validation -------------------------------------------------------------------------------

const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

function regInvalid(message: string): OpenMidError {
  return new OpenMidError('ERR_RP_REGISTRATION_INVALID', message);
}

function text(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= max;
}

function localized(value: unknown, what: string, fail: (m: string) => OpenMidError): LocalizedText {
  if (!isObject(value) || !text(value['ko'], 500) || !text(value['en'], 500))
    throw fail(`${what} needs ko and en texts`);
  return { ko: value['ko'], en: value['en'] };
}

function time(value: unknown, what: string, fail: (m: string) => OpenMidError): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw fail(`${what} must be a NumericDate`);
  return value;
}

function keys(value: unknown, fail: (m: string) => OpenMidError): TrustedKey[] {
  if (!Array.isArray(value) || value.length > 32) throw fail('keys must be an array');
  const seen = new Set<string>();
  return value.map((k): TrustedKey => {
    if (!isObject(k) || typeof k['kid'] !== 'string' || k['kid'] === '' || k['kid'].length > 200)
      throw fail('Each key needs a kid');
    if (seen.has(k['kid'])) throw fail('Two keys share a kid');
    seen.add(k['kid']);
    let jwk: PublicJwk;
    try {
      const { d: _d, ...pub } = isObject(k['jwk']) ? k['jwk'] : { d: undefined };
      jwk = parsePublicJwk(pub).jwk;
    } catch (cause) {
      throw new OpenMidError(
        fail('A key is not a valid public JWK').code,
        'A key is not a valid public JWK',
        {
          cause,
        },
      );
    }
    const validFrom = time(k['validFrom'], 'validFrom', fail);
    const validUntil = time(k['validUntil'], 'validUntil', fail);
    return {
      kid: k['kid'],
      jwk,
      ...(validFrom === undefined ? {} : { validFrom }),
      ...(validUntil === undefined ? {} : { validUntil }),
    };
  });
}

/**
 * Validate a relying-party registration (from a registry, a bundle or an attestation); throws
 * `ERR_RP_REGISTRATION_INVALID`.
 */
export function parseRelyingPartyRegistration(value: unknown): RelyingPartyRegistration {
  if (!isObject(value)) throw regInvalid('A registration must be an object');
  const id = value['id'];
  if (typeof id !== 'string' || !ID.test(id)) throw regInvalid('The relying-party id is malformed');
  const requests = value['requests'];
  if (!Array.isArray(requests) || requests.length > 32)
    throw regInvalid('requests must be an array');
  const vcts = new Set<string>();
  const rules = requests.map((r): RpRequestRule => {
    if (!isObject(r) || !text(r['vct'], 256)) throw regInvalid('Each request rule needs a vct');
    if (vcts.has(r['vct'])) throw regInvalid('A credential type is listed twice');
    vcts.add(r['vct']);
    const claims = r['claims'];
    if (!Array.isArray(claims) || claims.length === 0 || claims.length > 64)
      throw regInvalid('Each request rule lists 1 to 64 claim paths');
    for (const c of claims)
      if (!isClaimPath(c) || c.length > 16)
        throw regInvalid('A registered claim path is malformed');
    return { vct: r['vct'], claims: claims.map((c) => [...(c as ClaimPath)]) };
  });
  const basis = value['rrnLegalBasis'];
  if (basis !== null && !text(basis, 500))
    throw regInvalid('rrnLegalBasis must be a statute reference or null');
  const validFrom = time(value['validFrom'], 'validFrom', regInvalid);
  const validUntil = time(value['validUntil'], 'validUntil', regInvalid);
  if (validFrom === undefined) throw regInvalid('validFrom is required');
  if (validUntil !== undefined && validUntil <= validFrom)
    throw regInvalid('validUntil must follow validFrom');
  return {
    id,
    names: localized(value['names'], 'names', regInvalid),
    purpose: localized(value['purpose'], 'purpose', regInvalid),
    requests: rules,
    rrnLegalBasis: basis === null ? null : (basis as string),
    keys: keys(value['keys'], regInvalid),
    validFrom,
    ...(validUntil === undefined ? {} : { validUntil }),
  };
}

function issuerInvalid(message: string): OpenMidError {
  return new OpenMidError('ERR_OFFLINE_BUNDLE_INVALID', message);
}

/**
 * Validate a trusted-issuer record; throws `code` (default `ERR_OFFLINE_BUNDLE_INVALID`, the
 * bundle being where foreign issuer records come from).
 */
export function parseTrustedIssuer(
  value: unknown,
  fail: (message: string) => OpenMidError = issuerInvalid,
): TrustedIssuer {
  if (!isObject(value)) throw fail('An issuer record must be an object');
  const id = value['id'];
  if (typeof id !== 'string' || id === '' || id.length > 2048)
    throw fail('An issuer id is malformed');
  const types = value['types'];
  if (!Array.isArray(types) || types.length > 64 || !types.every((t) => text(t, 256)))
    throw fail('types must be a list of credential types');
  const statusLists = value['statusLists'];
  if (
    statusLists !== undefined &&
    (!Array.isArray(statusLists) ||
      statusLists.length > 10_000 ||
      !statusLists.every((u) => text(u, 2048)))
  )
    throw fail('statusLists must be a list of URIs');
  const validFrom = time(value['validFrom'], 'validFrom', fail);
  const validUntil = time(value['validUntil'], 'validUntil', fail);
  return {
    id,
    names: localized(value['names'], 'names', fail),
    types: [...types] as string[],
    keys: keys(value['keys'], fail),
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(statusLists === undefined ? {} : { statusLists: [...statusLists] as string[] }),
  };
}

// --- static source ----------------------------------------------------------------------------

/** What a {@link staticTrustSource} knows. */
export interface TrustData {
  readonly issuers: readonly TrustedIssuer[];
  readonly relyingParties: readonly RelyingPartyRegistration[];
}

/**
 * A trust source over fixed, already validated data (tests, the offline bundle). Lookups are by
 * exact identifier in Maps, so `__proto__` and friends find nothing.
 *
 * @example
 * ```ts
 * const trust = staticTrustSource({ issuers: [police], relyingParties: [bank] })
 * await trust.issuerMayIssue('https://police.example', 'urn:openmid:kr:driving-licence:1', now)
 * ```
 */
export function staticTrustSource(data: TrustData): TrustSource {
  const issuers = new Map(data.issuers.map((i) => [i.id, i]));
  const rps = new Map(data.relyingParties.map((r) => [r.id, r]));
  return {
    async issuerKeys(iss, at) {
      const issuer = issuers.get(iss);
      if (issuer === undefined || !validAt(issuer, at)) return { keys: [] };
      return { keys: issuer.keys.filter((k) => keyValidAt(k, at)), names: issuer.names };
    },
    async issuerMayIssue(iss, vct, at) {
      const issuer = issuers.get(iss);
      return issuer !== undefined && validAt(issuer, at) && issuer.types.includes(vct);
    },
    async relyingParty(id, at) {
      const rp = rps.get(id);
      return rp !== undefined && validAt(rp, at) ? rp : undefined;
    },
  };
}
