import { type GeneratedKeyPair, generateKeyPair } from '@openmid/core/keys';
import {
  createDemoPki,
  createDeviceResponse,
  issueMdoc,
  KR_MDL_NAMESPACE,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  openid4vpSessionTranscript,
} from '@openmid/core/mdoc';
import { createOffer, type Issuer, revokeCitizen } from '@openmid/issuer';
import {
  type LedgerIssuer,
  readOffer,
  redeemOffer,
  startLedgerIssuer,
} from '@openmid/issuer/testing';
import { nodeMigrations } from '@openmid/ledger-service';
import { createTestLedgerNode, type TestLedgerNode } from '@openmid/ledger-service/testing';
import { migrate, openPglite, type Sql } from '@openmid/server-kit';
import { describeStores } from '@openmid/server-kit/testing';
import {
  createMdocIssuerTrust,
  createMdocPresentation,
  createRelayEngagement,
  createResponseBody,
  holderAwaitRequest,
  holderRespond,
  mdocCandidate,
  mdocDisclosure,
  openRelaySession,
  parseDcqlQuery,
  type RelayFetch,
  selectCredentials,
  startRelayReader,
  type VerifiedRequest,
  verifyInPersonResponse,
  verifyPresentation,
} from '@openmid/verifier';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from './main.js';
import { makeVerifier, type TestClock, type TestVerifier, testClock } from './test/harness.js';

const ISSUER = 'https://police.example';
const LEDGER_URL = 'http://ledger.test';

