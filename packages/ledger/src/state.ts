/**
 * @module state
 * The ledger's state machine, shared by every backend and by offline verifiers: which entries
 * are allowed (signatures, governance quorum, issuer keys, preconditions) and what they change.
 *
 * The state is partitioned by *subject* (governance, each issuer, each relying party, each status
 * list, each document): an entry's validity depends only on the governance state, its own
 * subject's state and, for anchors, the anchoring issuer's state. That is what lets a proof carry
 * only a few subject chains and still be re-checked exactly ({@link ./proof.js}).
 *
 * Times. `time` is the log's clock when it appended an entry (the block timestamp on a chain).
 * Validity windows (`validFrom`/`validUntil`, key `revokedAt`, removal `effectiveAt`) are facts
 * about the world and may lie in the past; name, type and registration changes take effect from
 * the time they were logged.
 */
import {
  type CryptoProvider,
  createVerifier,
  importPublicKey,
  OpenMidError,
  type Verifier,
} from '@openmid/core';
import {
  ENTRY_KINDS,
  type GovernanceKey,
  type IssuerKey,
  type LocalizedText,
  MAX_CLOCK_SKEW,
  MAX_ENTRY_WINDOW,
  type ParsedEntry,
  type ParsedSignature,
  type RpProfile,
  type SubjectClass,
  subjectClassOf,
} from './entry.js';
import { toHex } from './internal/bytes.js';

/** An issuer key as the ledger knows it. */
export interface KeyState extends IssuerKey {
  /** Log time of the entry that added it. */
  readonly addedAt: number;
  readonly addedIn: number;
  /** Set by a revocation (the earliest one wins). */
  readonly revokedAt?: number;
}

/** One version of an issuer's registration, in force from `since` (log time). */
export interface IssuerVersion {
  readonly since: number;
  readonly index: number;
  readonly names: LocalizedText;
  readonly types: readonly string[];
  readonly validFrom: number;
  readonly validUntil?: number;
}

/** An issuer. */
export interface IssuerState {
  readonly id: string;
  readonly versions: readonly IssuerVersion[];
  readonly keys: ReadonlyMap<string, KeyState>;
  /** Set by a removal entry: the issuer is inactive from then on (final). */
  readonly removedAt?: number;
  readonly entries: readonly number[];
}

/** One version of a relying party's registration, in force from `since` (log time). */
export interface RpVersion {
  readonly since: number;
  readonly index: number;
  readonly profile: RpProfile;
}

/** A relying party. */
export interface RpState {
  readonly id: string;
  readonly versions: readonly RpVersion[];
  readonly removedAt?: number;
  readonly entries: readonly number[];
}

/** The latest anchor of a status list. */
export interface StatusListAnchor {
  readonly uri: string;
  readonly issuer: string;
  readonly digest: string;
  readonly issuedAt: number;
  readonly index: number;
  readonly time: number;
}

/** One anchor of a document. */
export interface DocumentAnchor {
  readonly digest: string;
  readonly issuer: string;
  readonly documentType: string;
  readonly index: number;
  readonly time: number;
}

/** The current governance. */
export interface GovernanceState {
  readonly keys: readonly GovernanceKey[];
  readonly quorum: number;
  readonly index: number;
}

/** The last entry of a subject (the head of its chain). */
export interface SubjectTail {
  readonly label: string;
  readonly cls: SubjectClass;
  readonly index: number;
}

/** A logged entry that the state machine refused (only possible on a chain: see the ADR). */
export interface Rejection {
  readonly index: number;
  readonly code: string;
}

/** The derived state of (a prefix of) a ledger. Mutated only through {@link applyEntry}. */
export interface LedgerState {
  ledgerId: string | undefined;
  name: string | undefined;
  size: number;
  governance: GovernanceState | undefined;
  readonly issuers: Map<string, IssuerState>;
  readonly rps: Map<string, RpState>;
  readonly statusLists: Map<string, StatusListAnchor>;
  /** Document anchors by digest (only when tracked: a national log holds millions). */
  readonly documents: Map<string, DocumentAnchor[]>;
  /** Subject (hex) → its last entry; documents only when tracked. */
  readonly tails: Map<string, SubjectTail>;
  readonly rejected: Rejection[];
  readonly trackDocuments: boolean;
}

