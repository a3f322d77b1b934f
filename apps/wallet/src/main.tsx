/**
 * @module main
 * The wallet's entry point: read the configuration (`/config.json` from the wallet server: URLs,
 * the helpline, development flags, and the trust anchors to pin on first run — or anchors built in
 * with `VITE_OPENMID_TRUST`, which then win), open the wallet over IndexedDB, render, and register
 * the service worker (offline app shell) and, where the platform allows, the credential-offer and
 * presentation URI schemes.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/app.js';
import { I18nProvider } from './ui/i18n.js';
import './ui/styles.css';
import { indexedDbStore } from './wallet/store.js';
import { createWallet, type WalletConfig } from './wallet/wallet.js';

const CONFIG_CACHE = 'openmid-wallet-config';

async function loadConfig(): Promise<WalletConfig> {
  let raw: Record<string, unknown> = {};
  try {
    const r = await fetch('/config.json', { cache: 'no-store', credentials: 'omit' });
    if (r.ok) {
      raw = (await r.json()) as Record<string, unknown>;
      localStorage.setItem(CONFIG_CACHE, JSON.stringify(raw));
    }
  } catch {
    // Offline: the last configuration seen (URLs only; trust anchors are pinned in the vault).
    raw = JSON.parse(localStorage.getItem(CONFIG_CACHE) ?? '{}') as Record<string, unknown>;
  }
  const built = import.meta.env['VITE_OPENMID_TRUST'] as string | undefined;
  return {
    walletUrl: typeof raw['walletUrl'] === 'string' ? raw['walletUrl'] : location.origin,
    ...(typeof raw['lossReportUrl'] === 'string' ? { lossReportUrl: raw['lossReportUrl'] } : {}),
    helpline: typeof raw['helpline'] === 'string' ? raw['helpline'] : '1688-0990',
    allowHttp: raw['allowHttp'] === true,
    ...(typeof raw['relayUrl'] === 'string' ? { relayUrl: raw['relayUrl'] } : {}),
    trust: built !== undefined && built !== '' ? JSON.parse(built) : raw['trust'],
  };
}

function registerSchemes(): void {
  // openid-credential-offer:// and openid4vp:// are not on the HTML safelist yet: browsers refuse
  // them today (SecurityError), so the same-page routes /receive?offer= and /present?… remain.
  for (const [scheme, path] of [
    ['openid-credential-offer', '/receive?offer=%s'],
    ['openid4vp', '/present?link=%s'],
  ] as const) {
    try {
      navigator.registerProtocolHandler?.(scheme, `${location.origin}${path}`);
    } catch {
      // not allowed on this platform
    }
  }
}

async function main(): Promise<void> {
  const config = await loadConfig();
  const wallet = createWallet({ store: indexedDbStore(), config });
  const root = document.getElementById('root');
  if (root === null) return;
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <App wallet={wallet} />
      </I18nProvider>
    </StrictMode>,
  );
  if ('serviceWorker' in navigator && import.meta.env.PROD)
    void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  registerSchemes();
}

void main();
