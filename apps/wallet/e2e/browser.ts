/**
 * @module e2e/browser
 * Debian Chromium driven by playwright-core (TOOLCHAIN.md flags), with a fake camera that plays a
 * Y4M file we rewrite before each scan, plus the checks every screen gets: an axe-core run (no
 * serious or critical violation), no Content-Security-Policy violation, and a screenshot per
 * language under test-results/screenshots/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../../vitest.config.js';
import { decodePng, y4mFrame } from './y4m.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where screenshots go (gitignored). */
export const SHOTS = join(ROOT, 'test-results', 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The Chromium binary (CHROMIUM_PATH overrides). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** A launched browser with its fake camera file. */
export interface TestBrowser {
  readonly browser: Browser;
  /** Show `png` (a QR screenshot) to the fake camera. */
  showToCamera(png: Uint8Array): void;
  close(): Promise<void>;
}

/** Launch headless Chromium with a fake camera. */
export async function launch(dir: string): Promise<TestBrowser> {
  const camera = join(dir, 'camera.y4m');
  // A blank frame until a code is shown.
  writeFileSync(camera, y4mFrame({ width: 2, height: 2, rgba: new Uint8Array(16).fill(255) }));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${camera}`,
    ],
  });
  return {
    browser,
    showToCamera(png) {
      writeFileSync(camera, y4mFrame(decodePng(png)));
    },
    close: () => browser.close(),
  };
}

/** One axe-core violation, as much as a failure message needs. */
export interface AxeProblem {
  readonly id: string;
  readonly impact: string;
  readonly nodes: readonly string[];
}

/**
 * Run axe-core on the page (WCAG 2.0/2.1/2.2 A and AA rules) and return the serious and critical
 * violations. axe is evaluated through the DevTools protocol, so the page's CSP stays untouched.
 */
export async function axe(page: Page): Promise<AxeProblem[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const a = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe;
    const r = (await a.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    })) as {
      violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
    };
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Save a full-page screenshot as `<lang>/<name>.png`; returns the path. */
export async function shot(page: Page, lang: 'ko' | 'en', name: string): Promise<string> {
  mkdirSync(join(SHOTS, lang), { recursive: true });
  const path = join(SHOTS, lang, `${name}.png`);
  // Let the clock tick and fonts settle; the emblem's motion makes each capture differ (on purpose).
  await page.waitForTimeout(150);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collect CSP violations and uncaught errors of a page. */
export function watch(page: Page): { readonly problems: string[] } {
  const problems: string[] = [];
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(text))
      problems.push(`CSP: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { problems };
}
