/**
 * @module http/routes
 * The node's HTTP API, version 1 (paths: `LEDGER_PATHS` of `@openmid/ledger/http`; every shape
 * documented in docs/ledger-node.md and in `/openapi.json`):
 *
 * | call                                          | what                                                   |
 * | --------------------------------------------- | ------------------------------------------------------ |
 * | `GET  /v1/ledger`                             | ledger id, log key (the anchor to pin), backend, size  |
 * | `GET  /v1/tree-head?treeSize=`                | signed tree head (current, or of an earlier size)      |
 * | `POST /v1/entries`                            | submit a signed entry (anyone: its signatures decide)  |
 * | `GET  /v1/entries/{index}`                    | one logged entry with its log time and chain link      |
 * | `GET  /v1/entries/by-id/{entryId}`            | confirmed / pending / unknown                          |
 * | `GET  /v1/proofs/inclusion?index=&treeSize=`  | RFC 9162 §2.1.3 inclusion proof                        |
 * | `GET  /v1/proofs/consistency?first=&second=`  | RFC 9162 §2.1.4 consistency proof                      |
 * | `POST /v1/query`, `GET /v1/query?q=…`         | an answer with the proof that decides it               |
 * | `GET  /v1/snapshot`                           | trust snapshot (ETag, Cache-Control)                   |
 * | `POST /v1/cosignatures`                       | a witness cosignature of a tree head                   |
 * | `POST /v1/dev/countersign`                    | development only, admin key: countersign and append    |
 *
 * Appends need no key: authority comes only from the entry's signatures and the governance quorum
 * (ADR 003), so submissions are rate-limited and size-limited instead. The genesis entry is the
 * exception: on an empty ledger whoever submits first would name the governance, so it needs an
 * admin key with `ledger:genesis` (or comes from LEDGER_GENESIS_FILE at start-up). Every accepted
 * append, cosignature and countersign — and every refused countersign — is audited.
 */
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { jwkThumbprint, parsePublicJwk } from '@openmid/core/keys';
import {
  type AppendReceipt,
  ENTRY_KINDS,
  type EntryType,
  type Query,
  type SignedEntry,
  verifyCosignature,
} from '@openmid/ledger';
import { LEDGER_PATHS, type LedgerInfo } from '@openmid/ledger/http';
import {
  API_KEY_SCHEME,
  type App,
  type AppEnv,
  type AuditValue,
  appendAudit,
  createRoute,
  ErrorBodySchema,
  rateLimit,
  requireScope,
  safeError,
  z,
} from '@openmid/server-kit';
import type { Context, MiddlewareHandler } from 'hono';
import type { LedgerContext } from '../context.js';
import { countersign } from '../governance.js';
import {
  AppendReceiptSchema,
  ConsistencyProofSchema,
  CosignatureSubmissionSchema,
  EntryStatusSchema,
  InclusionProofSchema,
  LedgerInfoSchema,
  ProofRecordSchema,
  ProvenAnswerSchema,
  QuerySchema,
  SignedEntrySchema,
  SnapshotSchema,
  TreeHeadSchema,
} from './schemas.js';

/** Scopes of the node's admin API keys. */
export const LEDGER_SCOPES: readonly string[] = Object.freeze([
  'ledger:genesis',
  'ledger:dev-cosign',
]);

const TAG = 'Trust ledger';
const errorResponses = (statuses: readonly number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: `Error (${s})`,
        content: { 'application/json': { schema: ErrorBodySchema } },
      },
    ]),
  );
const ok = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const Index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Hex32 = z.string().regex(/^[0-9a-f]{64}$/);

function isEntryType(v: unknown): v is EntryType {
  return typeof v === 'string' && Object.hasOwn(ENTRY_KINDS, v);
}

