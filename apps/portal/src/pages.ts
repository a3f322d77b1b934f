/**
 * @module pages
 * The portal's pages, rendered on the server (Korean first, `?lang=en`): the landing page, the
 * agency console and the demo relying parties. Accessible by construction: one `<h1>`, labelled
 * fields, tables with headers, live regions for results, language attributes, visible focus.
 */
import {
  CREDENTIAL_TYPES,
  DRIVING_LICENCE,
  findCredentialType,
  RESIDENT_ID,
} from '@openmid/profile-kr';
import QRCode from 'qrcode';
import type { CredentialRow, Offer, PresentationRequest, Registration } from './backends.js';
import type { PortalConfig } from './config.js';
import { type Html, html, raw } from './html.js';
import { type Lang, type PortalStringKey, tr } from './i18n.js';
import { POLICE_ELEMENTS, type ReadingView, type ReadLicence } from './inperson.js';

/**
 * The credential configurations the console offers per card type (issuer admin API
 * `configurations`): the driving licence in both forms, the SD-JWT VC to present online and the
 * ISO mDL (`mso_mdoc`) to show in person (issue 7 §2); every other type as its SD-JWT VC only.
 */
export const OFFER_CONFIGURATIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'driving-licence': Object.freeze(['driving-licence', 'driving-licence-mdoc']),
});

/** One way a demo relying party asks. */
export interface Scenario {
  readonly key: string;
  readonly label: { readonly ko: string; readonly en: string };
  /** `POST /v1/presentations` body (a preset or a DCQL query). */
  readonly body: Record<string, unknown>;
  /** Claims beyond the registration (the over-asking demo). */
  readonly overAsk?: readonly (readonly string[])[];
}

function eitherCard(claims: readonly string[]): Record<string, unknown> {
  const q = (id: string, vct: string) => ({
    id,
    format: 'dc+sd-jwt',
    meta: { vct_values: [vct] },
    claims: claims.map((c) => ({ path: [c] })),
  });
  return {
    dcql: {
      credentials: [q('resident_card', RESIDENT_ID.vct), q('driving_licence', DRIVING_LICENCE.vct)],
      credential_sets: [{ options: [['resident_card'], ['driving_licence']] }],
    },
  };
}

function licence(claims: readonly string[]): Record<string, unknown> {
  return {
    dcql: {
      credentials: [
        {
          id: 'driving_licence',
          format: 'dc+sd-jwt',
          meta: { vct_values: [DRIVING_LICENCE.vct] },
          claims: claims.map((c) => ({ path: [c] })),
        },
      ],
    },
  };
}

/** The demo relying parties' requests (each within its registration, but one). */
export const SCENARIOS: Readonly<Record<string, readonly Scenario[]>> = Object.freeze({
  bank: [
    {
      key: 'open-account',
      label: {
        ko: '비대면 계좌 개설: 이름, 주민등록번호, 생년월일, 주소',
        en: 'Open an account online: name, resident number, date of birth, address',
      },
      body: eitherCard(['name', 'rrn', 'birth_date', 'address']),
    },
    {
      key: 'over-ask',
      label: {
        ko: '데모: 등록 범위를 넘는 요청 (얼굴 사진까지)',
        en: 'Demo: ask beyond the registration (a face photo too)',
      },
      body: eitherCard(['name', 'rrn', 'birth_date', 'address', 'portrait']),
      overAsk: [['portrait']],
    },
  ],
  'convenience-store': [
    {
      key: 'age',
      label: {
        ko: '주류·담배 판매: 만 19세 이상 여부만',
        en: 'Alcohol or tobacco sale: 19 or older only',
      },
      body: { preset: 'age-over-19' },
    },
  ],
  'police-checkpoint': [
    {
      key: 'licence',
      label: {
        ko: '운전자격 확인: 이름, 생년월일, 면허번호, 면허종별, 적성검사기간, 사진',
        en: 'Licence check: name, birth date, licence number, classes, renewal period, photo',
      },
      body: licence([
        'name',
        'birth_date',
        'licence_number',
        'licence_classes',
        'aptitude_test_period',
        'portrait',
      ]),
    },
  ],
  'car-rental': [
    {
      key: 'rental',
      label: {
        ko: '차량 대여: 이름, 면허종별, 적성검사기간',
        en: 'Car rental: name, licence classes, renewal period',
      },
      body: licence(['name', 'licence_classes', 'aptitude_test_period']),
    },
  ],
});

