/**
 * Crash safety (issue 3 §4; SECURITY.md "A crash at any moment (kill -9) loses no committed issuance
 * or revocation and leaves nothing half-done"). The issuer runs as a child process over real HTTP,
 * on a PGlite data folder and on PostgreSQL; it is killed with SIGKILL in the middle of a
 * 10,000-offer population batch and in the middle of a burst of revocations, then restarted:
 *
 * - nothing committed is lost (offers counted before the kill are still there; every issued
 *   credential is still there), nothing is issued twice (one offer per citizen per batch; one
 *   credential set per offer), no status index is allocated twice;
 * - every revocation that answered 200 is in the published status list after the restart;
 * - the batch resumes and completes; the audit chain verifies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCompactJws } from '@openmid/core/jose';
import { type GeneratedKeyPair, generateKeyPair, verifierFromJwk } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { verifyStatusListToken } from '@openmid/core/status-list';
import { openPglite, openPostgres, type Sql, verifyAuditChain } from '@openmid/server-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { accessTokenHash } from './oauth/dpop.js';
import { PRE_AUTHORIZED_GRANT } from './services/offers.js';

useNodeCrypto();

const ROOT = new URL('../../../', import.meta.url).pathname;
const CITIZENS = 10_500;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every child started, so that a failing test leaves none running. */
const children = new Set<ChildProcess>();

interface Child {
  proc: ChildProcess;
  base: string;
  adminKey: string;
}

