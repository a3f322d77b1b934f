import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@openmid/server-kit';
import { describe, expect, test } from 'vitest';
import { createPortalApp } from './app.js';
import { type Backends, httpBackends, type Registration } from './backends.js';
import { loadPortalConfig } from './config.js';
import { escapeHtml, html, raw } from './html.js';

const BANK: Registration = {
  id: 'bank',
  names: { ko: '오픈은행', en: 'Open Bank' },
  purpose: { ko: '실명 확인', en: 'Real-name check' },
  requests: [{ vct: 'urn:openmid:kr:resident-id:1', claims: [['name'], ['rrn']] }],
  rrnLegalBasis: '금융실명법 제3조',
};

function fakeBackends(calls: string[] = []): Backends {
  return {
    createOffer: async (i) => {
      calls.push(`offer ${i.citizenId} ${i.type} ${i.copies}`);
      return {
        credential_offer_uri:
          'openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fi%2Fo%2F1',
        tx_code: '123456',
        offer_id: 'o1',
      };
    },
    credentials: async () => [
      {
        credential_id: 'cred_0001',
        type: 'driving-licence',
        status: 'valid',
        device_id: 'dev_abcdefghijklmnopqrstuvwxyz0123456789ABCDE',
        issued_at: '2026-01-01T00:00:00.000Z',
        expires_at: '2029-01-01T00:00:00.000Z',
        accepted: true,
      },
    ],
    citizenName: async () => '<script>홍길동</script>',
    changeStatus: async (id, a) => {
      calls.push(`${a} ${id}`);
    },
    suspendDevice: async (c, d) => {
      calls.push(`suspend-device ${c} ${d}`);
      return 1;
    },
    lostPhone: async () => ({ suspended: 1, offers: [] }),
    relyingParties: async () => [BANK],
    createRequest: async (rp) => {
      calls.push(`request ${rp}`);
      return {
        transaction_id: 'tx_0000000001',
        request_link:
          'openid4vp://?client_id=verifier_attestation%3Abank&request_uri=http%3A%2F%2Fv%2Fr%2F1',
        same_device_url: 'http://wallet/present?client_id=x&request_uri=y',
        expires_at: '2026-01-01T00:05:00.000Z',
      };
    },
    createOverAsk: async (rp, extra) => {
      calls.push(`over-ask ${rp} ${JSON.stringify(extra)}`);
      return {
        transaction_id: 'tx_0000000002',
        request_link:
          'openid4vp://?client_id=verifier_attestation%3Abank&request_uri=http%3A%2F%2Fv%2Fr%2F2',
        same_device_url: 'http://wallet/present?client_id=x&request_uri=z',
        expires_at: '2026-01-01T00:05:00.000Z',
      };
    },
    result: async () => ({ status: 'pending' }),
  };
}

function app(backends = fakeBackends()) {
  return createPortalApp({
    config: loadPortalConfig({ PORTAL_URL: 'http://localhost:7000' }),
    backends,
    logger: silentLogger(),
  });
}

const form = (body: Record<string, string>, site = 'same-origin') => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': site },
  body: new URLSearchParams(body).toString(),
});