/** The demo relying parties, in the order the landing page lists them. */
export const DEMO_PARTIES: readonly string[] = Object.freeze(Object.keys(SCENARIOS));

/** An SVG QR code of `text` (error correction M, quiet zone 4). */
export async function qrSvg(text: string, label: string): Promise<Html> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  return html`<figure class="qr">${raw(
    svg.replace('<svg ', `<svg role="img" aria-label="${label.replace(/"/g, '')}" `),
  )}</figure>`;
}

/** Page context. */
export interface PageContext {
  readonly lang: Lang;
  readonly path: string;
  readonly config: PortalConfig;
}

function withLang(href: string, lang: Lang): string {
  if (lang === 'ko') return href;
  return `${href}${href.includes('?') ? '&' : '?'}lang=en`;
}

/** The page frame. */
export function layout(ctx: PageContext, title: string, body: Html): Html {
  const t = (k: PortalStringKey) => tr(ctx.lang, k);
  const other: Lang = ctx.lang === 'ko' ? 'en' : 'ko';
  const [path, query = ''] = ctx.path.split('?');
  const params = new URLSearchParams(query);
  params.delete('lang');
  if (other === 'en') params.set('lang', 'en');
  const switchHref = `${path}${params.size > 0 ? `?${params.toString()}` : ''}`;
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · OpenMID</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/portal.css">
<script src="/static/portal.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t('skip')}</a>
<header class="top">
  <a class="brand" href="${withLang('/', ctx.lang)}">OpenMID</a>
  <nav aria-label="${t('services')}">
    <a href="${withLang('/console', ctx.lang)}">${t('consoleLink')}</a>
    <a href="${ctx.config.WALLET_URL}">${t('walletLink')}</a>
  </nav>
  <a class="lang" href="${switchHref}" lang="${other}" hreflang="${other}">${t('otherLang')}</a>
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** The landing page. */
export function landingPage(ctx: PageContext, parties: readonly Registration[]): Html {
  const t = (k: PortalStringKey) => tr(ctx.lang, k);
  const name = (id: string) => parties.find((p) => p.id === id)?.names[ctx.lang] ?? id;
  return layout(
    ctx,
    t('title'),
    html`<p class="lead">${t('intro')}</p>
<ol class="steps">
  <li><h2>${t('step1')}</h2><p>${t('step1Body')}</p>
    <p><a class="button" href="${ctx.config.WALLET_URL}">${t('openWallet')}</a></p></li>
  <li><h2>${t('step2')}</h2><p>${t('step2Body')}</p>
    <p><a class="button" href="${withLang('/console', ctx.lang)}">${t('openConsole')}</a></p></li>
  <li><h2>${t('step3')}</h2><p>${t('step3Body')}</p>
    <ul class="parties">${DEMO_PARTIES.map(
      (id) =>
        html`<li><a class="button secondary" href="${withLang(`/rp/${id}`, ctx.lang)}">${name(id)}</a></li>`,
    )}</ul></li>
</ol>
<h2>${t('services')}</h2>
<ul>
  <li><a href="${ctx.config.ISSUER_URL}/.well-known/openid-credential-issuer">Issuer (OpenID4VCI)</a> — ${ctx.config.ISSUER_URL}</li>
  <li><a href="${ctx.config.VERIFIER_URL}/openapi.json">Verifier (OpenID4VP)</a> — ${ctx.config.VERIFIER_URL}</li>
  <li><a href="${ctx.config.WALLET_URL}">Wallet</a> — ${ctx.config.WALLET_URL}</li>
  ${ctx.config.LEDGER_URL === undefined ? '' : html`<li><a href="${ctx.config.LEDGER_URL}/v1/ledger">Trust ledger</a> — ${ctx.config.LEDGER_URL}</li>`}
