/**
 * @module @openmid/ledger/http
 * The trust ledger over HTTP: a {@link TrustLedger} client of a trust-ledger node
 * (`createHttpLedger`), the one-call verified snapshot refresh for wallets and verifiers
 * (`fetchTrustSnapshot`), and the node's API paths and JSON shapes (`LEDGER_PATHS`, `LedgerInfo`,
 * …), which the node (`apps/ledger`) serves. Isomorphic: `fetch` only.
 */
export {
  createHttpLedger,
  type FetchedSnapshot,
  type FetchLike,
  type FetchSnapshotOptions,
  fetchTrustSnapshot,
  type HeadRef,
  type HttpLedger,
  type HttpLedgerOptions,
  type TransportOptions,
  type VerifiedAnswer,
  type WaitOptions,
} from './client.js';
export {
  type CosignatureSubmission,
  type ErrorJson,
  isAppendReceipt,
  isConsistencyProof,
  isEntryStatus,
  isErrorJson,
  isHex32,
  isInclusionProof,
  isLedgerInfo,
  LEDGER_PATHS,
  type LedgerInfo,
  type TreeHeadJson,
} from './wire.js';
