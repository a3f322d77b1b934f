/**
 * @module auth/api-keys
 * API keys with scopes for the admin APIs of the issuer and the verifier.
 *
 * - A key is `omk_<key id: 24 hex>_<secret: 256 random bits, base64url>`. It is shown ONCE, when
 *   created; the database keeps only the key id, the scopes and SHA-256 of the secret. A 256-bit
 *   random secret needs no slow hash: there is nothing to guess.
 * - Verification looks the key up by id and compares the digests in constant time
 *   (`timingSafeEqual`); an unknown id costs the same comparison against a dummy digest.
 * - `requireScope('credentials:revoke')` answers 401 ERR_AUTH_REQUIRED (no key, malformed, unknown,
 *   revoked) or 403 ERR_AUTH_FORBIDDEN (scope missing) and otherwise puts the principal — key id,
 *   label and scopes, never the token — in `c.var.principal` for the handler's audit entry.
 * - Creating and revoking a key are audited in the same transaction.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import type { MiddlewareHandler } from 'hono';
import { appendAudit } from '../audit/audit.js';
import type { AppEnv } from '../http/app.js';
import type { Migration } from '../store/migrate.js';
import type { Sql, SqlTx } from '../store/sql.js';

/** The API key table; part of {@link SERVER_KIT_MIGRATIONS}. */
export const API_KEYS_MIGRATION: Migration = {
  id: 'server-kit/002-api-keys',
  sql: `
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  label text NOT NULL,
  scopes text[] NOT NULL,
  secret_sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
`,
};

/** Who a verified key is. */
export interface ApiKeyPrincipal {
  readonly keyId: string;
  readonly label: string;
  readonly scopes: readonly string[];
}

/** Resolves presented tokens to principals. */
export interface ApiKeyStore {
  /** The principal of a valid, unrevoked key; undefined otherwise (never throws for bad input). */
  verify(token: string): Promise<ApiKeyPrincipal | undefined>;
}

