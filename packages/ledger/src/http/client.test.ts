/**
 * The HTTP client against a scripted node (a fetch function over an in-memory ledger), in Node and
 * in Chromium: what it refuses to believe. The real node passes the whole conformance suite
 * through this client (apps/ledger/src/client.test.ts).
 */
import { generateKeyPair } from '@openmid/core';
import { beforeEach, describe, expect, test } from 'vitest';
import { signTreeHead } from '../heads.js';
import { fromHex, toHex } from '../internal/bytes.js';
import { createMemoryLedger } from '../memory.js';
import type { Query } from '../query.js';
import {
  createIssuerFixture,
  createLedgerFixtures,
  genesisEntry,
  issuerKeyOf,
  issuerProfile,
  signedBy,
} from '../testing/fixtures.js';
import { createHttpLedger, type FetchLike, fetchTrustSnapshot } from './client.js';
import { LEDGER_PATHS } from './wire.js';

const URL_ = 'https://ledger.test';
const ISSUER = 'https://id.mois.go.kr';
const PID = 'urn:openmid:kr:resident-id:1';

type Handler = (path: string, init: RequestInit | undefined) => Promise<Response> | Response;

function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function flip(hex: string): string {
  const b = fromHex(hex) as Uint8Array;
  b[0] = (b[0] as number) ^ 1;
  return toHex(b);
}

