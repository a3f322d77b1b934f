/**
 * Status management (issue 3 §2; draft-ietf-oauth-status-list §7.1): transitions, races, device
 * suspension, citizen revocation, the lost-phone flow, publication, and the audit trail.
 */
import { assertAuditChain } from '@openmid/server-kit';
import { captureLogs, describeStores } from '@openmid/server-kit/testing';
import { citizenAt } from '@openmid/testing/citizens';
import { beforeAll, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from '../main.js';
import { accessTokenHash } from '../oauth/dpop.js';
import {
  codeOf,
  credentialCall,
  issue,
  makeIssuer,
  makeWallet,
  publishedStatus,
  statusOf,
  type TestIssuer,
  tokenCall,
} from '../test/harness.js';
import { PRE_AUTHORIZED_GRANT } from './offers.js';
import { changeStatus } from './status.js';

describeStores(
  'status management',
  ({ sql }) => {
    let t: TestIssuer;
    const logs = captureLogs('trace');
    beforeAll(async () => {
      t = await makeIssuer(sql(), { logger: logs.logger });
    });
    const post = (path: string, json?: unknown) =>
      t.admin(path, { method: 'POST', ...(json === undefined ? {} : { json }) });

    test('revoke answers 200 with the new status and is in the published list at once', async () => {
      const w = await makeWallet(t);
      const c = await issue(t, w);
      const ref = statusOf(c.credentials[0] as string);
      expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(0);
      const r = await post(`/admin/credentials/${c.ids[0]}/revoke`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ credential_id: c.ids[0], status: 'revoked', changed: true });
      expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(1);
    });

    test('suspend, reinstate, and the transitions revocation forbids', async () => {
      const w = await makeWallet(t);
      const c = await issue(t, w);
      const id = c.ids[0] as string;
      const ref = statusOf(c.credentials[0] as string);
      expect((await (await post(`/admin/credentials/${id}/suspend`)).json()).status).toBe(
        'suspended',
      );
      expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(2);
      expect((await (await post(`/admin/credentials/${id}/reinstate`)).json()).status).toBe(
        'valid',
      );
      expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(0);
      await post(`/admin/credentials/${id}/revoke`);
      for (const action of ['suspend', 'reinstate'] as const) {
        const r = await post(`/admin/credentials/${id}/${action}`);
        expect(r.status).toBe(409);
        expect(await r.json()).toMatchObject({ code: 'ERR_ISSUER_STATUS_TRANSITION' });
      }
      await expect(
        changeStatus(t.ctx, { credentialId: id, action: 'reinstate', actor: 'test' }),
      ).rejects.toMatchObject({ code: 'ERR_ISSUER_STATUS_TRANSITION' });
      expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(1);
      const unknown = await post('/admin/credentials/AAAAAAAAAAAAAAAAAAAAAA/revoke');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ code: 'ERR_ISSUER_CREDENTIAL_NOT_FOUND' });
    });

    test('a revocation racing reinstates and suspends stays revoked', async () => {
      const w = await makeWallet(t);
      const c = await issue(t, w);
      const id = c.ids[0] as string;
      await changeStatus(t.ctx, { credentialId: id, action: 'suspend', actor: 'test' });
      const actions = [
        'revoke',
        ...Array.from({ length: 9 }, (_, i) => (i % 2 ? 'reinstate' : 'suspend')),
      ] as const;
      await Promise.allSettled(
        [...actions, ...actions].map((action) =>
          changeStatus(t.ctx, { credentialId: id, action, actor: 'test' }),
        ),
      );
      const s = await sql().query<{ status: number }>(
        'SELECT status FROM credentials WHERE id = $1',
        [id],
      );
      expect(s.rows[0]?.status).toBe(1);
      const ref = statusOf(c.credentials[0] as string);
      expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(1);
    });

    test('suspend-device suspends every credential on that device, addressed by any holder key', async () => {
      const phone = await makeWallet(t);
      const other = await makeWallet(t);
      const a = await issue(t, phone, { type: 'resident-id', copies: 2 });
      const b = await issue(t, phone, { type: 'driving-licence' });
      const keep = await issue(t, other, { type: 'resident-id' });
      const r = await post('/admin/devices/suspend', {
        citizen_id: 'demo-0000000',
        device_key_thumbprint: a.holderJkts[1],
      });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { device_id: string; count: number; status: string };
      expect(body).toMatchObject({ device_id: phone.deviceId, count: 3, status: 'suspended' });
      for (const c of [...a.credentials, ...b.credentials]) {
        const ref = statusOf(c);
        expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(2);
      }
      const kept = statusOf(keep.credentials[0] as string);
      expect(await publishedStatus(t, kept.uri, kept.idx)).toBe(0);
      const none = await post('/admin/devices/suspend', {
        citizen_id: 'demo-0000001',
        device_key_thumbprint: phone.deviceId,
      });
      expect(none.status).toBe(404);
    });

    test('revoke-all revokes every credential of a citizen (plastic card lost)', async () => {
      const w = await makeWallet(t);
      const c = await issue(t, w, { citizen_id: 'demo-0000002', type: 'resident-id' });
      const r = await post('/admin/citizens/demo-0000002/revoke');
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ status: 'revoked', count: 1 });
      const ref = statusOf(c.credentials[0] as string);
      expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(1);
    });

    test('lost phone: report suspends the device, re-issue offers work, acceptance revokes the old', async () => {
      const oldPhone = await makeWallet(t);
      const old = await issue(t, oldPhone, {
        citizen_id: 'demo-0000001',
        type: 'resident-id',
        copies: 2,
      });
      const r = await post('/admin/lost-phone', {
        citizen_id: 'demo-0000001',
        device_key_thumbprint: oldPhone.deviceId,
      });
      expect(r.status).toBe(200);
      const report = (await r.json()) as {
        report_id: string;
        suspended: number;
        offers: {
          credential_offer_uri: string;
          tx_code: string;
          credential_configuration_id: string;
        }[];
      };
      expect(report.suspended).toBe(2);
      expect(report.offers.map((o) => o.credential_configuration_id)).toEqual(['resident-id']);
      const oldRef = statusOf(old.credentials[0] as string);
      expect(await publishedStatus(t, oldRef.uri, oldRef.idx)).toBe(2);

      const newPhone = await makeWallet(t);
      const offer = report.offers[0] as { credential_offer_uri: string; tx_code: string };
      const { access_token } = await tokenCall(t, newPhone, {
        grant_type: PRE_AUTHORIZED_GRANT,
        'pre-authorized_code': codeOf(offer.credential_offer_uri),
        tx_code: offer.tx_code,
      });
      const nonce = await newPhone.nonce();
      const issued = await credentialCall(t, newPhone, access_token, {
        credential_configuration_id: 'resident-id',
        proofs: {
          jwt: [(await newPhone.proof({ nonce })).jwt, (await newPhone.proof({ nonce })).jwt],
        },
      });
      const n = await t.request('/notification', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `DPoP ${access_token}`,
          dpop: await newPhone.dpop('POST', t.ctx.urls.notification, {
            ath: accessTokenHash(access_token),
          }),
        },
        body: JSON.stringify({
          notification_id: issued.notification_id,
          event: 'credential_accepted',
        }),
      });
      expect(n.status).toBe(204);
      for (const c of old.credentials) {
        const ref = statusOf(c);
        expect(await publishedStatus(t, ref.uri, ref.idx)).toBe(1);
      }
      const newRef = statusOf(issued.credentials[0]?.credential as string);
      expect(await publishedStatus(t, newRef.uri, newRef.idx)).toBe(0);
      const rep = await sql().query<{ state: string }>(
        'SELECT state FROM loss_reports WHERE id = $1',
        [report.report_id],
      );
      expect(rep.rows[0]?.state).toBe('completed');
      const actions = await sql().query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action IN ('device.report_lost', 'credential.notify') ORDER BY seq",
      );
      expect(actions.rows.map((a) => a.action)).toEqual([
        'device.report_lost',
        'credential.notify',
      ]);
    });

    test('a wrong notification_id is refused', async () => {
      const w = await makeWallet(t);
      const c = await issue(t, w);
      const r = await t.request('/notification', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `DPoP ${c.accessToken}`,
          dpop: await w.dpop('POST', t.ctx.urls.notification, {
            ath: accessTokenHash(c.accessToken),
          }),
        },
        body: JSON.stringify({ notification_id: 'nope', event: 'credential_accepted' }),
      });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: 'invalid_notification_id' });
    });

    test('every state change left an audit row, the chain verifies, and logs carry no PII', async () => {
      const rows = await sql().query<{ action: string }>('SELECT DISTINCT action FROM audit_log');
      const actions = rows.rows.map((r) => r.action);
      for (const a of [
        'register.seed',
        'offer.create',
        'offer.redeem',
        'credential.issue',
        'credential.revoke',
        'credential.suspend',
        'credential.reinstate',
        'device.suspend',
        'citizen.revoke_all',
        'device.report_lost',
        'credential.notify',
        'status_list.create',
      ]) {
        expect(actions).toContain(a);
      }
      await assertAuditChain(sql());
      const text = logs.text();
      expect(text.length).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) {
        const c = citizenAt('openmid-test', i);
        expect(text).not.toContain(c.name);
        expect(text).not.toContain(c.rrn);
        expect(text).not.toContain(c.rrn.replace('-', ''));
      }
    });
  },
  { migrations: ALL_MIGRATIONS },
);
