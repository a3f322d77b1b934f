/**
 * SD-JWT VC issuance and verification. Draft examples (test/vectors/sd-jwt-vc-draft, the 2026-08
 * editor's copy): 2.3.1 issuance, 2.3.2 presentation with and without KB-JWT, A.1 PID issuance
 * and presentation, plus RFC 9901 A.3, all checkable. The A.1 `user_claims` block was re-joined
 * from wrapped text and is informative only (README), so it is not compared.
 */
import { describe, expect, test } from 'vitest';
import v9901 from '../../test/vectors/sd-jwt-rfc9901/examples.json' with { type: 'json' };
import v from '../../test/vectors/sd-jwt-vc-draft/examples.json' with { type: 'json' };
import { OpenMidError } from '../errors/error.js';
import { b64uDecodeText } from '../internal/bytes.js';
import type { JwsHeader } from '../jose/jws.js';
import { generateKeyPair, type Verifier, verifierFromJwk } from '../keys/index.js';
import { presentSdJwt } from '../sd-jwt/holder.js';
import { issueSdJwt } from '../sd-jwt/issue.js';
import type { ClaimPath, DisclosureFrame } from '../sd-jwt/types.js';
import { issueSdJwtVc, NEVER_DISCLOSABLE, type SdJwtVcCredential } from './issue.js';
import { type VerifySdJwtVcPolicy, verifySdJwtVc } from './verify.js';

interface Example {
  readonly id: string;
  readonly sd_jwt_issuance?: string;
  readonly presentation?: string;
  readonly presentation_2?: string;
  readonly expected_processed_payload?: Record<string, unknown>;
  readonly expected_processed_payload_2?: Record<string, unknown>;
}

const draftIssuer = await verifierFromJwk(v.keys.issuer_public_jwk);
const examples = v.examples as unknown as Example[];

function kbPayloadOf(presentation: string): { nonce: string; aud: string; iat: number } {
  const kb = presentation.slice(presentation.lastIndexOf('~') + 1);
  return JSON.parse(b64uDecodeText(kb.split('.')[1] as string) as string);
}

describe('SD-JWT VC draft examples', () => {
  test.each(examples.filter((e) => e.presentation).map((e) => [e.id, e] as const))(
    '%s: the presentation with KB-JWT verifies',
    async (_id, e) => {
      const p = e.presentation as string;
      const kb = kbPayloadOf(p);
      const seen: string[] = [];
      const r = await verifySdJwtVc(p, {
        issuerKey: (iss) => {
          seen.push(iss);
          return draftIssuer;
        },
        nonce: kb.nonce,
        aud: kb.aud,
        now: kb.iat,
      });
      if (e.expected_processed_payload) expect(r.claims).toEqual(e.expected_processed_payload);
      expect(seen).toEqual([r.iss]);
      expect(r.vct).toBe(r.claims['vct']);
      expect(r.holderKey).toEqual((r.claims['cnf'] as { jwk: unknown }).jwk);
    },
  );

  test('2.3.2: the presentation without KB-JWT verifies only with keyBinding: false', async () => {
    const e = examples.find((x) => x.id === '2.3.2 Presentation') as Example;
    const p = e.presentation_2 as string;
    const policy = { issuerKey: () => draftIssuer, now: 1787325881 };
    await expect(verifySdJwtVc(p, { ...policy, nonce: 'n', aud: 'a' })).rejects.toMatchObject({
      code: 'ERR_SDJWT_KB_REQUIRED',
    });
    const r = await verifySdJwtVc(p, { ...policy, keyBinding: false });
    expect(r.claims).toEqual(e.expected_processed_payload_2);
  });

  test.each(examples.filter((e) => e.sd_jwt_issuance).map((e) => [e.id, e] as const))(
    '%s: the issued credential verifies',
    async (_id, e) => {
      const r = await verifySdJwtVc(e.sd_jwt_issuance as string, {
        issuerKey: () => draftIssuer,
        keyBinding: false,
        now: 1787325881,
      });
      expect(r.disclosedPaths.length).toBeGreaterThan(0);
    },
  );

  test('RFC 9901 A.3 (an SD-JWT VC) verifies as an SD-JWT VC', async () => {
    const a3 = (
      v9901.examples as unknown as (Example & {
        kb_jwt_payload?: { nonce: string; aud: string; iat: number };
      })[]
    ).find((x) => x.id.startsWith('A.3')) as Example & {
      kb_jwt_payload: { nonce: string; aud: string; iat: number };
    };
    const r = await verifySdJwtVc(a3.presentation as string, {
      issuerKey: async () => verifierFromJwk(v9901.keys.issuer_public_jwk),
      nonce: a3.kb_jwt_payload.nonce,
      aud: a3.kb_jwt_payload.aud,
      now: a3.kb_jwt_payload.iat,
    });
    expect(r.claims).toEqual(a3.expected_processed_payload);
  });
});

