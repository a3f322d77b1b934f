/**
 * @module services/token
 * The token endpoint (RFC 6749 §3.2, OpenID4VCI 1.0 §6): the pre-authorized code grant with
 * `tx_code` and the authorization code grant with PKCE, both answering DPoP-bound access tokens
 * (RFC 9449 §5; `token_type: DPoP`).
 *
 * Every check that changes state is ONE conditional UPDATE on the offer row, so racing requests
 * with the same code yield exactly one token:
 * - right tx_code: `state offered → redeemed` (only while unexpired and unburnt);
 * - wrong tx_code: `tx_attempts + 1`, and `→ burnt` at the limit — committed, then refused, so the
 *   attempt counts even though the request fails; once burnt even the right code fails.
 * The DPoP `jti` is recorded in the same transaction (a replayed proof is refused). The access
 * token is 256 random bits; the offer row keeps only its SHA-256, its expiry and the DPoP key
 * thumbprint it is bound to (which is also the device id of the credentials it will obtain).
 */

import { OpenMidError } from '@openmid/core/errors';
import { appendAudit, type SqlTx } from '@openmid/server-kit';
import { type IssuerContext, inSeconds, nowDate } from '../context.js';
import type { DpopProof } from '../oauth/dpop.js';
import { pkceChallenge } from '../oauth/pkce.js';
import { randomId, sameString, sha256b64u } from '../secrets.js';
import { offerIdOfCode, offerTxCode, PRE_AUTHORIZED_GRANT } from './offers.js';

/** The token request parameters this server reads (RFC 6749 §4.1.3, OpenID4VCI 1.0 §6.1). */
export interface TokenRequest {
  readonly grant_type?: string | undefined;
  readonly 'pre-authorized_code'?: string | undefined;
  readonly tx_code?: string | undefined;
  readonly code?: string | undefined;
  readonly code_verifier?: string | undefined;
  readonly redirect_uri?: string | undefined;
  readonly client_id?: string | undefined;
}

/** The token response (RFC 6749 §5.1, RFC 9449 §5). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'DPoP';
  readonly expires_in: number;
}

/** How the offer row looks to the token endpoint. */
interface OfferState {
  state: string;
  expires_at: Date;
  tx_attempts: number;
  grant_type: string;
}

function invalidGrant(message: string): OpenMidError {
  return new OpenMidError('ERR_OAUTH_INVALID_GRANT', message);
}

/** Why a conditional update matched no row, as the right error. */
async function explain(tx: SqlTx, offerId: string, now: Date): Promise<OpenMidError> {
  const r = await tx.query<OfferState>(
    'SELECT state, expires_at, tx_attempts, grant_type FROM offers WHERE id = $1',
    [offerId],
  );
  const o = r.rows[0];
  if (o === undefined) return invalidGrant('Unknown code');
  if (o.state === 'burnt') return new OpenMidError('ERR_VCI_OFFER_BURNT', 'The code was burnt');
  if (o.state === 'offered' || o.state === 'authorized') {
    if (o.expires_at.getTime() <= now.getTime()) {
      return new OpenMidError('ERR_VCI_OFFER_EXPIRED', 'The code has expired');
    }
  }
  return invalidGrant('The code was already used');
}

function tokenHash(token: string): string {
  return sha256b64u(`access_token\u0000${token}`);
}

/** The SHA-256 by which an access token is found in the offers table. */
export function hashAccessToken(token: string): string {
  return tokenHash(token);
}

/**
 * In ONE statement: record the DPoP jti as used and move the offer `from → redeemed`, binding the
 * token. Returns the offer's type; throws for a replayed proof or an offer that did not match.
 */
