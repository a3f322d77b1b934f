/**
 * @module services/offers
 * Credential offers for the pre-authorized code flow (OpenID4VCI 1.0 §4.1, §3.5; the counter / QR
 * route of DOMAIN.md §1.2). An operator (admin API) or a batch job creates an offer for a citizen
 * and a credential type; the wallet receives it as `openid-credential-offer://?credential_offer=…`
 * (by value) or `…?credential_offer_uri=…` (by reference), e.g. scanned from a QR code, and the
 * numeric `tx_code` goes out of band (letter, SMS, the counter clerk).
 *
 * Codes are DERIVED, not stored: pre-authorized code = `<offer id>.<HMAC(code key, offer id)>`,
 * tx_code = HMAC(tx key, offer id) reduced to N digits. The database holds neither (a dump yields
 * no usable code), the server checks a code with one MAC, a by-reference offer can be served, and
 * a batch's letters can be produced again after a crash. Single use, expiry and the tx_code attempt
 * counter live in the offer row and are changed only by conditional UPDATEs (services/token.ts).
 */
import { OpenMidError } from '@openmid/core/errors';
import { findCredentialType } from '@openmid/profile-kr';
import { appendAudit, type SqlTx } from '@openmid/server-kit';
import { type IssuerContext, inSeconds, nowDate } from '../context.js';
import { hmac, randomId, sameString } from '../secrets.js';
import { configurationsOfType, typeOfConfiguration } from './mdoc.js';
import { assertRecordExists, CITIZEN_ID } from './register.js';

/** The pre-authorized code grant type (OpenID4VCI 1.0 §4.1.1). */
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

/** The Credential Offer object (OpenID4VCI 1.0 §4.1.1). */
export interface CredentialOfferObject {
  readonly credential_issuer: string;
  readonly credential_configuration_ids: readonly string[];
  readonly grants: {
    readonly [PRE_AUTHORIZED_GRANT]: {
      readonly 'pre-authorized_code': string;
      readonly tx_code: {
        readonly input_mode: 'numeric';
        readonly length: number;
        readonly description: string;
      };
    };
  };
}

/** A created offer, as returned to the operator (contract of issue 3 §3). */
export interface CreatedOffer {
  readonly offer_id: string;
  /** `openid-credential-offer://?credential_offer=…` or `…?credential_offer_uri=…`. */
  readonly credential_offer_uri: string;
  /** The numeric transaction code, to deliver out of band. */
  readonly tx_code: string;
  /** The first configuration offered (the only one unless several are). */
  readonly credential_configuration_id: string;
  /** Every configuration offered, when there are several (e.g. the licence in both formats). */
  readonly credential_configuration_ids?: readonly string[];
  readonly expires_at: string;
}

/** What offers need to know to create a row. */
export interface OfferInput {
  readonly citizenId: string;
  readonly type: string;
  /** Credentials (distinct holder keys) the wallet may obtain with this offer; default 1. */
  readonly copies?: number;
  /**
   * The credential configurations offered, all of `type` (default: `[type]`, the SD-JWT VC). A
   * driving-licence offer may carry both `driving-licence` and `driving-licence-mdoc`; each is
   * issued once, `copies` times.
   */
  readonly configurations?: readonly string[];
  /** Audit actor: `apikey:<id>`, `system`, `citizen:<id>`. */
  readonly actor: string;
  /** Reference the offer by URI instead of embedding it (smaller QR codes). */
  readonly byReference?: boolean;
  readonly batchId?: string;
  readonly lossReportId?: string;
}

/** `offerId.mac`: the pre-authorized (or authorization) code of an offer. */
export function offerCode(
  ctx: Pick<IssuerContext, 'secrets'>,
  offerId: string,
  grant: 'pre-authorized_code' | 'authorization_code',
): string {
  return `${offerId}.${hmac(ctx.secrets.mac.code, grant, offerId).subarray(0, 24).toString('base64url')}`;
}

/** The offer id of a code whose MAC verifies, else undefined (no database access). */
export function offerIdOfCode(
  ctx: Pick<IssuerContext, 'secrets'>,
  code: unknown,
  grant: 'pre-authorized_code' | 'authorization_code',
): string | undefined {
  if (typeof code !== 'string' || code.length > 200) return undefined;
  const dot = code.indexOf('.');
  if (dot <= 0) return undefined;
  const offerId = code.slice(0, dot);
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(offerId)) return undefined;
  return sameString(code, offerCode(ctx, offerId, grant)) ? offerId : undefined;
}

