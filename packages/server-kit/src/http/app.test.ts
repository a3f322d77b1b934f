import { createRoute, z } from '@hono/zod-openapi';
import { OpenMidError } from '@openmid/core/errors';
import { describe, expect, test } from 'vitest';
import { captureLogs } from '../testing/logs.js';
import { type AppOptions, createApp, ErrorBodySchema, oauthRoute } from './app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function makeApp(options: Partial<AppOptions> = {}) {
  const logs = captureLogs();
  const app = createApp({ logger: logs.logger, rateLimit: false, ...options });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/things/{id}',
      request: {
        params: z.object({ id: z.string().regex(/^[a-z]+$/) }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ pin: z.string().length(6), count: z.number().int() }),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'ok',
          content: { 'application/json': { schema: z.object({ id: z.string() }) } },
        },
        400: { description: 'bad', content: { 'application/json': { schema: ErrorBodySchema } } },
      },
    }),
    (c) => c.json({ id: c.req.valid('param').id }, 200),
  );
  app.get('/boom', () => {
    throw new Error('database password is hunter2 for 900101-1234567');
  });
  app.get('/down', () => {
    throw new OpenMidError('ERR_STORE_UNAVAILABLE', 'pool exhausted on db-7');
  });
  app.get('/cli', () => {
    throw new OpenMidError('ERR_CLI_USAGE', 'not an HTTP thing');
  });
  app.get('/jose', () => {
    throw new OpenMidError('ERR_JOSE_SIGNATURE_INVALID', 'Signature does not verify');
  });
  app.get('/cached', (c) => c.json({ ok: true }, 200, { 'Cache-Control': 'public, max-age=60' }));
  app.post('/oauth/token', oauthRoute, () => {
    throw new OpenMidError('ERR_JOSE_SIGNATURE_INVALID', 'Proof "signature" does not verify');
  });
  return { app, logs };
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('request ids', () => {
  test('a request without an id gets a generated UUID, echoed and logged', async () => {
    const { app, logs } = makeApp();
    const res = await app.request('/healthz');
    const id = res.headers.get('x-request-id') ?? '';
    expect(id).toMatch(UUID);
    expect(logs.entries().some((e) => e['reqId'] === id)).toBe(true);
  });

  test('an id-shaped x-request-id is kept', async () => {
    const { app } = makeApp();
    for (const id of ['0b7c1a52-9d4e-4f7a-8c1e-2d3f4a5b6c7d', 'req_AbCdEf0123456789xyz']) {
      const res = await app.request('/healthz', { headers: { 'x-request-id': id } });
      expect(res.headers.get('x-request-id')).toBe(id);
    }
  });

  test('anything else is replaced, so it can never smuggle data into the logs', async () => {
    const { app, logs } = makeApp();
    for (const id of [
      '9001011234567',
      '900101-1234567',
      'hong@example.kr',
      'short',
      'x'.repeat(65),
      '01012345678901234567',
    ]) {
      const res = await app.request('/healthz', { headers: { 'x-request-id': id } });
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    }
    expect(logs.text()).not.toContain('9001011234567');
  });
});

