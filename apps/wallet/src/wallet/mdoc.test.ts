/**
 * The licence in both forms (issue 7 §2) against the REAL issuer and verifier services in process:
 * one offer → one card with SD-JWT VC and ISO mdoc copies (each copy its own non-extractable holder
 * key, the mdoc's device key that key); an OpenID4VP `mso_mdoc` query answered with a
 * DeviceResponse over the OpenID4VP handover transcript (verified by the verifier, copies rotated);
 * a request offering both forms answered in the form it lists first; a response made for another
 * request refused; a tampered mdoc refused on receipt; the status of both forms; the in-person
 * exchange over the verifier's relay with the SDK's reader as the other party.
 */
import { KR_MDL_NAMESPACE, MDL_NAMESPACE } from '@openmid/core/mdoc';
import { createOffer, demoCitizenId, type Issuer, suspendDevice } from '@openmid/issuer';
import { createMdocIssuerTrust, startRelayReader, verifyInPersonResponse } from '@openmid/verifier';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ISSUER, PIN, type Services, startServices } from '../../test-support/services.js';
import { getCard } from './cards.js';
import { holderSigner } from './keys.js';
import { discloseOf, onlinePresentation, readCopy } from './mdoc.js';
import { answerOnline, defaultTicked } from './present.js';
import { displayValue } from './profile.js';
import { createWallet, type Wallet } from './wallet.js';

const NAME = 'wallet-mdoc';

let services: Services;
let issuer: Issuer;
let wallet: Wallet;
let route: Services['route'];
const ask: Services['ask'] = (rp, body) => services.ask(rp, body);
const result: Services['result'] = (rp, id) => services.result(rp, id);

beforeAll(async () => {
  services = await startServices(NAME);
  ({ issuer, wallet, route } = services);
}, 60_000);

afterAll(async () => {
  await services?.stop();
});

const DL = 'urn:openmid:kr:driving-licence:1';
const MDL = 'org.iso.18013.5.1.mDL';