async function redeemOffer(
  tx: SqlTx,
  ctx: IssuerContext,
  input: {
    readonly offerId: string;
    readonly from: 'offered' | 'authorized';
    readonly grant: 'pre-authorized_code' | 'authorization_code';
    readonly token: string;
    readonly dpop: DpopProof;
    readonly now: Date;
  },
): Promise<string> {
  const { dpop } = input;
  const r = await tx.query<{ fresh: number; type: string | null }>(
    `WITH j AS (
       INSERT INTO used_once (hash, expires_at) VALUES ($6, $7)
       ON CONFLICT (hash) DO NOTHING RETURNING 1
     ), u AS (
       UPDATE offers SET state = 'redeemed', redeemed_at = $2, token_hash = $3,
              token_expires_at = $4, dpop_jkt = $5
        WHERE id = $1 AND state = $8 AND grant_type = $9 AND expires_at > $2
          AND EXISTS (SELECT 1 FROM j)
        RETURNING type
     )
     SELECT (SELECT count(*) FROM j)::int AS fresh, (SELECT type FROM u) AS type`,
    [
      input.offerId,
      input.now,
      tokenHash(input.token),
      inSeconds(ctx, ctx.config.ISSUER_TOKEN_TTL),
      dpop.jkt,
      sha256b64u(`dpop\u0000${dpop.jkt}.${dpop.jti}`),
      inSeconds(ctx, 180),
      input.from,
      input.grant,
    ],
  );
  const row = r.rows[0];
  if (row === undefined || row.fresh !== 1) {
    throw new OpenMidError('ERR_DPOP_PROOF_INVALID', 'The DPoP proof was replayed');
  }
  if (row.type === null) throw await explain(tx, input.offerId, input.now);
  return row.type;
}

/**
 * Redeem a pre-authorized code (with its tx_code) for a DPoP-bound access token.
 *
 * @see OpenID4VCI 1.0 §6.1 (pre-authorized_code, tx_code), §6.3 (invalid_grant on a wrong tx_code)
 */
async function preAuthorized(
  ctx: IssuerContext,
  req: TokenRequest,
  dpop: DpopProof,
): Promise<TokenResponse> {
  const offerId = offerIdOfCode(ctx, req['pre-authorized_code'], 'pre-authorized_code');
  if (offerId === undefined) throw invalidGrant('Unknown pre-authorized code');
  const txCode = req.tx_code;
  const right = typeof txCode === 'string' && sameString(txCode, offerTxCode(ctx, offerId));
  const now = nowDate(ctx);
  const token = randomId(32);
  const ttl = ctx.config.ISSUER_TOKEN_TTL;
  const max = ctx.config.ISSUER_TX_CODE_ATTEMPTS;

  if (!right) {
    // A wrong (or missing) tx_code counts as an attempt: committed even though the request fails.
    const outcome = await ctx.sql.transaction(async (tx) => {
      const r = await tx.query<{ state: string; tx_attempts: number }>(
        `UPDATE offers SET tx_attempts = tx_attempts + 1,
                state = CASE WHEN tx_attempts + 1 >= $2 THEN 'burnt' ELSE state END
          WHERE id = $1 AND state = 'offered' AND grant_type = 'pre-authorized_code'
            AND expires_at > $3
          RETURNING state, tx_attempts`,
        [offerId, max, now],
      );
      const row = r.rows[0];
      if (row === undefined) return { error: await explain(tx, offerId, now) };
      await appendAudit(tx, {
        actor: `device:${dpop.jkt}`,
        action: row.state === 'burnt' ? 'offer.burn' : 'offer.tx_code_failed',
        subject: `offer:${offerId}`,
        details: { attempts: row.tx_attempts, limit: max },
      });
      return { burnt: row.state === 'burnt' };
    });
    if ('error' in outcome) throw outcome.error;
    throw new OpenMidError(
      outcome.burnt ? 'ERR_VCI_OFFER_BURNT' : 'ERR_VCI_TX_CODE_INVALID',
      outcome.burnt ? 'Too many wrong tx_codes: the code is burnt' : 'Wrong tx_code',
    );
  }

  await ctx.sql.transaction(async (tx) => {
    const type = await redeemOffer(tx, ctx, {
      offerId,
      from: 'offered',
      grant: 'pre-authorized_code',
      token,
      dpop,
      now,
    });
    await appendAudit(tx, {
      actor: `device:${dpop.jkt}`,
      action: 'offer.redeem',
      subject: `offer:${offerId}`,
      details: { grant: 'pre-authorized_code', type },
    });
  });
  return { access_token: token, token_type: 'DPoP', expires_in: ttl };
}

