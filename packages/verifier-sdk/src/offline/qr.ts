/**
 * @module offline/qr
 * Offline QR payloads (issue 4 §3; layouts in `docs/offline-qr.md`). Two kinds of text, each a
 * prefix and Base45 (RFC 9285) of a raw-DEFLATE container, so the whole payload stays in the QR
 * alphanumeric set:
 *
 * - `OMP1:` — a presentation: one SD-JWT VC with its disclosures and KB-JWT. Mode 1 (two-way)
 *   answers a verifier's request QR (KB-JWT bound to its nonce and client identifier); mode 2
 *   (one-way) is bound to a 60-second window for the `offline` audience.
 * - `OMR1:` — a verifier's request (two-way, first step): a compact JWS signed with a request key
 *   of the relying party, carrying its client identifier, a fresh nonce, what it asks for and a
 *   short lifetime. The wallet checks it against the party's registration in its trust source.
 *
 * The wallet side builds both with {@link createOfflinePresentation} and answers requests read
 * with {@link verifyOfflineRequest}; the verifier side uses {@link createOfflineRequest} and
 * `verifyPresentation({ qr }, policy)`.
 */
import type { CryptoProvider } from '@openmid/core';
import { defaultCrypto } from '@openmid/core';
import { asOpenMidError, OpenMidError } from '@openmid/core/errors';
import { signCompactJws, systemClock, verifyCompactJws } from '@openmid/core/jose';
import type { Signer } from '@openmid/core/keys';
import { type ClaimPath as CorePath, type HeldSdJwt, presentSdJwt } from '@openmid/core/sd-jwt';
import { base64url } from 'jose';
import type { ClaimPath, DcqlQuery } from '../dcql/query.js';
import { parseDcqlQuery } from '../dcql/query.js';
import { ask, pickKey, verifierForKey } from '../trust/keys.js';
import type { RelyingPartyRegistration, TrustSource } from '../trust/source.js';
import { OFFLINE_AUDIENCE, OFFLINE_WINDOW_SECONDS, windowNonce } from '../verify/binding.js';
import { base45Decode, base45Encode } from './base45.js';
import {
  ContainerReader,
  ContainerWriter,
  canonicalB64u,
  compactJson,
  deflateRaw,
  expandJson,
  inflateRaw,
  readJws,
  writeJws,
} from './pack.js';

/** Prefix of a presentation QR payload. */
export const OFFLINE_PRESENTATION_PREFIX = 'OMP1:';
/** Prefix of a verifier request QR payload. */
export const OFFLINE_REQUEST_PREFIX = 'OMR1:';
/** The explicit type of an offline request JWS. */
export const OFFLINE_REQUEST_TYP = 'openmid-offline-request+jwt';
/** Longest QR payload text accepted (a version 40 code holds 4,296 alphanumeric characters). */
export const MAX_QR_TEXT = 4296;

/** The two presentation modes. */
export type OfflineMode = 'two-way' | 'one-way';

const MODE_BYTE: Record<OfflineMode, number> = { 'two-way': 1, 'one-way': 2 };
const CONTAINER_VERSION = 1;

function qrInvalid(message: string): OpenMidError {
  return new OpenMidError('ERR_OFFLINE_QR_INVALID', message);
}

async function unwrap(text: string, prefix: string): Promise<ContainerReader> {
  if (typeof text !== 'string' || text.length > MAX_QR_TEXT)
    throw qrInvalid('The QR payload is missing or too long');
  if (!text.startsWith(prefix)) throw qrInvalid('The QR payload has an unknown prefix or version');
  const packed = base45Decode(text.slice(prefix.length));
  if (packed === undefined) throw qrInvalid('The QR payload is not Base45');
  const r = new ContainerReader(await inflateRaw(packed));
  if (r.byte() !== CONTAINER_VERSION) throw qrInvalid('Unknown QR container version');
  return r;
}

async function wrap(w: ContainerWriter, prefix: string): Promise<string> {
  return prefix + base45Encode(await deflateRaw(w.bytes()));
}

/**
 * Encode an SD-JWT VC presentation (issuer JWT, disclosures, KB-JWT) as an `OMP1:` payload.
 *
 * @see docs/offline-qr.md "Presentation payload"
 */
