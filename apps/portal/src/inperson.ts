/**
 * @module inperson
 * The police checkpoint reads the mobile driving licence IN PERSON (ISO/IEC 18013-5 over the
 * verifier's HTTPS relay, docs/in-person.md): the officer scans or pastes the `mdoc:` text of the
 * citizen's QR code, and the portal SERVER — not the browser — plays the reader with the SDK:
 *
 * 1. {@link startRelayReader} on the engagement; the relay it names must be THIS system's verifier
 *    (`${VERIFIER_URL}/relay/v1`): a QR code cannot make the portal call another host;
 * 2. an encrypted DeviceRequest for the police's elements of `org.iso.18013.5.1.mDL`
 *    ({@link POLICE_ELEMENTS}, intent to retain `false`);
 * 3. the DeviceResponse, waited for up to {@link RESPONSE_TIMEOUT} seconds (the citizen decides on
 *    the phone; the relay long-polls 25 s per call);
 * 4. {@link verifyInPersonResponse} with the verifier's trust: the IACA roots of
 *    `${VERIFIER_URL}/v1/iacas`, the issuers' document-signer keys and doctypes from the trust
 *    ledger (`refreshingLedgerTrustSource`, log key pinned from the ledger's data folder, never
 *    taken from the node), status lists fetched and verified by the SDK.
 *
 * Readings live in memory only, under an unguessable id (128 random bits), and are forgotten
 * {@link RESULT_TTL} seconds after they end: the police asked with intent-to-retain `false`.
 * Nothing of a licence is logged or put in a URL; failures are logged with their code only.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';
import { type PublicJwk, parsePublicJwk } from '@openmid/core/keys';
import { MDL_DOCTYPE, MDL_NAMESPACE } from '@openmid/core/mdoc';
import { type Logger, z } from '@openmid/server-kit';
import {
  createMdocIssuerTrust,
  createStatusListSource,
  type MdocIssuerTrust,
  type RefreshingLedgerTrustSource,
  type RelayReader,
  refreshingLedgerTrustSource,
  type StatusListSource,
  startRelayReader,
  type VerifiedInPerson,
  verifyInPersonResponse,
} from '@openmid/verifier';
import { BackendError, type FetchLike } from './backends.js';
import type { PortalConfig } from './config.js';

/** The elements the police checkpoint asks for, in the order the result shows them. */
export const POLICE_ELEMENTS = [
  'portrait',
  'family_name',
  'given_name',
  'birth_date',
  'document_number',
  'expiry_date',
  'driving_privileges',
] as const;

/** One element of {@link POLICE_ELEMENTS}. */
export type PoliceElement = (typeof POLICE_ELEMENTS)[number];

/** Seconds the reader waits for the citizen's answer. */
export const RESPONSE_TIMEOUT = 120;
/** Seconds a finished reading (its result) stays readable. */
export const RESULT_TTL = 120;
/** Readings open at once (waiting or finished and not yet forgotten). */
export const MAX_READINGS = 100;
/** Longest `mdoc:` text accepted (the core refuses longer URIs too). */
export const MAX_ENGAGEMENT_LENGTH = 12_000;

/** How the SDK profile names the elements that it maps (the others stay `[namespace][element]`). */
const PROFILE_CLAIM: Readonly<Partial<Record<PoliceElement, string>>> = {
  birth_date: 'birth_date',
  document_number: 'licence_number',
  portrait: 'portrait',
};

/** One driving privilege (ISO/IEC 18013-5 §7.2.4), as read. */
export interface Privilege {
  /** ISO/IEC 18013-1 Annex B vehicle category (`B`, `C1`, …). */
  readonly category: string;
  readonly issueDate?: string;
  readonly expiryDate?: string;
  /** Restriction codes (`code` or `code sign value`). */
  readonly codes: readonly string[];
}

/** The licence as read and verified (only the elements asked for, as disclosed). */
export interface ReadLicence {
  readonly issuer: {
    readonly id: string;
    readonly name?: { readonly ko: string; readonly en: string };
  };
  readonly status: string;
  readonly family_name?: string;
  readonly given_name?: string;
  readonly birth_date?: string;
  readonly document_number?: string;
  readonly expiry_date?: string;
  /** The portrait as a `data:` URI of its sniffed type; `null` when its format is not shown. */
  readonly portrait?: string | null;
  readonly driving_privileges?: readonly Privilege[];
}

/** Where a reading stands. */
export type ReadingView =
  | { readonly outcome: 'waiting' }
  | { readonly outcome: 'failed'; readonly code: string }
  | { readonly outcome: 'verified'; readonly licence: ReadLicence };

