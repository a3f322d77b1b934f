/**
 * @module services/credential
 * The credential endpoint (OpenID4VCI 1.0 §8) with batch issuance (§8.2 `proofs`, §12.2.4
 * `batch_credential_issuance`). One request yields one credential per key proof — every copy bound
 * to a distinct holder key (duplicates refused), with fresh salts (a new SD-JWT per copy) and a
 * distinct status index — so two presentations of the same credential cannot be linked.
 *
 * Order of work: access token and DPoP proof (with `ath`) → request shape → every key proof
 * (signature, typ, alg, aud, iat, c_nonce MAC) → claims from the register → status entries →
 * signing (outside any transaction) → ONE transaction that records the c_nonce(s) and the DPoP
 * `jti` as used, moves the offer `redeemed → issued` (the conditional UPDATE that makes 20 racing
 * requests yield one success), inserts the credential rows, and appends ONE audit entry with the
 * count as its last statement. A failure anywhere changes nothing (allocated but unused status
 * entries are gaps, never reused).
 *
 * An offer may carry several configurations of one type (the licence as `dc+sd-jwt` and as
 * `mso_mdoc`, services/mdoc.ts): the same token obtains each ONCE — the conditional update also
 * requires the configuration not to be in `issued_configurations` — and the offer is `issued`
 * when all of them are.
 */
import { OpenMidError } from '@openmid/core/errors';
import { issueSdJwtVc } from '@openmid/core/sd-jwt-vc';
import {
  buildSubjectClaims,
  credentialExpiry,
  disclosureFrameFor,
  findCredentialType,
} from '@openmid/profile-kr';
import { appendAudit, type SqlQueryable } from '@openmid/server-kit';
import { type IssuerContext, inSeconds, nowDate } from '../context.js';
import type { DpopProof } from '../oauth/dpop.js';
import { type OnceEntry, useAllOnce } from '../oauth/once.js';
import { type KeyProof, verifyKeyProof } from '../oauth/proofs.js';
import { randomId } from '../secrets.js';
import { issueMdocCopies, MSO_MDOC_FORMAT, mdocConfiguration } from './mdoc.js';
import { offerConfigurations } from './offers.js';
import { readRecord } from './register.js';
import { hashAccessToken } from './token.js';

/** An access token's grant, as the credential and notification endpoints see it. */
export interface Grant {
  readonly offerId: string;
  readonly citizenId: string;
  readonly type: string;
  readonly copies: number;
  readonly state: string;
  readonly dpopJkt: string;
  readonly lossReportId: string | null;
  /** The configuration ids the offer carries, and those already issued (each is issued once). */
  readonly configurations: readonly string[];
  readonly issuedConfigurations: readonly string[];
}

/** The Credential Response (OpenID4VCI 1.0 §8.3). */
export interface CredentialResponse {
  readonly credentials: readonly { readonly credential: string }[];
  readonly notification_id: string;
}

/**
 * The grant behind a DPoP-bound access token: unexpired, bound to the proof's key, and (unless
 * `allowIssued`) not yet spent. Every failure is ERR_OAUTH_INVALID_TOKEN (RFC 6750 §3.1).
 */
export async function grantOfToken(
  ctx: IssuerContext,
  token: string,
  dpop: DpopProof,
  options: { readonly allowIssued?: boolean } = {},
): Promise<Grant> {
  const r = await ctx.sql.query<{
    id: string;
    citizen_id: string;
    type: string;
    copies: number;
    state: string;
    dpop_jkt: string | null;
    token_expires_at: Date | null;
    loss_report_id: string | null;
    configurations: string[] | null;
    issued_configurations: string[] | null;
  }>(
    `SELECT id, citizen_id, type, copies, state, dpop_jkt, token_expires_at, loss_report_id,
            configurations, issued_configurations
       FROM offers WHERE token_hash = $1`,
    [hashAccessToken(token)],
  );
  const o = r.rows[0];
  const invalid = (m: string): OpenMidError => new OpenMidError('ERR_OAUTH_INVALID_TOKEN', m);
  if (o === undefined) throw invalid('Unknown access token');
  if (o.token_expires_at === null || o.token_expires_at.getTime() <= nowDate(ctx).getTime()) {
    throw invalid('The access token has expired');
  }
  // RFC 9449 §7.1: the proof key must be the one the token is bound to (cnf.jkt).
  if (o.dpop_jkt !== dpop.jkt) throw invalid('The access token is bound to another key');
  const usable = o.state === 'redeemed' || (options.allowIssued === true && o.state === 'issued');
  if (!usable) throw invalid('The access token has been used');
  return {
    offerId: o.id,
    citizenId: o.citizen_id,
    type: o.type,
    copies: o.copies,
    state: o.state,
    dpopJkt: o.dpop_jkt,
    lossReportId: o.loss_report_id,
    configurations: offerConfigurations(o.type, o.configurations),
    issuedConfigurations: o.issued_configurations ?? [],
  };
}

