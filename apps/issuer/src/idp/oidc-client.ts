/**
 * @module idp/oidc-client
 * The issuer as an OpenID Connect CLIENT of the citizen identity provider (the demo IdP by
 * default, any OpenID Connect provider by ISSUER_IDP_URL + ISSUER_IDP_CLIENT_ID/SECRET): the
 * authorization code flow with PKCE S256, `state` and `nonce` (OpenID Connect Core 1.0 §3.1).
 *
 * - `beginLogin` stores a login session (state hash → sealed {purpose, data, nonce, verifier},
 *   10 minutes) and returns the provider's authorization URL;
 * - `completeLogin` consumes the session ONCE (conditional UPDATE), redeems the code at the token
 *   endpoint with client_secret_basic, and verifies the ID token: ES256 signature by a key of the
 *   provider's JWKS (`kid`), `typ: JWT`, `iss` = the provider, `aud` contains the client id,
 *   `exp`/`iat` (bounded leeway), `nonce` = the session's. Every failure is ERR_OAUTH_IDP_FAILED.
 *
 * Discovery and JWKS are fetched from the configured provider only (never from a token), cached
 * for five minutes; a JWKS miss on `kid` refetches once (key rotation).
 */
import { OpenMidError } from '@openmid/core/errors';
import { checkTimeClaims, verifyCompactJws } from '@openmid/core/jose';
import { type Verifier, verifierFromJwk } from '@openmid/core/keys';
import { type IssuerContext, inSeconds, nowDate } from '../context.js';
import { pkceChallenge } from '../oauth/pkce.js';
import { randomId, sha256b64u } from '../secrets.js';
import { idpName } from '../services/register.js';
import { idpClientSecret } from './demo-idp.js';

interface Discovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
}

/** What a login session remembers, sealed. */
interface LoginSession<T> {
  readonly purpose: string;
  readonly data: T;
  readonly nonce: string;
  readonly verifier: string;
}

const cache = new WeakMap<
  IssuerContext,
  { at: number; discovery: Discovery; keys?: Map<string, Verifier> }
>();

function failed(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError('ERR_OAUTH_IDP_FAILED', message, cause === undefined ? {} : { cause });
}

async function getJson(ctx: IssuerContext, url: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await ctx.fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual' });
  } catch (e) {
    throw failed('The identity provider is unreachable', e);
  }
  if (res.status !== 200) throw failed('The identity provider answered with an error');
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (typeof body !== 'object' || body === null) throw failed('Malformed identity provider answer');
  return body as Record<string, unknown>;
}

async function discover(ctx: IssuerContext): Promise<Discovery> {
  const hit = cache.get(ctx);
  if (hit !== undefined && hit.at > Date.now() - 300_000) return hit.discovery;
  const issuer = idpName(ctx);
  const d = await getJson(ctx, `${issuer}/.well-known/openid-configuration`);
  for (const k of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
    if (typeof d[k] !== 'string') throw failed('Incomplete identity provider metadata');
  }
  if (d['issuer'] !== issuer) throw failed('The identity provider metadata names another issuer');
  const discovery = d as unknown as Discovery;
  cache.set(ctx, { at: Date.now(), discovery });
  return discovery;
}

async function keyFor(ctx: IssuerContext, d: Discovery, kid: unknown): Promise<Verifier> {
  if (typeof kid !== 'string') throw failed('The ID token has no kid');
  const entry = cache.get(ctx);
  let key = entry?.keys?.get(kid);
  if (key === undefined) {
    const jwks = await getJson(ctx, d.jwks_uri);
    const keys = new Map<string, Verifier>();
    for (const jwk of Array.isArray(jwks['keys']) ? jwks['keys'] : []) {
      if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string') continue;
      try {
        keys.set(jwk.kid, await verifierFromJwk(jwk, { alg: 'ES256' }));
      } catch {
        // keys of other types are ignored
      }
    }
    if (entry !== undefined) entry.keys = keys;
    key = keys.get(kid);
  }
  if (key === undefined) throw failed('No identity provider key matches the ID token');
  return key;
}