describe('security headers', () => {
  test('every response, errors included, carries the JSON-API headers', async () => {
    const { app } = makeApp();
    for (const path of ['/healthz', '/nope', '/boom']) {
      const res = await app.request(path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  test('a route that sets its own caching keeps it', async () => {
    const { app } = makeApp();
    expect((await app.request('/cached')).headers.get('cache-control')).toBe('public, max-age=60');
  });

  test('HSTS is sent when the public URL is https', async () => {
    const { app } = makeApp({ publicUrl: 'https://issuer.example.kr' });
    expect((await app.request('/healthz')).headers.get('strict-transport-security')).toMatch(
      /^max-age=\d+/,
    );
  });

  test('CORS is off by default and on when configured', async () => {
    const origin = { headers: { origin: 'https://wallet.example.kr' } };
    const off = makeApp().app;
    expect(
      (await off.request('/healthz', origin)).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const on = makeApp({ cors: { origins: ['https://wallet.example.kr'] } }).app;
    expect((await on.request('/healthz', origin)).headers.get('access-control-allow-origin')).toBe(
      'https://wallet.example.kr',
    );
  });
});

describe('health and OpenAPI', () => {
  test('/healthz answers ok', async () => {
    const res = await makeApp().app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('/readyz follows the readiness check, and fails closed when it throws', async () => {
    let ready = false;
    const { app } = makeApp({
      readiness: async () => {
        if (ready) return { ready: true, checks: { store: 'ok', migrations: 'ok' } };
        return { ready: false, checks: { store: 'ok', migrations: 'pending' } };
      },
    });
    let res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not_ready',
      checks: { store: 'ok', migrations: 'pending' },
    });
    ready = true;
    res = await app.request('/readyz');
    expect(res.status).toBe(200);
    const failing = makeApp({
      readiness: async () => {
        throw new Error('boom');
      },
    }).app;
    expect((await failing.request('/readyz')).status).toBe(503);
  });

  test('/openapi.json is an OpenAPI 3.1 document of every route schema', async () => {
    const res = await makeApp({ openapi: { title: 'Issuer', version: '1.0.0' } }).app.request(
      '/openapi.json',
    );
    const doc = (await res.json()) as {
      openapi: string;
      info: unknown;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'Issuer', version: '1.0.0' });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/things/{id}']),
    );
  });
});

describe('error mapping at the edge', () => {
  test('a schema failure is 400 ERR_INPUT_INVALID listing field paths, never values', async () => {
    const res = await makeApp().app.request('/things/ABC', json({ pin: '12345', count: 'many' }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      code: string;
      requestId: string;
      details: { fields: { path: string }[] };
    };
    expect(body.code).toBe('ERR_INPUT_INVALID');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    expect(JSON.stringify(body)).not.toContain('12345');
    expect(JSON.stringify(body)).not.toContain('ABC');
    const res2 = await makeApp().app.request('/things/abc', json({ pin: '12345', count: 'many' }));
    const body2 = (await res2.json()) as { details: { fields: { path: string }[] } };
    expect(body2.details.fields.map((f) => f.path).sort()).toEqual(['body.count', 'body.pin']);
    expect(JSON.stringify(body2)).not.toContain('12345');
  });

  test('malformed JSON is 400 ERR_INPUT_INVALID, a wrong media type 415', async () => {
    const { app } = makeApp();
    const bad = await app.request('/things/abc', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"pin": "123456", ',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'ERR_INPUT_INVALID' });
    const text = await app.request('/things/abc', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'pin=123456',
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ code: 'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE' });
  });

  test('an unknown route is 404 ERR_HTTP_NOT_FOUND in JSON', async () => {
    const res = await makeApp().app.request('/no/such/thing?rrn=900101-1234567');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'ERR_HTTP_NOT_FOUND' });
  });

  test('an unknown error is a generic 500 that never carries the cause, and is logged with the request id', async () => {
    const { app, logs } = makeApp();
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toEqual({
      code: 'ERR_INTERNAL',
      message: 'Internal error',
      requestId: expect.any(String),
    });
    const logged = logs.entries().find((e) => e['msg'] === 'request failed');
    expect(logged).toMatchObject({
      reqId: res.headers.get('x-request-id'),
      errorCode: 'ERR_INTERNAL',
    });
    expect(logs.text()).not.toContain('hunter2');
    expect(logs.text()).not.toContain('900101-1234567');
  });

  test('a mapped 5xx keeps its code with a generic message; an unmapped code becomes ERR_INTERNAL', async () => {
    const { app } = makeApp();
    const down = await app.request('/down');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
      message: 'Service temporarily unavailable',
    });
    const cli = await app.request('/cli');
    expect(cli.status).toBe(500);
    expect(await cli.json()).toMatchObject({ code: 'ERR_INTERNAL', message: 'Internal error' });
  });

  test('client-input families default to 400; an app can remap a code', async () => {
    const plain = await makeApp().app.request('/jose');
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ code: 'ERR_JOSE_SIGNATURE_INVALID' });
    const remapped = makeApp({
      errorMap: { ERR_JOSE_SIGNATURE_INVALID: { status: 400, oauth: 'invalid_proof' } },
    }).app;
    const res = await remapped.request('/oauth/token', { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_proof',
      error_description: 'Proof  signature  does not verify', // RFC 6749 §5.2 charset: no '"'
    });
  });

  test('OAuth routes answer { error, error_description } (RFC 6749 §5.2), also for paths in oauthPaths', async () => {
    const byMiddleware = await makeApp().app.request('/oauth/token', { method: 'POST' });
    expect(await byMiddleware.json()).toMatchObject({ error: 'invalid_request' });
    expect(byMiddleware.headers.get('cache-control')).toBe('no-store');
    const byPath = makeApp({ oauthPaths: ['/oauth/*'] }).app;
    const res = await byPath.request('/oauth/unknown');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'Not found' });
  });
});

describe('limits', () => {
  test('a body over the limit is 413 ERR_HTTP_BODY_TOO_LARGE, with or without Content-Length', async () => {
    const { app } = makeApp({ bodyLimit: 64 });
    const big = JSON.stringify({ pin: '123456', count: 1, pad: 'x'.repeat(100) });
    const res = await app.request('/things/abc', json(JSON.parse(big)));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      code: 'ERR_HTTP_BODY_TOO_LARGE',
      details: { limit: 64 },
    });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await app.request('/things/abc', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  test('rate limiting answers 429 with Retry-After, spares health checks, and refills', async () => {
    let now = 1_000_000;
    const { app } = makeApp({ rateLimit: { burst: 2, perSecond: 0.5, now: () => now } });
    expect((await app.request('/cached')).status).toBe(200);
    expect((await app.request('/cached')).status).toBe(200);
    const limited = await app.request('/cached');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toMatchObject({
      code: 'ERR_HTTP_RATE_LIMITED',
      details: { retryAfter: 2 },
    });
    expect((await app.request('/healthz')).status).toBe(200);
    now += 2000;
    expect((await app.request('/cached')).status).toBe(200);
  });
});

describe('access log', () => {
  test('one line per request with method, route pattern, status and duration, never the raw URL', async () => {
    const { app, logs } = makeApp();
    await app.request('/things/abc?tx_code=493817', json({ pin: '123456', count: 1 }));
    const line = logs.entries().find((e) => e['msg'] === 'request');
    expect(line).toMatchObject({
      method: 'POST',
      route: '/things/:id',
      status: 200,
      ms: expect.any(Number),
    });
    expect(logs.text()).not.toContain('493817');
    expect(logs.text()).not.toContain('123456');
    expect(logs.text()).not.toContain('/things/abc');
  });
});
