/**
 * @module http/web
 * The browser-facing routes:
 *
 * 1. the authorization code flow for a citizen signing in on the web (OpenID4VCI 1.0 §5, RFC 6749
 *    §4.1, RFC 7636 PKCE S256 only, RFC 9126 PAR required):
 *    `POST /par` stores the request (60 s, single use) → `GET /authorize?client_id&request_uri`
 *    consumes it and sends the browser to the identity provider → `GET /authorize/callback`
 *    verifies the ID token, maps the subject to a register citizen, creates an authorised offer
 *    row and redirects to the wallet with `code`, `state` and `iss` (RFC 9207). The wallet is a
 *    public client: no client authentication, PKCE binds the code to it, and PAR lets it use an
 *    unregistered redirect URI (RFC 9126 §2.4);
 * 2. the citizen's own lost-phone report (`/citizen`): sign in through the same identity provider,
 *    see the devices holding one's mobile IDs, report one lost (services/devices.ts), get the
 *    re-issuance offers as QR codes. The session is a MAC'd cookie (HttpOnly, SameSite=Lax, 15
 *    minutes) and the form carries a CSRF token bound to it.
 */
import { OpenMidError } from '@openmid/core/errors';
import { CREDENTIAL_TYPES, findCredentialType } from '@openmid/profile-kr';
import { type App, type AppEnv, appendAudit, oauthRoute } from '@openmid/server-kit';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { type IssuerContext, inSeconds, nowDate } from '../context.js';
import { beginLogin, completeLogin } from '../idp/oidc-client.js';
import { offerQrSvg } from '../qr.js';
import { hmac, randomId, sameString, sha256b64u } from '../secrets.js';
import { reportLostPhone } from '../services/devices.js';
import { offerCode } from '../services/offers.js';
import { assertRecordExists, citizenOfSubject } from '../services/register.js';
import { esc, page } from './html.js';

/** The parameters of a pushed authorization request that the issuer keeps. */
interface ParParams {
  readonly client_id: string;
  readonly redirect_uri: string;
  readonly code_challenge: string;
  readonly state?: string;
  readonly type: string;
}

const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
const PAR_TTL = 60;

function badRequest(message: string): OpenMidError {
  return new OpenMidError('ERR_OAUTH_INVALID_REQUEST', message);
}

/** The one credential configuration an authorization request asks for (scope or details). */
function requestedType(form: URLSearchParams): string {
  const details = form.get('authorization_details');
  const ids: string[] = [];
  if (details !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(details);
    } catch {
      throw badRequest('authorization_details is not JSON');
    }
    if (!Array.isArray(parsed)) throw badRequest('authorization_details must be an array');
    for (const d of parsed) {
      if (
        typeof d !== 'object' ||
        d === null ||
        d.type !== 'openid_credential' ||
        typeof d.credential_configuration_id !== 'string'
      ) {
        throw badRequest('Unsupported authorization_details');
      }
      ids.push(d.credential_configuration_id);
    }
  }
  for (const s of (form.get('scope') ?? '').split(' ')) {
    if (CREDENTIAL_TYPES.some((t) => t.name === s)) ids.push(s);
  }
  const unique = [...new Set(ids)];
  if (unique.length !== 1) {
    throw badRequest(
      'Ask for exactly one credential configuration (scope or authorization_details)',
    );
  }
  try {
    return findCredentialType(unique[0] as string).name;
  } catch (cause) {
    throw new OpenMidError('ERR_VCI_CREDENTIAL_CONFIGURATION_UNKNOWN', 'Unknown credential type', {
      cause,
    });
  }
}

function checkRedirectUri(value: string | null): string {
  if (value === null || value.length > 500) throw badRequest('redirect_uri is required');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw badRequest('redirect_uri must be an absolute URI');
  }
  if (u.hash !== '' || ['javascript:', 'data:', 'file:'].includes(u.protocol)) {
    throw badRequest('redirect_uri is not acceptable');
  }
  return value;
}