</ul>`,
  );
}

function typeLabel(type: string, lang: Lang): string {
  try {
    return findCredentialType(type).labels[lang];
  } catch {
    return type;
  }
}

/** What the console shows besides the forms. */
export interface ConsoleState {
  readonly citizen: string;
  readonly citizens: readonly { readonly id: string; readonly name?: string }[];
  readonly credentials?: readonly CredentialRow[];
  readonly offer?: { readonly offer: Offer; readonly type: string; readonly qr: Html };
  readonly lost?: {
    readonly suspended: number;
    readonly offers: readonly { readonly offer: Offer; readonly qr: Html }[];
  };
  readonly done?: string;
  readonly error?: string;
}

function hidden(ctx: PageContext, citizen: string): Html {
  return html`<input type="hidden" name="citizen" value="${citizen}">${
    ctx.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''
  }`;
}

function offerBlock(ctx: PageContext, offer: Offer, qr: Html, heading: string): Html {
  const t = (k: PortalStringKey) => tr(ctx.lang, k);
  const sameDevice = `${ctx.config.WALLET_URL}/receive?offer=${encodeURIComponent(offer.credential_offer_uri)}`;
  return html`<section class="offer" aria-labelledby="offer-${offer.offer_id}">
<h2 id="offer-${offer.offer_id}">${heading}</h2>
<div class="offer-body">
  ${qr}
  <div>
    <p>${t('txCode')}</p>
    <p class="tx-code" data-tx-code="${offer.tx_code}">${offer.tx_code}</p>
    <p><a class="button" href="${sameDevice}">${t('openOnThisDevice')}</a></p>
    <details><summary>${t('offerLink')}</summary><p class="mono" data-offer-uri>${offer.credential_offer_uri}</p></details>
  </div>
</div>
</section>`;
}

/** The agency console. */
export function consolePage(ctx: PageContext, state: ConsoleState): Html {
  const t = (k: PortalStringKey, v?: Record<string, string | number>) => tr(ctx.lang, k, v);
  const citizenLabel = (c: { id: string; name?: string }) =>
    c.name === undefined ? c.id : `${c.name} (${c.id})`;
  const devices = [...new Set((state.credentials ?? []).map((c) => c.device_id))];
  return layout(
    ctx,
    t('consoleTitle'),
    html`<p class="lead">${t('consoleIntro')}</p>
