/**
 * @module registry/ledger
 * The verifier on the trust ledger (issue 6 §4, issue 4 §1 "registrations live on the trust
 * ledger once that exists"), with VERIFIER_LEDGER_URL:
 *
 * - **Trust**: issuers (keys by `iss` + `kid` at the credential's `iat`, the `vct` they may issue)
 *   and relying-party registrations come from a verified snapshot of the ledger
 *   (`refreshingLedgerTrustSource` of `@openmid/verifier`): the node's log key is PINNED
 *   (VERIFIER_LEDGER_LOG_KEY or _FILE: never taken from the node), every refresh must extend the
 *   last head seen (no rollback, no split view), and the last verified snapshot is kept in
 *   `DATA_DIR/ledger-trust.json` so that a restart neither forgets that head nor needs the node
 *   within the maximum age. The registry itself (its attestation key) is answered from its own
 *   record.
 * - **Registration**: each relying party of this registry is registered ON the ledger —
 *   `rp.register` with its ko/en names, purpose, the claims it may request per type, its
 *   statutory basis for the resident number (`rrnLegalBasis`) and its request-signing key —
 *   proposing only what is missing (`rp.update` when the registration changed, `rp.remove` when
 *   it is removed here), as the issuer does for itself (`apps/issuer/src/trust.ts`). In
 *   development the node's demo governance countersigns and appends (its admin key); otherwise
 *   the proposals are written to `DATA_DIR/ledger-proposals/` for the governance agencies to
 *   cosign (`openmid ledger cosign`) and submit. An unreachable node is retried in the
 *   background (5 s doubling to 60 s); a refusal is reported with its code.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import type { Clock } from '@openmid/core/jose';
import { type PublicJwk, parsePublicJwk } from '@openmid/core/keys';
import {
  canonicalize,
  type EntryBody,
  propose,
  type RpProfile,
  type RpState,
} from '@openmid/ledger';
import { createHttpLedger, type FetchLike, type HttpLedger } from '@openmid/ledger/http';
import { type Logger, safeError } from '@openmid/server-kit';
import {
  type RefreshingLedgerTrustSource,
  type RelyingPartyRegistration,
  refreshingLedgerTrustSource,
  type StoredLedgerSnapshot,
  type TrustedIssuer,
} from '@openmid/verifier';
import type { VerifierConfig } from '../config.js';

/** What the verifier keeps of its trust ledger (in the context when VERIFIER_LEDGER_URL is set). */
export interface VerifierLedger {
  /** The verified, refreshed ledger view the trust source answers from. */
  readonly trust: RefreshingLedgerTrustSource;
  /** Registering this registry's relying parties on the ledger. */
  readonly registration: LedgerRpRegistration;
  /** The pinned log key. */
  readonly logKey: PublicJwk;
  /** A client of the node (admin key included in development). */
  connect(): HttpLedger;
}

const TRUST_FILE = 'ledger-trust.json';

function configInvalid(message: string, variables: string[]): OpenMidError {
  return new OpenMidError('ERR_CONFIG_INVALID', message, { details: { variables } });
}

/**
 * The ledger's log key to pin: VERIFIER_LEDGER_LOG_KEY (a public JWK), else the JSON of
 * VERIFIER_LEDGER_LOG_KEY_FILE (a public JWK, or `openmid ledger info` output with `logKey`; in
 * development the node's own key file, of which only the public half is read). Neither is
 * ERR_CONFIG_INVALID: the verifier never takes the key from the node it is checking.
 */
export function pinnedLogKey(config: VerifierConfig): PublicJwk {
  const vars = ['VERIFIER_LEDGER_LOG_KEY', 'VERIFIER_LEDGER_LOG_KEY_FILE'];
  let raw: unknown;
  if (config.VERIFIER_LEDGER_LOG_KEY !== undefined) {
    raw = JSON.parse(config.VERIFIER_LEDGER_LOG_KEY);
  } else if (config.VERIFIER_LEDGER_LOG_KEY_FILE !== undefined) {
    try {
      raw = JSON.parse(readFileSync(config.VERIFIER_LEDGER_LOG_KEY_FILE, 'utf8'));
    } catch (cause) {
      throw new OpenMidError('ERR_CONFIG_INVALID', 'The ledger log key file cannot be read', {
        cause,
        details: { variables: ['VERIFIER_LEDGER_LOG_KEY_FILE'] },
      });
    }
  } else {
    throw configInvalid(
      'VERIFIER_LEDGER_URL needs the ledger log key pinned (VERIFIER_LEDGER_LOG_KEY or _FILE)',
      vars,
    );
  }
  const o = raw as Record<string, unknown> | null;
  const jwk = (
    typeof o === 'object' && o !== null && typeof o['logKey'] === 'object' ? o['logKey'] : o
  ) as Record<string, unknown> | null;
  if (typeof jwk !== 'object' || jwk === null) throw configInvalid('Not a JWK', vars);
  if ('d' in jwk && config.NODE_ENV === 'production')
    throw configInvalid('Pin the public log key: this file holds the private one', vars);
  try {
    const { d: _d, kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...pub } = jwk;
    const key = parsePublicJwk(pub, 'ES256').jwk;
    return { kty: key.kty, crv: key.crv, x: key.x, y: key.y } as PublicJwk;
  } catch (cause) {
    throw new OpenMidError('ERR_CONFIG_INVALID', 'The ledger log key is not a P-256 JWK', {
      cause,
      details: { variables: vars },
    });
  }
}

