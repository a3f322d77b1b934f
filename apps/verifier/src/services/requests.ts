/**
 * @module services/requests
 * Creating a presentation request for a relying party and serving its request object
 * (OpenID4VP 1.0 §5 with JAR by reference; HAIP 1.0 §5):
 *
 * 1. the party must be registered now and registered for every claim of the DCQL query (and have
 *    a statutory basis for a resident number): otherwise `ERR_RP_ATTRIBUTE_NOT_REGISTERED` and
 *    nothing is stored;
 * 2. fresh identifiers (transaction, request, response: 128 random bits each), a fresh nonce
 *    and a FRESH ephemeral ECDH-ES P-256 response key, sealed with the transaction;
 * 3. the request object is signed with the party's request key and carries the registry's
 *    Verifier Attestation (client_id `verifier_attestation:<rp>`);
 * 4. the request object is served ONCE (`ERR_VP_REQUEST_CONSUMED` afterwards), within its TTL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import {
  acceptedTypesOf,
  assertRequestRegistered,
  clientIdOf,
  createRequestObject,
  type DcqlQuery,
  generateResponseKey,
  parseDcqlQuery,
  requestLink,
} from '@openmid/verifier';
import type { VerifierContext } from '../context.js';
import { legalBasisRequired, presetQuery } from '../presets.js';
import { attestationFor, rpSigner } from '../registry/registry.js';
import { eventDetails } from './events.js';

/** 128 random bits as base64url (identifiers, nonces). */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a string, base64url (how response codes are stored). */
export function sha256b64u(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** What a relying party asks for. */
export interface PresentationRequestInput {
  readonly rpId: string;
  readonly preset?: string;
  readonly dcql?: unknown;
  /** Same-device flow: where the wallet sends the user back (HAIP 1.0 §5). */
  readonly redirectUri?: string;
  /** Audit actor (`apikey:<id>`). */
  readonly actor: string;
}

/** A created request: what the relying party shows (link, QR) and polls. */
export interface CreatedPresentationRequest {
  readonly transaction_id: string;
  readonly client_id: string;
  readonly request_uri: string;
  /** `openid4vp://?client_id=…&request_uri=…` (cross-device QR, or a deep link). */
  readonly request_link: string;
  /** The wallet app link on this device. */
  readonly same_device_url: string;
  readonly expires_at: string;
}

function checkRedirect(ctx: VerifierContext, uri: string | undefined): string | null {
  if (uri === undefined) return null;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new OpenMidError('ERR_INPUT_INVALID', 'redirect_uri is not a URL');
  }
  const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1';
  if (
    u.protocol !== 'https:' &&
    !(u.protocol === 'http:' && (local || ctx.config.NODE_ENV !== 'production'))
  )
    throw new OpenMidError('ERR_INPUT_INVALID', 'redirect_uri must be https');
  if (u.hash !== '') throw new OpenMidError('ERR_INPUT_INVALID', 'redirect_uri has no fragment');
  return u.toString();
}

/**
 * Create a presentation request for relying party `input.rpId` (event `presentation.request`,
 * with the types and claim paths asked — never values).
 *
 * @example
 * ```ts
 * const created = await createPresentationRequest(ctx, { rpId: 'convenience-store', preset: 'age-over-19', actor })
 * ```
 */
