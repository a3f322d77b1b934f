/**
 * bench/verifier — verifications per second through the verifier's HTTP API (issue 4 §6).
 *
 * What one "verification" is: a wallet's `direct_post.jwt` POST to its transaction's response URI
 * — decrypt the JWE (ECDH-ES P-256, A256GCM), verify the SD-JWT VC presentation (issuer ES256
 * signature with the key from the registry, disclosure, KB-JWT ES256 signature, nonce, client_id,
 * issuer authorised for the type, status from the cached list), check the DCQL query, then
 * atomically complete the transaction with its sealed result, audit entry and webhook row.
 *
 * Setup (not timed): N transactions of the convenience store (`age-over-19` preset), their request
 * objects fetched, and for each one a wallet response (a resident card's `age_over_19`, KB-JWT bound
 * to that transaction's nonce, encrypted to its key), each from one of 64 holders.
 *
 * Measured in ONE run:
 * - reference: the SDK's in-process `verifyPresentation` on the same kind of vp_token (status
 *   cache warm), the work the HTTP path does minus JWE, HTTP and the store;
 * - HTTP: autocannon in a SECOND process on loopback, every prepared response posted once, at 50
 *   and at 500 concurrent connections: verifications/s, p50/p99 latency, and the ratio to the
 *   reference.
 * Targets: ≥ 0.6 of the in-process rate; p99 < 50 ms at 500 connections.
 *
 * Store: PostgreSQL on 127.0.0.1:5432 when reachable (a fresh database, dropped afterwards), else
 * embedded PGlite (in the server's own process). BENCH_VERIFIER_N sets N (default 6000 per run),
 * BENCH_VERIFIER_DB=pglite forces PGlite.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCompactJws } from '@openmid/core/jose';
import { type GeneratedKeyPair, generateKeyPair } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { type HeldSdJwt, parseSdJwt, presentSdJwt } from '@openmid/core/sd-jwt';
import {
  migrate,
  openPglite,
  openPostgres,
  type Sql,
  serve,
  silentLogger,
} from '@openmid/server-kit';
import {
  encryptResponse,
  parseResponseEncryptionJwk,
  type VerifyPolicy,
  verifyPresentation,
} from '@openmid/verifier';
import {
  ALL_MIGRATIONS,
  createPresentationRequest,
  fetchRequestObject,
  PRESETS,
  receiveResponse,
} from '@openmid/verifier-service';
import { makeVerifier, type TestVerifier } from '@openmid/verifier-service/testing';
import pg from 'pg';
import { compare, fmtRate, target } from '../lib.js';
import { measureQr, printQr } from './qr.js';

useNodeCrypto();
const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env['BENCH_VERIFIER_N'] ?? 6000);
const CONNECTIONS = [50, 500];
const POOL = Number(process.env['BENCH_VERIFIER_POOL'] ?? 8);
const HOLDERS = 64;
const DCQL = PRESETS['age-over-19'] as NonNullable<(typeof PRESETS)['age-over-19']>;

/** A store: PostgreSQL (fresh database) when reachable, else PGlite. */
async function openBenchStore(): Promise<{ sql: Sql; name: string; drop: () => Promise<void> }> {
  if (process.env['BENCH_VERIFIER_DB'] !== 'pglite') {
    for (const user of ['postgres', 'root']) {
      const admin = `postgres://${user}@127.0.0.1:5432/postgres`;
      const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
      } catch {
        continue;
      }
      const db = `openmid_bench_${randomBytes(6).toString('hex')}`;
      await client.query(`CREATE DATABASE ${db}`);
      await client.end();
      // Co-located like a real deployment: the Unix socket when there is one, else TCP loopback.
      const socket = existsSync('/var/run/postgresql/.s.PGSQL.5432');
      const url = socket
        ? `postgresql://${user}@/${db}?host=/var/run/postgresql`
        : `postgres://${user}@127.0.0.1:5432/${db}`;
      const sql = await openPostgres({ url, max: POOL });
      return {
        sql,
        name: `PostgreSQL ${socket ? 'Unix socket' : '127.0.0.1'} (pool ${POOL})`,
        drop: async () => {
          await sql.close();
          const c = new pg.Client({ connectionString: admin });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
          await c.end();
        },
      };
    }
  }
  const sql = await openPglite();
  return { sql, name: 'PGlite (embedded, in the server process)', drop: () => sql.close() };
}

