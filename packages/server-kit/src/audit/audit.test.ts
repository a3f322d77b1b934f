import { createHash } from 'node:crypto';
import { generateKeyPair, verifierFromJwk } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { beforeAll, describe, expect, test } from 'vitest';
import { SERVER_KIT_MIGRATIONS } from '../migrations.js';
import { migrate } from '../store/migrate.js';
import type { Sql } from '../store/sql.js';
import { describeStores } from '../testing/stores.js';
import {
  AUDIT_CHAINS,
  AUDIT_HEAD_TYP,
  type AuditValue,
  appendAudit,
  assertAuditChain,
  canonicalJson,
  entryHash,
  readAuditHead,
  signAuditHead,
  verifyAuditChain,
} from './audit.js';

beforeAll(() => {
  useNodeCrypto();
});

async function appendMany(sql: Sql, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await sql.transaction((tx) =>
      appendAudit(tx, {
        actor: 'apikey:ops',
        action: 'credential.revoke',
        subject: `credential:${i}`,
        details: { index: i, reason: 'lost', list: ['a', 1, null, { z: 1, a: 2 }] },
      }),
    );
  }
}

/** Each tampering test starts from a fresh chain of `n` entries. */
async function freshChain(sql: Sql, n: number): Promise<void> {
  await sql.exec("DELETE FROM audit_log; UPDATE audit_head SET seq = 0, hash = repeat('0', 64);");
  await appendMany(sql, n);
}

interface ChainRow {
  seq: number;
  chain: number;
  chain_seq: number;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, AuditValue>;
  prev_hash: string;
  hash: string;
}

async function rows(sql: Sql): Promise<ChainRow[]> {
  return (
    await sql.query<ChainRow>(
      'SELECT seq, chain, chain_seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY chain, chain_seq',
    )
  ).rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    chain: Number(r.chain),
    chain_seq: Number(r.chain_seq),
  }));
}

/** A row that has a successor in its chain, and that successor. */
async function rowWithSuccessor(sql: Sql): Promise<[ChainRow, ChainRow]> {
  const all = await rows(sql);
  for (let i = 0; i + 1 < all.length; i++) {
    const a = all[i] as ChainRow;
    const b = all[i + 1] as ChainRow;
    if (a.chain === b.chain) return [a, b];
  }
  throw new Error('no chain with two rows: append more entries');
}

/** The last row of some chain. */
async function lastOfAChain(sql: Sql): Promise<ChainRow> {
  const all = await rows(sql);
  const last = all.filter((r, i) => all[i + 1]?.chain !== r.chain);
  return last[0] as ChainRow;
}