/** A key as listed (no secret, no hash). */
export interface ApiKeySummary extends ApiKeyPrincipal {
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

const TOKEN = /^omk_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;
const SCOPE = /^[a-z][a-z0-9_-]*(?::[a-z0-9_-]+)*$/;
const LABEL = /^[\x20-\x7e]{1,100}$/;
const DUMMY = Buffer.alloc(32);

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function checkScopes(scopes: readonly string[]): void {
  if (scopes.length === 0 || scopes.length > 50 || !scopes.every((s) => SCOPE.test(s))) {
    throw new OpenMidError(
      'ERR_INPUT_INVALID',
      'Scopes must be 1-50 names like credentials:revoke',
    );
  }
}

/**
 * Create a key (inside the caller's transaction, audited as `api_key.create`). The returned
 * `token` is the only copy: show it once.
 *
 * @example
 * ```ts
 * const { token } = await sql.transaction((tx) =>
 *   createApiKey(tx, { label: 'ops-console', scopes: ['credentials:revoke'], actor: 'system' }))
 * ```
 */
export async function createApiKey(
  tx: SqlTx,
  input: { readonly label: string; readonly scopes: readonly string[]; readonly actor: string },
): Promise<{ keyId: string; token: string; scopes: readonly string[] }> {
  if (!LABEL.test(input.label)) {
    throw new OpenMidError('ERR_INPUT_INVALID', 'Label must be 1-100 printable characters');
  }
  checkScopes(input.scopes);
  const scopes = [...new Set(input.scopes)].sort();
  const keyId = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await tx.query(
    'INSERT INTO api_keys (id, label, scopes, secret_sha256) VALUES ($1, $2, $3, $4)',
    [keyId, input.label, scopes, digest(secret).toString('hex')],
  );
  await appendAudit(tx, {
    actor: input.actor,
    action: 'api_key.create',
    subject: `api_key:${keyId}`,
    details: { scopes },
  });
  return { keyId, token: `omk_${keyId}_${secret}`, scopes };
}

/** Revoke a key (audited as `api_key.revoke`); false when no such unrevoked key exists. */
export async function revokeApiKey(
  tx: SqlTx,
  input: { readonly keyId: string; readonly actor: string },
): Promise<boolean> {
  const r = await tx.query(
    'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
    [input.keyId],
  );
  if (r.rowCount === 0) return false;
  await appendAudit(tx, {
    actor: input.actor,
    action: 'api_key.revoke',
    subject: `api_key:${input.keyId}`,
  });
  return true;
}

/** Every key, newest first, without secrets. */
export async function listApiKeys(sql: Sql): Promise<ApiKeySummary[]> {
  const r = await sql.query<{
    id: string;
    label: string;
    scopes: string[];
    created_at: Date;
    revoked_at: Date | null;
  }>('SELECT id, label, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, id');
  return r.rows.map((row) => ({
    keyId: row.id,
    label: row.label,
    scopes: row.scopes,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}

/** The API key store over a SQL store. */
export function sqlApiKeyStore(sql: Sql): ApiKeyStore {
  return {
    async verify(token) {
      const m = TOKEN.exec(token);
      if (m === null) return undefined;
      const [, keyId = '', secret = ''] = m;
      const r = await sql.query<{
        label: string;
        scopes: string[];
        secret_sha256: string;
        revoked_at: Date | null;
      }>('SELECT label, scopes, secret_sha256, revoked_at FROM api_keys WHERE id = $1', [keyId]);
      const row = r.rows[0];
      const stored = row === undefined ? DUMMY : Buffer.from(row.secret_sha256, 'hex');
      const same = stored.length === 32 && timingSafeEqual(stored, digest(secret));
      if (row === undefined || !same || row.revoked_at !== null) return undefined;
      return { keyId, label: row.label, scopes: row.scopes };
    },
  };
}

/**
 * Hono middleware: the request must carry `Authorization: Bearer omk_…` of an unrevoked key that
 * has `scope` (RFC 6750 §2.1 header; §3.1 `insufficient_scope` challenge on 403).
 *
 * @example
 * ```ts
 * app.openapi(createRoute({ …, middleware: [requireScope('credentials:revoke')] }), (c) => {
 *   const { keyId } = c.var.principal!  // for appendAudit({ actor: `apikey:${keyId}`, … })
 * })
 * ```
 */
export function requireScope(scope: string): MiddlewareHandler<AppEnv> {
  if (!SCOPE.test(scope)) throw new OpenMidError('ERR_INPUT_INVALID', 'Invalid scope name');
  return async function scopeGuard(c, next) {
    const store = c.get('apiKeyStore');
    if (store === undefined) {
      throw new OpenMidError('ERR_INTERNAL', 'requireScope used on an app without apiKeys');
    }
    let principal = c.get('principal');
    if (principal === undefined) {
      const m = /^Bearer ([^\s]+)$/i.exec(c.req.header('authorization') ?? '');
      if (m?.[1] === undefined) {
        c.header('WWW-Authenticate', 'Bearer realm="openmid"');
        throw new OpenMidError('ERR_AUTH_REQUIRED', 'API key required');
      }
      principal = await store.verify(m[1]);
      if (principal === undefined) {
        c.header('WWW-Authenticate', 'Bearer realm="openmid", error="invalid_token"');
        throw new OpenMidError('ERR_AUTH_REQUIRED', 'Invalid API key');
      }
      c.set('principal', principal);
    }
    if (!principal.scopes.includes(scope)) {
      c.header(
        'WWW-Authenticate',
        `Bearer realm="openmid", error="insufficient_scope", scope="${scope}"`,
      );
      throw new OpenMidError('ERR_AUTH_FORBIDDEN', 'The API key lacks the required scope', {
        details: { scope },
      });
    }
    await next();
  };
}
