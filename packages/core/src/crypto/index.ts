/**
 * @module crypto
 * The crypto port and its WebCrypto implementation.
 */
export { defaultCrypto, setDefaultCrypto } from './default.js';
export type {
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
export { SIG_ALGS } from './provider.js';
export { webCryptoProvider } from './webcrypto.js';
