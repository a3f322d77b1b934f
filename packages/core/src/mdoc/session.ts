/**
 * @module mdoc/session
 * Session encryption between an mdoc and an mdoc reader (ISO/IEC 18013-5 §9.1.1), isomorphic
 * through WebCrypto (ECDH P-256, AES-256-GCM) and `@noble/hashes` (HKDF-SHA-256, HMAC):
 *
 * - both sides hold an ephemeral P-256 key (EDeviceKey in the DeviceEngagement, EReaderKey in
 *   SessionEstablishment); ECDH gives the shared secret Z (its x-coordinate, 32 bytes);
 * - SKReader / SKDevice = HKDF-SHA-256(IKM = Z, salt = SHA-256(SessionTranscriptBytes),
 *   info = "SKReader" / "SKDevice", L = 32) (§9.1.1.5);
 * - messages are AES-256-GCM with a 128-bit tag and no AAD; the 12-byte IV is an 8-byte
 *   identifier (all zero for the reader, 0…01 for the mdoc) ‖ a 4-byte big-endian counter that
 *   starts at 1 and grows by one per message in that direction (§9.1.1.5), so a replayed,
 *   reordered or reflected message fails to decrypt;
 * - EMacKey = HKDF-SHA-256(ECDH(SDeviceKey, EReaderKey), same salt, "EMacKey") for `deviceMac`
 *   DeviceAuth (§9.1.3.5).
 *
 * Private keys are non-extractable CryptoKeys; derived keys are imported non-extractable and the
 * intermediate secret bytes are zeroed.
 *
 * ```cddl
 * SessionEstablishment = { "eReaderKey": EReaderKeyBytes, "data": bstr }
 * SessionData = { ? "data": bstr, ? "status": uint }   ; status 10, 11, 20 (session termination)
 * ```
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { PrivateJwk, PublicJwk } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { utf8 } from '../internal/bytes.js';
import { decodeCbor } from './cbor/decode.js';
import { encodeCbor, encodeEmbedded } from './cbor/encode.js';
import { type CborKey, type CborValue, EncodedCbor, isCborMap } from './cbor/types.js';
import { coseKeyToJwk, jwkToCoseKey } from './cose/key.js';
import type { SessionTranscript } from './transcript.js';

/** SessionData status codes (18013-5 §9.1.1.4, Table 20). */
export const SESSION_STATUS = {
  /** Error: session encryption. */
  encryptionError: 10,
  /** Error: CBOR decoding. */
  decodingError: 11,
  /** Session termination. */
  terminated: 20,
} as const;

/** An ephemeral ECDH key pair (EDeviceKey or EReaderKey). */
export interface EphemeralKey {
  /** Non-extractable ECDH P-256 private key. */
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
  /** The public key as `#6.24(bstr .cbor COSE_Key)` (EDeviceKeyBytes / EReaderKeyBytes). */
  readonly publicKeyBytes: EncodedCbor;
}

const ECDH: EcKeyImportParams = { name: 'ECDH', namedCurve: 'P-256' };

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new OpenMidError('ERR_CRYPTO_UNSUPPORTED', 'WebCrypto is not available');
  return s;
}

function ephemeral(privateKey: CryptoKey, publicJwk: PublicJwk): EphemeralKey {
  return { privateKey, publicJwk, publicKeyBytes: encodeEmbedded(jwkToCoseKey(publicJwk)) };
}

/**
 * Generate an ephemeral P-256 key for one session (non-extractable private key).
 *
 * @see ISO/IEC 18013-5 §9.1.1.4
 */
export async function generateEphemeralKey(): Promise<EphemeralKey> {
  const pair = (await subtle().generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const jwk = (await subtle().exportKey('jwk', pair.publicKey)) as JsonWebKey;
  return ephemeral(pair.privateKey, {
    kty: 'EC',
    crv: 'P-256',
    x: jwk.x as string,
    y: jwk.y as string,
  });
}

/** Import an ephemeral private key given as a JWK with `d` (test vectors, e.g. Annex D). */
export async function importEphemeralKey(jwk: PrivateJwk): Promise<EphemeralKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256')
    throw new OpenMidError('ERR_COSE_KEY_INVALID', 'Ephemeral keys are P-256');
  try {
    const privateKey = await subtle().importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d },
      ECDH,
      false,
      ['deriveBits'],
    );
    return ephemeral(privateKey, { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y as string });
  } catch (cause) {
    throw new OpenMidError('ERR_COSE_KEY_INVALID', 'Invalid ephemeral private key', { cause });
  }
}

