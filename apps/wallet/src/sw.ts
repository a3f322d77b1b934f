/**
 * @module sw
 * The wallet's service worker: it precaches the app shell (every hashed asset, `index.html`, the
 * manifest and icons — the list is written in at build time) so the installed wallet starts and
 * shows its cards and offline QR codes without a network (issue 5 §1). It never touches requests
 * to other origins (issuers, verifiers, the ledger): those always go to the network, uncached.
 *
 * - Navigations: the network first (a fresh `index.html` after an update), the cached shell when
 *   offline — every route of the single-page app is the same shell.
 * - Same-origin GETs: the precache first (hashed files never change), then the network.
 * - `/config.json` and `/healthz`: network only.
 * - A new version installs beside the old one, takes over at once and deletes older caches.
 */

/** The few service-worker types used here (the DOM lib has no ServiceWorkerGlobalScope). */
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface SwScope {
  readonly location: Location;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', f: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', f: (e: FetchEvent) => void): void;
}

const sw = self as unknown as SwScope;
// Set at build time (vite.config.ts prepends them); in development nothing is precached.
const built = self as unknown as { __OPENMID_PRECACHE__?: string[]; __OPENMID_VERSION__?: string };
const FILES: string[] = built.__OPENMID_PRECACHE__ ?? [];
const CACHE = `openmid-wallet-${built.__OPENMID_VERSION__ ?? 'dev'}`;
const NETWORK_ONLY = new Set(['/config.json', '/healthz']);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys())
        if (name.startsWith('openmid-wallet-') && name !== CACHE) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== sw.location.origin || NETWORK_ONLY.has(url.pathname))
    return;
  if (req.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          return await fetch(req);
        } catch {
          const shell = await caches.match('/', { cacheName: CACHE });
          return shell ?? Response.error();
        }
      })(),
    );
    return;
  }
  event.respondWith((async () => (await caches.match(req, { cacheName: CACHE })) ?? fetch(req))());
});
