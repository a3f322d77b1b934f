/**
 * @module http/admin
 * The agency operators' admin API under `/admin` (issue 3 §2, §3), authenticated with server-kit
 * API keys and scopes, every call audited (reads too: who looked at what):
 *
 * | scope                  | endpoints |
 * | ---------------------- | --------- |
 * | `offers:create`        | POST /admin/offers, GET /admin/offers/{id}/qr, batches |
 * | `credentials:read`     | GET /admin/credentials, GET /admin/citizens/{id} (ids and types only) |
 * | `credentials:read-pii` | GET /admin/citizens/{id}?pii=true, GET /admin/citizens?rrn= |
 * | `credentials:status`   | revoke / suspend / reinstate, suspend-device, revoke-all, lost-phone |
 * | `register:import`      | POST /admin/register/import |
 * | `audit:read`           | GET /admin/audit, GET /admin/audit/verify |
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  API_KEY_SCHEME,
  type App,
  type AppEnv,
  type AuditValue,
  appendAudit,
  createRoute,
  ErrorBodySchema,
  requireScope,
  verifyAuditChain,
  z,
} from '@openmid/server-kit';
import type { Context } from 'hono';
import type { IssuerContext } from '../context.js';
import { offerQrPng, offerQrSvg } from '../qr.js';
import { createBatch, exportBatchOffers, readBatch, runBatchOffers } from '../services/batches.js';
import { reportLostPhone } from '../services/devices.js';
import { importRegister } from '../services/import.js';
import { createOffer, credentialOfferUri, readOffer } from '../services/offers.js';
import { CITIZEN_ID, findCitizenByRrn, readCitizen } from '../services/register.js';
import { changeStatus, listCredentials, revokeCitizen, suspendDevice } from '../services/status.js';

const security = [{ [API_KEY_SCHEME]: [] }];
const errors = {
  400: {
    description: 'Invalid request',
    content: { 'application/json': { schema: ErrorBodySchema } },
  },
  401: {
    description: 'No valid API key',
    content: { 'application/json': { schema: ErrorBodySchema } },
  },
  403: {
    description: 'Scope missing',
    content: { 'application/json': { schema: ErrorBodySchema } },
  },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorBodySchema } } },
};
const json = (schema: z.ZodType, description = 'OK') => ({
  content: { 'application/json': { schema } },
  description,
});

const CitizenId = z.string().regex(CITIZEN_ID);
const Thumbprint = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const Id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** The audit actor of the calling API key. */
function actorOf(c: Context<AppEnv>): string {
  const p = c.get('principal');
  if (p === undefined) throw new OpenMidError('ERR_AUTH_REQUIRED', 'API key required');
  return `apikey:${p.keyId}`;
}

/** Audit a read (who looked at what): its own small transaction. */
async function auditRead(
  ctx: IssuerContext,
  c: Context<AppEnv>,
  action: string,
  subject: string | null,
  details: { readonly [k: string]: AuditValue } = {},
): Promise<void> {
  await ctx.sql.transaction((tx) =>
    appendAudit(tx, { actor: actorOf(c), action, subject, details }),
  );
}

const StatusResult = z.object({
  credential_id: z.string(),
  status: z.enum(['valid', 'revoked', 'suspended']),
  changed: z.boolean(),
});