const issuer = await generateKeyPair('ES256', { kid: 'police-2026' });
const holder = await generateKeyPair('ES256');
const issuerVerifier = await verifierFromJwk(issuer.publicJwk);
const NOW = 1_800_000_000;
const NONCE = 'nonce-vc';
const AUD = 'x509_san_dns:bank.example';
const STATUS = { status_list: { idx: 4711, uri: 'https://status.police.go.kr/lists/7' } };

const CREDENTIAL: SdJwtVcCredential = {
  iss: 'https://police.go.kr',
  vct: 'urn:kr:mdl:1',
  iat: NOW - 86400,
  exp: NOW + 86400 * 365,
  status: STATUS,
  claims: { given_name: '민준', family_name: '김', birthdate: '1990-03-15', age_over_18: true },
};
const FRAME: DisclosureFrame = { _sd: ['given_name', 'family_name', 'birthdate', 'age_over_18'] };

function trusted(iss: string, header: JwsHeader): Verifier {
  if (iss !== 'https://police.go.kr' || header.kid !== 'police-2026')
    throw new OpenMidError('ERR_SDJWTVC_ISSUER_UNTRUSTED', 'Unknown issuer');
  return issuerVerifier;
}

async function present(issued: string, paths: ClaimPath[] = [['age_over_18']]): Promise<string> {
  return presentSdJwt(issued, {
    paths,
    keyBinding: { signer: holder.signer, nonce: NONCE, aud: AUD, iat: NOW },
  });
}

const POLICY: VerifySdJwtVcPolicy = { issuerKey: trusted, nonce: NONCE, aud: AUD, now: NOW };

