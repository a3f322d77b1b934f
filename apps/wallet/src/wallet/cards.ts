/**
 * @module wallet/cards
 * Cards as the wallet keeps them: one sealed record per card (store `cards`), holding every copy
 * of the credential with the id of its non-extractable holder key, the issuer as the trust list
 * names it, validity and the last known status. Claims are never stored apart from the credential
 * itself (the record is sealed as a whole).
 *
 * Copies are used in turn (the least used first) so that two presentations rarely show the same
 * issuer signature, salts or `cnf` key (SD-JWT VC §10.1 unlinkability; OpenID4VCI 1.0 §8.2).
 *
 * A card may be held in two forms (issue 7 §2): SD-JWT VC copies (`copies`) and, for the driving
 * licence, ISO/IEC 18013-5 mdoc copies (`mdoc.copies`, base64url IssuerSigned, each with its own
 * holder key as the MSO device key) — one card, one status (the worst of all copies).
 */
import { isOpenMidError } from '@openmid/core/errors';
import { parseSdJwt } from '@openmid/core/sd-jwt';
import { checkCredentialStatus, type LocalizedText } from '@openmid/verifier';
import { randomId } from './bytes.js';
import { WalletError } from './errors.js';
import type { CurrentTrust } from './trust.js';
import type { Vault } from './vault.js';

/** The last known status of a card (draft-ietf-oauth-status-list §7.1). */
export type CardStatusValue = 'valid' | 'suspended' | 'revoked' | 'unknown';

/** One copy of a credential and its holder key. */
export interface CardCopy {
  readonly credential: string;
  readonly keyId: string;
  /** Times this copy was presented. */
  readonly uses: number;
}

/** A card's mdoc form. */
export interface CardMdoc {
  readonly docType: string;
  /** The issuer's credential configuration id of this form (e.g. `driving-licence-mdoc`). */
  readonly configuration: string;
  readonly copies: readonly CardCopy[];
}

/** Which form of a card. */
export type CardForm = 'dc+sd-jwt' | 'mso_mdoc';

/** A card in the wallet. */
export interface CardRecord {
  readonly v: 1;
  readonly id: string;
  /** The issuer's credential configuration id (the Korean profile's type name). */
  readonly type: string;
  readonly vct: string;
  readonly issuer: { readonly id: string; readonly names: LocalizedText };
  /** Card name and colours from the issuer metadata (the profile's are preferred when known). */
  readonly display: {
    readonly names: Partial<LocalizedText>;
    readonly backgroundColor?: string;
    readonly textColor?: string;
  };
  /** SD-JWT VC copies (empty for a card held as an mdoc only). */
  readonly copies: readonly CardCopy[];
  /** The same card as an ISO mdoc (e.g. the licence as `org.iso.18013.5.1.mDL`). */
  readonly mdoc?: CardMdoc;
  readonly issuedAt?: number;
  readonly expiresAt?: number;
  readonly receivedAt: number;
  readonly status: { readonly value: CardStatusValue; readonly checkedAt?: number };
}

/** A card with its claims, for showing and matching (never stored in this form). */
export interface CardView extends CardRecord {
  readonly claims: Record<string, unknown>;
}

/**
 * The claims of a card (every disclosure applied; from its first SD-JWT VC copy, or — for a card
 * held as an mdoc only — its first mdoc copy under the profile's claim names).
 */
export async function claimsOf(card: CardRecord): Promise<Record<string, unknown>> {
  const first = card.copies[0];
  if (first !== undefined) return parseSdJwt(first.credential).claims;
  const m = card.mdoc?.copies[0];
  if (m === undefined) return {};
  const { viewCopy } = await import('./mdoc.js');
  return viewCopy(m.credential).claims;
}

/** Every copy of a card, both forms. */
export function allCopies(card: CardRecord): readonly CardCopy[] {
  return [...card.copies, ...(card.mdoc?.copies ?? [])];
}

/** A new card record. */
export function newCard(
  input: Omit<CardRecord, 'v' | 'id' | 'copies' | 'mdoc' | 'status' | 'receivedAt'> & {
    readonly copies: readonly { readonly credential: string; readonly keyId: string }[];
    readonly mdoc?: {
      readonly docType: string;
      readonly configuration: string;
      readonly copies: readonly { readonly credential: string; readonly keyId: string }[];
    };
    readonly now: number;
  },
): CardRecord {
  const { now, copies, mdoc, ...rest } = input;
  return {
    v: 1,
    id: randomId(),
    ...rest,
    copies: copies.map((c) => ({ ...c, uses: 0 })),
    ...(mdoc === undefined
      ? {}
      : { mdoc: { ...mdoc, copies: mdoc.copies.map((c) => ({ ...c, uses: 0 })) } }),
    receivedAt: now,
    status: { value: 'valid', checkedAt: now },
  };
}

