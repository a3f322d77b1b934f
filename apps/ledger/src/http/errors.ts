/**
 * @module http/errors
 * How the ledger's codes appear on the wire: server-kit's `errorMap` extension, one table from
 * code to HTTP status. Domain code (the ledger, its state machine) never sees HTTP. Details are
 * exposed only where they name a field or a limit (never key material or personal data: the
 * ledger holds none).
 */
import type { ErrorMap } from '@openmid/server-kit';

/** The node's additions to server-kit's DEFAULT_ERROR_MAP. */
export const LEDGER_ERROR_MAP: ErrorMap = Object.freeze({
  ERR_LEDGER_ENTRY_INVALID: { status: 400, expose: true },
  ERR_LEDGER_ENTRY_EXPIRED: { status: 400 },
  ERR_LEDGER_SIGNATURE_INVALID: { status: 400, expose: true },
  ERR_LEDGER_QUORUM_NOT_MET: { status: 403 },
  ERR_LEDGER_UNAUTHORISED: { status: 403 },
  ERR_LEDGER_DUPLICATE: { status: 409 },
  ERR_LEDGER_CONFLICT: { status: 409 },
  ERR_LEDGER_GENESIS_MISMATCH: { status: 409 },
  ERR_LEDGER_NOT_FOUND: { status: 404 },
  ERR_LEDGER_PENDING: { status: 409 },
  ERR_LEDGER_TREE_HEAD_INVALID: { status: 400 },
  ERR_LEDGER_PROOF_INVALID: { status: 400 },
  ERR_LEDGER_SNAPSHOT_INVALID: { status: 400 },
  ERR_LEDGER_SNAPSHOT_STALE: { status: 400 },
  ERR_LEDGER_WITNESS_MISSING: { status: 400 },
  ERR_LEDGER_SPLIT_VIEW: { status: 409 },
  ERR_LEDGER_ROLLBACK: { status: 409 },
  ERR_LEDGER_UNAVAILABLE: { status: 503 },
  ERR_CONFIG_INVALID: { status: 503 },
  ERR_KEY_INVALID: { status: 400 },
});
