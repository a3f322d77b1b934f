/**
 * @module @openmid/core/node
 * Node-only adapters for servers and the CLI. Browser code must never import this subpath.
 *
 * @example
 * ```ts
 * import { useNodeCrypto } from '@openmid/core/node'
 * useNodeCrypto() // once, at start-up
 * ```
 */
import { setDefaultCrypto } from '../crypto/default.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { nodeCryptoProvider } from './crypto.js';

export { nodeCryptoProvider } from './crypto.js';

/** Install the node:crypto provider as the process-wide default; returns it. */
export function useNodeCrypto(): CryptoProvider {
  setDefaultCrypto(nodeCryptoProvider);
  return nodeCryptoProvider;
}
