/**
 * @module mdoc/inperson
 * In person with a browser wallet (ADR 006 Decision 5, issue 7 §2): ISO/IEC 18013-5 QR device
 * engagement and session encryption, the messages carried by an HTTPS relay (the verifier
 * service's `/relay/v1`, docs/in-person.md) instead of BLE or NFC, which browsers cannot serve.
 *
 * - Holder (wallet): {@link openRelaySession} → {@link createRelayEngagement} (show `uri` as a QR
 *   code) → {@link holderAwaitRequest} (the reader's SessionEstablishment, decrypted: who asks
 *   what) → `createDeviceResponse` over `session.sessionTranscript` → {@link holderRespond}.
 * - Reader (relying party, any browser or server): {@link startRelayReader} on the scanned
 *   `mdoc:` text → `reader.request(…)` (an encrypted DeviceRequest, optionally reader-signed) →
 *   `reader.response()` (the decrypted DeviceResponse) → {@link verifyInPersonResponse} (every
 *   §9.3 check with THIS session's transcript, the ledger check of the DS key, status).
 *
 * Everything above the transport is 18013-5: AES-256-GCM with per-direction counters end to end,
 * so the relay sees ciphertext, sizes and timing only; the transcript is [DeviceEngagementBytes,
 * EReaderKeyBytes, null] (QR handover, §9.1.5.1), so a response cannot be replayed into another
 * session. The relay's retrieval method is a PRIVATE DeviceRetrievalMethod type (readers that do
 * not know it ignore it; the value must be registered before production, ADR 006).
 */
import type { CryptoProvider } from '@openmid/core';
import { OpenMidError } from '@openmid/core/errors';
import type { Signer as MdocSigner } from '@openmid/core/keys';
import {
  acceptReaderSession,
  type CborValue,
  type DocRequest,
  deviceEngagementFromUri,
  deviceEngagementUri,
  type EphemeralKey,
  encodeDeviceEngagement,
  encodeDeviceRequest,
  generateEphemeralKey,
  isCborMap,
  type MdocSession,
  parseDeviceEngagement,
  parseDeviceRequest,
  type ReaderSession,
  type RequestedElements,
  type SessionTranscript,
  startReaderSession,
} from '@openmid/core/mdoc';
import type { CredentialStatus } from '../verify/status.js';
import {
  type MdocVerifyContext,
  mdocClaims,
  selectElements,
  verifyMdocDocument,
} from './verify.js';

/**
 * The DeviceRetrievalMethod `type` of the OpenMID HTTPS relay: a private value outside 18013-5's
 * 1 (NFC), 2 (BLE), 3 (Wi-Fi Aware). Options: `{ "url": relay base URL, "session": session id }`.
 */
export const RELAY_RETRIEVAL_TYPE = 0x4f4d49;
/** Version of the relay retrieval method. */
export const RELAY_RETRIEVAL_VERSION = 1;
/** Longest wait of one long-poll (seconds). */
export const RELAY_MAX_WAIT = 25;

/** How the SDK reaches the relay (global `fetch`, or `app.request` in tests). */
export type RelayFetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A relay session as the holder holds it. */
export interface RelaySession {
  /** The relay base URL (`…/relay/v1`). */
  readonly relay: string;
  readonly session: string;
  /** Proves the holder end to the relay (never shown in the QR code). */
  readonly holderToken: string;
  readonly expiresAt: string;
}

const CBOR = 'application/cbor';

async function relayError(res: Response): Promise<OpenMidError> {
  let code = 'ERR_MDOC_RELAY_SESSION_UNKNOWN';
  try {
    const body = (await res.json()) as { code?: unknown };
    if (typeof body.code === 'string' && body.code.startsWith('ERR_')) code = body.code;
  } catch {
    // not JSON: keep the default
  }
  return new OpenMidError(
    code as 'ERR_MDOC_RELAY_SESSION_UNKNOWN',
    `The relay answered ${res.status}`,
    {
      details: { status: res.status },
    },
  );
}

function base(relay: string): string {
  return relay.replace(/\/+$/, '');
}

/**
 * Holder: open a mailbox on the relay (`POST {relay}/sessions`).
 *
 * @example
 * ```ts
 * const session = await openRelaySession('https://verifier.openmid.go.kr/relay/v1')
 * ```
 */
