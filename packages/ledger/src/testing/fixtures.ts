/**
 * @module testing/fixtures
 * Keys and entry builders for ledger tests, benchmarks and demos: three governance agencies
 * (National Police Agency, Ministry of the Interior and Safety, KOMSCO — DOMAIN.md §1.5) with a
 * 2-of-3 quorum, issuers with ES256 keys, relying parties. Synthetic data only.
 */
import {
  type GeneratedKeyPair,
  generateKeyPair,
  jwkThumbprint,
  type PublicJwk,
  type Signer,
} from '@openmid/core';
import {
  cosign,
  type EntryBody,
  type IssuerKey,
  type IssuerProfile,
  ledgerIdOf,
  type RpProfile,
  type SignedEntry,
} from '../entry.js';

/** A governance agency's key. */
export interface AgencyKey {
  readonly name: string;
  readonly kid: string;
  readonly signer: Signer;
  readonly publicJwk: PublicJwk;
}

/** An issuer with one or more ES256 keys. */
export interface IssuerFixture {
  readonly id: string;
  readonly keys: readonly (GeneratedKeyPair & { readonly kid: string })[];
}

/** The keys of a test ledger. */
export interface LedgerFixtures {
  /** National Police Agency, Ministry of the Interior and Safety, KOMSCO. */
  readonly agencies: readonly [AgencyKey, AgencyKey, AgencyKey];
  /** An ES256 key that is no governance key (for forgeries). */
  readonly outsider: AgencyKey;
  /** Another agency's key for governance changes. */
  readonly newcomer: AgencyKey;
  /** A relying party's request-signing key. */
  readonly rpKey: { readonly kid: string; readonly jwk: PublicJwk };
}

async function agency(name: string): Promise<AgencyKey> {
  const pair = await generateKeyPair('ES256');
  const kid = jwkThumbprint(pair.publicJwk);
  return { name, kid, signer: pair.signer, publicJwk: pair.publicJwk };
}

/** Fresh governance keys. */
export async function createLedgerFixtures(): Promise<LedgerFixtures> {
  const [npa, mois, komsco, outsider, newcomer, rp] = await Promise.all([
    agency('National Police Agency'),
    agency('Ministry of the Interior and Safety'),
    agency('KOMSCO'),
    agency('Outsider'),
    agency('Ministry of Health and Welfare'),
    agency('Relying party'),
  ]);
  return {
    agencies: [npa as AgencyKey, mois as AgencyKey, komsco as AgencyKey],
    outsider: outsider as AgencyKey,
    newcomer: newcomer as AgencyKey,
    rpKey: { kid: 'rp-1', jwk: minimalJwk((rp as AgencyKey).publicJwk) },
  };
}

/** A fresh issuer with `n` ES256 keys (kids `<prefix>-1`, …). */
export async function createIssuerFixture(
  id: string,
  n = 1,
  prefix = 'key',
): Promise<IssuerFixture> {
  const keys = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const kid = `${prefix}-${i + 1}`;
      const pair = await generateKeyPair('ES256', { kid });
      return { ...pair, kid };
    }),
  );
  return { id, keys };
}

/** Sign `body` with each signer in turn (the offline propose / cosign flow). */
export async function signedBy(
  body: EntryBody,
  signers: readonly (AgencyKey | Signer)[],
  ledgerId?: string,
): Promise<SignedEntry> {
  let entry: SignedEntry = { body, signatures: [] };
  for (const s of signers) {
    const signer = 'signer' in s ? s.signer : s;
    const kid = 'signer' in s ? s.kid : s.kid;
    entry = await cosign(entry, signer, {
      ...(ledgerId === undefined ? {} : { ledgerId }),
      ...(kid === undefined ? {} : { kid }),
    });
  }
  return entry;
}

/** A genesis entry signed by all three agencies with a 2-of-3 quorum. */
export async function genesisEntry(
  f: LedgerFixtures,
  now: number,
  name = 'OpenMID test trust ledger',
): Promise<{ entry: SignedEntry; ledgerId: string }> {
  const entry = await signedBy(
    {
      typ: 'genesis',
      iat: now,
      exp: now + 3600,
      name,
      governance: {
        keys: f.agencies.map((a) => ({ kid: a.kid, jwk: minimalJwk(a.publicJwk) })),
        quorum: 2,
      },
    },
    f.agencies,
  );
  return { entry, ledgerId: ledgerIdOf(entry) };
}

/** A public JWK reduced to the members the ledger accepts (kty, crv, x, y). */
export function minimalJwk(jwk: PublicJwk): PublicJwk {
  return jwk.y === undefined
    ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x }
    : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

/** The public part of an issuer fixture key as an {@link IssuerKey}. */
export function issuerKeyOf(
  k: IssuerFixture['keys'][number],
  validFrom: number,
  validUntil?: number,
): IssuerKey {
  return {
    kid: k.kid,
    jwk: minimalJwk(k.publicJwk),
    validFrom,
    ...(validUntil === undefined ? {} : { validUntil }),
  };
}

/** An issuer profile. */
export function issuerProfile(
  id: string,
  types: readonly string[],
  validFrom: number,
): IssuerProfile {
  return {
    id,
    names: { ko: `발급기관 ${id.slice(8, 30)}`, en: `Issuer ${id.slice(8, 30)}` },
    types,
    validFrom,
  };
}

/** A relying-party registration. */
export function rpProfile(
  id: string,
  options: {
    readonly validFrom: number;
    readonly requests?: RpProfile['requests'];
    readonly rrnLegalBasis?: string | null;
    readonly keys: RpProfile['keys'];
  },
): RpProfile {
  return {
    id,
    names: { ko: `이용기관 ${id}`, en: `Relying party ${id}` },
    purpose: { ko: '본인 확인', en: 'Identity check' },
    requests: options.requests ?? [
      {
        vct: 'urn:openmid:kr:resident-id:1',
        claims: [['name'], ['birth_date'], ['address', null]],
      },
    ],
    rrnLegalBasis: options.rrnLegalBasis ?? null,
    keys: options.keys,
    validFrom: options.validFrom,
  };
}
