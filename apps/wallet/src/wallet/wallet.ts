/**
 * @module wallet/wallet
 * The wallet as the UI sees it: one object over the vault (keys and sealed records), the trust
 * list, and the receive / present / offline flows, which also writes every outcome — success,
 * refusal or failure — to the history. Pure TypeScript over WebCrypto, IndexedDB and fetch; the
 * React screens (src/ui) only call these methods.
 */
import { type ClaimPath as CorePath, presentSdJwt } from '@openmid/core/sd-jwt';
import { WALLET_STRINGS } from '@openmid/profile-kr/ui';
import {
  acceptedTypesOf,
  type ClaimPath,
  type HolderRequest,
  type MdocHandoverRequest,
  OFFLINE_WINDOW_SECONDS,
  parseDcqlQuery,
} from '@openmid/verifier';
import {
  allCopies,
  type CardRecord,
  type CardStatusValue,
  type CardView,
  checkCardStatus,
  getCard,
  listCards,
  markUsed,
  newCard,
  nextCopy,
  saveCard,
} from './cards.js';
import { errorCodeOf, WalletError } from './errors.js';
import { addHistory, exportHistory, type HistoryEntry, listHistory, pathText } from './history.js';
import type { FetchLike, HttpPolicy } from './http.js';
import { createHolderKeys, deleteKeys, deviceId, dpopSigner, holderSigner } from './keys.js';
import type { InPersonSession } from './mdoc.js';
import {
  type CredentialOffer,
  checkTxCode,
  type IssuerInfo,
  loadIssuer,
  notifyIssuer,
  redeemOffer,
  resolveOffer,
} from './oid4vci.js';
import {
  answerOnline,
  asksForMdoc,
  buildConsent,
  type ConsentCard,
  type ConsentModel,
  disclosures,
  mayNeedTrustRefresh,
  type OnlineOutcome,
  offlineAnswer,
  parseRequestInput,
  refuseOnline,
  type VerifiedAsk,
  verifyAsk,
} from './present.js';
import { legalBasisRequired, typeOf } from './profile.js';
import type { KvStore } from './store.js';
import { createWalletTrust, parseTrustAnchors, type WalletTrust } from './trust.js';
import { createVault, type Vault, type VaultOptions } from './vault.js';

/** What the wallet server tells the app (`/config.json`), or the build provides. */
export interface WalletConfig {
  readonly walletUrl: string;
  /** The agency's citizen page base (loss report, re-issuance): `<issuer>/citizen`. */
  readonly lossReportUrl?: string;
  /** The mobile-ID helpline number shown on the lost-phone screen. */
  readonly helpline: string;
  /** Development: allow http URLs (localhost). */
  readonly allowHttp: boolean;
  /** Trust anchors to pin at onboarding (see wallet/trust.ts). */
  readonly trust: unknown;
  /**
   * The in-person relay (`<verifier>/relay/v1`, docs/in-person.md); by default the relay of the
   * verifier that serves the trust bundle.
   */
  readonly relayUrl?: string;
}

/** An in-person exchange in progress (ISO/IEC 18013-5 QR engagement over the relay). */
export interface InPersonExchange {
  /** `mdoc:…`: the QR code's text. */
  readonly uri: string;
  /** Seconds since the epoch (the relay session's end). */
  readonly expiresAt: number;
  /** @internal the relay session and engagement keys. */
  readonly session: InPersonSession;
}

/** The reader's request, decrypted, as a consent model. */
export interface InPersonAsk {
  readonly exchange: InPersonExchange;
  readonly model: ConsentModel;
  /** Elements asked for that the card does not hold (shown, never answered). */
  readonly unavailable: readonly string[];
  /** @internal the decrypted request and the session keys. */
  readonly request: HolderRequest;
}

/** A verified offer, waiting for the citizen's decision and tx_code. */
export interface OfferSession {
  readonly offer: CredentialOffer;
  readonly issuer: IssuerInfo;
}

