/**
 * @module http/admin
 * The registry's admin API (scope `registry:admin`), every change audited:
 *
 * | method | path | what |
 * | --- | --- | --- |
 * | PUT | /admin/relying-parties/{id} | register or update a relying party |
 * | GET | /admin/relying-parties | list registrations |
 * | DELETE | /admin/relying-parties/{id} | remove a relying party |
 * | POST | /admin/relying-parties/{id}/api-keys | an API key acting for it (shown once) |
 * | PUT | /admin/issuers | register or update a trusted issuer (keys, types, status lists) |
 * | GET | /admin/issuers | list trusted issuers |
 * | DELETE | /admin/issuers?id= | remove a trusted issuer |
 *
 * With the trust ledger (VERIFIER_LEDGER_URL) relying-party changes are also proposed on the
 * ledger, whose registration decides; the issuer changes are refused (`ERR_INPUT_INVALID`) and
 * the issuer list is the ledger's.
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
import type { Context } from 'hono';
import type { VerifierContext } from '../context.js';
import {
  ADMIN_SCOPE,
  createRpApiKey,
  listIssuers,
  listRelyingParties,
  registerIssuer,
  registerRelyingParty,
  removeIssuer,
  removeRelyingParty,
} from '../registry/registry.js';

const security = [{ [API_KEY_SCHEME]: [] }];
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});
const errors = {
  400: error('Invalid'),
  401: error('No valid API key'),
  403: error('Scope missing'),
  404: error('Not found'),
};
const json = (schema: z.ZodType, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});
const RpId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const Text = z.object({ ko: z.string().min(1).max(500), en: z.string().min(1).max(500) });
const Path = z
  .array(z.union([z.string().max(256), z.number().int().min(0), z.null()]))
  .min(1)
  .max(16);

function actorOf(c: Context<AppEnv>): string {
  const p = c.get('principal');
  if (p === undefined) throw new OpenMidError('ERR_AUTH_REQUIRED', 'API key required');
  return `apikey:${p.keyId}`;
}

/** Register the admin API on `app`. */
export function registerAdminRoutes(app: App, ctx: VerifierContext): void {
  const guard = [requireScope(ADMIN_SCOPE)];
  const RpBody = z
    .object({
      names: Text,
      purpose: Text,
      requests: z
        .array(z.object({ vct: z.string().min(1).max(256), claims: z.array(Path).min(1).max(64) }))
        .max(32),
      rrn_legal_basis: z.string().min(1).max(500).nullable(),
      valid_from: z.number().int().min(0).optional(),
      valid_until: z.number().int().min(0).optional(),
      webhook_url: z.string().url().max(2000).nullable().optional(),
    })
    .openapi('RelyingPartyRegistrationInput');
  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/relying-parties/{id}',
      summary: 'Register or update a relying party',
      security,
      middleware: guard,
      request: {
        params: z.object({ id: RpId }),
        body: { content: { 'application/json': { schema: RpBody } }, required: true },
      },
      responses: { 200: json(z.record(z.string(), z.unknown()), 'The registration'), ...errors },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const registration = await registerRelyingParty(
        ctx,
        {
          id: c.req.valid('param').id,
          names: b.names,
          purpose: b.purpose,
          requests: b.requests,
          rrnLegalBasis: b.rrn_legal_basis,
          ...(b.valid_from === undefined ? {} : { validFrom: b.valid_from }),
          ...(b.valid_until === undefined ? {} : { validUntil: b.valid_until }),
          ...(b.webhook_url === undefined ? {} : { webhookUrl: b.webhook_url }),
        },
        actorOf(c),
      );
      return c.json({ ...registration } as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/relying-parties',
      summary: 'List relying-party registrations',
      security,
      middleware: guard,
      responses: { 200: json(z.array(z.record(z.string(), z.unknown()))), ...errors },
    }),
    async (c) => {
      const list = await listRelyingParties(ctx);
      return c.json(
        list.map((r) => ({ ...r.registration, webhook_url: r.webhookUrl })) as Record<
          string,
          unknown
        >[],
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/relying-parties/{id}',
      summary: 'Remove a relying party',
      security,
      middleware: guard,
      request: { params: z.object({ id: RpId }) },
      responses: { 204: { description: 'Removed' }, ...errors },
    }),
    async (c) => {
      if (!(await removeRelyingParty(ctx, c.req.valid('param').id, actorOf(c))))
        throw new OpenMidError('ERR_RP_UNKNOWN', 'No such relying party');
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/relying-parties/{id}/api-keys',
      summary: 'Create an API key acting for a relying party (the token is shown once)',
      security,
      middleware: guard,
      request: { params: z.object({ id: RpId }) },
      responses: { 201: json(z.object({ key_id: z.string(), token: z.string() })), ...errors },
    }),
    async (c) => {
      const { keyId, token } = await createRpApiKey(ctx, c.req.valid('param').id, actorOf(c));
      return c.json({ key_id: keyId, token }, 201);
    },
  );

  const Issuer = z
    .object({
      id: z.string().url().max(2048),
      names: Text,
      types: z.array(z.string().min(1).max(256)).max(64),
      keys: z
        .array(
          z.object({ kid: z.string().min(1).max(200), jwk: z.record(z.string(), z.unknown()) }),
        )
        .max(32),
      statusLists: z.array(z.string().url().max(2048)).max(10_000).optional(),
      validFrom: z.number().int().min(0).optional(),
      validUntil: z.number().int().min(0).optional(),
    })
    .openapi('TrustedIssuer');
  app.openapi(
    createRoute({
      method: 'put',
      path: '/admin/issuers',
      summary: 'Register or update a trusted issuer',
      security,
      middleware: guard,
      request: { body: { content: { 'application/json': { schema: Issuer } }, required: true } },
      responses: { 200: json(z.record(z.string(), z.unknown()), 'The issuer record'), ...errors },
    }),
    async (c) => {
      const record = await registerIssuer(ctx, c.req.valid('json'), actorOf(c));
      return c.json({ ...record } as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/issuers',
      summary: 'List trusted issuers',
      security,
      middleware: guard,
      responses: { 200: json(z.array(z.record(z.string(), z.unknown()))), ...errors },
    }),
    async (c) => c.json((await listIssuers(ctx)) as unknown as Record<string, unknown>[], 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/issuers',
      summary: 'Remove a trusted issuer',
      security,
      middleware: guard,
      request: { query: z.object({ id: z.string().url().max(2048) }) },
      responses: { 204: { description: 'Removed' }, ...errors },
    }),
    async (c) => {
      if (!(await removeIssuer(ctx, c.req.valid('query').id, actorOf(c))))
        throw new OpenMidError('ERR_INPUT_INVALID', 'No such issuer');
      return c.body(null, 204);
    },
  );
}
