/**
 * @module test/fixtures
 * Test fixtures of the SDK (Node and browser): an issuer with a status list, a relying party, a
 * holder with issued credentials, and a trust source over them. Not exported by the package.
 */
import {
  createVerifier,
  type GeneratedKeyPair,
  generateKeyPair,
  jwkThumbprint,
  type Signer,
} from '@openmid/core/keys';
import { issueSdJwtVc } from '@openmid/core/sd-jwt-vc';
import {
  StatusList,
  StatusType,
  signStatusListToken,
  type VerifiedStatusList,
  verifyStatusListToken,
} from '@openmid/core/status-list';
import {
  REGISTRY_ATTESTATION_TYPE,
  type RelyingPartyRegistration,
  staticTrustSource,
  type TrustedIssuer,
  type TrustSource,
} from '../trust/source.js';
import type { StatusListSource } from '../verify/status.js';

export const NOW = 1_780_000_000;
export const ISS = 'https://police.openmid.example';
export const REGISTRY = 'https://registry.openmid.example';
export const VCT_ID = 'urn:openmid:kr:resident-id:1';
export const VCT_DL = 'urn:openmid:kr:driving-licence:1';
export const STATUS_URI: string = `${ISS}/status-lists/1`;

export const RESIDENT_CLAIMS: Record<string, unknown> = {
  name: '김민준',
  rrn: '900101-1234567',
  birth_date: '1990-01-01',
  address: '서울특별시 종로구 세종대로 209',
  age_over_14: true,
  age_over_19: true,
  age_over_65: false,
};

export const LICENCE_CLAIMS: Record<string, unknown> = {
  name: '김민준',
  licence_number: '11-23-123456-10',
  licence_classes: ['1종보통', '2종소형'],
  aptitude_test_period: { start: '2030-01-01', end: '2030-12-31' },
  age_over_19: true,
};

/** Issuer, registry, relying party and holder keys with kids. */
export interface Keys {
  readonly issuer: GeneratedKeyPair & { readonly kid: string; readonly signer: Signer };
  readonly registry: GeneratedKeyPair & { readonly kid: string; readonly signer: Signer };
  readonly rp: GeneratedKeyPair & { readonly kid: string; readonly signer: Signer };
  readonly holder: GeneratedKeyPair;
}

async function keyWithKid(): Promise<GeneratedKeyPair & { kid: string; signer: Signer }> {
  const k = await generateKeyPair('ES256');
  const kid = jwkThumbprint(k.publicJwk);
  return { ...k, kid, signer: { ...k.signer, kid, publicJwk: { ...k.publicJwk, kid } } };
}

export async function makeKeys(): Promise<Keys> {
  return {
    issuer: await keyWithKid(),
    registry: await keyWithKid(),
    rp: await keyWithKid(),
    holder: await generateKeyPair('ES256'),
  };
}

export function issuerRecord(keys: Keys, overrides: Partial<TrustedIssuer> = {}): TrustedIssuer {
  return {
    id: ISS,
    names: { ko: '경찰청', en: 'Korean National Police Agency' },
    types: [VCT_ID, VCT_DL],
    keys: [{ kid: keys.issuer.kid, jwk: keys.issuer.publicJwk }],
    statusLists: [STATUS_URI],
    ...overrides,
  };
}

export function registryRecord(keys: Keys): TrustedIssuer {
  return {
    id: REGISTRY,
    names: { ko: 'OpenMID 등록기관', en: 'OpenMID registry' },
    types: [REGISTRY_ATTESTATION_TYPE],
    keys: [{ kid: keys.registry.kid, jwk: keys.registry.publicJwk }],
  };
}

export function bankRegistration(
  keys: Keys,
  overrides: Partial<RelyingPartyRegistration> = {},
): RelyingPartyRegistration {
  return {
    id: 'bank',
    names: { ko: '오픈은행', en: 'Open Bank' },
    purpose: { ko: '계좌 개설 실명 확인', en: 'Real-name check to open an account' },
    requests: [
      { vct: VCT_ID, claims: [['name'], ['rrn'], ['birth_date'], ['address']] },
      { vct: VCT_DL, claims: [['name'], ['birth_date']] },
    ],
    rrnLegalBasis: '금융실명거래 및 비밀보장에 관한 법률 제3조',
    keys: [{ kid: keys.rp.kid, jwk: keys.rp.publicJwk }],
    validFrom: NOW - 86_400,
    ...overrides,
  };
}

export function trustOf(keys: Keys): TrustSource {
  return staticTrustSource({
    issuers: [issuerRecord(keys), registryRecord(keys)],
    relyingParties: [bankRegistration(keys)],
  });
}

export async function issue(
  keys: Keys,
  options: {
    vct?: string;
    claims?: Record<string, unknown>;
    idx?: number;
    iss?: string;
    exp?: number;
    signer?: Signer;
    status?: boolean;
    /** The credential's iat (default NOW - 3600). */
    iat?: number;
  } = {},
): Promise<string> {
  const claims = options.claims ?? RESIDENT_CLAIMS;
  return issueSdJwtVc(
    {
      iss: options.iss ?? ISS,
      vct: options.vct ?? VCT_ID,
      iat: options.iat ?? NOW - 3600,
      exp: options.exp ?? NOW + 3 * 365 * 86_400,
      ...(options.status === false
        ? {}
        : { status: { status_list: { idx: options.idx ?? 7, uri: STATUS_URI } } }),
      claims,
    },
    {
      signer: options.signer ?? keys.issuer.signer,
      holderKey: keys.holder.publicJwk,
      frame: { _sd: Object.keys(claims) },
      now: NOW,
    },
  );
}

/** A status list with index 7 valid, 8 revoked, 9 suspended, 10 = 0x03 (application-specific). */
export async function statusToken(
  keys: Keys,
  options: { iat?: number; signer?: Signer; iss?: string; uri?: string } = {},
): Promise<string> {
  const list = StatusList.create(64, 2);
  list.set(8, StatusType.INVALID);
  list.set(9, StatusType.SUSPENDED);
  list.set(10, 3);
  return signStatusListToken(list, {
    signer: options.signer ?? keys.issuer.signer,
    uri: options.uri ?? STATUS_URI,
    iss: options.iss ?? ISS,
    iat: options.iat ?? NOW - 60,
    exp: (options.iat ?? NOW - 60) + 86_400,
    ttl: 300,
  });
}

/** A status source serving one token verified with the issuer key. */
export function statusSource(keys: Keys, token: Promise<string> | string): StatusListSource {
  return async (uri: string): Promise<VerifiedStatusList> =>
    verifyStatusListToken(await token, {
      uri,
      key: createVerifier(keys.issuer.publicKey),
      now: NOW,
    });
}
