/**
 * @module entry
 * Ledger entries: their JSON bodies (closed schemas, validated strictly), their canonical bytes
 * (RFC 8785), the *effects* a smart contract can check without parsing JSON, the message every
 * signer signs, and propose / cosign for agencies that sign offline one after another.
 *
 * What is signed. Every signature is ECDSA P-256 with SHA-256 (ES256, RFC 7518 §3.4, r ‖ s) over
 * the 128-byte preimage
 *
 *     DOMAIN ‖ ledgerId ‖ SHA-256(JCS(body)) ‖ SHA-256(effects)
 *
 * where DOMAIN = SHA-256("openmid-ledger-entry-v1"), ledgerId is the entry id of the genesis
 * entry (32 zero bytes for the genesis entry itself: a signature never replays onto another
 * ledger) and `effects` is a fixed binary layout derived from the body ({@link encodeEffects}).
 * The entry id is SHA-256(preimage): the hash the EVM P256VERIFY precompile (EIP-7951) takes, so
 * the registry contract checks exactly the signatures this module makes.
 */
import {
  type CryptoProvider,
  jwkThumbprint,
  OpenMidError,
  type PublicJwk,
  parsePublicJwk,
  type Signer,
} from '@openmid/core';
import { canonicalize } from './canonical.js';
import {
  b64uDecode,
  concatBytes,
  fromHex,
  sha256,
  toHex,
  utf8,
  writeU64,
} from './internal/bytes.js';

/** The entry types, each with its numeric kind (the contract's `Effects.kind`). */
export const ENTRY_KINDS = Object.freeze({
  genesis: 0,
  'governance.update': 1,
  'issuer.register': 2,
  'issuer.update': 3,
  'issuer.key.add': 4,
  'issuer.key.revoke': 5,
  'issuer.remove': 6,
  'rp.register': 7,
  'rp.update': 8,
  'rp.remove': 9,
  'anchor.status-list': 10,
  'anchor.document': 11,
} as const);

/** An entry type. */
export type EntryType = keyof typeof ENTRY_KINDS;

/** The subject classes. A subject's entries form one chain in the log (`prev` links). */
export type SubjectClass = 'governance' | 'issuer' | 'rp' | 'status-list' | 'document';

/** The class of the subject an entry kind is about. */
export function subjectClassOf(kind: number): SubjectClass {
  if (kind <= 1) return 'governance';
  if (kind <= 6) return 'issuer';
  if (kind <= 9) return 'rp';
  return kind === 10 ? 'status-list' : 'document';
}

/**
 * True for the trust classes (governance, issuers, relying parties): every one of their subjects
 * is in a full trust snapshot.
 */
export function isTrustClass(cls: SubjectClass): boolean {
  return cls === 'governance' || cls === 'issuer' || cls === 'rp';
}

/**
 * How much of a subject's chain a proof must carry: all of it, except for a status list, which
 * only its owner can extend and whose latest anchor alone matters. (A document's chain is carried
 * whole: any issuer may anchor the same digest, and a later anchor must not hide an earlier one.)
 */
export function chainModeOf(cls: SubjectClass): 'full' | 'tail' {
  return cls === 'status-list' ? 'tail' : 'full';
}

/** Text in Korean and English (display names, purposes). */
export interface LocalizedText {
  readonly ko: string;
  readonly en: string;
}

/** A governance key: an agency's ES256 key; `kid` is its RFC 7638 thumbprint. */
export interface GovernanceKey {
  readonly kid: string;
  readonly jwk: PublicJwk;
}

/** The governance rule: who may change the trust list, and how many of them must agree. */
export interface Governance {
  readonly keys: readonly GovernanceKey[];
  /** Distinct governance signatures every governance entry needs (1 ≤ quorum ≤ keys). */
  readonly quorum: number;
}

/** A credential-signing key of an issuer, valid in `[validFrom, validUntil)` (seconds). */
export interface IssuerKey {
  readonly kid: string;
  readonly jwk: PublicJwk;
  readonly validFrom: number;
  readonly validUntil?: number;
}

/** What an issuer is: its `iss`, names, the credential types it may issue, its validity. */
export interface IssuerProfile {
  /** The HTTPS `iss` of its credentials (exact string). */
  readonly id: string;
  readonly names: LocalizedText;
  /** Credential types (`vct`) it may issue. */
  readonly types: readonly string[];
  readonly validFrom: number;
  readonly validUntil?: number;
}

/**
 * A claim path (SD-JWT VC §C / OpenID4VP DCQL §7): member names, array indices, `null` for every
 * element of an array.
 */
export type ClaimPath = readonly (string | number | null)[];

/** The claims a relying party may request from one credential type. */
export interface RpRequest {
  readonly vct: string;
  readonly claims: readonly ClaimPath[];
}

/** A key a relying party signs its requests with. */
export interface RpKey {
  readonly kid: string;
  readonly jwk: PublicJwk;
}