${state.error === undefined ? '' : html`<div class="notice error" role="alert"><p>${t('error')}: <code>${state.error}</code></p></div>`}
${state.done === undefined ? '' : html`<div class="notice success" role="status"><p>${t('changed', { what: state.done })}</p></div>`}
${state.offer === undefined ? '' : offerBlock(ctx, state.offer.offer, state.offer.qr, `${t('offerReady')}: ${typeLabel(state.offer.type, ctx.lang)}${OFFER_CONFIGURATIONS[state.offer.type] === undefined ? '' : ` — ${t('licenceForms')}`}`)}
${
  state.lost === undefined
    ? ''
    : html`<div class="notice success" role="status"><p>${t('lostDone', { n: state.lost.suspended })}</p></div>
${state.lost.offers.map((o) => offerBlock(ctx, o.offer, o.qr, t('offerReady')))}`
}
<section aria-labelledby="issue-h">
<h2 id="issue-h">${t('offerTitle')}</h2>
<form method="post" action="/console/offers" class="stack">
  ${ctx.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
  <label for="citizen">${t('citizen')}</label>
  <select id="citizen" name="citizen">${state.citizens.map(
    (c) =>
      html`<option value="${c.id}" ${c.id === state.citizen ? 'selected' : ''}>${citizenLabel(c)}</option>`,
  )}</select>
  <label for="type">${t('credentialType')}</label>
  <select id="type" name="type" aria-describedby="type-note">${CREDENTIAL_TYPES.map(
    (ty) =>
      html`<option value="${ty.name}" ${ty.name === 'driving-licence' ? 'selected' : ''}>${ty.labels[ctx.lang]}${OFFER_CONFIGURATIONS[ty.name] === undefined ? '' : ` (${t('licenceForms')})`}</option>`,
  )}</select>
  <p class="hint" id="type-note" data-forms="driving-licence">${t('licenceFormsNote')}</p>
  <label for="copies">${t('copies')}</label>
  <select id="copies" name="copies">${[1, 2, 3].map(
    (n) => html`<option value="${n}" ${n === 3 ? 'selected' : ''}>${n}</option>`,
  )}</select>
  <button type="submit" class="button">${t('createOffer')}</button>
</form>
</section>
<section aria-labelledby="manage-h">
<h2 id="manage-h">${t('manageTitle')}</h2>
<form method="get" action="/console" class="inline">
  ${ctx.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
  <label for="citizen-view">${t('citizen')}</label>
  <select id="citizen-view" name="citizen">${state.citizens.map(
    (c) =>
      html`<option value="${c.id}" ${c.id === state.citizen ? 'selected' : ''}>${citizenLabel(c)}</option>`,
  )}</select>
  <button type="submit" class="button secondary">${t('show')}</button>
</form>
${
  state.credentials === undefined
    ? ''
    : state.credentials.length === 0
      ? html`<p>${t('noCredentials')}</p>`
      : html`<div class="table-wrap"><table>
<caption>${citizenLabel(state.citizens.find((c) => c.id === state.citizen) ?? { id: state.citizen })}</caption>
<thead><tr><th scope="col">${t('credential')}</th><th scope="col">${t('status')}</th><th scope="col">${t('device')}</th><th scope="col">${t('issuedAt')}</th><th scope="col">${t('actions')}</th></tr></thead>
<tbody>${state.credentials.map(
          (c) => html`<tr data-credential="${c.credential_id}">
<td>${typeLabel(c.type, ctx.lang)}</td>
<td><span class="status status-${c.status}">${c.status}</span></td>
<td class="mono">${c.device_id.slice(0, 10)}…</td>
<td>${c.issued_at.slice(0, 16).replace('T', ' ')}</td>
<td class="row-actions">${(['suspend', 'reinstate', 'revoke'] as const).map(
            (a) =>
              html`<form method="post" action="/console/credentials/${c.credential_id}/${a}">${hidden(ctx, state.citizen)}<button type="submit" class="button small ${a === 'revoke' ? 'danger' : 'secondary'}">${t(a)}</button></form>`,
          )}</td></tr>`,
        )}</tbody></table></div>
${devices.map(
  (d) => html`<div class="device" data-device="${d}">
<p><strong>${t('device')}</strong> <span class="mono">${d}</span></p>
<form method="post" action="/console/devices/suspend">${hidden(ctx, state.citizen)}<input type="hidden" name="device" value="${d}"><button type="submit" class="button secondary">${t('suspendDevice')}</button></form>
<form method="post" action="/console/devices/lost">${hidden(ctx, state.citizen)}<input type="hidden" name="device" value="${d}"><button type="submit" class="button danger">${t('lostPhone')}</button></form>
</div>`,
)}`
}
</section>`,
  );
}

/** Claim labels for the result table (both types), by claim name. */
function claimLabels(lang: Lang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ty of CREDENTIAL_TYPES) for (const c of ty.claims) out[c.name] ??= c.labels[lang];
  return out;
}

/** A relying party's page (and, after a request, its QR and live result). */
export function rpPage(
  ctx: PageContext,
  rp: Registration,
  state: {
    readonly request?: {
      readonly scenario: Scenario;
      readonly created: PresentationRequest;
      readonly qr: Html;
    };
    readonly error?: string;
  },
): Html {
  const t = (k: PortalStringKey) => tr(ctx.lang, k);
  const scenarios = SCENARIOS[rp.id] ?? [];
  const labels = claimLabels(ctx.lang);
  return layout(
    ctx,
    `${rp.names[ctx.lang]} — ${t('rpTitle')}`,
    html`<dl class="facts">
<dt>${t('rpPurpose')}</dt><dd>${rp.purpose[ctx.lang]}</dd>
<dt>${t('rpRegistered')}</dt><dd><ul>${rp.requests.map(
      (r) =>
        html`<li>${typeLabel(r.vct, ctx.lang)}: ${r.claims.map((p) => labels[String(p[0])] ?? p.join('.')).join(', ')}</li>`,
    )}</ul></dd>
<dt>${t('rpLegalBasis')}</dt><dd>${rp.rrnLegalBasis ?? t('none')}</dd>
</dl>
${rp.id === 'police-checkpoint' ? html`<p><a class="button secondary" id="in-person-link" href="${withLang('/rp/police/in-person', ctx.lang)}">${t('inPersonLink')}</a></p>` : ''}
${state.error === undefined ? '' : html`<div class="notice error" role="alert"><p>${t('error')}: <code>${state.error}</code></p></div>`}
${
  state.request === undefined
    ? html`<section aria-labelledby="ask-h"><h2 id="ask-h">${t('askButton')}</h2>
${scenarios.map(
  (s) => html`<form method="post" action="/rp/${rp.id}/requests" class="scenario">
${ctx.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<input type="hidden" name="scenario" value="${s.key}">
<button type="submit" class="button ${s.overAsk === undefined ? '' : 'warning'}" data-scenario="${s.key}">${s.label[ctx.lang]}</button>
</form>`,
)}</section>`
    : html`<section class="request" aria-labelledby="req-h">
<h2 id="req-h">${state.request.scenario.label[ctx.lang]}</h2>
${state.request.scenario.overAsk === undefined ? '' : html`<div class="notice warning"><p>${t('overAskNote')}</p></div>`}
<p>${t('scanThis')}</p>
${state.request.qr}
<p><a class="button secondary" href="${state.request.created.same_device_url}">${t('sameDevice')}</a></p>
<details><summary>request_link</summary><p class="mono" data-request-link>${state.request.created.request_link}</p></details>
<div id="result" class="result" role="status" aria-live="polite"
  data-poll="/rp/${rp.id}/result/${state.request.created.transaction_id}"
  data-labels="${JSON.stringify(labels)}"
  data-text-waiting="${t('waiting')}" data-text-verified="${t('verified')}"
  data-text-refused="${t('refused')}" data-text-expired="${t('expired')}" data-text-issuer="${t('issuer')}"
  data-lang="${ctx.lang}">${t('waiting')}</div>
<p><a href="${withLang(`/rp/${rp.id}`, ctx.lang)}">${t('back')}</a></p>
</section>`
}`,
  );
}

/** ISO/IEC 18013-1 Annex B vehicle categories, in words. */
const CATEGORY_WORDS: Readonly<Record<string, { readonly ko: string; readonly en: string }>> = {
  AM: { ko: '원동기장치자전거', en: 'mopeds' },
  A1: { ko: '소형 이륜자동차', en: 'light motorcycles' },
  A2: { ko: '중형 이륜자동차', en: 'medium motorcycles' },
  A: { ko: '이륜자동차', en: 'motorcycles' },
  B1: { ko: '삼륜·사륜 경차량', en: 'tricycles and quadricycles' },
  B: { ko: '승용차·소형 화물차', en: 'cars' },
  BE: { ko: '승용차 + 트레일러', en: 'cars with a trailer' },
  C1: { ko: '중형 화물차', en: 'medium lorries' },
  C1E: { ko: '중형 화물차 + 트레일러', en: 'medium lorries with a trailer' },
  C: { ko: '대형 화물차', en: 'lorries' },
  CE: { ko: '대형 화물차 + 트레일러', en: 'lorries with a trailer' },
  D1: { ko: '소형 승합차', en: 'minibuses' },
  D1E: { ko: '소형 승합차 + 트레일러', en: 'minibuses with a trailer' },
  D: { ko: '승합차(버스)', en: 'buses' },
  DE: { ko: '승합차 + 트레일러', en: 'buses with a trailer' },
};

/** One row of a read licence, ready to show (text is escaped when rendered). */
export interface LicenceRow {
  readonly id: string;
  readonly label: string;
  readonly text?: string;
  /** Driving privileges, one line each. */
  readonly lines?: readonly string[];
  /** A `data:` image (the portrait). */
  readonly image?: string;
  readonly alt?: string;
}

/** The rows of a read licence in `lang` (issuer and status first, then the elements asked for). */
export function licenceRows(licence: ReadLicence, lang: Lang): LicenceRow[] {
  const t = (k: PortalStringKey) => tr(lang, k);
  const rows: LicenceRow[] = [
    { id: 'issuer', label: t('issuer'), text: licence.issuer.name?.[lang] ?? licence.issuer.id },
    {
      id: 'status',
      label: t('statusLabel'),
      text:
        licence.status === 'valid'
          ? t('statusValid')
          : licence.status === 'none'
            ? t('statusNone')
            : licence.status,
    },
  ];
  for (const e of POLICE_ELEMENTS) {
    const label = t(`el_${e}`);
    if (e === 'portrait') {
      if (licence.portrait === undefined) continue;
      rows.push(
        licence.portrait === null
          ? { id: e, label, text: t('portraitUnsupported') }
          : { id: e, label, image: licence.portrait, alt: t('portraitAlt') },
      );
    } else if (e === 'driving_privileges') {
      if (licence.driving_privileges === undefined) continue;
      rows.push({
        id: e,
        label,
        lines: licence.driving_privileges.map((p) => {
          const words = CATEGORY_WORDS[p.category]?.[lang];
          const until =
            p.expiryDate === undefined ? '' : ` · ${p.expiryDate} ${t('privilegeUntil')}`;
          const codes =
            p.codes.length === 0 ? '' : ` · ${t('privilegeCodes')}: ${p.codes.join(', ')}`;
          return `${p.category}${words === undefined ? '' : ` (${words})`}${until}${codes}`;
        }),
      });
    } else {
      const v = licence[e];
      if (v !== undefined) rows.push({ id: e, label, text: v });
    }
  }
  return rows;
}

/** The message of a failure code in `lang`. */
export function failureText(code: string, lang: Lang): string {
  const key = `fail_${code}`;
  return tr(lang, (key in KNOWN_FAILURES ? key : 'fail_other') as PortalStringKey);
}

const KNOWN_FAILURES: Readonly<Record<string, true>> = Object.fromEntries(
  [
    'ERR_MDOC_ENGAGEMENT_INVALID',
    'ERR_MDOC_MALFORMED',
    'ERR_MDOC_RELAY_SESSION_UNKNOWN',
    'ERR_MDOC_RELAY_SESSION_TAKEN',
    'ERR_MDOC_SESSION_TERMINATED',
    'ERR_STATUS_REVOKED',
    'ERR_STATUS_SUSPENDED',
    'ERR_TRUST_SOURCE_UNAVAILABLE',
    'ERR_HTTP_RATE_LIMITED',
    'ERR_HTTP_NOT_FOUND',
  ].map((c) => [`fail_${c}`, true]),
);

/** The JSON a reading's poll answers (rows rendered for `lang`; no personal data in the URL). */
export function readingJson(view: ReadingView, lang: Lang): Record<string, unknown> {
  if (view.outcome === 'waiting')
    return { outcome: 'waiting', message: tr(lang, 'readingWaiting') };
  if (view.outcome === 'failed')
    return {
      outcome: 'failed',
      code: view.code,
      title: tr(lang, 'readingFailed'),
      message: failureText(view.code, lang),
    };
  return {
    outcome: 'verified',
    title: tr(lang, 'readingVerified'),
    rows: licenceRows(view.licence, lang),
  };
}

function resultBody(view: ReadingView, lang: Lang): Html {
  const t = (k: PortalStringKey) => tr(lang, k);
  if (view.outcome === 'waiting') return html`<p class="result-title">${t('readingWaiting')}</p>`;
  if (view.outcome === 'failed')
    return html`<p class="result-title">✗ ${t('readingFailed')}</p>
<p>${failureText(view.code, lang)}</p>
<p>${t('code')}: <code data-code>${view.code}</code></p>`;
  return html`<p class="result-title">✔ ${t('readingVerified')}</p>
<table><tbody>${licenceRows(view.licence, lang).map(
    (r) =>
      html`<tr data-claim="${r.id}"><th scope="row">${r.label}</th><td>${
        r.image !== undefined
          ? html`<img class="portrait" src="${r.image}" alt="${r.alt ?? ''}">`
          : r.lines !== undefined
            ? html`<ul class="privileges">${r.lines.map((l) => html`<li>${l}</li>`)}</ul>`
            : (r.text ?? '')
      }</td></tr>`,
  )}</tbody></table>`;
}

/** The police checkpoint's in-person page: the form, and after a read its live result. */
export function inPersonPage(
  ctx: PageContext,
  state: { readonly reading?: { readonly id?: string; readonly view: ReadingView } },
): Html {
  const t = (k: PortalStringKey) => tr(ctx.lang, k);
  const reading = state.reading;
  const poll =
    reading?.id !== undefined && reading.view.outcome === 'waiting'
      ? `/rp/police/in-person/readings/${reading.id}${ctx.lang === 'en' ? '?lang=en' : ''}`
      : undefined;
  return layout(
    ctx,
    t('inPersonTitle'),
    html`<p class="lead">${t('inPersonIntro')}</p>
<section aria-labelledby="asked-h">
<h2 id="asked-h">${t('inPersonAsked')}</h2>
<ul class="asked">${POLICE_ELEMENTS.map((e) => html`<li data-element="${e}">${t(`el_${e}`)}</li>`)}</ul>
</section>
${
  reading === undefined
    ? html`<section aria-labelledby="read-h">
<h2 id="read-h">${t('readButton')}</h2>
<form method="post" action="/rp/police/in-person" class="stack" id="in-person-form">
  ${ctx.lang === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
  <label for="engagement">${t('engagementLabel')}</label>
  <textarea id="engagement" name="engagement" rows="4" required maxlength="12000" spellcheck="false" autocomplete="off" aria-describedby="engagement-hint" class="mono"></textarea>
  <p class="hint" id="engagement-hint">${t('engagementHint')}</p>
  <p class="scan-row"><button type="button" class="button secondary" id="scan" hidden data-text-stop="${t('scanStop')}" data-text-start="${t('scanButton')}" data-text-unavailable="${t('scanUnavailable')}">${t('scanButton')}</button></p>
  <video id="scan-video" hidden muted playsinline aria-label="${t('scanVideo')}"></video>
  <p id="scan-status" class="hint" role="status" aria-live="polite"></p>
  <button type="submit" class="button" id="read">${t('readButton')}</button>
</form>
</section>`
    : html`<section aria-labelledby="result-h">
<h2 id="result-h">${t('readButton')}</h2>
<div id="result" class="result ${reading.view.outcome === 'verified' ? 'verified' : reading.view.outcome === 'failed' ? 'failed' : ''}" role="status" aria-live="polite"
  data-outcome="${reading.view.outcome}" data-reading-poll="${poll ?? ''}" data-text-code="${t('code')}">${resultBody(reading.view, ctx.lang)}</div>
${
  poll === undefined
    ? ''
    : html`<noscript><p>${t('noScript')} <a href="/rp/police/in-person?reading=${reading.id ?? ''}${ctx.lang === 'en' ? '&lang=en' : ''}">${t('refresh')}</a></p></noscript>`
}
<p><a class="button secondary" id="read-another" href="${withLang('/rp/police/in-person', ctx.lang)}">${t('readAnother')}</a></p>
</section>`
}
<p><a href="${withLang('/rp/police-checkpoint', ctx.lang)}">${t('back')}</a></p>`,
  );
}
