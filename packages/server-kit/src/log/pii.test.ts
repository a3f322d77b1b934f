/**
 * End-to-end check of the logging rule (DESIGN.md §4, SECURITY.md): requests full of personal data
 * and tokens go through the base app — including handlers that carelessly log whole bodies,
 * headers and route params, and errors whose messages quote secrets — and not one of the values
 * appears in the captured log stream.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { OpenMidError } from '@openmid/core/errors';
import { expect, test } from 'vitest';
import { createApp, oauthRoute } from '../http/app.js';
import { captureLogs } from '../testing/logs.js';

const SECRETS = {
  name: '홍길동',
  rrn: '900101-1234567',
  rrnDigits: '9001011234567',
  address: '서울특별시 종로구 세종대로 209',
  birthDate: '1990-01-01',
  pin: '482913',
  txCode: '739164',
  preAuthorizedCode: 'SplxlOBeZQQYbYS6WxSbIA',
  authCode: 'Qcb0Orv1zh30vL1MPRsbm',
  codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  accessToken: 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU',
  refreshToken: 'tGzv3JOkF0XG5Qx2TlKWIA',
  idToken: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjaXRpemVuLTEiLCJuYW1lIjoi7ZmN6ri464-ZIn0.c2lnbmF0dXJl',
  vpToken:
    'eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiJ4In0.c2ln~WyJzYWx0IiwibmFtZSIsIu2ZjSJd~',
  dpop: 'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.eyJodG0iOiJQT1NUIn0.ZHBvcHNpZw',
  proof: 'eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCJ9.eyJub25jZSI6Im4ifQ.cHJvb2ZzaWc',
  cookie: 'session=s3ss10nS3cr3tV4lue',
  email: 'hong.gildong@example.kr',
  phone: '010-9876-5432',
} as const;

test('no personal data, token, code or PIN reaches the log stream', async () => {
  const logs = captureLogs('trace');
  const app = createApp({ logger: logs.logger, rateLimit: false, oauthPaths: ['/token'] });

  // A careless token endpoint: logs the whole form, then fails with the code in its details.
  app.post('/token', async (c) => {
    const form = await c.req.parseBody();
    c.var.log.info({ grant: form }, 'token request');
    throw new OpenMidError('ERR_INPUT_INVALID', 'tx_code does not match', {
      details: { tx_code: form['tx_code'], attempts: 1 },
    });
  });
  // A careless credential endpoint: logs every header, then crashes with the proof in the message.
  app.post('/credential', oauthRoute, async (c) => {
    const body = (await c.req.json()) as Record<string, unknown>;
    c.var.log.debug({ headers: c.req.header(), hdrs: c.req.header(), request: body }, 'credential');
    c.var.log.warn({ keys: Object.keys(body), claims: body['claims'] }, 'about to issue');
    throw new TypeError(`cannot issue for ${SECRETS.rrn} with proof ${SECRETS.proof}`);
  });
  // A route with personal data in the path and query; the handler logs params and the URL.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/citizens/{rrn}',
      request: { params: z.object({ rrn: z.string() }) },
      responses: { 200: { description: 'ok' } },
    }),
    (c) => {
      c.var.log.info(
        { params: c.req.valid('param'), url: c.req.url, who: { email: SECRETS.email } },
        'lookup',
      );
      c.var.log.info(`lookup of ${c.req.valid('param').rrn} by ${SECRETS.phone}`);
      return c.body(null, 200);
    },
  );

  const common = {
    authorization: `DPoP ${SECRETS.accessToken}`,
    dpop: SECRETS.dpop,
    cookie: SECRETS.cookie,
    'x-request-id': SECRETS.rrnDigits,
  };
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
    'pre-authorized_code': SECRETS.preAuthorizedCode,
    tx_code: SECRETS.txCode,
    code: SECRETS.authCode,
    code_verifier: SECRETS.codeVerifier,
    refresh_token: SECRETS.refreshToken,
  });
  const token = await app.request(`/token?code=${SECRETS.authCode}&pin=${SECRETS.pin}`, {
    method: 'POST',
    headers: { ...common, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  expect(token.status).toBe(400);

  const credential = await app.request('/credential', {
    method: 'POST',
    headers: { ...common, 'content-type': 'application/json' },
    body: JSON.stringify({
      proofs: { jwt: [SECRETS.proof] },
      claims: {
        name: SECRETS.name,
        rrn: SECRETS.rrn,
        address: SECRETS.address,
        birth_date: SECRETS.birthDate,
      },
      id_token: SECRETS.idToken,
      vp_token: SECRETS.vpToken,
      pin: SECRETS.pin,
    }),
  });
  expect(credential.status).toBe(500);

  const lookup = await app.request(
    `/citizens/${SECRETS.rrn}?name=${encodeURIComponent(SECRETS.name)}&access_token=${SECRETS.accessToken}`,
    { headers: common },
  );
  expect(lookup.status).toBe(200);

  const text = logs.text();
  // The logs were written (the test would pass vacuously otherwise) …
  expect(logs.entries().filter((e) => e['msg'] === 'request')).toHaveLength(3);
  expect(logs.entries().some((e) => e['msg'] === 'request failed')).toBe(true);
  expect(text).toContain('/citizens/:rrn');
  // … and none of the values is in them, in any encoding.
  for (const [what, value] of Object.entries(SECRETS)) {
    for (const form of new Set([
      value,
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
    ])) {
      expect(text, `${what} leaked`).not.toContain(form);
    }
  }
});
