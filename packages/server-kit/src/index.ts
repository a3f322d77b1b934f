/**
 * @module @openmid/server-kit
 * The Node-only shell every OpenMID service stands on: configuration, the SQL store (PGlite |
 * PostgreSQL) and migrations, the Hono base app with error mapping at the edge, redacting logs,
 * the hash-chained audit log, encryption at rest, API keys with scopes, and a graceful server.
 * Invariants: README.md.
 */

// Route building, re-exported so that services depend on server-kit alone.
export { createRoute, z } from '@hono/zod-openapi';
export {
  type AppendAuditOptions,
  AUDIT_HEAD_TYP,
  type AuditAnchor,
  type AuditBreak,
  type AuditEntry,
  type AuditInput,
  type AuditValue,
  type AuditVerification,
  appendAudit,
  assertAuditChain,
  readAuditHead,
  signAuditHead,
  verifyAuditChain,
} from './audit/audit.js';
export {
  type ApiKeyPrincipal,
  type ApiKeyStore,
  type ApiKeySummary,
  createApiKey,
  listApiKeys,
  requireScope,
  revokeApiKey,
  sqlApiKeyStore,
} from './auth/api-keys.js';
export {
  type DeepReadonly,
  type Env,
  envVar,
  LOG_LEVELS,
  type LoadConfigOptions,
  type LogLevel,
  loadConfig,
  type ServiceDefaults,
  serviceConfigShape,
} from './config/config.js';
export {
  type Kms,
  keyIdOf,
  type LocalKmsOptions,
  localKms,
  rotateLocalKey,
  staticKms,
} from './crypto/kms.js';
export { createRecordCipher, type RecordCipher, type RecordPlace } from './crypto/record.js';
export { loadOrCreateSealedFile } from './crypto/sealed-file.js';
export {
  API_KEY_SCHEME,
  type App,
  type AppEnv,
  type AppOptions,
  type AppVariables,
  type CorsOptions,
  createApp,
  ErrorBodySchema,
  isAcceptableRequestId,
  OAuthErrorBodySchema,
  oauthRoute,
  type ReadinessReport,
} from './http/app.js';
export {
  DEFAULT_ERROR_MAP,
  type ErrorBody,
  type ErrorMap,
  type ErrorMapping,
  inputInvalid,
  mappingFor,
  type OAuthErrorBody,
  type OAuthErrorCode,
} from './http/errors.js';
export { addressKey, clientAddress, type RateLimitOptions, rateLimit } from './http/rate-limit.js';
export {
  createLogger,
  isSensitiveKey,
  type Logger,
  type LoggerOptions,
  REDACTED,
  redact,
  SENSITIVE_KEYS,
  safeError,
  scrubText,
  silentLogger,
} from './log/logger.js';
export { SERVER_KIT_MIGRATIONS } from './migrations.js';
export { type RunningServer, type ServeOptions, serve } from './serve/serve.js';
export { type MigrateResult, type Migration, migrate, pendingMigrations } from './store/migrate.js';
export { openStore, type StoreOptions } from './store/open.js';
export { openPglite, type PgliteOptions } from './store/pglite.js';
export { openPostgres, type PostgresOptions } from './store/postgres.js';
export { storeReadiness } from './store/readiness.js';
export {
  type IsolationLevel,
  isRetryable,
  type Sql,
  type SqlBackend,
  type SqlParam,
  type SqlQueryable,
  type SqlResult,
  type SqlTx,
  sqlState,
  type TransactionOptions,
} from './store/sql.js';
