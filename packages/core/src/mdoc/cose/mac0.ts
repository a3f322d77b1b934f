/**
 * @module mdoc/cose/mac0
 * COSE_Mac0 (RFC 9052 §6.2, §6.3) with HMAC 256/256 (alg 5, RFC 9053 §3.1), the `deviceMac`
 * form of 18013-5 DeviceAuth (§9.1.3.5) with a detached payload. Synchronous `@noble/hashes`
 * HMAC; the tag is compared in constant time.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { OpenMidError } from '../../errors/error.js';
import { bytesEqual } from '../../internal/bytes.js';
import { encodeCbor } from '../cbor/encode.js';
import type { CborKey, CborValue } from '../cbor/types.js';
import { COSE_ALG } from './key.js';
import { COSE_HEADER, type CoseMessage } from './sign1.js';

const EMPTY = new Uint8Array(0);

/** `MAC_structure` for COSE_Mac0 (RFC 9052 §6.3). */
export function macStructure(
  protectedBytes: Uint8Array,
  payload: Uint8Array,
  externalAad: Uint8Array = EMPTY,
): Uint8Array {
  return encodeCbor(['MAC0', protectedBytes, externalAad, payload]);
}

/**
 * Create a COSE_Mac0 with HMAC 256/256 over `payload` (left out of the message when `detached`).
 *
 * @see RFC 9052 §6.2, RFC 9053 §3.1
 */
export function createMac0(
  key: Uint8Array,
  payload: Uint8Array,
  options?: { readonly detached?: boolean },
): CborValue[] {
  const protectedBytes = encodeCbor(
    new Map<CborKey, CborValue>([[COSE_HEADER.alg, COSE_ALG.HMAC256]]),
  );
  const tag = hmac(sha256, key, macStructure(protectedBytes, payload));
  return [protectedBytes, new Map(), options?.detached === true ? null : payload, tag];
}

/**
 * Verify a parsed COSE_Mac0 (alg 5 only) with `key` over the attached or detached payload.
 *
 * @throws OpenMidError `ERR_COSE_ALG_UNSUPPORTED`, `ERR_COSE_MALFORMED`,
 *   `ERR_COSE_SIGNATURE_INVALID` (the tag does not match).
 */
export function verifyMac0(
  message: CoseMessage,
  key: Uint8Array,
  options?: { readonly detachedPayload?: Uint8Array },
): void {
  if (message.alg !== COSE_ALG.HMAC256)
    throw new OpenMidError('ERR_COSE_ALG_UNSUPPORTED', 'Only HMAC 256/256 (alg 5) is supported');
  const detached = options?.detachedPayload;
  if ((message.payload === null) === (detached === undefined))
    throw new OpenMidError('ERR_COSE_MALFORMED', 'The payload must be either attached or detached');
  const payload = message.payload ?? (detached as Uint8Array);
  const expected = hmac(sha256, key, macStructure(message.protectedBytes, payload));
  if (!bytesEqual(expected, message.signature))
    throw new OpenMidError('ERR_COSE_SIGNATURE_INVALID', 'The COSE_Mac0 tag does not verify');
}
