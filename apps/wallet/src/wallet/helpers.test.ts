/**
 * Small pieces the flows rely on: outbound request policy, coded error bodies, copy rotation and
 * history ordering.
 */
import { describe, expect, test } from 'vitest';
import { type CardRecord, markUsed, nextCopy } from './cards.js';
import { addHistory, exportHistory, listHistory } from './history.js';
import { errorOf, request } from './http.js';
import { memoryStore } from './store.js';
import { createVault } from './vault.js';

const answer = (text: string) => ({ status: 400, headers: new Headers(), text });

describe('outbound requests', () => {
  test('only https (http in development), no credentials in the URL, redirects refused', async () => {
    const seen: RequestInit[] = [];
    const policy = {
      allowHttp: false,
      fetch: async (_url: string, init?: RequestInit) => {
        seen.push(init ?? {});
        return new Response('ok');
      },
    };
    await expect(request(policy, 'http://x.example/')).rejects.toMatchObject({
      code: 'ERR_WALLET_NETWORK',
      details: { reason: 'scheme' },
    });
    await expect(request(policy, 'https://u:p@x.example/')).rejects.toMatchObject({
      details: { reason: 'url' },
    });
    expect((await request(policy, 'https://x.example/')).text).toBe('ok');
    expect(seen[0]).toMatchObject({ redirect: 'error', credentials: 'omit', cache: 'no-store' });
    expect((await request({ ...policy, allowHttp: true }, 'http://localhost:7001/')).status).toBe(
      200,
    );
  });

  test('an answer larger than the limit is refused', async () => {
    const policy = {
      allowHttp: false,
      maxBytes: 10,
      fetch: async () => new Response('x'.repeat(11)),
    };
    await expect(request(policy, 'https://x.example/')).rejects.toMatchObject({
      details: { reason: 'size' },
    });
  });

  test('error bodies give their code, never their free text', () => {
    expect(errorOf(answer('{"code":"ERR_STATUS_SUSPENDED","message":"Kim\\u0027s card"}'))).toEqual(
      {
        code: 'ERR_STATUS_SUSPENDED',
      },
    );
    expect(errorOf(answer('{"error":"invalid_grant","error_description":"x"}'))).toEqual({
      error: 'invalid_grant',
    });
    expect(errorOf(answer('{"code":"<script>"}'))).toEqual({});
    expect(errorOf(answer('not json'))).toEqual({});
  });
});

describe('copies', () => {
  const card = {
    copies: [
      { credential: 'a', keyId: 'holder:a', uses: 1 },
      { credential: 'b', keyId: 'holder:b', uses: 0 },
      { credential: 'c', keyId: 'holder:c', uses: 0 },
    ],
  } as unknown as CardRecord;

  test('the least used copy is presented next, in turn', () => {
    let c = card;
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { copy, index } = nextCopy(c);
      order.push(copy.credential);
      c = markUsed(c, index);
    }
    expect(order).toEqual(['b', 'c', 'a', 'b', 'c', 'a']);
  });
});

describe('history', () => {
  test('entries come back newest first and export oldest first, with no values', async () => {
    const vault = createVault(memoryStore(), { iterations: 1000 });
    await vault.setUp('270419');
    await addHistory(vault, {
      kind: 'issuance',
      outcome: 'accepted',
      party: { id: 'i' },
      claims: [],
      at: 100,
    });
    await addHistory(vault, {
      kind: 'presentation',
      outcome: 'refused',
      party: { id: 'bank' },
      claims: ['name', 'rrn'],
      at: 200,
    });
    expect((await listHistory(vault)).map((e) => e.at)).toEqual([200, 100]);
    const file = JSON.parse(await exportHistory(vault, 300)) as {
      format: string;
      entries: { at: number; time: string }[];
    };
    expect(file.format).toBe('openmid-wallet-history');
    expect(file.entries.map((e) => e.time)).toEqual([
      '1970-01-01T00:01:40.000Z',
      '1970-01-01T00:03:20.000Z',
    ]);
  });
});
