/**
 * @module wallet/mdoc
 * The driving licence as an ISO/IEC 18013-5 mdoc in the wallet (issue 7 §2): receiving it over
 * OpenID4VCI (Appendix A.2: base64url IssuerSigned, the MSO's device key = the COSE_Key of the
 * copy's non-extractable holder key), reading it for display and DCQL matching, its status from
 * the MSO's Token Status List reference, the online answer to an `mso_mdoc` query (DeviceResponse
 * over the OpenID4VP handover SessionTranscript) and the in-person answer over the relay (QR
 * device engagement, 18013-5 session encryption).
 *
 * Loaded on demand (`await import('./mdoc.js')`): CBOR, COSE and X.509 stay out of the initial
 * bundle of a wallet that never touches an mdoc.
 *
 * Receiving checks, all required (the same two checks as a relying party, `@openmid/verifier`
 * mdoc/trust.ts): the document-signer certificate chains to the issuer's IACA (fetched from the
 * issuer's `/iaca`; an untrusted channel, so on its own it proves nothing) AND the document-signer
 * KEY is a key the wallet's trust list registers for that issuer — a forged `/iaca` answer can
 * therefore make nothing verify; every digest, the docType, the validity window; the device key
 * is one of the keys that proved possession in this request.
 */
import { isOpenMidError } from '@openmid/core/errors';
import { jwkThumbprint, type PublicJwk, type Signer } from '@openmid/core/keys';
import {
  type CborValue,
  certificateJwk,
  createDeviceResponse,
  type DocRequest,
  type HeldMdoc,
  parseCertificate,
  readIssuerSigned,
  verifyIssuerSigned,
} from '@openmid/core/mdoc';
import {
  checkCredentialStatus,
  createMdocIssuerTrust,
  createMdocPresentation,
  createRelayEngagement,
  type DcqlCandidate,
  type HolderRequest,
  holderAwaitRequest,
  holderRespond,
  KR_MDL_PROFILE,
  type MdocHandoverRequest,
  mdocCandidate,
  mdocProfileOf,
  mdocResultClaims,
  openRelaySession,
  type RelayEngagement,
  type RelayFetch,
  type RelaySession,
  type TrustSource,
} from '@openmid/verifier';
import { fromB64u } from './bytes.js';
import type { CardStatusValue } from './cards.js';
import { WalletError } from './errors.js';
import { checkUrl, type HttpPolicy, request } from './http.js';
import type { CurrentTrust } from './trust.js';

/** The profile credential type an mdoc document type mirrors (the doctype itself otherwise). */
export function profileVctOf(docType: string): string {
  return mdocProfileOf(docType)?.vct ?? docType;
}

/** The profile claim an element carries (`[kr.openmid.mdl.1, licence_classes]` → `licence_classes`). */
export function profileClaimOf(namespace: string, element: string): string | undefined {
  return KR_MDL_PROFILE.claimOf(namespace, element);
}

function bytesOf(credential: string): Uint8Array {
  const bytes = fromB64u(credential);
  if (bytes === undefined)
    throw new WalletError('ERR_WALLET_CREDENTIAL_INVALID', 'An mdoc is not base64url');
  return bytes;
}

/** Read a stored copy (base64url IssuerSigned); nothing verified. */
export function readCopy(credential: string): HeldMdoc {
  return readIssuerSigned(bytesOf(credential));
}

function elementsOf(held: HeldMdoc): Record<string, Record<string, CborValue>> {
  const out: Record<string, Record<string, CborValue>> = Object.create(null);
  for (const [ns, elements] of held.elements) {
    const inner: Record<string, CborValue> = Object.create(null);
    for (const [k, v] of elements) inner[k] = v;
    out[ns] = inner;
  }
  return out;
}

/** What the card screens and the consent need of an mdoc copy. */
export interface MdocView {
  readonly docType: string;
  /** The profile's claims (`name`, `licence_classes`, …; unmapped elements under their namespace). */
  readonly claims: Record<string, unknown>;
  /** The DCQL candidate (claims = namespace → element → JSON value). */
  readonly candidate: DcqlCandidate;
  readonly validUntil: number;
  readonly signed: number;
}

/** Read a copy for display and matching. */
export function viewCopy(credential: string): MdocView {
  const held = readCopy(credential);
  const { held: _h, ...candidate } = mdocCandidate(held);
  return {
    docType: held.docType,
    claims: mdocResultClaims(held.docType, elementsOf(held)),
    candidate,
    validUntil: held.mso.validity.validUntil,
    signed: held.mso.validity.signed,
  };
}

function sameKey(a: PublicJwk, b: PublicJwk): boolean {
  return a.kty === b.kty && a.crv === b.crv && a.x === b.x && (a.y ?? '') === (b.y ?? '');
}