/** Audit in its own transaction (the ledger commits its own); a failure is logged, not hidden. */
async function audit(
  ctx: LedgerContext,
  c: Context<AppEnv>,
  entry: {
    readonly actor: string;
    readonly action: string;
    readonly subject?: string | null;
    readonly details?: { readonly [k: string]: AuditValue };
  },
): Promise<void> {
  try {
    await ctx.sql.transaction((tx) => appendAudit(tx, entry));
  } catch (e) {
    c.get('log').error({ action: entry.action, err: safeError(e) }, 'audit append failed');
  }
}

function actorOf(c: Context<AppEnv>): string {
  const p = c.get('principal');
  return p === undefined ? 'public' : `apikey:${p.keyId}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * EVM: wait (up to `ms`) until a submitted entry is confirmed, following the chain meanwhile, and
 * return its confirmed receipt; the pending receipt when it is not confirmed in time.
 */
async function confirmed(
  ctx: LedgerContext,
  receipt: AppendReceipt,
  ms = 60_000,
): Promise<AppendReceipt> {
  if (receipt.status === 'confirmed') return receipt;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await ctx.backend.sync();
    const s = await ctx.backend.ledger.status(receipt.entryId);
    if (s.status === 'confirmed') {
      const e = await ctx.backend.ledger.entry(s.index);
      return { status: 'confirmed', entryId: receipt.entryId, index: s.index, time: e.time };
    }
    await sleep(200);
  }
  return receipt;
}

/** Register every route of the node on `app`. */
export function registerLedgerRoutes(app: App, ctx: LedgerContext): void {
  const { ledger } = ctx.backend;
  const rate = ctx.config.LEDGER_APPEND_RATE;
  const submissions: MiddlewareHandler<AppEnv>[] =
    rate === 0
      ? []
      : [rateLimit({ burst: rate * 4, perSecond: rate }) as MiddlewareHandler<AppEnv>];

  app.openapi(
    createRoute({
      method: 'get',
      path: LEDGER_PATHS.info,
      tags: [TAG],
      summary: 'The ledger id and log key to pin, the backend and the size',
      responses: { 200: ok(LedgerInfoSchema, 'The ledger') },
    }),
    async (c) => {
      const state = await ledger.state();
      const body: LedgerInfo = {
        ledgerId: (await ledger.ledgerId()) ?? null,
        name: state.name ?? null,
        backend: ctx.backend.kind,
        logKey: ctx.logKey.publicJwk,
        treeSize: await ledger.size(),
        development: ctx.governance !== undefined,
        ...(ctx.backend.chain ? { chain: ctx.backend.chain } : {}),
      };
      return c.json(body as z.output<typeof LedgerInfoSchema>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: LEDGER_PATHS.treeHead,
      tags: [TAG],
      summary: 'The signed tree head (RFC 9162 size and root, signed by the log key)',
      request: { query: z.object({ treeSize: Index.optional() }) },
      responses: { 200: ok(TreeHeadSchema, 'Signed tree head'), ...errorResponses([404]) },
    }),
    async (c) => {
      const { treeSize } = c.req.valid('query');
      const head = await ledger.treeHead(treeSize);
      return c.json({ ...head }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: LEDGER_PATHS.entries,
      tags: [TAG],
      summary: 'Submit a signed entry',
      description:
        'Anyone may submit: the entry is appended only if its signatures (governance quorum, or ' +
        'an issuer key for anchors) and the ledger state allow it. A genesis entry needs an ' +
        'admin key with `ledger:genesis`. 201 when appended, 202 when submitted to a chain.',
      middleware: submissions,
      request: {
        body: { content: { 'application/json': { schema: SignedEntrySchema } }, required: true },
      },
      responses: {
        201: ok(AppendReceiptSchema, 'Appended'),
        202: ok(AppendReceiptSchema, 'Submitted, pending confirmation'),
        ...errorResponses([400, 401, 403, 409, 413, 429, 503]),
      },
    }),
    async (c) => {
      const entry = c.req.valid('json') as unknown as SignedEntry;
      const typ: unknown = (entry.body as { typ?: unknown } | undefined)?.typ;
      if (typ === 'genesis') await requireScope('ledger:genesis')(c, async () => undefined);
      let receipt: AppendReceipt;
      try {
        receipt = await ledger.append(entry);
      } catch (e) {
        if (isOpenMidError(e)) c.get('log').info({ errorCode: e.code }, 'entry refused');
        throw e;
      }
      await audit(ctx, c, {
        actor: actorOf(c),
        action: 'ledger.append',
        subject: `entry:${receipt.entryId}`,
        details: {
          typ: isEntryType(typ) ? typ : 'unknown',
          status: receipt.status,
          ...(receipt.status === 'confirmed' ? { index: receipt.index } : {}),
        },
      });
      return receipt.status === 'confirmed' ? c.json(receipt, 201) : c.json(receipt, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/entries/{index}',
      tags: [TAG],
      summary: 'One logged entry, with its log time and the index of its subject’s previous entry',
      request: { params: z.object({ index: Index }) },
      responses: { 200: ok(ProofRecordSchema, 'The entry'), ...errorResponses([404]) },
    }),
    async (c) => {
      const { index } = c.req.valid('param');
      const r = await ledger.entry(index);
      return c.json(r as unknown as z.output<typeof ProofRecordSchema>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/entries/by-id/{entryId}',
      tags: [TAG],
      summary: 'Where an entry stands: confirmed (with its index), pending, or unknown',
      request: { params: z.object({ entryId: Hex32 }) },
      responses: { 200: ok(EntryStatusSchema, 'Status'), ...errorResponses([400]) },
    }),
    async (c) => c.json(await ledger.status(c.req.valid('param').entryId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: LEDGER_PATHS.inclusion,
      tags: [TAG],
      summary: 'RFC 9162 §2.1.3 inclusion proof of entry `index` in the tree of `treeSize`',
      request: { query: z.object({ index: Index, treeSize: Index.optional() }) },
      responses: { 200: ok(InclusionProofSchema, 'Inclusion proof'), ...errorResponses([404]) },
    }),
    async (c) => {
      const { index, treeSize } = c.req.valid('query');
      const size = treeSize ?? (await ledger.size());
      if (index >= size) throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'No such entry');
      const proof = await ledger.inclusionProof(index, size);
      return c.json({ ...proof, path: [...proof.path] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: LEDGER_PATHS.consistency,
      tags: [TAG],
      summary: 'RFC 9162 §2.1.4 consistency proof between two tree sizes',
      request: { query: z.object({ first: Index, second: Index.optional() }) },
      responses: {
        200: ok(ConsistencyProofSchema, 'Consistency proof'),
        ...errorResponses([404]),
      },
    }),
    async (c) => {
      const { first, second } = c.req.valid('query');
      const proof = await ledger.consistencyProof(first, second);
      return c.json({ ...proof, path: [...proof.path] }, 200);
    },
  );

  const answer = async (c: Context<AppEnv>, query: Query) =>
    c.json((await ledger.query(query)) as unknown as z.output<typeof ProvenAnswerSchema>, 200);
  app.openapi(
    createRoute({
      method: 'post',
      path: LEDGER_PATHS.query,
      tags: [TAG],
      summary: 'Ask the ledger; the answer comes with the proof that decides it',
      request: {
        body: { content: { 'application/json': { schema: QuerySchema } }, required: true },
      },
      responses: { 200: ok(ProvenAnswerSchema, 'Proven answer'), ...errorResponses([400, 404]) },
    }),
    async (c) => answer(c, c.req.valid('json') as Query),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: LEDGER_PATHS.query,
      tags: [TAG],
      summary: 'The same question in the query string (`claim` is a JSON array)',
      request: {
        query: z.object({
          q: z.enum(['issuer-keys', 'issuer-type', 'rp-claim', 'status-list', 'document']),
          issuer: z.string().optional(),
          vct: z.string().optional(),
          rp: z.string().optional(),
          claim: z.string().max(4096).optional(),
          at: z.string().optional(),
          legalBasisRequired: z.enum(['true', 'false']).optional(),
          uri: z.string().optional(),
          digest: z.string().optional(),
        }),
      },
      responses: { 200: ok(ProvenAnswerSchema, 'Proven answer'), ...errorResponses([400, 404]) },
    }),
    async (c) => {
      const p = c.req.valid('query');
      let claim: unknown;
      try {
        claim = p.claim === undefined ? undefined : JSON.parse(p.claim);
      } catch {
        throw new OpenMidError('ERR_INPUT_INVALID', 'claim must be a JSON array', {
          details: { fields: [{ path: 'query.claim', issue: 'invalid_json' }] },
        });
      }
      const raw: Record<string, unknown> = { q: p.q };
      for (const k of ['issuer', 'vct', 'rp', 'uri', 'digest'] as const) {
        if (p[k] !== undefined) raw[k] = p[k];
      }
      if (p.at !== undefined) raw['at'] = /^\d{1,15}$/.test(p.at) ? Number(p.at) : p.at;
      if (claim !== undefined) raw['claim'] = claim;
      if (p.legalBasisRequired !== undefined) {
        raw['legalBasisRequired'] = p.legalBasisRequired === 'true';
      }
      const parsed = QuerySchema.safeParse(raw);
      if (!parsed.success) {
        throw new OpenMidError('ERR_INPUT_INVALID', 'Invalid query', {
          details: {
            fields: parsed.error.issues.slice(0, 20).map((i) => ({
              path: `query.${i.path.map(String).join('.')}`,
              issue: i.code,
            })),
          },
        });
      }
      return answer(c, parsed.data as Query);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: LEDGER_PATHS.snapshot,
      tags: [TAG],
      summary: 'A trust snapshot for offline verifiers and wallets',
      description:
        'Every governance, issuer and relying-party chain with the state they build, under a ' +
        'signed tree head; `statusLists=all` (or repeated `statusList=URI`) adds status-list ' +
        'anchors; `sinceSize` + `sinceRoot` add a consistency proof from the head the caller ' +
        'holds. Weak ETag; `Cache-Control: public, max-age=LEDGER_SNAPSHOT_MAX_AGE`.',
      request: {
        query: z.object({
          treeSize: Index.optional(),
          sinceSize: Index.optional(),
          sinceRoot: Hex32.optional(),
          statusLists: z.literal('all').optional(),
          statusList: z
            .union([z.string().max(2048), z.array(z.string().max(2048)).max(1000)])
            .optional(),
        }),
      },
      responses: {
        200: ok(SnapshotSchema, 'Trust snapshot'),
        304: { description: 'Not modified (If-None-Match)' },
        ...errorResponses([400, 404]),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const lists =
        q.statusLists === 'all'
          ? ('all' as const)
          : q.statusList === undefined
            ? undefined
            : typeof q.statusList === 'string'
              ? [q.statusList]
              : q.statusList;
      const built = await ctx.snapshots.get({
        ...(q.treeSize === undefined ? {} : { treeSize: q.treeSize }),
        ...(lists === undefined ? {} : { statusLists: lists }),
      });
      const headers = {
        'Cache-Control': `public, max-age=${ctx.config.LEDGER_SNAPSHOT_MAX_AGE}`,
        ETag: built.etag,
        'Content-Type': 'application/json',
      };
      const since =
        q.sinceSize !== undefined && q.sinceRoot !== undefined && q.sinceSize < built.treeSize
          ? { treeSize: q.sinceSize, rootHash: q.sinceRoot }
          : undefined;
      if (since === undefined) {
        if (c.req.header('if-none-match') === built.etag) return c.body(null, 304, headers);
        return c.body(built.text, 200, headers);
      }
      const proof = await ledger.consistencyProof(since.treeSize, built.treeSize);
      const text = JSON.stringify({
        ...built.snapshot,
        consistency: { from: since.treeSize, fromRoot: since.rootHash, path: proof.path },
      });
      return c.body(text, 200, headers);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: LEDGER_PATHS.cosignatures,
      tags: [TAG],
      summary: 'Store a witness cosignature of a tree head this log signed',
      description:
        'Accepted from the witnesses in LEDGER_WITNESS_KEYS_FILE (any witness in development ' +
        'when none is configured); the cosignature must verify with the key and name a head of ' +
        'this log. Snapshots then carry it.',
      middleware: submissions,
      request: {
        body: {
          content: { 'application/json': { schema: CosignatureSubmissionSchema } },
          required: true,
        },
      },
      responses: {
        201: ok(z.object({ treeSize: z.number().int() }), 'Stored'),
        ...errorResponses([400, 403, 429]),
      },
    }),
    async (c) => {
      const { cosignature, witnessKey } = c.req.valid('json');
      const key = parsePublicJwk(witnessKey, 'ES256').jwk;
      const witness = jwkThumbprint(key);
      if (ctx.witnesses !== 'any' && !ctx.witnesses.has(witness)) {
        throw new OpenMidError('ERR_AUTH_FORBIDDEN', 'Not a witness of this ledger');
      }
      const cosig = await verifyCosignature(cosignature, key);
      await ledger.addCosignature(cosignature, key);
      ctx.snapshots.clear();
      await audit(ctx, c, {
        actor: `witness:${witness}`,
        action: 'ledger.cosignature',
        subject: `tree:${cosig.treeSize}`,
        details: { treeSize: cosig.treeSize },
      });
      return c.json({ treeSize: cosig.treeSize }, 201);
    },
  );

  const gov = ctx.governance;
  if (gov === undefined) return;
  app.openapi(
    createRoute({
      method: 'post',
      path: LEDGER_PATHS.devCountersign,
      tags: ['Development'],
      summary: 'DEVELOPMENT ONLY: countersign a proposed registration and append it',
      description:
        'Signs an issuer or relying-party registration with as many of the demo governance keys ' +
        '(경찰청, 행정안전부, 한국조폐공사) as the quorum needs, then appends it. Exists only when ' +
        'NODE_ENV=development; needs an admin key with `ledger:dev-cosign`. Audited.',
      security: [{ [API_KEY_SCHEME]: [] }],
      middleware: [requireScope('ledger:dev-cosign'), ...submissions],
      request: {
        body: { content: { 'application/json': { schema: SignedEntrySchema } }, required: true },
      },
      responses: {
        201: ok(AppendReceiptSchema, 'Countersigned and appended'),
        202: ok(AppendReceiptSchema, 'Countersigned, submitted, not yet confirmed'),
        ...errorResponses([400, 401, 403, 409]),
      },
    }),
    async (c) => {
      const proposal: unknown = c.req.valid('json');
      const typ: unknown = (proposal as { body?: { typ?: unknown } }).body?.typ;
      const actor = actorOf(c);
      let receipt: AppendReceipt;
      try {
        const entry = await countersign(proposal, { gov, state: await ledger.state() });
        receipt = await confirmed(ctx, await ledger.append(entry));
      } catch (e) {
        await audit(ctx, c, {
          actor,
          action: 'ledger.dev_countersign.refused',
          details: {
            typ: isEntryType(typ) ? typ : 'unknown',
            errorCode: isOpenMidError(e) ? e.code : 'ERR_INTERNAL',
          },
        });
        throw e;
      }
      await audit(ctx, c, {
        actor,
        action: 'ledger.dev_countersign',
        subject: `entry:${receipt.entryId}`,
        details: {
          typ: isEntryType(typ) ? typ : 'unknown',
          status: receipt.status,
          ...(receipt.status === 'confirmed' ? { index: receipt.index } : {}),
        },
      });
      return receipt.status === 'confirmed' ? c.json(receipt, 201) : c.json(receipt, 202);
    },
  );
}
