/**
 * @module app
 * The portal's routes on server-kit's base app (request ids, redacting access log, rate limit,
 * `/healthz`, `/readyz`, error mapping):
 *
 * | route | what |
 * | --- | --- |
 * | `GET /` | landing page: links to the wallet, the console, the relying parties, the services |
 * | `GET /console` | agency console (offer form; a citizen's credentials with status actions) |
 * | `POST /console/offers` | create an offer (issuer admin API) and show its QR and tx_code |
 * | `POST /console/credentials/:id/:action` | revoke, suspend or reinstate one credential |
 * | `POST /console/devices/suspend`, `/console/devices/lost` | suspend a device; the lost-phone flow |
 * | `GET /rp/:id` | a demo relying party; `POST /rp/:id/requests` creates a request (QR, link) |
 * | `GET /rp/:id/result/:tx` | its result (JSON, polled by /static/portal.js) |
 * | `GET /rp/police/in-person` | the police checkpoint reads the licence in person (ISO mDL) |
 * | `POST /rp/police/in-person` | read the `mdoc:` engagement server-side (inperson.ts) |
 * | `GET /rp/police/in-person/readings/:id` | a reading's state (JSON, polled by /static/portal.js) |
 *
 * Every POST must come from the portal's own origin (`Sec-Fetch-Site: same-origin`, or an `Origin`
 * naming it): a page elsewhere cannot make the console revoke a credential.
 */
import { readFileSync } from 'node:fs';
import { type App, createApp, type Logger, z } from '@openmid/server-kit';
import { BackendError, type Backends } from './backends.js';
import type { PortalConfig } from './config.js';
import type { Html } from './html.js';
import { type Lang, langOf, tr } from './i18n.js';
import { createInPersonReader, type InPersonReader, READING_ID } from './inperson.js';
import {
  type ConsoleState,
  consolePage,
  DEMO_PARTIES,
  inPersonPage,
  landingPage,
  OFFER_CONFIGURATIONS,
  type PageContext,
  qrSvg,
  readingJson,
  rpPage,
  SCENARIOS,
} from './pages.js';

const STATIC: Readonly<Record<string, { file: string; type: string }>> = {
  '/static/portal.css': { file: 'portal.css', type: 'text/css; charset=utf-8' },
  '/static/portal.js': { file: 'portal.js', type: 'text/javascript; charset=utf-8' },
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const CitizenId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const Thumbprint = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);
const OfferForm = z.object({
  citizen: CitizenId,
  type: z.enum(['resident-id', 'driving-licence', 'disability', 'public-servant', 'employee-id']),
  copies: z.coerce.number().int().min(1).max(10),
});

/** Options of {@link createPortalApp}. */
export interface PortalAppOptions {
  readonly config: PortalConfig;
  readonly backends: Backends;
  readonly logger: Logger;
  /** The police checkpoint's in-person reader (default: over global fetch, see inperson.ts). */
  readonly inPerson?: InPersonReader;
}

function demoCitizenId(i: number): string {
  return `demo-${String(i).padStart(7, '0')}`;
}

/**
 * The portal app.
 *
 * @example
 * ```ts
 * const app = createPortalApp({ config, backends: httpBackends(config), logger })
 * ```
 */