export async function openRelaySession(
  relay: string,
  options: { readonly fetch?: RelayFetch } = {},
): Promise<RelaySession> {
  const f = options.fetch ?? ((u, i) => fetch(u, i));
  const res = await f(`${base(relay)}/sessions`, { method: 'POST' });
  if (res.status !== 201) throw await relayError(res);
  const body = (await res.json()) as Record<string, unknown>;
  const { session, holder_token: holderToken, expires_at: expiresAt } = body;
  if (
    typeof session !== 'string' ||
    typeof holderToken !== 'string' ||
    typeof expiresAt !== 'string'
  )
    throw new OpenMidError('ERR_MDOC_RELAY_SESSION_UNKNOWN', 'The relay answer is malformed');
  return { relay: base(relay), session, holderToken, expiresAt };
}

/** A device engagement to show as a QR code. */
export interface RelayEngagement {
  /** `mdoc:` + base64url DeviceEngagement (18013-5 §8.2.2.3): the QR code's text. */
  readonly uri: string;
  readonly deviceEngagement: Uint8Array;
  /** EDeviceKey (non-extractable ECDH key); keep it for {@link holderAwaitRequest}. */
  readonly deviceKey: EphemeralKey;
}

/**
 * Holder: the QR device engagement of a relay session — a fresh EDeviceKey and the relay as the
 * only retrieval method.
 *
 * @see ISO/IEC 18013-5 §8.2.1.1, §8.2.2.3
 */
export async function createRelayEngagement(
  session: Pick<RelaySession, 'relay' | 'session'>,
): Promise<RelayEngagement> {
  const deviceKey = await generateEphemeralKey();
  const deviceEngagement = encodeDeviceEngagement({
    eDeviceKeyBytes: deviceKey.publicKeyBytes,
    retrievalMethods: [
      [
        RELAY_RETRIEVAL_TYPE,
        RELAY_RETRIEVAL_VERSION,
        new Map<string, CborValue>([
          ['url', session.relay],
          ['session', session.session],
        ]),
      ],
    ],
  });
  return { uri: deviceEngagementUri(deviceEngagement), deviceEngagement, deviceKey };
}

/** The relay named by a parsed engagement's retrieval methods. */
function relayOf(methods: readonly CborValue[]): { relay: string; session: string } {
  for (const m of methods) {
    if (!Array.isArray(m) || m[0] !== RELAY_RETRIEVAL_TYPE || m[1] !== RELAY_RETRIEVAL_VERSION)
      continue;
    const options = m[2];
    if (!isCborMap(options)) break;
    const url = options.get('url');
    const session = options.get('session');
    if (
      typeof url === 'string' &&
      /^https?:\/\/[^\s]+$/.test(url) &&
      url.length <= 512 &&
      typeof session === 'string' &&
      /^[A-Za-z0-9_-]{22,64}$/.test(session)
    )
      return { relay: base(url), session };
    break;
  }
  throw new OpenMidError(
    'ERR_MDOC_ENGAGEMENT_INVALID',
    'The engagement offers no OpenMID relay (BLE and NFC need a native reader)',
  );
}

