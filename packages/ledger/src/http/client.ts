/**
 * @module http/client
 * A {@link TrustLedger} on a remote trust-ledger node, over HTTP with `fetch` only: runs in
 * browsers (the wallet fetches snapshots with it), in Node services (the issuer registers itself,
 * the verifier reads trust) and in the CLI.
 *
 * Nothing the node says is taken on trust. With the node's log key pinned (out of band, like a
 * CT log key; `'trust-on-first-use'` takes it from the node itself and is for development):
 * - every tree head is verified (signature, ledger id), and the client remembers the newest one
 *   it saw: a smaller head is ERR_LEDGER_ROLLBACK, the same size with another root
 *   ERR_LEDGER_SPLIT_VIEW, a larger one is accepted only with a valid RFC 9162 §2.1.4
 *   consistency proof from the one before;
 * - an entry is checked against an RFC 9162 §2.1.3 inclusion proof under a verified head;
 * - a query answer is recomputed from the proof it comes with (every signature re-verified, every
 *   subject chain complete), and must equal what the node said;
 * - `state()` and `exportSnapshot()` verify the whole trust snapshot offline
 *   (`verifySnapshot`), with a consistency proof from the last head seen.
 *
 * Transport: no redirects, bounded time (30 s) and size (64 MiB), errors from the node keep their
 * code (`{code, message, requestId}` bodies), an unreachable or garbled node is
 * ERR_LEDGER_UNAVAILABLE. Inclusion and consistency proofs are returned as the node sent them
 * (shape-checked): callers verify them against heads they trust, as the TrustLedger contract says.
 */
import {
  type CryptoProvider,
  ERROR_CODES,
  isOpenMidError,
  OpenMidError,
  type OpenMidErrorCode,
  type PublicJwk,
  type Verifier,
} from '@openmid/core';
import { canonicalize } from '../canonical.js';
import { encodeRecord, entryIdOf, parseEntry, type SignedEntry, subjectOf } from '../entry.js';
import { type SignedTreeHead, type TrustedKey, toVerifier, verifyTreeHead } from '../heads.js';
import { concatBytes, fromHex, toHex } from '../internal/bytes.js';
import {
  type AppendReceipt,
  type ConsistencyProof,
  type EntryStatus,
  type ExportSnapshotOptions,
  entryIdArg,
  type InclusionProof,
  type TrustLedger,
} from '../ledger.js';
import { createMutex } from '../memory.js';
import { type Hash, leafHash, verifyConsistency, verifyInclusion } from '../merkle.js';
import {
  type ProofRecord,
  type ProvenAnswer,
  type TrustSnapshot,
  type VerifyProofOptions,
  verifyLedgerProof,
  verifySnapshot,
} from '../proof.js';
import { type AnswerOf, answerQuery, type Query, subjectsOfQuery } from '../query.js';
import type { LedgerState } from '../state.js';
import {
  type CosignatureSubmission,
  isAppendReceipt,
  isConsistencyProof,
  isEntryStatus,
  isErrorJson,
  isInclusionProof,
  isLedgerInfo,
  LEDGER_PATHS,
  type LedgerInfo,
} from './wire.js';

/** The fetch the client uses (the global one, or an in-process adapter such as `app.request`). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A tree head by size and root (what a client remembers between runs). */
export interface HeadRef {
  readonly treeSize: number;
  readonly rootHash: string;
}

/** Transport options shared by {@link createHttpLedger} and {@link fetchTrustSnapshot}. */
export interface TransportOptions {
  /** Base URL of the node, e.g. `https://ledger.example` (no trailing path needed). */
  readonly url: string;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Per request, including reading the body. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Largest response body read. Default 64 MiB (a national snapshot is tens of MB). */
  readonly maxResponseBytes?: number;
  /** Refuse a non-https node URL (production services set this). Default false. */
  readonly requireHttps?: boolean;
}