/** The peer's public key from a COSE_Key, its tag-24 bytes, or a JWK. */
export function peerJwk(key: PublicJwk | EncodedCbor | CborValue): PublicJwk {
  if (key instanceof EncodedCbor) return coseKeyToJwk(decodeCbor(key.content, { maxDepth: 4 }));
  if (isCborMap(key)) return coseKeyToJwk(key);
  const jwk = key as PublicJwk;
  if (
    jwk?.kty !== 'EC' ||
    jwk.crv !== 'P-256' ||
    typeof jwk.x !== 'string' ||
    typeof jwk.y !== 'string'
  )
    throw new OpenMidError('ERR_COSE_KEY_INVALID', 'Session keys are P-256');
  return jwk;
}

/** ECDH shared secret Z (32 bytes), checking that the peer key is a valid P-256 point. */
async function sharedSecret(privateKey: CryptoKey, peer: PublicJwk): Promise<Uint8Array> {
  let publicKey: CryptoKey;
  try {
    publicKey = await subtle().importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: peer.x, y: peer.y },
      ECDH,
      true,
      [],
    );
  } catch (cause) {
    throw new OpenMidError('ERR_COSE_KEY_INVALID', 'The peer key is not a P-256 point', { cause });
  }
  return new Uint8Array(
    await subtle().deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256),
  );
}

function salt(transcript: SessionTranscript): Uint8Array {
  return sha256(transcript.tagged);
}

async function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  try {
    return await subtle().importKey('raw', raw as BufferSource, { name: 'AES-GCM' }, false, [
      'encrypt',
      'decrypt',
    ]);
  } finally {
    raw.fill(0);
  }
}

/** Inputs of a key derivation: own private key, the peer's public key, the transcript. */
export interface SessionKeyInput {
  readonly privateKey: CryptoKey;
  readonly peerPublicKey: PublicJwk | EncodedCbor | CborValue;
  readonly sessionTranscript: SessionTranscript;
}

/** The two session keys (non-extractable AES-256-GCM). */
export interface SessionKeys {
  readonly skReader: CryptoKey;
  readonly skDevice: CryptoKey;
}

/**
 * Derive SKReader and SKDevice (18013-5 §9.1.1.5). Either side derives the same keys: the reader
 * with EReaderKey.priv and EDeviceKey.pub, the mdoc with EDeviceKey.priv and EReaderKey.pub.
 *
 * @throws OpenMidError `ERR_COSE_KEY_INVALID` for a peer key that is not a P-256 point.
 */
export async function deriveSessionKeys(input: SessionKeyInput): Promise<SessionKeys> {
  const z = await sharedSecret(input.privateKey, peerJwk(input.peerPublicKey));
  const s = salt(input.sessionTranscript);
  try {
    return {
      skReader: await aesKey(hkdf(sha256, z, s, utf8('SKReader'), 32)),
      skDevice: await aesKey(hkdf(sha256, z, s, utf8('SKDevice'), 32)),
    };
  } finally {
    z.fill(0);
  }
}

/**
 * Derive EMacKey, the HMAC key of a `deviceMac` (18013-5 §9.1.3.5): the mdoc with SDeviceKey.priv
 * and EReaderKey.pub, the reader with EReaderKey.priv and SDeviceKey.pub (the MSO device key).
 */
export async function deriveEMacKey(input: SessionKeyInput): Promise<Uint8Array> {
  const z = await sharedSecret(input.privateKey, peerJwk(input.peerPublicKey));
  try {
    return hkdf(sha256, z, salt(input.sessionTranscript), utf8('EMacKey'), 32);
  } finally {
    z.fill(0);
  }
}

/** Which end of the session this is. */
export type SessionRole = 'reader' | 'mdoc';

/** Encrypts outgoing and decrypts incoming session messages, with per-direction counters. */
export interface SessionCipher {
  readonly role: SessionRole;
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
}

const MAX_COUNTER = 0xffffffff;

function iv(identifier: number, counter: number): Uint8Array {
  const out = new Uint8Array(12);
  out[7] = identifier;
  new DataView(out.buffer).setUint32(8, counter);
  return out;
}

/**
 * The cipher of one end: the reader encrypts with SKReader (identifier 0) and decrypts with
 * SKDevice (identifier 1); the mdoc the other way round. A counter advances only when a message
 * decrypts, so an attacker cannot desynchronise a session by injecting garbage.
 *
 * @see ISO/IEC 18013-5 §9.1.1.5
 */
