/**
 * @module trust
 * The port through which the issuer announces itself to the trust ledger (DESIGN.md §5: "issuer
 * registration (identifier, keys, credential types it may issue, validity)"), and anchors every
 * status list token it publishes. Verifiers trust the issuer's key through the ledger, never by
 * fetching it from the issuer.
 *
 * Two implementations:
 * - {@link loggingTrustRegistration} (default, no ISSUER_LEDGER_URL): logs what it would register;
 * - {@link ledgerTrustRegistration} (ISSUER_LEDGER_URL): reads the issuer's current registration
 *   from the ledger (a proven, verified answer), proposes what is missing — `issuer.register`, or
 *   `issuer.key.add` for a new credential key and `issuer.update` for changed names or types —
 *   and, in development, has the node's development governance countersign and append it; in
 *   production it writes the proposals to `DATA_DIR/ledger-proposals/` for the agencies to cosign
 *   offline (`openmid ledger cosign`, then `openmid ledger submit`). Each published status list
 *   token is anchored (`anchor.status-list`: URI, SHA-256 of the token, its `iat`), signed by the
 *   credential key itself: no governance involved.
 *
 * Failures: an unreachable ledger is retried in the background (the issuer keeps issuing); a
 * refusal (a removed issuer, a revoked key, an invalid entry) fails start-up with its code.
 * Anchoring never blocks or fails a publication: a failed anchor is logged and the next
 * publication (or start-up) anchors the then-current token.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { type Clock, decodeCompactJws } from '@openmid/core/jose';
import type { PublicJwk, Signer } from '@openmid/core/keys';
import {
  cosign,
  type EntryBody,
  type IssuerState,
  issuerVersionAt,
  propose,
} from '@openmid/ledger';
import type { HttpLedger } from '@openmid/ledger/http';
import { type Logger, type Sql, safeError } from '@openmid/server-kit';
import type { StatusPublisher } from './services/publisher.js';

/** What the issuer registers about itself. */
export interface IssuerRegistration {
  /** The issuer identifier (`iss` of every credential). */
  readonly iss: string;
  /** Display names. */
  readonly name: { readonly ko: string; readonly en: string };
  /** The credential-signing keys (public JWKs with kid). */
  readonly keys: readonly PublicJwk[];
  /** The `vct` of every credential type it issues. */
  readonly credentialTypes: readonly string[];
  /** The status list URIs it currently publishes. */
  readonly statusLists: readonly string[];
  /**
   * IACA root certificates (PEM) of its mdocs, for registrations that can carry them (the
   * verifier's own registry); the trust ledger holds the document-signer KEY instead (in `keys`).
   */
  readonly iacas?: readonly string[];
}

/** A status list token as published. */
export interface StatusListPublication {
  /** The list URI (the token's `sub`). */
  readonly uri: string;
  /** The `statuslist+jwt` compact JWS, exactly as served. */
  readonly token: string;
}

/** "Register my iss, keys and credential types", and "anchor what I published". */
export interface TrustRegistration {
  register(registration: IssuerRegistration): Promise<void>;
  /** Anchor a published status list token (optional: the logging default does not). */
  anchorStatusList?(publication: StatusListPublication): Promise<void>;
  /** Stop background work (retries). */
  close?(): Promise<void>;
}

/** The default: log what would be registered (identifiers, key ids, types: no secrets). */
export function loggingTrustRegistration(logger: Logger): TrustRegistration {
  return {
    async register(r) {
      logger.info(
        {
          iss: r.iss,
          kids: r.keys.map((k) => k.kid ?? '(none)'),
          vcts: r.credentialTypes,
          statusLists: r.statusLists.length,
        },
        'trust registration (ledger not wired: logged only)',
      );
    },
  };
}

