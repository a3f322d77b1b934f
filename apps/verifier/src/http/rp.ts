/**
 * @module http/rp
 * The relying-party API (issue 4 §2), authenticated with the party's API key (scope
 * `presentations`; the key decides which party is calling):
 *
 * | method | path | what |
 * | --- | --- | --- |
 * | POST | /v1/presentations | create a request from a preset or a DCQL query → transaction id, links |
 * | GET | /v1/presentations/{id} | poll: pending, expired, refused, or the verified result (delivered once) |
 * | GET | /v1/presentations/{id}/qr?format=svg\|png | the cross-device QR of the request link |
 * | GET | /v1/presets | the named presets and their DCQL queries |
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  API_KEY_SCHEME,
  type App,
  type AppEnv,
  createRoute,
  ErrorBodySchema,
  requireScope,
  z,
} from '@openmid/server-kit';
import { clientIdOf, requestLink } from '@openmid/verifier';
import type { Context } from 'hono';
import type { VerifierContext } from '../context.js';
import { PRESETS } from '../presets.js';
import { qrPng, qrSvg } from '../qr.js';
import { RP_SCOPE, rpOfApiKey } from '../registry/registry.js';
import { createPresentationRequest } from '../services/requests.js';
import { readResult } from '../services/results.js';

const security = [{ [API_KEY_SCHEME]: [] }];
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});
const errors = {
  400: error('Invalid request'),
  401: error('No valid API key'),
  403: error('Not registered for these claims, or not a relying-party key'),
  404: error('No such transaction for this relying party'),
};
const TransactionId = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

/** The calling key's relying party and audit actor. */
async function caller(
  ctx: VerifierContext,
  c: Context<AppEnv>,
): Promise<{ rpId: string; actor: string }> {
  const p = c.get('principal');
  if (p === undefined) throw new OpenMidError('ERR_AUTH_REQUIRED', 'API key required');
  return { rpId: await rpOfApiKey(ctx, p.keyId), actor: `apikey:${p.keyId}` };
}

/** Register the relying-party API on `app`. */
export function registerRpRoutes(app: App, ctx: VerifierContext): void {
  const Create = z
    .object({
      preset: z.string().min(1).max(64).optional(),
      dcql: z.record(z.string(), z.unknown()).optional(),
      /** Optional check: must be the key's own relying party. */
      rp: z.string().min(1).max(63).optional(),
      redirect_uri: z.string().url().max(2000).optional(),
    })
    .openapi('PresentationRequest');
  const Created = z
    .object({
      transaction_id: z.string(),
      client_id: z.string(),
      request_uri: z.string(),
      request_link: z.string(),
      same_device_url: z.string(),
      expires_at: z.string(),
    })
    .openapi('CreatedPresentationRequest');
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/presentations',
      summary: 'Create a presentation request (OpenID4VP 1.0, signed request object by reference)',
      security,
      middleware: [requireScope(RP_SCOPE)],
      request: { body: { content: { 'application/json': { schema: Create } }, required: true } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Created } } },
        ...errors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { rpId, actor } = await caller(ctx, c);
      if (body.rp !== undefined && body.rp !== rpId)
        throw new OpenMidError('ERR_AUTH_FORBIDDEN', 'This API key acts for another relying party');
      const created = await createPresentationRequest(ctx, {
        rpId,
        actor,
        ...(body.preset === undefined ? {} : { preset: body.preset }),
        ...(body.dcql === undefined ? {} : { dcql: body.dcql }),
        ...(body.redirect_uri === undefined ? {} : { redirectUri: body.redirect_uri }),
      });
      return c.json(created, 201);
    },
  );

  const Result = z
    .object({
      transaction_id: z.string(),
      status: z.enum(['pending', 'expired', 'refused', 'verified']),
      expires_at: z.string().optional(),
      error: z.string().optional(),
      rp: z.string().optional(),
      credentials: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
      verified_at: z.string().optional(),
    })
    .openapi('PresentationResult');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/presentations/{transaction_id}',
      summary:
        'Poll a transaction; a verified result is delivered once, then its personal data is deleted',
      security,
      middleware: [requireScope(RP_SCOPE)],
      request: {
        params: z.object({ transaction_id: TransactionId }),
        query: z.object({ response_code: z.string().min(1).max(100).optional() }),
      },
      responses: {
        200: {
          description: 'State or result',
          content: { 'application/json': { schema: Result } },
        },
        ...errors,
        410: error('Delivered already (retention), or expired undelivered'),
      },
    }),
    async (c) => {
      const { transaction_id } = c.req.valid('param');
      const { response_code } = c.req.valid('query');
      const { rpId, actor } = await caller(ctx, c);
      const view = await readResult(ctx, {
        rpId,
        id: transaction_id,
        actor,
        ...(response_code === undefined ? {} : { responseCode: response_code }),
      });
      return c.json(view as z.infer<typeof Result>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/presentations/{transaction_id}/qr',
      summary: 'The cross-device QR code of a pending request (SVG or PNG)',
      security,
      middleware: [requireScope(RP_SCOPE)],
      request: {
        params: z.object({ transaction_id: TransactionId }),
        query: z.object({ format: z.enum(['svg', 'png']).optional() }),
      },
      responses: {
        200: {
          description: 'QR code',
          content: { 'image/svg+xml': { schema: z.string() }, 'image/png': { schema: z.string() } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const { transaction_id } = c.req.valid('param');
      const { format } = c.req.valid('query');
      const { rpId } = await caller(ctx, c);
      const r = await ctx.sql.query<{ request_id: string; state: string }>(
        'SELECT request_id, state FROM verifier_transactions WHERE id = $1 AND rp_id = $2',
        [transaction_id, rpId],
      );
      const row = r.rows[0];
      if (row === undefined)
        throw new OpenMidError('ERR_VP_REQUEST_UNKNOWN', 'No such transaction');
      if (row.state !== 'created')
        throw new OpenMidError('ERR_VP_REQUEST_CONSUMED', 'The request was already fetched');
      const link = requestLink(clientIdOf(rpId), ctx.urls.requestUri(row.request_id));
      if (format === 'png')
        return c.body((await qrPng(link)) as Uint8Array<ArrayBuffer>, 200, {
          'Content-Type': 'image/png',
        });
      return c.body(await qrSvg(link), 200, { 'Content-Type': 'image/svg+xml' });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/presets',
      summary: 'The named presentation presets and their DCQL queries',
      responses: {
        200: {
          description: 'Presets',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
      },
    }),
    (c) => c.json({ ...PRESETS } as Record<string, unknown>, 200),
  );
}
