/**
 * The wallet's protocol logic against the REAL issuer and verifier services, in process (their
 * Hono apps answer the wallet's fetches; each on an in-memory PGlite): onboarding, OpenID4VCI 1.0
 * issuance with DPoP and batch copies, an `age_over_19` presentation over OpenID4VP 1.0, a party
 * asking beyond its registration, refusal, device suspension, and the history of all of it. The
 * browser suite (e2e/) runs the same story through the UI.
 */
import { createOffer, demoCitizenId, type Issuer, suspendDevice } from '@openmid/issuer';
import {
  DEMO_RELYING_PARTIES,
  registerRelyingParty,
  type Verifier,
} from '@openmid/verifier-service';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ISSUER, PIN, type Services, startServices } from '../../test-support/services.js';
import type { Wallet } from './wallet.js';

const NAME = 'wallet-flow';

let services: Services;
let issuer: Issuer;
let verifier: Verifier;
let wallet: Wallet;
const ask: Services['ask'] = (rp, body) => services.ask(rp, body);
const result: Services['result'] = (rp, id) => services.result(rp, id);

beforeAll(async () => {
  services = await startServices(NAME);
  ({ issuer, verifier, wallet } = services);
}, 60_000);

afterAll(async () => {
  await services?.stop();
});

describe('the wallet against the issuer and verifier services', () => {
  let cardId = '';

  test('onboarding pins the trust anchors and fetches a verified trust list', async () => {
    await wallet.setUp(PIN);
    const t = await wallet.trust.current();
    const now = Math.floor(Date.now() / 1000);
    expect(await t.issuerMayIssue(ISSUER, 'urn:openmid:kr:driving-licence:1', now)).toBe(true);
    expect(await t.issuerMayIssue(ISSUER, 'urn:openmid:kr:unknown:1', now)).toBe(false);
    expect(await wallet.deviceId()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('a pre-authorized offer with a tx_code yields a verified card with batch copies', async () => {
    const offer = await createOffer(issuer.ctx, {
      citizenId: demoCitizenId(0),
      type: 'driving-licence',
      copies: 2,
      byReference: true,
      actor: 'test',
    });
    const session = await wallet.prepareOffer(offer.credential_offer_uri);
    expect(session.issuer.trustedNames.ko.length).toBeGreaterThan(0);
    expect(session.offer.txCode?.length).toBe(6);
    await expect(wallet.acceptOffer(session, { txCode: '12345' })).rejects.toMatchObject({
      code: 'ERR_WALLET_TX_CODE_FORMAT',
    });
    const card = await wallet.acceptOffer(session, { txCode: offer.tx_code });
    cardId = card.id;
    expect(card.copies).toHaveLength(2);
    expect(card.vct).toBe('urn:openmid:kr:driving-licence:1');
    expect(card.claims['age_over_19']).toBeTypeOf('boolean');
    // The copies are bound to distinct, non-extractable holder keys.
    const keys = await Promise.all(card.copies.map((c) => wallet.store.get('keys', c.keyId)));
    expect(new Set(card.copies.map((c) => c.keyId)).size).toBe(2);
    for (const k of keys) {
      const key = (k as { key: CryptoKey }).key;
      expect(key.extractable).toBe(false);
      await expect(crypto.subtle.exportKey('jwk', key)).rejects.toThrow();
    }
    // credential_accepted reached the issuer (OpenID4VCI 1.0 §11).
    const n = await issuer.ctx.sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM credentials WHERE notified = 'credential_accepted'",
    );
    expect(Number(n.rows[0]?.n)).toBe(2);
  });

  test('the convenience store gets age_over_19 and nothing else', async () => {
    const created = await ask('convenience-store', { preset: 'age-over-19' });
    const request = await wallet.prepareAsk(created.request_link);
    expect(request.party.names.ko).toBe('오픈편의점');
    expect(request.exceeds).toEqual([]);
    const model = await wallet.consent(request);
    expect(model.items.map((i) => i.path)).toEqual([['age_over_19']]);
    await wallet.answer(model, new Set(model.items.map((i) => i.key)));
    const r = await result('convenience-store', created.transaction_id);
    expect(r['status']).toBe('verified');
    const creds = r['credentials'] as Record<string, { claims: Record<string, unknown> }[]>;
    expect(Object.keys(creds['driving_licence']?.[0]?.claims ?? {})).toEqual(['age_over_19']);
  });

  test('the same-device link works as the cross-device one', async () => {
    const created = await ask('convenience-store', { preset: 'age-over-19' });
    const request = await wallet.prepareAsk(created.same_device_url);
    expect(request.mode).toBe('online');
    await wallet.refuse(request);
    expect((await result('convenience-store', created.transaction_id))['status']).toBe('refused');
  });

  test('an offline one-way QR never carries the resident number (nobody asked with a legal basis)', async () => {
    const history = (await wallet.history()).length;
    await expect(wallet.offlineOneWay(cardId, [['name'], ['rrn']])).rejects.toMatchObject({
      code: 'ERR_WALLET_RRN_NO_LEGAL_BASIS',
    });
    expect(await wallet.history()).toHaveLength(history);
  });

  test('a bank asking beyond its registration is marked, and those claims are unticked', async () => {
    const bank = DEMO_RELYING_PARTIES.find((r) => r.id === 'bank');
    if (bank === undefined) throw new Error('no bank');
    const widened = {
      ...bank,
      requests: bank.requests.map((r) => ({ ...r, claims: [...r.claims, ['portrait']] })),
    };
    await registerRelyingParty(verifier.ctx, widened, 'test');
    const created = await ask('bank', {
      dcql: {
        credentials: [
          {
            id: 'licence',
            format: 'dc+sd-jwt',
            meta: { vct_values: ['urn:openmid:kr:driving-licence:1'] },
            claims: [{ path: ['name'] }, { path: ['rrn'] }, { path: ['portrait'] }],
          },
        ],
      },
    });
    await registerRelyingParty(verifier.ctx, bank, 'test');
    const request = await wallet.prepareAsk(created.request_link);
    expect(request.exceeds.map((x) => x.path)).toEqual([['portrait']]);
    const model = await wallet.consent(request);
    const portrait = model.items.find((i) => i.path[0] === 'portrait');
    const rrn = model.items.find((i) => i.path[0] === 'rrn');
    expect(portrait).toMatchObject({ exceeds: 'claim-not-registered', separate: true });
    expect(rrn).toMatchObject({ separate: true, sensitivity: 'rrn' });
    await wallet.refuse(request);
    expect((await result('bank', created.transaction_id))['status']).toBe('refused');
  });

  test('after the agency suspends the device, the next presentation fails with ERR_STATUS_SUSPENDED', async () => {
    const device = await wallet.deviceId();
    await suspendDevice(issuer.ctx, {
      citizenId: demoCitizenId(0),
      thumbprint: device ?? '',
      actor: 'test',
    });
    await new Promise((r) => setTimeout(r, 1100)); // the verifier's copy of the list lives 1 s
    const created = await ask('convenience-store', { preset: 'age-over-19' });
    const request = await wallet.prepareAsk(created.request_link);
    const model = await wallet.consent(request);
    await expect(
      wallet.answer(model, new Set(model.items.map((i) => i.key))),
    ).rejects.toMatchObject({
      code: 'ERR_WALLET_VERIFIER_REJECTED',
      details: { code: 'ERR_STATUS_SUSPENDED' },
    });
    await wallet.refreshStatus(cardId);
    expect((await wallet.card(cardId)).status.value).toBe('suspended');
  });

  test('the history holds every issuance and presentation, refused and failed ones too', async () => {
    const h = (await wallet.history()).reverse();
    expect(h.map((e) => `${e.kind}:${e.outcome}`)).toEqual([
      'issuance:accepted',
      'presentation:verified',
      'presentation:refused',
      'presentation:refused',
      'presentation:failed',
      'status:suspended',
    ]);
    expect(h[4]?.errorCode).toBe('ERR_STATUS_SUSPENDED');
    expect(h[3]?.exceeded).toEqual(['portrait']);
    const exported = JSON.parse(await wallet.exportHistory()) as { entries: unknown[] };
    expect(exported.entries).toHaveLength(6);
  });
});
