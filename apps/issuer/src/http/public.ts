/**
 * @module http/public
 * The wallet-facing endpoints: metadata, JWKS, type metadata, by-reference offers, the token,
 * nonce, credential and notification endpoints (OpenID4VCI 1.0 §6, §7, §8, §11), and the status
 * lists. Each handler validates, calls one verb, and lets server-kit map errors; the resource
 * endpoints answer token and DPoP failures with the RFC 6750 / RFC 9449 `WWW-Authenticate: DPoP`
 * challenge themselves (401), as the error table is per code, not per endpoint.
 */
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { findCredentialType } from '@openmid/profile-kr';
import {
  type App,
  type AppEnv,
  createRoute,
  mappingFor,
  OAuthErrorBodySchema,
  oauthRoute,
  z,
} from '@openmid/server-kit';
import type { Context } from 'hono';
import type { IssuerContext } from '../context.js';
import { type DpopProof, isDpopError, verifyDpopProof } from '../oauth/dpop.js';
import { mintNonce } from '../oauth/once.js';
import { issueCredentials } from '../services/credential.js';
import { notify } from '../services/devices.js';
import {
  authorizationServerMetadata,
  credentialIssuerMetadata,
  issuerJwks,
} from '../services/metadata.js';
import { offerByReference } from '../services/offers.js';
import { exchangeToken, type TokenRequest } from '../services/token.js';
import { ISSUER_ERROR_MAP } from './errors.js';

const JSON_OK = (schema: z.ZodType, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
});

/** Read a form body (application/x-www-form-urlencoded) as single-valued strings. */
async function readForm(c: Context<AppEnv>): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OpenMidError('ERR_OAUTH_INVALID_REQUEST', 'Expected a form-encoded body');
  }
  const params = new URLSearchParams(await c.req.text());
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    // RFC 6749 §3.1: request parameters MUST NOT be included more than once.
    if (Object.hasOwn(out, k)) {
      throw new OpenMidError('ERR_OAUTH_INVALID_REQUEST', 'A parameter is repeated', {
        details: { parameter: k.slice(0, 50) },
      });
    }
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
  }
  return out;
}

/** Parse a JSON body (any Content-Type variant of application/json). */
async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new OpenMidError('ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 'Expected application/json');
  }
  try {
    return JSON.parse(await c.req.text()) as unknown;
  } catch {
    throw new OpenMidError('ERR_VCI_CREDENTIAL_REQUEST_INVALID', 'The body is not valid JSON');
  }
}

/** The DPoP-Nonce policy of an issuer (RFC 9449 §8). */
function dpopNonce(ctx: IssuerContext): { key: Uint8Array; ttl: number } | undefined {
  return ctx.config.ISSUER_DPOP_NONCE ? { key: ctx.secrets.mac.nonce, ttl: 300 } : undefined;
}

function setDpopNonce(c: Context<AppEnv>, ctx: IssuerContext): void {
  if (ctx.config.ISSUER_DPOP_NONCE) {
    c.header('DPoP-Nonce', mintNonce(ctx.secrets.mac.nonce, 'dpop_nonce', ctx.clock()));
  }
}

/**
 * At a protected resource: a token or DPoP failure is a 401 with a `WWW-Authenticate: DPoP`
 * challenge (RFC 9449 §7.1, RFC 6750 §3); anything else goes to the normal error mapping.
 */
function resourceError(c: Context<AppEnv>, ctx: IssuerContext, e: unknown): Response {
  if (!(isDpopError(e) || isOpenMidError(e, 'ERR_OAUTH_INVALID_TOKEN'))) throw e;
  const err = e as OpenMidError;
  const m = mappingFor(err.code, ISSUER_ERROR_MAP);
  const error = m.oauth ?? 'invalid_token';
  if (err.code === 'ERR_DPOP_NONCE_REQUIRED') setDpopNonce(c, ctx);
  return c.json({ error, error_description: err.message }, 401, {
    'WWW-Authenticate': `DPoP error="${error}", algs="ES256 EdDSA"`,
    'Cache-Control': 'no-store',
  });
}

/** `Authorization: DPoP <token>` (RFC 9449 §7.1); a Bearer token is refused for DPoP-bound tokens. */
function accessTokenOf(c: Context<AppEnv>): string {
  const m = /^DPoP ([A-Za-z0-9_-]{20,200})$/.exec(c.req.header('authorization') ?? '');
  if (m?.[1] === undefined) {
    throw new OpenMidError('ERR_OAUTH_INVALID_TOKEN', 'A DPoP-bound access token is required');
  }
  return m[1];
}