export function createPortalApp(options: PortalAppOptions): App {
  const { config, backends } = options;
  const app = createApp({
    logger: options.logger,
    publicUrl: config.PORTAL_URL,
    rateLimit: { burst: 200, perSecond: 50 },
  });
  const staticFiles = new Map(
    Object.entries(STATIC).map(([path, s]) => [
      path,
      { body: readFileSync(new URL(`./static/${s.file}`, import.meta.url), 'utf8'), type: s.type },
    ]),
  );
  const portalOrigin = new URL(config.PORTAL_URL).origin;
  const inPerson = options.inPerson ?? createInPersonReader({ config, logger: options.logger });

  const page = (h: Html, status = 200) =>
    new Response(`${h.value}\n`, {
      status,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CSP,
        'cache-control': 'no-store',
      },
    });
  const ctxOf = (path: string, lang: Lang): PageContext => ({ lang, path, config });
  const codeOf = (e: unknown) => (e instanceof BackendError ? e.code : 'ERR_INTERNAL');

  /** Same-origin POSTs only (a cross-site form cannot act on the console). */
  const sameOrigin = (req: Request): boolean => {
    // Browsers send Sec-Fetch-Site; with `Referrer-Policy: no-referrer` their Origin is "null".
    const site = req.headers.get('sec-fetch-site');
    if (site !== null) return site === 'same-origin';
    const origin = req.headers.get('origin');
    if (origin === null || origin === 'null') return false;
    try {
      const host = req.headers.get('host');
      return origin === portalOrigin || (host !== null && new URL(origin).host === host);
    } catch {
      return false;
    }
  };

  const citizens = async (): Promise<{ id: string; name?: string }[]> =>
    Promise.all(
      Array.from({ length: config.PORTAL_DEMO_CITIZENS }, async (_, i) => {
        const id = demoCitizenId(i);
        const name = await backends.citizenName(id);
        return name === undefined ? { id } : { id, name };
      }),
    );

  async function consoleState(
    citizen: string,
    extra: Partial<ConsoleState> = {},
  ): Promise<ConsoleState> {
    let credentials: ConsoleState['credentials'];
    let error = extra.error;
    try {
      credentials = await backends.credentials(citizen);
    } catch (e) {
      error ??= codeOf(e);
    }
    return {
      citizen,
      citizens: await citizens(),
      ...(credentials === undefined ? {} : { credentials }),
      ...extra,
      ...(error === undefined ? {} : { error }),
    };
  }

  for (const [path, file] of staticFiles)
    app.get(
      path,
      () =>
        new Response(file.body, {
          headers: { 'content-type': file.type, 'cache-control': 'public, max-age=300' },
        }),
    );

  app.get('/', async (c) => {
    const lang = langOf(c.req.query('lang'));
    const parties = await backends.relyingParties().catch(() => []);
    return page(landingPage(ctxOf(c.req.path + (lang === 'en' ? '?lang=en' : ''), lang), parties));
  });

  app.get('/console', async (c) => {
    const lang = langOf(c.req.query('lang'));
    const parsed = CitizenId.safeParse(c.req.query('citizen') ?? demoCitizenId(0));
    const citizen = parsed.success ? parsed.data : demoCitizenId(0);
    const done = c.req.query('done');
    const state = await consoleState(
      citizen,
      done === undefined ? {} : { done: done.slice(0, 80) },
    );
    const url = new URL(c.req.url);
    return page(consolePage(ctxOf(`${url.pathname}${url.search}`, lang), state));
  });

  app.post('/console/offers', async (c) => {
    if (!sameOrigin(c.req.raw)) return c.text('Forbidden', 403);
    const form = await c.req.parseBody();
    const lang = langOf(typeof form['lang'] === 'string' ? form['lang'] : undefined);
    const input = OfferForm.safeParse(form);
    if (!input.success) return c.text('Bad request', 400);
    const { citizen, type, copies } = input.data;
    try {
      const configurations = OFFER_CONFIGURATIONS[type];
      const offer = await backends.createOffer({
        citizenId: citizen,
        type,
        copies,
        ...(configurations === undefined ? {} : { configurations }),
      });
      const qr = await qrSvg(offer.credential_offer_uri, tr(lang, 'offerQrAlt'));
      const state = await consoleState(citizen, { offer: { offer, type, qr } });
      return page(consolePage(ctxOf(`/console?citizen=${citizen}`, lang), state), 201);
    } catch (e) {
      return page(
        consolePage(ctxOf('/console', lang), await consoleState(citizen, { error: codeOf(e) })),
        502,
      );
    }
  });

  const back = (citizen: string, lang: Lang, done: string) =>
    new Response(null, {
      status: 303,
      headers: {
        location: `/console?citizen=${encodeURIComponent(citizen)}&done=${encodeURIComponent(done)}${lang === 'en' ? '&lang=en' : ''}`,
      },
    });

  app.post('/console/credentials/:id/:action', async (c) => {
    if (!sameOrigin(c.req.raw)) return c.text('Forbidden', 403);
    const form = await c.req.parseBody();
    const lang = langOf(typeof form['lang'] === 'string' ? form['lang'] : undefined);
    const citizen = CitizenId.safeParse(form['citizen']);
    const action = z.enum(['revoke', 'suspend', 'reinstate']).safeParse(c.req.param('action'));
    const id = z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,100}$/)
      .safeParse(c.req.param('id'));
    if (!citizen.success || !action.success || !id.success) return c.text('Bad request', 400);
    try {
      await backends.changeStatus(id.data, action.data);
      return back(citizen.data, lang, tr(lang, action.data));
    } catch (e) {
      return page(
        consolePage(
          ctxOf('/console', lang),
          await consoleState(citizen.data, { error: codeOf(e) }),
        ),
        502,
      );
    }
  });

  app.post('/console/devices/:what', async (c) => {
    if (!sameOrigin(c.req.raw)) return c.text('Forbidden', 403);
    const form = await c.req.parseBody();
    const lang = langOf(typeof form['lang'] === 'string' ? form['lang'] : undefined);
    const citizen = CitizenId.safeParse(form['citizen']);
    const device = Thumbprint.safeParse(form['device']);
    const what = z.enum(['suspend', 'lost']).safeParse(c.req.param('what'));
    if (!citizen.success || !device.success || !what.success) return c.text('Bad request', 400);
    try {
      if (what.data === 'suspend') {
        await backends.suspendDevice(citizen.data, device.data);
        return back(citizen.data, lang, tr(lang, 'suspendDevice'));
      }
      const report = await backends.lostPhone(citizen.data, device.data);
      const offers = await Promise.all(
        report.offers.map(async (offer) => ({
          offer,
          qr: await qrSvg(offer.credential_offer_uri, tr(lang, 'offerQrAlt')),
        })),
      );
      const state = await consoleState(citizen.data, {
        lost: { suspended: report.suspended, offers },
      });
      return page(consolePage(ctxOf(`/console?citizen=${citizen.data}`, lang), state));
    } catch (e) {
      return page(
        consolePage(
          ctxOf('/console', lang),
          await consoleState(citizen.data, { error: codeOf(e) }),
        ),
        502,
      );
    }
  });

  const findRp = async (id: string) => {
    if (!DEMO_PARTIES.includes(id)) return undefined;
    return (await backends.relyingParties()).find((r) => r.id === id);
  };

  app.get('/rp/:id', async (c) => {
    const lang = langOf(c.req.query('lang'));
    const url = new URL(c.req.url);
    try {
      const rp = await findRp(c.req.param('id'));
      if (rp === undefined) return c.text('Not found', 404);
      return page(rpPage(ctxOf(`${url.pathname}${url.search}`, lang), rp, {}));
    } catch (e) {
      return c.text(`Unavailable: ${codeOf(e)}`, 503);
    }
  });

  app.post('/rp/:id/requests', async (c) => {
    if (!sameOrigin(c.req.raw)) return c.text('Forbidden', 403);
    const form = await c.req.parseBody();
    const lang = langOf(typeof form['lang'] === 'string' ? form['lang'] : undefined);
    const id = c.req.param('id');
    let rp: Awaited<ReturnType<typeof findRp>>;
    try {
      rp = await findRp(id);
    } catch (e) {
      return c.text(`Unavailable: ${codeOf(e)}`, 503);
    }
    const scenario = (SCENARIOS[id] ?? []).find((s) => s.key === form['scenario']);
    if (rp === undefined || scenario === undefined) return c.text('Not found', 404);
    const ctx = ctxOf(`/rp/${id}${lang === 'en' ? '?lang=en' : ''}`, lang);
    try {
      const created =
        scenario.overAsk === undefined
          ? await backends.createRequest(id, scenario.body)
          : await backends.createOverAsk(id, scenario.overAsk, scenario.body);
      const qr = await qrSvg(created.request_link, tr(lang, 'requestQrAlt'));
      return page(rpPage(ctx, rp, { request: { scenario, created, qr } }), 201);
    } catch (e) {
      return page(rpPage(ctx, rp, { error: codeOf(e) }), 502);
    }
  });

  app.get('/rp/:id/result/:tx', async (c) => {
    const id = c.req.param('id');
    const tx = c.req.param('tx');
    if (!DEMO_PARTIES.includes(id) || !/^[A-Za-z0-9_-]{8,100}$/.test(tx))
      return c.json({ code: 'ERR_HTTP_NOT_FOUND' }, 404);
    try {
      return c.json(await backends.result(id, tx), 200, { 'cache-control': 'no-store' });
    } catch (e) {
      return c.json({ code: codeOf(e) }, 200, { 'cache-control': 'no-store' });
    }
  });

  // The police checkpoint reads the licence in person: the portal server is the ISO 18013-5 reader.
  app.get('/rp/police/in-person', (c) => {
    const lang = langOf(c.req.query('lang'));
    const url = new URL(c.req.url);
    const id = c.req.query('reading');
    const ctx = ctxOf(`${url.pathname}${url.search}`, lang);
    if (id === undefined) return page(inPersonPage(ctx, {}));
    const view = inPerson.get(id) ?? { outcome: 'failed', code: 'ERR_HTTP_NOT_FOUND' };
    return page(inPersonPage(ctx, { reading: { id, view } }));
  });

  app.post('/rp/police/in-person', async (c) => {
    if (!sameOrigin(c.req.raw)) return c.text('Forbidden', 403);
    const form = await c.req.parseBody();
    const lang = langOf(typeof form['lang'] === 'string' ? form['lang'] : undefined);
    const engagement = typeof form['engagement'] === 'string' ? form['engagement'] : '';
    const reading = await inPerson.start(engagement);
    const ctx = ctxOf(`/rp/police/in-person${lang === 'en' ? '?lang=en' : ''}`, lang);
    return page(inPersonPage(ctx, { reading }), reading.view.outcome === 'waiting' ? 202 : 422);
  });

  app.get('/rp/police/in-person/readings/:id', (c) => {
    const lang = langOf(c.req.query('lang'));
    const id = c.req.param('id');
    const view = READING_ID.test(id) ? inPerson.get(id) : undefined;
    if (view === undefined)
      return c.json(readingJson({ outcome: 'failed', code: 'ERR_HTTP_NOT_FOUND' }, lang), 404, {
        'cache-control': 'no-store',
      });
    return c.json(readingJson(view, lang), 200, { 'cache-control': 'no-store' });
  });

  return app;
}