/** Start a sign-in: returns the provider's authorization URL for the browser. */
export async function beginLogin<T>(
  ctx: IssuerContext,
  input: { readonly purpose: string; readonly data: T },
): Promise<string> {
  const d = await discover(ctx);
  const state = randomId(24);
  const session: LoginSession<T> = {
    purpose: input.purpose,
    data: input.data,
    nonce: randomId(24),
    verifier: randomId(48),
  };
  const id = sha256b64u(`login\u0000${state}`);
  await ctx.sql.query(
    'INSERT INTO auth_sessions (id, data_sealed, expires_at) VALUES ($1, $2, $3)',
    [id, await ctx.cipher.sealJson(session, { table: 'auth_sessions', id }), inSeconds(ctx, 600)],
  );
  const url = new URL(d.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', ctx.config.ISSUER_IDP_CLIENT_ID);
  url.searchParams.set('redirect_uri', ctx.urls.authorizeCallback);
  url.searchParams.set('scope', 'openid');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', session.nonce);
  url.searchParams.set('code_challenge', pkceChallenge(session.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** Finish a sign-in: the provider's subject and the data given to {@link beginLogin}. */
export async function completeLogin<T>(
  ctx: IssuerContext,
  input: { readonly state: unknown; readonly code: unknown; readonly iss?: unknown },
): Promise<{ purpose: string; data: T; subject: string }> {
  if (typeof input.state !== 'string' || typeof input.code !== 'string') {
    throw new OpenMidError('ERR_OAUTH_INVALID_REQUEST', 'state and code are required');
  }
  const d = await discover(ctx);
  // RFC 9207 §2.4: when the provider sends iss, it must be the provider we asked.
  if (input.iss !== undefined && input.iss !== d.issuer) throw failed('Mix-up: unexpected iss');
  const id = sha256b64u(`login\u0000${input.state}`);
  const r = await ctx.sql.query<{ data_sealed: string }>(
    `UPDATE auth_sessions SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2
     RETURNING data_sealed`,
    [id, nowDate(ctx)],
  );
  const row = r.rows[0];
  if (row === undefined) {
    throw new OpenMidError('ERR_OAUTH_INVALID_REQUEST', 'Unknown, expired or used sign-in state');
  }
  const session = await ctx.cipher.openJson<LoginSession<T>>(row.data_sealed, {
    table: 'auth_sessions',
    id,
  });
  const clientId = ctx.config.ISSUER_IDP_CLIENT_ID;
  const basic = Buffer.from(
    `${encodeURIComponent(clientId)}:${encodeURIComponent(idpClientSecret(ctx))}`,
  ).toString('base64');
  let res: Response;
  try {
    res = await ctx.fetch(d.token_endpoint, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${basic}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: ctx.urls.authorizeCallback,
        code_verifier: session.verifier,
      }).toString(),
    });
  } catch (e) {
    throw failed('The identity provider is unreachable', e);
  }
  const body = (await res.json().catch(() => undefined)) as { id_token?: unknown } | undefined;
  if (res.status !== 200 || typeof body?.id_token !== 'string') {
    throw failed('The identity provider refused the code');
  }
  let payload: Record<string, unknown>;
  try {
    const v = await verifyCompactJws(body.id_token, {
      typ: 'JWT',
      algorithms: ['ES256'],
      key: (header) => keyFor(ctx, d, header.kid),
    });
    payload = v.payload;
    checkTimeClaims(payload, { now: ctx.clock(), leeway: 60, require: ['exp', 'iat'] });
  } catch (e) {
    throw failed('The ID token does not verify', e);
  }
  const aud = payload['aud'];
  const audOk = aud === clientId || (Array.isArray(aud) && aud.includes(clientId));
  if (payload['iss'] !== d.issuer || !audOk) throw failed('The ID token is for someone else');
  if (payload['nonce'] !== session.nonce) throw failed('The ID token nonce does not match');
  const sub = payload['sub'];
  if (typeof sub !== 'string' || sub === '' || sub.length > 255) throw failed('No subject');
  return { purpose: session.purpose, data: session.data, subject: sub };
}