/** What a relying party is registered for. */
export interface RpProfile {
  /** Its registered identifier (e.g. its OpenID4VP `client_id`). */
  readonly id: string;
  readonly names: LocalizedText;
  /** Why it asks (shown to the citizen). */
  readonly purpose: LocalizedText;
  readonly requests: readonly RpRequest[];
  /**
   * The statute that lets it process resident registration numbers (PIPA art. 24-2: consent is
   * not enough), e.g. "금융실명거래 및 비밀보장에 관한 법률 제3조"; `null` when it has none.
   */
  readonly rrnLegalBasis: string | null;
  readonly keys: readonly RpKey[];
  readonly validFrom: number;
  readonly validUntil?: number;
}

interface Timed {
  /** When the entry was made (seconds). */
  readonly iat: number;
  /** Last moment the log may accept it (seconds): bounds how long a signed proposal lives. */
  readonly exp: number;
}

/** Genesis: names the ledger and fixes the governance keys and quorum. Signed by every key. */
export interface GenesisBody extends Timed {
  readonly typ: 'genesis';
  readonly name: string;
  readonly governance: Governance;
}
/** Replace the governance keys and quorum (signed by a quorum of the current governance). */
export interface GovernanceUpdateBody extends Timed {
  readonly typ: 'governance.update';
  readonly governance: Governance;
}
/** Register an issuer with its keys. */
export interface IssuerRegisterBody extends Timed {
  readonly typ: 'issuer.register';
  readonly issuer: IssuerProfile;
  readonly keys: readonly IssuerKey[];
}
/** Replace an issuer's names, types and validity (from the time it is logged on). */
export interface IssuerUpdateBody extends Timed {
  readonly typ: 'issuer.update';
  readonly issuer: IssuerProfile;
}
/** Add a key to an issuer (rotation). */
export interface IssuerKeyAddBody extends Timed {
  readonly typ: 'issuer.key.add';
  readonly issuer: string;
  readonly key: IssuerKey;
}
/** Revoke an issuer key from `revokedAt` on (may be in the past: a compromise found late). */
export interface IssuerKeyRevokeBody extends Timed {
  readonly typ: 'issuer.key.revoke';
  readonly issuer: string;
  readonly kid: string;
  readonly revokedAt: number;
}
/** Remove an issuer from `effectiveAt` on; removal is final for that identifier. */
export interface IssuerRemoveBody extends Timed {
  readonly typ: 'issuer.remove';
  readonly issuer: string;
  readonly effectiveAt: number;
}
/** Register a relying party. */
export interface RpRegisterBody extends Timed {
  readonly typ: 'rp.register';
  readonly rp: RpProfile;
}
/** Replace a relying party's registration (from the time it is logged on). */
export interface RpUpdateBody extends Timed {
  readonly typ: 'rp.update';
  readonly rp: RpProfile;
}
/** Remove a relying party from `effectiveAt` on; final. */
export interface RpRemoveBody extends Timed {
  readonly typ: 'rp.remove';
  readonly rp: string;
  readonly effectiveAt: number;
}
/** Anchor a status list token (signed by one of the issuer's ES256 keys). */
export interface StatusAnchorBody extends Timed {
  readonly typ: 'anchor.status-list';
  readonly issuer: string;
  /** The status list URI (the token's `sub`). */
  readonly uri: string;
  /** SHA-256 of the status list token (its compact JWS text), hex. */
  readonly digest: string;
  /** The token's `iat`. */
  readonly issuedAt: number;
}
/** Anchor an official document by its hash (signed by one of the issuer's ES256 keys). */
export interface DocumentAnchorBody extends Timed {
  readonly typ: 'anchor.document';
  readonly issuer: string;
  /** SHA-256 of the document, hex. */
  readonly digest: string;
  readonly documentType: string;
}

/** Any entry body. */
export type EntryBody =
  | GenesisBody
  | GovernanceUpdateBody
  | IssuerRegisterBody
  | IssuerUpdateBody
  | IssuerKeyAddBody
  | IssuerKeyRevokeBody
  | IssuerRemoveBody
  | RpRegisterBody
  | RpUpdateBody
  | RpRemoveBody
  | StatusAnchorBody
  | DocumentAnchorBody;

/** One signature on an entry. */
export interface EntrySignature {
  /** Governance key thumbprint, or the issuer key's kid for anchors. */
  readonly kid: string;
  /** ECDSA P-256 r ‖ s over the entry preimage, 128 hex characters. */
  readonly sig: string;
}

/**
 * A signed entry (or a proposal still collecting signatures): plain JSON that travels between
 * agencies, the CLI, the log and snapshots.
 */
export interface SignedEntry {
  readonly body: EntryBody;
  readonly signatures: readonly EntrySignature[];
}

