/**
 * @module ui/router
 * A few lines of routing over the History API: the wallet's screens are paths (`/`, `/cards/:id`,
 * `/receive`, `/present`, `/offline`, `/in-person`, `/history`, `/settings`, `/lost`), so deep links work — the
 * same-page offer route (`/receive?offer=…`, `/?offer=…`) and the verifier's same-device link
 * (`/present?client_id=…&request_uri=…`, or those parameters on `/`).
 */
import { useEffect, useState } from 'react';

/** Where the app is. */
export interface Route {
  readonly path: string;
  readonly params: URLSearchParams;
  /** Counts navigations: a screen keyed by it starts afresh even when the path is the same. */
  readonly seq: number;
}

let seq = 0;

function current(): Route {
  return { path: location.pathname, params: new URLSearchParams(location.search), seq };
}

const listeners = new Set<() => void>();

// Back and forward buttons: one listener for the whole app.
if (typeof addEventListener === 'function')
  addEventListener('popstate', () => {
    seq += 1;
    for (const l of listeners) l();
  });

/** Go to `to` (a path with an optional query). */
export function navigate(to: string, options: { readonly replace?: boolean } = {}): void {
  if (options.replace === true) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  seq += 1;
  for (const l of listeners) l();
  // The new screen's heading takes the focus (screen readers hear where they are).
  queueMicrotask(() => {
    const h = document.querySelector<HTMLElement>('main h1');
    h?.focus();
  });
}

/** The current route, re-rendering on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const update = () => setRoute(current());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return route;
}

/**
 * The route an incoming deep link means: the offer and request parameters may arrive on `/` (the
 * verifier's `same_device_url` is `<wallet>?client_id=…`) and are moved to their screens.
 */
export function normaliseDeepLink(): void {
  const { path, params } = current();
  if (path !== '/') return;
  if (params.has('offer') || params.has('credential_offer') || params.has('credential_offer_uri'))
    navigate(`/receive${location.search}`, { replace: true });
  else if (params.has('client_id') && params.has('request_uri'))
    navigate(`/present${location.search}`, { replace: true });
}