/** The wallet. */
export interface Wallet {
  readonly config: WalletConfig;
  readonly vault: Vault;
  readonly store: KvStore;
  readonly trust: WalletTrust;
  readonly http: HttpPolicy;
  /** Onboarding: PIN, keys, pinned trust anchors, the DPoP key. */
  setUp(pin: string): Promise<void>;
  prepareOffer(link: string): Promise<OfferSession>;
  acceptOffer(
    session: OfferSession,
    input: { readonly txCode?: string; readonly configurationId?: string },
  ): Promise<CardView>;
  /** Record an offer the citizen declined or that failed before a card existed. */
  recordOfferEnd(
    session: OfferSession | undefined,
    outcome: 'refused' | 'failed',
    error?: unknown,
  ): Promise<void>;
  cards(): Promise<CardView[]>;
  card(id: string): Promise<CardView>;
  /** Refresh the status of one card (or all) from the issuers' status lists. */
  refreshStatus(id?: string): Promise<void>;
  deleteCard(id: string): Promise<void>;
  prepareAsk(text: string): Promise<VerifiedAsk>;
  consent(ask: VerifiedAsk, exclude?: readonly string[]): Promise<ConsentModel>;
  answer(
    model: ConsentModel,
    ticked: ReadonlySet<string>,
    options?: { readonly onSend?: () => void },
  ): Promise<OnlineOutcome>;
  /** The citizen refused: tell the relying party, and write it down (with what was asked). */
  refuse(ask: VerifiedAsk, model?: ConsentModel): Promise<void>;
  /** Record a request that could not be answered (and tell its relying party). */
  recordAskFailure(ask: VerifiedAsk | undefined, error: unknown): Promise<void>;
  /** One-way offline QR (60-second window). */
  offlineOneWay(
    cardId: string,
    paths: readonly ClaimPath[],
  ): Promise<{ readonly qr: string; readonly expiresAt: number }>;
  /** Two-way offline answer QR for a verified `OMR1:` request. */
  offlineTwoWay(
    model: ConsentModel,
    ticked: ReadonlySet<string>,
  ): Promise<{ readonly qr: string; readonly expiresAt: number }>;
  /** In person (ISO mDL): open a relay session and make the QR device engagement. */
  inPersonOpen(): Promise<InPersonExchange>;
  /** Wait for the reader's request (until the session ends) and build the consent. */
  inPersonAwait(exchange: InPersonExchange): Promise<InPersonAsk>;
  /** Send the ticked elements (DeviceResponse over this session's transcript). */
  inPersonAnswer(ask: InPersonAsk, ticked: ReadonlySet<string>): Promise<void>;
  /** The citizen refused: end the session (status 20) and write it down. */
  inPersonRefuse(ask: InPersonAsk): Promise<void>;
  /** The exchange failed (timeout, a broken session): end it and write it down. */
  inPersonFailed(exchange: InPersonExchange, error: unknown, ask?: InPersonAsk): Promise<void>;
  /** Leave before any request arrived: close the relay session (nothing to record). */
  inPersonClose(exchange: InPersonExchange): Promise<void>;
  history(): Promise<HistoryEntry[]>;
  exportHistory(): Promise<string>;
  deviceId(): Promise<string | undefined>;
}

/** Options of {@link createWallet}. */
export interface CreateWalletOptions {
  readonly store: KvStore;
  readonly config: WalletConfig;
  readonly fetch?: FetchLike;
  readonly vault?: VaultOptions;
  readonly now?: () => number;
}

/**
 * The wallet over a store.
 *
 * @example
 * ```ts
 * const wallet = createWallet({ store: indexedDbStore(), config })
 * await wallet.setUp('480213')
 * const session = await wallet.prepareOffer(scannedText)
 * const card = await wallet.acceptOffer(session, { txCode })
 * ```
 */