export async function encodeOfflinePresentation(
  presentation: string,
  mode: OfflineMode,
): Promise<string> {
  try {
    const parts = presentation.split('~');
    const kb = parts.pop();
    const jwt = parts.shift();
    if (jwt === undefined || kb === undefined || kb === '' || parts.length > 255)
      throw new OpenMidError('ERR_INPUT_INVALID', 'An offline presentation is an SD-JWT+KB');
    const w = new ContainerWriter()
      .byte(CONTAINER_VERSION)
      .byte(MODE_BYTE[mode])
      .varint(parts.length);
    writeJws(w, jwt);
    for (const d of parts) w.field(compactJson(canonicalB64u(d)));
    writeJws(w, kb);
    return await wrap(w, OFFLINE_PRESENTATION_PREFIX);
  } catch (e) {
    throw asOpenMidError(e);
  }
}

/** Decode an `OMP1:` payload into the presentation it carries (not verified). */
export async function decodeOfflinePresentation(
  text: string,
): Promise<{ readonly mode: OfflineMode; readonly presentation: string }> {
  const r = await unwrap(text, OFFLINE_PRESENTATION_PREFIX);
  const modeByte = r.byte();
  const mode: OfflineMode | undefined =
    modeByte === 1 ? 'two-way' : modeByte === 2 ? 'one-way' : undefined;
  if (mode === undefined) throw qrInvalid('Unknown presentation mode');
  const count = r.varint();
  if (count > 255) throw qrInvalid('Too many disclosures');
  let presentation = `${readJws(r)}~`;
  for (let i = 0; i < count; i++) presentation += `${base64url.encode(expandJson(r.field()))}~`;
  presentation += readJws(r);
  r.end();
  return { mode, presentation };
}

/** Options of {@link createOfflinePresentation}. */
export interface OfflinePresentationOptions {
  /** Claims to disclose (claim paths). */
  readonly paths: readonly ClaimPath[];
  /** The holder key the credential is bound to (`cnf.jwk`). */
  readonly signer: Signer;
  /**
   * `one-way` (time window, `offline` audience) or the nonce and client identifier of a
   * verifier's request QR (two-way).
   */
  readonly binding: 'one-way' | { readonly nonce: string; readonly aud: string };
  /** KB-JWT issuance time, seconds (default now). */
  readonly iat?: number;
  readonly crypto?: CryptoProvider;
}

/**
 * Wallet side: present a held credential for an offline verifier and encode it as a QR payload.
 *
 * @example
 * ```ts
 * const qr = await createOfflinePresentation(held, { paths: [['age_over_19']], signer: deviceKey, binding: 'one-way' })
 * ```
 * @see docs/offline-qr.md
 */
export async function createOfflinePresentation(
  credential: string | HeldSdJwt,
  options: OfflinePresentationOptions,
): Promise<string> {
  const iat = options.iat ?? systemClock();
  const oneWay = options.binding === 'one-way';
  const binding =
    options.binding === 'one-way'
      ? { aud: OFFLINE_AUDIENCE, nonce: windowNonce(iat, OFFLINE_WINDOW_SECONDS) }
      : options.binding;
  const presentation = await presentSdJwt(credential, {
    paths: options.paths as readonly CorePath[],
    keyBinding: { signer: options.signer, aud: binding.aud, nonce: binding.nonce, iat },
    ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
  });
  return encodeOfflinePresentation(presentation, oneWay ? 'one-way' : 'two-way');
}

// --- two-way: the verifier's request ---------------------------------------------------------

/** Options of {@link createOfflineRequest}. */
export interface OfflineRequestOptions {
  /** A request-signing key registered for the relying party (its `kid` is in the registration). */
  readonly signer: Signer;
  /** The relying party's full client identifier, e.g. `verifier_attestation:police-checkpoint`. */
  readonly clientId: string;
  /** What is asked for. */
  readonly dcql: DcqlQuery;
  /** A fresh nonce (default: 128 random bits). */
  readonly nonce?: string;
  readonly iat?: number;
  /** Lifetime in seconds (default 120). */
  readonly ttl?: number;
  readonly crypto?: CryptoProvider;
}

