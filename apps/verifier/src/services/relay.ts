/**
 * @module services/relay
 * The in-person relay (ADR 006 Decision 5, docs/in-person.md): mailboxes that carry ISO/IEC
 * 18013-5 session messages between a holder's browser wallet and a reader, neither of which can
 * open a socket to the other. The relay is deliberately dumb and small:
 *
 * - a session is opened by the holder (`open`): a random 128-bit id (in the QR code) and a
 *   holder token (never in the QR code);
 * - only SessionEstablishment / SessionData messages pass (checked structurally: they carry
 *   AES-256-GCM ciphertext the relay cannot read), each at most `maxMessage` bytes, at most
 *   `maxQueued` waiting per direction;
 * - the first reader message claims the session and gets a reader token: ONE reader per session,
 *   a second is refused (`ERR_MDOC_RELAY_SESSION_TAKEN`);
 * - a session lives `ttl` seconds from opening, whatever happens; messages are deleted on
 *   delivery; at most `maxSessions` are open (`ERR_MDOC_RELAY_LIMIT`);
 * - receivers long-poll (at most 25 s per call).
 *
 * State is in memory (ciphertext that is worthless after the session): route a session's requests
 * to one instance (the id is in the path), or run the relay on one instance. Nothing is logged
 * but ids' absence: no message content, no token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import { decodeSessionData, decodeSessionEstablishment } from '@openmid/core/mdoc';

/** Longest long-poll of one receive call (seconds). */
export const RELAY_MAX_WAIT_SECONDS = 25;

/** Which way a message goes. */
export type RelayDirection = 'to-holder' | 'to-reader';

/** Options of {@link createRelay}. */
export interface RelayOptions {
  /** Seconds a session lives (default 300). */
  readonly ttl?: number;
  /** Most open sessions (default 10,000). */
  readonly maxSessions?: number;
  /** Largest message in bytes (default 256 KiB: a DeviceResponse with a portrait). */
  readonly maxMessage?: number;
  /** Most undelivered messages per direction (default 4). */
  readonly maxQueued?: number;
  /** Milliseconds now (default Date.now). */
  readonly now?: () => number;
}

interface Mailbox {
  readonly queue: Uint8Array[];
  readonly waiters: ((m: Uint8Array | undefined) => void)[];
}

interface Session {
  readonly holderHash: Buffer;
  readerHash: Buffer | undefined;
  readonly expiresAt: number;
  readonly boxes: Record<RelayDirection, Mailbox>;
}

/** The relay. */
export interface Relay {
  /** Open a session for a holder. */
  open(): { session: string; holderToken: string; expiresAt: Date };
  /**
   * Post a message. The reader's first message (`to-holder` without a token) claims the session
   * and returns its reader token.
   */
  post(
    session: string,
    direction: RelayDirection,
    token: string | undefined,
    body: Uint8Array,
  ): { readerToken?: string };
  /** Wait up to `waitMs` for the next message (undefined: none). */
  receive(
    session: string,
    direction: RelayDirection,
    token: string | undefined,
    waitMs: number,
  ): Promise<Uint8Array | undefined>;
  /** Close a session (holder or reader). */
  close(session: string, token: string | undefined): void;
  /** Open sessions (for metrics and tests). */
  readonly size: number;
  /** Drop expired sessions, wake their waiters. */
  sweep(): void;
}

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

function hash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function unknown(): OpenMidError {
  return new OpenMidError('ERR_MDOC_RELAY_SESSION_UNKNOWN', 'No such relay session');
}

function limit(what: string): OpenMidError {
  return new OpenMidError('ERR_MDOC_RELAY_LIMIT', `Relay limit: ${what}`, { details: { what } });
}

/**
 * Create an in-memory relay.
 *
 * @example
 * ```ts
 * const relay = createRelay({ ttl: 300 })
 * const { session, holderToken } = relay.open()
 * ```
 */
