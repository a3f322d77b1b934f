import { expect, test } from 'vitest';
import { describeStores } from '../testing/stores.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { storeReadiness } from './readiness.js';

const list = [{ id: 'ready/001', sql: 'CREATE TABLE ready_t (v int)' }];

describeStores('store readiness', ({ sql }) => {
  test('not ready while migrations are pending, ready once applied, mismatch for a foreign history', async () => {
    expect(await storeReadiness(sql(), list)).toEqual({
      ready: false,
      checks: { store: 'ok', migrations: 'pending' },
    });
    await migrate(sql(), list);
    expect(await storeReadiness(sql(), list)).toEqual({
      ready: true,
      checks: { store: 'ok', migrations: 'ok' },
    });
    expect(await storeReadiness(sql(), [])).toEqual({
      ready: false,
      checks: { store: 'ok', migrations: 'mismatch' },
    });
  });
});

test('a store that does not answer is not ready', async () => {
  const store = await openPglite();
  await store.close();
  expect(await storeReadiness(store, list)).toEqual({
    ready: false,
    checks: { store: 'unavailable', migrations: 'unknown' },
  });
});
