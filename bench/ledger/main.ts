/**
 * bench/ledger — the trust ledger (issue 6 §5). Every figure is paired with a reference measured in
 * the same run (bench/lib.ts), and reported at each log size:
 *
 * 1. Embedded log (PGlite in memory; node:crypto) grown to 10^3, 10^4, 10^5 and 10^6 entries with
 *    the bulk path (appendBatch: every entry fully validated, signatures included):
 *    - single appends/s (own transaction, validated, Merkle nodes written) vs one raw INSERT of a
 *      row of the same size in its own transaction;
 *    - inclusion / consistency proof generation/s vs one indexed SELECT of a Merkle node row;
 *    - inclusion / consistency proof verification/s vs raw SHA-256 of the same number of nodes.
 * 2. A trust snapshot of 200 issuers and 10,000 relying parties: export time vs reading and
 *    parsing the same entries from SQL; offline verification time vs the raw ES256 verifications
 *    of the same signatures.
 * 3. EVM backend on a Hardhat node: gas per entry type vs a plain transfer (21,000), entries per
 *    block at the node's block gas limit, sequential appends/s vs plain transfers/s, sync rate.
 *
 * `BENCH_LEDGER_MAX` caps the log size (default 1,000,000; building it takes a few minutes).
 */
import { createPublicKey, verify as nodeVerify, hash as oneShotHash } from 'node:crypto';
import { generateKeyPair, type PublicJwk } from '@openmid/core';
import { useNodeCrypto } from '@openmid/core/node';
import {
  cosign,
  entryPreimage,
  fromHex,
  parseEntry,
  type SignedEntry,
  toHex,
  verifyConsistency,
  verifyInclusion,
  verifySnapshot,
} from '@openmid/ledger';
import { LEDGER_MIGRATIONS, openEmbeddedLedger } from '@openmid/ledger/embedded';
import {
  createIssuerFixture,
  createLedgerFixtures,
  genesisEntry,
  type IssuerFixture,
  issuerKeyOf,
  issuerProfile,
  type LedgerFixtures,
  rpProfile,
  signedBy,
} from '@openmid/ledger/testing';
import { deployRegistry, openEvmLedger, REGISTRY_ABI } from '@openmid/ledger-evm';
import { hardhatClients, startHardhatNode } from '@openmid/ledger-evm/testing';
import { migrate, openStore, type Sql } from '@openmid/server-kit';
import { type CaseResult, compare, consume, printTable } from '../lib.js';

useNodeCrypto();
const MAX = Number(process.env['BENCH_LEDGER_MAX'] ?? 1_000_000);
const SIZES = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= MAX);
const NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;
const ISSUER = 'https://docs.gov.kr';
const ROUND = { rounds: 5, roundMs: 300, warmupMs: 200 };

const f: LedgerFixtures = await createLedgerFixtures();
const docIssuer: IssuerFixture = await createIssuerFixture(ISSUER, 1, 'docs');
const docKey = docIssuer.keys[0] as IssuerFixture['keys'][number];

/** One-shot SHA-256, the way the node:crypto provider hashes (the reference of every hash figure). */
function sha(data: Uint8Array): Uint8Array {
  return oneShotHash('sha256', data, 'buffer') as unknown as Uint8Array;
}

/** A document anchor for document `i`, signed by the issuer key (node:crypto through the port). */
async function documentAnchor(ledgerId: Uint8Array, i: number): Promise<SignedEntry> {
  const body = {
    typ: 'anchor.document' as const,
    iat: NOW,
    exp: NOW + 20 * DAY,
    issuer: ISSUER,
    digest: toHex(sha(new TextEncoder().encode(`document ${i}`))),
    documentType: 'resident-register-extract',
  };
  const sig = await docKey.signer.sign(
    entryPreimage(parseEntry({ body, signatures: [] }), ledgerId),
  );
  return { body, signatures: [{ kid: docKey.kid, sig: toHex(sig) }] };
}

function rate(n: number, ms: number): string {
  return Math.round((n * 1000) / ms).toLocaleString('en-US');
}

function pick(results: readonly CaseResult[], name: string): CaseResult {
  return results.find((r) => r.name === name) as CaseResult;
}