describe('issueSdJwtVc / verifySdJwtVc', () => {
  const issued = issueSdJwtVc(CREDENTIAL, {
    signer: issuer.signer,
    holderKey: holder.publicJwk,
    frame: FRAME,
  });

  test('round-trips with key binding; registered claims stay visible', async () => {
    const r = await verifySdJwtVc(await present(await issued), POLICY);
    expect(r.header).toMatchObject({ typ: 'dc+sd-jwt', kid: 'police-2026' });
    expect(r.claims).toEqual({
      iss: CREDENTIAL.iss,
      iat: CREDENTIAL.iat,
      exp: CREDENTIAL.exp,
      vct: CREDENTIAL.vct,
      status: STATUS,
      cnf: { jwk: holder.publicJwk },
      age_over_18: true,
    });
    expect(r).toMatchObject({ iss: CREDENTIAL.iss, vct: CREDENTIAL.vct, status: STATUS });
    expect(r.holderKey).toEqual(holder.publicJwk);
  });

  test('the status hook runs last, with the status claim', async () => {
    const calls: unknown[] = [];
    const status = async (claim: unknown) => {
      calls.push(claim);
    };
    await verifySdJwtVc(await present(await issued), { ...POLICY, status });
    expect(calls).toEqual([STATUS]);
    // A failing earlier check never reaches the status provider.
    const vp = await present(await issued);
    const failing: VerifySdJwtVcPolicy[] = [
      { ...POLICY, status, nonce: 'other' },
      { ...POLICY, status, now: NOW + 86400 * 400 },
      { ...POLICY, status, acceptedVcts: ['urn:x'] },
    ];
    for (const policy of failing)
      await expect(verifySdJwtVc(vp, policy)).rejects.toBeInstanceOf(OpenMidError);
    await expect(verifySdJwtVc(await issued, { ...POLICY, status })).rejects.toBeInstanceOf(
      OpenMidError,
    );
    expect(calls.length).toBe(1);
  });

  test('a status hook error keeps its code; a foreign error becomes ERR_STATUS_UNKNOWN', async () => {
    const vp = await present(await issued);
    await expect(
      verifySdJwtVc(vp, {
        ...POLICY,
        status: async () => {
          throw new OpenMidError('ERR_STATUS_REVOKED');
        },
      }),
    ).rejects.toMatchObject({ code: 'ERR_STATUS_REVOKED' });
    await expect(
      verifySdJwtVc(vp, {
        ...POLICY,
        status: async () => {
          throw new TypeError('network down');
        },
      }),
    ).rejects.toMatchObject({ code: 'ERR_STATUS_UNKNOWN' });
  });

  test('the issuer key comes from the caller trust source, never from the token', async () => {
    const vp = await present(await issued);
    await expect(
      verifySdJwtVc(vp, { ...POLICY, issuerKey: () => holder.signer as unknown as Verifier }),
    ).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED',
    });
    await expect(
      verifySdJwtVc(vp, {
        ...POLICY,
        issuerKey: () => {
          throw new Error('not in trust list');
        },
      }),
    ).rejects.toMatchObject({ code: 'ERR_SDJWTVC_ISSUER_UNTRUSTED' });
    await expect(
      verifySdJwtVc(vp, { ...POLICY, issuerKey: async () => verifierFromJwk(holder.publicJwk) }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_SIGNATURE_INVALID' });
    const forged = await issueSdJwtVc(CREDENTIAL, {
      signer: (await generateKeyPair('ES256', { kid: 'police-2026' })).signer,
      holderKey: holder.publicJwk,
    });
    await expect(verifySdJwtVc(await present(forged, []), POLICY)).rejects.toMatchObject({
      code: 'ERR_JOSE_SIGNATURE_INVALID',
    });
  });

  test('vct must be present and accepted', async () => {
    const vp = await present(await issued);
    await expect(
      verifySdJwtVc(vp, { ...POLICY, acceptedVcts: ['urn:kr:rrc:1'] }),
    ).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_VCT_UNEXPECTED',
    });
    await expect(
      verifySdJwtVc(vp, { ...POLICY, acceptedVcts: ['urn:kr:mdl:1'] }),
    ).resolves.toBeTruthy();
    for (const [vct, code] of [
      [undefined, 'ERR_SDJWTVC_CLAIM_MISSING'],
      [42, 'ERR_SDJWTVC_CLAIM_INVALID'],
    ] as const) {
      const raw = await issueSdJwt(
        {
          iss: CREDENTIAL.iss,
          exp: NOW + 100,
          ...(vct === undefined ? {} : { vct }),
          cnf: { jwk: holder.publicJwk },
        },
        { signer: issuer.signer, typ: 'dc+sd-jwt' },
      );
      await expect(verifySdJwtVc(await present(raw, []), POLICY)).rejects.toMatchObject({ code });
    }
  });

  test('iss must be present (OpenMID requires it) before any key is resolved', async () => {
    const raw = await issueSdJwt(
      { vct: 'urn:kr:mdl:1', exp: NOW + 100 },
      { signer: issuer.signer, typ: 'dc+sd-jwt' },
    );
    await expect(verifySdJwtVc(raw, { ...POLICY, keyBinding: false })).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_CLAIM_MISSING',
    });
  });

  test.each(['cnf', 'status', 'vct', 'exp', 'nbf', 'vct#integrity'])(
    'a presentation disclosing %s selectively is rejected',
    async (name) => {
      const values: Record<string, unknown> = {
        cnf: { jwk: holder.publicJwk },
        status: STATUS,
        vct: 'urn:kr:mdl:1',
        exp: NOW + 1000,
        nbf: NOW - 1000,
        'vct#integrity': 'sha256-AAAA',
      };
      const claims: Record<string, unknown> = { iss: CREDENTIAL.iss, ...values };
      const raw = await issueSdJwt(claims, {
        signer: issuer.signer,
        typ: 'dc+sd-jwt',
        frame: { _sd: [name] },
      });
      const vp = await presentSdJwt(raw, {
        paths: [[name]],
        ...(name === 'cnf'
          ? { keyBinding: { signer: holder.signer, nonce: NONCE, aud: AUD, iat: NOW } }
          : {}),
      });
      const policy: VerifySdJwtVcPolicy =
        name === 'cnf' ? POLICY : { ...POLICY, keyBinding: false };
      await expect(verifySdJwtVc(vp, policy)).rejects.toMatchObject({
        code: 'ERR_SDJWTVC_CLAIM_NOT_DISCLOSABLE',
      });
    },
  );

  test('an iss hidden in a Disclosure is not in the signed payload: refused as missing', async () => {
    const raw = await issueSdJwt(
      { iss: CREDENTIAL.iss, vct: 'urn:kr:mdl:1', exp: NOW + 100 },
      { signer: issuer.signer, typ: 'dc+sd-jwt', frame: { _sd: ['iss'] } },
    );
    await expect(verifySdJwtVc(raw, { ...POLICY, keyBinding: false })).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_CLAIM_MISSING',
    });
  });

  test('a nested claim named like a registered one may be disclosable', async () => {
    const vc = await issueSdJwtVc(
      { ...CREDENTIAL, claims: { licence: { iss: 'local office', exp: 'never' } } },
      {
        signer: issuer.signer,
        holderKey: holder.publicJwk,
        frame: { licence: { _sd: ['iss', 'exp'] } },
      },
    );
    const r = await verifySdJwtVc(await present(vc, [['licence', 'iss']]), POLICY);
    expect(r.claims['licence']).toEqual({ iss: 'local office' });
  });

  test('cnf is required when key binding is, and must hold a jwk', async () => {
    const unbound = await issueSdJwtVc(CREDENTIAL, { signer: issuer.signer, holderKey: null });
    expect(await verifySdJwtVc(unbound, { ...POLICY, keyBinding: false })).not.toHaveProperty(
      'claims.cnf',
    );
    const kb = `${unbound}${(await present(await issued)).split('~').at(-1)}`;
    await expect(verifySdJwtVc(kb, POLICY)).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_CLAIM_MISSING',
    });
    const badCnf = await issueSdJwt(
      { iss: CREDENTIAL.iss, vct: 'urn:kr:mdl:1', exp: NOW + 100, cnf: 'key' },
      { signer: issuer.signer, typ: 'dc+sd-jwt' },
    );
    await expect(verifySdJwtVc(badCnf, { ...POLICY, keyBinding: false })).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_CLAIM_INVALID',
    });
  });

  test('the status claim shape is checked, and can be required', async () => {
    for (const status of [
      {},
      { status_list: { idx: -1, uri: 'https://s' } },
      { status_list: { idx: 1 } },
      'x',
    ]) {
      const raw = await issueSdJwt(
        { iss: CREDENTIAL.iss, vct: 'urn:kr:mdl:1', exp: NOW + 100, status },
        { signer: issuer.signer, typ: 'dc+sd-jwt' },
      );
      await expect(verifySdJwtVc(raw, { ...POLICY, keyBinding: false })).rejects.toMatchObject({
        code: 'ERR_SDJWTVC_CLAIM_INVALID',
      });
    }
    const noStatus = await issueSdJwtVc({ ...CREDENTIAL, status: undefined } as SdJwtVcCredential, {
      signer: issuer.signer,
      holderKey: null,
    });
    await expect(
      verifySdJwtVc(noStatus, { ...POLICY, keyBinding: false, requireStatus: true }),
    ).rejects.toMatchObject({
      code: 'ERR_SDJWTVC_CLAIM_MISSING',
    });
  });

  test('exp is required by default (OpenMID credentials expire)', async () => {
    const raw = await issueSdJwt(
      { iss: CREDENTIAL.iss, vct: 'urn:kr:mdl:1' },
      { signer: issuer.signer, typ: 'dc+sd-jwt' },
    );
    await expect(verifySdJwtVc(raw, { ...POLICY, keyBinding: false })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_MISSING',
    });
    await expect(
      verifySdJwtVc(raw, { ...POLICY, keyBinding: false, requireTimeClaims: [] }),
    ).resolves.toBeTruthy();
  });

  test('typ vc+sd-jwt (the pre-2024 value) and plain SD-JWTs are not SD-JWT VCs', async () => {
    for (const typ of ['vc+sd-jwt', 'example+sd-jwt']) {
      const raw = await issueSdJwt(
        { iss: CREDENTIAL.iss, vct: 'urn:kr:mdl:1', exp: NOW + 9 },
        { signer: issuer.signer, typ },
      );
      await expect(verifySdJwtVc(raw, { ...POLICY, keyBinding: false })).rejects.toMatchObject({
        code: 'ERR_JOSE_TYP_MISMATCH',
      });
    }
  });

  test('rejections change nothing and carry no claim value', async () => {
    const secret = 'SECRET-주민번호-900315';
    const vc = await issueSdJwtVc(
      { ...CREDENTIAL, claims: { secret_claim: secret } },
      { signer: issuer.signer, holderKey: holder.publicJwk, frame: { _sd: ['secret_claim'] } },
    );
    const vp = await present(vc, [['secret_claim']]);
    const policies: VerifySdJwtVcPolicy[] = [
      { ...POLICY, nonce: 'x' },
      { ...POLICY, acceptedVcts: ['urn:x'] },
      { ...POLICY, now: NOW + 86400 * 400 },
      { ...POLICY, requireStatus: true, status: async () => Promise.reject(new Error(secret)) },
    ];
    for (const policy of policies) {
      Object.freeze(policy);
      const e = (await verifySdJwtVc(vp, policy).catch((x: unknown) => x)) as OpenMidError;
      expect(e).toBeInstanceOf(OpenMidError);
      expect(e.code).not.toBe('ERR_INTERNAL');
      expect(`${e.message} ${JSON.stringify(e.toJSON())}`).not.toContain('SECRET');
    }
  });

  test('the policy type requires nonce and aud unless keyBinding: false', () => {
    // @ts-expect-error key binding is the default: nonce and aud are required
    const missing: VerifySdJwtVcPolicy = { issuerKey: trusted };
    const unbound: VerifySdJwtVcPolicy = { issuerKey: trusted, keyBinding: false };
    expect([missing, unbound].length).toBe(2);
  });
});