/**
 * Verify the mdocs of a credential response (OpenID4VCI 1.0 Appendix A.2.4) before anything is
 * kept; every failure is `ERR_WALLET_CREDENTIAL_INVALID` (the library's code as the cause).
 */
export async function verifyReceivedMdocs(
  list: readonly unknown[],
  keys: readonly { readonly id: string; readonly signer: Signer }[],
  expected: { readonly iss: string; readonly docType: string },
  ctx: { readonly http: HttpPolicy; readonly trust: TrustSource; readonly now: number },
): Promise<{
  copies: { credential: string; keyId: string }[];
  issuedAt?: number;
  expiresAt?: number;
}> {
  const invalid = (message: string, cause?: unknown) =>
    new WalletError(
      'ERR_WALLET_CREDENTIAL_INVALID',
      message,
      cause === undefined ? undefined : { cause },
    );
  // The IACA as the issuer publishes it (ISO/IEC 18013-5 Annex B.1.2); see the module comment.
  const iacaAnswer = await request(ctx.http, `${expected.iss.replace(/\/+$/, '')}/iaca`, {
    headers: { accept: 'application/x-pem-file, text/plain' },
  });
  if (iacaAnswer.status !== 200) throw invalid('The issuer IACA could not be fetched');
  let iacas: Awaited<ReturnType<typeof createMdocIssuerTrust>>;
  try {
    iacas = await createMdocIssuerTrust([{ iss: expected.iss, certificate: iacaAnswer.text }]);
  } catch (cause) {
    throw invalid('The issuer IACA is not a certificate', cause);
  }
  const byThumb = new Map(keys.map((k) => [jwkThumbprint(k.signer.publicJwk), k.id]));
  const copies: { credential: string; keyId: string }[] = [];
  let issuedAt: number | undefined;
  let expiresAt: number | undefined;
  for (const entry of list) {
    const credential = (entry as Record<string, unknown> | null)?.['credential'];
    if (typeof credential !== 'string') throw invalid('A credential is not a string');
    let verified: Awaited<ReturnType<typeof verifyIssuerSigned>>;
    try {
      verified = await verifyIssuerSigned(bytesOf(credential), {
        trust: iacas.store,
        docTypes: [expected.docType],
        now: ctx.now,
      });
    } catch (cause) {
      throw invalid('An mdoc does not verify', cause);
    }
    const dsJwk = certificateJwk(parseCertificate(verified.issuer.certificate));
    if (dsJwk === undefined) throw invalid('Unsupported document-signer key');
    const kid = jwkThumbprint(dsJwk);
    const registered = await ctx.trust.issuerKeys(expected.iss, ctx.now, {
      kid,
      issuedAt: Math.min(verified.validity.signed, ctx.now),
    });
    if (!registered.keys.some((k) => k.kid === kid && sameKey(k.jwk, dsJwk)))
      throw invalid('The document signer is not a registered key of the issuer');
    const keyId = byThumb.get(jwkThumbprint(verified.deviceKey));
    if (keyId === undefined || copies.some((c) => c.keyId === keyId))
      throw invalid('An mdoc is not bound to a key of ours');
    copies.push({ credential, keyId });
    issuedAt ??= verified.validity.signed;
    expiresAt ??= verified.validity.validUntil;
  }
  return {
    copies,
    ...(issuedAt === undefined ? {} : { issuedAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/**
 * The status of an mdoc copy from the MSO's status reference (same lists and rules as the SD-JWT
 * VC copies): `valid` without a reference.
 */
export async function copyStatus(
  credential: string,
  iss: string,
  trust: CurrentTrust,
  now: number,
): Promise<CardStatusValue> {
  let status: { idx: number; uri: string } | undefined;
  try {
    status = readCopy(credential).mso.status;
  } catch {
    return 'unknown';
  }
  if (status === undefined) return 'valid';
  try {
    const r = await checkCredentialStatus(
      { status_list: { idx: status.idx, uri: status.uri } },
      { iss, source: trust.statusLists, now, leeway: 60 },
    );
    return r === 'valid' ? 'valid' : 'unknown';
  } catch (e) {
    return isOpenMidError(e, 'ERR_STATUS_REVOKED')
      ? 'revoked'
      : isOpenMidError(e, 'ERR_STATUS_SUSPENDED')
        ? 'suspended'
        : 'unknown';
  }
}

/** The `vp_token` entry of an `mso_mdoc` query (OpenID4VP 1.0 Appendix B.2.6). */
export function onlinePresentation(
  credential: string,
  disclose: Readonly<Record<string, readonly string[]>>,
  request: MdocHandoverRequest,
  signer: Signer,
): Promise<string> {
  return createMdocPresentation({
    request,
    mdoc: bytesOf(credential),
    disclose,
    deviceSigner: signer,
  });
}

/** The `disclose` map (namespace → elements) of `[namespace, element]` paths. */
export function discloseOf(
  paths: readonly (readonly (string | number | null)[])[],
): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const [ns, element] of paths) {
    if (typeof ns !== 'string' || typeof element !== 'string') continue;
    const list = out[ns] ?? [];
    if (!list.includes(element)) list.push(element);
    out[ns] = list;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// In person (ISO/IEC 18013-5 QR engagement over the OpenMID relay, docs/in-person.md)

/** A relay `fetch` under the wallet's outbound policy (https, no redirects, no cookies). */
export function relayFetch(http: HttpPolicy): RelayFetch {
  return async (url, init) => {
    checkUrl(url, http.allowHttp);
    try {
      return await http.fetch(url, {
        ...init,
        redirect: 'error',
        credentials: 'omit',
        cache: 'no-store',
        // A long poll lasts at most 25 s (RELAY_MAX_WAIT).
        signal: AbortSignal.timeout(40_000),
      });
    } catch (cause) {
      throw new WalletError('ERR_WALLET_NETWORK', 'The relay could not be reached', {
        cause,
        details: { host: new URL(url).host },
      });
    }
  };
}

/** An open in-person session: the QR code to show and what the holder keeps. */
export interface InPersonSession {
  /** `mdoc:…` (ISO/IEC 18013-5 §8.2.2.3), the QR code's text. */
  readonly uri: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  readonly relay: RelaySession;
  readonly engagement: RelayEngagement;
}

/** Open a relay session and make the QR device engagement. */
export async function openInPerson(relayUrl: string, http: HttpPolicy): Promise<InPersonSession> {
  const f = relayFetch(http);
  const relay = await openRelaySession(relayUrl, { fetch: f });
  const engagement = await createRelayEngagement(relay);
  const at = Date.parse(relay.expiresAt);
  return {
    uri: engagement.uri,
    expiresAt: Number.isFinite(at) ? Math.floor(at / 1000) : Math.floor(Date.now() / 1000) + 300,
    relay,
    engagement,
  };
}

/** Wait (long-polling) for the reader's request and decrypt it. */
export function awaitRequest(
  session: InPersonSession,
  http: HttpPolicy,
  timeoutSeconds: number,
): Promise<HolderRequest> {
  return holderAwaitRequest({
    session: session.relay,
    engagement: session.engagement,
    timeoutSeconds,
    fetch: relayFetch(http),
  });
}

/** One element the reader asks for. */
export interface RequestedElement {
  readonly namespace: string;
  readonly element: string;
  /** The reader says it intends to retain it (18013-5 §8.3.2.1.2.1 IntentToRetain). */
  readonly retain: boolean;
}

/** The elements of the reader's DocRequests for `docType` (other documents are not answered). */
export function requestedElements(
  docRequests: readonly DocRequest[],
  docType: string,
): RequestedElement[] {
  const out: RequestedElement[] = [];
  for (const d of docRequests) {
    if (d.docType !== docType) continue;
    for (const [namespace, elements] of Object.entries(d.nameSpaces))
      for (const [element, retain] of Object.entries(elements))
        if (!out.some((x) => x.namespace === namespace && x.element === element))
          out.push({ namespace, element, retain: retain === true });
  }
  return out;
}

/** Build the DeviceResponse of `disclose` over this session's transcript and send it. */
export async function respondInPerson(
  session: InPersonSession,
  request: HolderRequest,
  answer: {
    readonly credential: string;
    readonly disclose: Readonly<Record<string, readonly string[]>>;
    readonly signer: Signer;
  },
  http: HttpPolicy,
): Promise<void> {
  const deviceResponse = await createDeviceResponse({
    documents: [
      {
        mdoc: readCopy(answer.credential),
        disclose: answer.disclose,
        deviceSigner: answer.signer,
      },
    ],
    sessionTranscript: request.session.sessionTranscript,
  });
  await holderRespond({
    session: session.relay,
    mdocSession: request.session,
    deviceResponse,
    fetch: relayFetch(http),
  });
}

/** End the session without an answer (SessionData status 20, 18013-5 §9.1.1.4); best effort. */
export async function endInPerson(
  session: InPersonSession,
  request: HolderRequest | undefined,
  http: HttpPolicy,
): Promise<void> {
  const f = relayFetch(http);
  const base = `${session.relay.relay}/sessions/${session.relay.session}`;
  const auth = { authorization: `Bearer ${session.relay.holderToken}` };
  try {
    if (request !== undefined)
      await f(`${base}/to-reader`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/cbor' },
        body: request.session.terminate() as BodyInit,
      });
    await f(base, { method: 'DELETE', headers: auth });
  } catch {
    // best effort: the relay forgets the session after its lifetime anyway
  }
}