export function createSessionCipher(keys: SessionKeys, role: SessionRole): SessionCipher {
  const own = role === 'reader' ? keys.skReader : keys.skDevice;
  const peer = role === 'reader' ? keys.skDevice : keys.skReader;
  const ownId = role === 'reader' ? 0 : 1;
  let sent = 0;
  let received = 0;
  return Object.freeze({
    role,
    async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
      if (sent === MAX_COUNTER)
        throw new OpenMidError('ERR_MDOC_SESSION_TERMINATED', 'The message counter is exhausted');
      sent++;
      return new Uint8Array(
        await subtle().encrypt(
          { name: 'AES-GCM', iv: iv(ownId, sent) as BufferSource, tagLength: 128 },
          own,
          plaintext as BufferSource,
        ),
      );
    },
    async decrypt(ciphertext: Uint8Array): Promise<Uint8Array> {
      if (received === MAX_COUNTER)
        throw new OpenMidError('ERR_MDOC_SESSION_TERMINATED', 'The message counter is exhausted');
      try {
        const plain = await subtle().decrypt(
          { name: 'AES-GCM', iv: iv(1 - ownId, received + 1) as BufferSource, tagLength: 128 },
          peer,
          ciphertext as BufferSource,
        );
        received++;
        return new Uint8Array(plain);
      } catch (cause) {
        throw new OpenMidError(
          'ERR_MDOC_SESSION_DECRYPT_FAILED',
          'The session message does not decrypt',
          {
            cause,
          },
        );
      }
    },
  });
}

function sessionMalformed(message: string): OpenMidError {
  return new OpenMidError('ERR_MDOC_SESSION_MALFORMED', message);
}

function decodeMessage(bytes: Uint8Array): ReadonlyMap<CborKey, CborValue> {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 4 });
  } catch (cause) {
    throw new OpenMidError('ERR_MDOC_SESSION_MALFORMED', 'Session message is not CBOR', { cause });
  }
  if (!isCborMap(value)) throw sessionMalformed('A session message is a map');
  return value;
}

/** A decoded SessionEstablishment. */
export interface SessionEstablishment {
  /** EReaderKeyBytes exactly as sent (they go into the SessionTranscript). */
  readonly eReaderKeyBytes: EncodedCbor;
  readonly eReaderKey: PublicJwk;
  /** The encrypted DeviceRequest. */
  readonly data: Uint8Array;
}

/** Encode SessionEstablishment (18013-5 §9.1.1.4). */
export function encodeSessionEstablishment(
  eReaderKeyBytes: EncodedCbor,
  data: Uint8Array,
): Uint8Array {
  return encodeCbor(
    new Map<CborKey, CborValue>([
      ['eReaderKey', eReaderKeyBytes],
      ['data', data],
    ]),
  );
}

/**
 * Decode SessionEstablishment.
 *
 * @throws OpenMidError `ERR_MDOC_SESSION_MALFORMED`, `ERR_COSE_KEY_INVALID`.
 */
export function decodeSessionEstablishment(bytes: Uint8Array): SessionEstablishment {
  const map = decodeMessage(bytes);
  const key = map.get('eReaderKey');
  const data = map.get('data');
  if (!(key instanceof EncodedCbor)) throw sessionMalformed('eReaderKey must be EReaderKeyBytes');
  if (!(data instanceof Uint8Array)) throw sessionMalformed('data must be a bstr');
  return { eReaderKeyBytes: key, eReaderKey: peerJwk(key), data };
}

/** A decoded SessionData. */
export interface SessionData {
  readonly data?: Uint8Array;
  readonly status?: number;
}

/** Encode SessionData (18013-5 §9.1.1.4); at least one of `data` and `status`. */
export function encodeSessionData(message: SessionData): Uint8Array {
  const map = new Map<CborKey, CborValue>();
  if (message.data !== undefined) map.set('data', message.data);
  if (message.status !== undefined) map.set('status', message.status);
  if (map.size === 0)
    throw new OpenMidError('ERR_INPUT_INVALID', 'SessionData needs data or status');
  return encodeCbor(map);
}

/**
 * Decode SessionData.
 *
 * @throws OpenMidError `ERR_MDOC_SESSION_MALFORMED`.
 */
export function decodeSessionData(bytes: Uint8Array): SessionData {
  const map = decodeMessage(bytes);
  const data = map.get('data');
  const status = map.get('status');
  if (data !== undefined && !(data instanceof Uint8Array))
    throw sessionMalformed('data must be a bstr');
  if (
    status !== undefined &&
    (typeof status !== 'number' || !Number.isInteger(status) || status < 0)
  )
    throw sessionMalformed('status must be an unsigned integer');
  if (data === undefined && status === undefined) throw sessionMalformed('Empty SessionData');
  return {
    ...(data === undefined ? {} : { data }),
    ...(status === undefined ? {} : { status: status as number }),
  };
}
