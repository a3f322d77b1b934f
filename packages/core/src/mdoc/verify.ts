/**
 * @module mdoc/verify
 * Verifying mdocs (ISO/IEC 18013-5 §9.3) — every check, each with its own code, failing closed:
 *
 * 1. the DeviceResponse is well-formed CBOR of the §8.3.2.1.2.2 structure, status 0, with documents;
 * 2. IssuerAuth's document-signer certificate chains to a trusted IACA (§9.3.3; {@link MdocTrustStore});
 * 3. IssuerAuth (COSE_Sign1) verifies with the DS key (§9.3.1 step 2);
 * 4. the MSO docType equals the Document's, and is one the verifier accepts (step 4);
 * 5. EVERY disclosed IssuerSignedItem is covered by a digest in the MSO for its namespace, and its
 *    digest, recomputed over the original tag-24 bytes, matches (step 3); no element twice;
 * 6. validity (step 5): signed ≤ now, validFrom ≤ now ≤ validUntil; the MSO was signed while the
 *    DS certificate was valid; the DS and IACA certificates are valid now;
 * 7. a disclosed issuing_country equals the DS certificate's countryName (§7.2.1);
 * 8. DeviceAuth (§9.1.3) — a signature or a MAC with the MSO device key — over DeviceAuthentication
 *    built from THIS transaction's SessionTranscript (mandatory input, never taken from the message);
 * 9. the status hook, last, with the MSO status reference (draft-ietf-oauth-status-list).
 *
 * Time checks come after the cryptographic ones, so a stale but genuine mdoc reports its validity
 * code (e.g. `ERR_MDOC_EXPIRED`), and a forged one never gets that far.
 */
import { defaultCrypto } from '../crypto/default.js';
import type { PublicJwk } from '../crypto/provider.js';
import { asOpenMidError, isOpenMidError, OpenMidError } from '../errors/error.js';
import { bytesEqual } from '../internal/bytes.js';
import { defineOwn } from '../internal/json.js';
import { resolveLeeway } from '../jose/jwt.js';
import { type CryptoOptions, createVerifier } from '../keys/keys.js';
import { decodeCbor, decodeEmbedded } from './cbor/decode.js';
import { type CborKey, type CborValue, EncodedCbor } from './cbor/types.js';
import { verifyMac0 } from './cose/mac0.js';
import { parseCoseMessage, sigAlgOf, verifySign1, x5chain } from './cose/sign1.js';
import {
  asMap,
  MDOC_CBOR_LIMITS,
  type MobileSecurityObject,
  MSO_DIGEST_ALGS,
  type MsoStatusReference,
  type MsoValidity,
  type ParsedIssuerSigned,
  parseIssuerSigned,
  readMso,
  text,
} from './mso.js';
import { deviceAuthenticationBytes } from './present.js';
import { deriveEMacKey } from './session.js';
import type { SessionTranscript } from './transcript.js';
import type { MdocTrustStore } from './x509/trust.js';

/** The ISO mDL namespace (18013-5 §7.1). */
const MDL_NAMESPACE = 'org.iso.18013.5.1';

/** Policy shared by {@link verifyIssuerSigned} and {@link verifyDeviceResponse}. */
export interface VerifyMdocPolicy extends CryptoOptions {
  /** The IACA trust store (see `createTrustStore`). */
  readonly trust: MdocTrustStore;
  /** Accepted document types (default: any). */
  readonly docTypes?: readonly string[];
  /** Current time in seconds (default: system clock). */
  readonly now?: number;
  /** Clock leeway in seconds, ≤ 300 (default 30). */
  readonly leeway?: number;
  /**
   * Status check, called last with `{ status_list: { idx, uri } }` when the MSO has a status
   * reference — the same hook as SD-JWT VC (`createStatusCheck`). An OpenMidError it throws is
   * passed on; any other error is reported as `ERR_STATUS_UNKNOWN`.
   */
  readonly status?: (statusClaim: unknown) => Promise<void>;
  /** Refuse mdocs without a status reference (default false). */
  readonly requireStatus?: boolean;
}

/** Options of {@link verifyDeviceResponse}. */
export interface VerifyDeviceResponseOptions extends VerifyMdocPolicy {
  /** This transaction's SessionTranscript: DeviceAuth must be over exactly this. */
  readonly sessionTranscript: SessionTranscript;
  /** EReaderKey.priv, needed only to verify a `deviceMac` (18013-5 §9.1.3.5). */
  readonly readerKey?: CryptoKey;
  /** Largest DeviceResponse in bytes (default 4 MiB). */
  readonly maxBytes?: number;
  /** Most documents in one response (default 8). */
  readonly maxDocuments?: number;
}

