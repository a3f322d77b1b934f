/**
 * The citizen's whole story in one headless Chromium with two pages — the wallet and the portal
 * (agency console and relying parties) — against the real services (issue 5 §3):
 *
 * onboarding → the agency creates a driving-licence offer → the wallet receives it by scanning the
 * QR image with the (fake) camera → the convenience store asks `age_over_19` → consent → verified;
 * the bank asks beyond its registration → the wallet warns, the citizen refuses; the agency
 * suspends the device → the next presentation fails with a clear message; the history shows all of
 * it. Also: the offline one-way QR verified by the SDK against the trust bundle, the storage check
 * (no claim value in IndexedDB, holder keys not exportable), axe-core on every screen (no serious
 * or critical violation), no CSP violation, and screenshots of every screen in Korean and English.
 *
 * CI must run this suite: without Chromium it fails when `CI` is set, and is skipped otherwise.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OFFLINE_AUDIENCE,
  OFFLINE_WINDOW_SECONDS,
  openTrustBundle,
  verifyPresentation,
} from '@openmid/verifier';
import jsQR from 'jsqr';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axe, CHROMIUM, launch, shot, type TestBrowser, watch } from './browser.js';
import { type RunningSystem, startSystem } from './system.js';
import { decodePng } from './y4m.js';

const available = existsSync(CHROMIUM);
if (!available && process.env['CI'] !== undefined)
  throw new Error(`Chromium is required in CI (${CHROMIUM}); .ci/run installs it`);

const PIN = '270419';
const CITIZEN = 'demo-0000000';

let system: RunningSystem;
let tb: TestBrowser;
let context: BrowserContext;
let wallet: Page;
let portal: Page;
const watched: { problems: string[] }[] = [];
const a11y: Record<string, unknown[]> = {};
/** What the card showed (to look for in storage). */
const secrets: string[] = [];

async function check(page: Page, lang: 'ko' | 'en', name: string): Promise<void> {
  await shot(page, lang, name);
  const problems = await axe(page);
  if (problems.length > 0) a11y[`${lang}/${name}`] = problems;
  expect(problems, `axe: ${lang}/${name}`).toEqual([]);
}

async function qrPng(page: Page, selector: string): Promise<Buffer> {
  const el = page.locator(selector).first();
  await el.waitFor();
  return el.screenshot({ type: 'png' });
}

async function nav(to: string): Promise<void> {
  await wallet.click(`nav.bottom a[href="${to}"]`);
}

