/**
 * @module build/icons
 * Render the wallet's PNG icons (192, 512, maskable 512) from public/icons/icon.svg in headless
 * Chromium, so the install prompt has the bitmap sizes browsers require. Run once after changing
 * the SVG: `node --import tsx apps/wallet/build/icons.ts` (the PNGs are committed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../../vitest.config.js';

const dir = fileURLToPath(new URL('../public/icons/', import.meta.url));
const svg = readFileSync(`${dir}icon.svg`, 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  for (const [name, size, pad] of [
    ['icon-192.png', 192, 0],
    ['icon-512.png', 512, 0],
    // Maskable: the emblem inside the 80 % safe zone, on a full-bleed background.
    ['maskable-512.png', 512, 0.1],
  ] as const) {
    const inner = Math.round(size * (1 - 2 * pad));
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<html><body style="margin:0;background:#0b3d91;display:grid;place-items:center;width:${size}px;height:${size}px">` +
        `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
    );
    writeFileSync(`${dir}${name}`, await page.screenshot({ type: 'png', omitBackground: false }));
  }
} finally {
  await browser.close();
}