async function resourceProof(
  c: Context<AppEnv>,
  ctx: IssuerContext,
  url: string,
): Promise<{ token: string; dpop: DpopProof }> {
  const token = accessTokenOf(c);
  const nonce = dpopNonce(ctx);
  const dpop = await verifyDpopProof({
    header: c.req.header('dpop'),
    method: c.req.method,
    url,
    accessToken: token,
    now: ctx.clock(),
    ...(nonce === undefined ? {} : { nonce }),
  });
  return { token, dpop };
}

/** Register the public endpoints on `app`. */
export function registerPublicRoutes(app: App, ctx: IssuerContext): void {
  const { urls } = ctx;
  const cachePublic = (c: Context<AppEnv>, seconds: number): void => {
    c.header('Cache-Control', `public, max-age=${seconds}`);
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/openid-credential-issuer',
      summary: 'Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)',
      responses: JSON_OK(z.record(z.string(), z.unknown()), 'Issuer metadata'),
    }),
    (c) => {
      cachePublic(c, 300);
      return c.json(credentialIssuerMetadata(ctx), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/oauth-authorization-server',
      summary: 'Authorization Server Metadata (RFC 8414)',
      responses: JSON_OK(z.record(z.string(), z.unknown()), 'AS metadata'),
    }),
    (c) => {
      cachePublic(c, 300);
      return c.json(authorizationServerMetadata(ctx), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: "The issuer's credential-signing keys (RFC 7517 JWK Set)",
      responses: JSON_OK(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), 'JWKS'),
    }),
    (c) => {
      cachePublic(c, 300);
      return c.json(issuerJwks(ctx), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/iaca',
      summary: "The IACA root certificate of the issuer's mdocs (PEM, ISO/IEC 18013-5 Annex B.1.2)",
      responses: {
        200: {
          description: 'PEM certificate',
          content: { 'application/x-pem-file': { schema: z.string() } },
        },
      },
    }),
    (c) => {
      cachePublic(c, 3600);
      return c.body(ctx.mdoc.iaca.pem, 200, { 'Content-Type': 'application/x-pem-file' });
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/type-metadata/{type}',
      summary: 'SD-JWT VC Type Metadata of a credential type',
      request: { params: z.object({ type: z.string().max(100) }) },
      responses: JSON_OK(z.record(z.string(), z.unknown()), 'Type metadata'),
    }),
    (c) => {
      const type = findCredentialType(c.req.valid('param').type);
      cachePublic(c, 3600);
      return c.json(type.typeMetadata as unknown as Record<string, unknown>, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/credential-offer/{offerId}',
      summary: 'A by-reference Credential Offer (OpenID4VCI 1.0 §4.1.3)',
      request: { params: z.object({ offerId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) }) },
      responses: JSON_OK(z.record(z.string(), z.unknown()), 'Credential offer'),
    }),
    async (c) => {
      const offer = await offerByReference(ctx, c.req.valid('param').offerId);
      return c.json(offer as unknown as Record<string, unknown>, 200);
    },
  );

  // Token endpoint (RFC 6749 §3.2; OpenID4VCI 1.0 §6). Form body; DPoP required.
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/token',
    summary: 'Token endpoint: pre-authorized code (+tx_code) or authorization code (+PKCE); DPoP',
    request: {
      body: {
        content: {
          'application/x-www-form-urlencoded': {
            schema: z.object({
              grant_type: z.string(),
              'pre-authorized_code': z.string().optional(),
              tx_code: z.string().optional(),
              code: z.string().optional(),
              code_verifier: z.string().optional(),
              redirect_uri: z.string().optional(),
              client_id: z.string().optional(),
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'DPoP-bound access token',
        content: {
          'application/json': {
            schema: z.object({
              access_token: z.string(),
              token_type: z.literal('DPoP'),
              expires_in: z.number(),
            }),
          },
        },
      },
      400: {
        description: 'OAuth error',
        content: { 'application/json': { schema: OAuthErrorBodySchema } },
      },
    },
  });
  app.post('/token', oauthRoute, async (c) => {
    const form = await readForm(c);
    const nonce = dpopNonce(ctx);
    let dpop: DpopProof;
    try {
      dpop = await verifyDpopProof({
        header: c.req.header('dpop'),
        method: 'POST',
        url: urls.token,
        now: ctx.clock(),
        ...(nonce === undefined ? {} : { nonce }),
      });
    } catch (e) {
      if (isOpenMidError(e, 'ERR_DPOP_NONCE_REQUIRED')) setDpopNonce(c, ctx);
      throw e;
    }
    const body = await exchangeToken(ctx, form as TokenRequest, dpop);
    setDpopNonce(c, ctx);
    c.header('Cache-Control', 'no-store');
    return c.json(body, 200);
  });

  // Nonce endpoint (OpenID4VCI 1.0 §7): unauthenticated, never cached.
  app.openapi(
    createRoute({
      method: 'post',
      path: '/nonce',
      summary: 'Nonce endpoint (OpenID4VCI 1.0 §7): a fresh single-use c_nonce',
      responses: JSON_OK(z.object({ c_nonce: z.string() }), 'A c_nonce'),
    }),
    (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json({ c_nonce: mintNonce(ctx.secrets.mac.nonce, 'c_nonce', ctx.clock()) }, 200);
    },
  );

  // Credential endpoint (OpenID4VCI 1.0 §8).
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/credential',
    summary: 'Credential endpoint (OpenID4VCI 1.0 §8): one credential per key proof',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({
              credential_configuration_id: z.string(),
              proofs: z.object({ jwt: z.array(z.string()) }),
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'Credentials',
        content: {
          'application/json': {
            schema: z.object({
              credentials: z.array(z.object({ credential: z.string() })),
              notification_id: z.string(),
            }),
          },
        },
      },
      400: {
        description: 'Credential error',
        content: { 'application/json': { schema: OAuthErrorBodySchema } },
      },
      401: {
        description: 'Token error',
        content: { 'application/json': { schema: OAuthErrorBodySchema } },
      },
    },
  });
  app.post('/credential', oauthRoute, async (c) => {
    try {
      const { token, dpop } = await resourceProof(c, ctx, urls.credential);
      const body = await readJson(c);
      const response = await issueCredentials(ctx, { token, dpop, body });
      setDpopNonce(c, ctx);
      c.header('Cache-Control', 'no-store');
      return c.json(response, 200);
    } catch (e) {
      return resourceError(c, ctx, e);
    }
  });

  // Notification endpoint (OpenID4VCI 1.0 §11).
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/notification',
    summary: 'Notification endpoint (OpenID4VCI 1.0 §11)',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({
              notification_id: z.string(),
              event: z.enum(['credential_accepted', 'credential_failure', 'credential_deleted']),
              event_description: z.string().optional(),
            }),
          },
        },
      },
    },
    responses: { 204: { description: 'Recorded' } },
  });
  app.post('/notification', oauthRoute, async (c) => {
    try {
      const { token, dpop } = await resourceProof(c, ctx, urls.notification);
      const body = await readJson(c);
      await notify(ctx, { token, dpop, body });
      setDpopNonce(c, ctx);
      return c.body(null, 204);
    } catch (e) {
      return resourceError(c, ctx, e);
    }
  });

  // Status lists (draft-ietf-oauth-status-list §8.1): the latest signed token, cacheable for ttl.
  const cache = new Map<number, { etag: string; token: string }>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/status-lists/{id}',
      summary: 'Status List Token (statuslist+jwt)',
      request: { params: z.object({ id: z.coerce.number().int().min(1).max(1_000_000) }) },
      responses: {
        200: {
          description: 'The status list token',
          content: { 'application/statuslist+jwt': { schema: z.string() } },
        },
        304: { description: 'Not modified' },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const r = await ctx.sql.query<{ etag: string | null }>(
        'SELECT etag FROM status_lists WHERE id = $1',
        [id],
      );
      const etag = r.rows[0]?.etag;
      if (etag === undefined || etag === null) {
        throw new OpenMidError('ERR_HTTP_NOT_FOUND', 'No such status list');
      }
      let entry = cache.get(id);
      if (entry?.etag !== etag) {
        const t = await ctx.sql.query<{ token: string; etag: string }>(
          'SELECT token, etag FROM status_lists WHERE id = $1',
          [id],
        );
        const row = t.rows[0];
        if (row === undefined) throw new OpenMidError('ERR_HTTP_NOT_FOUND', 'No such status list');
        entry = { etag: row.etag, token: row.token };
        cache.set(id, entry);
      }
      const headers = {
        'Cache-Control': `public, max-age=${ctx.config.ISSUER_STATUS_TTL}`,
        ETag: entry.etag,
        'Access-Control-Allow-Origin': '*',
      };
      if (c.req.header('if-none-match') === entry.etag) return c.body(null, 304, headers);
      return c.body(entry.token, 200, {
        ...headers,
        'Content-Type': 'application/statuslist+jwt',
      });
    },
  );
}