/** Register the admin API on `app`. */
export function registerAdminRoutes(app: App, ctx: IssuerContext): void {
  const OfferBody = z.object({
    type: z.string().min(1).max(100),
    citizen_id: CitizenId,
    copies: z.number().int().min(1).max(100).optional(),
    by_reference: z.boolean().optional(),
    /** Configurations of `type` to offer (e.g. both forms of the driving licence). */
    configurations: z.array(z.string().min(1).max(100)).min(1).max(4).optional(),
  });
  const OfferOut = z.object({
    credential_offer_uri: z.string(),
    tx_code: z.string(),
    offer_id: z.string(),
    credential_configuration_id: z.string(),
    credential_configuration_ids: z.array(z.string()).optional(),
    expires_at: z.string(),
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/offers',
      summary: 'Create a pre-authorized credential offer for a citizen',
      security,
      middleware: [requireScope('offers:create')],
      request: { body: { content: { 'application/json': { schema: OfferBody } }, required: true } },
      responses: {
        201: json(OfferOut, 'The offer (show the URI as QR; deliver tx_code out of band)'),
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const offer = await createOffer(ctx, {
        citizenId: b.citizen_id,
        type: b.type,
        ...(b.copies === undefined ? {} : { copies: b.copies }),
        ...(b.by_reference === undefined ? {} : { byReference: b.by_reference }),
        ...(b.configurations === undefined ? {} : { configurations: b.configurations }),
        actor: actorOf(c),
      });
      return c.json(offer, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/offers/{offerId}/qr',
      summary: 'The offer as a QR code (SVG or PNG)',
      security,
      middleware: [requireScope('offers:create')],
      request: {
        params: z.object({ offerId: Id }),
        query: z.object({ format: z.enum(['svg', 'png']).default('svg') }),
      },
      responses: {
        200: { description: 'QR code', content: { 'image/svg+xml': { schema: z.string() } } },
        ...errors,
      },
    }),
    async (c) => {
      const { offerId } = c.req.valid('param');
      const { format } = c.req.valid('query');
      const offer = await readOffer(ctx, offerId);
      const uri = credentialOfferUri(ctx, offerId, offer.configurations);
      await auditRead(ctx, c, 'offer.qr', `offer:${offerId}`);
      if (format === 'png') {
        return c.body((await offerQrPng(uri)) as Uint8Array<ArrayBuffer>, 200, {
          'Content-Type': 'image/png',
        });
      }
      return c.body(await offerQrSvg(uri), 200, { 'Content-Type': 'image/svg+xml' });
    },
  );

  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/admin/credentials/{credentialId}/${action}`,
        summary: `${action[0]?.toUpperCase()}${action.slice(1)} one credential`,
        security,
        middleware: [requireScope('credentials:status')],
        request: { params: z.object({ credentialId: Id }) },
        responses: {
          200: json(StatusResult, 'The new status'),
          409: json(ErrorBodySchema, 'Not allowed from the current status'),
          ...errors,
        },
      }),
      async (c) => {
        const r = await changeStatus(ctx, {
          credentialId: c.req.valid('param').credentialId,
          action,
          actor: actorOf(c),
        });
        return c.json(r, 200);
      },
    );
  }

  const Bulk = z.object({
    status: z.enum(['valid', 'revoked', 'suspended']),
    count: z.number(),
    credentials: z.array(z.object({ credential_id: z.string(), status: z.string() })),
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/devices/suspend',
      summary:
        "Suspend every credential of a citizen on one device (device id or any credential's holder-key thumbprint)",
      security,
      middleware: [requireScope('credentials:status')],
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ citizen_id: CitizenId, device_key_thumbprint: Thumbprint }),
            },
          },
          required: true,
        },
      },
      responses: { 200: json(Bulk.extend({ device_id: z.string() })), ...errors },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await suspendDevice(ctx, {
          citizenId: b.citizen_id,
          thumbprint: b.device_key_thumbprint,
          actor: actorOf(c),
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/citizens/{citizenId}/revoke',
      summary: 'Revoke every credential of a citizen (optionally of some types)',
      security,
      middleware: [requireScope('credentials:status')],
      request: {
        params: z.object({ citizenId: CitizenId }),
        body: {
          content: {
            'application/json': {
              schema: z.object({ types: z.array(z.string()).max(10).optional() }),
            },
          },
          required: false,
        },
      },
      responses: { 200: json(Bulk), ...errors },
    }),
    async (c) => {
      const { citizenId } = c.req.valid('param');
      const body = (c.req.header('content-type') ?? '').startsWith('application/json')
        ? c.req.valid('json')
        : {};
      return c.json(
        await revokeCitizen(ctx, {
          citizenId,
          ...(body.types === undefined ? {} : { types: body.types }),
          actor: actorOf(c),
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/lost-phone',
      summary: 'Report a lost phone: suspend everything on it and prepare re-issuance offers',
      security,
      middleware: [requireScope('credentials:status')],
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ citizen_id: CitizenId, device_key_thumbprint: Thumbprint }),
            },
          },
          required: true,
        },
      },
      responses: {
        200: json(
          z.object({
            report_id: z.string(),
            device_id: z.string(),
            suspended: z.number(),
            offers: z.array(OfferOut),
          }),
        ),
        ...errors,
      },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(
        await reportLostPhone(ctx, {
          citizenId: b.citizen_id,
          thumbprint: b.device_key_thumbprint,
          actor: actorOf(c),
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/credentials',
      summary: 'List issued credentials (ids, types, statuses, devices: no personal data)',
      security,
      middleware: [requireScope('credentials:read')],
      request: {
        query: z.object({
          citizen_id: CitizenId.optional(),
          device: Thumbprint.optional(),
          credential_id: Id.optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
      responses: {
        200: json(z.object({ credentials: z.array(z.record(z.string(), z.unknown())) })),
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const list = await listCredentials(ctx, {
        ...(q.citizen_id === undefined ? {} : { citizenId: q.citizen_id }),
        ...(q.device === undefined ? {} : { device: q.device }),
        ...(q.credential_id === undefined ? {} : { credentialId: q.credential_id }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
      await auditRead(ctx, c, 'credential.list', null, { results: list.length });
      return c.json({ credentials: list }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/citizens/{citizenId}',
      summary: 'A citizen of the register: types held; identity only with credentials:read-pii',
      security,
      middleware: [requireScope('credentials:read')],
      request: {
        params: z.object({ citizenId: CitizenId }),
        query: z.object({ pii: z.enum(['true', 'false']).optional() }),
      },
      responses: { 200: json(z.record(z.string(), z.unknown())), ...errors },
    }),
    async (c) => {
      const { citizenId } = c.req.valid('param');
      const wantPii = c.req.valid('query').pii === 'true';
      const scopes = c.get('principal')?.scopes ?? [];
      if (wantPii && !scopes.includes('credentials:read-pii')) {
        throw new OpenMidError('ERR_AUTH_FORBIDDEN', 'The API key lacks the required scope', {
          details: { scope: 'credentials:read-pii' },
        });
      }
      const view = await readCitizen(ctx, citizenId, { pii: wantPii });
      await auditRead(
        ctx,
        c,
        wantPii ? 'citizen.read_pii' : 'citizen.read',
        `citizen:${citizenId}`,
      );
      return c.json(view as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/citizens/search',
      summary:
        'Find a citizen by resident registration number (blind index; needs credentials:read-pii)',
      security,
      middleware: [requireScope('credentials:read-pii')],
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ rrn: z.string().regex(/^\d{6}-?\d{7}$/) }) },
          },
          required: true,
        },
      },
      responses: { 200: json(z.object({ citizen_id: z.string().nullable() })), ...errors },
    }),
    async (c) => {
      const id = await findCitizenByRrn(ctx, c.req.valid('json').rrn);
      await auditRead(ctx, c, 'citizen.search', id === undefined ? null : `citizen:${id}`, {
        found: id !== undefined,
      });
      return c.json({ citizen_id: id ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/register/import',
      summary:
        'Import register records (text/csv or application/x-ndjson), validated by the profile',
      security,
      middleware: [requireScope('register:import')],
      request: {
        body: {
          content: {
            'text/csv': { schema: z.string() },
            'application/x-ndjson': { schema: z.string() },
          },
        },
      },
      responses: {
        200: json(
          z.object({
            imported: z.number(),
            rejected: z.array(
              z.object({
                line: z.number(),
                code: z.string(),
                paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
              }),
            ),
          }),
        ),
        ...errors,
      },
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      const format = type.startsWith('text/csv')
        ? 'csv'
        : type.startsWith('application/x-ndjson') || type.startsWith('application/jsonl')
          ? 'jsonl'
          : undefined;
      if (format === undefined) {
        throw new OpenMidError(
          'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
          'Send text/csv or application/x-ndjson',
        );
      }
      const result = await importRegister(ctx, {
        text: await c.req.text(),
        format,
        actor: actorOf(c),
      });
      return c.json(
        {
          imported: result.imported,
          rejected: [...result.rejected].map((r) => ({ ...r, paths: r.paths?.map((p) => [...p]) })),
        },
        200,
      );
    },
  );

  const BatchOut = z.object({
    batch_id: z.string(),
    type: z.string(),
    copies: z.number(),
    state: z.enum(['running', 'completed']),
    total: z.number(),
    offered: z.number(),
    created_at: z.string(),
    completed_at: z.string().nullable(),
  });
  /** Offer a batch in the background; a failure is logged by name (the batch can be resumed). */
  const runInBackground = (batch: { type: string; batch_id: string }, actor: string): void => {
    runBatchOffers(ctx, {
      type: batch.type,
      batchId: batch.batch_id,
      actor,
      chunkSize: ctx.config.ISSUER_BATCH_CHUNK,
    }).catch((e: unknown) =>
      ctx.logger.error(
        { batch: batch.batch_id, err: e instanceof Error ? e.name : 'error' },
        'batch failed',
      ),
    );
  };
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/batches',
      summary: 'Start a population batch: offers for every citizen holding a record of the type',
      security,
      middleware: [requireScope('offers:create')],
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                type: z.string().min(1).max(100),
                copies: z.number().int().min(1).max(100).optional(),
              }),
            },
          },
          required: true,
        },
      },
      responses: { 202: json(BatchOut, 'Started; poll GET /admin/batches/{id}'), ...errors },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const actor = actorOf(c);
      const batch = await createBatch(ctx, {
        type: b.type,
        ...(b.copies === undefined ? {} : { copies: b.copies }),
        actor,
      });
      runInBackground(batch, actor);
      return c.json(batch, 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/batches/{batchId}/resume',
      summary: 'Resume a batch after a crash (already-offered citizens are skipped)',
      security,
      middleware: [requireScope('offers:create')],
      request: { params: z.object({ batchId: Id }) },
      responses: { 202: json(BatchOut), ...errors },
    }),
    async (c) => {
      const batch = await readBatch(ctx, c.req.valid('param').batchId);
      const actor = actorOf(c);
      runInBackground(batch, actor);
      return c.json(batch, 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/batches/{batchId}',
      summary: 'Progress of a batch',
      security,
      middleware: [requireScope('offers:create')],
      request: { params: z.object({ batchId: Id }) },
      responses: { 200: json(BatchOut), ...errors },
    }),
    async (c) => c.json(await readBatch(ctx, c.req.valid('param').batchId), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/batches/{batchId}/offers',
      summary: "A page of a batch's offers for delivery (URIs and tx_codes)",
      security,
      middleware: [requireScope('offers:create')],
      request: {
        params: z.object({ batchId: Id }),
        query: z.object({
          after: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: {
        200: json(z.object({ offers: z.array(OfferOut.extend({ citizen_id: z.string() })) })),
        ...errors,
      },
    }),
    async (c) => {
      const { batchId } = c.req.valid('param');
      const q = c.req.valid('query');
      const offers = await exportBatchOffers(ctx, {
        batchId,
        ...(q.after === undefined ? {} : { after: q.after }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      });
      await auditRead(ctx, c, 'batch.export', `batch:${batchId}`, { count: offers.length });
      return c.json({ offers }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/audit',
      summary: 'Audit entries after a sequence number',
      security,
      middleware: [requireScope('audit:read')],
      request: {
        query: z.object({
          after: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: {
        200: json(z.object({ entries: z.array(z.record(z.string(), z.unknown())) })),
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = await ctx.sql.query<Record<string, unknown>>(
        `SELECT seq, at, actor, action, subject, details, hash FROM audit_log
          WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [q.after ?? 0, q.limit ?? 100],
      );
      await auditRead(ctx, c, 'audit.read', null, { results: r.rows.length });
      return c.json({ entries: r.rows }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/audit/verify',
      summary: 'Verify the audit hash chain; reports the first broken link',
      security,
      middleware: [requireScope('audit:read')],
      responses: { 200: json(z.record(z.string(), z.unknown())), ...errors },
    }),
    async (c) => {
      const r = await verifyAuditChain(ctx.sql);
      await auditRead(ctx, c, 'audit.verify', null, { ok: r.ok });
      return c.json(r as unknown as Record<string, unknown>, 200);
    },
  );
}
