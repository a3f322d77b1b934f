/**
 * @module crypto/webcrypto
 * The default {@link CryptoProvider}: WebCrypto for keys and signatures (non-extractable private
 * keys, P1363 ECDSA signatures), `@noble/hashes` for synchronous digests (WebCrypto digests are
 * async and ≈ 50× slower for disclosure-sized inputs). Runs in browsers and in Node ≥ 20.
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { OpenMidError } from '../errors/error.js';
import { b64uEncode, utf8 } from '../internal/bytes.js';
import type {
  CryptoProvider,
  HashAlg,
  KeyPairHandles,
  PrivateJwk,
  PrivateKeyHandle,
  PrivateKeyOptions,
  PublicJwk,
  PublicKeyHandle,
  SigAlg,
} from './provider.js';

const ECDSA_P256: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
const ECDSA_SHA256: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const ED25519: Algorithm = { name: 'Ed25519' };

function keyAlgorithm(alg: SigAlg): Algorithm | EcKeyImportParams {
  return alg === 'ES256' ? ECDSA_P256 : ED25519;
}

function signAlgorithm(alg: SigAlg): Algorithm | EcdsaParams {
  return alg === 'ES256' ? ECDSA_SHA256 : ED25519;
}

/** Only the members that define the key: WebCrypto rejects mismatching `alg`/`use`/`key_ops`. */
export function canonicalPublicJwk(jwk: PublicJwk): PublicJwk {
  return jwk.kty === 'EC'
    ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y as string }
    : { kty: 'OKP', crv: jwk.crv, x: jwk.x };
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s)
    throw new OpenMidError('ERR_CRYPTO_UNSUPPORTED', 'WebCrypto (crypto.subtle) is not available');
  return s;
}

async function exportPublic(key: CryptoKey): Promise<PublicJwk> {
  return canonicalPublicJwk((await subtle().exportKey('jwk', key)) as unknown as PublicJwk);
}

/** Synchronous digest shared by every provider without a native one. */
export function nobleDigest(alg: HashAlg, data: Uint8Array): Uint8Array {
  switch (alg) {
    case 'sha-256':
      return sha256(data);
    case 'sha-384':
      return sha384(data);
    case 'sha-512':
      return sha512(data);
    default:
      throw new OpenMidError('ERR_CRYPTO_UNSUPPORTED', 'Unsupported hash algorithm');
  }
}

/** Fill `length` bytes from `crypto.getRandomValues` (65,536 bytes per call at most). */
export function webRandomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  }
  return out;
}

/** The WebCrypto provider. */
export const webCryptoProvider: CryptoProvider = Object.freeze({
  name: 'webcrypto',

  async generateKeyPair(alg: SigAlg, options?: PrivateKeyOptions): Promise<KeyPairHandles> {
    const extractable = options?.extractable ?? false;
    const pair = (await subtle().generateKey(keyAlgorithm(alg), extractable, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const jwk = await exportPublic(pair.publicKey);
    return {
      privateKey: { kind: 'private', alg, publicJwk: jwk, extractable, native: pair.privateKey },
      publicKey: { kind: 'public', alg, jwk, native: pair.publicKey },
    };
  },

  async importPublicJwk(jwk: PublicJwk, alg: SigAlg): Promise<PublicKeyHandle> {
    const canonical = canonicalPublicJwk(jwk);
    try {
      const native = await subtle().importKey(
        'jwk',
        canonical as JsonWebKey,
        keyAlgorithm(alg),
        true,
        ['verify'],
      );
      return { kind: 'public', alg, jwk: canonical, native };
    } catch (cause) {
      throw new OpenMidError(
        'ERR_KEY_INVALID',
        'The public key is not a valid point on its curve',
        { cause },
      );
    }
  },

  async importPrivateJwk(
    jwk: PrivateJwk,
    alg: SigAlg,
    options?: PrivateKeyOptions,
  ): Promise<PrivateKeyHandle> {
    const extractable = options?.extractable ?? false;
    const publicJwk = canonicalPublicJwk(jwk);
    try {
      const native = await subtle().importKey(
        'jwk',
        { ...publicJwk, d: jwk.d } as JsonWebKey,
        keyAlgorithm(alg),
        extractable,
        ['sign'],
      );
      return { kind: 'private', alg, publicJwk, extractable, native };
    } catch (cause) {
      throw new OpenMidError('ERR_KEY_INVALID', 'The private key is not valid for its curve', {
        cause,
      });
    }
  },

  async exportPrivateJwk(key: PrivateKeyHandle): Promise<PrivateJwk> {
    if (!key.extractable)
      throw new OpenMidError('ERR_KEY_NOT_EXTRACTABLE', 'The private key is non-extractable');
    const jwk = (await subtle().exportKey('jwk', key.native as CryptoKey)) as unknown as PrivateJwk;
    return { ...canonicalPublicJwk(jwk), d: jwk.d };
  },

  async sign(key: PrivateKeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(
      await subtle().sign(signAlgorithm(key.alg), key.native as CryptoKey, data as BufferSource),
    );
  },

  async verify(key: PublicKeyHandle, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
    try {
      return await subtle().verify(
        signAlgorithm(key.alg),
        key.native as CryptoKey,
        signature as BufferSource,
        data as BufferSource,
      );
    } catch {
      return false;
    }
  },

  digest: nobleDigest,
  digestB64u: (alg: HashAlg, data: Uint8Array | string): string =>
    b64uEncode(nobleDigest(alg, typeof data === 'string' ? utf8(data) : data)),
  randomBytes: webRandomBytes,
});
