/**
 * @module @openmid/ledger/embedded
 * The embedded trust-ledger backend: an RFC 9162 Merkle log in the server-kit SQL store (PGlite
 * or PostgreSQL). Node only.
 */
export {
  type EmbeddedLedger,
  type EmbeddedLedgerOptions,
  openEmbeddedLedger,
} from './ledger.js';
export { LEDGER_MIGRATIONS } from './schema.js';