/** The tx_code of an offer: `length` decimal digits from a MAC of its id. */
export function offerTxCode(
  ctx: Pick<IssuerContext, 'secrets' | 'config'>,
  offerId: string,
): string {
  const length = ctx.config.ISSUER_TX_CODE_LENGTH;
  const n = hmac(ctx.secrets.mac.txCode, 'tx_code', offerId).readBigUInt64BE(0);
  return (n % 10n ** BigInt(length)).toString().padStart(length, '0');
}

/** The configuration ids of a stored offer (`configurations` NULL: just its type). */
export function offerConfigurations(
  type: string,
  configurations: readonly string[] | null | undefined,
): readonly string[] {
  return configurations === null || configurations === undefined || configurations.length === 0
    ? [type]
    : configurations;
}

/** The Credential Offer object of an offer (`configurations`: one id, or several of one type). */
export function credentialOfferObject(
  ctx: Pick<IssuerContext, 'secrets' | 'config' | 'urls'>,
  offerId: string,
  configurations: string | readonly string[],
): CredentialOfferObject {
  return {
    credential_issuer: ctx.urls.issuer,
    credential_configuration_ids:
      typeof configurations === 'string' ? [configurations] : [...configurations],
    grants: {
      [PRE_AUTHORIZED_GRANT]: {
        'pre-authorized_code': offerCode(ctx, offerId, 'pre-authorized_code'),
        tx_code: {
          input_mode: 'numeric',
          length: ctx.config.ISSUER_TX_CODE_LENGTH,
          description:
            '발급 안내문의 인증번호를 입력하세요 / Enter the code from your issuance notice',
        },
      },
    },
  };
}

/** The `openid-credential-offer://` URI of an offer (OpenID4VCI 1.0 §4.1). */
export function credentialOfferUri(
  ctx: Pick<IssuerContext, 'secrets' | 'config' | 'urls'>,
  offerId: string,
  configurations: string | readonly string[],
  byReference = false,
): string {
  if (byReference) {
    return `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(ctx.urls.credentialOffer(offerId))}`;
  }
  const offer = JSON.stringify(credentialOfferObject(ctx, offerId, configurations));
  return `openid-credential-offer://?credential_offer=${encodeURIComponent(offer)}`;
}

/**
 * The configuration ids an offer carries: `configurations` (each a configuration of `type`,
 * no repeats) or just `type`. Throws ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN otherwise.
 */
export function checkConfigurations(
  type: string,
  configurations: readonly string[] | undefined,
): string[] {
  if (configurations === undefined) return [type];
  const allowed = configurationsOfType(type);
  if (
    configurations.length === 0 ||
    new Set(configurations).size !== configurations.length ||
    !configurations.every((c) => allowed.includes(c))
  )
    throw new OpenMidError(
      'ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN',
      'The configurations must be configurations of the offered type',
      { details: { allowed } },
    );
  return [...configurations];
}

/** Validate offer input (type known, copies in range, citizen id well formed). */
export function checkOfferInput(ctx: IssuerContext, input: OfferInput): string {
  if (!CITIZEN_ID.test(input.citizenId)) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'Invalid citizen id');
  }
  let type: string;
  try {
    // An mdoc configuration id names its type (`driving-licence-mdoc` → `driving-licence`).
    type = findCredentialType(typeOfConfiguration(input.type)).name;
  } catch (cause) {
    throw new OpenMidError('ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN', 'Unknown credential type', {
      cause,
    });
  }
  const copies = input.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > ctx.config.ISSUER_BATCH_SIZE) {
    throw new OpenMidError('ERR_VCI_BATCH_TOO_LARGE', 'copies must be 1 to the batch size', {
      details: { batchSize: ctx.config.ISSUER_BATCH_SIZE },
    });
  }
  return type;
}

/**
 * Insert an offer row inside `tx` (no audit: the caller audits). Returns the offer for the
 * operator.
 */