export function createRelay(options: RelayOptions = {}): Relay {
  const ttl = (options.ttl ?? 300) * 1000;
  const maxSessions = options.maxSessions ?? 10_000;
  const maxMessage = options.maxMessage ?? 256 * 1024;
  const maxQueued = options.maxQueued ?? 4;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();

  const drop = (id: string, s: Session): void => {
    sessions.delete(id);
    for (const box of Object.values(s.boxes)) for (const w of box.waiters.splice(0)) w(undefined);
  };
  const live = (id: string): Session => {
    if (!SESSION_ID.test(id)) throw unknown();
    const s = sessions.get(id);
    if (s === undefined) throw unknown();
    if (s.expiresAt <= now()) {
      drop(id, s);
      throw unknown();
    }
    return s;
  };
  const is = (token: string | undefined, h: Buffer | undefined): boolean =>
    token !== undefined && h !== undefined && timingSafeEqual(hash(token), h);
  /** The receiver of `direction` must hold the token of its side. */
  const receiverOk = (s: Session, direction: RelayDirection, token: string | undefined) =>
    direction === 'to-holder' ? is(token, s.holderHash) : is(token, s.readerHash);

  const relay: Relay = {
    open() {
      relay.sweep();
      if (sessions.size >= maxSessions) throw limit('sessions');
      const session = randomBytes(16).toString('base64url');
      const holderToken = randomBytes(32).toString('base64url');
      const expiresAt = now() + ttl;
      sessions.set(session, {
        holderHash: hash(holderToken),
        readerHash: undefined,
        expiresAt,
        boxes: { 'to-holder': { queue: [], waiters: [] }, 'to-reader': { queue: [], waiters: [] } },
      });
      return { session, holderToken, expiresAt: new Date(expiresAt) };
    },
    post(id, direction, token, body) {
      const s = live(id);
      let readerToken: string | undefined;
      if (direction === 'to-reader') {
        if (!is(token, s.holderHash)) throw unknown();
      } else if (s.readerHash === undefined) {
        // The first reader message claims the session; it must open it (SessionEstablishment).
        if (token !== undefined) throw unknown();
        readerToken = randomBytes(32).toString('base64url');
      } else if (!is(token, s.readerHash)) {
        throw new OpenMidError(
          'ERR_MDOC_RELAY_SESSION_TAKEN',
          'Another reader already uses this session',
        );
      }
      if (body.length === 0 || body.length > maxMessage) throw limit('message size');
      // Only 18013-5 session messages pass: their payload is ciphertext the relay cannot read.
      if (readerToken !== undefined) decodeSessionEstablishment(body);
      else decodeSessionData(body);
      const box = s.boxes[direction];
      if (box.queue.length >= maxQueued) throw limit('mailbox');
      if (readerToken !== undefined) s.readerHash = hash(readerToken);
      const waiter = box.waiters.shift();
      if (waiter !== undefined) waiter(body);
      else box.queue.push(body);
      return readerToken === undefined ? {} : { readerToken };
    },
    async receive(id, direction, token, waitMs) {
      const s = live(id);
      if (!receiverOk(s, direction, token)) throw unknown();
      const box = s.boxes[direction];
      const next = box.queue.shift();
      if (next !== undefined || waitMs <= 0) return next;
      if (box.waiters.length >= 2) throw limit('waiters');
      const wait = Math.min(waitMs, s.expiresAt - now());
      return new Promise<Uint8Array | undefined>((resolve) => {
        const timer = setTimeout(
          () => {
            const i = box.waiters.indexOf(done);
            if (i >= 0) box.waiters.splice(i, 1);
            resolve(undefined);
          },
          Math.max(0, wait),
        );
        timer.unref?.();
        function done(m: Uint8Array | undefined): void {
          clearTimeout(timer);
          resolve(m);
        }
        box.waiters.push(done);
      });
    },
    close(id, token) {
      const s = live(id);
      if (!is(token, s.holderHash) && !is(token, s.readerHash)) throw unknown();
      drop(id, s);
    },
    get size() {
      return sessions.size;
    },
    sweep() {
      const t = now();
      for (const [id, s] of sessions) if (s.expiresAt <= t) drop(id, s);
    },
  };
  return relay;
}