/** One key in the effects (governance or issuer key). */
export interface EffectKey {
  /** SHA-256 of the kid. */
  readonly id: Uint8Array;
  /** P-256 x (Ed25519: the public key). */
  readonly x: Uint8Array;
  /** P-256 y (Ed25519: zero). */
  readonly y: Uint8Array;
  readonly validFrom: number;
  /** 0 = no end. */
  readonly validUntil: number;
}

/**
 * The part of an entry a smart contract acts on, derived deterministically from the body.
 * Unused members are zero.
 */
export interface Effects {
  readonly kind: number;
  readonly subject: Uint8Array;
  /** Anchors: the issuer subject whose key signs. */
  readonly issuer: Uint8Array;
  readonly iat: number;
  readonly exp: number;
  /** Revocation / removal time. */
  readonly effectiveAt: number;
  /** Key revocation: SHA-256 of the revoked kid. */
  readonly keyId: Uint8Array;
  readonly quorum: number;
  readonly validFrom: number;
  /** 0 = no end. */
  readonly validUntil: number;
  readonly keys: readonly EffectKey[];
}

/** A parsed signature with its key id (SHA-256 of the kid). */
export interface ParsedSignature {
  readonly kid: string;
  readonly keyId: Uint8Array;
  readonly sig: Uint8Array;
}

/** A validated entry with everything derived from it. */
export interface ParsedEntry {
  readonly body: EntryBody;
  readonly kind: number;
  /** The subject label, e.g. `issuer:https://issuer.example`. */
  readonly subjectLabel: string;
  readonly subject: Uint8Array;
  readonly bodyHash: Uint8Array;
  readonly effects: Effects;
  readonly effectsHash: Uint8Array;
  /** Sorted by key id, ascending. */
  readonly signatures: readonly ParsedSignature[];
  /** SHA-256 over (keyId ‖ r ‖ s) of every signature in order. */
  readonly sigsHash: Uint8Array;
  /** The canonical signed entry (signatures in key-id order). */
  readonly canonical: SignedEntry;
}

/** Largest canonical body accepted (bytes). */
export const MAX_BODY_BYTES = 65_536;
/** Most signatures, governance keys or keys per entry. */
export const MAX_KEYS = 16;
/** How far in the future `iat` may be, against the log's clock (seconds). */
export const MAX_CLOCK_SKEW = 300;
/** Longest `exp − iat` window (30 days): long enough for offline cosigning by agencies. */
export const MAX_ENTRY_WINDOW = 30 * 86_400;
/** Upper bound of every time value (9999-12-31T23:59:59Z). */
export const MAX_TIME = 253_402_300_799;

const ZERO32 = new Uint8Array(32);
/** SHA-256("openmid-ledger-entry-v1"): domain separation of entry signatures. */
export const ENTRY_DOMAIN: Uint8Array = sha256(utf8('openmid-ledger-entry-v1'));

function invalid(message: string, details?: Record<string, unknown>): OpenMidError {
  return new OpenMidError('ERR_LEDGER_ENTRY_INVALID', message, details ? { details } : undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function closed(
  v: unknown,
  where: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (!isObject(v)) throw invalid(`${where} must be an object`, { where });
  for (const k of Object.keys(v)) {
    if (!required.includes(k) && !optional.includes(k)) {
      throw invalid(`${where} has an unknown member`, { where, member: k.slice(0, 64) });
    }
  }
  for (const k of required) {
    if (!Object.hasOwn(v, k)) throw invalid(`${where} lacks a member`, { where, member: k });
  }
  return v;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const TOKEN = /^[\x21-\x7e]+$/;

function text(v: unknown, where: string, max = 200): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || CONTROL.test(v)) {
    throw invalid(`${where} must be 1..${max} characters of text`, { where });
  }
  if (v.trim() !== v) throw invalid(`${where} has surrounding white space`, { where });
  return v;
}

function token(v: unknown, where: string, max = 255): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || !TOKEN.test(v)) {
    throw invalid(`${where} must be 1..${max} printable ASCII characters`, { where });
  }
  return v;
}

/** Loopback hosts: a development system on one machine (`openmid start`) names itself so. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An HTTPS URL — or an `http://` URL of a loopback host, which only a development system uses: it
 * cannot be reached from another machine, and an identifier is trusted only once the governance
 * quorum registered it, which no production governance does for a loopback name.
 */
function httpsUrl(v: unknown, where: string, max = 2048): string {
  const s = token(v, where, max);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw invalid(`${where} must be an HTTPS URL`, { where });
  }
  const loopback =
    url.protocol === 'http:' && s.startsWith('http://') && LOOPBACK.has(url.hostname);
  if (
    (!loopback && (url.protocol !== 'https:' || !s.startsWith('https://'))) ||
    url.username !== '' ||
    url.password !== '' ||
    url.hash !== '' ||
    url.host === ''
  ) {
    throw invalid(`${where} must be an HTTPS URL without credentials or fragment`, { where });
  }
  return s;
}

