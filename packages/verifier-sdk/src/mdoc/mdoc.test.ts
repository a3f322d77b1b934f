/**
 * The SDK's mdoc support (issue 7 §2), isomorphic (Node and Chromium): DCQL `mso_mdoc` queries
 * (OpenID4VP 1.0 Appendix B.2), registrations judged per profile claim, `verifyPresentation` of a
 * base64url DeviceResponse with the OpenID4VP handover transcript (Appendix B.2.6.1), the IACA
 * AND trust-source checks of the issuer, the result under the profile's claim names, and the
 * wallet-side helpers.
 */
import { generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import {
  createDemoPki,
  type DemoPki,
  issueMdoc,
  KR_MDL_NAMESPACE,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
} from '@openmid/core/mdoc';
import { beforeAll, describe, expect, test } from 'vitest';
import { selectCredentials } from '../dcql/match.js';
import { parseDcqlQuery } from '../dcql/query.js';
import { unregisteredClaims } from '../trust/registration.js';
import { staticTrustSource, type TrustedIssuer } from '../trust/source.js';
import { verifyPresentation } from '../verify/verify.js';
import { createMdocPresentation, mdocCandidate, mdocDisclosure } from './openid4vp.js';
import { createMdocIssuerTrust, type MdocIssuerTrust } from './trust.js';

const ISS = 'https://police.example';
const DL = 'urn:openmid:kr:driving-licence:1';
const NOW = Math.floor(Date.now() / 1000);
const REQUEST = {
  clientId: 'verifier_attestation:police-checkpoint',
  nonce: 'nonce-0123456789abcdef',
  responseUri: 'https://verifier.example/oid4vp/response/r1',
};

const QUERY = {
  credentials: [
    {
      id: 'licence',
      format: 'mso_mdoc',
      meta: { doctype_value: MDL_DOCTYPE },
      claims: [
        { path: [KR_MDL_NAMESPACE, 'licence_classes'], intent_to_retain: false },
        { path: [MDL_NAMESPACE, 'age_over_19'] },
      ],
    },
  ],
};

describe('DCQL mso_mdoc queries (OpenID4VP 1.0 Appendix B.2)', () => {
  test('parses doctype_value, [namespace, element] paths and intent_to_retain', () => {
    const q = parseDcqlQuery(QUERY);
    expect(q.credentials[0]).toMatchObject({
      format: 'mso_mdoc',
      meta: { doctype_value: MDL_DOCTYPE },
      claims: [{ intent_to_retain: false }, { path: [MDL_NAMESPACE, 'age_over_19'] }],
    });
  });

  test.each([
    ['no doctype_value', { meta: {} }],
    ['a path of one name', { claims: [{ path: ['age_over_19'] }] }],
    ['a path with an index', { claims: [{ path: [MDL_NAMESPACE, 0] }] }],
    [
      'a non-boolean intent_to_retain',
      { claims: [{ path: [MDL_NAMESPACE, 'x'], intent_to_retain: 'y' }] },
    ],
  ])('refuses %s (ERR_VP_DCQL_INVALID)', (_name, patch) => {
    const c = { ...(QUERY.credentials[0] as Record<string, unknown>), ...patch };
    expect(() => parseDcqlQuery({ credentials: [c] })).toThrow(
      expect.objectContaining({ code: 'ERR_VP_DCQL_INVALID' }),
    );
  });

  test('intent_to_retain is refused on an SD-JWT VC query', () => {
    expect(() =>
      parseDcqlQuery({
        credentials: [
          {
            id: 'x',
            format: 'dc+sd-jwt',
            meta: { vct_values: [DL] },
            claims: [{ path: ['name'], intent_to_retain: true }],
          },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_VP_DCQL_INVALID' }));
  });

  test('a registration per profile claim covers the mdoc element; unmapped ones need the doctype', () => {
    const rp = {
      id: 'shop',
      names: { ko: '가게', en: 'Shop' },
      purpose: { ko: '연령', en: 'Age' },
      requests: [{ vct: DL, claims: [['age_over_19'], ['licence_classes']] }],
      rrnLegalBasis: null,
      keys: [],
      validFrom: 0,
    };
    expect(unregisteredClaims(rp, parseDcqlQuery(QUERY))).toEqual([]);
    const extra = parseDcqlQuery({
      credentials: [
        {
          id: 'l',
          format: 'mso_mdoc',
          meta: { doctype_value: MDL_DOCTYPE },
          claims: [
            { path: [MDL_NAMESPACE, 'driving_privileges'] },
            { path: [KR_MDL_NAMESPACE, 'rrn'] },
          ],
        },
      ],
    });
    expect(unregisteredClaims(rp, extra).map((x) => [x.vct, x.path.join('/')])).toEqual([
      [MDL_DOCTYPE, `${MDL_NAMESPACE}/driving_privileges`],
      [DL, `${KR_MDL_NAMESPACE}/rrn`],
    ]);
  });
});

describe('verifyPresentation of an mso_mdoc vp_token entry', () => {
  let pki: DemoPki;
  let iacas: MdocIssuerTrust;
  let issuer: TrustedIssuer;
  let stored: string;
  let holder: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    pki = await createDemoPki({ notBefore: NOW - 3600 });
    holder = await generateKeyPair('ES256');
    const { issuerSigned } = await issueMdoc({
      docType: MDL_DOCTYPE,
      nameSpaces: {
        [MDL_NAMESPACE]: { age_over_19: true, issuing_country: 'KR', family_name: 'HONG' },
        [KR_MDL_NAMESPACE]: { name: '홍길동', licence_classes: ['1종보통'] },
      },
      deviceKey: holder.publicJwk,
      signer: pki.signer,
      certificate: pki.documentSigner.der,
      validity: { signed: NOW, validUntil: NOW + 86_400 },
    });
    let bin = '';
    for (const b of issuerSigned) bin += String.fromCharCode(b);
    stored = btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    iacas = await createMdocIssuerTrust([{ iss: ISS, certificate: pki.iaca.pem }]);
    const ds = pki.signer.publicJwk;
    issuer = {
      id: ISS,
      names: { ko: '경찰청', en: 'Police' },
      types: [DL, MDL_DOCTYPE],
      keys: [
        { kid: jwkThumbprint(ds), jwk: { kty: ds.kty, crv: ds.crv, x: ds.x, y: ds.y } as never },
      ],
    };
  });

  const policy = (i: TrustedIssuer = issuer) => ({
    trust: staticTrustSource({ issuers: [i], relyingParties: [] }),
    nonce: REQUEST.nonce,
    aud: REQUEST.clientId,
    now: NOW,
    mdoc: { iacas, responseUri: REQUEST.responseUri },
  });

  async function entry(request = REQUEST, extra: string[] = []): Promise<string> {
    const dcql = parseDcqlQuery(QUERY);
    const candidate = mdocCandidate(stored);
    const [plan] = selectCredentials(dcql, [candidate]) ?? [];
    const query = dcql.credentials[0];
    if (plan === undefined || query?.format !== 'mso_mdoc') throw new Error('no plan');
    const disclose = mdocDisclosure(query, plan.paths);
    if (extra.length > 0)
      disclose[KR_MDL_NAMESPACE] = [...(disclose[KR_MDL_NAMESPACE] ?? []), ...extra];
    return createMdocPresentation({ request, mdoc: stored, disclose, deviceSigner: holder.signer });
  }

  test('verifies and keeps only the requested elements, under the profile claim names', async () => {
    const { credentials } = await verifyPresentation(
      { vpToken: { licence: [await entry(REQUEST, ['name'])] }, dcql: parseDcqlQuery(QUERY) },
      policy(),
    );
    const [c] = credentials['licence'] ?? [];
    expect(c).toMatchObject({
      iss: ISS,
      issuerName: { en: 'Police' },
      vct: DL,
      docType: MDL_DOCTYPE,
      format: 'mso_mdoc',
      status: 'none',
      claims: { licence_classes: ['1종보통'], age_over_19: true },
      holderKeyThumbprint: jwkThumbprint(holder.publicJwk),
    });
    expect(c?.claims).not.toHaveProperty('name');
  });

  test('a response made for another request is refused (ERR_MDOC_DEVICE_AUTH_INVALID)', async () => {
    const other = await entry({
      ...REQUEST,
      responseUri: 'https://verifier.example/oid4vp/response/r2',
    });
    await expect(
      verifyPresentation({ vpToken: { licence: [other] }, dcql: parseDcqlQuery(QUERY) }, policy()),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_DEVICE_AUTH_INVALID' });
  });

  test('a DS key the trust source does not register is refused', async () => {
    await expect(
      verifyPresentation(
        { vpToken: { licence: [await entry()] }, dcql: parseDcqlQuery(QUERY) },
        policy({ ...issuer, keys: [] }),
      ),
    ).rejects.toMatchObject({
      code: 'ERR_MDOC_ISSUER_UNTRUSTED',
      details: { reason: 'ds_key_not_registered' },
    });
  });

  test('an issuer not allowed the doctype is refused (ERR_TRUST_ISSUER_NOT_AUTHORISED)', async () => {
    await expect(
      verifyPresentation(
        { vpToken: { licence: [await entry()] }, dcql: parseDcqlQuery(QUERY) },
        policy({ ...issuer, types: [DL] }),
      ),
    ).rejects.toMatchObject({ code: 'ERR_TRUST_ISSUER_NOT_AUTHORISED' });
  });

  test('an element the query asks for but the response lacks (ERR_VP_DCQL_UNSATISFIED)', async () => {
    const partial = await createMdocPresentation({
      request: REQUEST,
      mdoc: stored,
      disclose: { [MDL_NAMESPACE]: ['age_over_19'] },
      deviceSigner: holder.signer,
    });
    await expect(
      verifyPresentation(
        { vpToken: { licence: [partial] }, dcql: parseDcqlQuery(QUERY) },
        policy(),
      ),
    ).rejects.toMatchObject({ code: 'ERR_VP_DCQL_UNSATISFIED' });
  });

  test('without mdoc trust in the policy, or with a non-base64url entry, it refuses', async () => {
    const dcql = parseDcqlQuery(QUERY);
    const { mdoc: _m, ...bare } = policy();
    await expect(
      verifyPresentation({ vpToken: { licence: [await entry()] }, dcql }, bare),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    await expect(
      verifyPresentation({ vpToken: { licence: ['not base64url!'] }, dcql }, policy()),
    ).rejects.toMatchObject({ code: 'ERR_VP_RESPONSE_INVALID' });
  });

  test('an mdoc never answers an SD-JWT VC query, nor an SD-JWT VC an mdoc query', () => {
    const candidate = mdocCandidate(stored);
    const sdJwtQuery = parseDcqlQuery({
      credentials: [{ id: 'x', format: 'dc+sd-jwt', meta: { vct_values: [DL] } }],
    });
    expect(selectCredentials(sdJwtQuery, [candidate])).toBeUndefined();
    expect(
      selectCredentials(parseDcqlQuery(QUERY), [{ vct: DL, claims: candidate.claims }]),
    ).toBeUndefined();
  });
});
