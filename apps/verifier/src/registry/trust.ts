/**
 * @module registry/trust
 * The verifier's trust source (the SDK's `TrustSource` port), plus the verifier itself as the
 * registry that attests relying parties (an issuer of `REGISTRY_ATTESTATION_TYPE`):
 *
 * - {@link sqlTrustSource}: the interim registry — trusted issuers and relying-party
 *   registrations from its SQL store. Records are cached in memory for `ttlMs` (verification is
 *   the hot path); changes made through this process invalidate the cache at once, other
 *   instances see them within the TTL.
 * - {@link ledgerVerifierTrust}: with VERIFIER_LEDGER_URL, the trust ledger behind the same port
 *   (`registry/ledger.ts`): issuers and registrations from its verified, refreshed snapshot.
 */
import { OpenMidError } from '@openmid/core/errors';
import type { Sql } from '@openmid/server-kit';
import {
  type IssuerKeysAnswer,
  keyValidAt,
  parseRelyingPartyRegistration,
  parseTrustedIssuer,
  REGISTRY_ATTESTATION_TYPE,
  type RefreshingLedgerTrustSource,
  type RelyingPartyRegistration,
  type TrustedIssuer,
  type TrustSource,
} from '@openmid/verifier';
import type { RegistryKeys } from '../secrets.js';

/** The verifier's trust source: the port, the registry's own record, and cache control. */
export interface VerifierTrustSource extends TrustSource {
  /** Forget cached records (after a change). */
  invalidate(): void;
  /** The registry itself as a trusted issuer record (for bundles and wallets). */
  readonly registryRecord: TrustedIssuer;
  /** The trust ledger the answers come from (VERIFIER_LEDGER_URL); absent for the SQL registry. */
  readonly ledger?: RefreshingLedgerTrustSource;
}

/** The SQL trust source, with cache control. */
export interface SqlTrustSource extends VerifierTrustSource {
  readonly ledger?: undefined;
}

/** The registry's own record: the issuer of its verifier attestations. */
export function registryRecordOf(options: {
  readonly registry: RegistryKeys;
  readonly registryId: string;
  readonly names: { readonly ko: string; readonly en: string };
}): TrustedIssuer {
  return {
    id: options.registryId,
    names: options.names,
    types: [REGISTRY_ATTESTATION_TYPE],
    keys: [{ kid: options.registry.publicJwk.kid, jwk: options.registry.publicJwk }],
  };
}

/**
 * The trust ledger as the verifier's trust source: every question goes to the refreshed ledger
 * view (whose `registries` answer for the registry itself); `invalidate()` asks for a refresh.
 */
export function ledgerVerifierTrust(
  ledger: RefreshingLedgerTrustSource,
  registryRecord: TrustedIssuer,
): VerifierTrustSource {
  return {
    registryRecord,
    ledger,
    invalidate() {
      ledger.refresh().catch(() => undefined);
    },
    issuerKeys: (iss, at, context) => ledger.issuerKeys(iss, at, context),
    issuerMayIssue: (iss, vct, at) => ledger.issuerMayIssue(iss, vct, at),
    relyingParty: (id, at) => ledger.relyingParty(id, at),
  };
}

function validAt(
  x: { readonly validFrom?: number; readonly validUntil?: number },
  at: number,
): boolean {
  return (
    (x.validFrom === undefined || x.validFrom <= at) &&
    (x.validUntil === undefined || at < x.validUntil)
  );
}

interface Cached<T> {
  readonly value: T | undefined;
  readonly until: number;
}

/**
 * The registry's trust source over `sql`.
 *
 * @example
 * ```ts
 * const trust = sqlTrustSource(sql, { registry, registryId: config.VERIFIER_URL, names })
 * await trust.issuerMayIssue(iss, vct, now)
 * ```
 */
export function sqlTrustSource(
  sql: Sql,
  options: {
    readonly registry: RegistryKeys;
    readonly registryId: string;
    readonly names: { readonly ko: string; readonly en: string };
    readonly ttlMs?: number;
  },
): SqlTrustSource {
  const ttl = options.ttlMs ?? 5000;
  const issuers = new Map<string, Cached<TrustedIssuer>>();
  const rps = new Map<string, Cached<RelyingPartyRegistration>>();
  const registryRecord = registryRecordOf(options);

  async function load<T>(
    cache: Map<string, Cached<T>>,
    id: string,
    query: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const now = Date.now();
    const hit = cache.get(id);
    if (hit !== undefined && hit.until > now) return hit.value;
    let value: T | undefined;
    try {
      value = await query();
    } catch (cause) {
      throw new OpenMidError('ERR_TRUST_SOURCE_UNAVAILABLE', 'The registry could not be read', {
        cause,
      });
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { value, until: now + ttl });
    return value;
  }

  const issuer = (id: string): Promise<TrustedIssuer | undefined> => {
    if (id === registryRecord.id) return Promise.resolve(registryRecord);
    return load(issuers, id, async () => {
      const r = await sql.query<{ record: unknown }>(
        'SELECT record FROM verifier_issuers WHERE id = $1 AND removed_at IS NULL',
        [id],
      );
      const row = r.rows[0];
      return row === undefined ? undefined : parseTrustedIssuer(row.record);
    });
  };
  const rp = (id: string): Promise<RelyingPartyRegistration | undefined> =>
    load(rps, id, async () => {
      const r = await sql.query<{ registration: unknown }>(
        'SELECT registration FROM verifier_relying_parties WHERE id = $1 AND removed_at IS NULL',
        [id],
      );
      const row = r.rows[0];
      return row === undefined ? undefined : parseRelyingPartyRegistration(row.registration);
    });

  return {
    registryRecord,
    invalidate() {
      issuers.clear();
      rps.clear();
    },
    async issuerKeys(iss, at): Promise<IssuerKeysAnswer> {
      const i = await issuer(iss);
      if (i === undefined || !validAt(i, at)) return { keys: [] };
      return { keys: i.keys.filter((k) => keyValidAt(k, at)), names: i.names };
    },
    async issuerMayIssue(iss, vct, at) {
      const i = await issuer(iss);
      return i !== undefined && validAt(i, at) && i.types.includes(vct);
    },
    async relyingParty(id, at) {
      const r = await rp(id);
      return r !== undefined && validAt(r, at) ? r : undefined;
    },
  };
}