function issuerId(v: unknown, where: string): string {
  const s = httpsUrl(v, where, 255);
  if (new URL(s).search !== '') throw invalid(`${where} must not have a query`, { where });
  return s;
}

function time(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_TIME) {
    throw invalid(`${where} must be a time in seconds`, { where });
  }
  return v;
}

function digestHex(v: unknown, where: string): string {
  if (typeof v !== 'string' || fromHex(v, 32) === undefined) {
    throw invalid(`${where} must be 64 lowercase hex characters`, { where });
  }
  return v;
}

function localized(v: unknown, where: string): LocalizedText {
  const o = closed(v, where, ['ko', 'en']);
  return { ko: text(o['ko'], `${where}.ko`), en: text(o['en'], `${where}.en`) };
}

function window(
  o: Record<string, unknown>,
  where: string,
): { validFrom: number; validUntil?: number } {
  const validFrom = time(o['validFrom'], `${where}.validFrom`);
  if (o['validUntil'] === undefined) return { validFrom };
  const validUntil = time(o['validUntil'], `${where}.validUntil`);
  if (validUntil <= validFrom)
    throw invalid(`${where}.validUntil must be after validFrom`, { where });
  return { validFrom, validUntil };
}

function list<T>(v: unknown, where: string, max: number, item: (x: unknown, w: string) => T): T[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > max) {
    throw invalid(`${where} must be a list of 1..${max} items`, { where });
  }
  return v.map((x, i) => item(x, `${where}[${i}]`));
}

function unique(xs: readonly string[], where: string): void {
  if (new Set(xs).size !== xs.length) throw invalid(`${where} has duplicates`, { where });
}

/** A public JWK in its minimal form: exactly kty, crv, x (and y for EC). */
function publicJwk(v: unknown, where: string, ecOnly: boolean): PublicJwk {
  const o = isObject(v) ? v : {};
  const ec = o['kty'] === 'EC';
  const members = ec ? ['kty', 'crv', 'x', 'y'] : ['kty', 'crv', 'x'];
  closed(v, where, members);
  if (ecOnly && !ec) throw invalid(`${where} must be a P-256 (ES256) key`, { where });
  try {
    const parsed = parsePublicJwk(o, ec ? 'ES256' : 'EdDSA');
    return parsed.jwk;
  } catch (e) {
    throw new OpenMidError('ERR_LEDGER_ENTRY_INVALID', `${where} is not a valid public key`, {
      cause: e,
      details: { where },
    });
  }
}

function governance(v: unknown, where: string, crypto?: CryptoProvider): Governance {
  const o = closed(v, where, ['keys', 'quorum']);
  const keys = list(o['keys'], `${where}.keys`, MAX_KEYS, (x, w) => {
    const k = closed(x, w, ['kid', 'jwk']);
    const jwk = publicJwk(k['jwk'], `${w}.jwk`, true);
    const kid = token(k['kid'], `${w}.kid`, 128);
    if (kid !== jwkThumbprint(jwk, 'sha-256', crypto ? { crypto } : undefined)) {
      throw invalid(`${w}.kid must be the RFC 7638 thumbprint of the key`, { where: w });
    }
    return { kid, jwk };
  });
  unique(
    keys.map((k) => k.kid),
    `${where}.keys`,
  );
  const quorum = o['quorum'];
  if (
    typeof quorum !== 'number' ||
    !Number.isInteger(quorum) ||
    quorum < 1 ||
    quorum > keys.length
  ) {
    throw invalid(`${where}.quorum must be between 1 and the number of keys`, { where });
  }
  return { keys, quorum };
}

function issuerKey(v: unknown, where: string): IssuerKey {
  const o = closed(v, where, ['kid', 'jwk', 'validFrom'], ['validUntil']);
  return {
    kid: token(o['kid'], `${where}.kid`, 128),
    jwk: publicJwk(o['jwk'], `${where}.jwk`, false),
    ...window(o, where),
  };
}

function issuerProfile(v: unknown, where: string): IssuerProfile {
  const o = closed(v, where, ['id', 'names', 'types', 'validFrom'], ['validUntil']);
  const types = list(o['types'], `${where}.types`, 64, (x, w) => token(x, w));
  unique(types, `${where}.types`);
  return {
    id: issuerId(o['id'], `${where}.id`),
    names: localized(o['names'], `${where}.names`),
    types,
    ...window(o, where),
  };
}

function claimPath(v: unknown, where: string): ClaimPath {
  return list(v, where, 16, (x, w) => {
    if (x === null) return null;
    if (typeof x === 'number') {
      if (!Number.isInteger(x) || x < 0 || x > 0x7fff_ffff)
        throw invalid(`${w} bad index`, { where: w });
      return x;
    }
    return text(x, w, 128);
  });
}

