/**
 * The authorization code flow (RFC 6749 §4.1, RFC 7636, RFC 9126) through the demo identity
 * provider, and the citizen's own lost-phone report.
 */
import { randomBytes } from 'node:crypto';
import { describeStores } from '@openmid/server-kit/testing';
import { beforeAll, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from '../main.js';
import { pkceChallenge } from '../oauth/pkce.js';
import {
  browserAuthorize,
  credentialCall,
  issue,
  makeIssuer,
  makeWallet,
  snapshot,
  type TestIssuer,
  tokenCall,
} from '../test/harness.js';

describeStores(
  'authorization code flow',
  ({ sql }) => {
    let t: TestIssuer;
    beforeAll(async () => {
      t = await makeIssuer(sql());
    });
    const verifier = () => randomBytes(32).toString('base64url');
    const par = (v: string, extra: Record<string, string> = {}) => ({
      client_id: 'wallet-app',
      response_type: 'code',
      redirect_uri: 'https://wallet.example/cb',
      code_challenge: pkceChallenge(v),
      code_challenge_method: 'S256',
      scope: 'resident-id',
      state: 'st-1',
      ...extra,
    });

    test('PAR → authorize → IdP → code → DPoP token → credential', async () => {
      const v = verifier();
      const { location } = await browserAuthorize(t, par(v));
      expect(location.origin + location.pathname).toBe('https://wallet.example/cb');
      expect(location.searchParams.get('state')).toBe('st-1');
      expect(location.searchParams.get('iss')).toBe('https://issuer.example');
      const w = await makeWallet(t);
      const { access_token } = await tokenCall(t, w, {
        grant_type: 'authorization_code',
        code: location.searchParams.get('code') as string,
        code_verifier: v,
        redirect_uri: 'https://wallet.example/cb',
        client_id: 'wallet-app',
      });
      const r = await credentialCall(t, w, access_token, {
        credential_configuration_id: 'resident-id',
        proofs: { jwt: [(await w.proof({ nonce: await w.nonce() })).jwt] },
      });
      expect(r.credentials).toHaveLength(1);
      const audit = await sql().query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action = 'offer.authorize'",
      );
      expect(audit.rows.length).toBeGreaterThan(0);
    });

    test('a wrong PKCE verifier is refused and the code stays usable by its owner', async () => {
      const v = verifier();
      const { location } = await browserAuthorize(t, par(v));
      const w = await makeWallet(t);
      const code = location.searchParams.get('code') as string;
      const form = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://wallet.example/cb',
      };
      const before = await snapshot(sql());
      await expect(tokenCall(t, w, { ...form, code_verifier: verifier() })).rejects.toMatchObject({
        code: 'ERR_OAUTH_INVALID_GRANT',
      });
      expect(await snapshot(sql())).toEqual(before);
      await tokenCall(t, w, { ...form, code_verifier: v });
      await expect(tokenCall(t, w, { ...form, code_verifier: v })).rejects.toMatchObject({
        code: 'ERR_OAUTH_INVALID_GRANT',
      });
    });

    test('PKCE plain (or none) is refused at PAR', async () => {
      const cases: Record<string, string>[] = [
        { code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) },
        { code_challenge_method: '' },
      ];
      for (const extra of cases) {
        const before = await snapshot(sql());
        const r = await t.request('/par', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(par(verifier(), extra)).toString(),
        });
        expect(r.status).toBe(400);
        expect(await r.json()).toMatchObject({ error: 'invalid_request' });
        expect(await snapshot(sql())).toEqual(before);
      }
    });

    test('a PAR request_uri is single-use, and /authorize without PAR is refused', async () => {
      let second: Response | undefined;
      await browserAuthorize(t, par(verifier()), {
        reuseRequestUri: async (uri) => {
          second = await t.request(
            `/authorize?${new URLSearchParams({ client_id: 'wallet-app', request_uri: uri })}`,
          );
        },
      });
      expect(second?.status).toBe(400);
      expect(await second?.json()).toMatchObject({ code: 'ERR_OAUTH_REQUEST_URI_INVALID' });
      const direct = await t.request(
        '/authorize?client_id=wallet-app&response_type=code&redirect_uri=https%3A%2F%2Fwallet.example%2Fcb',
      );
      expect(direct.status).toBe(400);
      expect(await direct.json()).toMatchObject({ code: 'ERR_OAUTH_REQUEST_URI_INVALID' });
    });

    test('the code is bound to its redirect_uri', async () => {
      const v = verifier();
      const { location } = await browserAuthorize(t, par(v));
      const w = await makeWallet(t);
      await expect(
        tokenCall(t, w, {
          grant_type: 'authorization_code',
          code: location.searchParams.get('code') as string,
          code_verifier: v,
          redirect_uri: 'https://evil.example/cb',
        }),
      ).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_GRANT' });
    });

    test('the citizen reports a lost phone after signing in through the IdP', async () => {
      const w = await makeWallet(t);
      const c = await issue(t, w, { citizen_id: 'demo-0000000', type: 'resident-id' });
      const start = await t.request('/citizen/login');
      const login = await t.request(start.headers.get('location') as string);
      const ticket = (/name="ticket" value="([^"]+)"/.exec(await login.text())?.[1] ?? '').replace(
        /&#(\d+);/g,
        (_, n) => String.fromCharCode(Number(n)),
      );
      const chosen = await t.request('/demo-idp/authorize', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ticket, citizen: '0' }).toString(),
      });
      const cb = await t.request(chosen.headers.get('location') as string);
      expect(cb.status).toBe(303);
      const cookie = (cb.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const devices = await t.request('/citizen/devices', { headers: { cookie } });
      const html = await devices.text();
      expect(html).toContain(w.deviceId.slice(0, 12));
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const forged = await t.request('/citizen/devices/report', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ device: w.deviceId, csrf: 'x' }).toString(),
      });
      expect(forged.status).toBe(403);
      const report = await t.request('/citizen/devices/report', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ device: w.deviceId, csrf }).toString(),
      });
      expect(report.status).toBe(200);
      expect(await report.text()).toContain('tx_code');
      const s = await sql().query<{ status: number }>(
        'SELECT status FROM credentials WHERE id = $1',
        [c.ids[0] as string],
      );
      expect(s.rows[0]?.status).toBe(2);
      const a = await sql().query<{ actor: string }>(
        "SELECT actor FROM audit_log WHERE action = 'device.report_lost' ORDER BY seq DESC LIMIT 1",
      );
      expect(a.rows[0]?.actor).toBe('citizen:demo-0000000');
    });
  },
  { migrations: ALL_MIGRATIONS },
);