/** The authorization request an authorization code was issued for. */
export interface AuthorizedRequest {
  readonly client_id: string;
  readonly redirect_uri: string;
  readonly code_challenge: string;
}

/**
 * Redeem an authorization code (PKCE S256, same client and redirect URI) for a DPoP-bound token.
 * PKCE and the client are checked BEFORE the atomic update, so a wrong verifier changes nothing.
 *
 * @see RFC 6749 §4.1.3; RFC 7636 §4.6
 */
async function authorizationCode(
  ctx: IssuerContext,
  req: TokenRequest,
  dpop: DpopProof,
): Promise<TokenResponse> {
  const offerId = offerIdOfCode(ctx, req.code, 'authorization_code');
  if (offerId === undefined) throw invalidGrant('Unknown authorization code');
  const verifier = req.code_verifier;
  if (typeof verifier !== 'string' || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
    throw invalidGrant('A code_verifier of 43-128 characters is required');
  }
  const now = nowDate(ctx);
  const r = await ctx.sql.query<{ auth: AuthorizedRequest | null }>(
    `SELECT auth FROM offers WHERE id = $1 AND grant_type = 'authorization_code'`,
    [offerId],
  );
  const auth = r.rows[0]?.auth;
  if (auth === undefined || auth === null) throw invalidGrant('Unknown authorization code');
  if (!sameString(pkceChallenge(verifier), auth.code_challenge)) {
    throw invalidGrant('The code_verifier does not match the code_challenge');
  }
  if (req.redirect_uri !== auth.redirect_uri) throw invalidGrant('redirect_uri mismatch');
  if (req.client_id !== undefined && req.client_id !== auth.client_id) {
    throw new OpenMidError('ERR_OAUTH_INVALID_CLIENT', 'The code was issued to another client');
  }
  const token = randomId(32);
  const ttl = ctx.config.ISSUER_TOKEN_TTL;
  await ctx.sql.transaction(async (tx) => {
    const type = await redeemOffer(tx, ctx, {
      offerId,
      from: 'authorized',
      grant: 'authorization_code',
      token,
      dpop,
      now,
    });
    await appendAudit(tx, {
      actor: `device:${dpop.jkt}`,
      action: 'offer.redeem',
      subject: `offer:${offerId}`,
      details: { grant: 'authorization_code', type },
    });
  });
  return { access_token: token, token_type: 'DPoP', expires_in: ttl };
}

/**
 * Answer a token request whose DPoP proof has been verified.
 *
 * @example
 * ```ts
 * const dpop = await verifyDpopProof({ header, method: 'POST', url: ctx.urls.token, now })
 * const body = await exchangeToken(ctx, form, dpop)
 * ```
 */
export function exchangeToken(
  ctx: IssuerContext,
  req: TokenRequest,
  dpop: DpopProof,
): Promise<TokenResponse> {
  switch (req.grant_type) {
    case PRE_AUTHORIZED_GRANT:
      return preAuthorized(ctx, req, dpop);
    case 'authorization_code':
      return authorizationCode(ctx, req, dpop);
    case undefined:
      throw new OpenMidError('ERR_OAUTH_INVALID_REQUEST', 'grant_type is required');
    default:
      throw new OpenMidError('ERR_OAUTH_UNSUPPORTED_GRANT_TYPE', 'Unsupported grant_type');
  }
}
