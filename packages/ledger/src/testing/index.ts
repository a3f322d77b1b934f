/**
 * @module @openmid/ledger/testing
 * The TrustLedger conformance suite and fixtures, shared by every backend's tests. Imports vitest:
 * never import this subpath from production code.
 */
export {
  type HarnessFactory,
  hasCode,
  type LedgerHarness,
  runLedgerConformance,
} from './conformance.js';
export {
  type AgencyKey,
  createIssuerFixture,
  createLedgerFixtures,
  genesisEntry,
  type IssuerFixture,
  issuerKeyOf,
  issuerProfile,
  type LedgerFixtures,
  minimalJwk,
  rpProfile,
  signedBy,
} from './fixtures.js';
