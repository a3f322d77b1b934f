/**
 * @module services/responses
 * Receiving a wallet's `direct_post.jwt` response (OpenID4VP 1.0 §8.2, §8.3) at the transaction's
 * own response URI:
 *
 * 1. the transaction must exist, be fetched, unexpired and not answered yet;
 * 2. the JWE is opened with the transaction's ephemeral key (`ERR_VP_JWE_INVALID` otherwise);
 * 3. the `vp_token` is verified with the SDK against the transaction's DCQL query, nonce and FULL
 *    client identifier, the trust source (issuer key by `iss` + `kid` now, issuer authorised for
 *    the `vct`), the status list cache, validity and key binding; an `mso_mdoc` entry (ISO
 *    DeviceResponse) with the OpenID4VP handover SessionTranscript of THIS transaction (client_id,
 *    nonce, this response URI, the thumbprint of its response key), the IACA roots
 *    (`registry/iacas.ts`) and the ledger check of the document-signer key;
 * 4. only then, in one statement, the transaction moves to `completed` with the sealed result, its
 *    audit event (no claim values; `services/events.ts`) and its webhook — `UPDATE … WHERE state =
 *    'fetched'`, so of any number of responses posted at once exactly one succeeds and the others
 *    get `ERR_VP_RESPONSE_REPLAYED`.
 *
 * A rejected response changes nothing (the transaction stays open for a correct one until it
 * expires) and is logged with its code only. A wallet error response (`access_denied`…) closes
 * the transaction as `refused`.
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  clientIdOf,
  type DcqlQuery,
  isMdocQuery,
  openResponse,
  parseDcqlQuery,
  parseResponseBody,
  type ResponseEncryptionJwk,
  type VerifiedCredential,
  verifyPresentation,
} from '@openmid/verifier';
import type { VerifierContext } from '../context.js';
import { eventDetails } from './events.js';
import { nodeEcdhEsDecrypt } from './jwe-node.js';
import { randomId, sha256b64u } from './requests.js';

/** A verified credential as the relying party receives it. */
export interface ResultCredential {
  readonly issuer: {
    readonly id: string;
    readonly name?: { readonly ko: string; readonly en: string };
  };
  readonly vct: string;
  /** Only the claims the request asked for, verified. */
  readonly claims: Record<string, unknown>;
  readonly status: 'valid' | 'unknown' | 'none';
  readonly issued_at?: string;
  readonly valid_until?: string;
  /** `mso_mdoc` when the citizen answered with the ISO mdoc (claims have the same names). */
  readonly format?: 'mso_mdoc';
}

/** The verified result (sealed at rest; deleted on delivery unless retention is configured). */
export interface PresentationResult {
  readonly credentials: Readonly<Record<string, readonly ResultCredential[]>>;
  readonly verified_at: string;
}

/** What the wallet gets back (HAIP 1.0 §5: `redirect_uri` in the same-device flow). */
export interface DirectPostAnswer {
  readonly redirect_uri?: string;
}

interface OpenTransaction {
  readonly id: string;
  readonly rp_id: string;
  readonly state: string;
  readonly nonce: string;
  readonly dcql: unknown;
  readonly response_key: string | null;
  readonly redirect_uri: string | null;
  readonly expires_at: Date;
}

const iso = (s: number | undefined) =>
  s === undefined ? undefined : new Date(s * 1000).toISOString();

function toResult(
  credentials: Readonly<Record<string, readonly VerifiedCredential[]>>,
  now: number,
): PresentationResult {
  const out: Record<string, ResultCredential[]> = {};
  for (const [id, list] of Object.entries(credentials)) {
    out[id] = list.map((c) => {
      const issued = iso(c.issuedAt);
      const until = iso(c.expiresAt);
      return {
        issuer: { id: c.iss, ...(c.issuerName === undefined ? {} : { name: c.issuerName }) },
        vct: c.vct,
        claims: c.claims,
        status: c.status,
        ...(issued === undefined ? {} : { issued_at: issued }),
        ...(until === undefined ? {} : { valid_until: until }),
        ...(c.format === undefined ? {} : { format: c.format }),
      };
    });
  }
  return { credentials: out, verified_at: new Date(now * 1000).toISOString() };
}

/** Non-personal description of a result, for the audit log and `result_meta`. */
function resultMeta(credentials: Readonly<Record<string, readonly VerifiedCredential[]>>) {
  return Object.entries(credentials).map(([id, list]) => ({
    id,
    issuers: list.map((c) => c.iss),
    vct: list.map((c) => c.vct),
    paths: [...new Set(list.flatMap((c) => Object.keys(c.claims)))].sort(),
    status: list.map((c) => c.status),
  }));
}

async function load(ctx: VerifierContext, responseId: string): Promise<OpenTransaction> {
  const r = await ctx.sql.query<OpenTransaction>(
    `SELECT id, rp_id, state, nonce, dcql, response_key, redirect_uri, expires_at
       FROM verifier_transactions WHERE response_id = $1`,
    [responseId],
  );
  const tx = r.rows[0];
  if (tx === undefined) throw new OpenMidError('ERR_VP_REQUEST_UNKNOWN', 'No such request');
  if (tx.state === 'completed' || tx.state === 'delivered' || tx.state === 'refused')
    throw new OpenMidError('ERR_VP_RESPONSE_REPLAYED', 'This request was already answered');
  if (tx.expires_at.getTime() <= ctx.clock() * 1000)
    throw new OpenMidError('ERR_VP_REQUEST_EXPIRED', 'The request has expired');
  if (tx.state !== 'fetched' || tx.response_key === null)
    throw new OpenMidError(
      'ERR_VP_RESPONSE_INVALID',
      'No request object was fetched for this response',
    );
  return tx;
}

