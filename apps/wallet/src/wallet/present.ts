/**
 * @module wallet/present
 * Showing a card, online over OpenID for Verifiable Presentations 1.0 (HAIP profile as OpenMID
 * runs it, ADR 005) and offline by QR code (docs/offline-qr.md):
 *
 * 1. read the request: an `openid4vp://` link or the wallet's own `…/present?client_id=…&request_uri=…`
 *    link (same device), or an offline `OMR1:` request QR;
 * 2. fetch the request object once and verify it with `@openmid/verifier` against the wallet's trust:
 *    the registry's attestation, the request signature by the attested key, the parameters, and what
 *    the DCQL query asks beyond the party's registration (`exceeds`);
 * 3. build the consent model: which card answers which query (DCQL §6), every claim with its label
 *    and sensitivity, which are required and which optional (`claim_sets`), which are beyond the
 *    registration (marked, unticked by default), and the portrait and resident number, which are
 *    asked about SEPARATELY (SECURITY.md "Presentation") and also unticked by default;
 * 4. on consent, present the least used copy of each card with only the ticked claims and a KB-JWT
 *    bound to this request's nonce and full client identifier (RFC 9901 §4.3; OpenID4VP 1.0 §14.1),
 *    encrypt the response to the request's key (`direct_post.jwt`, §8.3) and post it; on refusal,
 *    post `error=access_denied` (§8.5) so the relying party learns the answer at once.
 *
 * The driving licence may also be held as an ISO mdoc (issue 7 §2): an `mso_mdoc` credential query
 * (`meta.doctype_value`) is matched against the card's mdoc copies, its `[namespace, element]`
 * claims are labelled through the profile (the element's claim, e.g. `licence_classes`; ISO
 * elements the profile does not map by the profile's ISO labels), with the same sensitivity rules,
 * and answered with a DeviceResponse over the OpenID4VP handover SessionTranscript. When a request
 * accepts both forms (`credential_sets`), the option it lists first that the wallet holds wins.
 * The in-person exchange (18013-5 over the relay) builds the same consent model from the reader's
 * DeviceRequest (`mode: 'in-person'`: an anonymous reader, every element optional).
 */
import { isOpenMidError } from '@openmid/core/errors';
import type { Signer } from '@openmid/core/keys';
import type { Labels, Sensitivity } from '@openmid/profile-kr';
import { MDOC_ELEMENT_LABELS } from '@openmid/profile-kr/ui';
import {
  type ClaimPath,
  createOfflinePresentation,
  createResponseBody,
  type DcqlCandidate,
  type DcqlCredentialQuery,
  type DcqlQuery,
  isMdocQuery,
  type MdocHandoverRequest,
  OFFLINE_REQUEST_PREFIX,
  parseRequestLink,
  type RelyingPartyRegistration,
  type RpDenyReason,
  satisfiedClaims,
  selectCredentials,
  type TrustSource,
  type UnregisteredClaim,
  unregisteredClaims,
  type VerifiedRequest,
  verifyOfflineRequest,
  verifyRequestObject,
} from '@openmid/verifier';
import type { CardForm, CardView } from './cards.js';
import { WalletError } from './errors.js';
import { pathText } from './history.js';
import { errorOf, type HttpPolicy, request } from './http.js';
import { askedSeparately, claimInfo, legalBasisRequired } from './profile.js';

/** A presentation request as read from a link or a QR code. */
export type RequestInput =
  | { readonly kind: 'online'; readonly clientId: string; readonly requestUri: string }
  | { readonly kind: 'offline'; readonly text: string };

/** Read a request link or QR text (`openid4vp://…`, the wallet's `/present?…` link, `OMR1:…`). */
export function parseRequestInput(text: string): RequestInput {
  const t = text.trim();
  if (t.startsWith(OFFLINE_REQUEST_PREFIX)) return { kind: 'offline', text: t };
  try {
    const { clientId, requestUri } = parseRequestLink(t);
    return { kind: 'online', clientId, requestUri };
  } catch (cause) {
    throw new WalletError('ERR_WALLET_REQUEST_INVALID', 'Not a presentation request', { cause });
  }
}

/** Who asks, as the consent screen shows it. */
export interface Party {
  readonly id: string;
  readonly clientId: string;
  readonly names: Labels;
  readonly purpose: Labels;
  readonly rrnLegalBasis: string | null;
  /** The registry that vouched for the party (online requests). */
  readonly registry?: { readonly iss: string; readonly names?: Labels };
}

