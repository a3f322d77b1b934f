/**
 * @module embedded/schema
 * SQL schema of the embedded log (PostgreSQL dialect; PGlite and PostgreSQL alike, DESIGN.md §4).
 *
 * - `ledger_records`: one row per log position, with its 114-byte leaf data and the canonical
 *   signed entry (JCS text). Never updated, never deleted.
 * - `ledger_nodes`: every *perfect* Merkle node, keyed by index · 64 + level — 2n − 1 rows for n
 *   leaves, each written once when its subtree completes. Any root or RFC 9162 proof of any tree size is a
 *   fold of O(log n) of them (see `merkle.ts`), one indexed query away.
 * - `ledger_subjects`: the last entry of each subject (chain heads), for `prev` links and for the
 *   subject index that proofs carry.
 * - `ledger_meta`: the single-row head: ledger id, log key thumbprint, size, root and the
 *   frontier (the perfect subtrees of the current tree, left to right) that appends extend.
 * - `ledger_heads`, `ledger_cosignatures`: signed tree heads and the witness cosignatures of them.
 */
import type { Migration } from '@openmid/server-kit';

/** The embedded ledger's migrations, to apply with server-kit's `migrate` after the service's own. */
export const LEDGER_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: 'ledger/001-merkle-log',
    sql: `
CREATE TABLE ledger_meta (
  id smallint PRIMARY KEY CHECK (id = 1),
  ledger_id bytea NOT NULL CHECK (length(ledger_id) = 32),
  log_key text NOT NULL,
  tree_size bigint NOT NULL CHECK (tree_size >= 0),
  frontier bytea NOT NULL,
  root bytea NOT NULL CHECK (length(root) = 32)
);
CREATE TABLE ledger_records (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  entry_id bytea NOT NULL UNIQUE,
  subject bytea NOT NULL,
  kind smallint NOT NULL,
  log_time bigint NOT NULL,
  prev bigint,
  record bytea NOT NULL CHECK (length(record) = 114),
  entry text NOT NULL
);
CREATE INDEX ledger_records_subject_idx ON ledger_records (subject, idx);
CREATE INDEX ledger_records_trust_idx ON ledger_records (subject, idx) WHERE kind <= 9;
CREATE TABLE ledger_nodes (
  key bigint PRIMARY KEY,
  hash bytea NOT NULL CHECK (length(hash) = 32)
);
CREATE TABLE ledger_subjects (
  subject bytea PRIMARY KEY,
  kind smallint NOT NULL,
  label text NOT NULL,
  first_idx bigint NOT NULL,
  tail bigint NOT NULL
);
CREATE INDEX ledger_subjects_status_idx ON ledger_subjects (first_idx) WHERE kind = 10;
CREATE TABLE ledger_heads (
  tree_size bigint PRIMARY KEY,
  root bytea NOT NULL,
  signed_at bigint NOT NULL,
  jws text NOT NULL
);
CREATE TABLE ledger_cosignatures (
  tree_size bigint NOT NULL REFERENCES ledger_heads (tree_size),
  witness text NOT NULL,
  jws text NOT NULL,
  PRIMARY KEY (tree_size, witness)
);
`,
  },
]);
