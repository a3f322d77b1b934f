/**
 * The consent model (SECURITY.md "Presentation"; OpenID4VP 1.0 §6 DCQL) and the offline two-way
 * mode (docs/offline-qr.md), with credentials issued by the core engine and a static trust source.
 */
import { generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import { parseSdJwt } from '@openmid/core/sd-jwt';
import { issueSdJwtVc } from '@openmid/core/sd-jwt-vc';
import {
  createOfflineRequest,
  type DcqlQuery,
  REGISTRY_ATTESTATION_TYPE,
  staticTrustSource,
  verifyPresentation,
} from '@openmid/verifier';
import { describe, expect, test } from 'vitest';
import type { CardView } from './cards.js';
import {
  buildConsent,
  defaultTicked,
  disclosures,
  offlineAnswer,
  parseRequestInput,
  type VerifiedAsk,
  verifyAsk,
} from './present.js';

const NOW = Math.floor(Date.now() / 1000);
const ISS = 'https://police.example';
const DL = 'urn:openmid:kr:driving-licence:1';
const ID = 'urn:openmid:kr:resident-id:1';

async function fixtures() {
  const issuer = await generateKeyPair('ES256');
  const rp = await generateKeyPair('ES256');
  const holder = await generateKeyPair('ES256');
  const issuerKid = jwkThumbprint(issuer.publicJwk);
  const rpKid = jwkThumbprint(rp.publicJwk);
  const claims = {
    name: '김민준',
    rrn: '900101-1234567',
    birth_date: '1990-01-01',
    licence_number: '11-23-123456-10',
    licence_classes: ['1종보통'],
    aptitude_test_period: { start: '2030-01-01', end: '2030-12-31' },
    portrait: 'data:image/png;base64,iVBORw0KGgo=',
    age_over_19: true,
  };
  const credential = await issueSdJwtVc(
    { iss: ISS, vct: DL, iat: NOW - 60, exp: NOW + 86_400, claims },
    {
      signer: { ...issuer.signer, kid: issuerKid },
      holderKey: holder.publicJwk,
      frame: { _sd: Object.keys(claims) },
      now: NOW,
    },
  );
  const trust = staticTrustSource({
    issuers: [
      {
        id: ISS,
        names: { ko: '경찰청', en: 'Police' },
        types: [DL, ID],
        keys: [{ kid: issuerKid, jwk: issuer.publicJwk }],
      },
      {
        id: 'https://registry.example',
        names: { ko: '등록소', en: 'Registry' },
        types: [REGISTRY_ATTESTATION_TYPE],
        keys: [{ kid: rpKid, jwk: rp.publicJwk }],
      },
    ],
    relyingParties: [
      {
        id: 'police-checkpoint',
        names: { ko: '경찰 검문', en: 'Checkpoint' },
        purpose: { ko: '운전자격 확인', en: 'Licence check' },
        requests: [
          {
            vct: DL,
            claims: [['name'], ['licence_classes'], ['aptitude_test_period'], ['portrait']],
          },
        ],
        rrnLegalBasis: null,
        keys: [{ kid: rpKid, jwk: rp.publicJwk }],
        validFrom: NOW - 86_400,
      },
    ],
  });
  const card: CardView = {
    v: 1,
    id: 'card-1',
    type: 'driving-licence',
    vct: DL,
    issuer: { id: ISS, names: { ko: '경찰청', en: 'Police' } },
    display: { names: {} },
    copies: [{ credential, keyId: 'holder:1', uses: 0 }],
    receivedAt: NOW,
    status: { value: 'valid' },
    claims: parseSdJwt(credential).claims,
  };
  return { issuer, rp, rpKid, holder, credential, trust, card };
}

function ask(dcql: DcqlQuery, exceeds: VerifiedAsk['exceeds'] = []): VerifiedAsk {
  return {
    mode: 'online',
    party: {
      id: 'bank',
      clientId: 'verifier_attestation:bank',
      names: { ko: '오픈은행', en: 'Bank' },
      purpose: { ko: '실명 확인', en: 'ID check' },
      rrnLegalBasis: null,
    },
    dcql,
    exceeds,
    expiresAt: NOW + 300,
  };
}

const licenceQuery = (paths: string[], extra: Partial<DcqlQuery['credentials'][number]> = {}) =>
  ({
    credentials: [
      {
        id: 'dl',
        format: 'dc+sd-jwt',
        meta: { vct_values: [DL] },
        claims: paths.map((p) => ({ id: p, path: [p] })),
        ...extra,
      },
    ],
  }) as DcqlQuery;

describe('request links', () => {
  test('openid4vp:// links, same-device wallet links and offline request QR texts are read', () => {
    expect(
      parseRequestInput(
        'openid4vp://?client_id=verifier_attestation%3Abank&request_uri=https%3A%2F%2Fv.example%2Fr%2F1',
      ),
    ).toEqual({
      kind: 'online',
      clientId: 'verifier_attestation:bank',
      requestUri: 'https://v.example/r/1',
    });
    expect(
      parseRequestInput(
        'https://wallet.example/present?client_id=verifier_attestation%3Abank&request_uri=https%3A%2F%2Fv.example%2Fr%2F1',
      ),
    ).toMatchObject({ kind: 'online' });
    expect(parseRequestInput(' OMR1:ABC ')).toEqual({ kind: 'offline', text: 'OMR1:ABC' });
  });

  test('anything else is ERR_WALLET_REQUEST_INVALID', () => {
    for (const bad of ['hello', 'https://x.example/?client_id=a', 'openid4vp://?request_uri=x'])
      expect(() => parseRequestInput(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_WALLET_REQUEST_INVALID' }),
      );
  });
});

describe('consent model', () => {
  test('asks separately for the portrait and the resident number, both unticked by default', async () => {
    const { card } = await fixtures();
    const model = buildConsent(ask(licenceQuery(['name', 'rrn', 'portrait'])), [card]);
    const by = Object.fromEntries(model.items.map((i) => [String(i.path[0]), i]));
    expect(by['name']).toMatchObject({ separate: false, required: true, sensitivity: 'ordinary' });
    expect(by['rrn']).toMatchObject({ separate: true, sensitivity: 'rrn' });
    expect(by['portrait']).toMatchObject({ separate: true, sensitivity: 'biometric' });
    const ticked = defaultTicked(model);
    expect([...ticked]).toEqual([by['name']?.key]);
    // Required claims left unticked: the request cannot be answered.
    expect(() => disclosures(model, ticked)).toThrow(
      expect.objectContaining({ code: 'ERR_WALLET_CONSENT_INCOMPLETE' }),
    );
    // A party without a legal basis never gets the resident number, even if it is ticked.
    expect(by['rrn']).toMatchObject({ withheld: 'no-legal-basis' });
    const all = new Set(model.items.map((i) => i.key));
    expect(() => disclosures(model, all)).toThrow(
      expect.objectContaining({ code: 'ERR_WALLET_RRN_NO_LEGAL_BASIS' }),
    );
  });

  test('the resident number is shared only with a party whose registration records a legal basis', async () => {
    const { card } = await fixtures();
    const base = ask(licenceQuery(['name', 'rrn']));
    const lawful = buildConsent(
      { ...base, party: { ...base.party, rrnLegalBasis: '금융실명법 제3조' } },
      [card],
    );
    const rrn = lawful.items.find((i) => i.path[0] === 'rrn');
    expect(rrn?.withheld).toBeUndefined();
    expect(rrn).toMatchObject({ separate: true });
    const all = new Set(lawful.items.map((i) => i.key));
    expect(disclosures(lawful, all)).toEqual([[['name'], ['rrn']]]);
    // The registration lists the claim but the verifier's check says the basis is missing.
    const flagged = buildConsent(
      {
        ...base,
        party: { ...base.party, rrnLegalBasis: '금융실명법 제3조' },
        exceeds: [{ credential: 'dl', vct: DL, path: ['rrn'], reason: 'no-legal-basis' }],
      },
      [card],
    );
    expect(flagged.items.find((i) => i.path[0] === 'rrn')?.withheld).toBe('no-legal-basis');
    expect(() => disclosures(flagged, new Set(flagged.items.map((i) => i.key)))).toThrow(
      expect.objectContaining({ code: 'ERR_WALLET_RRN_NO_LEGAL_BASIS' }),
    );
  });

  test('claims beyond the registration are marked and unticked', async () => {
    const { card } = await fixtures();
    const model = buildConsent(
      ask(licenceQuery(['name', 'licence_number']), [
        { credential: 'dl', vct: DL, path: ['licence_number'], reason: 'claim-not-registered' },
      ]),
      [card],
    );
    const extra = model.items.find((i) => i.path[0] === 'licence_number');
    expect(extra?.exceeds).toBe('claim-not-registered');
    expect(defaultTicked(model).has(extra?.key ?? '')).toBe(false);
  });

  test('claim_sets: a claim missing from a later option is optional and may be unticked', async () => {
    const { card } = await fixtures();
    const model = buildConsent(
      ask(
        licenceQuery(['licence_classes', 'aptitude_test_period', 'birth_date'], {
          claim_sets: [
            ['licence_classes', 'aptitude_test_period', 'birth_date'],
            ['licence_classes', 'aptitude_test_period'],
          ],
        }),
      ),
      [card],
    );
    const birth = model.items.find((i) => i.path[0] === 'birth_date');
    expect(birth?.required).toBe(false);
    const ticked = new Set(defaultTicked(model));
    ticked.delete(birth?.key ?? '');
    expect(disclosures(model, ticked)).toEqual([[['licence_classes'], ['aptitude_test_period']]]);
  });

  test('no card can answer → ERR_WALLET_NO_MATCHING_CARD; revoked cards are never offered', async () => {
    const { card } = await fixtures();
    const residentOnly = {
      credentials: [{ id: 'id', format: 'dc+sd-jwt', meta: { vct_values: [ID] } }],
    } as DcqlQuery;
    expect(() => buildConsent(ask(residentOnly), [card])).toThrow(
      expect.objectContaining({ code: 'ERR_WALLET_NO_MATCHING_CARD' }),
    );
    const revoked = { ...card, status: { value: 'revoked' as const } };
    expect(() => buildConsent(ask(licenceQuery(['name'])), [revoked])).toThrow(
      expect.objectContaining({ code: 'ERR_WALLET_NO_MATCHING_CARD' }),
    );
  });

  test('another card can be used instead when the request allows either', async () => {
    const { card } = await fixtures();
    const second = { ...card, id: 'card-2' };
    const model = buildConsent(ask(licenceQuery(['name'])), [card, second]);
    expect(model.hasAlternative).toBe(true);
    const other = buildConsent(ask(licenceQuery(['name'])), [card, second], {
      exclude: [model.selections[0]?.cardId ?? ''],
    });
    expect(other.selections[0]?.cardId).not.toBe(model.selections[0]?.cardId);
  });
});

describe('offline two-way mode (docs/offline-qr.md)', () => {
  test("the checker's request QR is verified against the trust list and answered with a bound QR", async () => {
    const { rp, rpKid, holder, credential, trust } = await fixtures();
    const clientId = 'verifier_attestation:police-checkpoint';
    const { qr, nonce } = await createOfflineRequest({
      signer: { ...rp.signer, kid: rpKid },
      clientId,
      dcql: licenceQuery(['name', 'licence_classes', 'rrn']),
    });
    const verified = await verifyAsk(parseRequestInput(qr), {
      http: { fetch: () => Promise.reject(new Error('offline')), allowHttp: false },
      trust,
      now: NOW,
    });
    expect(verified.mode).toBe('offline-two-way');
    expect(verified.party.names.ko).toBe('경찰 검문');
    // rrn is not registered for the checkpoint: the citizen is warned.
    expect(verified.exceeds.map((x) => x.path)).toEqual([['rrn']]);
    const answer = await offlineAnswer(credential, {
      paths: [['name'], ['licence_classes']],
      signer: holder.signer,
      binding: { nonce, aud: clientId },
      now: NOW,
    });
    expect(answer.startsWith('OMP1:')).toBe(true);
    const out = await verifyPresentation({ qr: answer }, { trust, nonce, aud: clientId });
    expect(out.claims).toEqual({ name: '김민준', licence_classes: ['1종보통'] });
  });

  test('a request QR signed by a key not registered for the party is refused', async () => {
    const { trust } = await fixtures();
    const stranger = await generateKeyPair('ES256');
    const { qr } = await createOfflineRequest({
      signer: { ...stranger.signer, kid: jwkThumbprint(stranger.publicJwk) },
      clientId: 'verifier_attestation:police-checkpoint',
      dcql: licenceQuery(['name']),
    });
    await expect(
      verifyAsk(parseRequestInput(qr), {
        http: { fetch: () => Promise.reject(new Error('offline')), allowHttp: false },
        trust,
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VP_REQUEST_INVALID' });
  });
});
