/**
 * @module @openmid/core
 * The OpenMID credential engine: pure and isomorphic (Node ≥ 20 and browsers). Crypto goes through
 * a port (WebCrypto by default; `@openmid/core/node` for servers). Each area is also its own
 * subpath: `./keys`, `./jose`, `./sd-jwt`, `./sd-jwt-vc`, `./status-list`, `./errors`.
 */
export * from './crypto/index.js';
export * from './errors/index.js';
export * from './jose/index.js';
export * from './keys/index.js';
export * from './sd-jwt/index.js';
export * from './sd-jwt-vc/index.js';
export * from './status-list/index.js';
