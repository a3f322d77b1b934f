import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { addressKey, clientAddress, rateLimit } from './rate-limit.js';

describe('client keys', () => {
  test('IPv4 stays whole, IPv6 is reduced to its /64, IPv4-mapped IPv6 to IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:0db8:0001:0002:ffff::9'));
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  test('X-Forwarded-For is ignored unless proxies are trusted, then read from the right', async () => {
    const app = new Hono();
    app.get('/0', (c) => c.text(clientAddress(c)));
    app.get('/1', (c) => c.text(clientAddress(c, { trustedProxies: 1 })));
    app.get('/2', (c) => c.text(clientAddress(c, { trustedProxies: 2 })));
    const headers = { 'x-forwarded-for': '6.6.6.6, 198.51.100.9, 10.0.0.2' };
    expect(await (await app.request('/0', { headers })).text()).toBe('unknown');
    expect(await (await app.request('/1', { headers })).text()).toBe('10.0.0.2');
    expect(await (await app.request('/2', { headers })).text()).toBe('198.51.100.9');
  });
});

describe('token bucket', () => {
  test('each key has its own bucket, and memory is bounded', async () => {
    const t = 0;
    const app = new Hono();
    app.onError((e, c) => c.text((e as { code?: string }).code ?? 'x', 429));
    app.use(
      '*',
      rateLimit({
        burst: 1,
        perSecond: 1,
        maxKeys: 2,
        now: () => t,
        key: (c) => c.req.header('k'),
      }),
    );
    app.get('/', (c) => c.text('ok'));
    const hit = async (k: string) => (await app.request('/', { headers: { k } })).status;
    expect(await hit('a')).toBe(200);
    expect(await hit('a')).toBe(429);
    expect(await hit('b')).toBe(200);
    expect(await hit('c')).toBe(200); // evicts a, the least recently seen
    expect(await hit('a')).toBe(200); // a fresh bucket: eviction only ever forgives
    expect((await app.request('/')).status).toBe(200); // no key: exempt
  });

  test('rejects a nonsensical configuration', () => {
    expect(() => rateLimit({ burst: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });
});
