/**
 * @module mdoc/cose/sign1
 * COSE_Sign1 (RFC 9052 §4.2, §4.4) with attached or detached payload, ES256 or EdDSA through the
 * crypto port, and the header rules OpenMID enforces on untrusted input (RFC 9052 §3):
 * `alg` in the protected bucket only, no label in both buckets, no `crit` (no critical header is
 * understood beyond those defined here), `x5chain` (RFC 9360 §2) a certificate or a non-empty
 * array of certificates. Also the COSE_Mac0 structure shares this parsing.
 */
import type { SigAlg } from '../../crypto/provider.js';
import { OpenMidError } from '../../errors/error.js';
import type { Signer, Verifier } from '../../keys/keys.js';
import { isWellFormedSignature } from '../../keys/signature.js';
import { decodeCbor } from '../cbor/decode.js';
import { encodeCbor } from '../cbor/encode.js';
import type { CborKey, CborValue } from '../cbor/types.js';
import { COSE_ALG } from './key.js';

/** COSE header labels used by 18013-5 (RFC 9052 §3.1, RFC 9360 §2). */
export const COSE_HEADER = { alg: 1, crit: 2, kid: 4, x5chain: 33 } as const;

const EMPTY = new Uint8Array(0);
const HEADER_LIMITS = { maxDepth: 4, maxBytes: 4096, tags: [] } as const;
/** The decoded `a1 01 26`, shared (read-only by contract: parsed headers are never written). */
const ES256_ONLY: ReadonlyMap<CborKey, CborValue> = new Map([[1, -7]]);

/** A parsed COSE_Sign1 or COSE_Mac0 (the two share their layout). */
export interface CoseMessage {
  /** The protected header bucket exactly as received (what the signature covers). */
  readonly protectedBytes: Uint8Array;
  readonly protectedHeaders: ReadonlyMap<CborKey, CborValue>;
  readonly unprotectedHeaders: ReadonlyMap<CborKey, CborValue>;
  /** The attached payload, or `null` when detached (RFC 9052 §2). */
  readonly payload: Uint8Array | null;
  /** The signature (COSE_Sign1) or tag (COSE_Mac0). */
  readonly signature: Uint8Array;
  /** The `alg` of the protected bucket. */
  readonly alg: number;
}

function malformed(message: string): OpenMidError {
  return new OpenMidError('ERR_COSE_MALFORMED', message);
}

function headerInvalid(message: string): OpenMidError {
  return new OpenMidError('ERR_COSE_HEADER_INVALID', message);
}

/** The JOSE name of a COSE signature algorithm OpenMID verifies, or undefined. */
export function sigAlgOf(alg: number): SigAlg | undefined {
  if (alg === COSE_ALG.ES256) return 'ES256';
  if (alg === COSE_ALG.EdDSA) return 'EdDSA';
  return undefined;
}

function coseAlgOf(alg: SigAlg): number {
  return alg === 'ES256' ? COSE_ALG.ES256 : COSE_ALG.EdDSA;
}

/**
 * Parse a COSE_Sign1 or COSE_Mac0 array (untagged, as 18013-5 carries them) and check its
 * header rules.
 *
 * @throws OpenMidError `ERR_COSE_MALFORMED` (not a 4-element array of the right types),
 *   `ERR_COSE_HEADER_INVALID` (alg missing or not protected, duplicate label, crit, bad x5chain),
 *   or a CBOR code for a malformed protected bucket.
 * @see RFC 9052 §3, §4.2, §6.2
 */