// ---------------------------------------------------------------------------------------------
// 1. Embedded log growth
// ---------------------------------------------------------------------------------------------
interface GrowthRow {
  size: number;
  bulk: string;
  append: CaseResult;
  appendRef: CaseResult;
  incl: CaseResult;
  cons: CaseResult;
  genRef: CaseResult;
  inclVerify: CaseResult;
  inclVerifyRef: CaseResult;
  consVerify: CaseResult;
  consVerifyRef: CaseResult;
}

async function embeddedGrowth(): Promise<void> {
  const sql: Sql = await openStore({ memory: true });
  await migrate(sql, LEDGER_MIGRATIONS);
  await sql.exec(
    'CREATE TABLE bench_raw (idx bigint PRIMARY KEY, entry_id bytea NOT NULL, record bytea NOT NULL, entry text NOT NULL)',
  );
  const log = await generateKeyPair('ES256');
  const ledger = await openEmbeddedLedger({ sql, signer: log.signer });
  const g = await genesisEntry(f, NOW);
  const ledgerId = fromHex(g.ledgerId, 32) as Uint8Array;
  await ledger.append(g.entry);
  await ledger.append(
    await signedBy(
      {
        typ: 'issuer.register',
        iat: NOW,
        exp: NOW + DAY,
        issuer: issuerProfile(ISSUER, ['urn:openmid:kr:document:1'], NOW - DAY),
        keys: [issuerKeyOf(docKey, NOW - DAY)],
      },
      [f.agencies[0], f.agencies[1]],
      g.ledgerId,
    ),
  );
  let next = 0; // next document number
  let rawIdx = 0;
  const rows: GrowthRow[] = [];
  for (const target of SIZES) {
    // Grow with the bulk path, in batches of 5,000 (generated, signed, appended, discarded).
    const t0 = performance.now();
    const start = await ledger.size();
    while ((await ledger.size()) < target) {
      const n = Math.min(5000, target - (await ledger.size()));
      const batch: SignedEntry[] = [];
      for (let i = 0; i < n; i++) batch.push(await documentAnchor(ledgerId, next++));
      await ledger.appendBatch(batch);
    }
    const grown = (await ledger.size()) - start;
    const bulk = `${rate(grown, performance.now() - t0)}/s (sign + validate + write, ${grown.toLocaleString('en-US')} entries)`;

    // Single appends against raw single-row INSERT transactions of the same size.
    const pool: SignedEntry[] = [];
    for (let i = 0; i < 1500; i++) pool.push(await documentAnchor(ledgerId, next++));
    const sampleText = JSON.stringify(pool[0]);
    const record = new Uint8Array(114);
    let p = 0;
    const appendCases = await compare(
      [
        {
          name: 'raw INSERT (1 row, own tx)',
          fn: () =>
            sql.transaction((tx) =>
              tx.query(
                'INSERT INTO bench_raw (idx, entry_id, record, entry) VALUES ($1, $2, $3, $4)',
                [
                  rawIdx++,
                  sha(new Uint8Array([rawIdx & 255, rawIdx >> 8, rawIdx >> 16, rawIdx >> 24])),
                  record,
                  sampleText,
                ],
              ),
            ),
        },
        {
          name: 'append (validated + Merkle)',
          fn: () => {
            const e = pool[p++];
            if (!e) throw new Error('append pool exhausted: raise its size');
            return ledger.append(e);
          },
        },
      ],
      { rounds: 3, roundMs: 300, warmupMs: 100 },
    );
    next -= pool.length - p; // unused anchors are simply never logged
    const size = await ledger.size();

    // Proof generation against one indexed node read.
    const head = await ledger.treeHead();
    const rnd = (n: number): number => Math.floor(Math.random() * n);
    const genCases = await compare(
      [
        {
          name: 'SELECT one node row',
          fn: () => sql.query('SELECT hash FROM ledger_nodes WHERE key = $1', [rnd(size) * 64]),
        },
        { name: 'inclusion proof', fn: () => ledger.inclusionProof(rnd(size), size) },
        { name: 'consistency proof', fn: () => ledger.consistencyProof(1 + rnd(size - 1), size) },
      ],
      ROUND,
    );

    // Verification against raw SHA-256 of as many nodes (64-byte inputs + the leaf).
    const inclusion = await Promise.all(
      Array.from({ length: 64 }, async () => {
        const pr = await ledger.inclusionProof(rnd(size), size);
        return {
          index: pr.index,
          size,
          path: pr.path.map((h) => fromHex(h) as Uint8Array),
          leaf: fromHex(pr.leafHash) as Uint8Array,
        };
      }),
    );
    const consistency = await Promise.all(
      Array.from({ length: 64 }, async () => {
        const m = 1 + rnd(size - 1);
        const pr = await ledger.consistencyProof(m, size);
        return {
          m,
          path: pr.path.map((h) => fromHex(h) as Uint8Array),
          root: fromHex((await ledger.treeHead(m)).rootHash) as Uint8Array,
        };
      }),
    );
    const root = fromHex(head.rootHash) as Uint8Array;
    const node = new Uint8Array(65);
    let a = 0;
    let b = 0;
    const inclNodes = inclusion[0]?.path.length ?? 0;
    const consNodes =
      Math.round(consistency.reduce((s, c) => s + c.path.length, 0) / consistency.length) * 2;
    const verifyCases = await compare(
      [
        {
          name: `raw SHA-256 × ${inclNodes}`,
          fn: () => {
            let h: Uint8Array = node;
            for (let i = 0; i < inclNodes; i++) h = sha(node);
            return h;
          },
        },
        {
          name: 'verify inclusion',
          fn: () => {
            const c = inclusion[a++ % inclusion.length] as (typeof inclusion)[number];
            if (!verifyInclusion(c, c.leaf, root)) throw new Error('inclusion proof failed');
          },
        },
        {
          name: `raw SHA-256 × ${consNodes}`,
          fn: () => {
            let h: Uint8Array = node;
            for (let i = 0; i < consNodes; i++) h = sha(node);
            return h;
          },
        },
        {
          name: 'verify consistency',
          fn: () => {
            const c = consistency[b++ % consistency.length] as (typeof consistency)[number];
            if (!verifyConsistency({ first: c.m, second: size, path: c.path }, c.root, root)) {
              throw new Error('consistency proof failed');
            }
          },
        },
      ],
      ROUND,
    );
    printTable(`embedded log at ${size.toLocaleString('en-US')} entries: appends`, appendCases);
    printTable(
      `embedded log at ${size.toLocaleString('en-US')} entries: proof generation`,
      genCases,
    );
    printTable(
      `embedded log at ${size.toLocaleString('en-US')} entries: proof verification`,
      verifyCases,
    );
    rows.push({
      size,
      bulk,
      append: pick(appendCases, 'append (validated + Merkle)'),
      appendRef: pick(appendCases, 'raw INSERT (1 row, own tx)'),
      incl: pick(genCases, 'inclusion proof'),
      cons: pick(genCases, 'consistency proof'),
      genRef: pick(genCases, 'SELECT one node row'),
      inclVerify: pick(verifyCases, 'verify inclusion'),
      inclVerifyRef: verifyCases[0] as CaseResult,
      consVerify: pick(verifyCases, 'verify consistency'),
      consVerifyRef: verifyCases[2] as CaseResult,
    });
    consume(sampleText);
  }
  const fmt = (r: CaseResult): string => Math.round(r.opsPerSec).toLocaleString('en-US');
  console.log('\nembedded log growth (ops/s; × = ratio to the reference measured beside it)');
  console.log(
    'size        bulk build                                    append/s (× INSERT)  incl gen/s (× SELECT)  cons gen/s (× SELECT)  incl verify/s (× SHA)  cons verify/s (× SHA)',
  );
  for (const r of rows) {
    console.log(
      [
        r.size.toLocaleString('en-US').padEnd(11),
        r.bulk.padEnd(45),
        `${fmt(r.append)} (${r.append.ratio.toFixed(2)})`.padEnd(20),
        `${fmt(r.incl)} (${r.incl.ratio.toFixed(2)})`.padEnd(22),
        `${fmt(r.cons)} (${r.cons.ratio.toFixed(2)})`.padEnd(22),
        `${fmt(r.inclVerify)} (${(r.inclVerify.opsPerSec / r.inclVerifyRef.opsPerSec).toFixed(2)})`.padEnd(
          22,
        ),
        `${fmt(r.consVerify)} (${(r.consVerify.opsPerSec / r.consVerifyRef.opsPerSec).toFixed(2)})`,
      ].join(' '),
    );
  }
  await sql.close();
}

