/**
 * @module keys/keys
 * Key pairs, signers and verifiers over the crypto port. A {@link Signer} is the one abstraction
 * every issuer, holder and relying party signs through (a WebCrypto key, a KeyObject, or an HSM
 * behind the same interface); a {@link Verifier} verifies with one trusted key.
 */
import { defaultCrypto } from '../crypto/default.js';
import type {
  CryptoProvider,
  HashAlg,
  PrivateJwk,
  PrivateKeyHandle,
  PublicJwk,
  PublicKeyHandle,
  SigAlg,
} from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { b64uEncode, utf8 } from '../internal/bytes.js';
import { parsePrivateJwk, parsePublicJwk, publicPart } from './jwk.js';

/** Signs bytes with one private key. */
export interface Signer {
  readonly alg: SigAlg;
  /** The public key that verifies this signer's signatures. */
  readonly publicJwk: PublicJwk;
  /** Key identifier placed in JOSE headers, if any. */
  readonly kid?: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Verifies signatures with one trusted public key. */
export interface Verifier {
  readonly alg: SigAlg;
  readonly publicJwk: PublicJwk;
  readonly kid?: string;
  verify(data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** Common options: the crypto provider (default: the process-wide one). */
export interface CryptoOptions {
  readonly crypto?: CryptoProvider;
}

/** A generated key pair with its signer. */
export interface GeneratedKeyPair {
  readonly privateKey: PrivateKeyHandle;
  readonly publicKey: PublicKeyHandle;
  readonly publicJwk: PublicJwk;
  readonly signer: Signer;
}

/**
 * Generate a signature key pair. The private key is non-extractable unless `extractable` is set
 * (the CLI's `keygen` writes keys to files, so it asks for an extractable one).
 *
 * @example
 * ```ts
 * const { signer, publicJwk } = await generateKeyPair('ES256')
 * ```
 */
export async function generateKeyPair(
  alg: SigAlg = 'ES256',
  options?: CryptoOptions & { readonly extractable?: boolean; readonly kid?: string },
): Promise<GeneratedKeyPair> {
  const crypto = options?.crypto ?? defaultCrypto();
  const pair = await crypto.generateKeyPair(alg, { extractable: options?.extractable ?? false });
  const publicJwk = options?.kid ? { ...pair.publicKey.jwk, kid: options.kid } : pair.publicKey.jwk;
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicJwk,
    signer: createSigner(pair.privateKey, {
      crypto,
      ...(options?.kid ? { kid: options.kid } : {}),
    }),
  };
}

/** Import an untrusted public JWK (validated: type fits alg, no private members, on-curve point). */
export async function importPublicKey(
  jwk: unknown,
  options?: CryptoOptions & { readonly alg?: SigAlg },
): Promise<PublicKeyHandle> {
  const parsed = parsePublicJwk(jwk, options?.alg);
  return (options?.crypto ?? defaultCrypto()).importPublicJwk(parsed.jwk, parsed.alg);
}

/** Import a private JWK. Non-extractable unless asked. */
export async function importPrivateKey(
  jwk: unknown,
  options?: CryptoOptions & { readonly alg?: SigAlg; readonly extractable?: boolean },
): Promise<PrivateKeyHandle> {
  const parsed = parsePrivateJwk(jwk, options?.alg);
  return (options?.crypto ?? defaultCrypto()).importPrivateJwk(parsed.jwk, parsed.alg, {
    extractable: options?.extractable ?? false,
  });
}

/** Export a private key as JWK; throws `ERR_KEY_NOT_EXTRACTABLE` for non-extractable keys. */
export async function exportPrivateKey(
  key: PrivateKeyHandle,
  options?: CryptoOptions,
): Promise<PrivateJwk> {
  return (options?.crypto ?? defaultCrypto()).exportPrivateJwk(key);
}

/** A {@link Signer} over a private key handle. */
export function createSigner(
  key: PrivateKeyHandle,
  options?: CryptoOptions & { readonly kid?: string },
): Signer {
  const crypto = options?.crypto ?? defaultCrypto();
  const kid = options?.kid ?? key.publicJwk.kid;
  const publicJwk = kid ? { ...publicPart(key.publicJwk), kid } : publicPart(key.publicJwk);
  return Object.freeze({
    alg: key.alg,
    publicJwk,
    ...(kid ? { kid } : {}),
    sign: (data: Uint8Array) => crypto.sign(key, data),
  });
}

/** A {@link Verifier} over an imported public key. */
export function createVerifier(
  key: PublicKeyHandle,
  options?: CryptoOptions & { readonly kid?: string },
): Verifier {
  const crypto = options?.crypto ?? defaultCrypto();
  const kid = options?.kid ?? key.jwk.kid;
  return Object.freeze({
    alg: key.alg,
    publicJwk: key.jwk,
    ...(kid ? { kid } : {}),
    verify: (data: Uint8Array, signature: Uint8Array) => crypto.verify(key, signature, data),
  });
}

/** Import an untrusted public JWK and wrap it as a {@link Verifier}. */
export async function verifierFromJwk(
  jwk: unknown,
  options?: CryptoOptions & { readonly alg?: SigAlg },
): Promise<Verifier> {
  return createVerifier(await importPublicKey(jwk, options), options);
}

/**
 * RFC 7638 JWK thumbprint: the hash of the required members in lexicographic order, base64url.
 *
 * @see RFC 7638 §3.2 (EC: crv, kty, x, y) and RFC 8037 §2 (OKP: crv, kty, x)
 */
export function jwkThumbprint(
  jwk: PublicJwk,
  hash: HashAlg = 'sha-256',
  options?: CryptoOptions,
): string {
  const parsed = parsePublicJwk(publicPart(jwk));
  const j = parsed.jwk;
  const canonical =
    j.kty === 'EC'
      ? `{"crv":"${j.crv}","kty":"EC","x":"${j.x}","y":"${j.y as string}"}`
      : `{"crv":"${j.crv}","kty":"OKP","x":"${j.x}"}`;
  return b64uEncode((options?.crypto ?? defaultCrypto()).digest(hash, utf8(canonical)));
}

/** RFC 9278 JWK thumbprint URI, e.g. `urn:ietf:params:oauth:jwk-thumbprint:sha-256:…`. */
export function jwkThumbprintUri(jwk: PublicJwk, options?: CryptoOptions): string {
  return `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${jwkThumbprint(jwk, 'sha-256', options)}`;
}

/** Throw unless `alg` is one OpenMID signs with. */
export function assertSigAlg(alg: unknown): asserts alg is SigAlg {
  if (alg !== 'ES256' && alg !== 'EdDSA') {
    throw new OpenMidError('ERR_KEY_UNSUPPORTED', 'Unsupported signature algorithm');
  }
}