/**
 * Verifier side of two-way mode: a signed request QR payload (`OMR1:`) with a fresh nonce. Keep
 * the returned `nonce` to verify the wallet's answer.
 *
 * @example
 * ```ts
 * const { qr, nonce } = await createOfflineRequest({ signer, clientId, dcql: AGE_OVER_19 })
 * // … scan the wallet's answer …
 * await verifyPresentation({ qr: answer }, { trust, statusLists, nonce, aud: clientId })
 * ```
 */
export async function createOfflineRequest(
  options: OfflineRequestOptions,
): Promise<{ readonly qr: string; readonly nonce: string; readonly expiresAt: number }> {
  const crypto = options.crypto ?? defaultCrypto();
  const nonce = options.nonce ?? base64url.encode(crypto.randomBytes(16));
  const iat = options.iat ?? systemClock();
  const exp = iat + (options.ttl ?? 120);
  const jws = await signCompactJws(
    { client_id: options.clientId, nonce, dcql_query: parseDcqlQuery(options.dcql), iat, exp },
    { typ: OFFLINE_REQUEST_TYP, signer: options.signer },
  );
  const w = new ContainerWriter().byte(CONTAINER_VERSION);
  writeJws(w, jws);
  return { qr: await wrap(w, OFFLINE_REQUEST_PREFIX), nonce, expiresAt: exp };
}

/** A verified offline request, as the wallet sees it. */
export interface VerifiedOfflineRequest {
  readonly clientId: string;
  readonly nonce: string;
  readonly dcql: DcqlQuery;
  readonly expiresAt: number;
  /** Who asks and for what they are registered (from the wallet's trust source). */
  readonly registration: RelyingPartyRegistration;
}

/** The relying-party id of a `verifier_attestation:` client identifier. */
export function rpIdOfClientId(clientId: string): string | undefined {
  const prefix = 'verifier_attestation:';
  return clientId.startsWith(prefix) && clientId.length > prefix.length
    ? clientId.slice(prefix.length)
    : undefined;
}

/**
 * Wallet side of two-way mode: read a verifier's `OMR1:` QR and check it against the relying
 * party's registration in the wallet's trust source (signature by one of its registered keys,
 * lifetime). Compare `dcql` with the registration (`unregisteredClaims`) before asking the citizen.
 */
export async function verifyOfflineRequest(
  text: string,
  options: { readonly trust: TrustSource; readonly now?: number; readonly leeway?: number },
): Promise<VerifiedOfflineRequest> {
  try {
    const r = await unwrap(text, OFFLINE_REQUEST_PREFIX);
    const jws = readJws(r);
    r.end();
    const now = options.now ?? systemClock();
    let registration: RelyingPartyRegistration | undefined;
    const { payload } = await verifyCompactJws(jws, {
      typ: OFFLINE_REQUEST_TYP,
      key: async (header, body) => {
        const clientId = body['client_id'];
        const rpId = typeof clientId === 'string' ? rpIdOfClientId(clientId) : undefined;
        if (rpId === undefined)
          throw new OpenMidError('ERR_VP_REQUEST_INVALID', 'The request names no registered party');
        registration = await ask(() => options.trust.relyingParty(rpId, now));
        if (registration === undefined)
          throw new OpenMidError('ERR_RP_UNKNOWN', 'The relying party is not registered');
        return verifierForKey(
          pickKey({ keys: registration.keys }, header.kid, 'ERR_VP_REQUEST_INVALID'),
        );
      },
    });
    const leeway = options.leeway ?? 30;
    const { nonce, exp, iat } = payload;
    if (typeof nonce !== 'string' || nonce === '' || nonce.length > 256)
      throw new OpenMidError('ERR_VP_REQUEST_INVALID', 'The request has no nonce');
    if (
      typeof exp !== 'number' ||
      typeof iat !== 'number' ||
      now - leeway >= exp ||
      iat > now + leeway
    )
      throw new OpenMidError('ERR_VP_REQUEST_INVALID', 'The request is expired or not yet valid');
    return {
      clientId: payload['client_id'] as string,
      nonce,
      dcql: parseDcqlQuery(payload['dcql_query']),
      expiresAt: exp,
      registration: registration as RelyingPartyRegistration,
    };
  } catch (e) {
    throw asOpenMidError(e);
  }
}