/** Every card, newest first, with its claims. */
export async function listCards(vault: Vault): Promise<CardView[]> {
  const list = await vault.list<CardRecord>('cards');
  const views = await Promise.all(
    list.map(async ({ value }) => ({ ...value, claims: await claimsOf(value) })),
  );
  return views.sort((a, b) => b.receivedAt - a.receivedAt);
}

/** One card, or ERR_WALLET_CARD_UNKNOWN. */
export async function getCard(vault: Vault, id: string): Promise<CardView> {
  const card = await vault.open<CardRecord>('cards', id);
  if (card === undefined) throw new WalletError('ERR_WALLET_CARD_UNKNOWN');
  return { ...card, claims: await claimsOf(card) };
}

/** Store a card record. */
export async function saveCard(vault: Vault, card: CardRecord): Promise<void> {
  const { claims: _claims, ...record } = card as CardView;
  await vault.seal('cards', card.id, record);
}

/** The copy of `form` (default the SD-JWT VC) to present next (least used) and its index. */
export function nextCopy(
  card: CardRecord,
  form: CardForm = 'dc+sd-jwt',
): { readonly copy: CardCopy; readonly index: number } {
  const copies = form === 'mso_mdoc' ? (card.mdoc?.copies ?? []) : card.copies;
  let best = -1;
  copies.forEach((c, i) => {
    if (best < 0 || c.uses < (copies[best] as CardCopy).uses) best = i;
  });
  const copy = copies[best];
  if (copy === undefined) throw new WalletError('ERR_WALLET_CARD_UNKNOWN', 'The card has no copy');
  return { copy, index: best };
}

/** The card with copy `index` of `form` counted as used once more. */
export function markUsed(
  card: CardRecord,
  index: number,
  form: CardForm = 'dc+sd-jwt',
): CardRecord {
  const bump = (list: readonly CardCopy[]) =>
    list.map((c, i) => (i === index ? { ...c, uses: c.uses + 1 } : c));
  if (form === 'mso_mdoc')
    return card.mdoc === undefined
      ? card
      : { ...card, mdoc: { ...card.mdoc, copies: bump(card.mdoc.copies) } };
  return { ...card, copies: bump(card.copies) };
}

/**
 * The status of a card from its issuer's status list (draft-ietf-oauth-status-list §8.3), read
 * through the trust source: the list must verify with the issuer's key from the trust list. The
 * worst status of its copies wins (a suspended device suspends them all). A list that cannot be
 * fetched or read makes the status `unknown` — never valid, never revoked. The mdoc copies are
 * checked the same way, from their MSO's status reference.
 */
export async function checkCardStatus(
  card: CardRecord,
  trust: CurrentTrust,
  now: number,
): Promise<CardStatusValue> {
  const rank: Record<CardStatusValue, number> = { valid: 0, unknown: 1, suspended: 2, revoked: 3 };
  let worst: CardStatusValue = 'valid';
  for (const copy of card.copies) {
    const claims = parseSdJwt(copy.credential).claims;
    let value: CardStatusValue;
    try {
      const r = await checkCredentialStatus(claims['status'], {
        iss: String(claims['iss']),
        source: trust.statusLists,
        now,
        leeway: 60,
      });
      value = r === 'valid' ? 'valid' : 'unknown';
    } catch (e) {
      value = isOpenMidError(e, 'ERR_STATUS_REVOKED')
        ? 'revoked'
        : isOpenMidError(e, 'ERR_STATUS_SUSPENDED')
          ? 'suspended'
          : 'unknown';
    }
    if (rank[value] > rank[worst]) worst = value;
  }
  if (card.mdoc !== undefined && card.mdoc.copies.length > 0) {
    const { copyStatus } = await import('./mdoc.js');
    for (const copy of card.mdoc.copies) {
      const value = await copyStatus(copy.credential, card.issuer.id, trust, now);
      if (rank[value] > rank[worst]) worst = value;
    }
  }
  return worst;
}