async function setLang(page: Page, lang: 'ko' | 'en'): Promise<void> {
  const current = await page.evaluate(() => document.documentElement.lang);
  if (current !== lang) await page.click('header .lang');
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

/** Scan with the camera: the code (a screenshot) is shown to the fake camera, then decoded. */
async function scanWithCamera(png: Uint8Array): Promise<void> {
  tb.showToCamera(png);
  await wallet.click('.scanner button.primary');
}

/** A presentation request of the portal's relying party `rp`, scenario `key`: its QR image. */
async function portalRequest(rp: string, key: string): Promise<Buffer> {
  await portal.goto(`${system.urls.portal}/rp/${rp}`);
  await portal.click(`button[data-scenario="${key}"]`);
  return qrPng(portal, 'figure.qr');
}

describe.skipIf(!available)('citizen wallet in a real browser', () => {
  beforeAll(async () => {
    system = await startSystem();
    tb = await launch(mkdtempSync(join(tmpdir(), 'openmid-camera-')));
    context = await tb.browser.newContext({
      viewport: { width: 412, height: 915 },
      deviceScaleFactor: 1,
      locale: 'ko-KR',
      timezoneId: 'Asia/Seoul',
      acceptDownloads: true,
    });
    await context.grantPermissions(['camera'], { origin: system.urls.wallet });
    wallet = await context.newPage();
    portal = await context.newPage();
    watched.push(watch(wallet), watch(portal));
  }, 300_000);

  afterAll(async () => {
    await tb?.close();
    await system?.stop();
  }, 60_000);

  test('onboarding: a 6-digit PIN creates the vault', async () => {
    await wallet.goto(system.urls.wallet);
    await wallet.waitForSelector('input[name="new-pin"]');
    await check(wallet, 'ko', '01-onboarding');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '01-onboarding');
    await setLang(wallet, 'ko');
    await wallet.fill('input[name="new-pin"]', '123456');
    await wallet.fill('input[name="pin-again"]', '123456');
    await wallet.click('form button[type="submit"]');
    await expect(wallet.locator('.notice.error').textContent()).resolves.toContain('6자리');
    await wallet.fill('input[name="new-pin"]', PIN);
    await wallet.fill('input[name="pin-again"]', PIN);
    await wallet.click('form button[type="submit"]');
    await wallet.waitForSelector('h1:has-text("내 신분증")');
    await check(wallet, 'ko', '02-home-empty');
  });

  test('the agency issues a driving licence; the wallet receives it through the QR image', async () => {
    await portal.goto(`${system.urls.portal}/`);
    await check(portal, 'ko', '30-portal-landing');
    await portal.goto(`${system.urls.portal}/console?citizen=${CITIZEN}`);
    await portal.selectOption('#citizen', CITIZEN);
    await portal.selectOption('#type', 'driving-licence');
    await portal.selectOption('#copies', '3');
    await portal.click('form[action="/console/offers"] button[type="submit"]');
    const txCode = (await portal.locator('.tx-code').first().textContent())?.trim() ?? '';
    expect(txCode).toMatch(/^[0-9]{6}$/);
    await check(portal, 'ko', '31-console-offer');
    const offerQr = await qrPng(portal, 'figure.qr');

    await nav('/receive');
    await wallet.waitForSelector('.scanner');
    await check(wallet, 'ko', '03-receive-scan');
    await scanWithCamera(offerQr);
    await wallet.waitForSelector('input[name="tx_code"]', { timeout: 30_000 });
    // The issuer is named as the trust list names it, before anything is accepted.
    await expect(wallet.locator('.party .verified').textContent()).resolves.toContain('신뢰 목록');
    await check(wallet, 'ko', '04-receive-offer');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '04-receive-offer');
    await setLang(wallet, 'ko');
    await wallet.fill('input[name="tx_code"]', txCode);
    await wallet.click('form button[type="submit"]');
    await wallet.waitForSelector('.notice.success', { timeout: 30_000 });
    await check(wallet, 'ko', '05-receive-done');
    await wallet.click('main button.primary');
    await wallet.waitForSelector('.cards li');
    expect(await wallet.locator('.cards li').count()).toBe(1);
    await expect(wallet.locator('.clock').first().textContent()).resolves.toMatch(
      /^[^0-9]*\d{2}:\d{2}:\d{2}$/,
    );
    await check(wallet, 'ko', '06-home-card');
  });

  test('the card shows its details, validity and status; numbers are masked until asked', async () => {
    await wallet.click('.card-link');
    await wallet.waitForSelector('.details');
    const masked = await wallet.locator('.details').textContent();
    expect(masked).toMatch(/\*{6}/);
    await check(wallet, 'ko', '07-card');
    await wallet.click('main .actions button[aria-pressed]');
    const dds = await wallet.locator('.details dd').allTextContents();
    const full = dds.join('\n');
    expect(full).not.toMatch(/\*{6}/);
    // Values to look for in the raw IndexedDB later: name, numbers, address, birth date.
    for (const v of dds) if (v.trim().length >= 6 && /[0-9가-힣]/.test(v)) secrets.push(v.trim());
    const name = await wallet.locator('.idcard-fields dd').first().textContent();
    if (name !== null) secrets.push(name.trim());
    await wallet.click('main .actions button[aria-pressed]');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '07-card');
    await setLang(wallet, 'ko');
  });

  test('offline one-way QR: a large code with a countdown that the verifier SDK accepts', async () => {
    await wallet.click('main .actions button.primary'); // "show as an offline QR code"
    await wallet.waitForSelector('form select');
    await check(wallet, 'ko', '08-offline-choose');
    await wallet.click('main form button[type="submit"]');
    await wallet.waitForSelector('img.qr');
    await expect(wallet.locator('.countdown').textContent()).resolves.toMatch(/\d+초/);
    await check(wallet, 'ko', '09-offline-qr');
    const px = decodePng(await qrPng(wallet, 'img.qr'));
    const text = jsQR(new Uint8ClampedArray(px.rgba), px.width, px.height)?.data ?? '';
    expect(text.startsWith('OMP1:')).toBe(true);
    const jwks = (await (await fetch(`${system.urls.verifier}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const bundleText = await (await fetch(`${system.urls.verifier}/v1/trust-bundle`)).text();
    const bundle = await openTrustBundle(bundleText, {
      keys: jwks.keys.map((k) => ({ kid: k.kid, jwk: k as never })),
    });
    const verified = await verifyPresentation(
      { qr: text },
      {
        trust: bundle,
        statusLists: bundle.statusLists,
        unknownStatus: 'accept',
        timeWindow: OFFLINE_WINDOW_SECONDS,
        aud: OFFLINE_AUDIENCE,
      },
    );
    expect(Object.keys(verified.claims)).toContain('age_over_19');
    expect(verified.claims).not.toHaveProperty('name');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '09-offline-qr');
    await setLang(wallet, 'ko');
    await wallet.click('header .back'); // the full-screen code hides the navigation
    await wallet.waitForSelector('nav.bottom');
  });

  test('the convenience store asks age_over_19 → consent → verified, and gets nothing else', async () => {
    const qr = await portalRequest('convenience-store', 'age');
    await check(portal, 'ko', '32-store-request');
    await nav('/present');
    await wallet.waitForSelector('.scanner');
    await check(wallet, 'ko', '10-present-scan');
    // This one through "read a QR code from a picture" (the camera path is used for the rest).
    await wallet.setInputFiles('.scanner input[type="file"]', {
      name: 'request.png',
      mimeType: 'image/png',
      buffer: qr,
    });
    await wallet.waitForSelector('form.consent', { timeout: 30_000 });
    await expect(wallet.locator('.party-name').textContent()).resolves.toBe('오픈편의점');
    await expect(wallet.locator('.claims li').count()).resolves.toBe(1);
    await check(wallet, 'ko', '11-consent-store');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '11-consent-store');
    await setLang(wallet, 'ko');
    await wallet.click('form.consent button[type="submit"]');
    await wallet.waitForSelector('.notice.success', { timeout: 30_000 });
    await check(wallet, 'ko', '12-present-verified');
    const ms = await wallet.evaluate(
      () => performance.getEntriesByName('openmid:consent-to-sent')[0]?.duration ?? -1,
    );
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(1000);
    await portal.waitForSelector('.result.verified', { timeout: 30_000 });
    await expect(portal.locator('tr[data-claim="age_over_19"]').count()).resolves.toBe(1);
    await expect(portal.locator('tr[data-claim="name"]').count()).resolves.toBe(0);
    await check(portal, 'ko', '33-store-verified');
  });

  test('the bank asks beyond its registration: the wallet warns and the citizen refuses', async () => {
    const qr = await portalRequest('bank', 'over-ask');
    await nav('/present');
    await wallet.waitForSelector('.scanner');
    await scanWithCamera(qr);
    await wallet.waitForSelector('form.consent', { timeout: 30_000 });
    const warning = wallet.locator('.notice.warning').first();
    await expect(warning.textContent()).resolves.toContain('등록된 범위를 넘는');
    await expect(warning.textContent()).resolves.toContain('사진');
    // Portrait and resident number are asked separately, and unticked.
    const separate = wallet.locator('.separate input[type="checkbox"]');
    expect(await separate.count()).toBe(2);
    for (const box of await separate.all()) expect(await box.isChecked()).toBe(false);
    await check(wallet, 'ko', '13-consent-bank-warning');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '13-consent-bank-warning');
    await setLang(wallet, 'ko');
    await wallet.click('form.consent .actions button.secondary'); // refuse
    await wallet.waitForSelector('.notice.info');
    await check(wallet, 'ko', '14-present-refused');
    await portal.waitForSelector('.result.refused', { timeout: 30_000 });
  });

  test('the agency suspends the device; the next presentation fails with a clear message', async () => {
    await portal.goto(`${system.urls.portal}/console?citizen=${CITIZEN}`);
    await portal.waitForSelector('.device');
    await check(portal, 'ko', '34-console-credentials');
    await portal.click('form[action="/console/devices/suspend"] button');
    await portal.waitForSelector('.notice.success');
    // 3 copies of each form: the console offers the licence as SD-JWT VC + ISO mDL (issue 7 §2).
    await expect(portal.locator('.status-suspended').count()).resolves.toBe(6);
    await portal.waitForTimeout(1500); // the status list's 1-second lifetime in this run
    const qr = await portalRequest('convenience-store', 'age');
    await nav('/present');
    await wallet.waitForSelector('.scanner');
    await scanWithCamera(qr);
    await wallet.waitForSelector('form.consent', { timeout: 30_000 });
    await wallet.click('form.consent button[type="submit"]');
    const failure = wallet.locator('.notice.error');
    await failure.waitFor({ timeout: 30_000 });
    await expect(failure.textContent()).resolves.toContain('정지되었습니다');
    await expect(failure.locator('code').textContent()).resolves.toBe('ERR_STATUS_SUSPENDED');
    await check(wallet, 'ko', '15-present-suspended');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '15-present-suspended');
    await setLang(wallet, 'ko');
  });

  test('the history shows every issuance and presentation, refused and failed ones too', async () => {
    await nav('/history');
    await wallet.waitForSelector('ol.history li');
    const items = await wallet.locator('ol.history li').allTextContents();
    const all = items.join('\n');
    expect(all).toContain('신분증 발급');
    expect(all).toContain('확인됨');
    expect(all).toContain('거절함');
    expect(all).toContain('실패');
    expect(all).toContain('ERR_STATUS_SUSPENDED');
    expect(all).toContain('등록 범위 밖 요청');
    expect(all).toContain('오픈은행');
    expect(all).toContain('QR 표시');
    await check(wallet, 'ko', '16-history');
    const [download] = await Promise.all([
      wallet.waitForEvent('download'),
      wallet.click('main > button.secondary'),
    ]);
    const file = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as {
      format: string;
      entries: { kind: string; outcome: string }[];
    };
    expect(file.format).toBe('openmid-wallet-history');
    expect(file.entries.map((e) => `${e.kind}:${e.outcome}`)).toEqual(
      expect.arrayContaining([
        'issuance:accepted',
        'presentation:verified',
        'presentation:refused',
        'presentation:failed',
        'offline-presentation:shown',
      ]),
    );
    await setLang(wallet, 'en');
    await check(wallet, 'en', '16-history');
    await setLang(wallet, 'ko');
  });

  test('settings, lost phone and the lock screen', async () => {
    await nav('/settings');
    await wallet.waitForSelector('#s-trust');
    const trust = wallet.locator('section[aria-labelledby="s-trust"] p');
    await expect
      .poll(() => trust.textContent(), { timeout: 15_000 })
      .toMatch(system.urls.ledger === undefined ? /발급 기관 \d+곳/ : /신뢰 원장 \d+건/);
    await check(wallet, 'ko', '17-settings');
    await wallet.click('button[data-action="lost"]');
    await wallet.waitForSelector('#l1');
    await expect(wallet.locator('main').textContent()).resolves.toContain('1688-0990');
    await check(wallet, 'ko', '18-lost');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '18-lost');
    await setLang(wallet, 'ko');
    await wallet.click('main > button.secondary'); // back home
    await nav('/settings');
    await wallet.waitForSelector('#s-trust');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '17-settings');
    await nav('/');
    await wallet.waitForSelector('.cards li');
    await check(wallet, 'en', '06-home-card');
    await nav('/receive');
    await wallet.waitForSelector('.scanner');
    await check(wallet, 'en', '03-receive-scan');
    await nav('/present');
    await wallet.waitForSelector('.scanner');
    await check(wallet, 'en', '10-present-scan');
    await setLang(wallet, 'ko');
    await nav('/settings');
    await wallet.waitForSelector('#s-trust');
    await wallet.click('button[data-action="lock"]');
    await wallet.waitForSelector('input[name="pin"]');
    await check(wallet, 'ko', '19-lock');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '19-lock');
    await setLang(wallet, 'ko');
    await wallet.fill('input[name="pin"]', '975310');
    await wallet.click('form button[type="submit"]');
    await expect(wallet.locator('.notice.error').textContent()).resolves.toContain('4번');
    await wallet.fill('input[name="pin"]', PIN);
    await wallet.click('form button[type="submit"]');
    await wallet.waitForSelector('nav.bottom');
  });

  test('storage check: no claim value in IndexedDB, and no key can be exported', async () => {
    const dump = await wallet.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('openmid-wallet');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const stores: Record<string, unknown[]> = {};
      const keys: CryptoKey[] = [];
      for (const name of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve) => {
          const r = db.transaction(name, 'readonly').objectStore(name).getAll();
          r.onsuccess = () => resolve(r.result);
        });
        stores[name] = values.map((v) => {
          if (v instanceof CryptoKey) {
            keys.push(v);
            return { cryptoKey: v.type };
          }
          const k = (v as { key?: unknown }).key;
          if (k instanceof CryptoKey) keys.push(k);
          return v;
        });
      }
      const exports: string[] = [];
      for (const k of keys) {
        for (const format of ['jwk', k.type === 'secret' ? 'raw' : 'pkcs8'] as const) {
          try {
            await crypto.subtle.exportKey(format, k);
            exports.push(`exported ${k.type}`);
          } catch (e) {
            exports.push((e as Error).name);
          }
        }
      }
      return {
        text: JSON.stringify(stores),
        exports,
        extractable: keys.map((k) => k.extractable),
        holderKeys: (stores['keys'] ?? []).length,
      };
    });
    expect(secrets.length).toBeGreaterThan(3);
    for (const s of secrets)
      expect(dump.text, `"${s}" must not be stored in plain text`).not.toContain(s);
    expect(dump.text).not.toContain('age_over_19');
    // No JWT, SD-JWT or KB-JWT in the clear (header.payload of base64url JSON).
    expect(dump.text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
    // device key + DPoP key + 3 holder keys, none exportable (WebCrypto non-extractable).
    expect(dump.holderKeys).toBeGreaterThanOrEqual(5);
    expect(dump.extractable.every((x) => x === false)).toBe(true);
    expect(dump.exports.every((x) => x === 'InvalidAccessError')).toBe(true);
  });

  test('installable PWA: the manifest and service worker pass Chromium’s installability checks', async () => {
    await wallet.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const cdp = await context.newCDPSession(wallet);
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
    expect(manifest.url).toContain('/manifest.webmanifest');
    expect(manifest.errors).toEqual([]);
    const installability = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    // Automation contexts are incognito profiles, which Chromium never offers to install into.
    expect(
      installability.installabilityErrors
        .map((e) => e.errorId)
        .filter((id) => id !== 'in-incognito'),
    ).toEqual([]);
    await cdp.detach();
  });

  test('works offline: the service worker serves the app, and the cards open without a network', async () => {
    await context.setOffline(true);
    try {
      await wallet.reload();
      await wallet.waitForSelector('input[name="pin"]', { timeout: 30_000 });
      await wallet.fill('input[name="pin"]', PIN);
      await wallet.click('form button[type="submit"]');
      await nav('/');
      await wallet.waitForSelector('.cards li');
      await check(wallet, 'ko', '20-offline-home');
      await wallet.click('.card-link');
      await wallet.click('main .actions button.primary');
      await wallet.click('main form button[type="submit"]');
      await wallet.waitForSelector('img.qr');
    } finally {
      await context.setOffline(false);
    }
  });

  test('no Content-Security-Policy violation or page error on any screen', () => {
    expect(watched.flatMap((w) => w.problems)).toEqual([]);
    expect(a11y).toEqual({});
  });

  // Issue 7 §2: the licence in both forms, shown in person (ISO 18013-5 QR engagement over the
  // relay) to the police checkpoint's reader in the portal.
  test('in person (ISO mDL): a fresh licence in both forms, read by the police checkpoint', async () => {
    // The offline QR above hides the navigation.
    if ((await wallet.locator('nav.bottom').count()) === 0) await wallet.click('header .back');
    await wallet.waitForSelector('nav.bottom');
    await portal.goto(`${system.urls.portal}/console?citizen=${CITIZEN}`);
    await portal.selectOption('#citizen', CITIZEN);
    await portal.selectOption('#type', 'driving-licence');
    await portal.selectOption('#copies', '1');
    await portal.click('form[action="/console/offers"] button[type="submit"]');
    const txCode = (await portal.locator('.tx-code').first().textContent())?.trim() ?? '';
    const offerQr = await qrPng(portal, 'figure.qr');
    await nav('/receive');
    await wallet.waitForSelector('.scanner');
    await scanWithCamera(offerQr);
    await wallet.waitForSelector('input[name="tx_code"]', { timeout: 30_000 });
    await wallet.fill('input[name="tx_code"]', txCode);
    await wallet.click('form button[type="submit"]');
    await wallet.waitForSelector('.notice.success', { timeout: 30_000 });
    // The newest card first; it says it is also held as an ISO mDL.
    await nav('/');
    await wallet.waitForSelector('.cards li');
    await wallet.locator('.card-link').first().click();
    await wallet.waitForSelector('#show-in-person');
    await expect(wallet.locator('main dl.details').textContent()).resolves.toContain('ISO');
    await wallet.click('#show-in-person');
    await wallet.waitForSelector('#in-person-qr img.qr', { timeout: 30_000 });
    await expect(wallet.locator('.countdown').textContent()).resolves.toMatch(/\d+초/);
    await check(wallet, 'ko', '40-in-person-qr');
    const px = decodePng(await qrPng(wallet, '#in-person-qr img.qr'));
    const engagement = jsQR(new Uint8ClampedArray(px.rgba), px.width, px.height)?.data ?? '';
    expect(engagement).toMatch(/^mdoc:[A-Za-z0-9_-]+$/);

    await portal.goto(`${system.urls.portal}/rp/police/in-person`);
    await portal.fill('textarea#engagement', engagement);
    await portal.click('button#read');
    await portal.waitForSelector('#result[data-outcome]');
    // The wallet shows the anonymous reader's request; the portrait is asked about separately.
    let state = 'waiting';
    for (let i = 0; i < 60 && state === 'waiting'; i++) {
      if ((await wallet.locator('form.consent').count()) > 0) state = 'consent';
      else if ((await wallet.locator('main .notice.error').count()) > 0)
        state = `wallet: ${await wallet.locator('main .notice.error').textContent()}`;
      else if ((await portal.locator('#result').getAttribute('data-outcome')) === 'failed')
        state = `portal: ${await portal.locator('#result').textContent()}`;
      else await wallet.waitForTimeout(1000);
    }
    expect(state, watched.flatMap((w) => w.problems).join(' | ')).toBe('consent');
    await expect(wallet.locator('.notice.warning').first().textContent()).resolves.toContain(
      '증명하지 않았습니다',
    );
    const separate = wallet.locator('.separate input[type="checkbox"]');
    expect(await separate.count()).toBe(1);
    expect(await separate.first().isChecked()).toBe(false);
    await check(wallet, 'ko', '41-in-person-consent');
    await setLang(wallet, 'en');
    await check(wallet, 'en', '41-in-person-consent');
    await setLang(wallet, 'ko');
    await wallet.click('form.consent button[type="submit"]');
    await wallet.waitForSelector('.notice.success', { timeout: 30_000 });
    await check(wallet, 'ko', '42-in-person-shown');
    await portal.waitForSelector('#result[data-outcome="verified"]', { timeout: 60_000 });
    const shown = (await portal.locator('#result').textContent()) ?? '';
    expect(shown.length).toBeGreaterThan(0);
    await nav('/history');
    await wallet.waitForSelector('ol.history li');
    await expect(wallet.locator('ol.history li').first().textContent()).resolves.toContain(
      '현장 제시',
    );
    expect(watched.flatMap((w) => w.problems)).toEqual([]);
    expect(a11y).toEqual({});
  });
});
