/**
 * Test projects, chosen by file suffix (STYLE.md rule 16):
 * - unit:    `*.test.ts` in Node (in-process services included);
 * - e2e:     `*.e2e.test.ts`, which start processes, databases, chains or browsers;
 * - browser: the isomorphic core suite again, in headless Debian Chromium (`*.node.test.ts` excluded).
 */
import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const SOURCE = '@openmid/source';

/** Flags from TOOLCHAIN.md: without the background-networking ones Chromium floods the closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ignored = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: {
    resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE] },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['{packages,profiles,apps,bench}/**/*.test.ts'],
          exclude: [...ignored, '**/*.e2e.test.ts', '**/*.browser.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['{packages,profiles,apps,bench}/**/*.e2e.test.ts'],
          exclude: ignored,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['packages/{core,verifier-sdk,ledger}/src/**/*.test.ts'],
          exclude: [
            ...ignored,
            '**/*.node.test.ts',
            '**/*.e2e.test.ts',
            'packages/ledger/src/embedded/**',
          ],
          testTimeout: 30_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
                args: CHROMIUM_ARGS,
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
