import { expect, test } from 'vitest';
import { createApp } from '../http/app.js';
import { captureLogs } from '../testing/logs.js';
import { serve } from './serve.js';

test('serves over HTTP and closes gracefully: in-flight requests finish, then onClose runs', async () => {
  const logs = captureLogs();
  const app = createApp({ logger: logs.logger, rateLimit: false });
  const events: string[] = [];
  let arrived!: () => void;
  const inFlight = new Promise<void>((r) => {
    arrived = r;
  });
  app.get('/slow', async (c) => {
    arrived();
    await new Promise((r) => setTimeout(r, 300));
    events.push('slow answered');
    return c.json({ done: true });
  });
  const server = await serve(app, {
    port: 0,
    logger: logs.logger,
    handleSignals: false,
    onClose: () => {
      events.push('store closed');
    },
  });
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

  const slow = fetch(`${server.url}/slow`).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));
  await inFlight;
  const closing = server.close().then(() => events.push('closed'));
  // New connections are refused while the in-flight request completes.
  await new Promise((r) => setTimeout(r, 50));
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  expect(await slow).toEqual({ status: 200, body: { done: true } });
  await closing;
  expect(events).toEqual(['slow answered', 'store closed', 'closed']);
  expect(logs.entries().map((e) => e['msg'])).toEqual(
    expect.arrayContaining(['listening', 'shutting down', 'stopped']),
  );
  await server.close(); // idempotent
});