/** A verified request, online, offline or in person, ready for consent. */
export interface VerifiedAsk {
  /** `in-person`: an ISO 18013-5 reader over the relay (anonymous, nothing verified about it). */
  readonly mode: 'online' | 'offline-two-way' | 'in-person';
  readonly party: Party;
  readonly dcql: DcqlQuery;
  readonly exceeds: readonly UnregisteredClaim[];
  readonly expiresAt: number;
  /** Online only: where and how to answer. */
  readonly online?: VerifiedRequest;
  /** Offline two-way only: the binding of the answer. */
  readonly offline?: { readonly nonce: string; readonly aud: string };
  /** In person only: the elements the reader intends to retain. */
  readonly inPerson?: {
    readonly retain: readonly { readonly namespace: string; readonly element: string }[];
  };
}

function partyOf(
  clientId: string,
  r: RelyingPartyRegistration,
  registry?: Party['registry'],
): Party {
  return {
    id: r.id,
    clientId,
    names: r.names,
    purpose: r.purpose,
    rrnLegalBasis: r.rrnLegalBasis,
    ...(registry === undefined ? {} : { registry }),
  };
}

/**
 * Fetch (once) and verify a request. Failures keep their library codes (`ERR_VP_*`,
 * `ERR_RP_UNKNOWN`, `ERR_OFFLINE_*`); a request object the verifier will not serve again is
 * `ERR_WALLET_REQUEST_INVALID` with the verifier's code in `details.code`.
 */
export async function verifyAsk(
  input: RequestInput,
  ctx: { readonly http: HttpPolicy; readonly trust: TrustSource; readonly now: number },
): Promise<VerifiedAsk> {
  if (input.kind === 'offline') {
    const r = await verifyOfflineRequest(input.text, { trust: ctx.trust, now: ctx.now });
    return {
      mode: 'offline-two-way',
      party: partyOf(r.clientId, r.registration),
      dcql: r.dcql,
      exceeds: unregisteredClaims(r.registration, r.dcql, legalBasisRequired),
      expiresAt: r.expiresAt,
      offline: { nonce: r.nonce, aud: r.clientId },
    };
  }
  const answer = await request(ctx.http, input.requestUri, {
    headers: { accept: 'application/oauth-authz-req+jwt' },
  });
  if (answer.status !== 200)
    throw new WalletError('ERR_WALLET_REQUEST_INVALID', 'The request could not be fetched', {
      details: { status: answer.status, ...errorOf(answer) },
    });
  const v = await verifyRequestObject(answer.text, {
    trust: ctx.trust,
    clientId: input.clientId,
    now: ctx.now,
    legalBasisRequired,
    allowHttp: ctx.http.allowHttp,
  });
  return {
    mode: 'online',
    party: partyOf(v.clientId, v.registration, {
      iss: v.registry.iss,
      ...(v.registry.names === undefined ? {} : { names: v.registry.names }),
    }),
    dcql: v.dcql,
    exceeds: v.exceeds,
    expiresAt: v.expiresAt,
    online: v,
  };
}

/** One requested claim of one card, as the consent screen lists it. */
export interface ConsentItem {
  /** `<selection>:<path>`. */
  readonly key: string;
  readonly selection: number;
  readonly path: ClaimPath;
  readonly labels: Labels;
  readonly sensitivity: Sensitivity;
  readonly value: unknown;
  /** Needed in every way of answering the query (cannot be unticked without refusing). */
  readonly required: boolean;
  /** Beyond the party's registration: why (`claim-not-registered`, `no-legal-basis`, …). */
  readonly exceeds?: RpDenyReason;
  /** Portrait or resident number: asked about separately. */
  readonly separate: boolean;
  /**
   * Never shared with this party: a resident number asked without a legal basis recorded in the
   * party's registration (an in-person reader has no registration at all). Ticking it is
   * `ERR_WALLET_RRN_NO_LEGAL_BASIS`.
   */
  readonly withheld?: 'no-legal-basis';
  /** The profile claim name (for display masks); an mdoc element's mapped claim. */
  readonly name: string;
  /** mdoc only: the reader says it intends to retain the element (`intent_to_retain`). */
  readonly retain?: boolean;
}

