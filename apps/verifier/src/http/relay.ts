/**
 * @module http/relay
 * The in-person relay's HTTP API (docs/in-person.md; `services/relay.ts`), public and CORS-open
 * (both ends are browsers), plus the IACA roots the verifier trusts:
 *
 * | method | path | who | what |
 * | --- | --- | --- | --- |
 * | POST | /relay/v1/sessions | holder | open a session: `201 { session, holder_token, expires_at }` |
 * | POST | /relay/v1/sessions/{session}/to-holder | reader | a session message (`application/cbor`); the first (SessionEstablishment, no token) claims the session: `202 { reader_token }` |
 * | GET | /relay/v1/sessions/{session}/to-holder?wait=s | holder | the next message (`200 application/cbor`) or `204` after `wait` (≤ 25) seconds |
 * | POST | /relay/v1/sessions/{session}/to-reader | holder | a session message: `202 {}` |
 * | GET | /relay/v1/sessions/{session}/to-reader?wait=s | reader | the next message or `204` |
 * | DELETE | /relay/v1/sessions/{session} | either | close: `204` |
 * | GET | /v1/iacas | anyone | the IACA roots in force: `[{ iss, pem }]` |
 *
 * Tokens go in `Authorization: Bearer …`. Errors: 404 `ERR_MDOC_RELAY_SESSION_UNKNOWN` (also for
 * a wrong token: a session is never confirmed to a stranger), 409 `ERR_MDOC_RELAY_SESSION_TAKEN`,
 * 429 `ERR_MDOC_RELAY_LIMIT`, 400 `ERR_MDOC_SESSION_MALFORMED` (not a session message).
 */
import { type App, createRoute, ErrorBodySchema, z } from '@openmid/server-kit';
import type { VerifierContext } from '../context.js';
import { RELAY_MAX_WAIT_SECONDS, type RelayDirection } from '../services/relay.js';

const Session = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
const Direction = z.enum(['to-holder', 'to-reader']);
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});

function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header);
  return m?.[1];
}

/** Register the relay and IACA routes on `app`. */
export function registerRelayRoutes(app: App, ctx: VerifierContext): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/relay/v1/sessions',
      summary: 'Open an in-person relay session (holder)',
      responses: {
        201: {
          description: 'The session id (for the QR engagement) and the holder token (secret)',
          content: {
            'application/json': {
              schema: z.object({
                session: z.string(),
                holder_token: z.string(),
                expires_at: z.string(),
              }),
            },
          },
        },
        429: error('Too many open sessions'),
      },
    }),
    (c) => {
      const { session, holderToken, expiresAt } = ctx.relay.open();
      return c.json(
        { session, holder_token: holderToken, expires_at: expiresAt.toISOString() },
        201,
        { 'Cache-Control': 'no-store' },
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/relay/v1/sessions/{session}/{direction}',
      summary: 'Post an ISO/IEC 18013-5 session message (SessionEstablishment or SessionData)',
      request: { params: z.object({ session: Session, direction: Direction }) },
      responses: {
        202: {
          description: 'Queued (the first reader message returns the reader token)',
          content: {
            'application/json': { schema: z.object({ reader_token: z.string().optional() }) },
          },
        },
        400: error('Not a session message'),
        404: error('Unknown session or token'),
        409: error('Another reader has the session'),
        429: error('Message too large or mailbox full'),
      },
    }),
    async (c) => {
      const { session, direction } = c.req.valid('param');
      const body = new Uint8Array(await c.req.arrayBuffer());
      const out = ctx.relay.post(
        session,
        direction as RelayDirection,
        bearer(c.req.header('authorization')),
        body,
      );
      return c.json(out.readerToken === undefined ? {} : { reader_token: out.readerToken }, 202, {
        'Cache-Control': 'no-store',
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/relay/v1/sessions/{session}/{direction}',
      summary: 'Receive the next session message (long poll)',
      request: {
        params: z.object({ session: Session, direction: Direction }),
        query: z.object({
          wait: z.coerce.number().int().min(0).max(RELAY_MAX_WAIT_SECONDS).default(0),
        }),
      },
      responses: {
        200: {
          description: 'The message',
          content: { 'application/cbor': { schema: z.string() } },
        },
        204: { description: 'No message within the wait' },
        404: error('Unknown session or token'),
      },
    }),
    async (c) => {
      const { session, direction } = c.req.valid('param');
      const { wait } = c.req.valid('query');
      const message = await ctx.relay.receive(
        session,
        direction as RelayDirection,
        bearer(c.req.header('authorization')),
        wait * 1000,
      );
      if (message === undefined) return c.body(null, 204, { 'Cache-Control': 'no-store' });
      return c.body(message as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': 'application/cbor',
        'Cache-Control': 'no-store',
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/relay/v1/sessions/{session}',
      summary: 'Close a relay session (holder or reader)',
      request: { params: z.object({ session: Session }) },
      responses: { 204: { description: 'Closed' }, 404: error('Unknown session or token') },
    }),
    (c) => {
      ctx.relay.close(c.req.valid('param').session, bearer(c.req.header('authorization')));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/iacas',
      summary: 'The IACA roots this verifier trusts for mdocs, each with its issuer',
      responses: {
        200: {
          description: 'IACA roots (PEM)',
          content: {
            'application/json': {
              schema: z.array(z.object({ iss: z.string(), pem: z.string() })),
            },
          },
        },
      },
    }),
    async (c) =>
      c.json([...(await ctx.iacas.list())], 200, { 'Cache-Control': 'public, max-age=300' }),
  );
}
