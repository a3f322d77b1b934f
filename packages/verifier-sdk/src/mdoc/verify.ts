/**
 * @module mdoc/verify
 * Verifying one mdoc presentation for a relying party (issue 7 §2), online (OpenID4VP `vp_token`
 * entry) or in person (a DeviceResponse from a proximity session), in this order:
 *
 * 1. every ISO/IEC 18013-5 §9.3.1 check of `@openmid/core/mdoc` `verifyDeviceResponse` — the DS
 *    certificate chains to a trusted IACA, IssuerAuth, docType (the query's `doctype_value`), every
 *    digest, validity, issuing country, DeviceAuth over THIS transaction's SessionTranscript;
 * 2. the DS key is a key the trust source registers for the issuer of that IACA (kid = its
 *    RFC 7638 thumbprint, judged at the MSO's `signed`), else `ERR_MDOC_ISSUER_UNTRUSTED`
 *    (`details.reason: 'ds_key_not_registered'`); the issuer may issue the doctype now, else
 *    `ERR_TRUST_ISSUER_NOT_AUTHORISED`;
 * 3. the status from the MSO's Token Status List reference, with the same status-list source and
 *    rules as SD-JWT VCs (revoked, suspended, unknown);
 * 4. the result: the profile's claim names for the elements (`mdlToKoreanClaims`), so relying
 *    parties read an mdoc and an SD-JWT VC of the licence alike.
 */
import type { CryptoProvider } from '@openmid/core';
import { OpenMidError } from '@openmid/core/errors';
import { jwkThumbprint, type PublicJwk } from '@openmid/core/keys';
import {
  type CborValue,
  certificateJwk,
  mdocValueToJson,
  parseCertificate,
  type SessionTranscript,
  type VerifiedMdoc,
  verifyDeviceResponse,
} from '@openmid/core/mdoc';
import { ask } from '../trust/keys.js';
import type { LocalizedText, TrustSource } from '../trust/source.js';
import {
  type CredentialStatus,
  checkCredentialStatus,
  type StatusListSource,
} from '../verify/status.js';
import {
  DEFAULT_MDOC_PROFILES,
  type MdocProfile,
  mdocProfileOf,
  mdocResultClaims,
} from './profile.js';
import type { MdocIssuerTrust } from './trust.js';

/** What an mdoc verification needs besides the transaction's SessionTranscript. */
export interface MdocVerifyContext {
  readonly trust: TrustSource;
  readonly iacas: MdocIssuerTrust;
  readonly statusLists?: StatusListSource;
  readonly unknownStatus?: 'reject' | 'accept';
  readonly statusMaxAge?: number;
  /** Accepted document types (e.g. the query's `doctype_value`). */
  readonly docTypes?: readonly string[];
  readonly profiles?: readonly MdocProfile[];
  readonly now: number;
  readonly leeway: number;
  readonly crypto?: CryptoProvider;
  /** EReaderKey.priv: only to verify a `deviceMac` (in person). */
  readonly readerKey?: CryptoKey;
}

/** One verified mdoc, before any DCQL projection. */
export interface VerifiedMdocDocument {
  readonly iss: string;
  readonly issuerName?: LocalizedText;
  readonly docType: string;
  /** Issuer-signed elements, as verified (CBOR values). */
  readonly nameSpaces: Readonly<Record<string, Readonly<Record<string, CborValue>>>>;
  readonly status: CredentialStatus;
  readonly signed: number;
  readonly validUntil: number;
  /** RFC 7638 thumbprint of the device key that made DeviceAuth. */
  readonly holderKeyThumbprint: string;
}

function sameKey(a: PublicJwk, b: PublicJwk): boolean {
  return a.kty === b.kty && a.crv === b.crv && a.x === b.x && (a.y ?? '') === (b.y ?? '');
}

async function issuerOf(
  doc: VerifiedMdoc,
  ctx: MdocVerifyContext,
): Promise<{ iss: string; names?: LocalizedText }> {
  const crypto = ctx.crypto === undefined ? undefined : { crypto: ctx.crypto };
  const dsJwk = certificateJwk(parseCertificate(doc.issuer.certificate));
  if (dsJwk === undefined)
    throw new OpenMidError('ERR_MDOC_CERTIFICATE_INVALID', 'Unsupported document-signer key');
  const kid = jwkThumbprint(dsJwk, 'sha-256', crypto);
  const candidates = await ctx.iacas.issuersOf(doc.issuer.certificate);
  const issuedAt = Math.min(doc.validity.signed, ctx.now);
  for (const iss of candidates) {
    const answer = await ask(() => ctx.trust.issuerKeys(iss, ctx.now, { kid, issuedAt }));
    if (answer.keys.some((k) => k.kid === kid && sameKey(k.jwk, dsJwk)))
      return answer.names === undefined ? { iss } : { iss, names: answer.names };
  }
  throw new OpenMidError(
    'ERR_MDOC_ISSUER_UNTRUSTED',
    'The document-signer key is not a registered key of the issuer of its IACA',
    { details: { reason: 'ds_key_not_registered' } },
  );
}

