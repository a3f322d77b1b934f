/**
 * @module idp/demo-idp
 * The built-in demo identity provider, standing in for the national simple-authentication services
 * (간편인증). It is a real, minimal OpenID Connect provider (OpenID Connect Core 1.0 §3.1, the
 * authorization code flow; Discovery 1.0), mounted under `/demo-idp`:
 *
 * - `GET /demo-idp/.well-known/openid-configuration` and `GET /demo-idp/jwks`;
 * - `GET /demo-idp/authorize`: checks client, redirect URI, `response_type=code`, PKCE S256, and
 *   shows a page where a synthetic citizen is chosen (no password: it is a demo);
 * - `POST /demo-idp/authorize`: issues a one-time code and redirects back with `code`, `state`,
 *   `iss` (RFC 9207);
 * - `POST /demo-idp/token`: client_secret_basic or client_secret_post, the code (single use,
 *   5 minutes), the PKCE verifier and redirect URI → an ES256 ID token (`iss`, `sub`, `aud`,
 *   `nonce`, `iat`, `exp`, `auth_time`).
 *
 * The subject is a CI-like value (Korean 연계정보: a one-way function of the resident number), so the
 * issuer links it to its register through a blind index exactly as it would link a real provider's
 * subject. Nothing here is special-cased by the issuer: point ISSUER_IDP_URL at a real provider
 * and this module is simply not mounted.
 */
import { OpenMidError } from '@openmid/core/errors';
import { signCompactJws } from '@openmid/core/jose';
import { type App, oauthRoute } from '@openmid/server-kit';
import { citizenAt } from '@openmid/testing/citizens';
import { type IssuerContext, inSeconds } from '../context.js';
import { esc, page } from '../http/html.js';
import { useOnce } from '../oauth/once.js';
import { pkceChallenge } from '../oauth/pkce.js';
import { hmac, randomId, sameString } from '../secrets.js';
import { demoSubjectOf } from './subject.js';

/** The demo IdP's issuer identifier. */
export function demoIdpIssuer(ctx: Pick<IssuerContext, 'urls'>): string {
  return `${ctx.urls.issuer}/demo-idp`;
}

/** The client secret shared by the issuer (client) and the demo IdP. */
export function idpClientSecret(ctx: Pick<IssuerContext, 'config' | 'secrets'>): string {
  return ctx.config.ISSUER_IDP_CLIENT_SECRET ?? ctx.secrets.idpClientSecret;
}

interface Ticket {
  readonly client_id: string;
  readonly redirect_uri: string;
  readonly state: string;
  readonly nonce: string;
  readonly code_challenge: string;
  readonly exp: number;
}

interface CodeClaims extends Omit<Ticket, 'state'> {
  readonly sub: string;
  readonly jti: string;
  readonly auth_time: number;
}

function seal(ctx: IssuerContext, kind: string, value: unknown): string {
  const body = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  return `${body}.${hmac(ctx.secrets.mac.session, kind, body).toString('base64url')}`;
}