describe('portal pages', () => {
  test('the landing page links the wallet, the console and every demo relying party', async () => {
    const r = await app().request('http://localhost:7000/');
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('<html lang="ko">');
    for (const href of [
      '/console',
      '/rp/bank',
      '/rp/convenience-store',
      '/rp/police-checkpoint',
      '/rp/car-rental',
      'http://localhost:7003',
    ])
      expect(text).toContain(`href="${href}"`);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  test('English with ?lang=en, and links keep it', async () => {
    const text = await (await app().request('http://localhost:7000/?lang=en')).text();
    expect(text).toContain('<html lang="en">');
    expect(text).toContain('href="/console?lang=en"');
  });

  test('names from services are escaped', async () => {
    const text = await (await app().request('http://localhost:7000/console')).text();
    expect(text).not.toContain('<script>홍길동');
    expect(text).toContain('&lt;script&gt;홍길동');
  });

  test('creating an offer shows its QR code and tx_code', async () => {
    const calls: string[] = [];
    const r = await app(fakeBackends(calls)).request(
      'http://localhost:7000/console/offers',
      form({ citizen: 'demo-0000000', type: 'driving-licence', copies: '3' }),
    );
    expect(r.status).toBe(201);
    const text = await r.text();
    expect(text).toContain('<svg role="img"');
    expect(text).toContain('data-tx-code="123456"');
    expect(calls).toEqual(['offer demo-0000000 driving-licence 3']);
  });

  test('a POST from another site is refused before any service is called', async () => {
    const calls: string[] = [];
    const a = app(fakeBackends(calls));
    const r = await a.request(
      'http://localhost:7000/console/devices/suspend',
      form(
        { citizen: 'demo-0000000', device: 'dev_abcdefghijklmnopqrstuvwxyz0123456789ABCDE' },
        'cross-site',
      ),
    );
    expect(r.status).toBe(403);
    const noHeaders = await a.request('http://localhost:7000/console/offers', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
      body: 'citizen=demo-0000000&type=resident-id&copies=1',
    });
    expect(noHeaders.status).toBe(403);
    expect(calls).toEqual([]);
  });

  test('status actions go to the issuer and back to the console', async () => {
    const calls: string[] = [];
    const r = await app(fakeBackends(calls)).request(
      'http://localhost:7000/console/credentials/cred_0001/suspend',
      form({ citizen: 'demo-0000000' }),
    );
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toContain('/console?citizen=demo-0000000');
    expect(calls).toEqual(['suspend cred_0001']);
  });

  test('a relying party page shows its registration; the over-ask scenario asks for the portrait', async () => {
    const calls: string[] = [];
    const a = app(fakeBackends(calls));
    const page = await (await a.request('http://localhost:7000/rp/bank')).text();
    expect(page).toContain('금융실명법 제3조');
    const r = await a.request(
      'http://localhost:7000/rp/bank/requests',
      form({ scenario: 'over-ask' }),
    );
    expect(r.status).toBe(201);
    const text = await r.text();
    expect(text).toContain('data-poll="/rp/bank/result/tx_0000000002"');
    expect(calls).toEqual(['over-ask bank [["portrait"]]']);
    expect((await a.request('http://localhost:7000/rp/nobody')).status).toBe(404);
  });
});

describe('portal backends', () => {
  test('keys are read from the data folders, sent only as Authorization, never rendered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-keys-'));
    mkdirSync(join(dir, 'verifier', 'rp-keys'), { recursive: true });
    mkdirSync(join(dir, 'issuer'));
    writeFileSync(join(dir, 'issuer', 'admin-api-key'), 'omk_issuer_SECRET\n');
    writeFileSync(join(dir, 'verifier', 'admin-api-key'), 'omk_registry_SECRET\n');
    writeFileSync(join(dir, 'verifier', 'rp-keys', 'bank.key'), 'omk_bank_SECRET\n');
    const seen: { url: string; auth: string | null; method: string; body?: unknown }[] = [];
    const config = loadPortalConfig({
      ISSUER_DATA_DIR: join(dir, 'issuer'),
      VERIFIER_DATA_DIR: join(dir, 'verifier'),
    });
    let creates = 0;
    const backends = httpBackends(config, async (url, init) => {
      const headers = new Headers(init?.headers);
      seen.push({
        url,
        auth: headers.get('authorization'),
        method: init?.method ?? 'GET',
        body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
      });
      if (url.endsWith('/admin/relying-parties'))
        return Response.json([{ ...BANK, keys: [], validFrom: 1 }]);
      if (url.endsWith('/v1/presentations')) {
        creates += 1;
        return Response.json({ code: 'ERR_RP_ATTRIBUTE_NOT_REGISTERED' }, { status: 403 });
      }
      return Response.json({});
    });
    // The over-ask demo restores the registration even when the request is refused.
    await expect(
      backends.createOverAsk('bank', [['portrait']], { preset: 'x' }),
    ).rejects.toMatchObject({
      code: 'ERR_RP_ATTRIBUTE_NOT_REGISTERED',
    });
    expect(creates).toBe(1);
    const puts = seen.filter((s) => s.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(JSON.stringify(puts[0]?.body)).toContain('portrait');
    expect(JSON.stringify(puts[1]?.body)).not.toContain('portrait');
    expect(seen.find((s) => s.url.endsWith('/v1/presentations'))?.auth).toBe(
      'Bearer omk_bank_SECRET',
    );
    expect(puts[0]?.auth).toBe('Bearer omk_registry_SECRET');
  });

  test('a missing key file is ERR_PORTAL_KEY_MISSING, not a crash', async () => {
    const config = loadPortalConfig({ ISSUER_DATA_DIR: '/nonexistent/issuer' });
    await expect(httpBackends(config).credentials('demo-0000000')).rejects.toMatchObject({
      code: 'ERR_PORTAL_KEY_MISSING',
    });
  });
});

describe('html', () => {
  test('interpolated values are escaped unless they are Html', () => {
    expect(html`<p>${'<b>"x"</b>'}</p>`.value).toBe('<p>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</p>');
    expect(html`<p>${raw('<b>ok</b>')}</p>`.value).toBe('<p><b>ok</b></p>');
    expect(html`${['a', html`<i>b</i>`]}`.value).toBe('a<i>b</i>');
    expect(escapeHtml(`'`)).toBe('&#39;');
  });
});
