/**
 * verifyPresentation: the relying party's checks of OpenID4VP 1.0 §8.6 and SECURITY.md
 * "Presentation (OpenID4VP)", each rejection asserted by its code.
 */
import { generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import { presentSdJwt } from '@openmid/core/sd-jwt';
import { beforeAll, describe, expect, test } from 'vitest';
import type { DcqlQuery } from '../dcql/query.js';
import {
  bankRegistration,
  ISS,
  issue,
  issuerRecord,
  type Keys,
  LICENCE_CLAIMS,
  makeKeys,
  NOW,
  registryRecord,
  statusSource,
  statusToken,
  trustOf,
  VCT_DL,
  VCT_ID,
} from '../test/fixtures.js';
import { staticTrustSource, type TrustSource } from '../trust/source.js';
import { createReplayCache, OFFLINE_AUDIENCE, windowNonce } from './binding.js';
import type { StatusListSource } from './status.js';
import { type VerifyPolicy, verifyPresentation } from './verify.js';

const AUD = 'verifier_attestation:bank';
const NONCE = 'n-0S6_WzA2Mj-fresh-nonce';

let keys: Keys;
let trust: TrustSource;
let statusLists: StatusListSource;
let resident: string;
let licence: string;

async function present(
  credential: string,
  paths: string[][],
  kb: { aud?: string; nonce?: string; iat?: number } = {},
): Promise<string> {
  return presentSdJwt(credential, {
    paths,
    keyBinding: {
      signer: keys.holder.signer,
      aud: kb.aud ?? AUD,
      nonce: kb.nonce ?? NONCE,
      iat: kb.iat ?? NOW,
    },
  });
}

function policy(overrides: Partial<VerifyPolicy> = {}): VerifyPolicy {
  return { trust, statusLists, nonce: NONCE, aud: AUD, now: NOW, ...overrides } as VerifyPolicy;
}

beforeAll(async () => {
  keys = await makeKeys();
  trust = trustOf(keys);
  statusLists = statusSource(keys, statusToken(keys));
  resident = await issue(keys);
  licence = await issue(keys, { vct: VCT_DL, claims: LICENCE_CLAIMS, idx: 11 });
});

describe('verifyPresentation: one SD-JWT VC presentation', () => {
  test('returns the disclosed subject claims, the issuer that vouched and a valid status', async () => {
    const vc = await verifyPresentation(
      await present(resident, [['name'], ['age_over_19']]),
      policy(),
    );
    expect(vc).toMatchObject({
      iss: ISS,
      issuerName: { en: 'Korean National Police Agency' },
      vct: VCT_ID,
      claims: { name: '김민준', age_over_19: true },
      status: 'valid',
      holderKeyThumbprint: jwkThumbprint(keys.holder.publicJwk),
    });
    expect(vc.claims).not.toHaveProperty('rrn');
    expect(vc.claims).not.toHaveProperty('cnf');
  });

  test('rejects a presentation bound to another nonce (RFC 9901 §7.3 step 5.6)', async () => {
    const p = await present(resident, [['name']], { nonce: 'another-transaction' });
    await expect(verifyPresentation(p, policy())).rejects.toMatchObject({
      code: 'ERR_SDJWT_KB_NONCE_MISMATCH',
    });
  });

  test('rejects a presentation for another audience, even one differing only in the client_id prefix', async () => {
    for (const aud of ['verifier_attestation:shop', 'bank', 'x509_hash:bank']) {
      const p = await present(resident, [['name']], { aud });
      await expect(verifyPresentation(p, policy())).rejects.toMatchObject({
        code: 'ERR_SDJWT_KB_AUD_MISMATCH',
      });
    }
  });

  test('rejects a revoked credential and a suspended one, each with its own code', async () => {
    const revoked = await present(await issue(keys, { idx: 8 }), [['name']]);
    await expect(verifyPresentation(revoked, policy())).rejects.toMatchObject({
      code: 'ERR_STATUS_REVOKED',
    });
    const suspended = await present(await issue(keys, { idx: 9 }), [['name']]);
    await expect(verifyPresentation(suspended, policy())).rejects.toMatchObject({
      code: 'ERR_STATUS_SUSPENDED',
    });
  });

  test('an unknown status is an error by default and reported as unknown (never valid) when the policy accepts it', async () => {
    const other = await present(await issue(keys, { idx: 10 }), [['name']]);
    await expect(verifyPresentation(other, policy())).rejects.toMatchObject({
      code: 'ERR_STATUS_UNKNOWN',
    });
    await expect(
      verifyPresentation(other, policy({ unknownStatus: 'accept' })),
    ).resolves.toMatchObject({ status: 'unknown' });
    const p = await present(resident, [['name']]);
    await expect(
      verifyPresentation(p, policy({ statusLists: undefined, unknownStatus: 'accept' })),
    ).resolves.toMatchObject({ status: 'unknown' });
  });

  test('an unreadable status list makes the status unknown, never revoked', async () => {
    const p = await present(await issue(keys, { idx: 8 }), [['name']]);
    const broken: StatusListSource = async () => {
      throw new Error('zlib: invalid stored block lengths');
    };
    await expect(verifyPresentation(p, policy({ statusLists: broken }))).rejects.toMatchObject({
      code: 'ERR_STATUS_UNKNOWN',
    });
  });

  test('a status list signed for another issuer, or too old, makes the status unknown', async () => {
    const p = await present(await issue(keys, { idx: 8 }), [['name']]);
    const foreign = statusSource(keys, statusToken(keys, { iss: 'https://other.example' }));
    await expect(verifyPresentation(p, policy({ statusLists: foreign }))).rejects.toMatchObject({
      code: 'ERR_STATUS_UNKNOWN',
    });
    await expect(verifyPresentation(p, policy({ statusMaxAge: 10 }))).rejects.toMatchObject({
      code: 'ERR_STATUS_UNKNOWN',
    });
  });

  test('rejects an expired credential', async () => {
    const p = await present(await issue(keys, { exp: NOW - 3600 }), [['name']]);
    await expect(verifyPresentation(p, policy())).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
  });

  test('rejects an untrusted issuer: unknown iss, or a key the trust source does not give', async () => {
    const rogue = await generateKeyPair('ES256', { kid: 'rogue' });
    const p1 = await present(
      await issue(keys, { iss: 'https://rogue.example', signer: rogue.signer }),
      [['name']],
    );
    await expect(verifyPresentation(p1, policy())).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED',
    });
    const p2 = await present(
      await issue(keys, { signer: { ...rogue.signer, kid: keys.issuer.kid } }),
      [['name']],
    );
    await expect(verifyPresentation(p2, policy())).rejects.toMatchObject({
      code: 'ERR_JOSE_SIGNATURE_INVALID',
    });
    const expiredKey = staticTrustSource({
      issuers: [
        issuerRecord(keys, {
          keys: [{ kid: keys.issuer.kid, jwk: keys.issuer.publicJwk, validUntil: NOW - 1 }],
        }),
      ],
      relyingParties: [],
    });
    await expect(
      verifyPresentation(await present(resident, [['name']]), policy({ trust: expiredKey })),
    ).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED',
    });
  });

  test('rejects an issuer that is trusted but not authorised for the credential type', async () => {
    const onlyLicences = staticTrustSource({
      issuers: [issuerRecord(keys, { types: [VCT_DL] }), registryRecord(keys)],
      relyingParties: [bankRegistration(keys)],
    });
    await expect(
      verifyPresentation(await present(resident, [['name']]), policy({ trust: onlyLicences })),
    ).rejects.toMatchObject({ code: 'ERR_TRUST_ISSUER_NOT_AUTHORISED' });
  });

  test('rejects tampered disclosures (RFC 9901 §7.1 step 5)', async () => {
    const p = await present(resident, [['name']]);
    const parts = p.split('~');
    const forged = btoa(JSON.stringify(['c2FsdHNhbHRzYWx0c2FsdA', 'age_over_19', true]))
      .replaceAll('=', '')
      .replaceAll('+', '-')
      .replaceAll('/', '_');
    parts.splice(1, 1, forged);
    await expect(verifyPresentation(parts.join('~'), policy())).rejects.toMatchObject({
      code: 'ERR_SDJWT_DISCLOSURE_UNREFERENCED',
    });
  });

  test('the policy must carry a nonce (or a time window), an audience and a trust source', async () => {
    const p = await present(resident, [['name']]);
    for (const bad of [
      { trust, aud: AUD },
      { trust, nonce: NONCE },
      { nonce: NONCE, aud: AUD },
      { trust, aud: AUD, nonce: NONCE, timeWindow: 60 },
    ])
      await expect(verifyPresentation(p, bad as unknown as VerifyPolicy)).rejects.toMatchObject({
        code: 'ERR_INPUT_INVALID',
      });
  });
});