/** Options of {@link createHttpLedger}. */
export interface HttpLedgerOptions extends TransportOptions {
  /**
   * The node's log key, pinned out of band (a JWK or a verifier). `'trust-on-first-use'` takes it
   * from the node's `/v1/ledger` once: development only, a malicious node could then lie freely.
   */
  readonly logKey: TrustedKey | 'trust-on-first-use';
  /** The expected ledger (hex genesis entry id); otherwise learned from the first verified head. */
  readonly ledgerId?: string;
  /** The newest head this client already trusts (e.g. persisted by a wallet): no rollback below it. */
  readonly previousHead?: HeadRef;
  /**
   * Admin API key of the node (`omk_…`): sent with appends (a genesis entry needs
   * `ledger:genesis`) and to the development countersign endpoint (`ledger:dev-cosign`).
   */
  readonly adminKey?: string;
  readonly crypto?: CryptoProvider;
}

/** A proven answer verified by the client, with the state its proof rebuilds. */
export interface VerifiedAnswer<Q extends Query> extends ProvenAnswer<Q> {
  readonly head: SignedTreeHead;
  /** The state of the subjects the proof carries (complete for those subjects). */
  readonly state: LedgerState;
}

/** Options of {@link HttpLedger.waitForEntry}. */
export interface WaitOptions {
  /** Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Default 250 ms. */
  readonly intervalMs?: number;
}

/** The remote ledger: a {@link TrustLedger} plus what only a client of a node needs. */
export interface HttpLedger extends TrustLedger {
  readonly url: string;
  /** `GET /v1/ledger` (unverified: pin its log key and ledger id out of band). */
  info(): Promise<LedgerInfo>;
  /** The log key this client verifies with (pinned, or taken on first use). */
  logKey(): Promise<Verifier>;
  /** The newest verified tree head this client has seen. */
  latestHead(): HeadRef | undefined;
  /** A query with its answer recomputed from the proof, and the state the proof rebuilds. */
  queryVerified<Q extends Query>(query: Q): Promise<VerifiedAnswer<Q>>;
  /**
   * Development only: ask the node to countersign a proposed registration with its development
   * governance keys and append it (needs `adminKey` with scope `ledger:dev-cosign`).
   */
  devCountersign(entry: SignedEntry): Promise<AppendReceipt>;
  /** Poll until an entry is confirmed; its index. ERR_LEDGER_PENDING on timeout. */
  waitForEntry(entryId: string, options?: WaitOptions): Promise<number>;
}

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

interface RequestSpec {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Statuses answered without an error (besides 2xx). */
  readonly accept?: readonly number[];
}

function unavailable(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError('ERR_LEDGER_UNAVAILABLE', message, cause ? { cause } : undefined);
}

async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    throw unavailable('The ledger node answered more than the size limit');
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw unavailable('The ledger node answered more than the size limit');
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(concatBytes(...chunks));
}

function nodeError(status: number, body: unknown): OpenMidError {
  if (isErrorJson(body) && Object.hasOwn(ERROR_CODES, body.code)) {
    const retryAfter = body.details?.['retryAfter'];
    return new OpenMidError(body.code as OpenMidErrorCode, body.message.slice(0, 300), {
      details: { status, ...(typeof retryAfter === 'number' ? { retryAfter } : {}) },
    });
  }
  return new OpenMidError('ERR_LEDGER_UNAVAILABLE', `The ledger node answered HTTP ${status}`, {
    details: { status },
  });
}

/** The request function of a transport. */
function transport(
  options: TransportOptions,
): (path: string, spec?: RequestSpec) => Promise<Reply> {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new OpenMidError('ERR_INPUT_INVALID', 'The ledger URL is not a URL');
  }
  if (base.protocol !== 'https:' && (options.requireHttps === true || base.protocol !== 'http:')) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'The ledger URL must be https');
  }
  const root = base.href.replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const max = options.maxResponseBytes ?? 64 * 1024 * 1024;
  return async (path, spec = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await doFetch(`${root}${path}`, {
        method: spec.method ?? 'GET',
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
      });
      text = await readCapped(res, max);
    } catch (e) {
      if (isOpenMidError(e)) throw e;
      throw unavailable('The ledger node cannot be reached', e);
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch (e) {
      throw unavailable('The ledger node answered something that is not JSON', e);
    }
    if (!res.ok && !(spec.accept ?? []).includes(res.status)) throw nodeError(res.status, json);
    return { status: res.status, headers: res.headers, json };
  };
}