/**
 * Verify a DeviceResponse of ONE document for `transcript` and a relying party's trust.
 *
 * @throws OpenMidError every code of `verifyDeviceResponse`, `ERR_MDOC_ISSUER_UNTRUSTED`,
 *   `ERR_TRUST_ISSUER_NOT_AUTHORISED`, `ERR_STATUS_*`, `ERR_TRUST_SOURCE_UNAVAILABLE`.
 * @see ISO/IEC 18013-5 §9.3.1; DESIGN.md §2; draft-ietf-oauth-status-list §8.3
 */
export async function verifyMdocDocument(
  bytes: Uint8Array,
  transcript: SessionTranscript,
  ctx: MdocVerifyContext,
): Promise<VerifiedMdocDocument> {
  const { documents } = await verifyDeviceResponse(bytes, {
    trust: ctx.iacas.store,
    sessionTranscript: transcript,
    now: ctx.now,
    leeway: ctx.leeway,
    maxDocuments: 1,
    ...(ctx.docTypes === undefined ? {} : { docTypes: ctx.docTypes }),
    ...(ctx.readerKey === undefined ? {} : { readerKey: ctx.readerKey }),
    ...(ctx.crypto === undefined ? {} : { crypto: ctx.crypto }),
  });
  const doc = documents[0] as VerifiedMdoc;
  const { iss, names } = await issuerOf(doc, ctx);
  if (!(await ask(() => ctx.trust.issuerMayIssue(iss, doc.docType, ctx.now))))
    throw new OpenMidError(
      'ERR_TRUST_ISSUER_NOT_AUTHORISED',
      'The issuer is not authorised for this document type',
      { details: { vct: doc.docType } },
    );
  let status: CredentialStatus = 'none';
  if (doc.status !== undefined) {
    status = await checkCredentialStatus(
      { status_list: { idx: doc.status.idx, uri: doc.status.uri } },
      {
        iss,
        source: ctx.statusLists,
        now: ctx.now,
        leeway: ctx.leeway,
        ...(ctx.statusMaxAge === undefined ? {} : { maxAge: ctx.statusMaxAge }),
      },
    );
    if (status === 'unknown' && ctx.unknownStatus !== 'accept')
      throw new OpenMidError(
        'ERR_STATUS_UNKNOWN',
        'The credential status could not be established',
      );
  }
  return {
    iss,
    ...(names === undefined ? {} : { issuerName: names }),
    docType: doc.docType,
    nameSpaces: doc.nameSpaces,
    status,
    signed: doc.validity.signed,
    validUntil: doc.validity.validUntil,
    holderKeyThumbprint: jwkThumbprint(
      doc.deviceKey,
      'sha-256',
      ctx.crypto === undefined ? undefined : { crypto: ctx.crypto },
    ),
  };
}

/** Elements as plain JSON values (for DCQL matching): namespace → element → value. */
export function mdocJsonElements(
  nameSpaces: Readonly<Record<string, Readonly<Record<string, CborValue>>>>,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [ns, elements] of Object.entries(nameSpaces)) {
    const inner: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(elements))
      Object.defineProperty(inner, k, {
        value: mdocValueToJson(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    Object.defineProperty(out, ns, {
      value: inner,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Only the elements at `paths` (`[namespace, element]`). */
export function selectElements(
  nameSpaces: Readonly<Record<string, Readonly<Record<string, CborValue>>>>,
  paths: readonly (readonly (string | number | null)[])[],
): Record<string, Record<string, CborValue>> {
  const out: Record<string, Record<string, CborValue>> = Object.create(null);
  for (const [ns, element] of paths) {
    if (typeof ns !== 'string' || typeof element !== 'string') continue;
    const elements = nameSpaces[ns];
    if (elements === undefined || !Object.hasOwn(elements, element)) continue;
    const bucket = out[ns] ?? (Object.create(null) as Record<string, CborValue>);
    bucket[element] = elements[element] as CborValue;
    out[ns] = bucket;
  }
  return out;
}

/** The result claims of elements (profile claim names where mapped). */
export function mdocClaims(
  doc: Pick<VerifiedMdocDocument, 'docType'>,
  nameSpaces: Readonly<Record<string, Readonly<Record<string, CborValue>>>>,
  profiles: readonly MdocProfile[] = DEFAULT_MDOC_PROFILES,
): { vct: string; claims: Record<string, unknown> } {
  return {
    vct: mdocProfileOf(doc.docType, profiles)?.vct ?? doc.docType,
    claims: mdocResultClaims(doc.docType, nameSpaces, profiles),
  };
}
