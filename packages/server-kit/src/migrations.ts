/**
 * @module migrations
 * The tables server-kit itself owns (audit chain, API keys). Services run them first:
 * `migrate(sql, [...SERVER_KIT_MIGRATIONS, ...APP_MIGRATIONS])`.
 */
import { AUDIT_CHAINS_MIGRATION, AUDIT_MIGRATION } from './audit/audit.js';
import { API_KEYS_MIGRATION } from './auth/api-keys.js';
import type { Migration } from './store/migrate.js';

/** server-kit's migrations, in order. Never edit one that shipped; append new ones. */
export const SERVER_KIT_MIGRATIONS: readonly Migration[] = Object.freeze([
  AUDIT_MIGRATION,
  API_KEYS_MIGRATION,
  AUDIT_CHAINS_MIGRATION,
]);