/** Options of {@link ledgerTrustRegistration}. */
export interface LedgerTrustOptions {
  /** A client of the ledger node (called per attempt: it may read a key file that appears later). */
  readonly connect: () => HttpLedger;
  /** The credential-signing key: signs status-list anchors (ES256, registered on the ledger). */
  readonly signer: Signer;
  /** Its kid as registered (the RFC 7638 thumbprint). */
  readonly kid: string;
  /**
   * `development`: the node's development governance countersigns and appends;
   * `production`: proposals are written to `proposalsDir` for the agencies.
   */
  readonly mode: 'development' | 'production';
  readonly proposalsDir: string;
  /** NumericDate seconds. */
  readonly clock: Clock;
  readonly logger: Logger;
  /** First retry delay when the ledger cannot be reached (ms; doubles up to 60 s). Default 5000. */
  readonly retryMs?: number;
}

/** Codes that mean "try again later" rather than "no". */
const TRANSIENT = new Set<string>([
  'ERR_LEDGER_UNAVAILABLE',
  'ERR_HTTP_RATE_LIMITED',
  'ERR_LEDGER_PENDING',
]);

function minimalJwk(jwk: PublicJwk): PublicJwk {
  return jwk.y === undefined
    ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x }
    : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

function sameJwk(a: PublicJwk, b: PublicJwk): boolean {
  return JSON.stringify(minimalJwk(a)) === JSON.stringify(minimalJwk(b));
}

/** Times of a {@link registrationPlan}. */
export interface PlanTimes {
  /** The entries' `iat` (seconds). */
  readonly now: number;
  /** `exp − iat` of the entries: how long the proposal may wait for its signatures. */
  readonly lifetime: number;
  /**
   * Start of validity of a new registration or key (default `now`): when this process began
   * registering, so that credentials issued while the ledger was unreachable still resolve.
   */
  readonly validFrom?: number;
}

/**
 * The entries that bring the ledger's view of the issuer (`current`, undefined when unknown) to
 * `desired`: a registration, or key additions and a profile update. Empty when nothing is
 * missing. Throws ERR_LEDGER_CONFLICT when the ledger says no for good (issuer removed, a key id
 * revoked or bound to another key).
 */
