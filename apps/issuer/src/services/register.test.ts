/**
 * Registry of record (import, PII at rest), population batches (resumable, idempotent), and the
 * admin API's scopes and PII rules.
 */
import { createApiKey } from '@openmid/server-kit';
import { describeStores } from '@openmid/server-kit/testing';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import { beforeAll, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from '../main.js';
import { makeIssuer, type TestIssuer } from '../test/harness.js';
import { exportBatchOffers, runBatchOffers } from './batches.js';
import { parseCsv } from './import.js';

describeStores(
  'register, batches and admin scopes',
  ({ sql }) => {
    let t: TestIssuer;
    beforeAll(async () => {
      t = await makeIssuer(sql(), { citizens: 40 });
    });

    test('JSON Lines import validates with the profile and reports bad rows by path only', async () => {
      const now = new Date(t.clock() * 1000);
      const c = citizenAt('import-test', 5);
      const good = {
        citizen_id: 'imp-1',
        type: 'resident-id',
        claims: claimsFor('resident-id', c, { issuedAt: now }),
      };
      const bad = {
        citizen_id: 'imp-2',
        type: 'resident-id',
        claims: { ...good.claims, rrn: '999999-9999999' },
      };
      const text = [JSON.stringify(good), JSON.stringify(bad), '{not json'].join('\n');
      const r = await t.admin('/admin/register/import', {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: text,
      });
      expect(r.status).toBe(200);
      const body = (await r.json()) as {
        imported: number;
        rejected: { line: number; code: string; paths?: unknown }[];
      };
      expect(body.imported).toBe(1);
      expect(body.rejected).toEqual([
        { line: 2, code: 'ERR_PROFILE_CLAIMS_INVALID', paths: [['rrn']] },
        { line: 3, code: 'ERR_INPUT_INVALID', paths: [['citizen_id']] },
      ]);
      expect(JSON.stringify(body)).not.toContain(c.name);
      // At rest: no plaintext name or resident number in any issuer table.
      const dump =
        JSON.stringify((await sql().query('SELECT * FROM citizens')).rows) +
        JSON.stringify((await sql().query('SELECT * FROM register_records')).rows);
      expect(dump).not.toContain(c.name);
      expect(dump).not.toContain(c.rrn);
    });

    test('CSV import: nested and list claims', async () => {
      const now = new Date(t.clock() * 1000);
      const c = citizenAt('import-test', 7);
      const claims = claimsFor('driving-licence', c, { issuedAt: now }) as Record<string, unknown>;
      const period = claims['aptitude_test_period'] as { start: string; end: string };
      const cols = Object.keys(claims).filter((k) => k !== 'aptitude_test_period');
      const cell = (v: unknown) => {
        const s = Array.isArray(v) ? v.join('|') : String(v);
        return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      };
      const csv = [
        [
          'citizen_id',
          'type',
          ...cols,
          'aptitude_test_period.start',
          'aptitude_test_period.end',
        ].join(','),
        [
          'imp-csv',
          'driving-licence',
          ...cols.map((k) => cell(claims[k])),
          period.start,
          period.end,
        ].join(','),
      ].join('\r\n');
      expect(parseCsv('a,"b ""x"", y"\r\n1,2\n').map((r) => r.length)).toEqual([2, 2]);
      const r = await t.admin('/admin/register/import', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });
      expect(await r.json()).toEqual({ imported: 1, rejected: [] });
      const offer = await t.admin('/admin/offers', {
        method: 'POST',
        json: { type: 'driving-licence', citizen_id: 'imp-csv' },
      });
      expect(offer.status).toBe(201);
    });

    test('a batch offers every holder once, resumes after an interruption, and audits per chunk', async () => {
      const interrupted = await runBatchOffers(t.ctx, {
        type: 'resident-id',
        chunkSize: 7,
        actor: 'test',
        maxChunks: 2,
      });
      expect(interrupted.state).toBe('running');
      expect(interrupted.offered).toBe(14);
      const progress: number[] = [];
      const done = await runBatchOffers(t.ctx, {
        type: 'resident-id',
        batchId: interrupted.batch_id,
        chunkSize: 7,
        actor: 'test',
        onProgress: (p) => progress.push(p.offered),
      });
      const holders = await sql().query<{ n: number }>(
        "SELECT count(*)::int AS n FROM register_records WHERE type = 'resident-id'",
      );
      expect(done.state).toBe('completed');
      expect(done.offered).toBe(holders.rows[0]?.n);
      expect(progress.at(-1)).toBe(done.offered);
      const again = await runBatchOffers(t.ctx, {
        type: 'resident-id',
        batchId: done.batch_id,
        actor: 'test',
      });
      expect(again.offered).toBe(done.offered);
      const dup = await sql().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM (SELECT citizen_id FROM offers WHERE batch_id = $1 GROUP BY citizen_id HAVING count(*) > 1) d',
        [done.batch_id],
      );
      expect(dup.rows[0]?.n).toBe(0);
      const exported = await exportBatchOffers(t.ctx, { batchId: done.batch_id });
      expect(exported).toHaveLength(done.offered);
      expect(exported[0]?.tx_code).toMatch(/^\d{6}$/);
      const chunks = await sql().query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'batch.offers' AND subject = $1",
        [`batch:${done.batch_id}`],
      );
      expect(chunks.rows[0]?.n).toBeGreaterThanOrEqual(Math.ceil(done.offered / 7));
    });

    test('admin scopes: 401 without a key, 403 without the scope, PII only with read-pii', async () => {
      expect((await t.request('/admin/credentials')).status).toBe(401);
      const { token } = await sql().transaction((tx) =>
        createApiKey(tx, { label: 'reader', scopes: ['credentials:read'], actor: 'system' }),
      );
      const auth = { authorization: `Bearer ${token}` };
      const forbidden = await t.request('/admin/offers', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'resident-id', citizen_id: 'demo-0000000' }),
      });
      expect(forbidden.status).toBe(403);
      const plain = await t.request('/admin/citizens/demo-0000000', { headers: auth });
      const view = (await plain.json()) as Record<string, unknown>;
      expect(view['identity']).toBeUndefined();
      expect(view['types']).toContain('resident-id');
      expect(
        (await t.request('/admin/citizens/demo-0000000?pii=true', { headers: auth })).status,
      ).toBe(403);
      const pii = await t.admin('/admin/citizens/demo-0000000?pii=true');
      expect(((await pii.json()) as { identity: { name: string } }).identity.name).toBe(
        citizenAt('openmid-test', 0).name,
      );
      const reads = await sql().query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action LIKE 'citizen.read%'",
      );
      expect(reads.rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['citizen.read', 'citizen.read_pii']),
      );
    });
  },
  { migrations: ALL_MIGRATIONS },
);