function readStored(dataDir: string): StoredLedgerSnapshot | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dataDir, TRUST_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    if (typeof v['confirmedAt'] !== 'number' || v['snapshot'] === undefined) return undefined;
    return {
      snapshot: v['snapshot'],
      confirmedAt: v['confirmedAt'],
      ...(typeof v['etag'] === 'string' ? { etag: v['etag'] } : {}),
    };
  } catch {
    return undefined;
  }
}

function writeStored(dataDir: string, stored: StoredLedgerSnapshot): void {
  const path = join(dataDir, TRUST_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600 });
  renameSync(tmp, path);
}

/** Parts of {@link createVerifierLedger}. */
export interface VerifierLedgerParts {
  readonly config: VerifierConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The registry itself (trusted for attestations besides the ledger). */
  readonly registry: TrustedIssuer;
  /** Outbound HTTP to the node (default: global fetch). */
  readonly fetch?: FetchLike;
  /** First retry delay of a registration (ms; doubles up to 60 s). Default 5000. */
  readonly retryMs?: number;
}

/**
 * The verifier's ledger (see the module comment), or undefined without VERIFIER_LEDGER_URL.
 *
 * @example
 * ```ts
 * const ledger = createVerifierLedger({ config, logger, clock, registry: registryRecord })
 * await ledger?.trust.refresh()
 * ```
 */