/** Busy share of all cores since `since` (from /proc/stat through os.cpus()). */
function machineBusy(since?: { busy: number; total: number }): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  if (since === undefined) return { busy, total };
  return { busy: (busy - since.busy) / (total - since.total), total: total - since.total };
}

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

interface Holder {
  readonly key: GeneratedKeyPair;
  readonly held: HeldSdJwt;
}

async function answer(
  holder: Holder,
  nonce: string,
  aud: string,
  iat: number,
): Promise<Record<string, string[]>> {
  const presentation = await presentSdJwt(holder.held, {
    paths: [['age_over_19']],
    keyBinding: { signer: holder.key.signer, aud, nonce, iat },
  });
  return { resident_card: [presentation] };
}

/** N transactions with their request objects fetched, and one encrypted response each. */
async function prepare(v: TestVerifier, holders: readonly Holder[], n: number): Promise<string> {
  const lines = await pool(Array.from({ length: n }), 8, async (_x, i) => {
    const created = await createPresentationRequest(v.ctx, {
      rpId: 'convenience-store',
      preset: 'age-over-19',
      actor: 'bench',
    });
    const requestId = created.request_uri.slice(created.request_uri.lastIndexOf('/') + 1);
    const jwt = await fetchRequestObject(v.ctx, requestId);
    const { payload } = decodeCompactJws(jwt);
    const metadata = payload['client_metadata'] as { jwks: { keys: unknown[] } };
    const key = parseResponseEncryptionJwk(metadata.jwks.keys[0]);
    const vpToken = await answer(
      holders[i % holders.length] as Holder,
      payload['nonce'] as string,
      payload['client_id'] as string,
      v.clock.now,
    );
    const response = await encryptResponse({ vp_token: vpToken }, key, 'A256GCM');
    const path = new URL(payload['response_uri'] as string).pathname;
    return JSON.stringify({ path, body: new URLSearchParams({ response }).toString() });
  });
  const file = join(mkdtempSync(join(tmpdir(), 'openmid-bench-verifier-')), 'bodies.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface Load {
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly statuses: Record<string, number>;
  readonly cpuSeconds: number;
}

function runLoad(origin: string, file: string, connections: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@openmid/source',
        '--import',
        'tsx',
        join(here, 'load.ts'),
        origin,
        file,
        String(connections),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as Load);
    });
  });
}

