/**
 * @module @openmid/server-kit/testing
 * Test helpers for services built on server-kit: run a suite on both store backends, capture log
 * lines. Imports vitest: never import this subpath from production code.
 */
export { type CapturedLogs, captureLogs } from './logs.js';
export { type DescribeStoresOptions, describeStores, type StoreTestContext } from './stores.js';
