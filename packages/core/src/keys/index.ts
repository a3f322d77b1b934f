/**
 * @module @openmid/core/keys
 * Keys: generate, import and export JWKs (ES256 default, EdDSA), RFC 7638 thumbprints, and the
 * {@link Signer} / {@link Verifier} abstraction over the crypto port.
 */
export type {
  PrivateJwk,
  PrivateKeyHandle,
  PublicJwk,
  PublicKeyHandle,
  SigAlg,
} from '../crypto/provider.js';
export { algForJwk, parsePrivateJwk, parsePublicJwk, publicPart } from './jwk.js';
export {
  assertSigAlg,
  type CryptoOptions,
  createSigner,
  createVerifier,
  exportPrivateKey,
  type GeneratedKeyPair,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  jwkThumbprint,
  jwkThumbprintUri,
  type Signer,
  type Verifier,
  verifierFromJwk,
} from './keys.js';
export { isWellFormedSignature } from './signature.js';
