/**
 * @module crypto/provider
 * The crypto port. The core never calls a crypto API directly: it goes through a
 * {@link CryptoProvider}, chosen once at start-up. The default is WebCrypto (browsers, Node);
 * servers install the faster `node:crypto` adapter from `@openmid/core/node`.
 *
 * Measured on our machines (issue 2): ES256 verify ≈ 13.9k/s with node:crypto KeyObjects vs
 * ≈ 10.8k/s through crypto.subtle; SHA-256 of a disclosure ≈ 0.3 µs one-shot vs ≈ 16 µs through
 * crypto.subtle.digest. Hence digests are synchronous in the port.
 */

/** JWS signature algorithms OpenMID signs and verifies with (RFC 7518 §3.4, RFC 8037 §3.1). */
export type SigAlg = 'ES256' | 'EdDSA';

/** All signature algorithms OpenMID knows, in preference order. */
export const SIG_ALGS: readonly SigAlg[] = Object.freeze(['ES256', 'EdDSA'] as const);

/** Hash algorithms by their IANA "Named Information Hash Algorithm" names (used by `_sd_alg`). */
export type HashAlg = 'sha-256' | 'sha-384' | 'sha-512';

/** A public JWK of a signature key (RFC 7517); only the members OpenMID uses are typed. */
export interface PublicJwk {
  readonly kty: 'EC' | 'OKP';
  readonly crv: 'P-256' | 'Ed25519';
  readonly x: string;
  readonly y?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly key_ops?: readonly string[];
}

/** A private JWK: a {@link PublicJwk} plus the private scalar `d`. */
export interface PrivateJwk extends PublicJwk {
  readonly d: string;
}

/** A public key imported into a provider. `native` is provider-specific (CryptoKey, KeyObject). */
export interface PublicKeyHandle {
  readonly kind: 'public';
  readonly alg: SigAlg;
  readonly jwk: PublicJwk;
  readonly native: unknown;
}

/** A private key held by a provider. Non-extractable unless created with `extractable: true`. */
export interface PrivateKeyHandle {
  readonly kind: 'private';
  readonly alg: SigAlg;
  /** The matching public key as a JWK (always available). */
  readonly publicJwk: PublicJwk;
  readonly extractable: boolean;
  readonly native: unknown;
}

/** A generated key pair. */
export interface KeyPairHandles {
  readonly privateKey: PrivateKeyHandle;
  readonly publicKey: PublicKeyHandle;
}

/** Options for creating or importing a private key. */
export interface PrivateKeyOptions {
  /** Allow exporting the private key later (default false: SECURITY.md "Wallet"). */
  readonly extractable?: boolean;
}

/**
 * The crypto port. Implementations: WebCrypto (default, isomorphic) and node:crypto
 * (`@openmid/core/node`). All inputs are already validated JWKs of the right kty/crv for `alg`.
 */
export interface CryptoProvider {
  readonly name: string;
  generateKeyPair(alg: SigAlg, options?: PrivateKeyOptions): Promise<KeyPairHandles>;
  importPublicJwk(jwk: PublicJwk, alg: SigAlg): Promise<PublicKeyHandle>;
  importPrivateJwk(
    jwk: PrivateJwk,
    alg: SigAlg,
    options?: PrivateKeyOptions,
  ): Promise<PrivateKeyHandle>;
  /** Export a private key; throws `ERR_KEY_NOT_EXTRACTABLE` for non-extractable keys. */
  exportPrivateJwk(key: PrivateKeyHandle): Promise<PrivateJwk>;
  /** Sign; ECDSA signatures are IEEE P1363 (r ‖ s), as JWS requires (RFC 7518 §3.4). */
  sign(key: PrivateKeyHandle, data: Uint8Array): Promise<Uint8Array>;
  /** Verify; returns false (never throws) for a well-formed but wrong signature. */
  verify(key: PublicKeyHandle, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
  /** Synchronous digest. */
  digest(alg: HashAlg, data: Uint8Array): Uint8Array;
  /**
   * Synchronous digest as unpadded base64url, the form SD-JWT digests and `sd_hash` take
   * (RFC 9901 §4.2.3). A string is hashed as its UTF-8 bytes. One native call on node:crypto,
   * which keeps the per-Disclosure cost of verification at a fraction of a microsecond.
   */
  digestB64u(alg: HashAlg, data: Uint8Array | string): string;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
}
