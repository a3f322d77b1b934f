/**
 * @module bench/issuer
 * Issuer benchmarks (issue 3 §5), each figure with its reference measured in the same run:
 *
 * 1. reference: a minimal SD-JWT issuance written here — fresh 128-bit salts, Disclosure digests
 *    and one ES256 signature per credential (node:crypto) — the engine's raw issuance rate;
 * 2. end-to-end issuance over HTTP on loopback (admin offer → token with DPoP → nonce → credential
 *    with DPoP and a key proof), the issuer in its own process (and then two processes, "stateless
 *    over PostgreSQL"), on PGlite and on PostgreSQL, with 1 and 4 copies per request: credentials/s
 *    and the ratio to (1);
 * 3. revocation: latency of one revocation (admin call → published list) in a list of 2^20 and of
 *    52 million entries; time and size to publish a 52-million-entry list.
 *
 * `npm run bench -- issuer` (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_PG=0 to skip PostgreSQL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useNodeCrypto } from '@openmid/core/node';
import {
  ALL_MIGRATIONS,
  changeStatus,
  createIssuer,
  loadIssuerConfig,
  seedDemoRegister,
} from '@openmid/issuer';
import { migrate, openPostgres, type Sql, silentLogger, staticKms } from '@openmid/server-kit';
import pg from 'pg';
import { compare, printTable } from '../lib.js';

useNodeCrypto();
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 48);
const WITH_PG = process.env['BENCH_PG'] !== '0';
const ONLY = process.env['BENCH_ONLY'] ?? '';
const ROOT = new URL('../../', import.meta.url).pathname;
const PRE = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// 1. Reference: minimal issuance (salts, digests, one signature).
const b64u = (b: Buffer | Uint8Array | string) =>
  (typeof b === 'string' ? Buffer.from(b) : Buffer.from(b)).toString('base64url');
const { privateKey: refKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const CLAIMS: [string, unknown][] = [
  ['name', '홍길동'],
  ['name_hanja', '洪吉童'],
  ['rrn', '900101-1234567'],
  ['birth_date', '1990-01-01'],
  ['address', '서울특별시 종로구 세종대로 209'],
  ['issue_date', '2025-03-28'],
  ['issuing_authority', '서울특별시 종로구청장'],
  ['age_over_19', true],
];
function minimalIssuance(): string {
  const disclosures: string[] = [];
  const sd: string[] = [];
  for (const [name, value] of CLAIMS) {
    const d = b64u(JSON.stringify([b64u(randomBytes(16)), name, value]));
    disclosures.push(d);
    sd.push(createHash('sha256').update(d).digest('base64url'));
  }
  const header = b64u(JSON.stringify({ alg: 'ES256', typ: 'dc+sd-jwt' }));
  const payload = b64u(
    JSON.stringify({
      iss: 'https://issuer.example',
      vct: 'urn:x',
      exp: 2e9,
      _sd: sd.sort(),
      _sd_alg: 'sha-256',
    }),
  );
  const sig = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key: refKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${header}.${payload}.${b64u(sig)}~${disclosures.join('~')}~`;
}
const [ref] = await compare(
  [{ name: 'minimal issuance (salts, digests, 1 ES256)', fn: minimalIssuance }],
  {
    rounds: 5,
    roundMs: 300,
  },
);
const refRate = ref?.opsPerSec ?? 1;
printTable('Reference: raw issuance rate (this process, one core)', ref === undefined ? [] : [ref]);

// ---------------------------------------------------------------------------------------------
// HTTP client: keep-alive agent, minimal overhead.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
function http(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

function ecKey(): { key: KeyObject; jwk: Record<string, string> } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  return {
    key: createPrivateKey({ key: jwk, format: 'jwk' }),
    jwk: { kty: 'EC', crv: 'P-256', x: jwk['x'] as string, y: jwk['y'] as string },
  };
}
function jws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

// ---------------------------------------------------------------------------------------------
// 2. End to end over HTTP.
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

interface Instance {
  proc: ChildProcess;
  base: string;
}
async function startInstance(
  env: Record<string, string>,
  port: number,
  base: string,
): Promise<Instance> {
  const flags = (process.env['BENCH_SERVER_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  const proc = spawn(
    process.execPath,
    [
      ...flags,
      '--conditions=@openmid/source',
      '--import',
      'tsx',
      join(ROOT, 'apps/issuer/src/main.ts'),
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: String(port),
        ISSUER_URL: base,
        NODE_ENV: 'development',
        LOG_LEVEL: process.env['BENCH_SERVER_LOG'] === undefined ? 'error' : 'info',
        ISSUER_RATE_LIMIT: '0',
        ...env,
      },
      stdio: [
        'ignore',
        process.env['BENCH_SERVER_LOG'] === undefined ? 'ignore' : 'pipe',
        'inherit',
      ],
    },
  );
  if (process.env['BENCH_SERVER_LOG'] !== undefined) {
    const { createWriteStream } = await import('node:fs');
    proc.stdout?.pipe(createWriteStream(process.env['BENCH_SERVER_LOG'], { flags: 'a' }));
  }
  const self = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await http(`${self}/readyz`)).status === 200) return { proc, base: self };
    } catch {
      // starting
    }
    await sleep(100);
  }
  throw new Error('issuer did not start');
}

async function stopInstance(i: Instance): Promise<void> {
  const exited = new Promise((r) => i.proc.once('exit', r));
  i.proc.kill('SIGTERM');
  await exited;
}

interface Offer {
  readonly credential_offer_uri: string;
  readonly tx_code: string;
}

/** One citizen's issuance: offer → token → nonce → credential; returns credentials obtained. */
async function flow(
  admin: string,
  target: string,
  issuer: string,
  citizen: string,
  copies: number,
): Promise<number> {
  const o = await http(`${target}/admin/offers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'resident-id', citizen_id: citizen, copies }),
  });
  if (o.status !== 201) throw new Error(`offer ${o.status} ${o.body}`);
  return redeemOffer(target, issuer, JSON.parse(o.body) as Offer, copies);
}

/** A wallet redeeming an offer: token → nonce → credential. */
async function redeemOffer(
  target: string,
  issuer: string,
  offer: Offer,
  copies: number,
): Promise<number> {
  const q = new URL(offer.credential_offer_uri.replace('openid-credential-offer://', 'https://x/'));
  const code = (
    JSON.parse(q.searchParams.get('credential_offer') ?? '{}') as {
      grants: Record<string, { 'pre-authorized_code': string }>;
    }
  ).grants[PRE]?.['pre-authorized_code'] as string;
  const device = ecKey();
  const now = () => Math.floor(Date.now() / 1000);
  const dpop = (htu: string, extra: Record<string, unknown> = {}) =>
    jws(
      { alg: 'ES256', typ: 'dpop+jwt', jwk: device.jwk },
      { jti: b64u(randomBytes(12)), htm: 'POST', htu, iat: now(), ...extra },
      device.key,
    );
  const t = await http(`${target}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: dpop(`${issuer}/token`) },
    body: new URLSearchParams({
      grant_type: PRE,
      'pre-authorized_code': code,
      tx_code: offer.tx_code,
    }).toString(),
  });
  if (t.status !== 200) throw new Error(`token ${t.status} ${t.body}`);
  const token = (JSON.parse(t.body) as { access_token: string }).access_token;
  const n = await http(`${target}/nonce`, { method: 'POST' });
  const nonce = (JSON.parse(n.body) as { c_nonce: string }).c_nonce;
  const proofs: string[] = [];
  for (let i = 0; i < copies; i++) {
    const holder = ecKey();
    proofs.push(
      jws(
        { alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: holder.jwk },
        { aud: issuer, iat: now(), nonce },
        holder.key,
      ),
    );
  }
  const ath = createHash('sha256').update(token).digest('base64url');
  const c = await http(`${target}/credential`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `DPoP ${token}`,
      dpop: dpop(`${issuer}/credential`, { ath }),
    },
    body: JSON.stringify({ credential_configuration_id: 'resident-id', proofs: { jwt: proofs } }),
  });
  if (c.status !== 200) throw new Error(`credential ${c.status} ${c.body}`);
  return (JSON.parse(c.body) as { credentials: unknown[] }).credentials.length;
}