export function createWallet(options: CreateWalletOptions): Wallet {
  const { store, config } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const vault = createVault(store, { ...options.vault, now });
  const http: HttpPolicy = {
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    allowHttp: config.allowHttp,
  };
  const trust = createWalletTrust({ vault, http, now });

  /** Trust, refreshed once when a request names a party or registry the list does not know. */
  async function withTrust<T>(f: (t: Awaited<ReturnType<WalletTrust['current']>>) => Promise<T>) {
    try {
      return await f(await trust.current());
    } catch (e) {
      if (
        !mayNeedTrustRefresh(e) &&
        !(e instanceof WalletError && e.code === 'ERR_WALLET_ISSUER_UNTRUSTED')
      )
        throw e;
      return f(await trust.current({ refresh: true }));
    }
  }

  const presentCard = async (
    cardId: string,
    paths: readonly ClaimPath[],
    binding: { readonly nonce: string; readonly aud: string } | 'one-way',
    offline: boolean,
  ): Promise<string> => {
    const card = await getCard(vault, cardId);
    const { copy, index } = nextCopy(card);
    const signer = await holderSigner(store, copy.keyId);
    const out = offline
      ? await offlineAnswer(copy.credential, { paths, signer, binding, now: now() })
      : await presentSdJwt(copy.credential, {
          paths: paths as readonly CorePath[],
          keyBinding: {
            signer,
            ...(binding as { nonce: string; aud: string }),
            iat: now(),
          },
        });
    await saveCard(vault, markUsed(card, index));
    return out;
  };

  /** One mdoc copy (the least used) as the `vp_token` entry of an `mso_mdoc` query. */
  const presentMdoc = async (
    cardId: string,
    paths: readonly ClaimPath[],
    req: MdocHandoverRequest,
  ): Promise<string> => {
    const card = await getCard(vault, cardId);
    const { copy, index } = nextCopy(card, 'mso_mdoc');
    const signer = await holderSigner(store, copy.keyId);
    const m = await import('./mdoc.js');
    const out = await m.onlinePresentation(copy.credential, m.discloseOf(paths), req, signer);
    await saveCard(vault, markUsed(card, index, 'mso_mdoc'));
    return out;
  };

  /** The cards with their mdoc form as a DCQL candidate (read only when a request needs it). */
  const consentCards = async (withMdoc: boolean): Promise<ConsentCard[]> => {
    const cards = await listCards(vault);
    if (!withMdoc || !cards.some((c) => (c.mdoc?.copies.length ?? 0) > 0)) return cards;
    const m = await import('./mdoc.js');
    return cards.map((c) => {
      const first = c.mdoc?.copies[0];
      if (first === undefined) return c;
      try {
        return { ...c, mdocCandidate: m.viewCopy(first.credential).candidate };
      } catch {
        return c; // an unreadable mdoc answers nothing
      }
    });
  };
  const mdocClaimOf = async () => (await import('./mdoc.js')).profileClaimOf;

  const relayUrl = (): string => {
    if (config.relayUrl !== undefined) return config.relayUrl;
    const bundle = (config.trust as { bundleUrl?: unknown } | null)?.bundleUrl;
    if (typeof bundle === 'string') {
      try {
        return `${new URL(bundle).origin}/relay/v1`;
      } catch {
        // not a URL: below
      }
    }
    throw new WalletError('ERR_WALLET_IN_PERSON_UNAVAILABLE');
  };
  const READER = {
    id: 'in-person-reader',
    names: { ko: WALLET_STRINGS.ko.inPersonReader, en: WALLET_STRINGS.en.inPersonReader },
  };

  // mdoc elements are recorded by their profile claim name (or element identifier).
  const askClaims = (model: ConsentModel, ticked?: ReadonlySet<string>) =>
    model.items
      .filter((i) => ticked === undefined || ticked.has(i.key))
      .map((i) =>
        model.selections[i.selection]?.format === 'mso_mdoc' ? i.name : pathText(i.path),
      );

  const wallet: Wallet = {
    config,
    vault,
    store,
    trust,
    http,
    async setUp(pin) {
      const anchors = parseTrustAnchors(config.trust, now());
      await vault.setUp(pin);
      await trust.pin(anchors);
      await dpopSigner(store);
      // The first trust list: best effort (the wallet fetches it again when needed).
      await trust.current({ refresh: true }).catch(() => undefined);
    },
    async prepareOffer(link) {
      const offer = await resolveOffer(link, http);
      const issuer = await withTrust((t) => loadIssuer(offer, { http, trust: t, now: now() }));
      return { offer, issuer };
    },
    async acceptOffer(session, input) {
      const { offer, issuer } = session;
      checkTxCode(offer, input.txCode);
      const t = await trust.current();
      const dpop = await dpopSigner(store);
      let received: Awaited<ReturnType<typeof redeemOffer>>;
      try {
        received = await redeemOffer(offer, issuer, input, {
          http,
          trust: t,
          dpop,
          newHolderKeys: (n) => createHolderKeys(store, n),
          dropHolderKeys: (ids) => deleteKeys(store, ids),
          now,
        });
      } catch (e) {
        await wallet.recordOfferEnd(session, 'failed', e);
        throw e;
      }
      const sdJwt = received.find((r) => r.configuration.format === 'dc+sd-jwt');
      const mdoc = received.find((r) => r.configuration.format === 'mso_mdoc');
      const main = (sdJwt ?? mdoc) as (typeof received)[number];
      const cfg = main.configuration;
      const card = newCard({
        // The profile's type name (an mdoc-only card is still "the driving licence").
        type: sdJwt?.configuration.id ?? typeOf(cfg.vct)?.name ?? cfg.id,
        vct: cfg.vct,
        issuer: { id: issuer.credentialIssuer, names: issuer.trustedNames },
        display: {
          names: {
            ...(cfg.display.ko === undefined ? {} : { ko: cfg.display.ko.name }),
            ...(cfg.display.en === undefined ? {} : { en: cfg.display.en.name }),
          },
          ...(cfg.backgroundColor === undefined ? {} : { backgroundColor: cfg.backgroundColor }),
          ...(cfg.textColor === undefined ? {} : { textColor: cfg.textColor }),
        },
        copies: sdJwt?.copies ?? [],
        ...(mdoc === undefined
          ? {}
          : {
              mdoc: {
                docType: mdoc.configuration.doctype ?? '',
                configuration: mdoc.configuration.id,
                copies: mdoc.copies,
              },
            }),
        ...(main.issuedAt === undefined ? {} : { issuedAt: main.issuedAt }),
        ...(main.expiresAt === undefined ? {} : { expiresAt: main.expiresAt }),
        now: now(),
      });
      try {
        await saveCard(vault, card);
      } catch (e) {
        for (const r of received)
          await notifyIssuer(issuer, r, 'credential_failure', { http, dpop, now });
        throw e;
      }
      for (const r of received)
        await notifyIssuer(issuer, r, 'credential_accepted', { http, dpop, now });
      await addHistory(vault, {
        kind: 'issuance',
        outcome: 'accepted',
        party: { id: issuer.credentialIssuer, names: issuer.trustedNames },
        card: { type: card.type, id: card.id },
        claims: [],
      });
      return getCard(vault, card.id);
    },
    async recordOfferEnd(session, outcome, error) {
      await addHistory(vault, {
        kind: 'issuance',
        outcome,
        party: session
          ? { id: session.issuer.credentialIssuer, names: session.issuer.trustedNames }
          : { id: 'unknown' },
        ...(session?.issuer.configurations[0] === undefined
          ? {}
          : { card: { type: session.issuer.configurations[0].id } }),
        claims: [],
        ...(error === undefined ? {} : { errorCode: errorCodeOf(error) }),
      });
    },
    cards: () => listCards(vault),
    card: (id) => getCard(vault, id),
    async refreshStatus(id) {
      const t = await trust.current();
      const list = id === undefined ? await listCards(vault) : [await getCard(vault, id)];
      for (const card of list) {
        const value: CardStatusValue = await checkCardStatus(card, t, now());
        const changed = value !== card.status.value;
        const { claims: _c, ...record } = card;
        await saveCard(vault, { ...record, status: { value, checkedAt: now() } } as CardRecord);
        if (changed && (value === 'suspended' || value === 'revoked'))
          await addHistory(vault, {
            kind: 'status',
            outcome: value,
            party: card.issuer,
            card: { type: card.type, id: card.id },
            claims: [],
          });
      }
    },
    async deleteCard(id) {
      const card = await getCard(vault, id);
      await vault.remove('cards', id);
      await deleteKeys(
        store,
        allCopies(card).map((c) => c.keyId),
      );
    },
    async prepareAsk(text) {
      const input = parseRequestInput(text);
      return withTrust((t) => verifyAsk(input, { http, trust: t, now: now() }));
    },
    async consent(ask, exclude) {
      const withMdoc = asksForMdoc(ask.dcql);
      return buildConsent(ask, await consentCards(withMdoc), {
        ...(exclude === undefined ? {} : { exclude }),
        ...(withMdoc ? { mdocClaimOf: await mdocClaimOf() } : {}),
      });
    },
    async answer(model, ticked, o = {}) {
      const party = { id: model.ask.party.id, names: model.ask.party.names };
      const claims = askClaims(model, ticked);
      const exceeded = [
        ...new Set(model.items.filter((i) => i.exceeds !== undefined).map((i) => pathText(i.path))),
      ];
      const cards = model.selections.map((s) => ({ type: s.type, id: s.cardId }));
      try {
        const outcome = await answerOnline(model, ticked, {
          http,
          present: (cardId, paths, binding) => presentCard(cardId, paths, binding, false),
          presentMdoc,
          ...(o.onSend === undefined ? {} : { onSend: o.onSend }),
        });
        await addHistory(vault, {
          kind: 'presentation',
          outcome: 'verified',
          party,
          purpose: model.ask.party.purpose,
          ...(cards[0] === undefined ? {} : { card: cards[0] }),
          claims,
          ...(exceeded.length > 0 ? { exceeded } : {}),
        });
        return outcome;
      } catch (e) {
        await addHistory(vault, {
          kind: 'presentation',
          outcome: 'failed',
          party,
          purpose: model.ask.party.purpose,
          ...(cards[0] === undefined ? {} : { card: cards[0] }),
          claims,
          ...(exceeded.length > 0 ? { exceeded } : {}),
          errorCode: failureCode(e),
        });
        throw e;
      }
    },
    async refuse(ask, model) {
      await refuseOnline(ask, http);
      const selected = model?.selections[0];
      const first = ask.dcql.credentials[0];
      const vct = selected?.vct ?? (first === undefined ? undefined : acceptedTypesOf(first)[0]);
      const type = vct === undefined ? undefined : typeOf(vct)?.name;
      const asked =
        model !== undefined
          ? askClaims(model)
          : ask.dcql.credentials.flatMap((q) => (q.claims ?? []).map((c) => pathText(c.path)));
      const exceeded = [...new Set(ask.exceeds.map((x) => pathText(x.path)))];
      await addHistory(vault, {
        kind: ask.mode === 'online' ? 'presentation' : 'offline-presentation',
        outcome: 'refused',
        party: { id: ask.party.id, names: ask.party.names },
        purpose: ask.party.purpose,
        ...(type === undefined
          ? {}
          : { card: { type, ...(selected === undefined ? {} : { id: selected.cardId }) } }),
        claims: [...new Set(asked)],
        ...(exceeded.length > 0 ? { exceeded } : {}),
      });
    },
    async recordAskFailure(ask, error) {
      // Tell the relying party at once (OpenID4VP 1.0 §8.5), rather than letting it wait.
      if (ask !== undefined) await refuseOnline(ask, http);
      await addHistory(vault, {
        kind: ask?.mode === 'offline-two-way' ? 'offline-presentation' : 'presentation',
        outcome: 'failed',
        party: ask ? { id: ask.party.id, names: ask.party.names } : { id: 'unknown' },
        ...(ask ? { purpose: ask.party.purpose } : {}),
        claims: [],
        errorCode: failureCode(error),
      });
    },
    async offlineOneWay(cardId, paths) {
      const card = await getCard(vault, cardId);
      // Shown to whoever looks: no party, so no legal basis for a resident number.
      if (paths.some((p) => legalBasisRequired(card.vct, p)))
        throw new WalletError('ERR_WALLET_RRN_NO_LEGAL_BASIS');
      const qr = await presentCard(cardId, paths, 'one-way', true);
      await addHistory(vault, {
        kind: 'offline-presentation',
        outcome: 'shown',
        party: { id: 'offline' },
        card: { type: card.type, id: card.id },
        claims: paths.map((p) => pathText(p)),
      });
      // The KB-JWT is accepted while now − 60 s ≤ iat (docs/offline-qr.md, one-way mode).
      return { qr, expiresAt: now() + OFFLINE_WINDOW_SECONDS };
    },
    async offlineTwoWay(model, ticked) {
      const binding = model.ask.offline;
      const sel = model.selections[0];
      if (binding === undefined || sel === undefined)
        throw new WalletError('ERR_WALLET_REQUEST_INVALID');
      const paths = disclosures(model, ticked)[0] as ClaimPath[];
      const qr = await presentCard(sel.cardId, paths, binding, true);
      await addHistory(vault, {
        kind: 'offline-presentation',
        outcome: 'shown',
        party: { id: model.ask.party.id, names: model.ask.party.names },
        purpose: model.ask.party.purpose,
        card: { type: sel.type, id: sel.cardId },
        claims: askClaims(model, ticked),
      });
      return { qr, expiresAt: model.ask.expiresAt };
    },
    async inPersonOpen() {
      const m = await import('./mdoc.js');
      const session = await m.openInPerson(relayUrl(), http);
      return { uri: session.uri, expiresAt: session.expiresAt, session };
    },
    async inPersonAwait(exchange) {
      const m = await import('./mdoc.js');
      const left = Math.max(1, exchange.expiresAt - now());
      const request = await m.awaitRequest(exchange.session, http, left);
      const cards = await consentCards(true);
      // The first document asked for that a usable card holds (the wallet holds one mDL).
      let docType: string | undefined;
      for (const d of request.docRequests)
        if (
          docType === undefined &&
          cards.some((c) => c.mdocCandidate?.docType === d.docType && c.status.value !== 'revoked')
        )
          docType = d.docType;
      const asked = docType === undefined ? [] : m.requestedElements(request.docRequests, docType);
      const held = cards.find((c) => c.mdocCandidate?.docType === docType)?.mdocCandidate?.claims;
      const has = (ns: string, el: string) => {
        const bucket = held?.[ns] as Record<string, unknown> | undefined;
        return bucket !== undefined && Object.hasOwn(bucket, el);
      };
      const present = asked.filter((e) => has(e.namespace, e.element));
      const unavailable = asked
        .filter((e) => !has(e.namespace, e.element))
        .map((e) => `${e.namespace}/${e.element}`);
      if (docType === undefined || present.length === 0) {
        const e = new WalletError('ERR_WALLET_NO_MATCHING_CARD');
        await m.endInPerson(exchange.session, request, http);
        await addHistory(vault, {
          kind: 'in-person',
          outcome: 'failed',
          party: READER,
          claims: asked.map((x) => `${x.namespace}/${x.element}`).slice(0, 50),
          errorCode: e.code,
        });
        throw e;
      }
      const dcql = parseDcqlQuery({
        credentials: [
          {
            id: 'in-person',
            format: 'mso_mdoc',
            meta: { doctype_value: docType },
            claims: present.map((e) => ({
              path: [e.namespace, e.element],
              intent_to_retain: e.retain,
            })),
          },
        ],
      });
      const model = buildConsent(
        {
          mode: 'in-person',
          party: {
            ...READER,
            clientId: '',
            purpose: {
              ko: WALLET_STRINGS.ko.inPersonPurpose,
              en: WALLET_STRINGS.en.inPersonPurpose,
            },
            rrnLegalBasis: null,
          },
          dcql,
          exceeds: [],
          expiresAt: exchange.expiresAt,
          inPerson: {
            retain: present
              .filter((e) => e.retain)
              .map((e) => ({ namespace: e.namespace, element: e.element })),
          },
        },
        cards,
        { mdocClaimOf: m.profileClaimOf },
      );
      return { exchange, model, unavailable, request };
    },
    async inPersonAnswer(ask, ticked) {
      const sel = ask.model.selections[0];
      const claims = askClaims(ask.model, ticked);
      const card = sel === undefined ? undefined : { type: sel.type, id: sel.cardId };
      try {
        if (sel === undefined) throw new WalletError('ERR_WALLET_NO_MATCHING_CARD');
        const paths = disclosures(ask.model, ticked)[0] as ClaimPath[];
        const m = await import('./mdoc.js');
        const stored = await getCard(vault, sel.cardId);
        const { copy, index } = nextCopy(stored, 'mso_mdoc');
        const signer = await holderSigner(store, copy.keyId);
        await m.respondInPerson(
          ask.exchange.session,
          ask.request,
          { credential: copy.credential, disclose: m.discloseOf(paths), signer },
          http,
        );
        await saveCard(vault, markUsed(stored, index, 'mso_mdoc'));
      } catch (e) {
        await wallet.inPersonFailed(ask.exchange, e, ask);
        throw e;
      }
      await addHistory(vault, {
        kind: 'in-person',
        outcome: 'shown',
        party: READER,
        ...(card === undefined ? {} : { card }),
        claims,
      });
    },
    async inPersonRefuse(ask) {
      const m = await import('./mdoc.js');
      await m.endInPerson(ask.exchange.session, ask.request, http);
      const sel = ask.model.selections[0];
      await addHistory(vault, {
        kind: 'in-person',
        outcome: 'refused',
        party: READER,
        ...(sel === undefined ? {} : { card: { type: sel.type, id: sel.cardId } }),
        claims: askClaims(ask.model),
      });
    },
    async inPersonFailed(exchange, error, ask) {
      const m = await import('./mdoc.js');
      await m.endInPerson(exchange.session, ask?.request, http);
      const sel = ask?.model.selections[0];
      await addHistory(vault, {
        kind: 'in-person',
        outcome: 'failed',
        party: READER,
        ...(sel === undefined ? {} : { card: { type: sel.type, id: sel.cardId } }),
        claims: ask === undefined ? [] : askClaims(ask.model),
        errorCode: failureCode(error),
      });
    },
    async inPersonClose(exchange) {
      const m = await import('./mdoc.js');
      await m.endInPerson(exchange.session, undefined, http);
    },
    history: () => listHistory(vault),
    exportHistory: () => exportHistory(vault, now()),
    deviceId: () => deviceId(store),
  };
  return wallet;
}

/** The code worth recording for a failure: the verifier's own code when it rejected us. */
export function failureCode(e: unknown): string {
  if (e instanceof WalletError && typeof e.details?.['code'] === 'string')
    return e.details['code'] as string;
  return errorCodeOf(e);
}
