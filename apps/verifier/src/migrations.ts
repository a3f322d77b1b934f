/**
 * @module migrations
 * The verifier's tables (after server-kit's audit log and API keys). Never edit a migration that
 * shipped; append new ones.
 *
 * - `verifier_issuers`: the interim trusted-issuer registry (the trust ledger replaces it behind
 *   the same TrustSource port): one JSON record per `iss` (names, types, keys, status lists).
 * - `verifier_relying_parties`: registrations (what each party may request, its legal basis for
 *   the resident number, its request key) and the party's request-signing key, sealed by the KMS.
 * - `verifier_rp_api_keys`: which API key acts for which relying party.
 * - `verifier_transactions`: one row per presentation request. Personal data lives only in
 *   `result`, sealed (AES-256-GCM, record id as associated data), and is deleted on delivery
 *   (retention 0) or at `purge_at`; `result_meta` holds issuers, types and claim paths only. A row
 *   changes state three times (fetched, completed, delivered) without touching an indexed column,
 *   and `fillfactor = 70` leaves room on its page, so those are HOT updates (no index writes).
 * - `verifier_webhooks`: the delivery queue of signed result notifications (no personal data).
 * - `verifier_events`: one row per presentation event (requested, verified, refused, delivered),
 *   written in the same statement as the state change without taking the audit chain's global
 *   lock, then chained into the audit log in batches (`services/events.ts`).
 */
import type { Migration } from '@openmid/server-kit';

/** The verifier's migrations, in order. */
export const VERIFIER_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: 'verifier/001-registry-and-transactions',
    sql: `
CREATE TABLE verifier_issuers (
  id text PRIMARY KEY,
  record jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE TABLE verifier_relying_parties (
  id text PRIMARY KEY,
  registration jsonb NOT NULL,
  signing_key text NOT NULL,
  webhook_url text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  removed_at timestamptz
);
CREATE TABLE verifier_rp_api_keys (
  api_key_id text PRIMARY KEY REFERENCES api_keys (id),
  rp_id text NOT NULL REFERENCES verifier_relying_parties (id)
);
CREATE TABLE verifier_transactions (
  id text PRIMARY KEY,
  request_id text NOT NULL UNIQUE,
  response_id text NOT NULL UNIQUE,
  rp_id text NOT NULL REFERENCES verifier_relying_parties (id),
  state text NOT NULL CHECK (state IN ('created', 'fetched', 'completed', 'refused', 'delivered')),
  nonce text NOT NULL,
  dcql jsonb NOT NULL,
  request_object text,
  response_key text,
  redirect_uri text,
  response_code_sha256 text,
  result text,
  result_meta jsonb,
  wallet_error text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  fetched_at timestamptz,
  completed_at timestamptz,
  delivered_at timestamptz,
  purge_at timestamptz
) WITH (fillfactor = 70);
CREATE INDEX verifier_transactions_expiry ON verifier_transactions (expires_at);
CREATE TABLE verifier_webhooks (
  id text PRIMARY KEY,
  transaction_id text NOT NULL REFERENCES verifier_transactions (id) ON DELETE CASCADE,
  rp_id text NOT NULL,
  url text NOT NULL,
  event text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL,
  delivered_at timestamptz,
  failed_at timestamptz,
  last_status integer
);
CREATE INDEX verifier_webhooks_due ON verifier_webhooks (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE TABLE verifier_events (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  action text NOT NULL,
  actor text NOT NULL,
  transaction_id text NOT NULL,
  rp_id text NOT NULL,
  details text NOT NULL,
  chained_in bigint
);
CREATE INDEX verifier_events_unchained ON verifier_events (seq) WHERE chained_in IS NULL;
`,
  },
]);