function rpProfile(v: unknown, where: string): RpProfile {
  const o = closed(
    v,
    where,
    ['id', 'names', 'purpose', 'requests', 'rrnLegalBasis', 'keys', 'validFrom'],
    ['validUntil'],
  );
  const requests = list(o['requests'], `${where}.requests`, 64, (x, w) => {
    const r = closed(x, w, ['vct', 'claims']);
    const claims = list(r['claims'], `${w}.claims`, 256, claimPath);
    unique(
      claims.map((c) => JSON.stringify(c)),
      `${w}.claims`,
    );
    return { vct: token(r['vct'], `${w}.vct`), claims };
  });
  unique(
    requests.map((r) => r.vct),
    `${where}.requests`,
  );
  const basis = o['rrnLegalBasis'];
  const keys = list(o['keys'], `${where}.keys`, MAX_KEYS, (x, w) => {
    const k = closed(x, w, ['kid', 'jwk']);
    return { kid: token(k['kid'], `${w}.kid`, 128), jwk: publicJwk(k['jwk'], `${w}.jwk`, false) };
  });
  unique(
    keys.map((k) => k.kid),
    `${where}.keys`,
  );
  return {
    id: token(o['id'], `${where}.id`),
    names: localized(o['names'], `${where}.names`),
    purpose: localized(o['purpose'], `${where}.purpose`),
    requests,
    rrnLegalBasis: basis === null ? null : text(basis, `${where}.rrnLegalBasis`, 300),
    keys,
    ...window(o, where),
  };
}

/**
 * Validate an untrusted body against its closed schema. Returns a fresh, normalised object (no
 * member outside the schema survives, so JCS of the result is the canonical body).
 */
export function parseBody(value: unknown, crypto?: CryptoProvider): EntryBody {
  if (!isObject(value)) throw invalid('The entry body must be an object');
  const typ = value['typ'];
  if (typeof typ !== 'string' || !Object.hasOwn(ENTRY_KINDS, typ)) {
    throw invalid('Unknown entry type');
  }
  const t = typ as EntryType;
  const base = ['typ', 'iat', 'exp'];
  const fields: Record<EntryType, readonly string[]> = {
    genesis: ['name', 'governance'],
    'governance.update': ['governance'],
    'issuer.register': ['issuer', 'keys'],
    'issuer.update': ['issuer'],
    'issuer.key.add': ['issuer', 'key'],
    'issuer.key.revoke': ['issuer', 'kid', 'revokedAt'],
    'issuer.remove': ['issuer', 'effectiveAt'],
    'rp.register': ['rp'],
    'rp.update': ['rp'],
    'rp.remove': ['rp', 'effectiveAt'],
    'anchor.status-list': ['issuer', 'uri', 'digest', 'issuedAt'],
    'anchor.document': ['issuer', 'digest', 'documentType'],
  };
  const o = closed(value, 'body', [...base, ...fields[t]]);
  const iat = time(o['iat'], 'body.iat');
  const exp = time(o['exp'], 'body.exp');
  const timed = { iat, exp };
  switch (t) {
    case 'genesis':
      return {
        typ: t,
        ...timed,
        name: text(o['name'], 'body.name'),
        governance: governance(o['governance'], 'body.governance', crypto),
      };
    case 'governance.update':
      return {
        typ: t,
        ...timed,
        governance: governance(o['governance'], 'body.governance', crypto),
      };
    case 'issuer.register': {
      const keys = list(o['keys'], 'body.keys', MAX_KEYS, issuerKey);
      unique(
        keys.map((k) => k.kid),
        'body.keys',
      );
      return { typ: t, ...timed, issuer: issuerProfile(o['issuer'], 'body.issuer'), keys };
    }
    case 'issuer.update':
      return { typ: t, ...timed, issuer: issuerProfile(o['issuer'], 'body.issuer') };
    case 'issuer.key.add':
      return {
        typ: t,
        ...timed,
        issuer: issuerId(o['issuer'], 'body.issuer'),
        key: issuerKey(o['key'], 'body.key'),
      };
    case 'issuer.key.revoke':
      return {
        typ: t,
        ...timed,
        issuer: issuerId(o['issuer'], 'body.issuer'),
        kid: token(o['kid'], 'body.kid', 128),
        revokedAt: time(o['revokedAt'], 'body.revokedAt'),
      };
    case 'issuer.remove':
      return {
        typ: t,
        ...timed,
        issuer: issuerId(o['issuer'], 'body.issuer'),
        effectiveAt: time(o['effectiveAt'], 'body.effectiveAt'),
      };
    case 'rp.register':
    case 'rp.update':
      return { typ: t, ...timed, rp: rpProfile(o['rp'], 'body.rp') };
    case 'rp.remove':
      return {
        typ: t,
        ...timed,
        rp: token(o['rp'], 'body.rp'),
        effectiveAt: time(o['effectiveAt'], 'body.effectiveAt'),
      };
    case 'anchor.status-list':
      return {
        typ: t,
        ...timed,
        issuer: issuerId(o['issuer'], 'body.issuer'),
        uri: httpsUrl(o['uri'], 'body.uri'),
        digest: digestHex(o['digest'], 'body.digest'),
        issuedAt: time(o['issuedAt'], 'body.issuedAt'),
      };
    case 'anchor.document':
      return {
        typ: t,
        ...timed,
        issuer: issuerId(o['issuer'], 'body.issuer'),
        digest: digestHex(o['digest'], 'body.digest'),
        documentType: token(o['documentType'], 'body.documentType', 128),
      };
  }
}