/** Redirect to the client with `params` (RFC 6749 §4.1.2) and the issuer (RFC 9207). */
function backToClient(
  c: Context<AppEnv>,
  ctx: IssuerContext,
  redirectUri: string,
  params: Record<string, string | undefined>,
): Response {
  const to = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) to.searchParams.set(k, v);
  to.searchParams.set('iss', ctx.urls.issuer);
  return c.redirect(to.toString(), 302);
}

const COOKIE = 'omid_citizen';
const SESSION_TTL = 900;

function sessionCookie(ctx: IssuerContext, citizenId: string): string {
  const body = Buffer.from(
    JSON.stringify({ c: citizenId, exp: ctx.clock() + SESSION_TTL }),
  ).toString('base64url');
  return `${body}.${hmac(ctx.secrets.mac.session, 'citizen_session', body).toString('base64url')}`;
}

function citizenOfCookie(ctx: IssuerContext, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const [body = '', mac = ''] = value.split('.');
  if (
    !sameString(mac, hmac(ctx.secrets.mac.session, 'citizen_session', body).toString('base64url'))
  ) {
    return undefined;
  }
  try {
    const s = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
      c: string;
      exp: number;
    };
    return s.exp >= ctx.clock() ? s.c : undefined;
  } catch {
    return undefined;
  }
}

function csrfOf(ctx: IssuerContext, cookie: string): string {
  return hmac(ctx.secrets.mac.session, 'csrf', cookie).toString('base64url');
}