/** One card answering one credential query. */
export interface ConsentSelection {
  readonly queryId: string;
  readonly cardId: string;
  readonly type: string;
  readonly vct: string;
  /** Which form of the card answers (`mso_mdoc`: its mdoc copies). */
  readonly format: CardForm;
  readonly docType?: string;
  /** The ways of answering (claim path lists), most preferred first. */
  readonly options: readonly (readonly ClaimPath[])[];
}

/** What the citizen is asked. */
export interface ConsentModel {
  readonly ask: VerifiedAsk;
  readonly selections: readonly ConsentSelection[];
  readonly items: readonly ConsentItem[];
  /** Cards left out at the citizen's wish ("use another card"). */
  readonly excluded: readonly string[];
  /** True when another card could answer instead. */
  readonly hasAlternative: boolean;
}

const samePath = (a: ClaimPath, b: ClaimPath): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Every satisfiable way (claim_sets option) for `card` to answer query `q`. */
function optionsFor(
  q: DcqlCredentialQuery,
  claims: Record<string, unknown>,
  mode: VerifiedAsk['mode'],
): ClaimPath[][] {
  if (q.claims === undefined) return [[]];
  // In person every element is the holder's to give or not (ISO/IEC 18013-5 §8.3.2.1.2.2).
  if (mode === 'in-person') return [satisfiedClaims(q, claims) ?? [], []];
  if (q.claim_sets === undefined) {
    const all = satisfiedClaims(q, claims);
    return all === undefined ? [] : [all];
  }
  const out: ClaimPath[][] = [];
  for (const option of q.claim_sets) {
    const one = satisfiedClaims({ ...q, claim_sets: [option] }, claims);
    if (one !== undefined) out.push(one);
  }
  return out;
}

/** A card as the consent sees it: its SD-JWT VC claims and, when held, its mdoc as a candidate. */
export interface ConsentCard extends CardView {
  /** The mdoc form as a DCQL candidate (`mdocCandidate`), when the card has mdoc copies. */
  readonly mdocCandidate?: DcqlCandidate;
}

/** Options of {@link buildConsent}. */
export interface ConsentOptions {
  readonly exclude?: readonly string[];
  /** The profile claim an mdoc element carries (`KR_MDL_PROFILE.claimOf`). */
  readonly mdocClaimOf?: (namespace: string, element: string) => string | undefined;
}

interface Candidate {
  readonly card: ConsentCard;
  readonly form: CardForm;
  readonly dcql: DcqlCandidate;
}

/** Every form of every usable card, in the wallet's order (SD-JWT VC first, then the mdoc). */
function candidatesOf(cards: readonly ConsentCard[]): Candidate[] {
  const out: Candidate[] = [];
  for (const card of cards) {
    if (card.copies.length > 0)
      out.push({ card, form: 'dc+sd-jwt', dcql: { vct: card.vct, claims: card.claims } });
    if (card.mdocCandidate !== undefined && (card.mdoc?.copies.length ?? 0) > 0)
      out.push({ card, form: 'mso_mdoc', dcql: card.mdocCandidate });
  }
  return out;
}

function valueAt(claims: Record<string, unknown>, path: ClaimPath): unknown {
  return path.reduce<unknown>(
    (v, p) =>
      v !== null && typeof v === 'object' && p !== null
        ? (v as Record<string, unknown>)[String(p)]
        : undefined,
    claims,
  );
}

/**
 * Match the request against the wallet's cards and list what would be shared. Throws
 * `ERR_WALLET_NO_MATCHING_CARD` when no combination of (non-excluded) cards answers it.
 */