export function parseCoseMessage(value: CborValue): CoseMessage {
  if (!Array.isArray(value) || value.length !== 4) throw malformed('Not a 4-element COSE array');
  const [protectedBytes, unprotected, payload, signature] = value as readonly CborValue[];
  if (!(protectedBytes instanceof Uint8Array))
    throw malformed('The protected bucket is not a bstr');
  if (!(unprotected instanceof Map)) throw malformed('The unprotected bucket is not a map');
  if (payload !== null && !(payload instanceof Uint8Array))
    throw malformed('The payload is neither a bstr nor nil');
  if (!(signature instanceof Uint8Array)) throw malformed('The signature is not a bstr');
  let protectedHeaders: ReadonlyMap<CborKey, CborValue>;
  if (protectedBytes.length === 0) protectedHeaders = new Map();
  else if (
    protectedBytes.length === 3 &&
    protectedBytes[0] === 0xa1 &&
    protectedBytes[1] === 0x01 &&
    protectedBytes[2] === 0x26
  ) {
    // `{1: -7}` (alg ES256), the protected bucket of nearly every 18013-5 signature.
    protectedHeaders = ES256_ONLY;
  } else {
    const decoded = decodeCbor(protectedBytes, HEADER_LIMITS);
    if (!(decoded instanceof Map)) throw headerInvalid('The protected bucket is not a map');
    protectedHeaders = decoded as ReadonlyMap<CborKey, CborValue>;
  }
  const unprotectedHeaders = unprotected as ReadonlyMap<CborKey, CborValue>;
  for (const label of unprotectedHeaders.keys()) {
    if (protectedHeaders.has(label))
      throw headerInvalid('A header label appears in both buckets (RFC 9052 §3)');
  }
  if (protectedHeaders.has(COSE_HEADER.crit) || unprotectedHeaders.has(COSE_HEADER.crit))
    throw headerInvalid('Critical headers are not supported');
  const alg = protectedHeaders.get(COSE_HEADER.alg);
  if (typeof alg !== 'number' || !Number.isInteger(alg))
    throw headerInvalid('alg must be an integer in the protected bucket');
  const x5 =
    protectedHeaders.get(COSE_HEADER.x5chain) ?? unprotectedHeaders.get(COSE_HEADER.x5chain);
  if (x5 !== undefined) x5chainOf(x5);
  return {
    protectedBytes,
    protectedHeaders,
    unprotectedHeaders,
    payload: payload as Uint8Array | null,
    signature,
    alg,
  };
}

function x5chainOf(x5: CborValue): Uint8Array[] {
  if (x5 instanceof Uint8Array && x5.length > 0) return [x5];
  if (
    Array.isArray(x5) &&
    x5.length > 0 &&
    x5.every((c) => c instanceof Uint8Array && c.length > 0)
  )
    return [...(x5 as Uint8Array[])];
  throw headerInvalid('x5chain must be a certificate or a non-empty array of certificates');
}

/** The `x5chain` of a message (leaf first), or an empty array when it has none (RFC 9360 §2). */
export function x5chain(message: CoseMessage): Uint8Array[] {
  const x5 =
    message.protectedHeaders.get(COSE_HEADER.x5chain) ??
    message.unprotectedHeaders.get(COSE_HEADER.x5chain);
  return x5 === undefined ? [] : x5chainOf(x5);
}

/** CBOR of `["Signature1", …` up to the protected bucket: an array of 4 and the context string. */
const SIGNATURE1_PREFIX = encodeCbor(['Signature1']).subarray(1);

/** Size of the CBOR head of a byte string of `length` bytes (preferred serialization). */
function bstrHeadSize(length: number): number {
  return length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}

/** Write the head of a byte string of `length` bytes at `o`; returns the new offset. */
function writeBstrHead(out: Uint8Array, o: number, length: number): number {
  if (length < 24) out[o++] = 0x40 | length;
  else if (length < 0x100) {
    out[o++] = 0x58;
    out[o++] = length;
  } else if (length < 0x10000) {
    out[o++] = 0x59;
    out[o++] = length >> 8;
    out[o++] = length & 0xff;
  } else {
    out[o++] = 0x5a;
    out[o++] = length >>> 24;
    out[o++] = (length >> 16) & 0xff;
    out[o++] = (length >> 8) & 0xff;
    out[o++] = length & 0xff;
  }
  return o;
}

/** The CBOR head of a byte string of `length` bytes (preferred serialization). */
export function bstrHead(length: number): Uint8Array {
  const out = new Uint8Array(bstrHeadSize(length));
  writeBstrHead(out, 0, length);
  return out;
}

/**
 * `Sig_structure` for COSE_Sign1 (RFC 9052 §4.4): `["Signature1", protected, external_aad,
 * payload]`, written directly into one buffer of the exact size (it is built on every
 * verification, over payloads of a kilobyte or more).
 */