/** The server-side reader of the police checkpoint. */
export interface InPersonReader {
  /**
   * Start reading the licence behind `engagement` (the QR code's text). Resolves once the request
   * is on its way to the phone (`waiting`, with the reading id to poll) or refused (`failed`).
   */
  start(engagement: string): Promise<{ readonly id?: string; readonly view: ReadingView }>;
  /** The reading `id`, or undefined (unknown, or forgotten). */
  get(id: string): ReadingView | undefined;
}

/** Options of {@link createInPersonReader}. */
export interface InPersonReaderOptions {
  readonly config: PortalConfig;
  readonly logger: Logger;
  /** Outbound HTTP (relay, IACA roots, ledger node, status lists). Default: global fetch. */
  readonly fetch?: FetchLike;
  /** NumericDate seconds (default: the system clock). */
  readonly clock?: () => number;
  /** Seconds to wait for the citizen (default {@link RESPONSE_TIMEOUT}). */
  readonly responseTimeout?: number;
}

interface Reading {
  view: ReadingView;
  /** Milliseconds (wall clock) after which the reading is forgotten. */
  forgetAt: number;
}

/** A reading id: 128 random bits, base64url. */
export const READING_ID = /^[A-Za-z0-9_-]{22}$/;

const IacaList = z
  .array(z.object({ iss: z.string().min(1).max(500), pem: z.string().min(1).max(20_000) }))
  .max(100);

const MAX_STATUS_LIST_BYTES = 2 * 1024 * 1024;

/** The code of a failure: a coded error's own, else ERR_INTERNAL (fail closed). */
function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^ERR_[A-Z0-9_]+$/.test(code) ? code : 'ERR_INTERNAL';
}

/** The pinned log key: a public JWK, or `openmid ledger info` output with `logKey` (public half). */
function readLogKey(path: string, production: boolean): PublicJwk {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new OpenMidError('ERR_TRUST_SOURCE_UNAVAILABLE', 'The ledger log key cannot be read', {
      details: { reason: 'log_key_missing' },
    });
  }
  const o = raw as Record<string, unknown> | null;
  const jwk = (
    typeof o === 'object' && o !== null && typeof o['logKey'] === 'object' ? o['logKey'] : o
  ) as Record<string, unknown> | null;
  if (typeof jwk !== 'object' || jwk === null || ('d' in jwk && production))
    throw new OpenMidError('ERR_TRUST_SOURCE_UNAVAILABLE', 'Pin a public ledger log key', {
      details: { reason: 'log_key_invalid' },
    });
  const { d: _d, kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...pub } = jwk;
  const key = parsePublicJwk(pub, 'ES256').jwk;
  return { kty: key.kty, crv: key.crv, x: key.x, y: key.y } as PublicJwk;
}

