/**
 * @module governance
 * The DEVELOPMENT governance of the demo ledger (issue 6 §4; DOMAIN.md §1.5): three agencies —
 * 경찰청 (National Police Agency), 행정안전부 (Ministry of the Interior and Safety) and 한국조폐공사
 * (KOMSCO) — with a quorum of 2 of 3, whose ES256 keys this node keeps in
 * `DATA_DIR/governance/<agency>.jwk` (mode 0600) so that the demo can register issuers and relying
 * parties without manual cosigning.
 *
 * Development only. In production each agency holds its own key (an HSM or an offline signing
 * workstation) and signs with `openmid ledger cosign`; no node ever holds a governance key, and
 * the countersign endpoint does not exist (config.ts `devGovernanceEnabled`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';
import type { PublicJwk, Signer } from '@openmid/core/keys';
import {
  cosign,
  type EntryType,
  type LedgerState,
  parseEntry,
  type SignedEntry,
} from '@openmid/ledger';
import { ensurePrivateDir, loadOrCreateKeyFile } from './keys.js';

/** The three demo agencies, in the order they sign. */
export const DEV_AGENCIES: readonly {
  readonly id: string;
  readonly ko: string;
  readonly en: string;
}[] = Object.freeze([
  { id: 'npa', ko: '경찰청', en: 'Korean National Police Agency' },
  { id: 'mois', ko: '행정안전부', en: 'Ministry of the Interior and Safety' },
  { id: 'komsco', ko: '한국조폐공사', en: 'Korea Minting and Security Printing Corporation' },
]);

/** The quorum of the demo governance. */
export const DEV_QUORUM = 2;

/** One development agency key. */
export interface DevAgency {
  readonly id: string;
  readonly names: { readonly ko: string; readonly en: string };
  readonly kid: string;
  readonly signer: Signer;
  readonly publicJwk: PublicJwk & { readonly kid: string };
  readonly file: string;
}

/** The development governance keys. */
export interface DevGovernance {
  readonly dir: string;
  readonly agencies: readonly DevAgency[];
  readonly quorum: number;
}

/** The entry types the development governance countersigns: registrations, nothing else. */
export const COUNTERSIGNED_TYPES: readonly EntryType[] = Object.freeze([
  'issuer.register',
  'issuer.update',
  'issuer.key.add',
  'issuer.key.revoke',
  'issuer.remove',
  'rp.register',
  'rp.update',
  'rp.remove',
]);

const NOTICE = `DEVELOPMENT ONLY.
These are the governance keys of the OpenMID demo trust ledger (경찰청, 행정안전부, 한국조폐공사;
quorum 2 of 3). A production ledger never keeps governance keys on a node: each agency holds its
own key and signs proposals offline with \`openmid ledger cosign --entry FILE --key FILE\`.
`;

/**
 * Load the development governance keys from `<dataDir>/governance/`, creating the folder (0700),
 * the three key files (0600) and a public `agencies.json` on first use.
 */
export async function loadOrCreateDevGovernance(dataDir: string): Promise<DevGovernance> {
  const dir = join(dataDir, 'governance');
  ensurePrivateDir(dir);
  const agencies: DevAgency[] = [];
  for (const a of DEV_AGENCIES) {
    const file = join(dir, `${a.id}.jwk`);
    const key = await loadOrCreateKeyFile(file);
    agencies.push({
      id: a.id,
      names: { ko: a.ko, en: a.en },
      kid: key.publicJwk.kid,
      signer: key.signer,
      publicJwk: key.publicJwk,
      file,
    });
  }
  writeFileSync(join(dir, 'README.txt'), NOTICE);
  writeFileSync(
    join(dir, 'agencies.json'),
    `${JSON.stringify(
      agencies.map((a) => ({ id: a.id, names: a.names, kid: a.kid, jwk: a.publicJwk })),
      null,
      2,
    )}\n`,
  );
  return { dir, agencies, quorum: DEV_QUORUM };
}

function minimal(jwk: PublicJwk): PublicJwk {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y === undefined ? {} : { y: jwk.y }) };
}

/** The demo genesis entry: the three agencies, quorum 2 of 3, signed by all three. */
export async function devGenesis(
  gov: DevGovernance,
  options: { readonly name: string; readonly now: number },
): Promise<SignedEntry> {
  let entry: SignedEntry = {
    body: {
      typ: 'genesis',
      iat: options.now,
      exp: options.now + 3600,
      name: options.name,
      governance: {
        keys: gov.agencies.map((a) => ({ kid: a.kid, jwk: minimal(a.publicJwk) })),
        quorum: gov.quorum,
      },
    },
    signatures: [],
  };
  for (const a of gov.agencies) entry = await cosign(entry, a.signer, { kid: a.kid });
  return entry;
}

/**
 * Countersign a proposed registration with as many development governance keys as the CURRENT
 * quorum still needs (signatures already on it count; the agencies sign in their fixed order).
 * Refuses what is not a registration (ERR_LEDGER_UNAUTHORISED) and a ledger whose governance is
 * not these keys (ERR_LEDGER_QUORUM_NOT_MET: they cannot reach its quorum).
 */
export async function countersign(
  proposal: unknown,
  options: { readonly gov: DevGovernance; readonly state: LedgerState },
): Promise<SignedEntry> {
  const parsed = parseEntry(proposal);
  if (!COUNTERSIGNED_TYPES.includes(parsed.body.typ)) {
    throw new OpenMidError(
      'ERR_LEDGER_UNAUTHORISED',
      'The development governance only countersigns issuer and relying-party registrations',
    );
  }
  const { state, gov } = options;
  const current = state.governance;
  if (state.ledgerId === undefined || current === undefined) {
    throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'The ledger has no genesis yet');
  }
  const governing = new Set(current.keys.map((k) => k.kid));
  let entry = parsed.canonical;
  let have = entry.signatures.filter((s) => governing.has(s.kid)).length;
  for (const a of gov.agencies) {
    if (have >= current.quorum) break;
    if (!governing.has(a.kid) || entry.signatures.some((s) => s.kid === a.kid)) continue;
    entry = await cosign(entry, a.signer, { ledgerId: state.ledgerId, kid: a.kid });
    have++;
  }
  if (have < current.quorum) {
    throw new OpenMidError(
      'ERR_LEDGER_QUORUM_NOT_MET',
      'The development governance keys cannot reach this ledger’s quorum',
    );
  }
  return entry;
}