export function registrationPlan(
  current: IssuerState | undefined,
  desired: IssuerRegistration,
  times: PlanTimes,
): EntryBody[] {
  const { now } = times;
  const validFrom = Math.min(times.validFrom ?? now, now);
  const timed = { iat: now, exp: now + times.lifetime };
  const types = [...new Set(desired.credentialTypes)];
  const keys = desired.keys.map((k) => {
    if (k.kid === undefined) {
      throw new OpenMidError('ERR_INPUT_INVALID', 'A credential key has no kid');
    }
    return { kid: k.kid, jwk: minimalJwk(k), validFrom };
  });
  if (current === undefined) {
    return [
      {
        typ: 'issuer.register',
        ...timed,
        issuer: { id: desired.iss, names: desired.name, types, validFrom },
        keys,
      },
    ];
  }
  if (current.removedAt !== undefined) {
    throw new OpenMidError('ERR_LEDGER_CONFLICT', 'This issuer was removed from the trust ledger');
  }
  const plan: EntryBody[] = [];
  for (const k of keys) {
    const known = current.keys.get(k.kid);
    if (known === undefined) {
      plan.push({ typ: 'issuer.key.add', ...timed, issuer: desired.iss, key: k });
    } else if (!sameJwk(known.jwk, k.jwk)) {
      throw new OpenMidError('ERR_LEDGER_CONFLICT', 'The key id is registered for another key');
    } else if (known.revokedAt !== undefined && known.revokedAt <= now) {
      throw new OpenMidError(
        'ERR_LEDGER_CONFLICT',
        'The credential key was revoked on the trust ledger: rotate it',
      );
    }
  }
  const version = issuerVersionAt(current, now);
  const sameTypes =
    version.types.length === types.length && types.every((t) => version.types.includes(t));
  if (!sameTypes || version.names.ko !== desired.name.ko || version.names.en !== desired.name.en) {
    plan.push({
      typ: 'issuer.update',
      ...timed,
      issuer: {
        id: desired.iss,
        names: desired.name,
        types,
        validFrom: version.validFrom,
        ...(version.validUntil === undefined ? {} : { validUntil: version.validUntil }),
      },
    });
  }
  return plan;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The trust ledger behind the issuer's {@link TrustRegistration} (see the module comment).
 *
 * @example
 * ```ts
 * const trust = ledgerTrustRegistration({ connect: () => createHttpLedger({ url, logKey, adminKey }),
 *   signer: secrets.signer, kid: secrets.publicJwk.kid, mode: 'development', proposalsDir, clock, logger })
 * ```
 */
export function ledgerTrustRegistration(options: LedgerTrustOptions): TrustRegistration {
  const { logger, clock } = options;
  let iss: string | undefined;
  /** When this process first tried to register (the start of validity it asks for). */
  let since: number | undefined;
  let ledgerId: string | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let delay = options.retryMs ?? 5000;
  const anchored = new Map<string, string>();
  const refusedOnce = new Set<string>();

  const apply = async (registration: IssuerRegistration): Promise<void> => {
    const ledger = options.connect();
    const now = clock();
    const { state } = await ledger.queryVerified({
      q: 'issuer-keys',
      issuer: registration.iss,
      at: now,
    });
    ledgerId ??= state.ledgerId;
    const plan = registrationPlan(state.issuers.get(registration.iss), registration, {
      now,
      lifetime: options.mode === 'development' ? 3600 : 7 * 86_400,
      ...(since === undefined ? {} : { validFrom: since }),
    });
    if (plan.length === 0) {
      logger.info({ iss: registration.iss }, 'trust ledger: issuer registration is current');
      return;
    }
    if (options.mode === 'development') {
      for (const body of plan) {
        const receipt = await ledger.devCountersign(propose(body));
        if (receipt.status === 'pending') await ledger.waitForEntry(receipt.entryId);
        logger.info(
          { iss: registration.iss, typ: body.typ, entryId: receipt.entryId },
          'trust ledger: registered (development governance)',
        );
      }
      return;
    }
    mkdirSync(options.proposalsDir, { recursive: true, mode: 0o700 });
    for (const [i, body] of plan.entries()) {
      const file = join(options.proposalsDir, `${now}-${i + 1}-${body.typ}.json`);
      writeFileSync(file, `${JSON.stringify(propose(body), null, 2)}\n`);
      logger.info(
        { iss: registration.iss, typ: body.typ, file },
        'trust ledger: proposal written; the governance agencies cosign it (openmid ledger cosign) and submit it',
      );
    }
  };

  const attempt = async (registration: IssuerRegistration): Promise<void> => {
    try {
      await apply(registration);
      delay = options.retryMs ?? 5000;
    } catch (e) {
      if (!(isOpenMidError(e) && TRANSIENT.has(e.code)) || closed) throw e;
      logger.warn(
        { iss: registration.iss, errorCode: e.code, retryInMs: delay },
        'trust ledger unreachable: registration will be retried',
      );
      const wait = delay;
      delay = Math.min(delay * 2, 60_000);
      retry = setTimeout(() => {
        retry = undefined;
        attempt(registration).catch((err: unknown) => {
          logger.error({ err: safeError(err) }, 'trust ledger: registration refused');
        });
      }, wait);
      retry.unref();
    }
  };

  return {
    async register(registration) {
      iss = registration.iss;
      since ??= clock();
      await attempt(registration);
    },
    async anchorStatusList(publication) {
      if (iss === undefined) return;
      const digest = sha256Hex(publication.token);
      const known = anchored.get(publication.uri);
      if (known === digest) return;
      const ledger = options.connect();
      try {
        ledgerId ??= await ledger.ledgerId();
        if (ledgerId === undefined) {
          throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'The ledger has no genesis yet');
        }
        // First time this process sees the list: ask the ledger what it anchored last (a restart
        // must not anchor the same token twice). Afterwards the process knows.
        const latest =
          known === undefined
            ? (await ledger.query({ q: 'status-list', uri: publication.uri })).answer.anchor?.digest
            : known;
        if (latest !== digest) {
          const { payload } = decodeCompactJws(publication.token);
          const issuedAt = typeof payload['iat'] === 'number' ? payload['iat'] : clock();
          const now = clock();
          const entry = await cosign(
            propose({
              typ: 'anchor.status-list',
              iat: now,
              exp: now + 3600,
              issuer: iss,
              uri: publication.uri,
              digest,
              issuedAt,
            }),
            options.signer,
            { ledgerId, kid: options.kid },
          );
          const receipt = await ledger.append(entry);
          logger.info(
            { uri: publication.uri, entryId: receipt.entryId, status: receipt.status },
            'trust ledger: status list anchored',
          );
        }
        anchored.set(publication.uri, digest);
        refusedOnce.delete(publication.uri);
      } catch (e) {
        const code = isOpenMidError(e) ? e.code : 'ERR_INTERNAL';
        // One warning per list until it succeeds (e.g. production: not yet registered).
        if (!refusedOnce.has(publication.uri)) {
          refusedOnce.add(publication.uri);
          logger.warn({ uri: publication.uri, errorCode: code }, 'trust ledger: anchor failed');
        }
        throw e;
      }
    },
    async close() {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
    },
  };
}