const store = await openBenchStore();
try {
  await migrate(store.sql, ALL_MIGRATIONS);
  const v = await makeVerifier(store.sql, {
    now: Math.floor(Date.now() / 1000),
    logger: silentLogger(),
    env: { VERIFIER_REQUEST_TTL: '3600' },
  });
  const holders: Holder[] = [];
  for (let i = 0; i < HOLDERS; i++) {
    const key = await generateKeyPair('ES256');
    holders.push({
      key,
      held: parseSdJwt(await v.issuer.issue('resident-id', key, { idx: 10 + i })),
    });
  }

  // Reference: the SDK in process, same kind of vp_token, status cache warm.
  const aud = 'verifier_attestation:convenience-store';
  const nonce = 'bench-reference-nonce-0123456789';
  const tokens = await Promise.all(holders.map((h) => answer(h, nonce, aud, v.clock.now)));
  const policy: VerifyPolicy = {
    trust: v.ctx.trust,
    statusLists: v.ctx.statusLists,
    nonce,
    aud,
    now: v.clock.now,
  };
  await verifyPresentation({ vpToken: tokens[0], dcql: DCQL }, policy);
  let k = 0;
  const [reference] = await compare(
    [
      {
        name: 'SDK verifyPresentation (in process)',
        fn: () => verifyPresentation({ vpToken: tokens[k++ % tokens.length], dcql: DCQL }, policy),
      },
    ],
    { rounds: 7, roundMs: 400 },
  );
  const sdkRate = reference?.opsPerSec ?? Number.NaN;

  // The service verb in process, one at a time (no HTTP, no concurrency): JWE + SDK + store.
  const verbBodies = readFileSync(await prepare(v, holders, 500), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { path: string; body: string });
  const verbStart = performance.now();
  for (const b of verbBodies)
    await receiveResponse(v.ctx, b.path.slice(b.path.lastIndexOf('/') + 1), b.body);
  const verbRate = (verbBodies.length * 1000) / (performance.now() - verbStart);

  const server = await serve(v.verifier.app, {
    port: 0,
    logger: silentLogger(),
    handleSignals: false,
  });
  console.log(
    `store: ${store.name}; ${N} verifications per run; ${HOLDERS} holders; load generator: autocannon, second process, loopback`,
  );
  console.log(
    `reference: SDK verifyPresentation in process: ${fmtRate(sdkRate)} verifications/s (${(1e6 / sdkRate).toFixed(0)} µs each)`,
  );
  console.log(
    `service verb in process, sequential (JWE + SDK + store, no HTTP): ${fmtRate(verbRate)}/s (${(verbRate / sdkRate).toFixed(3)} × SDK)`,
  );
  console.log(
    `\n${'connections'.padStart(11)}  ${'verif/s'.padStart(9)}  ${'× SDK'.padStart(6)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}  ${'non-2xx'.padStart(7)}  ${'server CPU'.padStart(10)}  ${'load CPU'.padStart(8)}  ${'machine'.padStart(7)}`,
  );
  const results: { connections: number; load: Load }[] = [];
  for (const connections of CONNECTIONS) {
    const file = await prepare(v, holders, N);
    const cpu0 = process.cpuUsage();
    const machine0 = machineBusy();
    const load = await runLoad(server.url, file, connections);
    const cpu = process.cpuUsage(cpu0);
    const machine = machineBusy(machine0);
    const serverCpu = (cpu.user + cpu.system) / 1e6 / load.seconds;
    results.push({ connections, load });
    console.log(
      `${String(connections).padStart(11)}  ${fmtRate(load.perSecond).padStart(9)}  ${(load.perSecond / sdkRate).toFixed(3).padStart(6)}  ${String(load.p50).padStart(7)}  ${String(load.p99).padStart(7)}  ${String(load.non2xx + load.errors).padStart(7)}  ${`${(serverCpu * 100).toFixed(0)} %`.padStart(10)}  ${`${((load.cpuSeconds / load.seconds) * 100).toFixed(0)} %`.padStart(8)}  ${`${(machine.busy * 100).toFixed(0)} %`.padStart(7)}`,
    );
    if (load.non2xx > 0) console.log(`   statuses: ${JSON.stringify(load.statuses)}`);
  }
  const completed = await store.sql.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM verifier_transactions WHERE state = 'completed'",
  );
  console.log(`transactions completed: ${completed.rows[0]?.n} of ${N * CONNECTIONS.length + 500}`);
  const best = Math.max(...results.map((r) => r.load.perSecond));
  console.log(target('HTTP verifications/s ÷ SDK in-process rate', best / sdkRate, 0.6));
  const at500 = results.find((r) => r.connections === 500)?.load;
  if (at500 !== undefined)
    console.log(
      `${at500.p99 < 50 ? 'PASS' : 'MISS'}  p99 at 500 connections: ${at500.p99} ms (target < 50 ms)`,
    );
  await server.close();
  await v.verifier.stop();
  printQr(await measureQr());
} finally {
  await store.drop();
}