describe('the licence in both forms', () => {
  let cardId = '';

  test('one offer of both configurations yields ONE card with SD-JWT VC and mdoc copies', async () => {
    await wallet.setUp(PIN);
    const offer = await createOffer(issuer.ctx, {
      citizenId: demoCitizenId(0),
      type: 'driving-licence',
      copies: 2,
      configurations: ['driving-licence', 'driving-licence-mdoc'],
      byReference: true,
      actor: 'test',
    });
    const session = await wallet.prepareOffer(offer.credential_offer_uri);
    expect(session.issuer.configurations.map((c) => [c.format, c.vct])).toEqual([
      ['dc+sd-jwt', DL],
      ['mso_mdoc', DL],
    ]);
    const card = await wallet.acceptOffer(session, { txCode: offer.tx_code });
    cardId = card.id;
    expect(await wallet.cards()).toHaveLength(1);
    expect(card.type).toBe('driving-licence');
    expect(card.copies).toHaveLength(2);
    expect(card.mdoc).toMatchObject({ docType: MDL, configuration: 'driving-licence-mdoc' });
    expect(card.mdoc?.copies).toHaveLength(2);
    // Four copies, four distinct non-extractable holder keys; the MSO device key is the copy's key.
    const ids = [...card.copies, ...(card.mdoc?.copies ?? [])].map((c) => c.keyId);
    expect(new Set(ids).size).toBe(4);
    for (const copy of card.mdoc?.copies ?? []) {
      const stored = (await wallet.store.get('keys', copy.keyId)) as {
        key: CryptoKey;
        publicJwk: { x: string };
      };
      expect(stored.key.extractable).toBe(false);
      expect(readCopy(copy.credential).mso.deviceKey.x).toBe(stored.publicJwk.x);
      expect(readCopy(copy.credential).mso.status?.uri).toMatch(/^https:\/\/issuer\.test\//);
    }
    // Sealed like everything else: no claim value in the clear in the store.
    const raw = JSON.stringify(await wallet.store.get('cards', card.id), (_k, v) =>
      v instanceof Uint8Array ? Array.from(v) : v,
    );
    expect(raw).not.toContain(String(card.claims['name']));
    const n = await issuer.ctx.sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM credentials WHERE notified = 'credential_accepted'",
    );
    expect(Number(n.rows[0]?.n)).toBe(4);
  });

  test('the card screens know the card is also held as an ISO mDL; the claims come from the SD-JWT VC', async () => {
    const card = await wallet.card(cardId);
    expect(card.claims['vct']).toBe(DL);
    expect(card.mdoc?.docType).toBe(MDL);
  });

  test('an mso_mdoc query is answered from the mdoc copies (OpenID4VP handover transcript)', async () => {
    const created = await ask('police-checkpoint', { preset: 'mdl-driving-qualification' });
    const request = await wallet.prepareAsk(created.request_link);
    expect(request.exceeds).toEqual([]);
    const model = await wallet.consent(request);
    expect(model.selections).toMatchObject([
      { queryId: 'driving_licence_mdoc', cardId, format: 'mso_mdoc', docType: MDL },
    ]);
    // [namespace, element] → the profile's claim and its Korean / English label.
    const classes = model.items.find((i) => i.name === 'licence_classes');
    expect(classes).toMatchObject({
      path: [KR_MDL_NAMESPACE, 'licence_classes'],
      labels: { ko: expect.any(String), en: expect.stringMatching(/class/i) },
      retain: false,
      separate: false,
    });
    await wallet.answer(model, defaultTicked(model));
    const r = await result('police-checkpoint', created.transaction_id);
    expect(r['status']).toBe('verified');
    const got = (r['credentials'] as Record<string, Record<string, unknown>[]>)[
      'driving_licence_mdoc'
    ]?.[0];
    expect(got).toMatchObject({ format: 'mso_mdoc', vct: DL });
    const claims = got?.['claims'] as Record<string, unknown>;
    expect(claims['licence_classes']).toEqual(
      (await wallet.card(cardId)).claims['licence_classes'],
    );
    expect(claims).not.toHaveProperty('name');
    // One mdoc copy was used; the SD-JWT VC copies were not touched.
    const after = await wallet.card(cardId);
    expect(after.mdoc?.copies.map((c) => c.uses).sort()).toEqual([0, 1]);
    expect(after.copies.map((c) => c.uses)).toEqual([0, 0]);
    const h = (await wallet.history())[0];
    expect(h).toMatchObject({ kind: 'presentation', outcome: 'verified' });
    expect(h?.claims).toContain('licence_classes');
  });

  test('the next mso_mdoc answer uses the other copy (rotation)', async () => {
    const created = await ask('convenience-store', { preset: 'mdl-age-over-19' });
    const model = await wallet.consent(await wallet.prepareAsk(created.request_link));
    expect(model.items.map((i) => [i.path, i.name])).toEqual([
      [[MDL_NAMESPACE, 'age_over_19'], 'age_over_19'],
    ]);
    await wallet.answer(model, defaultTicked(model));
    expect((await result('convenience-store', created.transaction_id))['status']).toBe('verified');
    expect((await wallet.card(cardId)).mdoc?.copies.map((c) => c.uses)).toEqual([1, 1]);
  });

  test('a request accepting both forms gets the one it lists first', async () => {
    const sdJwtFirst = await ask('police-checkpoint', { preset: 'driving-qualification-any' });
    const m1 = await wallet.consent(await wallet.prepareAsk(sdJwtFirst.request_link));
    expect(m1.selections.map((s) => s.format)).toEqual(['dc+sd-jwt']);
    await wallet.refuse(m1.ask, m1);
    const mdocFirst = await ask('police-checkpoint', {
      dcql: {
        credentials: [
          {
            id: 'sd',
            format: 'dc+sd-jwt',
            meta: { vct_values: [DL] },
            claims: [{ path: ['licence_classes'] }],
          },
          {
            id: 'mdl',
            format: 'mso_mdoc',
            meta: { doctype_value: MDL },
            claims: [{ path: [KR_MDL_NAMESPACE, 'licence_classes'], intent_to_retain: true }],
          },
        ],
        credential_sets: [{ options: [['mdl'], ['sd']] }],
      },
    });
    const m2 = await wallet.consent(await wallet.prepareAsk(mdocFirst.request_link));
    expect(m2.selections.map((s) => s.format)).toEqual(['mso_mdoc']);
    expect(m2.items[0]).toMatchObject({ name: 'licence_classes', retain: true });
    await wallet.answer(m2, defaultTicked(m2));
    expect((await result('police-checkpoint', mdocFirst.transaction_id))['status']).toBe(
      'verified',
    );
  });

  test('the portrait in mdoc form is asked about separately and left unticked', async () => {
    const created = await ask('police-checkpoint', {
      dcql: {
        credentials: [
          {
            id: 'mdl',
            format: 'mso_mdoc',
            meta: { doctype_value: MDL },
            claims: [{ path: [KR_MDL_NAMESPACE, 'name'] }, { path: [MDL_NAMESPACE, 'portrait'] }],
          },
        ],
      },
    });
    const model = await wallet.consent(await wallet.prepareAsk(created.request_link));
    const portrait = model.items.find((i) => i.name === 'portrait');
    expect(portrait).toMatchObject({ sensitivity: 'biometric', separate: true });
    expect(defaultTicked(model).has(portrait?.key ?? '')).toBe(false);
    await wallet.refuse(model.ask, model);
    expect((await result('police-checkpoint', created.transaction_id))['status']).toBe('refused');
  });

  test('a DeviceResponse made for another request is refused (ERR_MDOC_DEVICE_AUTH_INVALID)', async () => {
    const created = await ask('convenience-store', { preset: 'mdl-age-over-19' });
    const model = await wallet.consent(await wallet.prepareAsk(created.request_link));
    const card = await getCard(wallet.vault, cardId);
    const copy = card.mdoc?.copies[0];
    if (copy === undefined) throw new Error('no mdoc copy');
    const signer = await holderSigner(wallet.store, copy.keyId);
    await expect(
      answerOnline(model, defaultTicked(model), {
        http: wallet.http,
        present: async () => {
          throw new Error('not an SD-JWT VC query');
        },
        // The transcript of another request: same party, another nonce.
        presentMdoc: async (_id, paths, req) =>
          onlinePresentation(
            copy.credential,
            discloseOf(paths),
            { ...req, nonce: `${req.nonce}x` },
            signer,
          ),
      }),
    ).rejects.toMatchObject({
      code: 'ERR_WALLET_VERIFIER_REJECTED',
      details: { code: 'ERR_MDOC_DEVICE_AUTH_INVALID' },
    });
    expect((await result('convenience-store', created.transaction_id))['status']).not.toBe(
      'verified',
    );
  });

  describe('in person (ISO/IEC 18013-5 QR engagement over the verifier relay)', () => {
    async function readerContext() {
      const pem = await (await issuer.app.request(`${ISSUER}/iaca`)).text();
      const trust = await wallet.trust.current();
      return {
        trust,
        statusLists: trust.statusLists,
        iacas: await createMdocIssuerTrust([{ iss: ISSUER, certificate: pem }]),
        now: Math.floor(Date.now() / 1000),
        leeway: 30,
      };
    }
    const asked = {
      docRequests: [
        {
          docType: MDL,
          nameSpaces: {
            [KR_MDL_NAMESPACE]: { name: false, licence_classes: true },
            [MDL_NAMESPACE]: {
              age_over_19: false,
              portrait: false,
              height: false,
              driving_privileges: false,
            },
          },
        },
      ],
    };

    test('the SDK reader gets exactly the elements the citizen agreed to, verified', async () => {
      const exchange = await wallet.inPersonOpen();
      expect(exchange.uri).toMatch(/^mdoc:[A-Za-z0-9_-]+$/);
      expect(exchange.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(200);
      const reader = await startRelayReader(exchange.uri, { fetch: route });
      await reader.request(asked);
      const ask = await wallet.inPersonAwait(exchange);
      expect(ask.model.ask.mode).toBe('in-person');
      expect(ask.model.ask.party.names.en).toMatch(/not verified/);
      // `height` is not on a Korean licence: listed as unavailable, never answered.
      expect(ask.unavailable).toEqual([`${MDL_NAMESPACE}/height`]);
      const byName = Object.fromEntries(ask.model.items.map((i) => [i.name, i]));
      expect(byName['licence_classes']).toMatchObject({ retain: true, required: false });
      expect(byName['name']).toMatchObject({ retain: false });
      expect(byName['portrait']).toMatchObject({ separate: true });
      // ISO elements the profile does not map: the profile's ISO labels; values shown as text.
      const privileges = byName['driving_privileges'];
      expect(privileges?.labels.en).toMatch(/privileges/i);
      expect(displayValue(DL, 'driving_privileges', privileges?.value)).toMatch(
        /^[A-Z][A-Z0-9]*(, [A-Z][A-Z0-9]*)*$/,
      );
      const ticked = defaultTicked(ask.model);
      expect(ticked.has(byName['portrait']?.key ?? '')).toBe(false);
      const before = (await wallet.card(cardId)).mdoc?.copies.map((c) => c.uses);
      await wallet.inPersonAnswer(ask, ticked);
      const verified = await verifyInPersonResponse(
        await reader.response(10),
        reader,
        await readerContext(),
      );
      const card = await wallet.card(cardId);
      expect(verified).toMatchObject({ iss: ISSUER, vct: DL, format: 'mso_mdoc', status: 'valid' });
      expect(verified.claims).toMatchObject({
        name: card.claims['name'],
        licence_classes: card.claims['licence_classes'],
        age_over_19: card.claims['age_over_19'],
      });
      expect(Object.keys(verified.claims).sort()).toEqual([
        'age_over_19',
        'licence_classes',
        'name',
        MDL_NAMESPACE,
      ]);
      expect(Object.keys(verified.claims[MDL_NAMESPACE] as object)).toEqual(['driving_privileges']);
      await reader.end();
      // A copy was used (rotated), and the history says what was shown — names only.
      const uses = card.mdoc?.copies.map((c) => c.uses) ?? [];
      expect(uses.reduce((a, b) => a + b, 0)).toBe((before ?? []).reduce((a, b) => a + b, 0) + 1);
      const h = (await wallet.history())[0];
      expect(h).toMatchObject({ kind: 'in-person', outcome: 'shown', card: { id: cardId } });
      expect([...(h?.claims ?? [])].sort()).toEqual([
        'age_over_19',
        'driving_privileges',
        'licence_classes',
        'name',
      ]);
    });

    test('an anonymous reader never gets the resident number, even if the citizen ticks it', async () => {
      const exchange = await wallet.inPersonOpen();
      const reader = await startRelayReader(exchange.uri, { fetch: route });
      await reader.request({
        docRequests: [
          { docType: MDL, nameSpaces: { [KR_MDL_NAMESPACE]: { name: false, rrn: false } } },
        ],
      });
      const ask = await wallet.inPersonAwait(exchange);
      const rrn = ask.model.items.find((i) => i.name === 'rrn');
      expect(rrn).toMatchObject({ sensitivity: 'rrn', withheld: 'no-legal-basis' });
      expect(defaultTicked(ask.model).has(rrn?.key ?? '')).toBe(false);
      const all = new Set(ask.model.items.map((i) => i.key));
      const history = (await wallet.history()).length;
      await expect(wallet.inPersonAnswer(ask, all)).rejects.toMatchObject({
        code: 'ERR_WALLET_RRN_NO_LEGAL_BASIS',
      });
      // Nothing reached the reader; the attempt is in the history as failed, with no value.
      await expect(reader.response(3)).rejects.toMatchObject({ code: expect.any(String) });
      const h = await wallet.history();
      expect(h).toHaveLength(history + 1);
      expect(h[0]).toMatchObject({ outcome: 'failed', errorCode: 'ERR_WALLET_RRN_NO_LEGAL_BASIS' });
      expect(JSON.stringify(h[0])).not.toContain(String((await wallet.card(cardId)).claims['rrn']));
    });

    test('a refusal ends the session: the reader gets nothing (ERR_MDOC_SESSION_TERMINATED)', async () => {
      const exchange = await wallet.inPersonOpen();
      const reader = await startRelayReader(exchange.uri, { fetch: route });
      await reader.request(asked);
      const ask = await wallet.inPersonAwait(exchange);
      await wallet.inPersonRefuse(ask);
      await expect(reader.response(5)).rejects.toMatchObject({
        code: expect.stringMatching(/^ERR_MDOC_(SESSION_TERMINATED|RELAY_SESSION_UNKNOWN)$/),
      });
      expect((await wallet.history())[0]).toMatchObject({ kind: 'in-person', outcome: 'refused' });
    });

    test("a response is bound to its session: another session's reader refuses it", async () => {
      const first = await wallet.inPersonOpen();
      const second = await wallet.inPersonOpen();
      expect(second.uri).not.toBe(first.uri);
      const readerA = await startRelayReader(first.uri, { fetch: route });
      const readerB = await startRelayReader(second.uri, { fetch: route });
      await readerA.request(asked);
      await readerB.request(asked);
      const askA = await wallet.inPersonAwait(first);
      await wallet.inPersonAnswer(askA, defaultTicked(askA.model));
      const bytesA = await readerA.response(10);
      await expect(
        verifyInPersonResponse(bytesA, readerB, await readerContext()),
      ).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_MDOC_/) });
      await wallet.inPersonClose(second);
    });

    test('a reader asking only for what the card lacks: ERR_WALLET_NO_MATCHING_CARD, recorded', async () => {
      const exchange = await wallet.inPersonOpen();
      const reader = await startRelayReader(exchange.uri, { fetch: route });
      await reader.request({
        docRequests: [{ docType: 'org.iso.23220.photoid.1', nameSpaces: { x: { y: false } } }],
      });
      await expect(wallet.inPersonAwait(exchange)).rejects.toMatchObject({
        code: 'ERR_WALLET_NO_MATCHING_CARD',
      });
      expect((await wallet.history())[0]).toMatchObject({
        kind: 'in-person',
        outcome: 'failed',
        errorCode: 'ERR_WALLET_NO_MATCHING_CARD',
      });
    });
  });

  test('an offer of the mdoc alone yields a card held as an ISO mDL only', async () => {
    const offer = await createOffer(issuer.ctx, {
      citizenId: demoCitizenId(1),
      type: 'driving-licence-mdoc',
      copies: 1,
      actor: 'test',
    });
    const session = await wallet.prepareOffer(offer.credential_offer_uri);
    const card = await wallet.acceptOffer(session, { txCode: offer.tx_code });
    expect(card).toMatchObject({ type: 'driving-licence', vct: DL, copies: [] });
    expect(card.mdoc?.copies).toHaveLength(1);
    expect(typeof card.claims['name']).toBe('string');
    expect(card.claims['licence_classes']).toBeInstanceOf(Array);
  });

  test('a tampered mdoc is refused on receipt (ERR_WALLET_CREDENTIAL_INVALID) and nothing is kept', async () => {
    const offer = await createOffer(issuer.ctx, {
      citizenId: demoCitizenId(1),
      type: 'driving-licence',
      copies: 1,
      configurations: ['driving-licence', 'driving-licence-mdoc'],
      actor: 'test',
    });
    const keysBefore = (await wallet.store.entries('keys')).length;
    const cardsBefore = (await wallet.cards()).length;
    // A man in the middle changes one element value ("ROK" → "ROX", same length, valid CBOR).
    const tampering = createWallet({
      store: wallet.store,
      fetch: async (input, init) => {
        const res = await route(input, init);
        if (res.status !== 200 || !String(init?.body ?? '').includes('driving-licence-mdoc'))
          return res;
        const body = (await res.json()) as { credentials: { credential: string }[] };
        for (const c of body.credentials) {
          const bytes = Buffer.from(c.credential, 'base64url');
          const at = bytes.indexOf(Buffer.from('ROK'));
          expect(at).toBeGreaterThan(0);
          bytes[at + 2] = 0x58;
          c.credential = bytes.toString('base64url');
        }
        return Response.json(body, { status: res.status });
      },
      vault: { iterations: 1000 },
      config: wallet.config,
    });
    await tampering.vault.unlock(PIN);
    const session = await tampering.prepareOffer(offer.credential_offer_uri);
    const failure = await tampering.acceptOffer(session, { txCode: offer.tx_code }).catch((e) => e);
    expect(failure).toMatchObject({ code: 'ERR_WALLET_CREDENTIAL_INVALID' });
    expect((failure as { cause?: { code?: string } }).cause?.code).toMatch(/^ERR_MDOC_/);
    expect(await wallet.cards()).toHaveLength(cardsBefore);
    expect((await wallet.store.entries('keys')).length).toBe(keysBefore);
  });

  test('the status refresh covers the mdoc copies (their MSO status reference)', async () => {
    const mdocOnly = (await wallet.cards()).find((c) => c.copies.length === 0);
    if (mdocOnly === undefined) throw new Error('no mdoc-only card');
    await wallet.refreshStatus(mdocOnly.id);
    expect((await wallet.card(mdocOnly.id)).status.value).toBe('valid');
    await suspendDevice(issuer.ctx, {
      citizenId: demoCitizenId(1),
      thumbprint: (await wallet.deviceId()) ?? '',
      actor: 'test',
    });
    await new Promise((r) => setTimeout(r, 1100)); // the list lives 1 s
    await wallet.refreshStatus(mdocOnly.id);
    expect((await wallet.card(mdocOnly.id)).status.value).toBe('suspended');
  });
});
