/**
 * The police checkpoint reads the mobile driving licence in person (issue 7 §2, reader side),
 * against real services in process: a development trust-ledger node, the issuer (registered on
 * the ledger, issuing the licence in both forms from an offer the CONSOLE made) and the verifier
 * (its relay and `/v1/iacas`). A scripted holder (the SDK's holder helpers, the core mdoc engine)
 * plays the citizen's wallet; the portal server plays the ISO 18013-5 reader and verifies with
 * the ledger, the IACA roots and the status lists. Then every hostile input with its code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GeneratedKeyPair, generateKeyPair } from '@openmid/core/keys';
import {
  createDeviceResponse,
  createTrustStore,
  KR_MDL_NAMESPACE,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  mdocValueToJson,
  verifyIssuerSigned,
} from '@openmid/core/mdoc';
import { bootstrapAdminKey, type Issuer, revokeCitizen } from '@openmid/issuer';
import {
  type CredentialOffer,
  type LedgerIssuer,
  redeemOffer,
  startLedgerIssuer,
} from '@openmid/issuer/testing';
import { nodeMigrations } from '@openmid/ledger-service';
import { createTestLedgerNode, type TestLedgerNode } from '@openmid/ledger-service/testing';
import { createLogger, migrate, openPglite, type Sql } from '@openmid/server-kit';
import {
  createRelayEngagement,
  holderAwaitRequest,
  holderRespond,
  mdocCandidate,
  openRelaySession,
  type RelayFetch,
} from '@openmid/verifier';
import { ALL_MIGRATIONS as VERIFIER_MIGRATIONS } from '@openmid/verifier-service';
import {
  makeVerifier,
  type TestClock,
  type TestVerifier,
  testClock,
  VERIFIER_URL,
} from '@openmid/verifier-service/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPortalApp } from './app.js';
import { type FetchLike, httpBackends } from './backends.js';
import { loadPortalConfig } from './config.js';
import { createInPersonReader, POLICE_ELEMENTS } from './inperson.js';

const ISSUER = 'https://police.example';
const LEDGER_URL = 'http://ledger.test';
const PORTAL = 'http://localhost:7000';

const form = (body: Record<string, string>, site = 'same-origin') => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': site },
  body: new URLSearchParams(body).toString(),
});

describe('the police checkpoint reads the licence in person', () => {
  let clock: TestClock;
  let ledgerSql: Sql;
  let node: TestLedgerNode;
  let issued: LedgerIssuer;
  let issuer: Issuer;
  let verifierSql: Sql;
  let v: TestVerifier;
  let citizen: string;
  let portal: ReturnType<typeof createPortalApp>;
  /** Outbound calls the portal made (URLs only). */
  const calls: string[] = [];
  /** Every log line of the portal. */
  const logs: string[] = [];
  /** The mdoc the wallet holds and its device key. */
  let held: { credential: string; key: GeneratedKeyPair };
  let offerUri: string;

  const route: FetchLike = async (url, init) => {
    calls.push(url);
    if (url.startsWith(ISSUER)) return issuer.app.request(url, init);
    if (url.startsWith(VERIFIER_URL)) return v.request(url, init);
    if (url.startsWith(LEDGER_URL)) return node.fetch(url, init);
    throw new TypeError('fetch failed');
  };
  const relayFetch: RelayFetch = (input, init) => v.request(input, init);

  beforeAll(async () => {
    clock = testClock(Math.floor(Date.now() / 1000));
    ledgerSql = await openPglite();
    await migrate(ledgerSql, nodeMigrations({ OPENMID_LEDGER: 'embedded' }));
    node = await createTestLedgerNode({ sql: ledgerSql, clock });
    verifierSql = await openPglite();
    await migrate(verifierSql, VERIFIER_MIGRATIONS);
    v = await makeVerifier(verifierSql, {
      clock,
      env: {
        NODE_ENV: 'development',
        VERIFIER_LEDGER_URL: LEDGER_URL,
        VERIFIER_LEDGER_LOG_KEY: JSON.stringify(node.logKey),
        VERIFIER_LEDGER_ADMIN_KEY: node.adminKey,
      },
      ledgerFetch: node.fetch,
      // The issuer's /iaca and status lists, in process.
      outbound: async (input, init) =>
        input.startsWith(ISSUER) ? issuer.app.request(input, init) : undefined,
    });
    issued = await startLedgerIssuer({
      url: ISSUER,
      ledger: { url: LEDGER_URL, adminKey: node.adminKey, logKey: node.logKey, fetch: node.fetch },
      clock,
      seed: 'openmid-portal',
    });
    issuer = issued.issuer;
    await bootstrapAdminKey(issuer.ctx);
    citizen = await issued.citizenWith('driving-licence');
    await v.ctx.ledger?.trust.refresh();

    // The portal pins the ledger's log key from the ledger's data folder, as `openmid start` runs it.
    const ledgerDir = mkdtempSync(join(tmpdir(), 'openmid-portal-ledger-'));
    writeFileSync(join(ledgerDir, 'log-key.jwk'), JSON.stringify(node.logKey));
    const config = loadPortalConfig({
      PORTAL_URL: PORTAL,
      ISSUER_URL: ISSUER,
      VERIFIER_URL,
      LEDGER_URL,
      LEDGER_DATA_DIR: ledgerDir,
      ISSUER_DATA_DIR: issued.dataDir,
    });
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => logs.push(line) },
    });
    portal = createPortalApp({
      config,
      backends: httpBackends(config, route),
      logger,
      inPerson: createInPersonReader({
        config,
        logger,
        fetch: route,
        clock,
        responseTimeout: 20,
      }),
    });
  }, 120_000);

  afterAll(async () => {
    await issued?.close();
    await v?.verifier.stop();
    await verifierSql?.close();
    await node?.close();
    await ledgerSql?.close();
  });

  test('the console offers the driving licence in both forms (SD-JWT VC + ISO mDL)', async () => {
    const page = await (await portal.request(`${PORTAL}/console`)).text();
    expect(page).toContain('SD-JWT VC + ISO mDL');
    const res = await portal.request(
      `${PORTAL}/console/offers`,
      form({ citizen, type: 'driving-licence', copies: '1' }),
    );
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).toContain('SD-JWT VC + ISO mDL');
    offerUri = (/data-offer-uri>([^<]+)</.exec(text)?.[1] ?? '').replace(/&amp;/g, '&');
    const reference = new URL(
      offerUri.replace('openid-credential-offer://', 'https://x/'),
    ).searchParams.get('credential_offer_uri') as string;
    expect(reference.startsWith(ISSUER)).toBe(true);
    const offer = (await (await issuer.app.request(reference)).json()) as {
      credential_configuration_ids: string[];
    };
    expect(offer.credential_configuration_ids).toEqual(['driving-licence', 'driving-licence-mdoc']);
    const txCode = /data-tx-code="(\d+)"/.exec(text)?.[1] as string;
    held = await redeemMdoc(offer as never, txCode);
    // Another type is offered as before: its SD-JWT VC only.
    const other = await portal.request(
      `${PORTAL}/console/offers`,
      form({ citizen, type: 'resident-id', copies: '1' }),
    );
    const otherUri = (/data-offer-uri>([^<]+)</.exec(await other.text())?.[1] ?? '').replace(
      /&amp;/g,
      '&',
    );
    const otherRef = new URL(
      otherUri.replace('openid-credential-offer://', 'https://x/'),
    ).searchParams.get('credential_offer_uri') as string;
    const otherOffer = (await (await issuer.app.request(otherRef)).json()) as {
      credential_configuration_ids: string[];
    };
    expect(otherOffer.credential_configuration_ids).toEqual(['resident-id']);
  });

  /** OpenID4VCI 1.0: the offer's pre-authorized code → the licence as an mdoc under a new key. */
  async function redeemMdoc(
    offer: CredentialOffer,
    txCode: string,
  ): Promise<{ credential: string; key: GeneratedKeyPair }> {
    const key = await generateKeyPair('ES256', { extractable: false });
    const [credential] = await redeemOffer({
      call: (url, init) => issuer.app.request(url, init),
      offer,
      txCode,
      configurationId: 'driving-licence-mdoc',
      holders: [key],
      now: clock,
    });
    return { credential: credential as string, key };
  }

  /** The citizen's wallet: open a relay session and show its QR code (the `mdoc:` text). */
  async function showQr() {
    const session = await openRelaySession(`${VERIFIER_URL}/relay/v1`, { fetch: relayFetch });
    return { session, engagement: await createRelayEngagement(session) };
  }

  /** The officer submits the engagement; returns the page, its status and the poll URL. */
  async function read(engagement: string, lang?: 'en') {
    const res = await portal.request(
      `${PORTAL}/rp/police/in-person`,
      form({ engagement, ...(lang === undefined ? {} : { lang }) }),
    );
    const text = await res.text();
    const poll = /data-reading-poll="([^"]*)"/.exec(text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const outcome = /data-outcome="([a-z]+)"/.exec(text)?.[1];
    const code = /<code data-code>([A-Z0-9_]+)</.exec(text)?.[1];
    return { status: res.status, text, poll, outcome, code };
  }

  /** Poll the reading like the page does, until it is no longer waiting. */
  async function outcomeOf(poll: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 200; i += 1) {
      const r = (await (await portal.request(`${PORTAL}${poll}`)).json()) as Record<
        string,
        unknown
      >;
      if (r['outcome'] !== 'waiting') return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('still waiting');
  }

  /** The citizen agrees on the phone: the elements asked for (and `extra`), in the session. */
  async function agree(
    qr: Awaited<ReturnType<typeof showQr>>,
    extra: Record<string, string[]> = {},
  ) {
    const request = await holderAwaitRequest({ ...qr, fetch: relayFetch, timeoutSeconds: 10 });
    const asked = request.docRequests[0];
    const disclose: Record<string, string[]> = {};
    for (const [ns, elements] of Object.entries(asked?.nameSpaces ?? {}))
      disclose[ns] = Object.keys(elements);
    for (const [ns, els] of Object.entries(extra)) disclose[ns] = [...(disclose[ns] ?? []), ...els];
    const deviceResponse = await createDeviceResponse({
      documents: [
        { mdoc: mdocCandidate(held.credential).held, disclose, deviceSigner: held.key.signer },
      ],
      sessionTranscript: request.session.sessionTranscript,
    });
    await holderRespond({
      session: qr.session,
      mdocSession: request.session,
      deviceResponse,
      fetch: relayFetch,
    });
    return asked;
  }

  test('a real licence shown in person is read, verified and shown with the right claims', async () => {
    const qr = await showQr();
    const started = await read(qr.engagement.uri);
    expect(started.status).toBe(202);
    expect(started.outcome).toBe('waiting');
    expect(started.poll).toMatch(/^\/rp\/police\/in-person\/readings\/[A-Za-z0-9_-]{22}$/);
    // The phone sees the police's elements of the mDL, none to be retained; the citizen agrees
    // (and the wallet even adds an element nobody asked for: it is not shown).
    const asked = await agree(qr, { [KR_MDL_NAMESPACE]: ['rrn'] });
    expect(asked?.docType).toBe(MDL_DOCTYPE);
    expect(asked?.nameSpaces).toEqual({
      [MDL_NAMESPACE]: Object.fromEntries(POLICE_ELEMENTS.map((e) => [e, false])),
    });
    const result = await outcomeOf(started.poll);
    expect(result['outcome'], JSON.stringify(result['code'])).toBe('verified');
    const rows = result['rows'] as {
      id: string;
      text?: string;
      lines?: string[];
      image?: string;
    }[];
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(rows.map((r) => r.id)).toEqual(['issuer', 'status', ...POLICE_ELEMENTS]);
    expect(byId['status']?.text).toBe('유효 (폐기·정지 아님)');
    // The values are those the issuer signed.
    const iaca = await (await issuer.app.request(`${ISSUER}/iaca`)).text();
    const signed = await verifyIssuerSigned(
      new Uint8Array(Buffer.from(held.credential, 'base64url')),
      { trust: await createTrustStore({ iacas: [iaca] }), now: clock() },
    );
    const iso = signed.nameSpaces[MDL_NAMESPACE] ?? {};
    for (const e of ['family_name', 'given_name', 'birth_date', 'document_number', 'expiry_date'])
      expect(byId[e]?.text, e).toBe(mdocValueToJson(iso[e] as never));
    expect(byId['portrait']?.image).toMatch(/^data:image\/svg\+xml;base64,/);
    const categories = (
      mdocValueToJson(iso['driving_privileges'] as never) as {
        vehicle_category_code: string;
      }[]
    ).map((p) => p.vehicle_category_code);
    expect(categories.length).toBeGreaterThan(0);
    expect(byId['driving_privileges']?.lines?.map((l) => l.split(' ')[0])).toEqual(categories);
    expect(byId['driving_privileges']?.lines?.[0]).toMatch(/\(.+\)/); // in words
    expect(JSON.stringify(result)).not.toContain(
      String(signed.nameSpaces[KR_MDL_NAMESPACE]?.['rrn']),
    );
    // Without script: the page itself shows the result.
    const page = await (
      await portal.request(`${PORTAL}/rp/police/in-person?reading=${started.poll.split('/').pop()}`)
    ).text();
    expect(page).toContain('data-outcome="verified"');
    expect(page).toContain('data-claim="document_number"');
    expect(page).toContain(`>${byId['document_number']?.text}<`);
    expect(page).toContain('<img class="portrait" src="data:image/svg+xml;base64,');
    // English on request.
    const en = (await (await portal.request(`${PORTAL}${started.poll}?lang=en`)).json()) as {
      rows: { id: string; label: string }[];
    };
    expect(en.rows.find((r) => r.id === 'document_number')?.label).toBe('Licence number');
    // Nothing of the licence in the logs.
    const logged = logs.join('\n');
    for (const e of ['family_name', 'given_name', 'document_number'])
      expect(logged).not.toContain(byId[e]?.text as string);
    expect(logged).toContain('in-person reading verified');
  });

  test('hostile engagements fail with stable codes and call no foreign host', async () => {
    const notMdoc = await read('https://evil.example/?x=1');
    expect([notMdoc.status, notMdoc.outcome, notMdoc.code]).toEqual([
      422,
      'failed',
      'ERR_MDOC_ENGAGEMENT_INVALID',
    ]);
    expect(notMdoc.poll).toBe('');
    const notCbor = await read(`mdoc:${Buffer.from('not cbor at all').toString('base64url')}`);
    expect([notCbor.outcome, notCbor.code]).toEqual(['failed', 'ERR_MDOC_ENGAGEMENT_INVALID']);
    const truncated = await read((await showQr()).engagement.uri.slice(0, 40));
    expect(truncated.outcome).toBe('failed');
    expect(truncated.code).toMatch(/^ERR_MDOC_(ENGAGEMENT_INVALID|MALFORMED)$/);
    // A session the relay does not know.
    const unknown = await createRelayEngagement({
      relay: `${VERIFIER_URL}/relay/v1`,
      session: 'A'.repeat(22),
    });
    const r = await read(unknown.uri, 'en');
    expect([r.outcome, r.code]).toEqual(['failed', 'ERR_MDOC_RELAY_SESSION_UNKNOWN']);
    expect(r.text).toContain('No such session');
    // A QR code naming another relay: the portal never calls it.
    const before = calls.length;
    const foreign = await createRelayEngagement({
      relay: 'https://evil.example/relay/v1',
      session: 'B'.repeat(22),
    });
    const f = await read(foreign.uri);
    expect([f.outcome, f.code]).toEqual(['failed', 'ERR_MDOC_ENGAGEMENT_INVALID']);
    expect(calls.slice(before).some((u) => u.includes('evil.example'))).toBe(false);
    // Too long, empty.
    expect((await read(`mdoc:${'A'.repeat(13_000)}`)).code).toBe('ERR_MDOC_ENGAGEMENT_INVALID');
    expect((await read('')).code).toBe('ERR_MDOC_ENGAGEMENT_INVALID');
    // No engagement in the URL or the logs.
    expect(logs.join('\n')).not.toContain(foreign.uri.slice(5, 40));
  });

  test('unknown readings, cross-site posts and a second reader of the same QR code', async () => {
    for (const id of ['A'.repeat(22), 'x', '..%2F..%2Fetc'])
      expect((await portal.request(`${PORTAL}/rp/police/in-person/readings/${id}`)).status).toBe(
        404,
      );
    const gone = await (
      await portal.request(`${PORTAL}/rp/police/in-person/readings/${'A'.repeat(22)}`)
    ).json();
    expect(gone).toMatchObject({ outcome: 'failed', code: 'ERR_HTTP_NOT_FOUND' });
    const qr = await showQr();
    const cross = await portal.request(
      `${PORTAL}/rp/police/in-person`,
      form({ engagement: qr.engagement.uri }, 'cross-site'),
    );
    expect(cross.status).toBe(403);
    // The first reader claims the session; a second one is refused.
    const first = await read(qr.engagement.uri);
    expect(first.outcome).toBe('waiting');
    const second = await read(qr.engagement.uri);
    expect([second.outcome, second.code]).toEqual(['failed', 'ERR_MDOC_RELAY_SESSION_TAKEN']);
    // The citizen refuses on the phone: the wallet ends the session (status 20).
    const request = await holderAwaitRequest({ ...qr, fetch: relayFetch, timeoutSeconds: 10 });
    const refused = await relayFetch(
      `${qr.session.relay}/sessions/${qr.session.session}/to-reader`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${qr.session.holderToken}`,
          'content-type': 'application/cbor',
        },
        body: request.session.terminate() as BodyInit,
      },
    );
    expect(refused.status).toBe(202);
    const r = await outcomeOf(first.poll);
    expect(r['outcome']).toBe('failed');
    expect(r['code']).toBe('ERR_MDOC_SESSION_TERMINATED');
  });

  test('a revoked licence is refused in person (ERR_STATUS_REVOKED)', async () => {
    await revokeCitizen(issuer.ctx, {
      citizenId: citizen,
      types: ['driving-licence'],
      actor: 'system',
    });
    clock.now += 3601; // past any cached status list
    const qr = await showQr();
    const started = await read(qr.engagement.uri);
    await agree(qr);
    const r = await outcomeOf(started.poll);
    expect([r['outcome'], r['code']]).toEqual(['failed', 'ERR_STATUS_REVOKED']);
    expect(r['message']).toBe('폐기된 운전면허증입니다.');
  });
});
