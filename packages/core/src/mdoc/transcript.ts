/**
 * @module mdoc/transcript
 * SessionTranscript (ISO/IEC 18013-5 §9.1.5.1): what binds DeviceAuth (and the session keys) to
 * one transaction.
 *
 * ```cddl
 * SessionTranscript = [ DeviceEngagementBytes / null, EReaderKeyBytes / null, Handover ]
 * SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript)
 * ```
 * Builders: the proximity form (QR handover = null, NFC handover), and the OpenID4VP 1.0 handovers
 * (Appendix B.2.6.1 redirect flow, B.2.6.2 Digital Credentials API):
 * ```cddl
 * OpenID4VPHandover = [ "OpenID4VPHandover", OpenID4VPHandoverInfoHash ]
 * OpenID4VPHandoverInfoHash = bstr   ; SHA-256 of OpenID4VPHandoverInfoBytes (its CBOR encoding)
 * OpenID4VPHandoverInfo = [ clientId: tstr, nonce: tstr, jwkThumbprint: bstr / null, responseUri: tstr ]
 * OpenID4VPDCAPIHandover = [ "OpenID4VPDCAPIHandover", OpenID4VPDCAPIHandoverInfoHash ]
 * OpenID4VPDCAPIHandoverInfo = [ origin: tstr, nonce: tstr, jwkThumbprint: bstr / null ]
 * ```
 * `jwkThumbprint` is the RFC 7638 SHA-256 thumbprint of the verifier's response-encryption key
 * when the response is encrypted, otherwise null.
 */
import { defaultCrypto } from '../crypto/default.js';
import { OpenMidError } from '../errors/error.js';
import type { CryptoOptions } from '../keys/keys.js';
import { decodeCbor } from './cbor/decode.js';
import { embed, encodeCbor } from './cbor/encode.js';
import { type CborValue, EncodedCbor, RawCbor } from './cbor/types.js';

/** A SessionTranscript, held as its exact encoding. */
export interface SessionTranscript {
  /** CBOR of the SessionTranscript array (what DeviceAuthentication embeds). */
  readonly bytes: Uint8Array;
  /** SessionTranscriptBytes, `#6.24(bstr .cbor SessionTranscript)` (what HKDF salts hash). */
  readonly tagged: Uint8Array;
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_MDOC_TRANSCRIPT_INVALID', message);
}

function fromArray(bytes: Uint8Array): SessionTranscript {
  return { bytes, tagged: embed(bytes).tagged };
}

/**
 * A SessionTranscript from its parts. `deviceEngagementBytes` and `eReaderKeyBytes` are the
 * tag-24 items as exchanged (embedded byte for byte), or null where the flow has none.
 *
 * @see ISO/IEC 18013-5 §9.1.5.1
 */
export function sessionTranscript(
  deviceEngagementBytes: EncodedCbor | null,
  eReaderKeyBytes: EncodedCbor | null,
  handover: CborValue,
): SessionTranscript {
  return fromArray(encodeCbor([deviceEngagementBytes, eReaderKeyBytes, handover]));
}

/**
 * Read SessionTranscriptBytes (tag 24) or the bare SessionTranscript array received from a peer,
 * keeping its bytes exactly.
 *
 * @throws OpenMidError `ERR_MDOC_TRANSCRIPT_INVALID` (not a 3-element array, wrong member types).
 */
export function sessionTranscriptFromBytes(bytes: Uint8Array): SessionTranscript {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 16, maxBytes: 65_536 });
  } catch (cause) {
    throw new OpenMidError('ERR_MDOC_TRANSCRIPT_INVALID', 'SessionTranscript is not CBOR', {
      cause,
    });
  }
  let inner = bytes;
  if (value instanceof EncodedCbor) {
    inner = value.content;
    try {
      value = decodeCbor(inner, { maxDepth: 16, maxBytes: 65_536 });
    } catch (cause) {
      throw new OpenMidError('ERR_MDOC_TRANSCRIPT_INVALID', 'SessionTranscript is not CBOR', {
        cause,
      });
    }
  }
  if (!Array.isArray(value) || value.length !== 3)
    throw invalid('SessionTranscript must be a 3-element array');
  const [de, ek] = value as readonly CborValue[];
  if (
    (de !== null && !(de instanceof EncodedCbor)) ||
    (ek !== null && !(ek instanceof EncodedCbor))
  )
    throw invalid('DeviceEngagementBytes and EReaderKeyBytes must be tag 24 or null');
  return fromArray(inner.slice());
}