describe('HTTP ledger client', () => {
  let now: number;
  let memory: ReturnType<typeof createMemoryLedger>;
  let logKey: Awaited<ReturnType<typeof generateKeyPair>>;
  let ledgerId: string;
  let override: Handler | undefined;
  let calls: string[];

  const fetchFake: FetchLike = async (input, init) => {
    const path = input.slice(URL_.length);
    calls.push(`${init?.method ?? 'GET'} ${path}`);
    if (override) return override(path, init);
    return route(path, init);
  };

  async function route(path: string, init: RequestInit | undefined): Promise<Response> {
    const u = new URL(path, URL_);
    const num = (k: string): number | undefined =>
      u.searchParams.has(k) ? Number(u.searchParams.get(k)) : undefined;
    if (u.pathname === LEDGER_PATHS.treeHead) return json(await memory.treeHead(num('treeSize')));
    if (u.pathname === LEDGER_PATHS.consistency) {
      return json(await memory.consistencyProof(num('first') as number, num('second')));
    }
    if (u.pathname === LEDGER_PATHS.inclusion) {
      return json(await memory.inclusionProof(num('index') as number, num('treeSize')));
    }
    if (u.pathname === LEDGER_PATHS.query) {
      return json(await memory.query(JSON.parse(String(init?.body)) as Query));
    }
    if (u.pathname === LEDGER_PATHS.snapshot) {
      return json(await memory.exportSnapshot({ statusLists: 'all' }), 200, { etag: 'W/"1"' });
    }
    if (u.pathname.startsWith('/v1/entries/')) {
      return json(await memory.entry(Number(u.pathname.split('/')[3])));
    }
    return json({ code: 'ERR_HTTP_NOT_FOUND', message: 'Not found', requestId: 'r' }, 404);
  }

  const client = (extra: Partial<Parameters<typeof createHttpLedger>[0]> = {}) =>
    createHttpLedger({ url: URL_, logKey: logKey.publicJwk, fetch: fetchFake, ...extra });

  const registerIssuer = async (): Promise<void> => {
    const f = await createLedgerFixtures();
    const issuer = await createIssuerFixture(ISSUER);
    const g = await genesisEntry(f, now);
    await memory.append(g.entry);
    ledgerId = g.ledgerId;
    await memory.append(
      await signedBy(
        {
          typ: 'issuer.register',
          iat: now,
          exp: now + 3600,
          issuer: issuerProfile(ISSUER, [PID], now - 10),
          keys: [issuerKeyOf(issuer.keys[0] as (typeof issuer.keys)[number], now - 10)],
        },
        [f.agencies[0], f.agencies[1]],
        ledgerId,
      ),
    );
  };

  beforeEach(async () => {
    now = 1_800_000_000;
    logKey = await generateKeyPair('ES256');
    memory = createMemoryLedger({ signer: logKey.signer, clock: () => now });
    override = undefined;
    calls = [];
    await registerIssuer();
  });

  test('verifies tree heads with the pinned log key and learns the ledger id', async () => {
    const c = client();
    const head = await c.treeHead();
    expect(head.treeSize).toBe(2);
    expect(await c.ledgerId()).toBe(ledgerId);
    expect(c.latestHead()).toEqual({ treeSize: 2, rootHash: head.rootHash });
    const other = await generateKeyPair('ES256');
    await expect(client({ logKey: other.publicJwk }).treeHead()).rejects.toMatchObject({
      code: 'ERR_LEDGER_TREE_HEAD_INVALID',
    });
    await expect(client({ ledgerId: toHex(new Uint8Array(32)) }).treeHead()).rejects.toMatchObject({
      code: 'ERR_LEDGER_GENESIS_MISMATCH',
    });
  });

  // RFC 9162 §2.1.4: a newer head is accepted only with a consistency proof from the last one.
  test('refuses a rollback, a split view and a growth it cannot prove', async () => {
    const c = client();
    const h2 = await c.treeHead();
    now += 10;
    const { jws: _j, ...plain } = h2;
    const fork = await signTreeHead({ ...plain, rootHash: flip(h2.rootHash) }, logKey.signer);
    override = () => json(fork);
    await expect(c.treeHead()).rejects.toMatchObject({ code: 'ERR_LEDGER_SPLIT_VIEW' });
    const small = await memory.treeHead(1);
    override = () => json(small);
    await expect(c.treeHead()).rejects.toMatchObject({ code: 'ERR_LEDGER_ROLLBACK' });
    const bigger = await signTreeHead(
      { ...plain, treeSize: 3, rootHash: flip(h2.rootHash) },
      logKey.signer,
    );
    override = (path) =>
      path.startsWith(LEDGER_PATHS.consistency)
        ? json({ first: 2, second: 3, path: [h2.rootHash] })
        : json(bigger);
    await expect(c.treeHead()).rejects.toMatchObject({ code: 'ERR_LEDGER_PROOF_INVALID' });
    expect(c.latestHead()?.treeSize).toBe(2);
  });

  test('a query answer is recomputed from its proof; a changed answer is refused', async () => {
    const c = client();
    const q = { q: 'issuer-keys', issuer: ISSUER, at: now } as const;
    const v = await c.queryVerified(q);
    expect(v.answer.trusted).toBe(true);
    expect(v.state.issuers.has(ISSUER)).toBe(true);
    override = async (path, init) => {
      const r = (await (await route(path, init)).json()) as Record<string, unknown>;
      return json({ ...r, answer: { trusted: true, keys: [] } });
    };
    await expect(c.query(q)).rejects.toMatchObject({ code: 'ERR_LEDGER_PROOF_INVALID' });
    override = async (path, init) => {
      const r = (await (await route(path, init)).json()) as Record<string, unknown>;
      return json({ ...r, query: { ...q, issuer: 'https://other.example' } });
    };
    await expect(c.query(q)).rejects.toMatchObject({ code: 'ERR_LEDGER_PROOF_INVALID' });
  });

  test('an entry is checked against an inclusion proof', async () => {
    const c = client();
    const e = await c.entry(1);
    expect(e.entry.body.typ).toBe('issuer.register');
    override = async (path, init) => {
      const r = (await (await route(path, init)).json()) as Record<string, unknown>;
      return path.startsWith('/v1/entries/')
        ? json({ ...r, time: (r['time'] as number) + 1 })
        : json(r);
    };
    await expect(c.entry(1)).rejects.toMatchObject({ code: 'ERR_LEDGER_PROOF_INVALID' });
  });

  test('state() is the state of a verified snapshot; a tampered one is refused', async () => {
    const c = client();
    const state = await c.state();
    expect(state.issuers.get(ISSUER)?.keys.size).toBe(1);
    override = async (path, init) => {
      const r = (await (await route(path, init)).json()) as { state: { name: string } };
      return json({ ...r, state: { ...r.state, name: 'forged' } });
    };
    await expect(c.state()).rejects.toMatchObject({ code: 'ERR_LEDGER_SNAPSHOT_INVALID' });
  });

  test('node errors keep their code; unknown codes, garbage and oversize are unavailable', async () => {
    const c = client();
    override = () =>
      json({ code: 'ERR_LEDGER_QUORUM_NOT_MET', message: 'no', requestId: 'r' }, 403);
    await expect(c.append({ body: {}, signatures: [] } as never)).rejects.toMatchObject({
      code: 'ERR_LEDGER_QUORUM_NOT_MET',
      details: { status: 403 },
    });
    override = () => json({ code: 'ERR_SOMETHING_NEW', message: 'x', requestId: 'r' }, 500);
    await expect(c.treeHead()).rejects.toMatchObject({ code: 'ERR_LEDGER_UNAVAILABLE' });
    override = () => new Response('<html>', { status: 200 });
    await expect(c.treeHead()).rejects.toMatchObject({ code: 'ERR_LEDGER_UNAVAILABLE' });
    override = () => json({ status: 'confirmed', entryId: 'nope' });
    await expect(c.append({ body: {}, signatures: [] } as never)).rejects.toMatchObject({
      code: 'ERR_LEDGER_UNAVAILABLE',
    });
    override = () => json({ pad: 'x'.repeat(5000) });
    await expect(client({ maxResponseBytes: 1000 }).info()).rejects.toMatchObject({
      code: 'ERR_LEDGER_UNAVAILABLE',
    });
    override = () => Promise.reject(new TypeError('fetch failed'));
    await expect(c.treeHead()).rejects.toMatchObject({ code: 'ERR_LEDGER_UNAVAILABLE' });
  });

  test('requests never follow redirects; https can be required', async () => {
    let seen: RequestInit | undefined;
    override = (path, init) => {
      seen = init;
      return route(path, init);
    };
    await client().treeHead();
    expect(seen?.redirect).toBe('error');
    expect(() =>
      createHttpLedger({ url: 'http://ledger.test', logKey: logKey.publicJwk, requireHttps: true }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INVALID' }));
    expect(() => createHttpLedger({ url: 'ftp://x', logKey: logKey.publicJwk })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });

  test('fetchTrustSnapshot verifies, passes the ETag and reports not-modified', async () => {
    const r = await fetchTrustSnapshot({
      url: URL_,
      fetch: fetchFake,
      logKey: logKey.publicJwk,
      ledgerId,
    });
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.etag).toBe('W/"1"');
    expect(r.state.issuers.has(ISSUER)).toBe(true);
    let header: string | null = null;
    override = (_p, init) => {
      header = new Headers(init?.headers).get('if-none-match');
      return new Response(null, { status: 304 });
    };
    const again = await fetchTrustSnapshot({
      url: URL_,
      fetch: fetchFake,
      logKey: logKey.publicJwk,
      etag: r.etag as string,
    });
    expect(again.status).toBe('not-modified');
    expect(header).toBe('W/"1"');
    // A stale head is refused when a maximum age is asked for.
    override = undefined;
    await expect(
      fetchTrustSnapshot({
        url: URL_,
        fetch: fetchFake,
        logKey: logKey.publicJwk,
        maxAge: 60,
        now: now + 3600,
      }),
    ).rejects.toMatchObject({ code: 'ERR_LEDGER_SNAPSHOT_STALE' });
  });
});