/** Options of {@link createLedgerState}. */
export interface LedgerStateOptions {
  /** Keep document anchors in memory (default true; the embedded log answers them from SQL). */
  readonly trackDocuments?: boolean;
}

/** An empty state (before genesis). */
export function createLedgerState(options: LedgerStateOptions = {}): LedgerState {
  return {
    ledgerId: undefined,
    name: undefined,
    size: 0,
    governance: undefined,
    issuers: new Map(),
    rps: new Map(),
    statusLists: new Map(),
    documents: new Map(),
    tails: new Map(),
    rejected: [],
    trackDocuments: options.trackDocuments ?? true,
  };
}

/** Where and when an entry is (to be) logged. */
export interface LogPosition {
  readonly index: number;
  /** The log's clock (seconds). */
  readonly time: number;
}

/** Imported verification keys, by JWK, reused across entries (snapshots verify thousands). */
export type VerifierCache = Map<string, Promise<Verifier>>;

/** Options of {@link checkEntry}. */
export interface CheckOptions {
  readonly crypto?: CryptoProvider;
  readonly verifiers?: VerifierCache;
  /** Skip signature verification: only for replaying a log this process itself validated. */
  readonly trusted?: boolean;
}

function err(
  code:
    | 'ERR_LEDGER_ENTRY_INVALID'
    | 'ERR_LEDGER_ENTRY_EXPIRED'
    | 'ERR_LEDGER_SIGNATURE_INVALID'
    | 'ERR_LEDGER_QUORUM_NOT_MET'
    | 'ERR_LEDGER_UNAUTHORISED'
    | 'ERR_LEDGER_NOT_FOUND'
    | 'ERR_LEDGER_CONFLICT',
  message: string,
): OpenMidError {
  return new OpenMidError(code, message);
}