/** Register PAR, the authorization endpoint, its callback and the citizen pages. */
export function registerWebRoutes(app: App, ctx: IssuerContext): void {
  const { urls } = ctx;

  // RFC 9126 §2: pushed authorization request.
  app.post('/par', oauthRoute, async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw badRequest('Expected a form-encoded body');
    }
    const form = new URLSearchParams(await c.req.text());
    for (const k of new Set(form.keys())) {
      if (form.getAll(k).length > 1) throw badRequest('A parameter is repeated');
    }
    if (form.has('request_uri')) throw badRequest('request_uri is not allowed in a PAR');
    const clientId = form.get('client_id');
    if (clientId === null || clientId === '' || clientId.length > 200) {
      throw badRequest('client_id is required');
    }
    if (form.get('response_type') !== 'code') {
      throw new OpenMidError('ERR_OAUTH_UNSUPPORTED_RESPONSE_TYPE', 'Only response_type=code');
    }
    // RFC 7636 §4.3, §7.2: S256 only; plain (or none) is refused.
    const challenge = form.get('code_challenge');
    if (
      form.get('code_challenge_method') !== 'S256' ||
      challenge === null ||
      !/^[A-Za-z0-9_-]{43}$/.test(challenge)
    ) {
      throw new OpenMidError(
        'ERR_OAUTH_PKCE_INVALID',
        'PKCE with code_challenge_method=S256 is required',
      );
    }
    const params: ParParams = {
      client_id: clientId,
      redirect_uri: checkRedirectUri(form.get('redirect_uri')),
      code_challenge: challenge,
      ...(form.get('state') === null ? {} : { state: (form.get('state') as string).slice(0, 500) }),
      type: requestedType(form),
    };
    const requestUri = `${REQUEST_URI_PREFIX}${randomId(32)}`;
    await ctx.sql.query(
      'INSERT INTO par_requests (hash, params, expires_at) VALUES ($1, $2::jsonb, $3)',
      [sha256b64u(requestUri), JSON.stringify(params), inSeconds(ctx, PAR_TTL)],
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ request_uri: requestUri, expires_in: PAR_TTL }, 201);
  });

  // RFC 6749 §4.1.1 with RFC 9126 §4: only request_uri from PAR, once.
  app.get('/authorize', async (c) => {
    const requestUri = c.req.query('request_uri');
    const clientId = c.req.query('client_id');
    if (requestUri === undefined || !requestUri.startsWith(REQUEST_URI_PREFIX)) {
      throw new OpenMidError(
        'ERR_OAUTH_REQUEST_URI_INVALID',
        'Pushed authorization requests are required (request_uri)',
      );
    }
    const r = await ctx.sql.query<{ params: ParParams }>(
      `UPDATE par_requests SET used_at = $2
        WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING params`,
      [sha256b64u(requestUri), nowDate(ctx)],
    );
    const params = r.rows[0]?.params;
    if (params === undefined) {
      throw new OpenMidError(
        'ERR_OAUTH_REQUEST_URI_INVALID',
        'Unknown, expired or used request_uri',
      );
    }
    if (clientId !== params.client_id) {
      throw new OpenMidError('ERR_OAUTH_INVALID_CLIENT', 'client_id does not match the request');
    }
    return c.redirect(await beginLogin(ctx, { purpose: 'authorize', data: params }), 302);
  });

  app.get('/authorize/callback', async (c) => {
    const q = c.req.query();
    if (q['error'] !== undefined && q['state'] !== undefined) {
      throw new OpenMidError(
        'ERR_OAUTH_ACCESS_DENIED',
        'The identity provider refused the sign-in',
      );
    }
    const login = await completeLogin<ParParams | Record<string, never>>(ctx, {
      state: q['state'],
      code: q['code'],
      ...(q['iss'] === undefined ? {} : { iss: q['iss'] }),
    });
    const citizenId = await citizenOfSubject(ctx, login.subject);
    if (login.purpose === 'citizen') {
      if (citizenId === undefined) {
        return page(
          c,
          'OpenMID',
          '<p>등록부에서 찾을 수 없습니다. / Not found in the register.</p>',
          { status: 403 },
        );
      }
      setCookie(c, COOKIE, sessionCookie(ctx, citizenId), {
        httpOnly: true,
        secure: urls.issuer.startsWith('https://'),
        sameSite: 'Lax',
        path: '/citizen',
        maxAge: SESSION_TTL,
      });
      return c.redirect(`${urls.issuer}/citizen/devices`, 303);
    }
    const params = login.data as ParParams;
    if (citizenId === undefined) {
      return backToClient(c, ctx, params.redirect_uri, {
        error: 'access_denied',
        state: params.state,
      });
    }
    try {
      await assertRecordExists(ctx.sql, citizenId, params.type);
    } catch {
      return backToClient(c, ctx, params.redirect_uri, {
        error: 'access_denied',
        state: params.state,
      });
    }
    const offerId = randomId(16);
    await ctx.sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO offers (id, citizen_id, type, copies, grant_type, state, expires_at, auth,
                             created_by, created_at)
         VALUES ($1, $2, $3, $4, 'authorization_code', 'authorized', $5, $6::jsonb, $7, $8)`,
        [
          offerId,
          citizenId,
          params.type,
          ctx.config.ISSUER_BATCH_SIZE,
          inSeconds(ctx, 300),
          JSON.stringify({
            client_id: params.client_id,
            redirect_uri: params.redirect_uri,
            code_challenge: params.code_challenge,
          }),
          `citizen:${citizenId}`,
          nowDate(ctx),
        ],
      );
      await appendAudit(tx, {
        actor: `citizen:${citizenId}`,
        action: 'offer.authorize',
        subject: `offer:${offerId}`,
        details: { type: params.type, client: params.client_id.slice(0, 100) },
      });
    });
    return backToClient(c, ctx, params.redirect_uri, {
      code: offerCode(ctx, offerId, 'authorization_code'),
      state: params.state,
    });
  });

  // The citizen's own pages.
  app.get('/citizen', (c) =>
    page(
      c,
      'OpenMID 모바일 신분증',
      `<h1>모바일 신분증 분실 신고 / Report a lost phone</h1><p>휴대전화를 잃어버렸다면 로그인하여 그 기기의 모바일 신분증을 정지하고 새 기기용 재발급을 준비하세요.<br>Lost your phone? Sign in to suspend the mobile IDs on it and prepare re-issuance for your new phone.</p><p><a href="${esc(urls.issuer)}/citizen/login">간편인증으로 로그인 / Sign in</a></p>`,
    ),
  );
  app.get('/citizen/login', async (c) =>
    c.redirect(await beginLogin(ctx, { purpose: 'citizen', data: {} }), 302),
  );
  app.get('/citizen/devices', async (c) => {
    const cookie = getCookie(c, COOKIE);
    const citizenId = citizenOfCookie(ctx, cookie);
    if (citizenId === undefined || cookie === undefined)
      return c.redirect(`${urls.issuer}/citizen`, 303);
    const r = await ctx.sql.query<{
      device_id: string;
      types: string[];
      valid: number;
      first: Date;
    }>(
      `SELECT device_id, array_agg(DISTINCT type ORDER BY type) AS types,
              count(*) FILTER (WHERE status = 0)::int AS valid, min(issued_at) AS first
         FROM credentials WHERE citizen_id = $1 GROUP BY device_id ORDER BY first DESC`,
      [citizenId],
    );
    const csrf = csrfOf(ctx, cookie);
    const rows = r.rows
      .map(
        (d) =>
          `<tr><td><code>${esc(d.device_id.slice(0, 12))}…</code></td><td>${esc(d.types.map((t) => findCredentialType(t).labels.ko).join(', '))}</td><td>${d.valid}</td><td>${d.valid > 0 ? `<form method="post" action="${esc(urls.issuer)}/citizen/devices/report"><input type="hidden" name="device" value="${esc(d.device_id)}"><input type="hidden" name="csrf" value="${esc(csrf)}"><button type="submit">분실 신고 / Report lost</button></form>` : '정지됨 / suspended'}</td></tr>`,
      )
      .join('');
    return page(
      c,
      'OpenMID 내 기기',
      `<h1>내 기기 / My devices</h1><table><tr><th>기기 / Device</th><th>신분증 / IDs</th><th>유효 / Valid</th><th></th></tr>${rows || '<tr><td colspan="4">없음 / none</td></tr>'}</table>`,
    );
  });
  app.post('/citizen/devices/report', async (c) => {
    const cookie = getCookie(c, COOKIE);
    const citizenId = citizenOfCookie(ctx, cookie);
    if (citizenId === undefined || cookie === undefined) {
      throw new OpenMidError('ERR_AUTH_REQUIRED', 'Sign in first');
    }
    const form = new URLSearchParams(await c.req.text());
    if (!sameString(form.get('csrf') ?? '', csrfOf(ctx, cookie))) {
      throw new OpenMidError('ERR_AUTH_FORBIDDEN', 'Invalid form token');
    }
    const report = await reportLostPhone(ctx, {
      citizenId,
      thumbprint: form.get('device') ?? '',
      actor: `citizen:${citizenId}`,
    });
    const offers = await Promise.all(
      report.offers.map(async (o) => {
        const svg = Buffer.from(await offerQrSvg(o.credential_offer_uri)).toString('base64');
        return `<h2>${esc(findCredentialType(o.credential_configuration_id).labels.ko)}</h2><img alt="QR" width="280" src="data:image/svg+xml;base64,${svg}"><p>인증번호 / tx_code: <strong>${esc(o.tx_code)}</strong></p>`;
      }),
    );
    return page(
      c,
      'OpenMID 분실 신고 완료',
      `<h1>분실 신고 완료 / Reported</h1><p>${report.suspended}개의 신분증이 정지되었습니다. 새 휴대전화의 지갑으로 아래 QR을 스캔하세요. 새 기기에서 수락하면 이전 기기의 신분증은 폐기됩니다.<br>${report.suspended} credential(s) suspended. Scan a QR below with the wallet on your new phone; once accepted there, the old phone's credentials are revoked.</p>${offers.join('')}`,
    );
  });
}