/** Who issued an mdoc, from its DS certificate. */
export interface MdocIssuer {
  /** DS certificate subject, RFC 4514 form. */
  readonly subject: string;
  readonly country?: string;
  readonly stateOrProvince?: string;
  /** Subject of the IACA the DS chains to. */
  readonly iaca: string;
  /** The DS certificate (DER). */
  readonly certificate: Uint8Array;
}

/** Data elements: namespace → element identifier → value (null-prototype records). */
export type MdocElements = Readonly<Record<string, Readonly<Record<string, CborValue>>>>;

/** A verified IssuerSigned (issuer data only). */
export interface VerifiedIssuerSigned {
  readonly docType: string;
  /** The disclosed issuer-signed elements, all digest-checked. */
  readonly nameSpaces: MdocElements;
  readonly issuer: MdocIssuer;
  readonly validity: MsoValidity;
  readonly deviceKey: PublicJwk;
  readonly status?: MsoStatusReference;
}

/** A verified Document of a DeviceResponse. */
export interface VerifiedMdoc extends VerifiedIssuerSigned {
  /** Device-signed elements (covered by DeviceAuth, not by the issuer). */
  readonly deviceNameSpaces: MdocElements;
  readonly deviceAuth: 'signature' | 'mac';
}

/** A verified DeviceResponse. */
export interface VerifiedDeviceResponse {
  readonly version: string;
  readonly documents: readonly VerifiedMdoc[];
}

function malformed(message: string, field?: string): OpenMidError {
  return new OpenMidError(
    'ERR_MDOC_MALFORMED',
    message,
    field === undefined ? undefined : { details: { field } },
  );
}

function record(): Record<string, Record<string, CborValue>> {
  return Object.create(null) as Record<string, Record<string, CborValue>>;
}

interface Clock {
  readonly now: number;
  readonly leeway: number;
}

function clockOf(policy: VerifyMdocPolicy): Clock {
  const now = policy.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isFinite(now)) throw new OpenMidError('ERR_INPUT_INVALID', 'now must be a number');
  return { now, leeway: resolveLeeway(policy.leeway) };
}