describe('verifyPresentation: a vp_token against its DCQL query (OpenID4VP 1.0 §8.6)', () => {
  const ageQuery: DcqlQuery = {
    credentials: [
      {
        id: 'resident',
        format: 'dc+sd-jwt',
        meta: { vct_values: [VCT_ID] },
        claims: [{ path: ['age_over_19'] }],
      },
      {
        id: 'licence',
        format: 'dc+sd-jwt',
        meta: { vct_values: [VCT_DL] },
        claims: [{ path: ['age_over_19'] }],
      },
    ],
    credential_sets: [{ options: [['resident'], ['licence']] }],
  };

  test('keeps only the requested claims, by credential query id', async () => {
    const vpToken = { licence: [await present(licence, [['age_over_19'], ['name']])] };
    const { credentials } = await verifyPresentation({ vpToken, dcql: ageQuery }, policy());
    expect(Object.keys(credentials)).toEqual(['licence']);
    expect(credentials['licence']?.[0]?.claims).toEqual({ age_over_19: true });
  });

  test('refuses an answer that satisfies no option of a required credential set', async () => {
    const dcql: DcqlQuery = { ...ageQuery, credential_sets: [{ options: [['resident']] }] };
    const vpToken = { licence: [await present(licence, [['age_over_19']])] };
    await expect(verifyPresentation({ vpToken, dcql }, policy())).rejects.toMatchObject({
      code: 'ERR_VP_DCQL_UNSATISFIED',
    });
  });

  test('refuses an entry for a query that was not asked, and a second presentation without multiple', async () => {
    const one = await present(licence, [['age_over_19']]);
    await expect(
      verifyPresentation({ vpToken: { other: [one] }, dcql: ageQuery }, policy()),
    ).rejects.toMatchObject({ code: 'ERR_VP_DCQL_UNSATISFIED' });
    await expect(
      verifyPresentation({ vpToken: { licence: [one, one] }, dcql: ageQuery }, policy()),
    ).rejects.toMatchObject({ code: 'ERR_VP_DCQL_UNSATISFIED' });
  });

  test('refuses a credential of a type the query does not accept', async () => {
    const vpToken = { licence: [await present(resident, [['age_over_19']])] };
    await expect(verifyPresentation({ vpToken, dcql: ageQuery }, policy())).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_VCT_UNEXPECTED',
    });
  });

  test('refuses a presentation that does not disclose a requested claim', async () => {
    const vpToken = { resident: [await present(resident, [['name']])] };
    await expect(verifyPresentation({ vpToken, dcql: ageQuery }, policy())).rejects.toMatchObject({
      code: 'ERR_VP_DCQL_UNSATISFIED',
    });
  });

  test('accepts the second claim set when the first cannot be satisfied (§6.4.1)', async () => {
    const dcql: DcqlQuery = {
      credentials: [
        {
          id: 'dl',
          format: 'dc+sd-jwt',
          meta: { vct_values: [VCT_DL] },
          claims: [
            { id: 'classes', path: ['licence_classes'] },
            { id: 'conditions', path: ['conditions'] },
            { id: 'period', path: ['aptitude_test_period', 'end'] },
          ],
          claim_sets: [
            ['classes', 'conditions', 'period'],
            ['classes', 'period'],
          ],
        },
      ],
    };
    const vpToken = {
      dl: [await present(licence, [['licence_classes'], ['aptitude_test_period']])],
    };
    const { credentials } = await verifyPresentation({ vpToken, dcql }, policy());
    expect(credentials['dl']?.[0]?.claims).toEqual({
      licence_classes: ['1종보통', '2종소형'],
      aptitude_test_period: { end: '2030-12-31' },
    });
  });

  test('a revoked credential inside a vp_token rejects the response with ERR_STATUS_REVOKED', async () => {
    const vpToken = { resident: [await present(await issue(keys, { idx: 8 }), [['age_over_19']])] };
    await expect(verifyPresentation({ vpToken, dcql: ageQuery }, policy())).rejects.toMatchObject({
      code: 'ERR_STATUS_REVOKED',
    });
  });
});