async function verifierFor(jwk: GovernanceKey['jwk'], options: CheckOptions): Promise<Verifier> {
  const cache = options.verifiers;
  const key = `${jwk.kty}.${jwk.crv}.${jwk.x}.${jwk.y ?? ''}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const made = importPublicKey(jwk, options.crypto ? { crypto: options.crypto } : undefined).then(
    (h) => createVerifier(h, options.crypto ? { crypto: options.crypto } : undefined),
  );
  cache?.set(key, made);
  try {
    return await made;
  } catch (e) {
    cache?.delete(key);
    throw new OpenMidError('ERR_LEDGER_ENTRY_INVALID', 'A public key cannot be imported', {
      cause: e,
    });
  }
}

async function verifyAll(
  sigs: readonly { sig: ParsedSignature; jwk: GovernanceKey['jwk'] }[],
  preimage: Uint8Array,
  options: CheckOptions,
): Promise<void> {
  if (options.trusted === true) return;
  const results = await Promise.all(
    sigs.map(async ({ sig, jwk }) => (await verifierFor(jwk, options)).verify(preimage, sig.sig)),
  );
  if (results.some((ok) => !ok)) {
    throw err('ERR_LEDGER_SIGNATURE_INVALID', 'A signature does not verify');
  }
}

/** Whether an issuer is active at `at` according to the version in force then. */
export function issuerVersionAt(issuer: IssuerState, at: number): IssuerVersion {
  let v = issuer.versions[0] as IssuerVersion;
  for (const candidate of issuer.versions) if (candidate.since <= at) v = candidate;
  return v;
}

/** The reason an issuer is not active at `at`, or undefined when it is. */
export function issuerInactiveReason(
  issuer: IssuerState,
  at: number,
): 'not-yet-valid' | 'expired' | 'removed' | undefined {
  const v = issuerVersionAt(issuer, at);
  if (issuer.removedAt !== undefined && at >= issuer.removedAt) return 'removed';
  if (at < v.validFrom) return 'not-yet-valid';
  if (v.validUntil !== undefined && at >= v.validUntil) return 'expired';
  return undefined;
}

/** Whether a key is valid at `at` (its own window and any revocation). */
export function keyValidAt(key: KeyState, at: number): boolean {
  if (at < key.validFrom) return false;
  if (key.validUntil !== undefined && at >= key.validUntil) return false;
  if (key.revokedAt !== undefined && at >= key.revokedAt) return false;
  return true;
}

function checkTime(entry: ParsedEntry, time: number): void {
  const { iat, exp } = entry.body;
  if (exp < iat || exp - iat > MAX_ENTRY_WINDOW) {
    throw err('ERR_LEDGER_ENTRY_EXPIRED', 'The entry window (iat..exp) is invalid or too long');
  }
  if (iat > time + MAX_CLOCK_SKEW)
    throw err('ERR_LEDGER_ENTRY_EXPIRED', 'The entry iat is in the future');
  if (time > exp) throw err('ERR_LEDGER_ENTRY_EXPIRED', 'The entry expired before it was logged');
}

async function checkGovernanceSignatures(
  state: LedgerState,
  entry: ParsedEntry,
  preimage: Uint8Array,
  options: CheckOptions,
): Promise<void> {
  const body = entry.body;
  if (body.typ === 'genesis') {
    // Genesis: every named governance key signs it (each agency shows it holds its key).
    const byKid = new Map(body.governance.keys.map((k) => [k.kid, k]));
    const pairs = entry.signatures.map((sig) => {
      const k = byKid.get(sig.kid);
      if (!k) throw err('ERR_LEDGER_SIGNATURE_INVALID', 'A genesis signer is not a governance key');
      return { sig, jwk: k.jwk };
    });
    if (pairs.length !== body.governance.keys.length) {
      throw err('ERR_LEDGER_QUORUM_NOT_MET', 'Every genesis governance key must sign');
    }
    await verifyAll(pairs, preimage, options);
    return;
  }
  const gov = state.governance;
  if (!gov) throw err('ERR_LEDGER_ENTRY_INVALID', 'The ledger has no genesis');
  const byKid = new Map(gov.keys.map((k) => [k.kid, k]));
  const pairs = entry.signatures.map((sig) => {
    const k = byKid.get(sig.kid);
    if (!k) throw err('ERR_LEDGER_SIGNATURE_INVALID', 'A signer is not a governance key');
    return { sig, jwk: k.jwk };
  });
  // Signatures are distinct by construction (parseEntry refuses a key that signs twice).
  if (pairs.length < gov.quorum) {
    throw err('ERR_LEDGER_QUORUM_NOT_MET', 'Fewer governance signatures than the quorum');
  }
  await verifyAll(pairs, preimage, options);
}

async function checkAnchorSignature(
  state: LedgerState,
  entry: ParsedEntry,
  at: LogPosition,
  preimage: Uint8Array,
  options: CheckOptions,
): Promise<void> {
  const body = entry.body;
  if (body.typ !== 'anchor.status-list' && body.typ !== 'anchor.document') return;
  if (entry.signatures.length !== 1) {
    throw err('ERR_LEDGER_UNAUTHORISED', 'An anchor carries exactly one issuer signature');
  }
  const sig = entry.signatures[0] as ParsedSignature;
  const issuer = state.issuers.get(body.issuer);
  if (!issuer || issuerInactiveReason(issuer, at.time) !== undefined) {
    throw err('ERR_LEDGER_UNAUTHORISED', 'The anchoring issuer is not active');
  }
  const key = issuer.keys.get(sig.kid);
  if (key?.jwk.kty !== 'EC' || !keyValidAt(key, at.time)) {
    throw err('ERR_LEDGER_UNAUTHORISED', 'The anchor is not signed by a valid ES256 issuer key');
  }
  if (body.typ === 'anchor.status-list') {
    const prev = state.statusLists.get(body.uri);
    if (prev && prev.issuer !== body.issuer) {
      throw err('ERR_LEDGER_UNAUTHORISED', 'The status list belongs to another issuer');
    }
  }
  await verifyAll([{ sig, jwk: key.jwk }], preimage, options);
}

async function checkPreconditions(
  state: LedgerState,
  entry: ParsedEntry,
  options: CheckOptions,
): Promise<void> {
  const body = entry.body;
  const importAll = async (keys: readonly { jwk: GovernanceKey['jwk'] }[]): Promise<void> => {
    if (options.trusted === true) return;
    // A registered key must be a real point on its curve (import checks it).
    await Promise.all(keys.map((k) => verifierFor(k.jwk, options)));
  };
  const liveIssuer = (id: string): IssuerState => {
    const issuer = state.issuers.get(id);
    if (!issuer) throw err('ERR_LEDGER_NOT_FOUND', 'Unknown issuer');
    if (issuer.removedAt !== undefined) throw err('ERR_LEDGER_CONFLICT', 'The issuer was removed');
    return issuer;
  };
  const liveRp = (id: string): RpState => {
    const rp = state.rps.get(id);
    if (!rp) throw err('ERR_LEDGER_NOT_FOUND', 'Unknown relying party');
    if (rp.removedAt !== undefined)
      throw err('ERR_LEDGER_CONFLICT', 'The relying party was removed');
    return rp;
  };
  switch (body.typ) {
    case 'genesis':
    case 'governance.update':
      await importAll(body.governance.keys);
      return;
    case 'issuer.register':
      if (state.issuers.has(body.issuer.id)) {
        throw err('ERR_LEDGER_CONFLICT', 'The issuer is already registered');
      }
      await importAll(body.keys);
      return;
    case 'issuer.update':
      liveIssuer(body.issuer.id);
      return;
    case 'issuer.key.add':
      if (liveIssuer(body.issuer).keys.has(body.key.kid)) {
        throw err('ERR_LEDGER_CONFLICT', 'The key id is already registered for this issuer');
      }
      await importAll([body.key]);
      return;
    case 'issuer.key.revoke': {
      const issuer = state.issuers.get(body.issuer);
      if (!issuer) throw err('ERR_LEDGER_NOT_FOUND', 'Unknown issuer');
      if (!issuer.keys.has(body.kid)) throw err('ERR_LEDGER_NOT_FOUND', 'Unknown key id');
      return;
    }
    case 'issuer.remove':
      liveIssuer(body.issuer);
      return;
    case 'rp.register':
      if (state.rps.has(body.rp.id)) {
        throw err('ERR_LEDGER_CONFLICT', 'The relying party is already registered');
      }
      await importAll(body.rp.keys);
      return;
    case 'rp.update':
      liveRp(body.rp.id);
      await importAll(body.rp.keys);
      return;
    case 'rp.remove':
      liveRp(body.rp);
      return;
    case 'anchor.status-list':
    case 'anchor.document':
      return;
  }
}

/**
 * Decide whether `entry` may be logged at `at` on top of `state`. Throws the coded reason;
 * changes nothing. Order: position, time window, signatures and quorum, then state preconditions
 * (so an unsigned entry learns nothing about the ledger's contents).
 *
 * @param preimage the entry's signing preimage (see {@link ./entry.js} `entryPreimage`).
 */
export async function checkEntry(
  state: LedgerState,
  entry: ParsedEntry,
  at: LogPosition & { readonly preimage: Uint8Array },
  options: CheckOptions = {},
): Promise<void> {
  // A partial replay (a proof carries a few subjects) skips positions, never goes back.
  if ((at.index === 0) !== (entry.kind === ENTRY_KINDS.genesis) || at.index < state.size) {
    throw err('ERR_LEDGER_ENTRY_INVALID', 'The genesis entry comes first, and only there');
  }
  checkTime(entry, at.time);
  const cls = subjectClassOf(entry.kind);
  if (cls === 'status-list' || cls === 'document') {
    await checkAnchorSignature(state, entry, at, at.preimage, options);
  } else {
    await checkGovernanceSignatures(state, entry, at.preimage, options);
  }
  await checkPreconditions(state, entry, options);
}

function mutableIssuer(s: IssuerState): {
  -readonly [K in keyof IssuerState]: IssuerState[K];
} {
  return s as { -readonly [K in keyof IssuerState]: IssuerState[K] };
}

/**
 * Apply an entry that {@link checkEntry} accepted (or a logged entry being replayed). `entryId`
 * is the entry's id (hex); the genesis entry's id becomes the ledger id.
 */
export function applyEntry(
  state: LedgerState,
  entry: ParsedEntry,
  at: LogPosition & { readonly entryId: string },
): void {
  const { index, time } = at;
  const body = entry.body;
  switch (body.typ) {
    case 'genesis':
      state.ledgerId = at.entryId;
      state.name = body.name;
      state.governance = { keys: body.governance.keys, quorum: body.governance.quorum, index };
      break;
    case 'governance.update':
      state.governance = { keys: body.governance.keys, quorum: body.governance.quorum, index };
      break;
    case 'issuer.register': {
      const keys = new Map<string, KeyState>();
      for (const k of body.keys) keys.set(k.kid, { ...k, addedAt: time, addedIn: index });
      const { id, ...profile } = body.issuer;
      state.issuers.set(id, {
        id,
        versions: [{ since: time, index, ...profile }],
        keys,
        entries: [index],
      });
      break;
    }
    case 'issuer.update': {
      const s = mutableIssuer(state.issuers.get(body.issuer.id) as IssuerState);
      const { id: _id, ...profile } = body.issuer;
      s.versions = [...s.versions, { since: time, index, ...profile }];
      s.entries = [...s.entries, index];
      break;
    }
    case 'issuer.key.add': {
      const s = mutableIssuer(state.issuers.get(body.issuer) as IssuerState);
      const keys = new Map(s.keys);
      keys.set(body.key.kid, { ...body.key, addedAt: time, addedIn: index });
      s.keys = keys;
      s.entries = [...s.entries, index];
      break;
    }
    case 'issuer.key.revoke': {
      const s = mutableIssuer(state.issuers.get(body.issuer) as IssuerState);
      const keys = new Map(s.keys);
      const k = keys.get(body.kid) as KeyState;
      const revokedAt =
        k.revokedAt === undefined ? body.revokedAt : Math.min(k.revokedAt, body.revokedAt);
      keys.set(body.kid, { ...k, revokedAt });
      s.keys = keys;
      s.entries = [...s.entries, index];
      break;
    }
    case 'issuer.remove': {
      const s = mutableIssuer(state.issuers.get(body.issuer) as IssuerState);
      s.removedAt = body.effectiveAt;
      s.entries = [...s.entries, index];
      break;
    }
    case 'rp.register':
      state.rps.set(body.rp.id, {
        id: body.rp.id,
        versions: [{ since: time, index, profile: body.rp }],
        entries: [index],
      });
      break;
    case 'rp.update': {
      const s = state.rps.get(body.rp.id) as RpState;
      state.rps.set(body.rp.id, {
        ...s,
        versions: [...s.versions, { since: time, index, profile: body.rp }],
        entries: [...s.entries, index],
      });
      break;
    }
    case 'rp.remove': {
      const s = state.rps.get(body.rp) as RpState;
      state.rps.set(body.rp, { ...s, removedAt: body.effectiveAt, entries: [...s.entries, index] });
      break;
    }
    case 'anchor.status-list':
      state.statusLists.set(body.uri, {
        uri: body.uri,
        issuer: body.issuer,
        digest: body.digest,
        issuedAt: body.issuedAt,
        index,
        time,
      });
      break;
    case 'anchor.document':
      if (state.trackDocuments) {
        const list = state.documents.get(body.digest) ?? [];
        state.documents.set(body.digest, [
          ...list,
          {
            digest: body.digest,
            issuer: body.issuer,
            documentType: body.documentType,
            index,
            time,
          },
        ]);
      }
      break;
  }
  noteRecord(state, {
    index,
    subject: toHex(entry.subject),
    label: entry.subjectLabel,
    kind: entry.kind,
  });
}

/**
 * Advance the state past a logged record: size, and the tail of its subject. Used by
 * {@link applyEntry} and for logged entries the state machine rejected (which still sit in their
 * subject's chain).
 */
export function noteRecord(
  state: LedgerState,
  r: {
    readonly index: number;
    readonly subject: string;
    readonly label: string;
    readonly kind: number;
  },
): void {
  state.size = r.index + 1;
  const cls = subjectClassOf(r.kind);
  if (cls !== 'document' || state.trackDocuments) {
    state.tails.set(r.subject, { label: r.label, cls, index: r.index });
  }
}