/** A status publisher that also anchors what it publishes, and the start-up catch-up. */
export interface AnchoringPublisher extends StatusPublisher {
  /** Anchor the current token of every published list (start-up), in the background. */
  anchorAll(): void;
}

/**
 * Wrap the status publisher so that every publication is followed by an anchor of the token it
 * stored (read back from `status_lists`), in the background and coalesced per list: at most one
 * anchor run per list at a time, and a publication during a run triggers one more run, so the
 * latest token is always the one anchored. `drain()` waits for the anchors too.
 */
export function anchoringPublisher(
  inner: StatusPublisher,
  options: {
    readonly sql: Sql;
    readonly trust: TrustRegistration;
    readonly listUri: (listId: number) => string;
    readonly logger: Logger;
  },
): AnchoringPublisher {
  const { trust, sql } = options;
  const background = new Set<Promise<void>>();
  const running = new Map<number, Promise<void>>();
  const again = new Set<number>();

  const anchorOnce = async (listId: number): Promise<void> => {
    const r = await sql.query<{ token: string | null }>(
      'SELECT token FROM status_lists WHERE id = $1',
      [listId],
    );
    const token = r.rows[0]?.token;
    if (token === null || token === undefined || trust.anchorStatusList === undefined) return;
    await trust.anchorStatusList({ uri: options.listUri(listId), token });
  };
  const anchor = (listId: number): void => {
    if (trust.anchorStatusList === undefined) return;
    if (running.has(listId)) {
      again.add(listId);
      return;
    }
    const run: Promise<void> = anchorOnce(listId)
      .catch(() => undefined) // logged by the trust registration
      .finally(() => {
        running.delete(listId);
        if (again.delete(listId)) anchor(listId);
      });
    running.set(listId, run);
    background.add(run);
    void run.finally(() => background.delete(run));
  };

  const publisher: AnchoringPublisher = {
    async publish(listId) {
      await inner.publish(listId);
      anchor(listId);
    },
    schedule(listId) {
      const p = publisher.publish(listId).catch((e: unknown) => {
        options.logger.error({ listId, err: safeError(e) }, 'status list publication failed');
      });
      background.add(p);
      void p.finally(() => background.delete(p));
    },
    async publishPending() {
      return inner.publishPending();
    },
    async drain() {
      await inner.drain();
      while (background.size > 0) await Promise.all([...background]);
    },
    anchorAll() {
      if (trust.anchorStatusList === undefined) return;
      const p = sql
        .query<{ id: number }>('SELECT id FROM status_lists WHERE token IS NOT NULL ORDER BY id')
        .then((r) => {
          for (const row of r.rows) anchor(row.id);
        })
        .catch((e: unknown) => {
          options.logger.warn({ err: safeError(e) }, 'status list anchoring catch-up failed');
        });
      background.add(p);
      void p.finally(() => background.delete(p));
    },
  };
  return publisher;
}