export function buildConsent(
  ask: VerifiedAsk,
  cards: readonly ConsentCard[],
  options: ConsentOptions = {},
): ConsentModel {
  const excluded = options.exclude ?? [];
  const usable = candidatesOf(
    cards.filter((c) => !excluded.includes(c.id) && c.status.value !== 'revoked'),
  );
  const chosen = selectCredentials(
    ask.dcql,
    usable.map((c) => c.dcql),
  );
  if (chosen === undefined || chosen.length === 0)
    throw new WalletError('ERR_WALLET_NO_MATCHING_CARD');
  const selections: ConsentSelection[] = [];
  const items: ConsentItem[] = [];
  chosen.forEach((sel, index) => {
    const { card, form, dcql } = usable[sel.candidate] as Candidate;
    const q = ask.dcql.credentials.find((c) => c.id === sel.queryId) as DcqlCredentialQuery;
    const opts = optionsFor(q, dcql.claims, ask.mode);
    selections.push({
      queryId: q.id,
      cardId: card.id,
      type: card.type,
      vct: card.vct,
      format: form,
      ...(form === 'mso_mdoc' && dcql.docType !== undefined ? { docType: dcql.docType } : {}),
      options: opts,
    });
    for (const path of sel.paths) {
      let name = typeof path[0] === 'string' ? path[0] : '';
      let info = claimInfo(card.vct, path);
      let value = valueAt(dcql.claims, path);
      let retain: boolean | undefined;
      if (form === 'mso_mdoc') {
        const [ns, element] = path as [string, string];
        const claim = options.mdocClaimOf?.(ns, element);
        retain =
          q.claims?.find((c) => samePath(c.path, path))?.intent_to_retain === true ||
          (ask.mode === 'in-person' && retainedInPerson(ask, ns, element));
        if (claim !== undefined) {
          name = claim;
          info = claimInfo(card.vct, [claim]);
          // The profile's form of the value (dates as text, the portrait as a data: URI).
          const profileValue = card.claims[claim];
          if (profileValue !== undefined) value = profileValue;
        } else {
          name = element;
          const words = Object.hasOwn(MDOC_ELEMENT_LABELS, element)
            ? MDOC_ELEMENT_LABELS[element]
            : undefined;
          info = {
            labels:
              words === undefined
                ? { ko: `${ns} ${element}`, en: `${ns} ${element}` }
                : { ko: words.ko, en: words.en },
            sensitivity: words?.sensitivity ?? 'ordinary',
          };
        }
      }
      const exceeds = ask.exceeds.find(
        (x) =>
          x.credential === q.id &&
          (samePath(x.path, path) ||
            (form === 'mso_mdoc' && x.vct === card.vct && samePath(x.path, [name]))) &&
          (form === 'mso_mdoc' || x.vct === card.vct),
      );
      const withheld =
        info.sensitivity === 'rrn' &&
        (ask.party.rrnLegalBasis === null || exceeds?.reason === 'no-legal-basis');
      items.push({
        key: `${index}:${pathText(path)}`,
        selection: index,
        path,
        labels: info.labels,
        sensitivity: info.sensitivity,
        value,
        name,
        required: opts.every((o) => o.some((p) => samePath(p, path))),
        ...(exceeds === undefined ? {} : { exceeds: exceeds.reason }),
        separate: askedSeparately(info.sensitivity),
        ...(withheld ? { withheld: 'no-legal-basis' as const } : {}),
        ...(retain === undefined ? {} : { retain }),
      });
    }
  });
  let hasAlternative = false;
  for (const s of selections) {
    const without = usable.filter((c) => c.card.id !== s.cardId);
    if (
      selectCredentials(
        ask.dcql,
        without.map((c) => c.dcql),
      ) !== undefined
    )
      hasAlternative = true;
  }
  return { ask, selections, items, excluded, hasAlternative };
}

/** In person: whether the reader said it intends to retain an element. */
function retainedInPerson(ask: VerifiedAsk, ns: string, element: string): boolean {
  return ask.inPerson?.retain.some((r) => r.namespace === ns && r.element === element) === true;
}

/** The items ticked before the citizen touches anything: all but separate and exceeding ones. */
export function defaultTicked(model: ConsentModel): Set<string> {
  return new Set(
    model.items.filter((i) => !i.separate && i.exceeds === undefined).map((i) => i.key),
  );
}

/**
 * The claim paths to disclose per selection for the ticked items: `ERR_WALLET_RRN_NO_LEGAL_BASIS`
 * when a withheld item (a resident number without a legal basis) is ticked,
 * `ERR_WALLET_CONSENT_INCOMPLETE` when the ticked items no longer answer the request.
 */
export function disclosures(model: ConsentModel, ticked: ReadonlySet<string>): ClaimPath[][] {
  if (model.items.some((i) => i.withheld !== undefined && ticked.has(i.key)))
    throw new WalletError('ERR_WALLET_RRN_NO_LEGAL_BASIS');
  return model.selections.map((s, index) => {
    const paths = model.items
      .filter((i) => i.selection === index && ticked.has(i.key))
      .map((i) => i.path);
    const answers = s.options.some((o) => o.every((p) => paths.some((x) => samePath(x, p))));
    if (!answers)
      throw new WalletError('ERR_WALLET_CONSENT_INCOMPLETE', undefined, {
        details: { query: s.queryId },
      });
    return paths;
  });
}