/** Steps 2–7 for one parsed IssuerSigned (status excluded). */
async function checkIssuerSigned(
  parsed: ParsedIssuerSigned,
  docType: string | undefined,
  policy: VerifyMdocPolicy,
  clock: Clock,
): Promise<{ verified: VerifiedIssuerSigned; mso: MobileSecurityObject }> {
  const crypto = policy.crypto ?? defaultCrypto();
  const { issuerAuth } = parsed;
  // Step 2: the DS certificate chains to a trusted IACA (time checked below).
  const signer = await policy.trust.documentSigner(x5chain(issuerAuth));
  // Step 3: the MSO signature.
  try {
    await verifySign1(issuerAuth, signer.verifier);
  } catch (e) {
    if (isOpenMidError(e, 'ERR_COSE_SIGNATURE_INVALID'))
      throw new OpenMidError('ERR_MDOC_ISSUER_AUTH_INVALID', 'IssuerAuth does not verify', {
        cause: e,
      });
    throw e;
  }
  // Only now is the MSO authentic enough to be interpreted.
  const mso = readMso(parsed);
  // Step 4: docType consistency.
  if (docType !== undefined && mso.docType !== docType)
    throw new OpenMidError(
      'ERR_MDOC_DOCTYPE_MISMATCH',
      'The MSO docType differs from the document',
    );
  if (policy.docTypes !== undefined && !policy.docTypes.includes(mso.docType))
    throw new OpenMidError('ERR_MDOC_DOCTYPE_MISMATCH', 'The docType is not accepted');
  // Step 5: every disclosed element against its digest.
  const hash = MSO_DIGEST_ALGS[mso.digestAlgorithm] as 'sha-256' | 'sha-384' | 'sha-512';
  const nameSpaces = record();
  for (const [ns, items] of parsed.nameSpaces) {
    const digests = mso.valueDigests.get(ns);
    const out: Record<string, CborValue> = Object.create(null);
    const seenIds = new Set<number>();
    for (const item of items) {
      // Built only when an error is thrown: this loop runs for every disclosed element.
      const details = () => ({ details: { namespace: ns, element: item.elementIdentifier } });
      if (seenIds.has(item.digestID) || Object.hasOwn(out, item.elementIdentifier))
        throw new OpenMidError(
          'ERR_MDOC_ELEMENT_DUPLICATE',
          'An element is disclosed twice',
          details(),
        );
      seenIds.add(item.digestID);
      const expected = digests?.get(item.digestID);
      if (expected === undefined)
        throw new OpenMidError(
          'ERR_MDOC_DIGEST_MISSING',
          'An element has no MSO digest',
          details(),
        );
      if (!bytesEqual(crypto.digest(hash, item.bytes.tagged), expected))
        throw new OpenMidError(
          'ERR_MDOC_DIGEST_MISMATCH',
          'An element does not match its digest',
          details(),
        );
      // `out` has no prototype, so assignment creates an own property even for `__proto__`.
      out[item.elementIdentifier] = item.elementValue;
    }
    nameSpaces[ns] = out;
  }
  // Step 6: validity (18013-5 §9.3.1 step 5) and certificate time validity (§9.3.3).
  const { now, leeway } = clock;
  const v = mso.validity;
  if (v.signed > now + leeway || v.validFrom > now + leeway)
    throw new OpenMidError('ERR_MDOC_NOT_YET_VALID', 'The MSO is not valid yet');
  if (now - leeway > v.validUntil)
    throw new OpenMidError('ERR_MDOC_EXPIRED', 'The MSO has expired');
  const ds = signer.certificate;
  if (v.signed < ds.notBefore || v.signed > ds.notAfter)
    throw new OpenMidError(
      'ERR_MDOC_VALIDITY_INVALID',
      'The MSO was signed outside the validity of its DS certificate',
    );
  if (now + leeway < signer.notBefore || now - leeway > signer.notAfter)
    throw new OpenMidError(
      'ERR_MDOC_ISSUER_UNTRUSTED',
      'A certificate of the chain is not valid now',
      {
        details: { reason: 'certificate_not_valid_now' },
      },
    );
  // Step 7: issuing_country matches the DS certificate (18013-5 §7.2.1).
  const country = (nameSpaces[MDL_NAMESPACE] as Record<string, CborValue> | undefined)?.[
    'issuing_country'
  ];
  if (country !== undefined && ds.subject.country !== undefined && country !== ds.subject.country)
    throw new OpenMidError(
      'ERR_MDOC_ISSUING_COUNTRY_MISMATCH',
      'issuing_country differs from the DS certificate',
    );
  const verified: VerifiedIssuerSigned = {
    docType: mso.docType,
    nameSpaces,
    issuer: {
      subject: ds.subject.text,
      ...(ds.subject.country === undefined ? {} : { country: ds.subject.country }),
      ...(ds.subject.stateOrProvince === undefined
        ? {}
        : { stateOrProvince: ds.subject.stateOrProvince }),
      iaca: signer.anchor.subject.text,
      certificate: ds.der,
    },
    validity: v,
    deviceKey: mso.deviceKey,
    ...(mso.status === undefined ? {} : { status: mso.status }),
  };
  return { verified, mso };
}

async function checkStatus(mso: MobileSecurityObject, policy: VerifyMdocPolicy): Promise<void> {
  if (mso.status === undefined) {
    if (policy.requireStatus === true)
      throw new OpenMidError('ERR_STATUS_REFERENCE_INVALID', 'The mdoc has no status reference');
    return;
  }
  if (policy.status === undefined) return;
  try {
    await policy.status({ status_list: { idx: mso.status.idx, uri: mso.status.uri } });
  } catch (e) {
    if (isOpenMidError(e)) throw e;
    throw new OpenMidError('ERR_STATUS_UNKNOWN', 'The status check failed', { cause: e });
  }
}

/**
 * Verify an IssuerSigned structure on its own (no DeviceAuth): what a wallet checks when it
 * receives an mdoc over OpenID4VCI, and an issuer's self-test. Same checks and codes as
 * {@link verifyDeviceResponse} steps 2–7 and 9.
 *
 * @see ISO/IEC 18013-5 §9.3.1
 */
export async function verifyIssuerSigned(
  issuerSigned: Uint8Array,
  policy: VerifyMdocPolicy,
): Promise<VerifiedIssuerSigned> {
  try {
    const clock = clockOf(policy);
    const parsed = parseIssuerSigned(decodeCbor(issuerSigned, MDOC_CBOR_LIMITS));
    const { verified, mso } = await checkIssuerSigned(parsed, undefined, policy, clock);
    await checkStatus(mso, policy);
    return verified;
  } catch (e) {
    throw asOpenMidError(e);
  }
}