describe('verifyPresentation: one-way offline time window', () => {
  const windowPolicy = (now: number, extra: Partial<VerifyPolicy> = {}): VerifyPolicy =>
    ({ trust, statusLists, timeWindow: 60, aud: OFFLINE_AUDIENCE, now, ...extra }) as VerifyPolicy;

  test('accepts a presentation within 60 s of its iat whose nonce names that window', async () => {
    const p = await present(resident, [['age_over_19']], {
      aud: OFFLINE_AUDIENCE,
      nonce: windowNonce(NOW - 20),
      iat: NOW - 20,
    });
    await expect(verifyPresentation(p, windowPolicy(NOW))).resolves.toMatchObject({
      claims: { age_over_19: true },
    });
  });

  test('refuses it once the window has passed, or when the nonce names another window', async () => {
    const old = await present(resident, [['age_over_19']], {
      aud: OFFLINE_AUDIENCE,
      nonce: windowNonce(NOW - 200),
      iat: NOW - 200,
    });
    await expect(verifyPresentation(old, windowPolicy(NOW))).rejects.toMatchObject({
      code: 'ERR_OFFLINE_WINDOW_EXPIRED',
    });
    const wrongWindow = await present(resident, [['age_over_19']], {
      aud: OFFLINE_AUDIENCE,
      nonce: windowNonce(NOW + 600),
      iat: NOW,
    });
    await expect(verifyPresentation(wrongWindow, windowPolicy(NOW))).rejects.toMatchObject({
      code: 'ERR_OFFLINE_WINDOW_EXPIRED',
    });
  });

  test('a device replay cache refuses the same presentation twice within its window', async () => {
    const p = await present(resident, [['age_over_19']], {
      aud: OFFLINE_AUDIENCE,
      nonce: windowNonce(NOW),
      iat: NOW,
    });
    const replayCache = createReplayCache({ clock: () => NOW });
    await verifyPresentation(p, windowPolicy(NOW, { replayCache }));
    await expect(verifyPresentation(p, windowPolicy(NOW, { replayCache }))).rejects.toMatchObject({
      code: 'ERR_OFFLINE_REPLAYED',
    });
  });
});