/** Parameters of {@link openid4vpSessionTranscript}. */
export interface OpenId4VpHandoverParams {
  /** The `client_id` request parameter, with its prefix (e.g. `x509_san_dns:rp.example`). */
  readonly clientId: string;
  readonly nonce: string;
  /** The `response_uri` (or `redirect_uri`) request parameter. */
  readonly responseUri: string;
  /** RFC 7638 SHA-256 thumbprint (32 raw bytes) of the response-encryption key, when encrypted. */
  readonly jwkThumbprint?: Uint8Array | null;
}

function thumbprint(value: Uint8Array | null | undefined): Uint8Array | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Uint8Array) || value.length !== 32)
    throw new OpenMidError('ERR_INPUT_INVALID', 'jwkThumbprint must be 32 bytes (SHA-256)');
  return value;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new OpenMidError('ERR_INPUT_INVALID', `${name} must be a non-empty string`);
  return value;
}

/**
 * The SessionTranscript of an OpenID4VP 1.0 presentation over redirects (direct_post or
 * direct_post.jwt): `[null, null, ["OpenID4VPHandover", SHA-256(OpenID4VPHandoverInfoBytes)]]`.
 * Wallet and verifier build it from the same request parameters, so a DeviceResponse made for
 * one request never verifies for another.
 *
 * @see OpenID4VP 1.0 Appendix B.2.6.1
 */
export function openid4vpSessionTranscript(
  params: OpenId4VpHandoverParams,
  options?: CryptoOptions,
): SessionTranscript {
  const info = encodeCbor([
    nonEmpty(params.clientId, 'clientId'),
    nonEmpty(params.nonce, 'nonce'),
    thumbprint(params.jwkThumbprint),
    nonEmpty(params.responseUri, 'responseUri'),
  ]);
  const hash = (options?.crypto ?? defaultCrypto()).digest('sha-256', info);
  return sessionTranscript(null, null, ['OpenID4VPHandover', hash]);
}

/** Parameters of {@link openid4vpDcApiSessionTranscript}. */
export interface OpenId4VpDcApiHandoverParams {
  /** The origin of the verifier's web page, as the browser reports it. */
  readonly origin: string;
  readonly nonce: string;
  readonly jwkThumbprint?: Uint8Array | null;
}

/**
 * The SessionTranscript of an OpenID4VP 1.0 presentation over the W3C Digital Credentials API:
 * `[null, null, ["OpenID4VPDCAPIHandover", SHA-256(OpenID4VPDCAPIHandoverInfoBytes)]]`.
 *
 * @see OpenID4VP 1.0 Appendix B.2.6.2
 */
export function openid4vpDcApiSessionTranscript(
  params: OpenId4VpDcApiHandoverParams,
  options?: CryptoOptions,
): SessionTranscript {
  const info = encodeCbor([
    nonEmpty(params.origin, 'origin'),
    nonEmpty(params.nonce, 'nonce'),
    thumbprint(params.jwkThumbprint),
  ]);
  const hash = (options?.crypto ?? defaultCrypto()).digest('sha-256', info);
  return sessionTranscript(null, null, ['OpenID4VPDCAPIHandover', hash]);
}

/** The transcript as a CBOR value to embed (DeviceAuthentication), byte for byte. */
export function transcriptItem(transcript: SessionTranscript): RawCbor {
  return new RawCbor(transcript.bytes);
}
