/**
 * @module http/wallet
 * The endpoints wallets call (OpenID4VP 1.0), public and CORS-open, plus the registry's public
 * material:
 *
 * | method | path | what |
 * | --- | --- | --- |
 * | GET | /oid4vp/request/{request_id} | the signed request object, once (`application/oauth-authz-req+jwt`) |
 * | POST | /oid4vp/response/{response_id} | the `direct_post.jwt` response (form: `response=<JWE>`) |
 * | GET | /.well-known/jwks.json | the registry key (attestations, trust bundles, webhooks) |
 * | GET | /v1/trust-bundle | the signed offline trust bundle (`application/jwt`) |
 *
 * A rejected response is logged with its code only (never the body) and changes nothing.
 */
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { type App, createRoute, ErrorBodySchema, z } from '@openmid/server-kit';
import type { VerifierContext } from '../context.js';
import { exportTrustBundle } from '../services/bundle.js';
import { fetchRequestObject } from '../services/requests.js';
import { receiveResponse } from '../services/responses.js';

const Id = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});

/** Register the wallet-facing and public routes on `app`. */
export function registerWalletRoutes(app: App, ctx: VerifierContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/oid4vp/request/{request_id}',
      summary: 'Fetch the signed request object (served once; OpenID4VP 1.0 §5.10, RFC 9101 §5.2)',
      request: { params: z.object({ request_id: Id }) },
      responses: {
        200: {
          description: 'The request object',
          content: { 'application/oauth-authz-req+jwt': { schema: z.string() } },
        },
        404: error('Unknown request'),
        409: error('Already fetched'),
        410: error('Expired'),
      },
    }),
    async (c) => {
      const jwt = await fetchRequestObject(ctx, c.req.valid('param').request_id);
      return c.body(jwt, 200, {
        'Content-Type': 'application/oauth-authz-req+jwt',
        'Cache-Control': 'no-store',
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/oid4vp/response/{response_id}',
      summary:
        'Receive the encrypted authorization response (direct_post.jwt, OpenID4VP 1.0 §8.3.1)',
      description:
        'Body: application/x-www-form-urlencoded with exactly one `response` parameter (a compact JWE: ECDH-ES, A128GCM or A256GCM, to the request key), or a wallet error response (`error`, `error_description`, `state`).',
      request: { params: z.object({ response_id: Id }) },
      responses: {
        200: {
          description: 'Accepted (and verified)',
          content: {
            'application/json': { schema: z.object({ redirect_uri: z.string().optional() }) },
          },
        },
        400: error('The response does not verify'),
        404: error('Unknown request'),
        409: error('Already answered'),
        410: error('Expired'),
      },
    }),
    async (c) => {
      const { response_id } = c.req.valid('param');
      const type = c.req.header('content-type') ?? '';
      if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
        throw new OpenMidError(
          'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
          'The response is form-encoded (OpenID4VP 1.0 §8.2)',
        );
      try {
        const answer = await receiveResponse(ctx, response_id, await c.req.text());
        return c.json(answer, 200, { 'Cache-Control': 'no-store' });
      } catch (e) {
        if (isOpenMidError(e)) c.get('log').info({ errorCode: e.code }, 'presentation rejected');
        throw e;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'The registry key: verifier attestations, trust bundles, webhook notifications',
      responses: {
        200: {
          description: 'JWK Set',
          content: {
            'application/json': {
              schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
            },
          },
        },
      },
    }),
    (c) =>
      c.json({ keys: [{ ...ctx.registry.publicJwk } as unknown as Record<string, string>] }, 200, {
        'Cache-Control': 'public, max-age=300',
      }),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/trust-bundle',
      summary: 'The signed offline trust bundle: issuers and keys, relying parties, status lists',
      responses: {
        200: {
          description: 'Trust bundle (compact JWS)',
          content: { 'application/jwt': { schema: z.string() } },
        },
      },
    }),
    async (c) =>
      c.body(await exportTrustBundle(ctx), 200, {
        'Content-Type': 'application/jwt',
        'Cache-Control': 'public, max-age=60',
      }),
  );
}