// ---------------------------------------------------------------------------------------------
// 2. Trust snapshot: 200 issuers, 10,000 relying parties
// ---------------------------------------------------------------------------------------------
async function snapshotBench(): Promise<void> {
  const ISSUERS = 200;
  const RPS = 10_000;
  const sql = await openStore({ memory: true });
  await migrate(sql, LEDGER_MIGRATIONS);
  const log = await generateKeyPair('ES256');
  const ledger = await openEmbeddedLedger({ sql, signer: log.signer });
  const g = await genesisEntry(f, NOW);
  await ledger.append(g.entry);
  const t0 = performance.now();
  const quorum = [f.agencies[0], f.agencies[2]];
  const issuerKeys = await Promise.all(
    Array.from({ length: ISSUERS }, () => generateKeyPair('ES256')),
  );
  let batch: SignedEntry[] = [];
  for (let i = 0; i < ISSUERS; i++) {
    const id = `https://issuer-${i}.gov.kr`;
    const k = issuerKeys[i] as Awaited<ReturnType<typeof generateKeyPair>>;
    batch.push(
      await signedBy(
        {
          typ: 'issuer.register',
          iat: NOW,
          exp: NOW + DAY,
          issuer: issuerProfile(
            id,
            ['urn:openmid:kr:resident-id:1', 'urn:openmid:kr:driving-licence:1'],
            NOW - DAY,
          ),
          keys: [
            {
              kid: 'k1',
              jwk: {
                kty: 'EC',
                crv: 'P-256',
                x: k.publicJwk.x,
                y: k.publicJwk.y as string,
              } as PublicJwk,
              validFrom: NOW - DAY,
            },
          ],
        },
        quorum,
        g.ledgerId,
      ),
    );
  }
  await ledger.appendBatch(batch);
  for (let i = 0; i < RPS; i++) {
    batch = i % 2000 === 0 ? [] : batch;
    batch.push(
      await signedBy(
        {
          typ: 'rp.register',
          iat: NOW,
          exp: NOW + DAY,
          rp: rpProfile(`x509_san_dns:rp-${i}.example`, { validFrom: NOW - DAY, keys: [f.rpKey] }),
        },
        quorum,
        g.ledgerId,
      ),
    );
    if (batch.length === 2000) await ledger.appendBatch(batch);
  }
  if (batch.length > 0 && batch.length < 2000) await ledger.appendBatch(batch);
  const buildMs = performance.now() - t0;
  const size = await ledger.size();

  const times = async (fn: () => Promise<unknown>, n = 3): Promise<number> => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      consume(await fn());
      ms.push(performance.now() - t);
    }
    return ms.sort((x, y) => x - y)[Math.floor(n / 2)] as number;
  };
  const snap = await ledger.exportSnapshot();
  const bytes = JSON.stringify(snap).length;
  const exportMs = await times(() => ledger.exportSnapshot());
  const readMs = await times(async () => {
    const r = await sql.query<{ entry: string }>('SELECT entry FROM ledger_records ORDER BY idx');
    return r.rows.map((x) => JSON.parse(x.entry) as unknown);
  });
  const verifyMs = await times(() =>
    verifySnapshot(snap, { logKey: log.publicJwk, ledgerId: g.ledgerId, strict: true }),
  );
  // Reference: the same ES256 verifications, raw node:crypto with keys imported once.
  const keys = new Map<string, ReturnType<typeof createPublicKey>>();
  for (const a of f.agencies)
    keys.set(a.kid, createPublicKey({ key: a.publicJwk as never, format: 'jwk' }));
  const sigs: { key: ReturnType<typeof createPublicKey>; data: Uint8Array; sig: Uint8Array }[] = [];
  const ledgerId = fromHex(g.ledgerId, 32) as Uint8Array;
  for (const r of snap.records) {
    if (!('entry' in r)) continue;
    const p = parseEntry(r.entry);
    const pre = entryPreimage(p, r.index === 0 ? undefined : ledgerId);
    for (const s of p.signatures) {
      const key = keys.get(s.kid);
      if (key) sigs.push({ key, data: pre, sig: s.sig });
    }
  }
  const rawMs = await times(async () => {
    let ok = 0;
    for (const s of sigs)
      if (nodeVerify('sha256', s.data, { key: s.key, dsaEncoding: 'ieee-p1363' }, s.sig)) ok++;
    return ok;
  });
  console.log(
    `\ntrust snapshot: ${ISSUERS} issuers + ${RPS.toLocaleString('en-US')} relying parties (${size.toLocaleString('en-US')} entries, ${(bytes / 1e6).toFixed(1)} MB JSON)`,
  );
  console.log(
    `  ledger built in ${(buildMs / 1000).toFixed(1)} s (${rate(size, buildMs)} entries/s: 2 ES256 signatures made + verified each)`,
  );
  console.log(
    `  export      ${exportMs.toFixed(0)} ms   reference: read + parse the same entries from SQL ${readMs.toFixed(0)} ms  (× ${(exportMs / readMs).toFixed(2)})`,
  );
  console.log(
    `  verify      ${verifyMs.toFixed(0)} ms   reference: ${sigs.length.toLocaleString('en-US')} raw ES256 verifications ${rawMs.toFixed(0)} ms  (verify costs × ${(verifyMs / rawMs).toFixed(2)} of the raw signatures)`,
  );
  await sql.close();
}