function malformed(what: string): OpenMidError {
  return unavailable(`The ledger node answered a malformed ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function publicJwkOf(key: TrustedKey): PublicJwk {
  const jwk = 'verify' in key && typeof key.verify === 'function' ? key.publicJwk : key;
  const j = jwk as PublicJwk;
  return j.y === undefined
    ? { kty: j.kty, crv: j.crv, x: j.x }
    : { kty: j.kty, crv: j.crv, x: j.x, y: j.y };
}

function snapshotQuery(
  options: ExportSnapshotOptions & { readonly since?: HeadRef | undefined },
): string {
  const p = new URLSearchParams();
  if (options.treeSize !== undefined) p.set('treeSize', String(options.treeSize));
  if (options.since !== undefined) {
    p.set('sinceSize', String(options.since.treeSize));
    p.set('sinceRoot', options.since.rootHash);
  }
  if (options.statusLists === 'all') p.set('statusLists', 'all');
  else for (const uri of options.statusLists ?? []) p.append('statusList', uri);
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A {@link TrustLedger} on a remote node (see the module comment for what it verifies).
 *
 * @example
 * ```ts
 * const ledger = createHttpLedger({ url: 'https://ledger.example', logKey: pinnedJwk, ledgerId })
 * const { answer } = await ledger.query({ q: 'issuer-keys', issuer: iss, at: now })
 * const state = await ledger.state() // a verified trust snapshot's state
 * ```
 */
export function createHttpLedger(options: HttpLedgerOptions): HttpLedger {
  const request = transport(options);
  const { crypto } = options;
  let pinnedLedger = options.ledgerId;
  if (pinnedLedger !== undefined && fromHex(pinnedLedger, 32) === undefined) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'ledgerId must be 64 lowercase hex characters');
  }
  let latest: HeadRef | undefined = options.previousHead;
  let keyPromise: Promise<Verifier> | undefined;
  const serial = createMutex();

  const info = async (): Promise<LedgerInfo> => {
    const r = await request(LEDGER_PATHS.info);
    if (!isLedgerInfo(r.json)) throw malformed('ledger description');
    return r.json;
  };

  const logKey = (): Promise<Verifier> => {
    keyPromise ??= (async () => {
      if (options.logKey !== 'trust-on-first-use') return toVerifier(options.logKey);
      const { kid: _kid, ...jwk } = (await info()).logKey;
      return toVerifier(jwk as PublicJwk);
    })();
    keyPromise.catch(() => {
      keyPromise = undefined;
    });
    return keyPromise;
  };

  const verifyOptions = async (): Promise<VerifyProofOptions> => ({
    logKey: await logKey(),
    ...(pinnedLedger === undefined ? {} : { ledgerId: pinnedLedger }),
    ...(crypto ? { crypto } : {}),
  });

  /** Pin the ledger id from the first verified head. */
  const learn = (head: SignedTreeHead): void => {
    pinnedLedger ??= head.ledgerId;
  };

  const rawConsistency = async (first: number, second?: number): Promise<ConsistencyProof> => {
    const p = new URLSearchParams({ first: String(first) });
    if (second !== undefined) p.set('second', String(second));
    const r = await request(`${LEDGER_PATHS.consistency}?${p}`);
    if (!isConsistencyProof(r.json) || r.json.first !== first) {
      throw malformed('consistency proof');
    }
    if (second !== undefined && r.json.second !== second) throw malformed('consistency proof');
    return r.json;
  };

  /**
   * Accept a verified head as the newest only if it extends the newest seen (RFC 9162 §2.1.4.2);
   * refuse a rollback or a split view.
   */
  const observe = (head: SignedTreeHead): Promise<void> =>
    serial(async () => {
      const last = latest;
      if (last === undefined || head.treeSize > last.treeSize) {
        if (last !== undefined && last.treeSize > 0) {
          const c = await rawConsistency(last.treeSize, head.treeSize);
          const ok = verifyConsistency(
            {
              first: last.treeSize,
              second: head.treeSize,
              path: c.path.map((h) => fromHex(h, 32) as Hash),
            },
            fromHex(last.rootHash, 32) as Hash,
            fromHex(head.rootHash, 32) as Hash,
            crypto,
          );
          if (!ok) {
            throw new OpenMidError(
              'ERR_LEDGER_PROOF_INVALID',
              'The node cannot prove its new tree head extends the last one seen',
            );
          }
        }
        latest = { treeSize: head.treeSize, rootHash: head.rootHash };
        return;
      }
      if (head.treeSize < last.treeSize) {
        throw new OpenMidError('ERR_LEDGER_ROLLBACK', 'The node shows a smaller tree than before');
      }
      if (head.rootHash !== last.rootHash) {
        throw new OpenMidError('ERR_LEDGER_SPLIT_VIEW', 'Same tree size, different root');
      }
    });

  const treeHead = async (treeSize?: number): Promise<SignedTreeHead> => {
    const q = treeSize === undefined ? '' : `?treeSize=${treeSize}`;
    const r = await request(`${LEDGER_PATHS.treeHead}${q}`);
    if (!isObject(r.json) || typeof r.json['jws'] !== 'string') throw malformed('tree head');
    const head = await verifyTreeHead(r.json['jws'], {
      logKey: await logKey(),
      ...(pinnedLedger === undefined ? {} : { ledgerId: pinnedLedger }),
    });
    if (treeSize !== undefined && head.treeSize !== treeSize) {
      throw new OpenMidError('ERR_LEDGER_TREE_HEAD_INVALID', 'The node signed another tree size');
    }
    learn(head);
    if (treeSize === undefined) await observe(head);
    return head;
  };

  const snapshot = async (
    o: ExportSnapshotOptions & { readonly since?: HeadRef | undefined },
    headers: Record<string, string> = {},
  ): Promise<{ snapshot: TrustSnapshot; state: LedgerState; head: SignedTreeHead }> => {
    const r = await request(`${LEDGER_PATHS.snapshot}${snapshotQuery(o)}`, { headers });
    const verified = await verifySnapshot(r.json, {
      ...(await verifyOptions()),
      ...(o.since === undefined ? {} : { previousHead: o.since }),
    });
    learn(verified.head);
    return { snapshot: r.json as TrustSnapshot, state: verified.state, head: verified.head };
  };

  const queryVerified = async <Q extends Query>(query: Q): Promise<VerifiedAnswer<Q>> => {
    const r = await request(LEDGER_PATHS.query, { method: 'POST', body: query });
    const body = r.json;
    if (!isObject(body) || !isObject(body['proof']) || !isObject(body['query'])) {
      throw malformed('proven answer');
    }
    if (canonicalize(body['query']) !== canonicalize(query)) {
      throw new OpenMidError('ERR_LEDGER_PROOF_INVALID', 'The node answered another question');
    }
    const { head, state } = await verifyLedgerProof(body['proof'], await verifyOptions());
    const tails = body['proof']['tails'];
    for (const label of subjectsOfQuery(query)) {
      if (!isObject(tails) || tails[toHex(subjectOf(label, crypto))] === undefined) {
        throw new OpenMidError(
          'ERR_LEDGER_SNAPSHOT_INVALID',
          'The proof does not carry a subject the query depends on',
        );
      }
    }
    const answer = answerQuery(state, query);
    if (body['answer'] === undefined || canonicalize(answer) !== canonicalize(body['answer'])) {
      throw new OpenMidError(
        'ERR_LEDGER_PROOF_INVALID',
        'The answer is not what the proof decides',
      );
    }
    learn(head);
    await observe(head);
    return {
      query,
      answer: answer as AnswerOf<Q>,
      proof: body['proof'] as unknown as ProvenAnswer<Q>['proof'],
      head,
      state,
    };
  };

  const status = async (entryId: string): Promise<EntryStatus> => {
    const r = await request(LEDGER_PATHS.entryStatus(toHex(entryIdArg(entryId))));
    if (!isEntryStatus(r.json)) throw malformed('entry status');
    return r.json;
  };

  const inclusionProof = async (index: number, treeSize?: number): Promise<InclusionProof> => {
    const p = new URLSearchParams({ index: String(index) });
    if (treeSize !== undefined) p.set('treeSize', String(treeSize));
    const r = await request(`${LEDGER_PATHS.inclusion}?${p}`);
    if (!isInclusionProof(r.json) || r.json.index !== index) throw malformed('inclusion proof');
    if (treeSize !== undefined && r.json.treeSize !== treeSize) throw malformed('inclusion proof');
    return r.json;
  };

  const isNotFound = (e: unknown): boolean => isOpenMidError(e, 'ERR_LEDGER_NOT_FOUND');

  return {
    backend: 'http',
    url: options.url,
    info,
    logKey,
    latestHead: () => latest,
    async ledgerId() {
      try {
        return (await treeHead()).ledgerId;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async append(entry) {
      // The admin key only matters for a genesis entry (scope ledger:genesis); other entries are
      // decided by their own signatures.
      const r = await request(LEDGER_PATHS.entries, {
        method: 'POST',
        body: entry,
        ...(options.adminKey === undefined
          ? {}
          : { headers: { authorization: `Bearer ${options.adminKey}` } }),
      });
      if (!isAppendReceipt(r.json)) throw malformed('append receipt');
      return r.json;
    },
    status,
    async size() {
      try {
        return (await treeHead()).treeSize;
      } catch (e) {
        if (isNotFound(e)) return 0;
        throw e;
      }
    },
    async entry(index) {
      if (!Number.isSafeInteger(index) || index < 0) {
        throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such entry');
      }
      const r = await request(LEDGER_PATHS.entry(index));
      const rec = r.json;
      if (
        !isObject(rec) ||
        rec['index'] !== index ||
        typeof rec['time'] !== 'number' ||
        !Number.isSafeInteger(rec['time']) ||
        rec['time'] < 0 ||
        (rec['prev'] !== null &&
          (typeof rec['prev'] !== 'number' ||
            !Number.isSafeInteger(rec['prev']) ||
            rec['prev'] < 0 ||
            rec['prev'] >= index))
      ) {
        throw malformed('entry');
      }
      const parsed = parseEntry(rec['entry'], crypto);
      let head = await treeHead();
      if (index >= head.treeSize) head = await treeHead();
      if (index >= head.treeSize) throw malformed('entry');
      const proof = await inclusionProof(index, head.treeSize);
      const time = rec['time'];
      const prev = rec['prev'] as number | null;
      const record = encodeRecord({
        kind: parsed.kind,
        time,
        prev,
        subject: parsed.subject,
        entryId: entryIdOf(parsed, fromHex(head.ledgerId, 32), crypto),
        sigsHash: parsed.sigsHash,
      });
      const ok = verifyInclusion(
        { index, size: head.treeSize, path: proof.path.map((h) => fromHex(h, 32) as Hash) },
        leafHash(record, crypto),
        fromHex(head.rootHash, 32) as Hash,
        crypto,
      );
      if (!ok) {
        throw new OpenMidError('ERR_LEDGER_PROOF_INVALID', 'The entry is not in the signed tree');
      }
      return { index, time, prev, entry: parsed.canonical } satisfies ProofRecord;
    },
    treeHead,
    inclusionProof,
    consistencyProof: rawConsistency,
    async state() {
      const s = await snapshot(
        { statusLists: 'all', since: latest },
        { 'cache-control': 'no-cache' },
      );
      await observe(s.head);
      return s.state;
    },
    query: async <Q extends Query>(query: Q): Promise<ProvenAnswer<Q>> => {
      const v = await queryVerified(query);
      return { query: v.query, answer: v.answer, proof: v.proof };
    },
    queryVerified,
    async exportSnapshot(o = {}) {
      const s = await snapshot(o);
      if (o.treeSize === undefined) await observe(s.head);
      return s.snapshot;
    },
    async addCosignature(jws, witnessKey) {
      const body: CosignatureSubmission = {
        cosignature: jws,
        witnessKey: publicJwkOf(witnessKey),
      };
      await request(LEDGER_PATHS.cosignatures, { method: 'POST', body });
    },
    async devCountersign(entry) {
      if (options.adminKey === undefined) {
        throw new OpenMidError('ERR_AUTH_REQUIRED', 'The countersign endpoint needs an admin key');
      }
      const r = await request(LEDGER_PATHS.devCountersign, {
        method: 'POST',
        body: entry,
        headers: { authorization: `Bearer ${options.adminKey}` },
      });
      if (!isAppendReceipt(r.json)) throw malformed('append receipt');
      return r.json;
    },
    async waitForEntry(entryId, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 30_000);
      for (;;) {
        const s = await status(entryId);
        if (s.status === 'confirmed') return s.index;
        if (Date.now() >= deadline) {
          throw new OpenMidError('ERR_LEDGER_PENDING', 'The entry is not confirmed yet');
        }
        await sleep(o.intervalMs ?? 250);
      }
    },
    close: async () => undefined,
  };
}

/** Options of {@link fetchTrustSnapshot}. */
export interface FetchSnapshotOptions extends TransportOptions {
  /** The node's log key, pinned out of band. */
  readonly logKey: TrustedKey;
  /** The expected ledger (hex genesis entry id). */
  readonly ledgerId?: string;
  /**
   * The newest head already trusted (the last snapshot's): the node adds a consistency proof from
   * it, and a smaller or forked head is refused.
   */
  readonly previousHead?: HeadRef;
  /** Refuse a tree head older than this many seconds (needs `now`). */
  readonly maxAge?: number;
  /** Now, seconds. */
  readonly now?: number;
  /** Require witness cosignatures. */
  readonly witnesses?: VerifyProofOptions['witnesses'];
  /** Status lists whose latest anchor to include (URIs), or `'all'`. */
  readonly statusLists?: readonly string[] | 'all';
  /** The ETag of the snapshot already held: answered `not-modified` when unchanged. */
  readonly etag?: string;
  readonly crypto?: CryptoProvider;
}

/** What {@link fetchTrustSnapshot} got. */
export type FetchedSnapshot =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'ok';
      /** The snapshot as fetched (verified): store it for offline use. */
      readonly snapshot: TrustSnapshot;
      /** The verified state (issuers, relying parties, status-list anchors). */
      readonly state: LedgerState;
      readonly head: SignedTreeHead;
      readonly etag?: string;
    };

/**
 * Fetch the node's current trust snapshot and verify it offline-style before returning it: the
 * one call a wallet or a verifier needs to refresh its trust (then `resolveIssuerKey(state, …)`,
 * `issuerAllowedAt`, `rpMayRequestAt`).
 *
 * @example
 * ```ts
 * const r = await fetchTrustSnapshot({ url, logKey, ledgerId, previousHead, etag })
 * if (r.status === 'ok') { save(r.snapshot, r.etag); use(r.state) }
 * ```
 */
export async function fetchTrustSnapshot(options: FetchSnapshotOptions): Promise<FetchedSnapshot> {
  const request = transport(options);
  const headers: Record<string, string> = {};
  if (options.etag !== undefined) headers['if-none-match'] = options.etag;
  const r = await request(
    `${LEDGER_PATHS.snapshot}${snapshotQuery({
      ...(options.statusLists === undefined ? {} : { statusLists: options.statusLists }),
      since: options.previousHead,
    })}`,
    { headers, accept: [304] },
  );
  if (r.status === 304) return { status: 'not-modified' };
  const verified = await verifySnapshot(r.json, {
    logKey: options.logKey,
    ...(options.ledgerId === undefined ? {} : { ledgerId: options.ledgerId }),
    ...(options.previousHead === undefined ? {} : { previousHead: options.previousHead }),
    ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.witnesses === undefined ? {} : { witnesses: options.witnesses }),
    ...(options.crypto ? { crypto: options.crypto } : {}),
  });
  const etag = r.headers.get('etag');
  return {
    status: 'ok',
    snapshot: r.json as TrustSnapshot,
    state: verified.state,
    head: verified.head,
    ...(etag === null ? {} : { etag }),
  };
}
