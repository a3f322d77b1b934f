import { createRoute, z } from '@hono/zod-openapi';
import { expect, test } from 'vitest';
import { verifyAuditChain } from '../audit/audit.js';
import { API_KEY_SCHEME, createApp } from '../http/app.js';
import { SERVER_KIT_MIGRATIONS } from '../migrations.js';
import { captureLogs } from '../testing/logs.js';
import { describeStores } from '../testing/stores.js';
import {
  createApiKey,
  listApiKeys,
  requireScope,
  revokeApiKey,
  sqlApiKeyStore,
} from './api-keys.js';

describeStores(
  'API keys',
  ({ sql }) => {
    const newKey = (scopes: string[]) =>
      sql().transaction((tx) =>
        createApiKey(tx, { label: 'ops console', scopes, actor: 'system' }),
      );

    function app() {
      const logs = captureLogs();
      const a = createApp({
        logger: logs.logger,
        rateLimit: false,
        apiKeys: sqlApiKeyStore(sql()),
      });
      a.openapi(
        createRoute({
          method: 'post',
          path: '/admin/credentials/{id}/revoke',
          middleware: [requireScope('credentials:revoke')] as const,
          security: [{ [API_KEY_SCHEME]: [] }],
          request: { params: z.object({ id: z.string() }) },
          responses: {
            200: {
              description: 'revoked',
              content: { 'application/json': { schema: z.object({ by: z.string() }) } },
            },
          },
        }),
        (c) => c.json({ by: c.var.principal?.keyId ?? 'nobody' }, 200),
      );
      return { app: a, logs };
    }

    test('a key is shown once and stored only as a SHA-256 hash', async () => {
      const { keyId, token, scopes } = await newKey(['credentials:revoke', 'credentials:read']);
      expect(token).toMatch(/^omk_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
      expect(scopes).toEqual(['credentials:read', 'credentials:revoke']);
      const row = await sql().query<Record<string, unknown>>(
        'SELECT * FROM api_keys WHERE id = $1',
        [keyId],
      );
      const stored = JSON.stringify(row.rows);
      expect(stored).not.toContain(token.slice(29));
      expect(row.rows[0]?.['secret_sha256']).toMatch(/^[0-9a-f]{64}$/);
    });

    test('creation and revocation are audited in the same transaction', async () => {
      const { keyId } = await newKey(['a:b']);
      await sql().transaction((tx) => revokeApiKey(tx, { keyId, actor: 'operator:7' }));
      const audit = await sql().query<{ action: string; subject: string }>(
        'SELECT action, subject FROM audit_log WHERE subject = $1 ORDER BY seq',
        [`api_key:${keyId}`],
      );
      expect(audit.rows.map((r) => r.action)).toEqual(['api_key.create', 'api_key.revoke']);
      expect(await verifyAuditChain(sql())).toMatchObject({ ok: true });
      expect(
        await sql().transaction((tx) => revokeApiKey(tx, { keyId, actor: 'operator:7' })),
      ).toBe(false);
      const listed = (await listApiKeys(sql())).find((k) => k.keyId === keyId);
      expect(listed?.revokedAt).toBeInstanceOf(Date);
      expect(JSON.stringify(listed)).not.toContain('sha256');
    });

    test('a key with the scope passes, and the handler sees its id (never the token)', async () => {
      const { keyId, token } = await newKey(['credentials:revoke']);
      const res = await app().app.request('/admin/credentials/c1/revoke', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ by: keyId });
    });

    test('no key, a malformed, unknown, tampered or revoked key: 401 ERR_AUTH_REQUIRED with a challenge', async () => {
      const { keyId, token } = await newKey(['credentials:revoke']);
      const revoked = await newKey(['credentials:revoke']);
      await sql().transaction((tx) => revokeApiKey(tx, { keyId: revoked.keyId, actor: 'system' }));
      const last = token.at(-1) === 'A' ? 'B' : 'A';
      const cases: (string | undefined)[] = [
        undefined,
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'Bearer not-a-key',
        `Bearer omk_${'0'.repeat(24)}_${'A'.repeat(43)}`,
        `Bearer ${token.slice(0, -1)}${last}`,
        `Bearer ${revoked.token}`,
      ];
      const { app: a } = app();
      for (const authorization of cases) {
        const res = await a.request('/admin/credentials/c1/revoke', {
          method: 'POST',
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ code: 'ERR_AUTH_REQUIRED' });
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      expect(keyId).toBeTruthy();
    });

    test('the OpenAPI document declares the bearer API-key scheme on guarded routes', async () => {
      const doc = (await (await app().app.request('/openapi.json')).json()) as {
        components: { securitySchemes: Record<string, unknown> };
        paths: Record<string, { post: { security?: unknown } }>;
      };
      expect(doc.components.securitySchemes[API_KEY_SCHEME]).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(doc.paths['/admin/credentials/{id}/revoke']?.post.security).toEqual([
        { [API_KEY_SCHEME]: [] },
      ]);
    });

    test('a valid key without the scope: 403 ERR_AUTH_FORBIDDEN (RFC 6750 insufficient_scope)', async () => {
      const { token } = await newKey(['credentials:read']);
      const res = await app().app.request('/admin/credentials/c1/revoke', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'ERR_AUTH_FORBIDDEN' });
      expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
    });

    test('tokens never reach the logs', async () => {
      const { token } = await newKey(['credentials:revoke']);
      const { app: a, logs } = app();
      await a.request('/admin/credentials/c1/revoke', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      await a.request('/admin/credentials/c1/revoke', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}x` },
      });
      expect(logs.text()).not.toContain(token.slice(4));
    });

    test('bad labels and scopes are refused', async () => {
      await expect(newKey([])).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
      await expect(newKey(['Has Space'])).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
      await expect(
        sql().transaction((tx) => createApiKey(tx, { label: '', scopes: ['a'], actor: 'system' })),
      ).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    });
  },
  { migrations: SERVER_KIT_MIGRATIONS },
);
