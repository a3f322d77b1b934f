/**
 * @module mdoc/engagement
 * Device engagement (ISO/IEC 18013-5 §8.2.1.1): what the holder's phone shows as a QR code to
 * start an in-person transaction — the protocol version, the cipher suite with the ephemeral
 * device key (EDeviceKey), and how the reader can reach the device. The QR code carries
 * `mdoc:` followed by the base64url of the DeviceEngagement CBOR (§8.2.2.3), and the bytes are
 * embedded unchanged as DeviceEngagementBytes in the SessionTranscript.
 *
 * ```cddl
 * DeviceEngagement = { 0: tstr, 1: Security, ? 2: DeviceRetrievalMethods, ? 3: ServerRetrievalMethods,
 *                      ? 4: ProtocolInfo, * int => any }
 * Security = [ cipherSuiteIdentifier: 1, EDeviceKeyBytes ]
 * DeviceRetrievalMethod = [ type: uint, version: uint, RetrievalOptions ]   ; 1 NFC, 2 BLE, 3 Wi-Fi Aware
 * ```
 * OpenMID's in-person path (ADR 006) puts its own retrieval method, an HTTPS relay, under a
 * private `type` in the same list; readers that do not know it ignore it.
 */
import type { PublicJwk } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { b64uDecode, b64uEncode } from '../internal/bytes.js';
import { decodeCbor } from './cbor/decode.js';
import { embed, encodeCbor } from './cbor/encode.js';
import { type CborKey, type CborValue, EncodedCbor, isCborMap } from './cbor/types.js';
import { coseKeyToJwk } from './cose/key.js';

/** The only cipher suite of 18013-5 (§9.1.5.2): ECDH P-256 etc., AES-256-GCM, HKDF-SHA-256. */
export const CIPHER_SUITE_1 = 1;

/** URI scheme of a QR device engagement (18013-5 §8.2.2.3). */
export const ENGAGEMENT_URI_PREFIX = 'mdoc:';

/** A parsed DeviceEngagement. */
export interface DeviceEngagement {
  readonly version: string;
  /** EDeviceKey, the mdoc's ephemeral session key. */
  readonly eDeviceKey: PublicJwk;
  /** EDeviceKeyBytes as received. */
  readonly eDeviceKeyBytes: EncodedCbor;
  /** DeviceRetrievalMethods (each `[type, version, options]`), uninterpreted. */
  readonly retrievalMethods: readonly CborValue[];
  /** DeviceEngagementBytes: the engagement wrapped in tag 24, byte for byte (for the transcript). */
  readonly bytes: EncodedCbor;
}

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_MDOC_ENGAGEMENT_INVALID', message);
}

/** Options of {@link encodeDeviceEngagement}. */
export interface EncodeDeviceEngagementOptions {
  /** EDeviceKeyBytes (`EphemeralKey.publicKeyBytes`). */
  readonly eDeviceKeyBytes: EncodedCbor;
  /** DeviceRetrievalMethods, `[type, version, options]` each. */
  readonly retrievalMethods?: readonly CborValue[];
}

/** Encode a DeviceEngagement (version 1.0). */
export function encodeDeviceEngagement(options: EncodeDeviceEngagementOptions): Uint8Array {
  const map = new Map<CborKey, CborValue>([
    [0, '1.0'],
    [1, [CIPHER_SUITE_1, options.eDeviceKeyBytes]],
  ]);
  if (options.retrievalMethods !== undefined && options.retrievalMethods.length > 0)
    map.set(2, [...options.retrievalMethods]);
  return encodeCbor(map);
}

/**
 * Parse a DeviceEngagement received from a QR code or NFC.
 *
 * @throws OpenMidError `ERR_MDOC_ENGAGEMENT_INVALID` (not a map, version not 1.x, cipher suite not
 *   1, EDeviceKey missing or not a P-256 COSE_Key, malformed retrieval methods).
 * @see ISO/IEC 18013-5 §8.2.1.1
 */
export function parseDeviceEngagement(bytes: Uint8Array): DeviceEngagement {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 8, maxBytes: 8192 });
  } catch (cause) {
    throw new OpenMidError('ERR_MDOC_ENGAGEMENT_INVALID', 'DeviceEngagement is not CBOR', {
      cause,
    });
  }
  if (!isCborMap(value)) throw invalid('DeviceEngagement must be a map');
  const version = value.get(0);
  if (typeof version !== 'string' || !/^1\.\d+$/.test(version))
    throw invalid('Unsupported DeviceEngagement version');
  const security = value.get(1);
  if (!Array.isArray(security) || security.length < 2)
    throw invalid('Security must be [cipherSuite, EDeviceKeyBytes]');
  if (security[0] !== CIPHER_SUITE_1) throw invalid('Unsupported cipher suite');
  const keyBytes = security[1];
  if (!(keyBytes instanceof EncodedCbor)) throw invalid('EDeviceKeyBytes must be tag 24');
  let eDeviceKey: PublicJwk;
  try {
    eDeviceKey = coseKeyToJwk(decodeCbor(keyBytes.content, { maxDepth: 4 }));
  } catch (cause) {
    throw new OpenMidError('ERR_MDOC_ENGAGEMENT_INVALID', 'EDeviceKey is not a COSE_Key', {
      cause,
    });
  }
  if (eDeviceKey.kty !== 'EC') throw invalid('EDeviceKey must be P-256');
  const methods = value.get(2) ?? [];
  if (!Array.isArray(methods) || !methods.every((m) => Array.isArray(m) && m.length >= 3))
    throw invalid('DeviceRetrievalMethods must be [type, version, options] arrays');
  return {
    version,
    eDeviceKey,
    eDeviceKeyBytes: keyBytes,
    retrievalMethods: methods as readonly CborValue[],
    bytes: embed(bytes.slice()),
  };
}

/** The QR payload of a device engagement: `mdoc:` + base64url (18013-5 §8.2.2.3). */
export function deviceEngagementUri(bytes: Uint8Array): string {
  return `${ENGAGEMENT_URI_PREFIX}${b64uEncode(bytes)}`;
}

/**
 * Read the DeviceEngagement bytes out of a scanned `mdoc:` URI (parse them with
 * {@link parseDeviceEngagement}).
 *
 * @throws OpenMidError `ERR_MDOC_ENGAGEMENT_INVALID`.
 */
export function deviceEngagementFromUri(uri: string): Uint8Array {
  if (typeof uri !== 'string' || !uri.startsWith(ENGAGEMENT_URI_PREFIX) || uri.length > 12_000)
    throw invalid('Not an mdoc: engagement URI');
  const bytes = b64uDecode(uri, ENGAGEMENT_URI_PREFIX.length);
  if (bytes === undefined) throw invalid('The engagement URI is not base64url');
  return bytes;
}