function badRequest(message: string): OpenMidError {
  return new OpenMidError('ERR_VCI_CREDENTIAL_REQUEST_INVALID', message);
}

/** The key proofs of a credential request body, shape-checked (§8.2). */
function proofsOf(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The credential request must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (b['proof'] !== undefined) {
    throw badRequest('Use proofs (OpenID4VCI 1.0 §8.2); the single proof member is not supported');
  }
  const proofs = b['proofs'];
  if (typeof proofs !== 'object' || proofs === null || Array.isArray(proofs)) {
    throw badRequest('proofs is required');
  }
  const kinds = Object.keys(proofs);
  if (kinds.length !== 1 || kinds[0] !== 'jwt') {
    throw badRequest('proofs must hold exactly one proof type, jwt');
  }
  const jwts = (proofs as Record<string, unknown>)['jwt'];
  if (!Array.isArray(jwts) || jwts.length === 0) throw badRequest('proofs.jwt must be non-empty');
  return jwts;
}

/**
 * Record the batch's c_nonce(s) and the DPoP jti as used, in one statement; a c_nonce used before
 * is ERR_VCI_NONCE_INVALID, a replayed jti ERR_DPOP_PROOF_INVALID.
 */
async function consumeOnceValues(
  tx: SqlQueryable,
  ctx: IssuerContext,
  proofs: readonly KeyProof[],
  dpop: DpopProof,
): Promise<void> {
  const nonceExpiry = inSeconds(ctx, ctx.config.ISSUER_NONCE_TTL + 60);
  const entries: OnceEntry[] = [...new Set(proofs.map((p) => p.nonce))].map((n) => ({
    kind: 'c_nonce',
    value: n,
    expiresAt: nonceExpiry,
  }));
  entries.push({ kind: 'dpop', value: `${dpop.jkt}.${dpop.jti}`, expiresAt: inSeconds(ctx, 180) });
  const used = await useAllOnce(tx, entries);
  if (used.some((e) => e.kind === 'c_nonce')) {
    throw new OpenMidError('ERR_VCI_NONCE_INVALID', 'The c_nonce was already used');
  }
  if (used.length > 0)
    throw new OpenMidError('ERR_DPOP_PROOF_INVALID', 'The DPoP proof was replayed');
}

/**
 * Issue the credentials of one credential request.
 *
 * @see OpenID4VCI 1.0 §8.2 (request), §8.3 (response), §8.3.1.2 (errors), Appendix F.4
 */