async function startChild(
  env: Record<string, string>,
  dataDir: string,
  port: number,
): Promise<Child> {
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(
    process.execPath,
    ['--conditions=@openmid/source', '--import', 'tsx', join(ROOT, 'apps/issuer/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: String(port),
        ISSUER_URL: base,
        DATA_DIR: dataDir,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        ISSUER_RATE_LIMIT: '0',
        ISSUER_SEED_CITIZENS: String(CITIZENS),
        ISSUER_SEED: 'crash-test',
        ISSUER_BATCH_CHUNK: '250',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`issuer exited: ${stderr.slice(-2000)}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`issuer did not start: ${stderr.slice(-2000)}`);
    await sleep(100);
  }
  const adminKey = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
  return { proc, base, adminKey };
}

async function kill9(child: Child): Promise<void> {
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.kill('SIGKILL');
  await exited;
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode !== null) return;
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.kill('SIGTERM');
  await exited;
}

function admin(child: Child, path: string, body?: unknown): Promise<Response> {
  return fetch(`${child.base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${child.adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A wallet over real HTTP: offer → token → nonce → credential. */
async function obtain(child: Child, citizenId: string, copies: number): Promise<string[]> {
  const o = await admin(child, '/admin/offers', {
    type: 'resident-id',
    citizen_id: citizenId,
    copies,
  });
  const offer = (await o.json()) as { credential_offer_uri: string; tx_code: string };
  const u = new URL(offer.credential_offer_uri.replace('openid-credential-offer://', 'https://x/'));
  const code = (
    JSON.parse(u.searchParams.get('credential_offer') ?? '{}') as {
      grants: Record<string, { 'pre-authorized_code': string }>;
    }
  ).grants[PRE_AUTHORIZED_GRANT]?.['pre-authorized_code'] as string;
  const dpopKey = await generateKeyPair('ES256');
  const dpop = (htu: string, extra: Record<string, unknown> = {}) =>
    signCompactJws(
      {
        jti: randomBytes(12).toString('base64url'),
        htm: 'POST',
        htu,
        iat: Math.floor(Date.now() / 1000),
        ...extra,
      },
      { typ: 'dpop+jwt', signer: dpopKey.signer, header: { jwk: dpopKey.publicJwk } },
    );
  const t = await fetch(`${child.base}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      dpop: await dpop(`${child.base}/token`),
    },
    body: new URLSearchParams({
      grant_type: PRE_AUTHORIZED_GRANT,
      'pre-authorized_code': code,
      tx_code: offer.tx_code,
    }).toString(),
  });
  const { access_token } = (await t.json()) as { access_token: string };
  const { c_nonce } = (await (await fetch(`${child.base}/nonce`, { method: 'POST' })).json()) as {
    c_nonce: string;
  };
  const jwts: string[] = [];
  for (let i = 0; i < copies; i++) {
    const k: GeneratedKeyPair = await generateKeyPair('ES256');
    jwts.push(
      await signCompactJws(
        { aud: child.base, iat: Math.floor(Date.now() / 1000), nonce: c_nonce },
        { typ: 'openid4vci-proof+jwt', signer: k.signer, header: { jwk: k.publicJwk } },
      ),
    );
  }
  const c = await fetch(`${child.base}/credential`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `DPoP ${access_token}`,
      dpop: await dpop(`${child.base}/credential`, { ath: accessTokenHash(access_token) }),
    },
    body: JSON.stringify({ credential_configuration_id: 'resident-id', proofs: { jwt: jwts } }),
  });
  if (c.status !== 200) throw new Error(`credential ${c.status} ${await c.text()}`);
  const body = (await c.json()) as { credentials: { credential: string }[] };
  return body.credentials.map((x) => x.credential);
}

function statusRef(credential: string): { uri: string; idx: number } {
  const payload = JSON.parse(
    Buffer.from(credential.split('~')[0]?.split('.')[1] ?? '', 'base64url').toString(),
  ) as { status: { status_list: { uri: string; idx: number } } };
  return payload.status.status_list;
}

interface Backend {
  readonly name: string;
  env(): Record<string, string>;
  open(dataDir: string): Promise<Sql>;
  setup(): Promise<boolean>;
  teardown(): Promise<void>;
}

function pgBackend(): Backend {
  const candidates = process.env['DATABASE_URL']
    ? [process.env['DATABASE_URL']]
    : ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'];
  let server: string | undefined;
  let url: string | undefined;
  const database = `openmid_crash_${randomBytes(6).toString('hex')}`;
  const adminQuery = async (text: string) => {
    const c = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  return {
    name: 'pg',
    env: () => ({ DATABASE_URL: url as string }),
    open: () => openPostgres({ url: url as string }),
    async setup() {
      for (const candidate of candidates) {
        const c = new pg.Client({ connectionString: candidate, connectionTimeoutMillis: 2000 });
        try {
          await c.connect();
          server = candidate;
          break;
        } catch {
          // next
        } finally {
          await c.end().catch(() => undefined);
        }
      }
      if (server === undefined) {
        if (process.env['CI']) throw new Error('PostgreSQL unreachable and CI is set');
        return false;
      }
      await adminQuery(`CREATE DATABASE ${database}`);
      const u = new URL(server);
      u.pathname = `/${database}`;
      url = u.toString();
      return true;
    },
    async teardown() {
      if (server !== undefined)
        await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

const pgliteBackend: Backend = {
  name: 'pglite',
  env: () => ({}),
  open: (dataDir) => openPglite({ dataDir: join(dataDir, 'pglite') }),
  setup: async () => true,
  teardown: async () => undefined,
};

for (const backend of [pgliteBackend, pgBackend()]) {
  describe(`crash safety [${backend.name}]`, () => {
    let available = false;
    const dataDir = mkdtempSync(join(tmpdir(), 'openmid-crash-'));
    beforeAll(async () => {
      available = await backend.setup();
    });
    afterAll(async () => {
      for (const p of children) p.kill('SIGKILL');
      await backend.teardown();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('kill -9 during a 10,000-offer batch and a revocation burst loses nothing committed', async (ctx) => {
      if (!available) ctx.skip();
      // The issuer's URL (and so its status list URIs) stays the same across restarts.
      const port = await freePort();
      // 1. Start, issue some credentials, start a population batch, kill it half way.
      let child = await startChild(backend.env(), dataDir, port);
      const issued: string[] = [];
      for (let i = 0; i < 4; i++)
        issued.push(...(await obtain(child, `demo-${String(i).padStart(7, '0')}`, 10)));
      const started = await admin(child, '/admin/batches', { type: 'driving-licence' });
      expect(started.status).toBe(202);
      const batch = (await started.json()) as { batch_id: string; total: number };
      expect(batch.total).toBeGreaterThanOrEqual(10_000);
      let seen = 0;
      for (;;) {
        const b = (await (await admin(child, `/admin/batches/${batch.batch_id}`)).json()) as {
          offered: number;
        };
        seen = b.offered;
        if (seen >= 1000) break;
      }
      await kill9(child);
      expect(seen).toBeLessThan(batch.total);

      // 2. Restart: the batch's committed offers are there; resume it and issue more.
      child = await startChild(backend.env(), dataDir, port);
      const after = (await (await admin(child, `/admin/batches/${batch.batch_id}`)).json()) as {
        offered: number;
        state: string;
      };
      expect(after.offered).toBeGreaterThanOrEqual(seen);
      expect(after.state).toBe('running');
      expect((await admin(child, `/admin/batches/${batch.batch_id}/resume`, {})).status).toBe(202);
      for (;;) {
        const b = (await (await admin(child, `/admin/batches/${batch.batch_id}`)).json()) as {
          state: string;
        };
        if (b.state === 'completed') break;
        await sleep(50);
      }
      issued.push(...(await obtain(child, 'demo-0000010', 10)));

      // 3. A burst of revocations, killed after some have answered 200.
      const ids = (await (await admin(child, '/admin/credentials?limit=500')).json()) as {
        credentials: { credential_id: string; status_list: { id: number; idx: number } }[];
      };
      const targets = ids.credentials.slice(0, 40);
      const answered: { id: number; idx: number }[] = [];
      const burst = Promise.allSettled(
        targets.map(async (c, i) => {
          await sleep(i * 3);
          const r = await admin(child, `/admin/credentials/${c.credential_id}/revoke`, {});
          if (r.status === 200) answered.push(c.status_list);
        }),
      );
      while (answered.length < 10) await sleep(1);
      await kill9(child);
      await burst;
      // Killed mid-burst: some revocations never got an answer.
      expect(answered.length).toBeLessThan(targets.length);

      // 4. Restart: every revocation that answered 200 is in the published list.
      child = await startChild(backend.env(), dataDir, port);
      const issuerKey = await (async () => {
        const jwks = (await (await fetch(`${child.base}/.well-known/jwks.json`)).json()) as {
          keys: unknown[];
        };
        return verifierFromJwk(jwks.keys[0]);
      })();
      const lists = new Map<number, Awaited<ReturnType<typeof verifyStatusListToken>>>();
      for (const a of answered) {
        if (!lists.has(a.id)) {
          const uri = `${child.base}/status-lists/${a.id}`;
          const token = await (await fetch(uri)).text();
          lists.set(a.id, await verifyStatusListToken(token, { uri, key: issuerKey }));
        }
        expect(lists.get(a.id)?.list.get(a.idx)).toBe(1);
      }
      // Issued credentials still verify against their lists' existence; more issuance works.
      issued.push(...(await obtain(child, 'demo-0000011', 3)));
      for (const c of issued) expect(statusRef(c).idx).toBeGreaterThanOrEqual(0);
      await stop(child);

      // 5. The database: nothing twice, nothing half-done, the audit chain intact.
      const sql = await backend.open(dataDir);
      try {
        const one = async (text: string, params: unknown[] = []) =>
          (await sql.query<{ n: number }>(text, params as never)).rows[0]?.n;
        expect(
          await one(
            'SELECT count(*)::int AS n FROM (SELECT list_id, idx FROM credentials GROUP BY list_id, idx HAVING count(*) > 1) d',
          ),
        ).toBe(0);
        expect(
          await one(
            'SELECT count(*)::int AS n FROM (SELECT citizen_id FROM offers WHERE batch_id = $1 GROUP BY citizen_id HAVING count(*) > 1) d',
            [batch.batch_id],
          ),
        ).toBe(0);
        expect(
          await one('SELECT count(*)::int AS n FROM offers WHERE batch_id = $1', [batch.batch_id]),
        ).toBe(batch.total);
        expect(
          await one(
            'SELECT count(*)::int AS n FROM (SELECT offer_id FROM credentials GROUP BY offer_id HAVING count(DISTINCT notification_id) > 1) d',
          ),
        ).toBe(0);
        expect(
          await one(
            "SELECT count(*)::int AS n FROM offers o WHERE state = 'issued' AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.offer_id = o.id)",
          ),
        ).toBe(0);
        expect(await one('SELECT count(*)::int AS n FROM credentials')).toBe(issued.length);
        expect(
          await one(
            'SELECT count(*)::int AS n FROM status_lists WHERE version > published_version',
          ),
        ).toBe(0);
        const chain = await verifyAuditChain(sql);
        expect(chain.ok).toBe(true);
      } finally {
        await sql.close();
      }
    });
  });
}