/** The subject label of a body: which chain of the log it extends. */
export function subjectLabelOf(body: EntryBody): string {
  switch (body.typ) {
    case 'genesis':
    case 'governance.update':
      return 'governance';
    case 'issuer.register':
    case 'issuer.update':
      return `issuer:${body.issuer.id}`;
    case 'issuer.key.add':
    case 'issuer.key.revoke':
    case 'issuer.remove':
      return `issuer:${body.issuer}`;
    case 'rp.register':
    case 'rp.update':
      return `rp:${body.rp.id}`;
    case 'rp.remove':
      return `rp:${body.rp}`;
    case 'anchor.status-list':
      return `status-list:${body.uri}`;
    case 'anchor.document':
      return `document:${body.digest}`;
  }
}

/** The 32-byte subject of a label: SHA-256 of its UTF-8. */
export function subjectOf(label: string, crypto?: CryptoProvider): Uint8Array {
  return sha256(utf8(label), crypto);
}

/** SHA-256 of a kid: how keys are named on chain. */
export function keyIdOf(kid: string, crypto?: CryptoProvider): Uint8Array {
  return sha256(utf8(kid), crypto);
}

function keyCoordinates(jwk: PublicJwk): { x: Uint8Array; y: Uint8Array } {
  const x = b64uDecode(jwk.x) ?? ZERO32;
  const y = jwk.y === undefined ? ZERO32 : (b64uDecode(jwk.y) ?? ZERO32);
  return { x, y };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

function effectKeys(
  keys: readonly { kid: string; jwk: PublicJwk; validFrom?: number; validUntil?: number }[],
  crypto?: CryptoProvider,
): EffectKey[] {
  return keys
    .map((k) => ({
      id: keyIdOf(k.kid, crypto),
      ...keyCoordinates(k.jwk),
      validFrom: k.validFrom ?? 0,
      validUntil: k.validUntil ?? 0,
    }))
    .sort((a, b) => compareBytes(a.id, b.id));
}

/** Derive the effects of a body (deterministic; see the module comment). */
export function effectsOf(body: EntryBody, crypto?: CryptoProvider): Effects {
  const base = {
    kind: ENTRY_KINDS[body.typ],
    subject: subjectOf(subjectLabelOf(body), crypto),
    issuer: ZERO32,
    iat: body.iat,
    exp: body.exp,
    effectiveAt: 0,
    keyId: ZERO32,
    quorum: 0,
    validFrom: 0,
    validUntil: 0,
    keys: [] as EffectKey[],
  };
  switch (body.typ) {
    case 'genesis':
    case 'governance.update':
      return {
        ...base,
        quorum: body.governance.quorum,
        keys: effectKeys(body.governance.keys, crypto),
      };
    case 'issuer.register':
      return {
        ...base,
        validFrom: body.issuer.validFrom,
        validUntil: body.issuer.validUntil ?? 0,
        keys: effectKeys(body.keys, crypto),
      };
    case 'issuer.update':
      return { ...base, validFrom: body.issuer.validFrom, validUntil: body.issuer.validUntil ?? 0 };
    case 'issuer.key.add':
      return { ...base, keys: effectKeys([body.key], crypto) };
    case 'issuer.key.revoke':
      return { ...base, keyId: keyIdOf(body.kid, crypto), effectiveAt: body.revokedAt };
    case 'issuer.remove':
    case 'rp.remove':
      return { ...base, effectiveAt: body.effectiveAt };
    case 'rp.register':
    case 'rp.update':
      return { ...base, validFrom: body.rp.validFrom, validUntil: body.rp.validUntil ?? 0 };
    case 'anchor.status-list':
    case 'anchor.document':
      return { ...base, issuer: subjectOf(`issuer:${body.issuer}`, crypto) };
  }
}

/**
 * The fixed binary layout of effects (big-endian), which the registry contract rebuilds with
 * `abi.encodePacked`:
 * kind u8 ‖ subject 32 ‖ issuer 32 ‖ iat u64 ‖ exp u64 ‖ effectiveAt u64 ‖ keyId 32 ‖ quorum u8 ‖
 * validFrom u64 ‖ validUntil u64 ‖ keyCount u8 ‖ (id 32 ‖ x 32 ‖ y 32 ‖ validFrom u64 ‖
 * validUntil u64) per key.
 */
export function encodeEffects(e: Effects): Uint8Array {
  const out = new Uint8Array(139 + e.keys.length * 112);
  let o = 0;
  out[o++] = e.kind;
  out.set(e.subject, o);
  o += 32;
  out.set(e.issuer, o);
  o += 32;
  writeU64(out, o, e.iat);
  o += 8;
  writeU64(out, o, e.exp);
  o += 8;
  writeU64(out, o, e.effectiveAt);
  o += 8;
  out.set(e.keyId, o);
  o += 32;
  out[o++] = e.quorum;
  writeU64(out, o, e.validFrom);
  o += 8;
  writeU64(out, o, e.validUntil);
  o += 8;
  out[o++] = e.keys.length;
  for (const k of e.keys) {
    out.set(k.id, o);
    o += 32;
    out.set(k.x, o);
    o += 32;
    out.set(k.y, o);
    o += 32;
    writeU64(out, o, k.validFrom);
    o += 8;
    writeU64(out, o, k.validUntil);
    o += 8;
  }
  return out;
}

function parseSignatures(value: unknown, crypto?: CryptoProvider): ParsedSignature[] {
  if (!Array.isArray(value) || value.length > MAX_KEYS) {
    throw new OpenMidError('ERR_LEDGER_SIGNATURE_INVALID', `At most ${MAX_KEYS} signatures`);
  }
  const sigs = value.map((s, i) => {
    if (!isObject(s) || Object.keys(s).some((k) => k !== 'kid' && k !== 'sig')) {
      throw new OpenMidError('ERR_LEDGER_SIGNATURE_INVALID', 'Malformed signature', {
        details: { signature: i },
      });
    }
    const kid = s['kid'];
    const sig = typeof s['sig'] === 'string' ? fromHex(s['sig'], 64) : undefined;
    if (typeof kid !== 'string' || !TOKEN.test(kid) || kid.length > 128 || sig === undefined) {
      throw new OpenMidError('ERR_LEDGER_SIGNATURE_INVALID', 'Malformed signature', {
        details: { signature: i },
      });
    }
    return { kid, keyId: keyIdOf(kid, crypto), sig };
  });
  sigs.sort((a, b) => compareBytes(a.keyId, b.keyId));
  for (let i = 1; i < sigs.length; i++) {
    if (
      compareBytes((sigs[i - 1] as ParsedSignature).keyId, (sigs[i] as ParsedSignature).keyId) === 0
    ) {
      // The same key twice never counts twice towards a quorum (and the contract refuses it).
      throw new OpenMidError('ERR_LEDGER_QUORUM_NOT_MET', 'The same key signed more than once');
    }
  }
  return sigs;
}

/** SHA-256 over keyId ‖ r ‖ s of each signature, in key-id order (the contract's sigsHash). */
export function signaturesHash(
  sigs: readonly ParsedSignature[],
  crypto?: CryptoProvider,
): Uint8Array {
  return sha256(concatBytes(...sigs.flatMap((s) => [s.keyId, s.sig])), crypto);
}

/**
 * Parse and validate an untrusted signed entry (or proposal). Throws ERR_LEDGER_ENTRY_INVALID for
 * a bad body, ERR_LEDGER_SIGNATURE_INVALID for a malformed signature and ERR_LEDGER_QUORUM_NOT_MET
 * for a key that signed twice. Signatures are NOT verified here (that needs the ledger state).
 */
export function parseEntry(value: unknown, crypto?: CryptoProvider): ParsedEntry {
  if (!isObject(value)) throw invalid('A signed entry must be an object');
  for (const k of Object.keys(value)) {
    if (k !== 'body' && k !== 'signatures') throw invalid('A signed entry has an unknown member');
  }
  const body = parseBody(value['body'], crypto);
  const bodyText = canonicalize(body);
  const bodyBytes = utf8(bodyText);
  if (bodyBytes.length > MAX_BODY_BYTES) throw invalid('The entry body is too large');
  const signatures = parseSignatures(value['signatures'] ?? [], crypto);
  const effects = effectsOf(body, crypto);
  const subjectLabel = subjectLabelOf(body);
  return {
    body,
    kind: effects.kind,
    subjectLabel,
    subject: effects.subject,
    bodyHash: sha256(bodyBytes, crypto),
    effects,
    effectsHash: sha256(encodeEffects(effects), crypto),
    signatures,
    sigsHash: signaturesHash(signatures, crypto),
    canonical: {
      body,
      signatures: signatures.map((s) => ({ kid: s.kid, sig: toHex(s.sig) })),
    },
  };
}

/** The 128-byte message every signer of the entry signs (see the module comment). */
export function entryPreimage(
  entry: Pick<ParsedEntry, 'bodyHash' | 'effectsHash' | 'kind'>,
  ledgerId: Uint8Array | undefined,
): Uint8Array {
  const id = entry.kind === ENTRY_KINDS.genesis ? ZERO32 : ledgerId;
  if (id === undefined || id.length !== 32) {
    throw new OpenMidError('ERR_LEDGER_GENESIS_MISMATCH', 'The ledger id is required to sign');
  }
  return concatBytes(ENTRY_DOMAIN, id, entry.bodyHash, entry.effectsHash);
}

/** The entry id: SHA-256 of the preimage (also the hash the contract's P256VERIFY takes). */
export function entryIdOf(
  entry: Pick<ParsedEntry, 'bodyHash' | 'effectsHash' | 'kind'>,
  ledgerId: Uint8Array | undefined,
  crypto?: CryptoProvider,
): Uint8Array {
  return sha256(entryPreimage(entry, ledgerId), crypto);
}

/** The canonical JSON text of a signed entry (how logs store it). */
export function entryText(entry: ParsedEntry): string {
  return canonicalize(entry.canonical);
}

/**
 * Start a proposal: a validated body with no signatures yet. Agencies pass it around (a JSON
 * file) and each adds its signature with {@link cosign}.
 *
 * @example
 * ```ts
 * let p = propose({ typ: 'issuer.register', iat, exp, issuer, keys })
 * p = await cosign(p, policeSigner, { ledgerId })
 * p = await cosign(p, moisSigner, { ledgerId })   // 2 of 3: ready to submit
 * ```
 */
export function propose(body: EntryBody, crypto?: CryptoProvider): SignedEntry {
  return { body: parseBody(body, crypto), signatures: [] };
}

/** Options of {@link cosign}. */
export interface CosignOptions {
  /** The ledger's id (hex of the genesis entry id); ignored for the genesis entry. */
  readonly ledgerId?: string;
  /** The kid to sign as (default: the signer's kid, else the RFC 7638 thumbprint of its key). */
  readonly kid?: string;
  readonly crypto?: CryptoProvider;
}

/**
 * Add (or replace) the signature of `signer` on a proposal. The signer must be an ES256 key: the
 * same signature is checked off-chain and by the EVM P256VERIFY precompile.
 */
export async function cosign(
  entry: SignedEntry,
  signer: Signer,
  options: CosignOptions = {},
): Promise<SignedEntry> {
  const { crypto } = options;
  if (signer.alg !== 'ES256') {
    throw new OpenMidError('ERR_INPUT_INVALID', 'Ledger entries are signed with ES256 keys');
  }
  const parsed = parseEntry(entry, crypto);
  const ledgerId = options.ledgerId === undefined ? undefined : fromHex(options.ledgerId, 32);
  if (options.ledgerId !== undefined && ledgerId === undefined) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'ledgerId must be 64 hex characters');
  }
  const kid =
    options.kid ??
    signer.kid ??
    jwkThumbprint(signer.publicJwk, 'sha-256', crypto ? { crypto } : undefined);
  const sig = await signer.sign(entryPreimage(parsed, ledgerId));
  const others = parsed.canonical.signatures.filter((s) => s.kid !== kid);
  return parseEntry(
    { body: parsed.body, signatures: [...others, { kid, sig: toHex(sig) }] },
    crypto,
  ).canonical;
}