export async function issueCredentials(
  ctx: IssuerContext,
  input: { readonly token: string; readonly dpop: DpopProof; readonly body: unknown },
): Promise<CredentialResponse> {
  const { dpop } = input;
  const grant = await grantOfToken(ctx, input.token, dpop);
  const body = input.body as Record<string, unknown>;
  const jwts = proofsOf(body);
  if (body['credential_identifier'] !== undefined) {
    throw badRequest('credential_identifier is not supported: use credential_configuration_id');
  }
  const configId = body['credential_configuration_id'];
  if (typeof configId !== 'string') throw badRequest('credential_configuration_id is required');
  if (!grant.configurations.includes(configId)) {
    throw new OpenMidError(
      'ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN',
      'This access token was not granted for that credential configuration',
    );
  }
  // Each configuration of the offer is issued once (checked again by the conditional update).
  if (grant.issuedConfigurations.includes(configId)) {
    throw new OpenMidError('ERR_OAUTH_INVALID_TOKEN', 'The access token has been used');
  }
  const mdoc = mdocConfiguration(configId);
  const limit = Math.min(grant.copies, ctx.config.ISSUER_BATCH_SIZE);
  if (jwts.length > limit) {
    throw new OpenMidError('ERR_VCI_BATCH_TOO_LARGE', 'More proofs than copies allowed', {
      details: { limit },
    });
  }
  const now = ctx.clock();
  const proofs: KeyProof[] = [];
  for (const jwt of jwts) {
    proofs.push(
      await verifyKeyProof(jwt, {
        audience: ctx.urls.issuer,
        now,
        nonceKey: ctx.secrets.mac.nonce,
        nonceTtl: ctx.config.ISSUER_NONCE_TTL,
      }),
    );
  }
  if (new Set(proofs.map((p) => p.jkt)).size !== proofs.length) {
    throw new OpenMidError(
      'ERR_VCI_DUPLICATE_HOLDER_KEY',
      'Each credential of a batch must be bound to a distinct key',
    );
  }

  const type = findCredentialType(grant.type);
  const input0 = await readRecord(ctx, grant.citizenId, type.name);
  const claims = buildSubjectClaims(type, input0, { issuedAt: now });
  const frame = disclosureFrameFor(type, claims);
  const exp = credentialExpiry(type, now, claims);
  const slots = await ctx.allocator.allocate(proofs.length);
  const ids = proofs.map(() => randomId(16));
  const credentials: string[] = [];
  if (mdoc !== undefined) {
    // OpenID4VCI 1.0 Appendix A.2: the same record as an mdoc, one MSO per proof key.
    credentials.push(
      ...(await issueMdocCopies(ctx.mdoc, {
        config: mdoc,
        claims,
        now,
        exp,
        copies: proofs.map((p, i) => {
          const slot = slots[i];
          if (slot === undefined) throw new OpenMidError('ERR_INTERNAL');
          return { deviceKey: p.jwk, status: { idx: slot.idx, uri: slot.uri } };
        }),
      })),
    );
  }
  for (let i = 0; mdoc === undefined && i < proofs.length; i++) {
    const slot = slots[i];
    const proof = proofs[i];
    if (slot === undefined || proof === undefined) throw new OpenMidError('ERR_INTERNAL');
    credentials.push(
      await issueSdJwtVc(
        {
          iss: ctx.urls.issuer,
          vct: type.vct,
          iat: now,
          exp,
          status: { status_list: { idx: slot.idx, uri: slot.uri } },
          claims,
        },
        { signer: ctx.secrets.signer, holderKey: proof.jwk, frame },
      ),
    );
  }
  const format = mdoc === undefined ? 'dc+sd-jwt' : MSO_MDOC_FORMAT;
  // The offer is spent once every configuration it carries has been issued.
  const last = grant.configurations.every(
    (c) => c === configId || grant.issuedConfigurations.includes(c),
  );

  const notificationId = randomId(16);
  const issuedAt = new Date(now * 1000);
  await ctx.sql.transaction(async (tx) => {
    await consumeOnceValues(tx, ctx, proofs, dpop);
    // One success per configuration, however many requests race (SECURITY.md "Issuance").
    const spent = await tx.query(
      `UPDATE offers
          SET issued_configurations = array_append(issued_configurations, $3::text),
              state = CASE WHEN $4::boolean THEN 'issued' ELSE state END,
              issued_at = CASE WHEN $4::boolean THEN $2 ELSE issued_at END
        WHERE id = $1 AND state = 'redeemed' AND NOT ($3::text = ANY (issued_configurations))`,
      [grant.offerId, issuedAt, configId, last],
    );
    if (spent.rowCount !== 1) {
      throw new OpenMidError('ERR_OAUTH_INVALID_TOKEN', 'The access token has been used');
    }
    await tx.query(
      `INSERT INTO credentials (id, offer_id, citizen_id, type, device_id, holder_jkt, list_id, idx,
                                notification_id, issued_at, expires_at, format)
       SELECT u.id, $1, $2, $3, $4, u.jkt, u.list_id, u.idx, $5, $6, $7, $12
         FROM unnest($8::text[], $9::text[], $10::int[], $11::int[]) AS u(id, jkt, list_id, idx)`,
      [
        grant.offerId,
        grant.citizenId,
        type.name,
        dpop.jkt,
        notificationId,
        issuedAt,
        new Date(exp * 1000),
        ids,
        proofs.map((p) => p.jkt),
        slots.map((s) => s.listId),
        slots.map((s) => s.idx),
        format,
      ],
    );
    await appendAudit(tx, {
      actor: `device:${dpop.jkt}`,
      action: 'credential.issue',
      subject: `offer:${grant.offerId}`,
      details: { type: type.name, format, count: ids.length, credentialIds: ids },
    });
  });
  return {
    credentials: credentials.map((c) => ({ credential: c })),
    notification_id: notificationId,
  };
}