/** Read at most `max` bytes of a response body as text (a larger body is refused). */
async function boundedText(res: Response, max: number): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > max) throw new OpenMidError('ERR_STATUS_LIST_TOO_LARGE', 'Status list too large');
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw new OpenMidError('ERR_STATUS_LIST_TOO_LARGE', 'Status list too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The media type of image bytes by their signature (what the portrait really is). */
export function sniffImage(bytes: Uint8Array): string | undefined {
  const at = (i: number) => bytes[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  const head = Buffer.from(bytes.subarray(0, 256)).toString('utf8').trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')))
    return 'image/svg+xml';
  return undefined;
}

/** The portrait claim (a `data:` URI the SDK labels JPEG) re-labelled by its real type. */
function portraitOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^data:image\/[a-z0-9.+-]+;base64,([A-Za-z0-9+/=]+)$/.exec(value);
  if (m === null) return null;
  const bytes = new Uint8Array(Buffer.from(m[1] as string, 'base64'));
  const type = sniffImage(bytes);
  return type === undefined ? null : `data:${type};base64,${m[1]}`;
}

const text = (v: unknown, max = 200): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;

function privilegesOf(value: unknown): Privilege[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Privilege[] = [];
  for (const p of value.slice(0, 40)) {
    if (typeof p !== 'object' || p === null) continue;
    const r = p as Record<string, unknown>;
    const category = text(r['vehicle_category_code'], 8);
    if (category === undefined) continue;
    const codes = Array.isArray(r['codes'])
      ? r['codes']
          .slice(0, 20)
          .map((c) => {
            const x = (c ?? {}) as Record<string, unknown>;
            return [text(x['code'], 16), text(x['sign'], 4), text(x['value'], 32)]
              .filter((s) => s !== undefined)
              .join(' ');
          })
          .filter((s) => s !== '')
      : [];
    const issueDate = text(r['issue_date'], 10);
    const expiryDate = text(r['expiry_date'], 10);
    out.push({
      category,
      ...(issueDate === undefined ? {} : { issueDate }),
      ...(expiryDate === undefined ? {} : { expiryDate }),
      codes,
    });
  }
  return out;
}

/** The licence of a verified in-person presentation (the elements asked for, as disclosed). */
export function readLicence(verified: VerifiedInPerson): ReadLicence {
  const claims = verified.claims;
  const iso = (
    typeof claims[MDL_NAMESPACE] === 'object' && claims[MDL_NAMESPACE] !== null
      ? claims[MDL_NAMESPACE]
      : {}
  ) as Record<string, unknown>;
  const value = (e: PoliceElement): unknown => {
    const mapped = PROFILE_CLAIM[e];
    if (mapped !== undefined && Object.hasOwn(claims, mapped)) return claims[mapped];
    return Object.hasOwn(iso, e) ? iso[e] : undefined;
  };
  const out: Record<string, unknown> = {
    issuer: {
      id: verified.iss,
      ...(verified.issuerName === undefined ? {} : { name: verified.issuerName }),
    },
    status: verified.status,
  };
  for (const e of POLICE_ELEMENTS) {
    const v = value(e);
    if (v === undefined) continue;
    if (e === 'portrait') out[e] = portraitOf(v);
    else if (e === 'driving_privileges') {
      const p = privilegesOf(v);
      if (p !== undefined) out[e] = p;
    } else {
      const t = text(v);
      if (t !== undefined) out[e] = t;
    }
  }
  return out as unknown as ReadLicence;
}

/**
 * The police checkpoint's in-person reader (see the module comment).
 *
 * @example
 * ```ts
 * const reader = createInPersonReader({ config, logger })
 * const { id, view } = await reader.start(scannedText) // view.outcome: 'waiting' | 'failed'
 * reader.get(id) // later: { outcome: 'verified', licence } or { outcome: 'failed', code }
 * ```
 * @see ISO/IEC 18013-5 §8.3.2.1.2 (intent to retain), §9.1.1, §9.3.1; docs/in-person.md
 */
export function createInPersonReader(options: InPersonReaderOptions): InPersonReader {
  const { config, logger } = options;
  const outbound: FetchLike = options.fetch ?? ((u, i) => fetch(u, i));
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const timeout = options.responseTimeout ?? RESPONSE_TIMEOUT;
  const production = config.NODE_ENV === 'production';
  const verifier = config.VERIFIER_URL.replace(/\/+$/, '');
  const relayBase = `${verifier}/relay/v1/`;
  const readings = new Map<string, Reading>();

  /** Network failures are the portal's transport code, never a crash. */
  const call = async (url: string, init: RequestInit, ms: number): Promise<Response> => {
    try {
      return await outbound(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(ms) });
    } catch {
      throw new BackendError('ERR_PORTAL_SERVICE_UNAVAILABLE', 503);
    }
  };

  // Only this system's relay: the engagement's URL is the citizen's (or an attacker's) to choose.
  const relayFetch: FetchLike = (url, init) => {
    if (!url.startsWith(relayBase))
      return Promise.reject(
        new OpenMidError(
          'ERR_MDOC_ENGAGEMENT_INVALID',
          'The engagement names a relay other than this system’s verifier',
          { details: { reason: 'relay_not_allowed' } },
        ),
      );
    // A long poll waits up to 25 s.
    return call(url, init ?? {}, 40_000);
  };

  let ledger: RefreshingLedgerTrustSource | undefined;
  let statusLists: StatusListSource | undefined;
  const trust = (): { ledger: RefreshingLedgerTrustSource; statusLists: StatusListSource } => {
    if (ledger === undefined || statusLists === undefined) {
      const keyFile =
        config.PORTAL_LEDGER_LOG_KEY_FILE ??
        (config.LEDGER_DATA_DIR === undefined
          ? undefined
          : join(config.LEDGER_DATA_DIR, 'log-key.jwk'));
      if (config.LEDGER_URL === undefined || keyFile === undefined)
        throw new OpenMidError('ERR_TRUST_SOURCE_UNAVAILABLE', 'No trust ledger is configured', {
          details: { reason: 'no_ledger' },
        });
      const source = refreshingLedgerTrustSource({
        url: config.LEDGER_URL,
        logKey: readLogKey(keyFile, production),
        refreshInterval: 30,
        maxAge: 3600,
        requireHttps: production,
        clock,
        fetch: (url, init) => call(url, init ?? {}, 15_000),
      });
      ledger = source;
      statusLists = createStatusListSource({
        trust: source,
        clock,
        fetch: async (uri) => {
          const u = new URL(uri);
          if (u.protocol !== 'https:' && (production || u.protocol !== 'http:'))
            throw new OpenMidError(
              'ERR_STATUS_REFERENCE_INVALID',
              'Status lists are fetched over HTTPS',
            );
          const res = await call(
            uri,
            { headers: { accept: 'application/statuslist+jwt' } },
            10_000,
          );
          if (!res.ok) throw new OpenMidError('ERR_STATUS_UNKNOWN', `Status list: ${res.status}`);
          return boundedText(res, MAX_STATUS_LIST_BYTES);
        },
      });
    }
    return { ledger, statusLists };
  };

  let iacaCache: { until: number; trust: MdocIssuerTrust } | undefined;
  const iacas = async (): Promise<MdocIssuerTrust> => {
    const now = Date.now();
    if (iacaCache !== undefined && iacaCache.until > now) return iacaCache.trust;
    const unavailable = (reason: string) =>
      new OpenMidError('ERR_TRUST_SOURCE_UNAVAILABLE', 'The IACA roots are not available', {
        details: { reason },
      });
    const res = await call(
      `${verifier}/v1/iacas`,
      { headers: { accept: 'application/json' } },
      10_000,
    );
    if (!res.ok) throw unavailable(`iacas_http_${res.status}`);
    const parsed = IacaList.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success || parsed.data.length === 0) throw unavailable('iacas_none');
    const built = await createMdocIssuerTrust(
      parsed.data.map((r) => ({ iss: r.iss, certificate: r.pem })),
    );
    iacaCache = { until: now + 300_000, trust: built };
    return built;
  };

  const sweep = () => {
    const now = Date.now();
    for (const [id, r] of readings) if (r.forgetAt <= now) readings.delete(id);
  };

  const fail = (code: string, step: string) => {
    // The code and the step only: never the engagement, never a claim.
    logger.info({ code, step }, 'in-person reading failed');
    return { outcome: 'failed', code } as const;
  };

  async function finish(id: string, reader: RelayReader): Promise<void> {
    let view: ReadingView;
    try {
      const response = await reader.response(timeout);
      const [roots, { ledger: issuers, statusLists: lists }] = await Promise.all([
        iacas(),
        Promise.resolve().then(trust),
      ]);
      const verified = await verifyInPersonResponse(response, reader, {
        trust: issuers,
        iacas: roots,
        statusLists: lists,
        docTypes: [MDL_DOCTYPE],
        now: clock(),
        leeway: 30,
      });
      view = { outcome: 'verified', licence: readLicence(verified) };
      logger.info({ status: verified.status }, 'in-person reading verified');
    } catch (e) {
      view = fail(codeOf(e), 'response');
    }
    await reader.end().catch(() => undefined);
    const r = readings.get(id);
    if (r !== undefined) {
      r.view = view;
      r.forgetAt = Date.now() + RESULT_TTL * 1000;
    }
  }

  return {
    async start(engagement) {
      sweep();
      const scanned = engagement.trim();
      if (scanned.length > MAX_ENGAGEMENT_LENGTH || !/^mdoc:[A-Za-z0-9_-]+={0,2}$/.test(scanned))
        return { view: fail('ERR_MDOC_ENGAGEMENT_INVALID', 'engagement') };
      if (readings.size >= MAX_READINGS) return { view: fail('ERR_HTTP_RATE_LIMITED', 'limit') };
      let reader: RelayReader;
      try {
        reader = await startRelayReader(scanned, { fetch: relayFetch });
        await reader.request({
          docRequests: [
            {
              docType: MDL_DOCTYPE,
              nameSpaces: {
                [MDL_NAMESPACE]: Object.fromEntries(POLICE_ELEMENTS.map((e) => [e, false])),
              },
            },
          ],
        });
      } catch (e) {
        return { view: fail(codeOf(e), 'request') };
      }
      const id = randomBytes(16).toString('base64url');
      readings.set(id, {
        view: { outcome: 'waiting' },
        // Forgotten at the latest when the answer can no longer come, plus the result's time.
        forgetAt: Date.now() + (timeout + 60 + RESULT_TTL) * 1000,
      });
      void finish(id, reader);
      return { id, view: { outcome: 'waiting' } };
    },
    get(id) {
      sweep();
      return READING_ID.test(id) ? readings.get(id)?.view : undefined;
    },
  };
}