function deviceNameSpacesOf(value: CborValue): { bytes: EncodedCbor; elements: MdocElements } {
  if (!(value instanceof EncodedCbor))
    throw malformed(
      'deviceSigned.nameSpaces must be DeviceNameSpacesBytes',
      'deviceSigned.nameSpaces',
    );
  const elements = record();
  // The usual case, no device-signed element: `a0`, nothing to decode.
  if (value.content.length === 1 && value.content[0] === 0xa0) return { bytes: value, elements };
  for (const [ns, items] of asMap(decodeEmbedded(value, MDOC_CBOR_LIMITS), 'DeviceNameSpaces')) {
    if (typeof ns !== 'string')
      throw malformed('A namespace must be a text string', 'DeviceNameSpaces');
    const out: Record<string, CborValue> = Object.create(null);
    for (const [id, v] of asMap(items, 'DeviceSignedItems')) {
      if (typeof id !== 'string')
        throw malformed('An element identifier must be a text string', 'DeviceSignedItems');
      defineOwn(out, id, v);
    }
    defineOwn(elements, ns, out);
  }
  return { bytes: value, elements };
}

function deviceAuthFailed(cause: unknown): OpenMidError {
  return new OpenMidError(
    'ERR_MDOC_DEVICE_AUTH_INVALID',
    'DeviceAuth does not verify over this SessionTranscript',
    { cause },
  );
}

/** Step 8: DeviceAuth over this transaction's SessionTranscript with the MSO device key. */
async function checkDeviceAuth(
  deviceAuth: ReadonlyMap<CborKey, CborValue>,
  payload: Uint8Array,
  mso: MobileSecurityObject,
  options: VerifyDeviceResponseOptions,
): Promise<'signature' | 'mac'> {
  const crypto = options.crypto ?? defaultCrypto();
  const signature = deviceAuth.get('deviceSignature');
  const mac = deviceAuth.get('deviceMac');
  if ((signature === undefined) === (mac === undefined))
    throw deviceAuthFailed(new Error('exactly one of deviceSignature and deviceMac is required'));
  if (signature !== undefined) {
    const message = parseCoseMessage(signature);
    const alg = sigAlgOf(message.alg);
    const keyAlg = mso.deviceKey.kty === 'EC' ? 'ES256' : 'EdDSA';
    if (alg !== keyAlg) throw deviceAuthFailed(new Error('alg does not fit the device key'));
    const verifier = createVerifier(await crypto.importPublicJwk(mso.deviceKey, keyAlg), {
      crypto,
    });
    // §9.1.3.6 wants the payload detached (nil). Some wallets (older @auth0/mdl) attach it; that
    // is accepted only when it is exactly this transaction's DeviceAuthenticationBytes.
    if (message.payload !== null && !bytesEqual(message.payload, payload))
      throw deviceAuthFailed(new Error('attached payload is not this DeviceAuthenticationBytes'));
    try {
      await verifySign1(
        message,
        verifier,
        message.payload === null ? { detachedPayload: payload } : {},
      );
    } catch (e) {
      throw deviceAuthFailed(e);
    }
    return 'signature';
  }
  const message = parseCoseMessage(mac as CborValue);
  if (options.readerKey === undefined)
    throw deviceAuthFailed(new Error('deviceMac needs the reader ephemeral key'));
  if (mso.deviceKey.kty !== 'EC') throw deviceAuthFailed(new Error('deviceMac needs a P-256 key'));
  const key = await deriveEMacKey({
    privateKey: options.readerKey,
    peerPublicKey: mso.deviceKey,
    sessionTranscript: options.sessionTranscript,
  });
  try {
    verifyMac0(message, key, { detachedPayload: payload });
  } catch (e) {
    throw deviceAuthFailed(e);
  } finally {
    key.fill(0);
  }
  return 'mac';
}