export async function insertOffer(
  tx: SqlTx,
  ctx: IssuerContext,
  input: OfferInput,
): Promise<CreatedOffer> {
  const type = checkOfferInput(ctx, input);
  const configurations = checkConfigurations(
    type,
    input.configurations ?? (input.type === type ? undefined : [input.type]),
  );
  await assertRecordExists(tx, input.citizenId, type);
  const offerId = randomId(16);
  const expiresAt = inSeconds(ctx, ctx.config.ISSUER_OFFER_TTL);
  await tx.query(
    `INSERT INTO offers (id, citizen_id, type, copies, grant_type, state, expires_at, batch_id,
                         loss_report_id, created_by, created_at, configurations)
     VALUES ($1, $2, $3, $4, 'pre-authorized_code', 'offered', $5, $6, $7, $8, $9, $10)`,
    [
      offerId,
      input.citizenId,
      type,
      input.copies ?? 1,
      expiresAt,
      input.batchId ?? null,
      input.lossReportId ?? null,
      input.actor,
      nowDate(ctx),
      configurations.length === 1 && configurations[0] === type ? null : configurations,
    ],
  );
  return describeOffer(ctx, {
    offerId,
    type,
    configurations,
    expiresAt,
    byReference: input.byReference === true,
  });
}

/** The operator's view of an existing offer (codes re-derived). */
export function describeOffer(
  ctx: IssuerContext,
  o: {
    offerId: string;
    type: string;
    configurations?: readonly string[] | null;
    expiresAt: Date;
    byReference?: boolean;
  },
): CreatedOffer {
  const configurations = offerConfigurations(o.type, o.configurations);
  return {
    offer_id: o.offerId,
    credential_offer_uri: credentialOfferUri(
      ctx,
      o.offerId,
      configurations,
      o.byReference === true,
    ),
    tx_code: offerTxCode(ctx, o.offerId),
    credential_configuration_id: configurations[0] as string,
    ...(configurations.length > 1 ? { credential_configuration_ids: [...configurations] } : {}),
    expires_at: o.expiresAt.toISOString(),
  };
}

/**
 * Create a pre-authorized offer for a citizen (audited as `offer.create`).
 *
 * @example
 * ```ts
 * const offer = await createOffer(ctx, { citizenId: 'demo-0000001', type: 'driving-licence', actor: 'apikey:…' })
 * // offer.credential_offer_uri → QR code; offer.tx_code → letter / SMS
 * ```
 * @see OpenID4VCI 1.0 §4.1.1 (Credential Offer parameters), §3.5 (pre-authorized code flow)
 */
export async function createOffer(ctx: IssuerContext, input: OfferInput): Promise<CreatedOffer> {
  checkOfferInput(ctx, input);
  return ctx.sql.transaction(async (tx) => {
    const offer = await insertOffer(tx, ctx, input);
    await appendAudit(tx, {
      actor: input.actor,
      action: 'offer.create',
      subject: `offer:${offer.offer_id}`,
      details: {
        citizen: input.citizenId,
        type: offer.credential_configuration_id,
        ...(offer.credential_configuration_ids === undefined
          ? {}
          : { configurations: [...offer.credential_configuration_ids] }),
        copies: input.copies ?? 1,
      },
    });
    return offer;
  });
}

/** The offer object behind a by-reference URI; only while the offer is open and unexpired. */
export async function offerByReference(
  ctx: IssuerContext,
  offerId: string,
): Promise<CredentialOfferObject> {
  const r = await ctx.sql.query<{ type: string; configurations: string[] | null }>(
    `SELECT type, configurations FROM offers WHERE id = $1 AND state = 'offered'
        AND grant_type = 'pre-authorized_code' AND expires_at > $2`,
    [offerId, nowDate(ctx)],
  );
  const row = r.rows[0];
  if (row === undefined) throw new OpenMidError('ERR_VCI_OFFER_NOT_FOUND', 'No open offer');
  return credentialOfferObject(ctx, offerId, offerConfigurations(row.type, row.configurations));
}

/** Read an offer's type and expiry for re-display (admin QR). */
export async function readOffer(
  ctx: IssuerContext,
  offerId: string,
): Promise<{
  type: string;
  configurations: readonly string[];
  expiresAt: Date;
  state: string;
  citizenId: string;
}> {
  const r = await ctx.sql.query<{
    type: string;
    configurations: string[] | null;
    expires_at: Date;
    state: string;
    citizen_id: string;
  }>('SELECT type, configurations, expires_at, state, citizen_id FROM offers WHERE id = $1', [
    offerId,
  ]);
  const row = r.rows[0];
  if (row === undefined) throw new OpenMidError('ERR_VCI_OFFER_NOT_FOUND', 'No such offer');
  return {
    type: row.type,
    configurations: offerConfigurations(row.type, row.configurations),
    expiresAt: row.expires_at,
    state: row.state,
    citizenId: row.citizen_id,
  };
}