describeStores(
  'the licence as an mdoc: OpenID4VCI → OpenID4VP and in person, on the trust ledger',
  ({ sql }) => {
    let clock: TestClock;
    let ledgerSql: Sql;
    let node: TestLedgerNode;
    let issued: LedgerIssuer;
    let issuer: Issuer;
    let v: TestVerifier;
    let citizen: string;
    /** Two mdoc copies (base64url IssuerSigned) and their device keys. */
    const copies: { credential: string; key: GeneratedKeyPair }[] = [];

    const relayFetch: RelayFetch = (input, init) => v.request(input, init);

    beforeAll(async () => {
      clock = testClock(Math.floor(Date.now() / 1000));
      ledgerSql = await openPglite();
      await migrate(ledgerSql, nodeMigrations({ OPENMID_LEDGER: 'embedded' }));
      node = await createTestLedgerNode({ sql: ledgerSql, clock });
      v = await makeVerifier(sql(), {
        clock,
        env: {
          NODE_ENV: 'development',
          VERIFIER_LEDGER_URL: LEDGER_URL,
          VERIFIER_LEDGER_LOG_KEY: JSON.stringify(node.logKey),
          VERIFIER_LEDGER_ADMIN_KEY: node.adminKey,
        },
        ledgerFetch: node.fetch,
        // Status lists and /iaca of the real issuer, in process.
        outbound: async (input, init) =>
          input.startsWith(ISSUER) ? issuer.app.request(input, init) : undefined,
      });
      issued = await startLedgerIssuer({
        url: ISSUER,
        ledger: {
          url: LEDGER_URL,
          adminKey: node.adminKey,
          logKey: node.logKey,
          fetch: node.fetch,
        },
        clock,
        seed: 'openmid-mdoc',
      });
      issuer = issued.issuer;
      citizen = await issued.citizenWith('driving-licence');
      await v.ctx.ledger?.trust.refresh();
      copies.push(...(await obtainMdocs(2)));
    });

    afterAll(async () => {
      await issued?.close();
      await v?.verifier.stop();
      await node?.close();
      await ledgerSql?.close();
    });

    /** OpenID4VCI 1.0: an offer of both forms, then `n` mdocs under `n` device keys. */
    async function obtainMdocs(
      n: number,
    ): Promise<{ credential: string; key: GeneratedKeyPair }[]> {
      const offer = await createOffer(issuer.ctx, {
        citizenId: citizen,
        type: 'driving-licence',
        configurations: ['driving-licence', 'driving-licence-mdoc'],
        copies: n,
        actor: 'system',
      });
      const object = await readOffer(offer.credential_offer_uri, (url) => issuer.app.request(url));
      expect(object.credential_configuration_ids).toContain('driving-licence-mdoc');
      const keys = await Promise.all(
        Array.from({ length: n }, () => generateKeyPair('ES256', { extractable: false })),
      );
      const credentials = await redeemOffer({
        call: (url, init) => issuer.app.request(url, init),
        offer: object,
        txCode: offer.tx_code,
        configurationId: 'driving-licence-mdoc',
        holders: keys,
        now: clock,
      });
      return credentials.map((credential, i) => ({ credential, key: keys[i] as GeneratedKeyPair }));
    }

    /** A relying party asks (preset or DCQL); returns the transaction and the holder's view. */
    async function ask(rp: string, body: Record<string, unknown>) {
      const created = await v.rp(rp, '/v1/presentations', { method: 'POST', json: body });
      expect(created.status, await created.clone().text()).toBe(201);
      const c = (await created.json()) as { transaction_id: string; request_link: string };
      const wallet = await v.wallet();
      return { c, wallet, request: await wallet.open(c.request_link) };
    }

    /** The scripted holder: answer `request` with copy `i` (options to attack). */
    async function answer(
      request: VerifiedRequest,
      i = 0,
      o: { extra?: Record<string, string[]>; nonce?: string } = {},
    ): Promise<Record<string, string[]>> {
      const copy = copies[i] as (typeof copies)[number];
      const candidate = mdocCandidate(copy.credential);
      const plan = selectCredentials(request.dcql, [candidate]);
      if (plan === undefined) throw new Error('the holder cannot answer');
      const out: Record<string, string[]> = {};
      for (const s of plan) {
        const query = request.dcql.credentials.find((q) => q.id === s.queryId);
        if (query?.format !== 'mso_mdoc') throw new Error('not an mdoc query');
        const disclose = mdocDisclosure(query, s.paths);
        for (const [ns, els] of Object.entries(o.extra ?? {}))
          disclose[ns] = [...(disclose[ns] ?? []), ...els];
        out[s.queryId] = [
          await createMdocPresentation({
            request: { ...request, ...(o.nonce === undefined ? {} : { nonce: o.nonce }) },
            mdoc: candidate.held,
            disclose,
            deviceSigner: copy.key.signer,
          }),
        ];
      }
      return out;
    }

    async function post(
      wallet: Awaited<ReturnType<TestVerifier['wallet']>>,
      request: VerifiedRequest,
      vpToken: Record<string, string[]>,
    ) {
      return wallet.post(request, await createResponseBody(request, vpToken));
    }

    async function result(rp: string, transaction: string) {
      return (await v.rp(rp, `/v1/presentations/${transaction}`)).json();
    }

    test('the ledger knows the document-signer key and the mDL doctype of the issuer', async () => {
      const answer = await v.ctx.trust.issuerKeys(ISSUER, clock.now);
      expect(answer.keys.map((k) => k.kid)).toContain(issuer.ctx.mdoc.documentSigner.publicJwk.kid);
      expect(await v.ctx.trust.issuerMayIssue(ISSUER, MDL_DOCTYPE, clock.now)).toBe(true);
      // The IACA is discovered from the issuer's /iaca for the issuers the ledger trusts.
      const iacas = await (await v.request('/v1/iacas')).json();
      expect(iacas).toEqual([{ iss: ISSUER, pem: issuer.ctx.mdoc.iaca.pem.trim() }]);
    });

    test('a batch of two mdocs under distinct device keys and status indices', () => {
      expect(copies).toHaveLength(2);
      const [a, b] = copies.map((c) => mdocCandidate(c.credential).held);
      expect(a?.mso.deviceKey.x).not.toBe(b?.mso.deviceKey.x);
      expect(a?.mso.status?.idx).not.toBe(b?.mso.status?.idx);
      expect(a?.docType).toBe(MDL_DOCTYPE);
    });

    test('the police checkpoint verifies the mdoc over OpenID4VP with the profile claim names', async () => {
      const { c, wallet, request } = await ask('police-checkpoint', {
        preset: 'mdl-driving-qualification',
      });
      expect(request.exceeds).toEqual([]);
      const res = await post(wallet, request, await answer(request));
      expect(res.status, await res.clone().text()).toBe(200);
      const r = await result('police-checkpoint', c.transaction_id);
      expect(r.status).toBe('verified');
      const [licence] = r.credentials.driving_licence_mdoc;
      expect(licence.format).toBe('mso_mdoc');
      expect(licence.issuer.id).toBe(ISSUER);
      expect(licence.vct).toBe('urn:openmid:kr:driving-licence:1');
      expect(licence.status).toBe('valid');
      // The same claim names as the SD-JWT VC (mdlToKoreanClaims).
      expect(Array.isArray(licence.claims.licence_classes)).toBe(true);
      expect(licence.claims.aptitude_test_period).toEqual({
        start: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        end: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
    });

    test('either form answers driving-qualification-any (credential_sets)', async () => {
      const { c, wallet, request } = await ask('police-checkpoint', {
        preset: 'driving-qualification-any',
      });
      const res = await post(wallet, request, await answer(request, 1));
      expect(res.status, await res.clone().text()).toBe(200);
      const r = await result('police-checkpoint', c.transaction_id);
      expect(Object.keys(r.credentials)).toEqual(['driving_licence_mdoc']);
    });

    test('a DeviceResponse over another transcript is refused (ERR_MDOC_DEVICE_AUTH_INVALID)', async () => {
      const { c, wallet, request } = await ask('police-checkpoint', {
        preset: 'mdl-driving-qualification',
      });
      const res = await post(
        wallet,
        request,
        await answer(request, 0, { nonce: 'another-nonce-0123456789' }),
      );
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('ERR_MDOC_DEVICE_AUTH_INVALID');
      expect((await result('police-checkpoint', c.transaction_id)).status).toBe('pending');
      // A correct answer to the same request still goes through.
      const ok = await post(wallet, request, await answer(request));
      expect(ok.status).toBe(200);
    });

    test('an element not requested is not in the result; one not registered cannot be asked', async () => {
      const { c, wallet, request } = await ask('police-checkpoint', {
        preset: 'mdl-driving-qualification',
      });
      const res = await post(
        wallet,
        request,
        await answer(request, 0, { extra: { [KR_MDL_NAMESPACE]: ['name'] } }),
      );
      expect(res.status).toBe(200);
      const [licence] = (await result('police-checkpoint', c.transaction_id)).credentials
        .driving_licence_mdoc;
      expect(licence.claims).not.toHaveProperty('name');
      // The car-rental desk is not registered for the resident number, in either form.
      const refused = await v.rp('car-rental', '/v1/presentations', {
        method: 'POST',
        json: {
          dcql: {
            credentials: [
              {
                id: 'l',
                format: 'mso_mdoc',
                meta: { doctype_value: MDL_DOCTYPE },
                claims: [{ path: [KR_MDL_NAMESPACE, 'rrn'] }],
              },
            ],
          },
        },
      });
      expect(refused.status).toBe(403);
      expect((await refused.json()).code).toBe('ERR_RP_ATTRIBUTE_NOT_REGISTERED');
    });

    /** A DeviceResponse for a caller-made transcript, and the policy to verify it. */
    async function direct(query: Record<string, unknown>, mdoc = copies[0]) {
      const transcript = openid4vpSessionTranscript({
        clientId: 'x509_san_dns:rp.example',
        nonce: 'n-0123456789abcdef',
        responseUri: 'https://rp.example/response',
      });
      const entry = Buffer.from(
        await createDeviceResponse({
          documents: [
            {
              mdoc: new Uint8Array(Buffer.from(mdoc?.credential as string, 'base64url')),
              disclose: { [MDL_NAMESPACE]: ['age_over_19'] },
              deviceSigner: mdoc?.key.signer as never,
            },
          ],
          sessionTranscript: transcript,
        }),
      ).toString('base64url');
      const dcql = parseDcqlQuery({ credentials: [{ id: 'q', ...query }] });
      return { entry, transcript, dcql };
    }

    test('a wrong doctype is refused (ERR_MDOC_DOCTYPE_MISMATCH)', async () => {
      const { entry, transcript, dcql } = await direct({
        format: 'mso_mdoc',
        meta: { doctype_value: 'org.iso.23220.photoid.1' },
        claims: [{ path: [MDL_NAMESPACE, 'age_over_19'] }],
      });
      await expect(
        verifyPresentation(
          { vpToken: { q: [entry] }, dcql },
          {
            trust: v.ctx.trust,
            nonce: 'n-0123456789abcdef',
            aud: 'x509_san_dns:rp.example',
            now: clock.now,
            statusLists: v.ctx.statusLists,
            mdoc: { iacas: (await v.ctx.iacas.trust()) as never, sessionTranscript: transcript },
          },
        ),
      ).rejects.toMatchObject({ code: 'ERR_MDOC_DOCTYPE_MISMATCH' });
    });

    test('an IACA that is not trusted is refused (ERR_MDOC_ISSUER_UNTRUSTED)', async () => {
      const other = await createDemoPki({ notBefore: clock.now - 3600 });
      const { entry, transcript, dcql } = await direct({
        format: 'mso_mdoc',
        meta: { doctype_value: MDL_DOCTYPE },
        claims: [{ path: [MDL_NAMESPACE, 'age_over_19'] }],
      });
      await expect(
        verifyPresentation(
          { vpToken: { q: [entry] }, dcql },
          {
            trust: v.ctx.trust,
            nonce: 'n-0123456789abcdef',
            aud: 'x509_san_dns:rp.example',
            now: clock.now,
            mdoc: {
              iacas: await createMdocIssuerTrust([{ iss: ISSUER, certificate: other.iaca.pem }]),
              sessionTranscript: transcript,
            },
          },
        ),
      ).rejects.toMatchObject({
        code: 'ERR_MDOC_ISSUER_UNTRUSTED',
        details: { reason: 'unknown_issuer' },
      });
    });

    test('a DS key that is not on the ledger is refused, even under an IACA trusted for the issuer', async () => {
      // A forged IACA served as the issuer's (say from a poisoned /iaca): its DS is not registered.
      const rogue = await createDemoPki({ notBefore: clock.now - 3600 });
      const holder = await generateKeyPair('ES256');
      const { issuerSigned } = await issueMdoc({
        docType: MDL_DOCTYPE,
        nameSpaces: { [MDL_NAMESPACE]: { age_over_19: true, issuing_country: 'KR' } },
        deviceKey: holder.publicJwk,
        signer: rogue.signer,
        certificate: rogue.documentSigner.der,
        validity: { signed: clock.now, validUntil: clock.now + 86_400 },
      });
      const forged = { credential: Buffer.from(issuerSigned).toString('base64url'), key: holder };
      const { entry, transcript, dcql } = await direct(
        {
          format: 'mso_mdoc',
          meta: { doctype_value: MDL_DOCTYPE },
          claims: [{ path: [MDL_NAMESPACE, 'age_over_19'] }],
        },
        forged,
      );
      await expect(
        verifyPresentation(
          { vpToken: { q: [entry] }, dcql },
          {
            trust: v.ctx.trust,
            nonce: 'n-0123456789abcdef',
            aud: 'x509_san_dns:rp.example',
            now: clock.now,
            mdoc: {
              iacas: await createMdocIssuerTrust([{ iss: ISSUER, certificate: rogue.iaca.pem }]),
              sessionTranscript: transcript,
            },
          },
        ),
      ).rejects.toMatchObject({
        code: 'ERR_MDOC_ISSUER_UNTRUSTED',
        details: { reason: 'ds_key_not_registered' },
      });
    });

    test('in person through the relay: engagement QR, encrypted request and response, verified', async () => {
      const session = await openRelaySession(`${v.ctx.urls.base}/relay/v1`, { fetch: relayFetch });
      const engagement = await createRelayEngagement(session);
      expect(engagement.uri.startsWith('mdoc:')).toBe(true);
      // The reader scans the QR code and asks for two elements.
      const reader = await startRelayReader(engagement.uri, { fetch: relayFetch });
      await reader.request({
        docRequests: [
          {
            docType: MDL_DOCTYPE,
            nameSpaces: { [KR_MDL_NAMESPACE]: { name: false, licence_classes: false } },
          },
        ],
      });
      // One reader per session.
      const intruder = await startRelayReader(engagement.uri, { fetch: relayFetch });
      await expect(
        intruder.request({
          docRequests: [
            { docType: MDL_DOCTYPE, nameSpaces: { [MDL_NAMESPACE]: { portrait: false } } },
          ],
        }),
      ).rejects.toMatchObject({ code: 'ERR_MDOC_RELAY_SESSION_TAKEN' });
      // The holder decrypts the request, chooses, answers in the session.
      const held = await holderAwaitRequest({
        session,
        engagement,
        fetch: relayFetch,
        timeoutSeconds: 5,
      });
      expect(held.docRequests[0]?.docType).toBe(MDL_DOCTYPE);
      const copy = copies[0] as (typeof copies)[number];
      const deviceResponse = await createDeviceResponse({
        documents: [
          {
            mdoc: mdocCandidate(copy.credential).held,
            disclose: { [KR_MDL_NAMESPACE]: ['name', 'licence_classes'] },
            deviceSigner: copy.key.signer,
          },
        ],
        sessionTranscript: held.session.sessionTranscript,
      });
      await holderRespond({
        session,
        mdocSession: held.session,
        deviceResponse,
        fetch: relayFetch,
      });
      const verified = await verifyInPersonResponse(await reader.response(5), reader, {
        trust: v.ctx.trust,
        iacas: (await v.ctx.iacas.trust()) as never,
        statusLists: v.ctx.statusLists,
        now: clock.now,
        leeway: 30,
      });
      expect(verified.iss).toBe(ISSUER);
      expect(Object.keys(verified.claims).sort()).toEqual(['licence_classes', 'name']);
      expect(verified.status).toBe('valid');
      await reader.end();
      // Closed: the mailbox is gone.
      await expect(
        holderAwaitRequest({ session, engagement, fetch: relayFetch, timeoutSeconds: 0 }),
      ).rejects.toMatchObject({ code: 'ERR_MDOC_RELAY_SESSION_UNKNOWN' });
    });

    test('a revoked licence is refused in mdoc form too (ERR_STATUS_REVOKED)', async () => {
      await revokeCitizen(issuer.ctx, {
        citizenId: citizen,
        types: ['driving-licence'],
        actor: 'system',
      });
      clock.now += 3601; // past the cached status list
      for (const i of [0, 1]) {
        const { wallet, request } = await ask('police-checkpoint', {
          preset: 'mdl-driving-qualification',
        });
        const res = await post(wallet, request, await answer(request, i));
        expect(res.status).toBe(400);
        expect((await res.json()).code).toBe('ERR_STATUS_REVOKED');
      }
    });
  },
  { migrations: ALL_MIGRATIONS },
);
