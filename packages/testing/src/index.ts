/**
 * @module @openmid/testing
 * Test fixtures for OpenMID (private package): fake clocks and synthetic Korean citizens (also at
 * `@openmid/testing/citizens`).
 */
export * from './citizens/index.js';
export { fixedClock, type ManualClock, manualClock } from './clock.js';