function unseal<T>(ctx: IssuerContext, kind: string, value: unknown): T | undefined {
  if (typeof value !== 'string' || value.length > 4096) return undefined;
  const dot = value.indexOf('.');
  if (dot <= 0) return undefined;
  const body = value.slice(0, dot);
  if (
    !sameString(
      value.slice(dot + 1),
      hmac(ctx.secrets.mac.session, kind, body).toString('base64url'),
    )
  ) {
    return undefined;
  }
  try {
    const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp?: number };
    if (typeof v.exp !== 'number' || v.exp < ctx.clock()) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/** The redirect URIs registered for the issuer's client at the demo IdP. */
function registeredRedirects(ctx: IssuerContext): string[] {
  return [ctx.urls.authorizeCallback];
}

function idpError(message: string): OpenMidError {
  return new OpenMidError('ERR_OAUTH_INVALID_REQUEST', message);
}

/** Mount the demo IdP under /demo-idp. */
export function registerDemoIdp(app: App, ctx: IssuerContext): void {
  const issuer = demoIdpIssuer(ctx);
  const clientId = ctx.config.ISSUER_IDP_CLIENT_ID;
  const shown = Math.max(1, Math.min(12, ctx.config.ISSUER_SEED_CITIZENS || 3));

  app.get('/demo-idp/.well-known/openid-configuration', (c) =>
    c.json({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'auth_time'],
      authorization_response_iss_parameter_supported: true,
    }),
  );
  app.get('/demo-idp/jwks', (c) =>
    c.json({ keys: [{ ...ctx.secrets.idpPublicJwk, alg: 'ES256', use: 'sig' }] }),
  );

  app.get('/demo-idp/authorize', (c) => {
    const q = c.req.query();
    if (q['client_id'] !== clientId) throw idpError('Unknown client');
    const redirectUri = q['redirect_uri'] ?? '';
    if (!registeredRedirects(ctx).includes(redirectUri))
      throw idpError('Unregistered redirect_uri');
    if (q['response_type'] !== 'code') {
      throw new OpenMidError('ERR_OAUTH_UNSUPPORTED_RESPONSE_TYPE', 'Only response_type=code');
    }
    if (!(q['scope'] ?? '').split(' ').includes('openid'))
      throw idpError('scope must include openid');
    if (
      q['code_challenge_method'] !== 'S256' ||
      !/^[A-Za-z0-9_-]{43}$/.test(q['code_challenge'] ?? '')
    ) {
      throw new OpenMidError('ERR_OAUTH_PKCE_INVALID', 'PKCE S256 is required');
    }
    const ticket = seal(ctx, 'idp_ticket', {
      client_id: clientId,
      redirect_uri: redirectUri,
      state: (q['state'] ?? '').slice(0, 200),
      nonce: (q['nonce'] ?? '').slice(0, 200),
      code_challenge: q['code_challenge'] as string,
      exp: ctx.clock() + 600,
    } satisfies Ticket);
    const rows = Array.from({ length: shown }, (_, i) => {
      const ct = citizenAt(ctx.config.ISSUER_SEED, i);
      return `<tr><td>${esc(ct.name)}</td><td>${esc(ct.birthDate.slice(0, 4))}년생</td><td><form method="post" action="${esc(issuer)}/authorize"><input type="hidden" name="ticket" value="${esc(ticket)}"><input type="hidden" name="citizen" value="${i}"><button type="submit">이 사람으로 인증 / Sign in</button></form></td></tr>`;
    }).join('');
    return page(
      c,
      'OpenMID 데모 간편인증',
      `<h1>데모 간편인증 / Demo sign-in</h1><p>실제 간편인증(PASS, 카카오, 네이버…)을 대신하는 데모 제공자입니다. 합성 시민을 선택하세요.<br>A stand-in for the national simple-authentication services. Choose a synthetic citizen.</p><table><tr><th>이름 / Name</th><th>출생 / Born</th><th></th></tr>${rows}</table>`,
      { formAction: false },
    );
  });

  app.post('/demo-idp/authorize', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const ticket = unseal<Ticket>(ctx, 'idp_ticket', form.get('ticket'));
    if (ticket === undefined) throw idpError('The sign-in page has expired');
    const index = Number(form.get('citizen'));
    if (!Number.isInteger(index) || index < 0 || index >= shown) throw idpError('No such citizen');
    const citizen = citizenAt(ctx.config.ISSUER_SEED, index);
    const code = seal(ctx, 'idp_code', {
      client_id: ticket.client_id,
      redirect_uri: ticket.redirect_uri,
      nonce: ticket.nonce,
      code_challenge: ticket.code_challenge,
      sub: demoSubjectOf(citizen.rrn),
      jti: randomId(12),
      auth_time: ctx.clock(),
      exp: ctx.clock() + 300,
    } satisfies CodeClaims);
    const to = new URL(ticket.redirect_uri);
    to.searchParams.set('code', code);
    if (ticket.state !== '') to.searchParams.set('state', ticket.state);
    to.searchParams.set('iss', issuer);
    return c.redirect(to.toString(), 303);
  });

  app.post('/demo-idp/token', oauthRoute, async (c) => {
    const form = new URLSearchParams(await c.req.text());
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(c.req.header('authorization') ?? '');
    if (basic?.[1] !== undefined) {
      const [u = '', p = ''] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u);
      secret = decodeURIComponent(p);
    }
    if (id !== clientId || secret === null || !sameString(secret, idpClientSecret(ctx))) {
      throw new OpenMidError('ERR_OAUTH_INVALID_CLIENT', 'Client authentication failed');
    }
    if (form.get('grant_type') !== 'authorization_code') {
      throw new OpenMidError('ERR_OAUTH_UNSUPPORTED_GRANT_TYPE', 'Only authorization_code');
    }
    const code = unseal<CodeClaims>(ctx, 'idp_code', form.get('code'));
    if (code === undefined || code.client_id !== id) {
      throw new OpenMidError('ERR_OAUTH_INVALID_GRANT', 'Invalid or expired code');
    }
    if (form.get('redirect_uri') !== code.redirect_uri) {
      throw new OpenMidError('ERR_OAUTH_INVALID_GRANT', 'redirect_uri mismatch');
    }
    const verifier = form.get('code_verifier') ?? '';
    if (!sameString(pkceChallenge(verifier), code.code_challenge)) {
      throw new OpenMidError('ERR_OAUTH_INVALID_GRANT', 'PKCE verification failed');
    }
    if (!(await useOnce(ctx.sql, 'idp_code', code.jti, inSeconds(ctx, 600)))) {
      throw new OpenMidError('ERR_OAUTH_INVALID_GRANT', 'The code was already used');
    }
    const now = ctx.clock();
    const idToken = await signCompactJws(
      {
        iss: issuer,
        sub: code.sub,
        aud: clientId,
        iat: now,
        exp: now + 300,
        auth_time: code.auth_time,
        ...(code.nonce === '' ? {} : { nonce: code.nonce }),
      },
      { typ: 'JWT', signer: ctx.secrets.idpSigner },
    );
    c.header('Cache-Control', 'no-store');
    return c.json({
      access_token: randomId(32),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
  });
}