export function sigStructure(
  protectedBytes: Uint8Array,
  payload: Uint8Array,
  externalAad: Uint8Array = EMPTY,
): Uint8Array {
  const out = new Uint8Array(
    1 +
      SIGNATURE1_PREFIX.length +
      bstrHeadSize(protectedBytes.length) +
      protectedBytes.length +
      bstrHeadSize(externalAad.length) +
      externalAad.length +
      bstrHeadSize(payload.length) +
      payload.length,
  );
  out[0] = 0x84;
  out.set(SIGNATURE1_PREFIX, 1);
  let o = 1 + SIGNATURE1_PREFIX.length;
  o = writeBstrHead(out, o, protectedBytes.length);
  out.set(protectedBytes, o);
  o += protectedBytes.length;
  o = writeBstrHead(out, o, externalAad.length);
  out.set(externalAad, o);
  o += externalAad.length;
  o = writeBstrHead(out, o, payload.length);
  out.set(payload, o);
  return out;
}

/** Options of {@link signSign1}. */
export interface SignSign1Options {
  readonly signer: Signer;
  /** The payload: attached, or detached when `detached` is set. */
  readonly payload: Uint8Array;
  /** Leave the payload out of the message (nil), as DeviceSignature does (18013-5 §9.1.3.6). */
  readonly detached?: boolean;
  /** Unprotected headers, e.g. `new Map([[33, dsCertificate]])` (18013-5 §9.1.2.4). */
  readonly unprotectedHeaders?: ReadonlyMap<CborKey, CborValue>;
  readonly externalAad?: Uint8Array;
}

/**
 * Create a COSE_Sign1 with `{1: alg}` as the only protected header, as 18013-5 IssuerAuth and
 * DeviceSignature use. Returns the message as a CBOR value (an array), ready to embed.
 *
 * @see RFC 9052 §4.2, §4.4
 */
export async function signSign1(options: SignSign1Options): Promise<CborValue[]> {
  const protectedBytes = encodeCbor(
    new Map<CborKey, CborValue>([[COSE_HEADER.alg, coseAlgOf(options.signer.alg)]]),
  );
  const toSign = sigStructure(protectedBytes, options.payload, options.externalAad);
  const signature = await options.signer.sign(toSign);
  return [
    protectedBytes,
    new Map(options.unprotectedHeaders ?? []),
    options.detached === true ? null : options.payload,
    signature,
  ];
}

/** Options of {@link verifySign1}. */
export interface VerifySign1Options {
  /** The payload when the message carries none (detached). */
  readonly detachedPayload?: Uint8Array;
  readonly externalAad?: Uint8Array;
}

/**
 * Verify a parsed COSE_Sign1 with a trusted key: the header `alg` must be the key's algorithm
 * (the key decides, never the message), the signature well-formed, and it must verify over the
 * `Sig_structure` of the attached or the detached payload (never both, never neither).
 *
 * @throws OpenMidError `ERR_COSE_ALG_UNSUPPORTED`, `ERR_COSE_MALFORMED` (payload both attached
 *   and detached, or missing), `ERR_COSE_SIGNATURE_INVALID`.
 * @see RFC 9052 §4.4
 */
export async function verifySign1(
  message: CoseMessage,
  key: Verifier,
  options?: VerifySign1Options,
): Promise<void> {
  const alg = sigAlgOf(message.alg);
  if (alg === undefined || alg !== key.alg)
    throw new OpenMidError('ERR_COSE_ALG_UNSUPPORTED', 'The COSE alg does not fit the key');
  const detached = options?.detachedPayload;
  if ((message.payload === null) === (detached === undefined))
    throw malformed('The payload must be either attached or detached');
  const payload = message.payload ?? (detached as Uint8Array);
  if (!isWellFormedSignature(alg, message.signature))
    throw new OpenMidError('ERR_COSE_SIGNATURE_INVALID', 'The COSE signature is malformed');
  const ok = await key.verify(
    sigStructure(message.protectedBytes, payload, options?.externalAad),
    message.signature,
  );
  if (!ok)
    throw new OpenMidError('ERR_COSE_SIGNATURE_INVALID', 'The COSE signature does not verify');
}