export async function createPresentationRequest(
  ctx: VerifierContext,
  input: PresentationRequestInput,
): Promise<CreatedPresentationRequest> {
  const now = ctx.clock();
  if ((input.preset === undefined) === (input.dcql === undefined))
    throw new OpenMidError('ERR_INPUT_INVALID', 'Give either a preset or a dcql query');
  const dcql: DcqlQuery =
    input.preset !== undefined ? presetQuery(input.preset) : parseDcqlQuery(input.dcql);
  const rp = await ctx.trust.relyingParty(input.rpId, now);
  if (rp === undefined)
    throw new OpenMidError('ERR_RP_UNKNOWN', 'The relying party is not registered now');
  assertRequestRegistered(rp, dcql, legalBasisRequired);
  const redirectUri = checkRedirect(ctx, input.redirectUri);

  const signer = await rpSigner(ctx, rp.id);
  const attestation = await attestationFor(ctx, rp, signer.publicJwk);
  const id = randomId();
  const requestId = randomId();
  const responseId = randomId();
  const nonce = randomId();
  const responseKey = await generateResponseKey(randomId(8));
  const ttl = ctx.config.VERIFIER_REQUEST_TTL;
  const clientId = clientIdOf(rp.id);
  const requestObject = await createRequestObject({
    signer,
    attestation,
    clientId,
    responseUri: ctx.urls.responseUri(responseId),
    nonce,
    dcql,
    responseKey: responseKey.publicJwk,
    now,
    ttl,
  });
  const sealedKey = await ctx.cipher.sealJson(responseKey.privateJwk, {
    table: 'verifier_transactions',
    id,
  });
  const createdAt = new Date(now * 1000);
  const expiresAt = new Date((now + ttl) * 1000);
  const details = eventDetails({
    preset: input.preset ?? null,
    asked: dcql.credentials.map((q) => ({
      id: q.id,
      vct: [...acceptedTypesOf(q)],
      ...(q.format === 'mso_mdoc' ? { format: q.format } : {}),
      paths: (q.claims ?? []).map((c) =>
        c.path.map((p) => (p === null ? '*' : String(p))).join('.'),
      ),
    })),
  });
  // One statement: the transaction and its audit event (services/events.ts) commit together.
  await ctx.sql.query(
    `WITH t AS (
       INSERT INTO verifier_transactions
         (id, request_id, response_id, rp_id, state, nonce, dcql, request_object, response_key,
          redirect_uri, created_at, expires_at)
       VALUES ($1, $2, $3, $4, 'created', $5, $6::jsonb, $7, $8, $9, $10, $11)
       RETURNING id, rp_id)
     INSERT INTO verifier_events (at, action, actor, transaction_id, rp_id, details)
     SELECT $10, 'presentation.request', $12, id, rp_id, $13 FROM t`,
    [
      id,
      requestId,
      responseId,
      rp.id,
      nonce,
      JSON.stringify(dcql),
      requestObject,
      sealedKey,
      redirectUri,
      createdAt,
      expiresAt,
      input.actor,
      details,
    ],
  );
  const requestUri = ctx.urls.requestUri(requestId);
  return {
    transaction_id: id,
    client_id: clientId,
    request_uri: requestUri,
    request_link: requestLink(clientId, requestUri),
    same_device_url: requestLink(clientId, requestUri, ctx.config.VERIFIER_WALLET_URL),
    expires_at: expiresAt.toISOString(),
  };
}

/**
 * Serve the request object of `requestId` once (OpenID4VP 1.0 §5.10; RFC 9101 §5.2): the first
 * fetch within the TTL gets it and moves the transaction to `fetched`; later fetches get
 * `ERR_VP_REQUEST_CONSUMED`, unknown ids `ERR_VP_REQUEST_UNKNOWN`, late ones
 * `ERR_VP_REQUEST_EXPIRED`.
 */
export async function fetchRequestObject(ctx: VerifierContext, requestId: string): Promise<string> {
  const now = new Date(ctx.clock() * 1000);
  const r = await ctx.sql.query<{ request_object: string }>(
    `UPDATE verifier_transactions SET state = 'fetched', fetched_at = $2
      WHERE request_id = $1 AND state = 'created' AND expires_at > $2
      RETURNING request_object`,
    [requestId, now],
  );
  const row = r.rows[0];
  if (row !== undefined) return row.request_object;
  const seen = await ctx.sql.query<{ state: string; expires_at: Date }>(
    'SELECT state, expires_at FROM verifier_transactions WHERE request_id = $1',
    [requestId],
  );
  const tx = seen.rows[0];
  if (tx === undefined) throw new OpenMidError('ERR_VP_REQUEST_UNKNOWN', 'No such request');
  if (tx.state === 'created' && tx.expires_at <= now)
    throw new OpenMidError('ERR_VP_REQUEST_EXPIRED', 'The request has expired');
  throw new OpenMidError('ERR_VP_REQUEST_CONSUMED', 'The request object was already fetched');
}