export function createVerifierLedger(parts: VerifierLedgerParts): VerifierLedger | undefined {
  const { config, logger, clock } = parts;
  const url = config.VERIFIER_LEDGER_URL;
  if (url === undefined) return undefined;
  if (config.VERIFIER_LEDGER_REFRESH > config.VERIFIER_LEDGER_MAX_AGE)
    throw configInvalid('VERIFIER_LEDGER_REFRESH must not exceed VERIFIER_LEDGER_MAX_AGE', [
      'VERIFIER_LEDGER_REFRESH',
      'VERIFIER_LEDGER_MAX_AGE',
    ]);
  const logKey = pinnedLogKey(config);
  const production = config.NODE_ENV === 'production';
  const stored = readStored(config.DATA_DIR);
  const trust = refreshingLedgerTrustSource({
    url,
    logKey,
    ...(config.VERIFIER_LEDGER_ID === undefined ? {} : { ledgerId: config.VERIFIER_LEDGER_ID }),
    ...(stored === undefined ? {} : { restore: stored }),
    refreshInterval: config.VERIFIER_LEDGER_REFRESH,
    maxAge: config.VERIFIER_LEDGER_MAX_AGE,
    // The anchors tell the trust bundle which status lists each issuer publishes.
    statusLists: 'all',
    registries: [parts.registry],
    requireHttps: production,
    clock,
    ...(parts.fetch === undefined ? {} : { fetch: parts.fetch }),
    onUpdate: (view) => {
      logger.info(
        { treeSize: view.head.treeSize, ledgerId: view.head.ledgerId },
        'trust ledger: verified snapshot',
      );
      try {
        writeStored(config.DATA_DIR, {
          snapshot: view.snapshot,
          confirmedAt: view.confirmedAt,
          ...(view.etag === undefined ? {} : { etag: view.etag }),
        });
      } catch (e) {
        logger.warn({ err: safeError(e) }, 'trust ledger: the snapshot could not be kept');
      }
    },
  });
  const adminKey = (): string | undefined => {
    if (config.VERIFIER_LEDGER_ADMIN_KEY !== undefined) return config.VERIFIER_LEDGER_ADMIN_KEY;
    try {
      return readFileSync(config.VERIFIER_LEDGER_ADMIN_KEY_FILE, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const connect = (): HttpLedger => {
    const key = config.NODE_ENV === 'development' ? adminKey() : undefined;
    const ledgerId = config.VERIFIER_LEDGER_ID ?? trust.ledgerId();
    return createHttpLedger({
      url,
      logKey,
      ...(ledgerId === undefined ? {} : { ledgerId }),
      ...(key === undefined ? {} : { adminKey: key }),
      requireHttps: production,
      ...(parts.fetch === undefined ? {} : { fetch: parts.fetch }),
    });
  };
  const registration = ledgerRpRegistration({
    connect,
    mode: config.NODE_ENV === 'development' ? 'development' : 'production',
    proposalsDir: join(config.DATA_DIR, 'ledger-proposals'),
    clock,
    logger,
    // A new registration is usable once the snapshot shows it.
    onAppended: () => trust.refresh().then(() => undefined),
    ...(parts.retryMs === undefined ? {} : { retryMs: parts.retryMs }),
  });
  return { trust, registration, logKey, connect };
}

// --- relying parties on the ledger ---------------------------------------------------------------

function minimalJwk(jwk: PublicJwk): PublicJwk {
  return jwk.y === undefined
    ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x }
    : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

/**
 * The ledger's `RpProfile` of a registration: identifier, ko/en names, purpose, claims per
 * credential type, `rrnLegalBasis` (the statute, or null), the request-signing keys (public,
 * minimal JWK), validity.
 */
export function ledgerProfileOf(rp: RelyingPartyRegistration): RpProfile {
  return {
    id: rp.id,
    names: { ko: rp.names.ko, en: rp.names.en },
    purpose: { ko: rp.purpose.ko, en: rp.purpose.en },
    requests: rp.requests.map((r) => ({ vct: r.vct, claims: r.claims.map((c) => [...c]) })),
    rrnLegalBasis: rp.rrnLegalBasis,
    keys: rp.keys.map((k) => ({ kid: k.kid, jwk: minimalJwk(k.jwk) })),
    validFrom: rp.validFrom,
    ...(rp.validUntil === undefined ? {} : { validUntil: rp.validUntil }),
  };
}

/**
 * Check that the ledger would accept `rp` as a registration (its closed schema: text lengths,
 * claim paths, keys), before anything is stored: ERR_RP_REGISTRATION_INVALID naming the member.
 */
export function assertLedgerRegistrable(rp: RelyingPartyRegistration, now: number): void {
  try {
    propose({ typ: 'rp.register', iat: now, exp: now + 60, rp: ledgerProfileOf(rp) });
  } catch (e) {
    if (!isOpenMidError(e, 'ERR_LEDGER_ENTRY_INVALID')) throw e;
    const where = e.details?.['where'];
    throw new OpenMidError(
      'ERR_RP_REGISTRATION_INVALID',
      'The trust ledger would refuse this registration',
      { cause: e, ...(typeof where === 'string' ? { details: { member: where } } : {}) },
    );
  }
}

function sameProfile(a: RpProfile, b: RpProfile): boolean {
  // The start of validity is the first registration's: later changes take effect when logged.
  return canonicalize({ ...a, validFrom: 0 }) === canonicalize({ ...b, validFrom: 0 });
}

/** Times of a {@link rpRegistrationPlan}. */
export interface RpPlanTimes {
  /** The entries' `iat` (seconds). */
  readonly now: number;
  /** `exp − iat`: how long the proposal may wait for its signatures. */
  readonly lifetime: number;
}

/**
 * The entries that bring the ledger's view of a relying party (`current`, undefined when
 * unknown) to `desired` (undefined: removed here): `rp.register`, `rp.update` (the version in
 * force differs) or `rp.remove`; empty when nothing is missing. ERR_LEDGER_CONFLICT when the
 * ledger removed the party for good.
 */
export function rpRegistrationPlan(
  current: RpState | undefined,
  desired: RpProfile | undefined,
  times: RpPlanTimes,
): EntryBody[] {
  const timed = { iat: times.now, exp: times.now + times.lifetime };
  if (desired === undefined) {
    if (current === undefined || current.removedAt !== undefined) return [];
    return [{ typ: 'rp.remove', ...timed, rp: current.id, effectiveAt: times.now }];
  }
  if (current === undefined) return [{ typ: 'rp.register', ...timed, rp: desired }];
  if (current.removedAt !== undefined)
    throw new OpenMidError(
      'ERR_LEDGER_CONFLICT',
      'This relying party was removed from the trust ledger: register it under another id',
    );
  const latest = current.versions[current.versions.length - 1]?.profile;
  if (latest !== undefined && sameProfile(latest, desired)) return [];
  return [
    {
      typ: 'rp.update',
      ...timed,
      rp: { ...desired, validFrom: latest?.validFrom ?? desired.validFrom },
    },
  ];
}

/** Registering relying parties on the ledger. */
export interface LedgerRpRegistration {
  /**
   * Bring the ledger's registration of `rp.id` to `rp` (undefined `rp` with `id`: remove it).
   * Resolves once appended (development) or proposed (files); an unreachable node is retried in
   * the background; a refusal rejects with its code.
   */
  sync(
    id: string,
    rp: RelyingPartyRegistration | undefined,
  ): Promise<'current' | 'appended' | 'proposed' | 'retrying'>;
  /** Stop background retries. */
  close(): void;
}

const TRANSIENT = new Set<string>([
  'ERR_LEDGER_UNAVAILABLE',
  'ERR_HTTP_RATE_LIMITED',
  'ERR_LEDGER_PENDING',
]);

/** Options of {@link ledgerRpRegistration}. */
export interface LedgerRpRegistrationOptions {
  readonly connect: () => HttpLedger;
  /** `development`: the node's demo governance countersigns; `production`: proposal files. */
  readonly mode: 'development' | 'production';
  readonly proposalsDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** After entries were appended (refresh the trust view). */
  readonly onAppended?: () => Promise<void>;
  readonly retryMs?: number;
}

/**
 * Relying-party registrations on the ledger (see the module comment).
 *
 * @example
 * ```ts
 * const reg = ledgerRpRegistration({ connect, mode: 'development', proposalsDir, clock, logger })
 * await reg.sync('bank', bankRegistration)
 * ```
 */
export function ledgerRpRegistration(options: LedgerRpRegistrationOptions): LedgerRpRegistration {
  const { logger, clock } = options;
  const retries = new Map<string, ReturnType<typeof setTimeout>>();
  const delays = new Map<string, number>();
  let closed = false;

  const apply = async (
    id: string,
    rp: RelyingPartyRegistration | undefined,
  ): Promise<'current' | 'appended' | 'proposed'> => {
    const ledger = options.connect();
    const now = clock();
    const desired = rp === undefined ? undefined : ledgerProfileOf(rp);
    const first = desired?.requests[0];
    // Any rp-claim question carries the party's whole chain in its proof.
    const { state } = await ledger.queryVerified({
      q: 'rp-claim',
      rp: id,
      vct: first?.vct ?? 'urn:openmid:any',
      claim: first?.claims[0] ?? ['id'],
      at: now,
    });
    const plan = rpRegistrationPlan(state.rps.get(id), desired, {
      now,
      lifetime: options.mode === 'development' ? 3600 : 7 * 86_400,
    });
    if (plan.length === 0) return 'current';
    if (options.mode === 'development') {
      for (const body of plan) {
        const receipt = await ledger.devCountersign(propose(body));
        if (receipt.status === 'pending') await ledger.waitForEntry(receipt.entryId);
        logger.info(
          { rp: id, typ: body.typ, entryId: receipt.entryId },
          'trust ledger: relying party registered (development governance)',
        );
      }
      await options.onAppended?.().catch((e: unknown) => {
        logger.warn({ err: safeError(e) }, 'trust ledger: refresh after registration failed');
      });
      return 'appended';
    }
    mkdirSync(options.proposalsDir, { recursive: true, mode: 0o700 });
    for (const [i, body] of plan.entries()) {
      const file = join(options.proposalsDir, `${now}-${id}-${i + 1}-${body.typ}.json`);
      writeFileSync(file, `${JSON.stringify(propose(body), null, 2)}\n`);
      logger.info(
        { rp: id, typ: body.typ, file },
        'trust ledger: proposal written; the governance agencies cosign it (openmid ledger cosign) and submit it',
      );
    }
    return 'proposed';
  };

  const attempt = async (
    id: string,
    rp: RelyingPartyRegistration | undefined,
  ): Promise<'current' | 'appended' | 'proposed' | 'retrying'> => {
    const pending = retries.get(id);
    if (pending !== undefined) {
      clearTimeout(pending);
      retries.delete(id);
    }
    try {
      const outcome = await apply(id, rp);
      delays.delete(id);
      return outcome;
    } catch (e) {
      if (!(isOpenMidError(e) && TRANSIENT.has(e.code)) || closed) throw e;
      const wait = delays.get(id) ?? options.retryMs ?? 5000;
      delays.set(id, Math.min(wait * 2, 60_000));
      logger.warn(
        { rp: id, errorCode: e.code, retryInMs: wait },
        'trust ledger unreachable: the relying-party registration will be retried',
      );
      const t = setTimeout(() => {
        retries.delete(id);
        attempt(id, rp).catch((err: unknown) => {
          logger.error({ rp: id, err: safeError(err) }, 'trust ledger: registration refused');
        });
      }, wait);
      t.unref();
      retries.set(id, t);
      return 'retrying';
    }
  };

  return {
    sync: attempt,
    close() {
      closed = true;
      for (const t of retries.values()) clearTimeout(t);
      retries.clear();
    },
  };
}
