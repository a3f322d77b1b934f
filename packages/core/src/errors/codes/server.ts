/**
 * @module errors/codes/server
 * Codes raised by `@openmid/server-kit`, the Node shell every OpenMID service stands on: configuration,
 * the HTTP edge, API-key authentication, the SQL store and its migrations, the audit chain and
 * encryption at rest. Defined here (not in server-kit) because the code catalogue is one closed union.
 */

/** Services (server-kit). */
export const SERVER_CODES = {
  ERR_CONFIG_INVALID:
    'The service configuration (environment variables) is missing or invalid; the message names every bad variable, never its value.',
  ERR_HTTP_BODY_TOO_LARGE: 'The request body exceeds the size limit of the endpoint (HTTP 413).',
  ERR_HTTP_RATE_LIMITED:
    'Too many requests from this client; retry after the number of seconds in Retry-After (HTTP 429).',
  ERR_HTTP_NOT_FOUND: 'No route matches the request method and path (HTTP 404).',
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE:
    'The request body has a Content-Type the endpoint does not accept (HTTP 415).',
  ERR_AUTH_REQUIRED:
    'The request carries no valid credential (API key missing, unknown, malformed or revoked).',
  ERR_AUTH_FORBIDDEN: 'The authenticated caller lacks the scope this operation requires.',
  ERR_STORE_UNAVAILABLE:
    'The database cannot be reached or the connection failed; the outcome of an in-flight commit is unknown.',
  ERR_STORE_CONFLICT:
    'The change conflicts with concurrent or existing data (unique violation, or a serialization failure after the allowed retries).',
  ERR_STORE_QUERY_FAILED:
    'A SQL statement failed (constraint, type or syntax error, or an aborted transaction); only the SQLSTATE is reported.',
  ERR_STORE_MIGRATION_FAILED:
    'A schema migration failed, was edited after being applied, or the database holds migrations this version does not know.',
  ERR_STORE_LOCKED:
    'The embedded database folder is in use by another live process (two writers would corrupt it).',
  ERR_AUDIT_ENTRY_INVALID:
    'An audit entry is malformed, too large, or its details carry a personal-data key (details must be ids, codes and counts).',
  ERR_AUDIT_CHAIN_BROKEN:
    'The audit hash chain is broken: a row was edited, reordered or deleted, or the head does not match; details name the first broken seq.',
  ERR_RECORD_DECRYPT_FAILED:
    'An encrypted record could not be opened (tampered, moved to another row, wrong key or malformed); nothing more is revealed.',
  ERR_KMS_KEY_UNAVAILABLE:
    'The record-encryption key with this id is not available from the key service (unknown id, or the key file is missing or unreadable).',
  ERR_KMS_KEY_INSECURE:
    'A local key file is unsafe to use: readable or writable by group or others, not a regular file, or not exactly 32 bytes.',
} as const;
