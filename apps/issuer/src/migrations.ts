/**
 * @module migrations
 * The issuer's tables. Run after server-kit's: `migrate(sql, [...SERVER_KIT_MIGRATIONS,
 * ...ISSUER_MIGRATIONS])`. Never edit a migration that shipped; append a new one.
 *
 * Personal data never sits in a column in the clear: the register's claims and a citizen's
 * identity are sealed per record (AES-256-GCM, associated data = table and id), and the only index
 * over personal data is a keyed blind index (HMAC) of the resident number. Every "use once" check
 * (pre-authorized code, tx_code attempts, access token, c_nonce, DPoP jti, PAR request_uri) is a
 * conditional UPDATE or an INSERT into a primary key, so racing requests get exactly one success.
 */
import type { Migration } from '@openmid/server-kit';

const SCHEMA = `
CREATE TABLE citizens (
  id text PRIMARY KEY,
  rrn_index text UNIQUE,
  identity_sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE register_records (
  citizen_id text NOT NULL REFERENCES citizens (id),
  type text NOT NULL,
  claims_sealed text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (citizen_id, type)
);
CREATE INDEX register_records_type ON register_records (type, citizen_id);
CREATE TABLE idp_links (
  idp text NOT NULL,
  subject_index text NOT NULL,
  citizen_id text NOT NULL REFERENCES citizens (id),
  PRIMARY KEY (idp, subject_index)
);
CREATE TABLE batches (
  id text PRIMARY KEY,
  type text NOT NULL,
  copies integer NOT NULL,
  state text NOT NULL,
  total integer NOT NULL,
  offered integer NOT NULL DEFAULT 0,
  cursor text NOT NULL DEFAULT '',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE TABLE loss_reports (
  id text PRIMARY KEY,
  citizen_id text NOT NULL REFERENCES citizens (id),
  device_id text NOT NULL,
  state text NOT NULL,
  reported_by text NOT NULL,
  suspended integer NOT NULL,
  created_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE TABLE offers (
  id text PRIMARY KEY,
  citizen_id text NOT NULL REFERENCES citizens (id),
  type text NOT NULL,
  copies integer NOT NULL,
  grant_type text NOT NULL,
  state text NOT NULL,
  tx_attempts integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  auth jsonb,
  token_hash text UNIQUE,
  token_expires_at timestamptz,
  dpop_jkt text,
  batch_id text REFERENCES batches (id),
  loss_report_id text REFERENCES loss_reports (id),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  redeemed_at timestamptz,
  issued_at timestamptz
);
CREATE UNIQUE INDEX offers_batch_citizen ON offers (batch_id, citizen_id) WHERE batch_id IS NOT NULL;
CREATE INDEX offers_citizen ON offers (citizen_id);
CREATE INDEX offers_loss_report ON offers (loss_report_id) WHERE loss_report_id IS NOT NULL;
CREATE TABLE status_lists (
  id integer PRIMARY KEY,
  size integer NOT NULL,
  bits smallint NOT NULL,
  allocator_key_sealed text NOT NULL,
  next_counter bigint NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  published_version bigint NOT NULL DEFAULT -1,
  token text,
  etag text,
  published_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE TABLE credentials (
  id text PRIMARY KEY,
  offer_id text NOT NULL REFERENCES offers (id),
  citizen_id text NOT NULL REFERENCES citizens (id),
  type text NOT NULL,
  device_id text NOT NULL,
  holder_jkt text NOT NULL,
  list_id integer NOT NULL REFERENCES status_lists (id),
  idx integer NOT NULL,
  status smallint NOT NULL DEFAULT 0,
  notification_id text NOT NULL,
  notified text,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  status_changed_at timestamptz,
  UNIQUE (list_id, idx)
);
CREATE INDEX credentials_device ON credentials (device_id);
CREATE INDEX credentials_holder ON credentials (holder_jkt);
CREATE INDEX credentials_citizen ON credentials (citizen_id);
CREATE INDEX credentials_offer ON credentials (offer_id);
CREATE INDEX credentials_notification ON credentials (notification_id);
CREATE INDEX credentials_not_valid ON credentials (list_id) WHERE status <> 0;
CREATE TABLE used_once (
  hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX used_once_expiry ON used_once (expires_at);
CREATE TABLE par_requests (
  hash text PRIMARY KEY,
  params jsonb NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE TABLE auth_sessions (
  id text PRIMARY KEY,
  data_sealed text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
`;

/**
 * The driving licence as an mdoc (issue 7 §2): an offer may carry several credential
 * configurations of its type (`configurations`, NULL = just `type`); each is issued once
 * (`issued_configurations`, the conditional update's guard); a credential row records its format.
 */
const MDOC = `
ALTER TABLE offers ADD COLUMN configurations text[];
ALTER TABLE offers ADD COLUMN issued_configurations text[] NOT NULL DEFAULT '{}';
ALTER TABLE credentials ADD COLUMN format text NOT NULL DEFAULT 'dc+sd-jwt';
`;

/** The issuer's migrations, in order. */
export const ISSUER_MIGRATIONS: readonly Migration[] = Object.freeze([
  { id: 'issuer/001-schema', sql: SCHEMA },
  { id: 'issuer/002-mdoc', sql: MDOC },
]);