async function poll(
  f: RelayFetch,
  url: string,
  token: string,
  waitSeconds: number,
): Promise<Uint8Array | undefined> {
  const wait = Math.max(0, Math.min(RELAY_MAX_WAIT, Math.floor(waitSeconds)));
  const res = await f(`${url}?wait=${wait}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 204) return undefined;
  if (res.status !== 200) throw await relayError(res);
  return new Uint8Array(await res.arrayBuffer());
}

async function waitFor(
  f: RelayFetch,
  url: string,
  token: string,
  timeoutSeconds: number,
): Promise<Uint8Array> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    const message = await poll(f, url, token, Math.max(0, left));
    if (message !== undefined) return message;
    if (Date.now() >= deadline)
      throw new OpenMidError('ERR_MDOC_RELAY_SESSION_UNKNOWN', 'No message before the timeout', {
        details: { reason: 'timeout' },
      });
  }
}

/** Options of {@link holderAwaitRequest}. */
export interface HolderAwaitOptions {
  readonly session: RelaySession;
  readonly engagement: RelayEngagement;
  /** Seconds to wait for the reader (default 120). */
  readonly timeoutSeconds?: number;
  readonly fetch?: RelayFetch;
}

/** What the holder received: the session and the decrypted, parsed request. */
export interface HolderRequest {
  readonly session: MdocSession;
  /** The reader's DocRequests (show who asks what; `verifyReaderAuth` when reader-signed). */
  readonly docRequests: readonly DocRequest[];
}

/**
 * Holder: wait for the reader's SessionEstablishment through the relay, derive the session and
 * decrypt the DeviceRequest.
 *
 * @throws OpenMidError `ERR_MDOC_SESSION_*`, `ERR_MDOC_MALFORMED`, `ERR_MDOC_RELAY_*`.
 */
export async function holderAwaitRequest(options: HolderAwaitOptions): Promise<HolderRequest> {
  const f = options.fetch ?? ((u, i) => fetch(u, i));
  const { session, engagement } = options;
  const bytes = await waitFor(
    f,
    `${session.relay}/sessions/${session.session}/to-holder`,
    session.holderToken,
    options.timeoutSeconds ?? 120,
  );
  const accepted = await acceptReaderSession({
    deviceEngagement: engagement.deviceEngagement,
    deviceKey: engagement.deviceKey,
    sessionEstablishment: bytes,
  });
  return { session: accepted, docRequests: parseDeviceRequest(accepted.request) };
}

/** Holder: send the DeviceResponse (encrypted in the session) to the reader through the relay. */
export async function holderRespond(options: {
  readonly session: RelaySession;
  readonly mdocSession: MdocSession;
  readonly deviceResponse: Uint8Array;
  readonly fetch?: RelayFetch;
}): Promise<void> {
  const f = options.fetch ?? ((u, i) => fetch(u, i));
  const body = await options.mdocSession.respond(options.deviceResponse);
  const res = await f(`${options.session.relay}/sessions/${options.session.session}/to-reader`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.session.holderToken}`, 'content-type': CBOR },
    body: body as BodyInit,
  });
  if (res.status !== 202) throw await relayError(res);
}

/** The reader end over the relay. */
export interface RelayReader {
  readonly session: ReaderSession;
  /** This transaction's SessionTranscript (what DeviceAuth must be over). */
  readonly sessionTranscript: SessionTranscript;
  /** The elements asked for by {@link RelayReader.request} (results keep only these). */
  readonly requested: RequestedElements | undefined;
  /**
   * Send the encrypted DeviceRequest (the first message; it claims the relay session for this
   * reader — a second reader is refused with `ERR_MDOC_RELAY_SESSION_TAKEN`).
   */
  request(docRequests: EncodeRequest): Promise<void>;
  /** Wait for and decrypt the holder's DeviceResponse. */
  response(timeoutSeconds?: number): Promise<Uint8Array>;
  /** End the session (status 20) and close the mailbox. */
  end(): Promise<void>;
}

/** What a reader asks: documents and elements (`true` = intends to retain), reader-signed or not. */
export interface EncodeRequest {
  readonly docRequests: readonly {
    readonly docType: string;
    readonly nameSpaces: RequestedElements;
  }[];
  readonly readerAuth?: { readonly signer: MdocSigner; readonly certificate: Uint8Array };
}

/**
 * Reader: start a session from a scanned `mdoc:` QR text whose engagement offers the relay.
 *
 * @throws OpenMidError `ERR_MDOC_ENGAGEMENT_INVALID` (not an engagement, no relay method).
 * @see ISO/IEC 18013-5 §9.1.1.4, §9.1.5.1
 */
