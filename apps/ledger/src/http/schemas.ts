/**
 * @module http/schemas
 * The zod schemas of the node's API (they produce `/openapi.json`). Request bodies are checked
 * only for shape here; the ledger's own parser (`parseEntry`, closed schemas, RFC 8785) and state
 * machine decide everything else, with their own codes, exactly as on every backend. The JSON
 * shapes are those of `@openmid/ledger/http` (`LedgerInfo`, `AppendReceipt`, …).
 */
import { MAX_TIME } from '@openmid/ledger';
import { z } from '@openmid/server-kit';

const Hex32 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .openapi({ description: '64 lowercase hex characters', example: '9f86d08…' });
const Count = z.number().int().min(0);
const Time = z.number().int().min(0).max(MAX_TIME);

/** A public JWK (members beyond these are ignored by clients). */
export const PublicJwkSchema = z
  .looseObject({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string().optional() })
  .openapi('PublicJwk');

/** `GET /v1/ledger`. */
export const LedgerInfoSchema = z
  .object({
    ledgerId: Hex32.nullable(),
    name: z.string().nullable(),
    backend: z.string().openapi({ example: 'embedded' }),
    logKey: PublicJwkSchema.extend({ kid: z.string() }),
    treeSize: Count,
    development: z.boolean(),
    chain: z.object({ chainId: Count, contract: z.string(), confirmations: Count }).optional(),
  })
  .openapi('LedgerInfo');

/** A signed tree head. */
export const TreeHeadSchema = z
  .object({
    ledgerId: Hex32,
    treeSize: Count,
    rootHash: Hex32,
    timestamp: Count,
    anchor: z
      .object({ chainId: Count, contract: z.string(), blockNumber: Count, blockHash: z.string() })
      .optional(),
    jws: z.string().openapi({ description: 'Compact JWS, typ openmid-ledger-sth+jwt, ES256' }),
  })
  .openapi('SignedTreeHead');

/** A signed entry or proposal (validated by the ledger, not here). */
export const SignedEntrySchema = z
  .looseObject({
    body: z.record(z.string(), z.unknown()).openapi({
      description: 'The entry body (closed schema per `typ`, see @openmid/ledger entry.ts)',
    }),
    signatures: z.array(z.record(z.string(), z.unknown())).max(16).optional().openapi({
      description: '[{ kid, sig }] with sig = ECDSA P-256 r‖s, 128 hex characters',
    }),
  })
  .openapi('SignedEntry');

/** The outcome of an append. */
export const AppendReceiptSchema = z
  .union([
    z.object({
      status: z.literal('confirmed'),
      entryId: Hex32,
      index: Count,
      time: Count,
    }),
    z.object({ status: z.literal('pending'), entryId: Hex32, txHash: z.string().optional() }),
  ])
  .openapi('AppendReceipt');

/** Where an entry stands. */
export const EntryStatusSchema = z
  .union([
    z.object({ status: z.literal('confirmed'), index: Count }),
    z.object({ status: z.enum(['pending', 'unknown']) }),
  ])
  .openapi('EntryStatus');

/** A logged entry. */
export const ProofRecordSchema = z
  .object({ index: Count, time: Count, prev: Count.nullable(), entry: SignedEntrySchema })
  .openapi('LoggedEntry');

/** RFC 9162 §2.1.3 inclusion proof. */
export const InclusionProofSchema = z
  .object({ index: Count, treeSize: Count, leafHash: Hex32, path: z.array(Hex32) })
  .openapi('InclusionProof');

/** RFC 9162 §2.1.4 consistency proof. */
export const ConsistencyProofSchema = z
  .object({ first: Count, second: Count, path: z.array(Hex32) })
  .openapi('ConsistencyProof');

const Id = z.string().min(1).max(2048);
const ClaimSegment = z.union([z.string().min(1).max(128), z.number().int().min(0), z.null()]);

/** A question to the ledger (`@openmid/ledger` `Query`). */
export const QuerySchema = z
  .discriminatedUnion('q', [
    z.strictObject({ q: z.literal('issuer-keys'), issuer: Id, at: Time }),
    z.strictObject({ q: z.literal('issuer-type'), issuer: Id, vct: Id, at: Time }),
    z.strictObject({
      q: z.literal('rp-claim'),
      rp: Id,
      vct: Id,
      claim: z.array(ClaimSegment).min(1).max(16),
      at: Time,
      legalBasisRequired: z.boolean().optional(),
    }),
    z.strictObject({ q: z.literal('status-list'), uri: Id }),
    z.strictObject({ q: z.literal('document'), digest: Hex32 }),
  ])
  .openapi('Query');

/** A ledger proof (checked offline by `verifyLedgerProof`). */
export const LedgerProofSchema = z
  .looseObject({
    v: z.literal(1),
    head: z.string(),
    index: z.string(),
    tails: z.record(z.string(), Count.nullable()),
    records: z.array(z.record(z.string(), z.unknown())),
    proof: z.array(Hex32),
    cosignatures: z.array(z.string()).optional(),
  })
  .openapi('LedgerProof');

/** A query, its answer and the proof that decides it. */
export const ProvenAnswerSchema = z
  .object({
    query: QuerySchema,
    answer: z.record(z.string(), z.unknown()),
    proof: LedgerProofSchema,
  })
  .openapi('ProvenAnswer');

/** A trust snapshot (a full proof plus the state it builds). */
export const SnapshotSchema = LedgerProofSchema.extend({
  type: z.literal('openmid-trust-snapshot'),
  state: z.record(z.string(), z.unknown()),
  consistency: z.object({ from: Count, fromRoot: Hex32, path: z.array(Hex32) }).optional(),
}).openapi('TrustSnapshot');

/** `POST /v1/cosignatures`. */
export const CosignatureSubmissionSchema = z
  .object({
    cosignature: z
      .string()
      .max(4096)
      .openapi({ description: 'Compact JWS, typ openmid-ledger-cosig+jwt' }),
    witnessKey: PublicJwkSchema,
  })
  .openapi('CosignatureSubmission');
