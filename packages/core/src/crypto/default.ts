/**
 * @module crypto/default
 * The process-wide default {@link CryptoProvider}, chosen once at start-up (WebCrypto unless a
 * server installs `@openmid/core/node`). Every API also takes an explicit `crypto` option.
 */
import type { CryptoProvider } from './provider.js';
import { webCryptoProvider } from './webcrypto.js';

let current: CryptoProvider = webCryptoProvider;

/** The provider used when an API call does not pass one. */
export function defaultCrypto(): CryptoProvider {
  return current;
}

/** Install the process-wide provider (call once at start-up). Returns the previous one. */
export function setDefaultCrypto(provider: CryptoProvider): CryptoProvider {
  const previous = current;
  current = provider;
  return previous;
}