interface E2eResult {
  readonly batchOffersPerSecond?: number;
  readonly label: string;
  readonly credentialsPerSecond: number;
  readonly flowsPerSecond: number;
  readonly ratio: number;
}

async function e2e(
  label: string,
  env: Record<string, string>,
  options: {
    instances: number;
    copies: readonly number[];
    citizens: number;
    offers: 'admin' | 'batch';
  },
): Promise<E2eResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'openmid-bench-issuer-'));
  const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const issuer = `http://127.0.0.1:${ports[0]}`;
  const common = {
    DATA_DIR: dir,
    ISSUER_SEED_CITIZENS: String(options.citizens),
    ISSUER_BATCH_SIZE: '10',
    ...env,
  };
  const instances: Instance[] = [];
  try {
    instances.push(await startInstance(common, ports[0] as number, issuer));
    for (let i = 1; i < options.instances; i++) {
      // Same ISSUER_URL, DATA_DIR (keys) and database: a horizontally scaled issuer.
      instances.push(await startInstance(common, ports[i] as number, issuer));
    }
    const admin = readFileSync(join(dir, 'admin-api-key'), 'utf8').trim();
    const out: E2eResult[] = [];
    let next = 0;
    for (const copies of options.copies) {
      let pool: Offer[] = [];
      let batchRate = 0;
      if (options.offers === 'batch') {
        const b0 = performance.now();
        const started = await http(`${instances[0]?.base}/admin/batches`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'resident-id', copies }),
        });
        const batch = JSON.parse(started.body) as { batch_id: string };
        for (;;) {
          const st = JSON.parse(
            (
              await http(`${instances[0]?.base}/admin/batches/${batch.batch_id}`, {
                headers: { authorization: `Bearer ${admin}` },
              })
            ).body,
          ) as { state: string; offered: number };
          if (st.state === 'completed') {
            batchRate = st.offered / ((performance.now() - b0) / 1000);
            break;
          }
          await sleep(20);
        }
        let after = '';
        for (;;) {
          const page = JSON.parse(
            (
              await http(
                `${instances[0]?.base}/admin/batches/${batch.batch_id}/offers?limit=1000${after === '' ? '' : `&after=${after}`}`,
                { headers: { authorization: `Bearer ${admin}` } },
              )
            ).body,
          ) as { offers: (Offer & { citizen_id: string })[] };
          pool.push(...page.offers);
          if (page.offers.length < 1000) break;
          after = page.offers.at(-1)?.citizen_id ?? '';
        }
      }
      const takeOffer = (): Offer => {
        const o = pool.pop();
        if (o === undefined) throw new Error('offer pool exhausted');
        return o;
      };
      const one = (target: string) =>
        options.offers === 'batch'
          ? redeemOffer(target, issuer, takeOffer(), copies)
          : flow(
              admin,
              target,
              issuer,
              `demo-${String(next++ % options.citizens).padStart(7, '0')}`,
              copies,
            );
      // Warm-up.
      await Promise.all(
        Array.from({ length: 8 }, (_, w) => one(instances[w % instances.length]?.base as string)),
      );
      let credentials = 0;
      let flows = 0;
      const end = performance.now() + SECONDS * 1000;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, w) => {
          const target = instances[w % instances.length]?.base as string;
          while (performance.now() < end && (options.offers === 'admin' || pool.length > 0)) {
            const got = await one(target);
            credentials += got;
            flows++;
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      const rate = credentials / seconds;
      out.push({
        label: `${label}, ${options.instances} proc, ${options.offers === 'batch' ? 'batch offers' : 'admin offer'}, ${copies} cop${copies === 1 ? 'y' : 'ies'}`,
        credentialsPerSecond: rate,
        flowsPerSecond: flows / seconds,
        ratio: rate / refRate,
        ...(options.offers === 'batch' ? { batchOffersPerSecond: batchRate } : {}),
      });
      pool = [];
    }
    return out;
  } finally {
    for (const i of instances) await stopInstance(i).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const server = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `openmid_bench_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: server, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => undefined);
  }
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: server });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

const results: E2eResult[] = [];
if (ONLY === '' || ONLY === 'pglite') {
  results.push(
    ...(await e2e('PGlite', {}, { instances: 1, copies: [1, 4], citizens: 2000, offers: 'admin' })),
  );
  results.push(
    ...(await e2e(
      'PGlite',
      {},
      { instances: 1, copies: [1, 10], citizens: 4000, offers: 'batch' },
    )),
  );
}
if (WITH_PG && (ONLY === '' || ONLY === 'pg' || ONLY === 'pgbatch')) {
  const runs =
    ONLY === 'pgbatch'
      ? [{ instances: 1, copies: [1, 10], citizens: 8000, offers: 'batch' as const }]
      : [
          { instances: 1, copies: [1, 4], citizens: 2000, offers: 'admin' as const },
          { instances: 1, copies: [1, 4, 10], citizens: 8000, offers: 'batch' as const },
          { instances: 2, copies: [1, 4], citizens: 2000, offers: 'admin' as const },
          { instances: 2, copies: [1, 4, 10], citizens: 8000, offers: 'batch' as const },
        ];
  for (const run of runs) {
    const db = await pgDatabase();
    if (db === undefined) {
      console.log('PostgreSQL unreachable: skipped');
      break;
    }
    try {
      results.push(...(await e2e('PostgreSQL', { DATABASE_URL: db.url }, run)));
    } finally {
      await db.drop();
    }
  }
}
console.log(
  `\nEnd-to-end issuance over HTTP (loopback, ${CONCURRENCY} concurrent clients in this process, ${SECONDS} s each)`,
);
console.log(
  `${'case'.padEnd(54)}  ${'creds/s'.padStart(8)}  ${'flows/s'.padStart(8)}  ${'× ref'.padStart(7)}  ${'batch offers/s'.padStart(14)}`,
);
for (const r of results) {
  console.log(
    `${r.label.padEnd(54)}  ${r.credentialsPerSecond.toFixed(0).padStart(8)}  ${r.flowsPerSecond.toFixed(0).padStart(8)}  ${r.ratio.toFixed(3).padStart(7)}  ${(r.batchOffersPerSecond === undefined ? '' : r.batchOffersPerSecond.toFixed(0)).padStart(14)}`,
  );
}
const bestPg = Math.max(
  0,
  ...results.filter((r) => r.label.startsWith('PostgreSQL')).map((r) => r.credentialsPerSecond),
);
console.log(
  `${bestPg >= 1000 ? 'PASS' : 'MISS'}  end-to-end on PostgreSQL: ${bestPg.toFixed(0)} credentials/s (target ≥ 1000)`,
);

// ---------------------------------------------------------------------------------------------
// 3. Revocation latency and publication of large lists (in process, PostgreSQL).
async function revocationBench(size: number, nonValid: number, db: { url: string }): Promise<void> {
  const sql: Sql = await openPostgres({ url: db.url });
  const dir = mkdtempSync(join(tmpdir(), 'openmid-bench-status-'));
  try {
    await migrate(sql, ALL_MIGRATIONS);
    const config = loadIssuerConfig({
      DATA_DIR: dir,
      NODE_ENV: 'test',
      ISSUER_URL: 'https://issuer.example',
      ISSUER_STATUS_LIST_SIZE: String(size),
      ISSUER_SEED_CITIZENS: '0',
    });
    const issuer = await createIssuer({
      config,
      sql,
      kms: staticKms([randomBytes(32)]),
      logger: silentLogger(),
    });
    await seedDemoRegister(issuer.ctx, { count: 1, seed: 'bench' });
    // Create the list and fill it with `nonValid` revoked/suspended rows at pseudo-random indices.
    await issuer.ctx.allocator.allocate(1);
    await sql.query(
      `INSERT INTO offers (id, citizen_id, type, copies, grant_type, state, expires_at, created_by, created_at)
       VALUES ('bench-offer-0000000', 'demo-0000000', 'resident-id', 1, 'pre-authorized_code', 'issued', now(), 'bench', now())`,
    );
    await sql.query(
      `INSERT INTO credentials (id, offer_id, citizen_id, type, device_id, holder_jkt, list_id, idx, status,
                                notification_id, issued_at, expires_at)
       SELECT 'b' || g, 'bench-offer-0000000', 'demo-0000000', 'resident-id', 'd', 'h', 1,
              (('x' || substr(md5(g::text), 1, 8))::bit(32)::bigint % $1)::int, CASE WHEN g % 3 = 0 THEN 2 ELSE CASE WHEN g = 0 THEN 0 ELSE 1 END END,
              'n', now(), now()
         FROM generate_series(0, $2) g
       ON CONFLICT (list_id, idx) DO NOTHING`,
      [size, nonValid],
    );
    await sql.query('UPDATE credentials SET status = 0 WHERE id = $1', ['b0']);
    await sql.query('UPDATE status_lists SET version = version + 1 WHERE id = 1');
    const t0 = performance.now();
    await issuer.ctx.publisher.publish(1);
    const publishMs = performance.now() - t0;
    const token =
      (await sql.query<{ token: string }>('SELECT token FROM status_lists WHERE id = 1')).rows[0]
        ?.token ?? '';
    const lat: number[] = [];
    for (let i = 0; i < 3; i++) {
      await changeStatus(issuer.ctx, { credentialId: 'b0', action: 'suspend', actor: 'bench' });
      const s = performance.now();
      await changeStatus(issuer.ctx, { credentialId: 'b0', action: 'reinstate', actor: 'bench' });
      lat.push(performance.now() - s);
    }
    const s = performance.now();
    await changeStatus(issuer.ctx, { credentialId: 'b0', action: 'revoke', actor: 'bench' });
    lat.push(performance.now() - s);
    lat.sort((a, b) => a - b);
    console.log(
      `list of ${size.toLocaleString('en-US')} entries (2 bits), ${nonValid.toLocaleString('en-US')} not VALID: publish ${publishMs.toFixed(0)} ms, token ${(token.length / 1024).toFixed(0)} KiB; one status change → published: median ${(lat[Math.floor(lat.length / 2)] ?? 0).toFixed(0)} ms, max ${(lat.at(-1) ?? 0).toFixed(0)} ms ${(lat.at(-1) ?? 0) <= 1000 ? 'PASS' : 'MISS'} (≤ 1 s)`,
    );
    await issuer.stop();
  } finally {
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (WITH_PG && (ONLY === '' || ONLY === 'status')) {
  console.log('\nRevocation → published status list (PostgreSQL, in process)');
  for (const [size, nonValid] of [
    [2 ** 20, 10_000],
    [52_000_000, 0],
    [52_000_000, 100_000],
  ] as const) {
    const db = await pgDatabase();
    if (db === undefined) break;
    try {
      await revocationBench(size, nonValid, db);
    } finally {
      await db.drop();
    }
  }
}
agent.destroy();