export async function startRelayReader(
  scanned: string,
  options: { readonly fetch?: RelayFetch } = {},
): Promise<RelayReader> {
  const f = options.fetch ?? ((u, i) => fetch(u, i));
  const deviceEngagement = deviceEngagementFromUri(scanned);
  const { relay, session: sid } = relayOf(parseDeviceEngagement(deviceEngagement).retrievalMethods);
  const session = await startReaderSession({ deviceEngagement });
  const url = `${relay}/sessions/${sid}`;
  let token: string | undefined;
  let requested: Record<string, Record<string, boolean>> | undefined;
  return {
    session,
    sessionTranscript: session.sessionTranscript,
    get requested() {
      return requested;
    },
    async request(input: EncodeRequest): Promise<void> {
      requested = {};
      for (const d of input.docRequests)
        for (const [ns, elements] of Object.entries(d.nameSpaces))
          requested[ns] = { ...(requested[ns] ?? {}), ...elements };
      const deviceRequest = await encodeDeviceRequest({
        docRequests: input.docRequests,
        ...(input.readerAuth === undefined
          ? {}
          : { readerAuth: { ...input.readerAuth, sessionTranscript: session.sessionTranscript } }),
      });
      const res = await f(`${url}/to-holder`, {
        method: 'POST',
        headers: { 'content-type': CBOR },
        body: (await session.establish(deviceRequest)) as BodyInit,
      });
      if (res.status !== 202) throw await relayError(res);
      const body = (await res.json()) as { reader_token?: unknown };
      if (typeof body.reader_token !== 'string')
        throw new OpenMidError('ERR_MDOC_RELAY_SESSION_UNKNOWN', 'The relay gave no reader token');
      token = body.reader_token;
    },
    async response(timeoutSeconds = 120): Promise<Uint8Array> {
      if (token === undefined)
        throw new OpenMidError('ERR_INPUT_INVALID', 'Send the request first');
      const message = await session.receive(
        await waitFor(f, `${url}/to-reader`, token, timeoutSeconds),
      );
      if (message.data === undefined)
        throw new OpenMidError('ERR_MDOC_SESSION_TERMINATED', 'The holder ended the session', {
          details: { status: message.status ?? null },
        });
      return message.data;
    },
    async end(): Promise<void> {
      if (token === undefined) return;
      await f(url, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      token = undefined;
    },
  };
}

/** A verified in-person presentation (same shape as an online one). */
export interface VerifiedInPerson {
  readonly iss: string;
  readonly issuerName?: { readonly ko: string; readonly en: string };
  readonly vct: string;
  readonly docType: string;
  /** Profile claim names where mapped, else `claims[namespace][element]`. */
  readonly claims: Record<string, unknown>;
  readonly status: CredentialStatus;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly holderKeyThumbprint: string;
  readonly format: 'mso_mdoc';
}

/**
 * Reader: verify the DeviceResponse of an in-person session — every §9.3 check with this
 * session's transcript (and its reader key for a `deviceMac`), the DS key registered for the
 * IACA's issuer, the doctype allowed, the status.
 *
 * @example
 * ```ts
 * const reader = await startRelayReader(scannedText)
 * await reader.request({ docRequests: [{ docType: MDL_DOCTYPE, nameSpaces: { [KR_MDL_NAMESPACE]: { name: false } } }] })
 * const result = await verifyInPersonResponse(await reader.response(), reader, { trust, iacas, statusLists, now, leeway: 30 })
 * ```
 * @see ISO/IEC 18013-5 §9.1.1, §9.3.1
 */
export async function verifyInPersonResponse(
  deviceResponse: Uint8Array,
  reader: Pick<RelayReader, 'session' | 'requested'>,
  ctx: Omit<MdocVerifyContext, 'readerKey'> & { readonly crypto?: CryptoProvider },
): Promise<VerifiedInPerson> {
  const doc = await verifyMdocDocument(deviceResponse, reader.session.sessionTranscript, {
    ...ctx,
    readerKey: reader.session.readerKey.privateKey,
  });
  // Only what this reader asked for (data minimisation): extra elements are dropped.
  const asked = reader.requested;
  const elements =
    asked === undefined
      ? doc.nameSpaces
      : selectElements(
          doc.nameSpaces,
          Object.entries(asked).flatMap(([ns, els]) => Object.keys(els).map((e) => [ns, e])),
        );
  const { vct, claims } = mdocClaims(doc, elements, ctx.profiles);
  return {
    iss: doc.iss,
    ...(doc.issuerName === undefined ? {} : { issuerName: doc.issuerName }),
    vct,
    docType: doc.docType,
    claims,
    status: doc.status,
    issuedAt: doc.signed,
    expiresAt: doc.validUntil,
    holderKeyThumbprint: doc.holderKeyThumbprint,
    format: 'mso_mdoc',
  };
}
