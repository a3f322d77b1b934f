/**
 * @module ui/app
 * The wallet's screens and what decides between them: a wallet with no PIN shows onboarding, a
 * locked one the PIN screen (or, after five wrong PINs, the lock-out screen), an unlocked one the
 * route. The lost-phone page is reachable in every state. The wallet locks itself after five
 * minutes without a touch, and whenever the citizen asks.
 */
import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { VaultState } from '../wallet/vault.js';
import type { Wallet } from '../wallet/wallet.js';
import { Busy, Layout } from './components.js';
import { useI18n } from './i18n.js';
import { normaliseDeepLink, useRoute } from './router.js';
import { Home } from './screens/home.js';
import { Lock, LockedOut } from './screens/lock.js';
import { Lost } from './screens/lost.js';
import { Onboarding } from './screens/onboarding.js';
import { WalletContext, type WalletContextValue } from './wallet-context.js';

const CardScreen = lazy(() => import('./screens/card.js').then((m) => ({ default: m.CardScreen })));
const Receive = lazy(() => import('./screens/receive.js').then((m) => ({ default: m.Receive })));
const Present = lazy(() => import('./screens/present.js').then((m) => ({ default: m.Present })));
const Offline = lazy(() => import('./screens/offline.js').then((m) => ({ default: m.Offline })));
const InPerson = lazy(() =>
  import('./screens/in-person.js').then((m) => ({ default: m.InPerson })),
);
const History = lazy(() => import('./screens/history.js').then((m) => ({ default: m.History })));
const Settings = lazy(() => import('./screens/settings.js').then((m) => ({ default: m.Settings })));

const IDLE_LOCK_MS = 5 * 60 * 1000;

function Screen(): ReactNode {
  const { path, seq } = useRoute();
  return <Route key={seq} path={path} />;
}

function Route({ path }: { readonly path: string }): ReactNode {
  if (path === '/' || path === '/index.html') return <Home />;
  if (path.startsWith('/cards/')) return <CardScreen id={decodeURIComponent(path.slice(7))} />;
  if (path === '/receive') return <Receive />;
  if (path === '/present') return <Present />;
  if (path === '/offline') return <Offline />;
  if (path === '/in-person') return <InPerson />;
  if (path === '/history') return <History />;
  if (path === '/settings') return <Settings />;
  if (path === '/lost') return <Lost />;
  return <Home />;
}

function Loading(): ReactNode {
  const { t } = useI18n();
  return (
    <Layout title={t('appName')}>
      <Busy text={t('loading')} />
    </Layout>
  );
}

/** The app over a wallet. */
export function App({ wallet }: { readonly wallet: Wallet }): ReactNode {
  const [state, setState] = useState<VaultState | undefined>(undefined);
  const { path } = useRoute();

  const refresh = useCallback(async () => {
    setState(await wallet.vault.state());
  }, [wallet]);
  const lock = useCallback(() => {
    wallet.vault.lock();
    setState('locked');
  }, [wallet]);

  useEffect(() => {
    normaliseDeepLink();
    void refresh();
  }, [refresh]);

  // The first screen the citizen can use is on screen: the cold-start figure of bench/wallet.
  useEffect(() => {
    if (state !== undefined && performance.getEntriesByName('openmid:interactive').length === 0)
      requestAnimationFrame(() => performance.mark('openmid:interactive'));
  }, [state]);

  useEffect(() => {
    if (state !== 'unlocked') return;
    let timer = setTimeout(lock, IDLE_LOCK_MS);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(lock, IDLE_LOCK_MS);
    };
    const events = ['pointerdown', 'keydown', 'scroll'] as const;
    for (const e of events) addEventListener(e, touch, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const e of events) removeEventListener(e, touch);
    };
  }, [state, lock]);

  const ctx = useMemo<WalletContextValue>(
    () => ({ wallet, refresh, lock }),
    [wallet, refresh, lock],
  );

  let body: ReactNode;
  if (state === undefined) body = <Loading />;
  else if (path === '/lost') body = <Lost />;
  else if (state === 'new') body = <Onboarding />;
  else if (state === 'locked') body = <Lock />;
  else if (state === 'locked-out') body = <LockedOut />;
  else
    body = (
      <Suspense fallback={<Loading />}>
        <Screen />
      </Suspense>
    );
  return <WalletContext.Provider value={ctx}>{body}</WalletContext.Provider>;
}