async function verifyDocument(
  value: CborValue,
  options: VerifyDeviceResponseOptions,
  clock: Clock,
): Promise<{ verified: VerifiedMdoc; mso: MobileSecurityObject }> {
  const doc = asMap(value, 'Document');
  const docType = text(doc, 'docType');
  const parsed = parseIssuerSigned(doc.get('issuerSigned') ?? null);
  const { verified: issuer, mso } = await checkIssuerSigned(parsed, docType, options, clock);
  const deviceSigned = asMap(doc.get('deviceSigned') ?? null, 'deviceSigned');
  const { bytes, elements } = deviceNameSpacesOf(deviceSigned.get('nameSpaces') ?? null);
  const deviceAuth = asMap(deviceSigned.get('deviceAuth') ?? null, 'deviceAuth');
  const payload = deviceAuthenticationBytes(options.sessionTranscript, docType, bytes);
  const kind = await checkDeviceAuth(deviceAuth, payload, mso, options);
  return { verified: { ...issuer, deviceNameSpaces: elements, deviceAuth: kind }, mso };
}

/**
 * Verify a DeviceResponse received for a transaction whose SessionTranscript the verifier built
 * itself (e.g. `openid4vpSessionTranscript` from its own request parameters).
 *
 * @throws OpenMidError with the code of the first failed check: CBOR codes, `ERR_MDOC_MALFORMED`,
 *   `ERR_MDOC_RESPONSE_NOT_OK`, `ERR_MDOC_ISSUER_UNTRUSTED`, `ERR_MDOC_CERTIFICATE_INVALID`,
 *   `ERR_MDOC_ISSUER_AUTH_INVALID`, `ERR_MDOC_DOCTYPE_MISMATCH`, `ERR_MDOC_DIGEST_MISSING`,
 *   `ERR_MDOC_DIGEST_MISMATCH`, `ERR_MDOC_ELEMENT_DUPLICATE`, `ERR_MDOC_NOT_YET_VALID`,
 *   `ERR_MDOC_EXPIRED`, `ERR_MDOC_VALIDITY_INVALID`, `ERR_MDOC_ISSUING_COUNTRY_MISMATCH`,
 *   `ERR_MDOC_DEVICE_AUTH_INVALID`, status codes; never anything uncoded (`ERR_INTERNAL` at worst).
 * @example
 * ```ts
 * const trust = await createTrustStore({ iacas: [iacaPem] })
 * const { documents } = await verifyDeviceResponse(bytes, {
 *   trust, docTypes: [MDL_DOCTYPE],
 *   sessionTranscript: openid4vpSessionTranscript({ clientId, nonce, responseUri }),
 * })
 * documents[0].nameSpaces['org.iso.18013.5.1'].age_over_19 // true
 * ```
 * @see ISO/IEC 18013-5 §9.3.1, §9.1.3, §8.3.2.1.2.2
 */
export async function verifyDeviceResponse(
  bytes: Uint8Array,
  options: VerifyDeviceResponseOptions,
): Promise<VerifiedDeviceResponse> {
  try {
    if (options.sessionTranscript === undefined)
      throw new OpenMidError(
        'ERR_INPUT_INVALID',
        'The SessionTranscript of this transaction is required',
      );
    const clock = clockOf(options);
    const response = asMap(
      decodeCbor(bytes, {
        ...MDOC_CBOR_LIMITS,
        maxBytes: options.maxBytes ?? MDOC_CBOR_LIMITS.maxBytes,
      }),
      'DeviceResponse',
    );
    const version = text(response, 'version');
    if (!/^1\.\d+$/.test(version)) throw malformed('Unsupported DeviceResponse version', 'version');
    const status = response.get('status');
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 0)
      throw malformed('status must be an unsigned integer', 'status');
    const documents = response.get('documents');
    if (status !== 0 || documents === undefined)
      throw new OpenMidError('ERR_MDOC_RESPONSE_NOT_OK', 'The DeviceResponse carries no document', {
        details: { status },
      });
    if (!Array.isArray(documents) || documents.length === 0)
      throw malformed('documents must be a non-empty array', 'documents');
    if (documents.length > (options.maxDocuments ?? 8))
      throw malformed('Too many documents', 'documents');
    const verified: VerifiedMdoc[] = [];
    const msos: MobileSecurityObject[] = [];
    for (const d of documents as readonly CborValue[]) {
      const { verified: v, mso } = await verifyDocument(d, options, clock);
      verified.push(v);
      msos.push(mso);
    }
    // Step 9: status last, after every cryptographic and time check of every document.
    for (const mso of msos)
      if (mso.status !== undefined || options.requireStatus === true)
        await checkStatus(mso, options);
    return { version, documents: verified };
  } catch (e) {
    throw asOpenMidError(e);
  }
}