/** The id of a ledger: hex of its genesis entry id. */
export function ledgerIdOf(genesis: SignedEntry, crypto?: CryptoProvider): string {
  const parsed = parseEntry(genesis, crypto);
  if (parsed.kind !== ENTRY_KINDS.genesis) throw invalid('Not a genesis entry');
  return toHex(entryIdOf(parsed, undefined, crypto));
}

/**
 * The leaf data of one log position (114 bytes), hashed as an RFC 9162 leaf:
 * version u8 (1) ‖ kind u8 ‖ time u64 ‖ prev u64 ‖ subject 32 ‖ entryId 32 ‖ sigsHash 32.
 * `time` is the log's clock when it appended the entry (the EVM block timestamp); `prev` is one
 * more than the index of the previous entry of the same subject (0: none), so a subject's entries
 * form a chain that a proof can show complete.
 */
export function encodeRecord(r: {
  readonly kind: number;
  readonly time: number;
  readonly prev: number | null;
  readonly subject: Uint8Array;
  readonly entryId: Uint8Array;
  readonly sigsHash: Uint8Array;
}): Uint8Array {
  const out = new Uint8Array(114);
  out[0] = 1;
  out[1] = r.kind;
  writeU64(out, 2, r.time);
  writeU64(out, 10, r.prev === null ? 0 : r.prev + 1);
  out.set(r.subject, 18);
  out.set(r.entryId, 50);
  out.set(r.sigsHash, 82);
  return out;
}