/**
 * Move `id` from fetched to its final state in ONE statement with its audit event and, when the
 * relying party has a webhook, its notification: all or nothing. `UPDATE … WHERE state =
 * 'fetched'` lets exactly one of any number of concurrent responses through (a second waits for the
 * first to commit, re-checks the condition and updates nothing); the others get REPLAYED.
 */
async function finish(
  ctx: VerifierContext,
  input: {
    readonly id: string;
    readonly sets: string;
    readonly params: readonly (string | Date | null)[];
    readonly at: Date;
    readonly action: 'presentation.verified' | 'presentation.refused';
    readonly details: string;
  },
): Promise<void> {
  const n = input.params.length;
  const r = await ctx.sql.query<{ n: number }>(
    `WITH done AS (
       UPDATE verifier_transactions SET ${input.sets}
        WHERE id = $1 AND state = 'fetched' RETURNING id, rp_id),
     ev AS (
       INSERT INTO verifier_events (at, action, actor, transaction_id, rp_id, details)
       SELECT $${n + 2}, $${n + 3}, 'wallet', id, rp_id, $${n + 4} FROM done),
     hook AS (
       INSERT INTO verifier_webhooks (id, transaction_id, rp_id, url, event, next_at)
       SELECT $${n + 5}, d.id, d.rp_id, p.webhook_url, $${n + 3}, $${n + 2}
         FROM done d JOIN verifier_relying_parties p ON p.id = d.rp_id
        WHERE p.webhook_url IS NOT NULL)
     SELECT count(*)::int AS n FROM done`,
    [input.id, ...input.params, input.at, input.action, input.details, randomId()],
  );
  if (Number(r.rows[0]?.n) !== 1)
    throw new OpenMidError('ERR_VP_RESPONSE_REPLAYED', 'This request was already answered');
}

/**
 * Handle a POST to the response URI of `responseId` with form body `body`.
 *
 * @example
 * ```ts
 * const answer = await receiveResponse(ctx, responseId, await c.req.text())
 * ```
 */
export async function receiveResponse(
  ctx: VerifierContext,
  responseId: string,
  body: string,
): Promise<DirectPostAnswer> {
  const parsed = parseResponseBody(body);
  const t = await load(ctx, responseId);
  const now = ctx.clock();
  const nowDate = new Date(now * 1000);

  if (parsed.kind === 'error') {
    await finish(ctx, {
      id: t.id,
      sets: `state = 'refused', wallet_error = $2, completed_at = $3, response_key = NULL, request_object = NULL`,
      params: [parsed.error, nowDate],
      at: nowDate,
      action: 'presentation.refused',
      details: eventDetails({ error: parsed.error }),
    });
    return {};
  }

  const key = await ctx.cipher.openJson<ResponseEncryptionJwk & { d: string }>(
    t.response_key as string,
    {
      table: 'verifier_transactions',
      id: t.id,
    },
  );
  const { vpToken } = await openResponse(parsed.jwe, key, { decrypt: nodeEcdhEsDecrypt });
  const dcql: DcqlQuery = parseDcqlQuery(t.dcql);
  // mdoc answers need the IACA roots and this request's handover (Appendix B.2.6.1).
  const mdocIds = dcql.credentials.filter(isMdocQuery).map((q) => q.id);
  const iacas = mdocIds.length > 0 ? await ctx.iacas.trust() : undefined;
  if (iacas === undefined && mdocIds.some((id) => Object.hasOwn(vpToken, id)))
    throw new OpenMidError('ERR_MDOC_ISSUER_UNTRUSTED', 'No IACA root is trusted here', {
      details: { reason: 'no_iaca' },
    });
  const { d: _d, ...responseKey } = key;
  const verified = await verifyPresentation(
    { vpToken, dcql },
    {
      trust: ctx.trust,
      statusLists: ctx.statusLists,
      statusMaxAge: ctx.config.VERIFIER_STATUS_MAX_AGE,
      nonce: t.nonce,
      aud: clientIdOf(t.rp_id),
      now,
      ...(iacas === undefined
        ? {}
        : {
            mdoc: {
              iacas,
              responseUri: ctx.urls.responseUri(responseId),
              responseKey,
            },
          }),
    },
  );
  const result = toResult(verified.credentials, now);
  const meta = resultMeta(verified.credentials);
  const sealed = await ctx.cipher.sealJson(result, { table: 'verifier_transactions', id: t.id });
  const responseCode = t.redirect_uri === null ? undefined : randomId();
  const purgeAt = new Date((now + ctx.config.VERIFIER_RESULT_TTL) * 1000);
  await finish(ctx, {
    id: t.id,
    sets: `state = 'completed', completed_at = $2, result = $3, result_meta = $4::jsonb, purge_at = $5,
           response_code_sha256 = $6, response_key = NULL, request_object = NULL`,
    params: [
      nowDate,
      sealed,
      JSON.stringify(meta),
      purgeAt,
      responseCode === undefined ? null : sha256b64u(responseCode),
    ],
    at: nowDate,
    action: 'presentation.verified',
    details: eventDetails({ presented: meta }),
  });
  if (responseCode === undefined || t.redirect_uri === null) return {};
  return { redirect_uri: `${t.redirect_uri}#response_code=${responseCode}` };
}