// ---------------------------------------------------------------------------------------------
// 3. EVM backend
// ---------------------------------------------------------------------------------------------
async function evmBench(): Promise<void> {
  const node = await startHardhatNode();
  try {
    const c = await hardhatClients(node.url);
    const log = await generateKeyPair('ES256');
    const deployed = await deployRegistry(c);
    const ledger = await openEvmLedger({
      publicClient: c.publicClient,
      walletClient: c.walletClient,
      address: deployed.address,
      signer: log.signer,
      confirmations: 1,
      fromBlock: deployed.blockNumber,
    });
    const gas = new Map<string, bigint>();
    const receiptGas = async (txHash: `0x${string}` | undefined): Promise<bigint> => {
      if (!txHash) throw new Error('no transaction');
      return (await c.publicClient.waitForTransactionReceipt({ hash: txHash })).gasUsed;
    };
    const now = async (): Promise<number> =>
      Number((await c.publicClient.getBlock()).timestamp) + 1;
    const t = await now();
    const g = await genesisEntry(f, t);
    const put = async (name: string, e: SignedEntry): Promise<void> => {
      const r = await ledger.append(e);
      if (r.status !== 'pending') throw new Error('expected pending');
      gas.set(name, await receiptGas(r.txHash as `0x${string}` | undefined));
      await ledger.sync();
    };
    await put('genesis (3 keys, 3 signatures)', g.entry);
    await put(
      'issuer.register (1 key, 2 signatures)',
      await signedBy(
        {
          typ: 'issuer.register',
          iat: t,
          exp: t + DAY,
          issuer: issuerProfile(ISSUER, ['urn:openmid:kr:document:1'], t - DAY),
          keys: [issuerKeyOf(docKey, t - DAY)],
        },
        [f.agencies[0], f.agencies[1]],
        g.ledgerId,
      ),
    );
    await put(
      'rp.register (2 signatures)',
      await signedBy(
        {
          typ: 'rp.register',
          iat: t,
          exp: t + DAY,
          rp: rpProfile('x509_san_dns:bank.example', { validFrom: t - DAY, keys: [f.rpKey] }),
        },
        [f.agencies[1], f.agencies[2]],
        g.ledgerId,
      ),
    );
    const ledgerId = fromHex(g.ledgerId, 32) as Uint8Array;
    const status = await cosign(
      {
        body: {
          typ: 'anchor.status-list',
          iat: t,
          exp: t + DAY,
          issuer: ISSUER,
          uri: `${ISSUER}/status/1`,
          digest: toHex(sha(new Uint8Array(1))),
          issuedAt: t,
        },
        signatures: [],
      },
      docKey.signer,
      { ledgerId: g.ledgerId, kid: docKey.kid },
    );
    await put('anchor.status-list (1 signature)', status);
    await put('anchor.document (1 signature)', await documentAnchor(ledgerId, 0));
    // Reference: a plain value transfer.
    const transfer = async (): Promise<`0x${string}`> =>
      c.walletClient.sendTransaction({ to: c.accounts[1] as `0x${string}`, value: 1n });
    const refGas = await receiptGas(await transfer());
    const block = await c.publicClient.getBlock();
    console.log(
      `\nEVM registry (Hardhat ${'2.28'} node, Osaka; block gas limit ${block.gasLimit.toLocaleString('en-US')})`,
    );
    console.log('entry                                   gas        × transfer');
    for (const [name, used] of gas) {
      console.log(
        `${name.padEnd(40)}${used.toLocaleString('en-US').padStart(9)}   ${(Number(used) / Number(refGas)).toFixed(1)}`,
      );
    }
    console.log(
      `${'plain transfer (reference)'.padEnd(40)}${refGas.toLocaleString('en-US').padStart(9)}   1.0`,
    );

    // Entries per block: queue document anchors with automining off, then mine one block.
    const QUEUED = 400;
    const anchors: SignedEntry[] = [];
    for (let i = 1; i <= QUEUED; i++) anchors.push(await documentAnchor(ledgerId, i));
    await c.testClient.setAutomine(false);
    const fixedGas = ((gas.get('anchor.document (1 signature)') ?? 200_000n) * 3n) / 2n;
    const direct = await openEvmLedger({
      publicClient: c.publicClient,
      walletClient: c.walletClient,
      address: deployed.address,
      signer: log.signer,
      confirmations: 1,
      fromBlock: deployed.blockNumber,
      gas: fixedGas,
    });
    for (const e of anchors) await direct.append(e);
    await c.testClient.mine({ blocks: 1 });
    const mined = await c.publicClient.getBlock({ includeTransactions: false });
    const inBlock = await c.publicClient.getContractEvents({
      address: deployed.address,
      abi: REGISTRY_ABI,
      eventName: 'Appended',
      fromBlock: mined.number,
      toBlock: mined.number,
    });
    await c.testClient.setAutomine(true);
    await c.testClient.mine({ blocks: 41 });
    const tSync = performance.now();
    const before = await ledger.size();
    await ledger.sync();
    const synced = (await ledger.size()) - before;
    const syncMs = performance.now() - tSync;
    const perEntry = Number(mined.gasUsed) / Math.max(1, inBlock.length);
    console.log(
      `entries per block: ${inBlock.length} anchors appended in one block of ${mined.gasLimit.toLocaleString('en-US')} gas (${Math.round(perEntry).toLocaleString('en-US')} gas each, ${mined.transactions.length} txs); ${(Number(mined.gasLimit) / Number(refGas)).toFixed(0)} plain transfers would fit`,
    );
    console.log(
      `sync: ${synced} entries read, re-verified and mirrored in ${syncMs.toFixed(0)} ms (${rate(synced, syncMs)} entries/s)`,
    );

    // Sequential appends with receipt (automine) vs plain transfers with receipt.
    let k = QUEUED + 1;
    const more: SignedEntry[] = [];
    for (let i = 0; i < 400; i++) more.push(await documentAnchor(ledgerId, k++));
    let m = 0;
    const seq = await compare(
      [
        {
          name: 'transfer + receipt',
          fn: async () => c.publicClient.waitForTransactionReceipt({ hash: await transfer() }),
        },
        {
          name: 'anchor append + receipt',
          fn: async () => {
            const e = more[m++];
            if (!e) throw new Error('anchor pool exhausted');
            const r = await direct.append(e);
            if (r.status === 'pending' && r.txHash) {
              await c.publicClient.waitForTransactionReceipt({ hash: r.txHash as `0x${string}` });
            }
          },
        },
      ],
      { rounds: 3, roundMs: 300, warmupMs: 100 },
    );
    printTable('EVM sequential writes (automine)', seq);
  } finally {
    await node.stop();
  }
}

await embeddedGrowth();
await snapshotBench();
await evmBench();