describeStores(
  'audit log',
  ({ sql, backend, reopen }) => {
    test('entries chain from the zero hash within each chain and verify', async () => {
      await freshChain(sql(), 24);
      const all = await rows(sql());
      expect(all).toHaveLength(24);
      for (let i = 0; i < all.length; i++) {
        const r = all[i] as ChainRow;
        const prev = all[i - 1];
        if (prev === undefined || prev.chain !== r.chain) {
          expect(r.chain_seq).toBe(1);
          expect(r.prev_hash).toBe('0'.repeat(64));
        } else {
          expect(r.chain_seq).toBe(prev.chain_seq + 1);
          expect(r.prev_hash).toBe(prev.hash);
        }
      }
      // Global seq is unique and ordered by append.
      expect(new Set(all.map((r) => r.seq)).size).toBe(24);
      const v = await verifyAuditChain(sql());
      expect(v).toMatchObject({ ok: true, count: 24 });
      if (v.ok) expect(v.heads).toHaveLength(AUDIT_CHAINS);
    });

    test('an entry appended in a transaction that rolls back leaves no trace', async () => {
      await freshChain(sql(), 2);
      await expect(
        sql().transaction(async (tx) => {
          await appendAudit(tx, { actor: 'system', action: 'offer.create', subject: 'offer:1' });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await verifyAuditChain(sql())).toMatchObject({ ok: true, count: 2 });
    });

    test('a transaction that appends several entries keeps one chain', async () => {
      await freshChain(sql(), 0);
      const appended = await sql().transaction(async (tx) => [
        await appendAudit(tx, { actor: 'system', action: 'a.one' }),
        await appendAudit(tx, { actor: 'system', action: 'a.two' }),
        await appendAudit(tx, { actor: 'system', action: 'a.three' }),
      ]);
      expect(new Set(appended.map((e) => e.chain)).size).toBe(1);
      expect(appended.map((e) => e.chainSeq)).toEqual([1, 2, 3]);
      expect(await verifyAuditChain(sql())).toMatchObject({ ok: true, count: 3 });
    });

    test('concurrent appends spread over the chains and every chain stays valid', async () => {
      await freshChain(sql(), 0);
      const other = await reopen();
      const stores = other === undefined ? [sql()] : [sql(), other];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (stores[i % stores.length] as Sql).transaction(async (tx) => {
            await appendAudit(tx, { actor: `worker:${i}`, action: 'offer.create', details: { i } });
            await new Promise((r) => setTimeout(r, 5)); // hold the chain lock a little
          }),
        ),
      );
      const r = await verifyAuditChain(sql(), { pageSize: 3 });
      expect(r).toMatchObject({ ok: true, count: 40 });
      if (backend === 'pg') {
        expect(stores).toHaveLength(2);
        // Two connections appending at once cannot have shared one chain all along.
        const used = new Set((await rows(sql())).map((x) => x.chain));
        expect(used.size).toBeGreaterThan(1);
      }
    });

    test('an edited row is detected at its chain position', async () => {
      await freshChain(sql(), 12);
      const [row] = await rowWithSuccessor(sql());
      await sql().query(`UPDATE audit_log SET details = '{"index": 99}' WHERE seq = $1`, [row.seq]);
      expect(await verifyAuditChain(sql())).toMatchObject({
        ok: false,
        chain: row.chain,
        chainSeq: row.chain_seq,
        seq: row.seq,
        reason: 'hash_mismatch',
      });
      await expect(assertAuditChain(sql())).rejects.toMatchObject({
        code: 'ERR_AUDIT_CHAIN_BROKEN',
        details: { chain: row.chain, chainSeq: row.chain_seq, reason: 'hash_mismatch' },
      });
    });

    test('an edited row whose own hash was recomputed breaks the link to the next row', async () => {
      await freshChain(sql(), 12);
      const [row, next] = await rowWithSuccessor(sql());
      const forged = entryHash(row.prev_hash, {
        ...row,
        chainSeq: row.chain_seq,
        actor: 'apikey:someone-else',
      });
      await sql().query('UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = $3', [
        'apikey:someone-else',
        forged,
        row.seq,
      ]);
      expect(await verifyAuditChain(sql())).toMatchObject({
        ok: false,
        chain: next.chain,
        chainSeq: next.chain_seq,
        seq: next.seq,
        reason: 'prev_hash_mismatch',
      });
    });

    test('reordered rows are detected at the first swapped position', async () => {
      await freshChain(sql(), 12);
      const [a, b] = await rowWithSuccessor(sql());
      await sql().query('UPDATE audit_log SET chain_seq = -1 WHERE seq = $1', [a.seq]);
      await sql().query('UPDATE audit_log SET chain_seq = $1 WHERE seq = $2', [a.chain_seq, b.seq]);
      await sql().query('UPDATE audit_log SET chain_seq = $1 WHERE seq = $2', [b.chain_seq, a.seq]);
      expect(await verifyAuditChain(sql())).toMatchObject({
        ok: false,
        chain: a.chain,
        chainSeq: a.chain_seq,
      });
    });

    test('a deleted row is detected as missing at its position', async () => {
      await freshChain(sql(), 12);
      const [row] = await rowWithSuccessor(sql());
      await sql().query('DELETE FROM audit_log WHERE seq = $1', [row.seq]);
      expect(await verifyAuditChain(sql())).toMatchObject({
        ok: false,
        chain: row.chain,
        chainSeq: row.chain_seq,
        seq: null,
        reason: 'missing',
      });
    });

    test('a truncated tail is detected against the head row', async () => {
      await freshChain(sql(), 12);
      const last = await lastOfAChain(sql());
      await sql().query('DELETE FROM audit_log WHERE seq = $1', [last.seq]);
      expect(await verifyAuditChain(sql())).toMatchObject({
        ok: false,
        chain: last.chain,
        chainSeq: last.chain_seq,
        reason: 'missing',
      });
    });

    test('a truncated tail with a rewritten head is only caught by a signed, anchored head', async () => {
      await freshChain(sql(), 12);
      const { signer, publicJwk } = await generateKeyPair('ES256');
      const signed = await signAuditHead(sql(), signer);
      expect(signed.heads.reduce((n, h) => n + h.seq, 0)).toBe(12);
      // Attacker truncates one chain and rewrites its head consistently: the chains alone look fine.
      const last = await lastOfAChain(sql());
      await sql().query('DELETE FROM audit_log WHERE seq = $1', [last.seq]);
      await sql().query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = $3', [
        last.chain_seq - 1,
        last.prev_hash,
        last.chain,
      ]);
      expect(await verifyAuditChain(sql())).toMatchObject({ ok: true, count: 11 });
      const anchor = await readAuditHead(signed.jws, await verifierFromJwk(publicJwk));
      expect(await verifyAuditChain(sql(), { anchor })).toMatchObject({
        ok: false,
        chain: last.chain,
        chainSeq: last.chain_seq,
        reason: 'missing',
      });
    });

    test('a signed head of another log is an anchor mismatch', async () => {
      await freshChain(sql(), 6);
      const last = await lastOfAChain(sql());
      expect(
        await verifyAuditChain(sql(), {
          anchor: { heads: [{ chain: last.chain, seq: last.chain_seq, hash: 'a'.repeat(64) }] },
        }),
      ).toMatchObject({
        ok: false,
        chain: last.chain,
        chainSeq: last.chain_seq,
        reason: 'anchor_mismatch',
      });
    });

    test('details carrying personal data or secrets are refused', async () => {
      const cases: Record<string, AuditValue>[] = [
        { name: '홍길동' },
        { nested: { rrn: '900101-1234567' } },
        { tx_code: '123456' },
        { list: [{ access_token: 'x' }] },
      ];
      for (const details of cases) {
        await expect(
          sql().transaction((tx) => appendAudit(tx, { actor: 'system', action: 'x.y', details })),
        ).rejects.toMatchObject({ code: 'ERR_AUDIT_ENTRY_INVALID' });
      }
      await expect(
        sql().transaction((tx) =>
          appendAudit(tx, { actor: 'system', action: 'x.y', details: { blob: 'x'.repeat(5000) } }),
        ),
      ).rejects.toMatchObject({ code: 'ERR_AUDIT_ENTRY_INVALID' });
      await expect(
        sql().transaction((tx) => appendAudit(tx, { actor: '홍길동', action: 'x.y' })),
      ).rejects.toMatchObject({ code: 'ERR_AUDIT_ENTRY_INVALID' });
    });
  },
  { migrations: SERVER_KIT_MIGRATIONS },
);