/** Signs and presents one card copy (provided by the wallet facade). */
export type PresentCard = (
  cardId: string,
  paths: readonly ClaimPath[],
  binding: { readonly nonce: string; readonly aud: string },
) => Promise<string>;

/** Presents one mdoc copy of a card for an OpenID4VP request (provided by the wallet facade). */
export type PresentMdoc = (
  cardId: string,
  paths: readonly ClaimPath[],
  request: MdocHandoverRequest,
) => Promise<string>;

/** Whether the request has an `mso_mdoc` credential query. */
export function asksForMdoc(dcql: DcqlQuery): boolean {
  return dcql.credentials.some((q) => isMdocQuery(q));
}

/** The outcome of an online answer. */
export interface OnlineOutcome {
  readonly redirectUri?: string;
}

/**
 * Present the ticked claims and post the encrypted response (OpenID4VP 1.0 §8.3). A response the
 * verifier rejects is `ERR_WALLET_VERIFIER_REJECTED` with its code (`details.code`), e.g.
 * `ERR_STATUS_SUSPENDED` when the issuer suspended the card.
 */
export async function answerOnline(
  model: ConsentModel,
  ticked: ReadonlySet<string>,
  ctx: {
    readonly http: HttpPolicy;
    readonly present: PresentCard;
    readonly presentMdoc: PresentMdoc;
    readonly onSend?: () => void;
  },
): Promise<OnlineOutcome> {
  const req = model.ask.online;
  if (req === undefined) throw new WalletError('ERR_WALLET_REQUEST_INVALID');
  const paths = disclosures(model, ticked);
  const vpToken: Record<string, string[]> = {};
  for (const [i, s] of model.selections.entries()) {
    const vp =
      s.format === 'mso_mdoc'
        ? await ctx.presentMdoc(s.cardId, paths[i] as ClaimPath[], {
            clientId: req.clientId,
            nonce: req.nonce,
            responseUri: req.responseUri,
            responseKey: req.responseKey,
          })
        : await ctx.present(s.cardId, paths[i] as ClaimPath[], {
            nonce: req.nonce,
            aud: req.clientId,
          });
    vpToken[s.queryId] = [...(vpToken[s.queryId] ?? []), vp];
  }
  const body = await createResponseBody(req, vpToken);
  ctx.onSend?.();
  const a = await request(ctx.http, req.responseUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  });
  if (a.status < 200 || a.status >= 300)
    throw new WalletError('ERR_WALLET_VERIFIER_REJECTED', 'The verifier rejected the answer', {
      details: { status: a.status, ...errorOf(a) },
    });
  let redirect: unknown;
  try {
    redirect = (JSON.parse(a.text) as Record<string, unknown>)['redirect_uri'];
  } catch {
    redirect = undefined;
  }
  return typeof redirect === 'string' && /^https?:\/\//.test(redirect)
    ? { redirectUri: redirect }
    : {};
}

/** Tell the verifier the citizen refused (OpenID4VP 1.0 §8.5 `access_denied`); best effort. */
export async function refuseOnline(ask: VerifiedAsk, http: HttpPolicy): Promise<boolean> {
  const req = ask.online;
  if (req === undefined) return false;
  const form = new URLSearchParams({ error: 'access_denied' });
  if (req.state !== undefined) form.set('state', req.state);
  try {
    const a = await request(http, req.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    return a.status >= 200 && a.status < 300;
  } catch {
    return false;
  }
}

/** The offline answer QR (`OMP1:`) for a two-way request, or for the one-way mode. */
export async function offlineAnswer(
  credential: string,
  options: {
    readonly paths: readonly ClaimPath[];
    readonly signer: Signer;
    readonly binding: 'one-way' | { readonly nonce: string; readonly aud: string };
    readonly now: number;
  },
): Promise<string> {
  return createOfflinePresentation(credential, {
    paths: options.paths,
    signer: options.signer,
    binding: options.binding,
    iat: options.now,
  });
}

/** True when a failure means "the trust list does not know this party yet" (worth a refresh). */
export function mayNeedTrustRefresh(e: unknown): boolean {
  return (
    isOpenMidError(e, 'ERR_RP_UNKNOWN') ||
    isOpenMidError(e, 'ERR_VP_ATTESTATION_INVALID') ||
    isOpenMidError(e, 'ERR_OFFLINE_BUNDLE_STALE')
  );
}