describe('issueSdJwtVc refuses', () => {
  test.each(NEVER_DISCLOSABLE)('a frame making %s disclosable', async (name) => {
    for (const frame of [{ _sd: [name] }, { [name]: { _sd: ['x'] } }] as DisclosureFrame[]) {
      await expect(
        issueSdJwtVc(CREDENTIAL, { signer: issuer.signer, holderKey: holder.publicJwk, frame }),
      ).rejects.toMatchObject({ code: 'ERR_SDJWTVC_CLAIM_NOT_DISCLOSABLE' });
    }
  });

  test('missing or malformed registered claims', async () => {
    const base = { signer: issuer.signer, holderKey: holder.publicJwk };
    const cases: [Record<string, unknown>, string][] = [
      [{ iss: undefined }, 'ERR_SDJWTVC_CLAIM_MISSING'],
      [{ vct: undefined }, 'ERR_SDJWTVC_CLAIM_MISSING'],
      [{ exp: undefined }, 'ERR_SDJWTVC_CLAIM_MISSING'],
      [{ vct: '' }, 'ERR_SDJWTVC_CLAIM_INVALID'],
      [{ exp: 'soon' }, 'ERR_SDJWTVC_CLAIM_INVALID'],
      [{ status: { status_list: { idx: 1.5, uri: 'https://s' } } }, 'ERR_SDJWTVC_CLAIM_INVALID'],
      [{ claims: { cnf: { jwk: holder.publicJwk } } }, 'ERR_SDJWTVC_CLAIM_INVALID'],
      [{ claims: { iss: 'x' } }, 'ERR_SDJWTVC_CLAIM_INVALID'],
    ];
    for (const [change, code] of cases) {
      await expect(
        issueSdJwtVc({ ...CREDENTIAL, ...change } as SdJwtVcCredential, base),
      ).rejects.toMatchObject({ code });
    }
  });

  test('an omitted holderKey, and a private key as holder key', async () => {
    await expect(
      issueSdJwtVc(CREDENTIAL, { signer: issuer.signer } as unknown as Parameters<
        typeof issueSdJwtVc
      >[1]),
    ).rejects.toMatchObject({ code: 'ERR_INPUT_INVALID' });
    const priv = { ...holder.publicJwk, d: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' };
    await expect(
      issueSdJwtVc(CREDENTIAL, { signer: issuer.signer, holderKey: priv }),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    });
  });

  test('a __proto__ subject claim stays a claim', async () => {
    const claims = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as Record<
      string,
      unknown
    >;
    const vc = await issueSdJwtVc(
      { ...CREDENTIAL, claims },
      { signer: issuer.signer, holderKey: null },
    );
    const r = await verifySdJwtVc(vc, { ...POLICY, keyBinding: false });
    expect(Object.hasOwn(r.claims, '__proto__')).toBe(true);
    expect((r.claims as { admin?: unknown }).admin).toBeUndefined();
  });
});