describe('canonical form', () => {
  test('sorts keys at every level and is stable', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 'é' }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":"é","y":2}]},"b":1}',
    );
  });

  test('the signed head has its own explicit typ', () => {
    expect(AUDIT_HEAD_TYP).toBe('openmid-audit-head+jwt');
  });
});

describeStores(
  'audit log written before the chains existed',
  ({ sql }) => {
    test('format-1 rows keep verifying after migration 003, and new entries chain after them', async () => {
      // An entry as the single-chain format wrote it: hash over {v:1, seq, at, actor, action, subject, details}.
      const at = new Date('2026-11-01T00:00:00.000Z');
      const body = {
        v: 1,
        seq: 1,
        at: at.toISOString(),
        actor: 'system',
        action: 'offer.create',
        subject: null,
        details: {},
      };
      const hash = createHash('sha256')
        .update(Buffer.alloc(32))
        .update(canonicalJson(body), 'utf8')
        .digest('hex');
      await sql().query(
        `INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (1, $1, 'system', 'offer.create', NULL, '{}'::jsonb, $2, $3)`,
        [at, '0'.repeat(64), hash],
      );
      await sql().query('UPDATE audit_head SET seq = 1, hash = $1 WHERE id = 1', [hash]);
      await migrate(sql(), SERVER_KIT_MIGRATIONS);
      for (let i = 0; i < 10; i++) {
        await sql().transaction((tx) =>
          appendAudit(tx, { actor: 'system', action: 'offer.create', details: { i } }),
        );
      }
      expect(await verifyAuditChain(sql())).toMatchObject({ ok: true, count: 11 });
      const seqs = (
        await sql().query<{ seq: number }>('SELECT seq FROM audit_log ORDER BY seq')
      ).rows.map((r) => Number(r.seq));
      expect(seqs[0]).toBe(1);
      expect(new Set(seqs).size).toBe(11); // the sequence continues after the old rows
      // Tampering with the legacy row is still caught.
      await sql().query(`UPDATE audit_log SET actor = 'apikey:x' WHERE seq = 1`);
      expect(await verifyAuditChain(sql())).toMatchObject({
        ok: false,
        chain: 1,
        chainSeq: 1,
        reason: 'hash_mismatch',
      });
    });
  },
  { migrations: SERVER_KIT_MIGRATIONS.slice(0, 2) },
);
