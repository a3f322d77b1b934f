/**
 * @module registry/dev-trust
 * DEVELOPMENT ONLY: trust an issuer on first use from its published metadata, so that `npm start`
 * works before the trust ledger is wired. For each URL of `VERIFIER_DEV_TRUST_ISSUERS`, when
 * `NODE_ENV=development`, the verifier fetches the issuer's OpenID4VCI metadata
 * (`/.well-known/openid-credential-issuer`: its names and the `vct` of each configuration) and its
 * JWK Set (`/.well-known/jwks.json`) and registers them, retrying while the issuer starts.
 *
 * This is trust on first use and is refused outside development: in production an issuer's keys
 * and types come from the trust ledger or the audited admin API (DESIGN.md §2: never from the
 * `iss` URL). Keys are read once, at registration, never at verification time.
 */
import { OpenMidError } from '@openmid/core/errors';
import { safeError } from '@openmid/server-kit';
import type { TrustedIssuer } from '@openmid/verifier';
import type { VerifierContext } from '../context.js';
import { registerIssuer } from './registry.js';

type FetchJson = (url: string) => Promise<unknown>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The trusted-issuer record an issuer's metadata and JWK Set describe. */
export function issuerFromMetadata(url: string, metadata: unknown, jwks: unknown): TrustedIssuer {
  if (!isObj(metadata) || metadata['credential_issuer'] !== url)
    throw new OpenMidError('ERR_INPUT_INVALID', 'The issuer metadata names another issuer');
  const display = Array.isArray(metadata['display']) ? metadata['display'].filter(isObj) : [];
  const name = (prefix: string) =>
    display.find((d) => typeof d['locale'] === 'string' && d['locale'].startsWith(prefix))?.[
      'name'
    ];
  const configs = isObj(metadata['credential_configurations_supported'])
    ? Object.values(metadata['credential_configurations_supported']).filter(isObj)
    : [];
  const types = [
    ...new Set(configs.map((c) => c['vct']).filter((v): v is string => typeof v === 'string')),
  ];
  const keys = isObj(jwks) && Array.isArray(jwks['keys']) ? jwks['keys'].filter(isObj) : [];
  return {
    id: url,
    names: { ko: String(name('ko') ?? url), en: String(name('en') ?? url) },
    types,
    keys: keys.map((k) => {
      const { kid, alg: _alg, use: _use, ...jwk } = k;
      return { kid: String(kid), jwk: jwk as never };
    }),
  };
}

/**
 * Register every issuer of `urls` from its metadata (development only); retries each one every
 * 2 s for up to `attempts` tries in the background. Returns when all are registered or given up.
 */
export async function trustIssuersOnFirstUse(
  ctx: VerifierContext,
  urls: readonly string[],
  options: {
    readonly fetchJson?: FetchJson;
    readonly attempts?: number;
    readonly delayMs?: number;
  } = {},
): Promise<string[]> {
  if (ctx.config.NODE_ENV !== 'development')
    throw new OpenMidError(
      'ERR_CONFIG_INVALID',
      'VERIFIER_DEV_TRUST_ISSUERS is for development only',
    );
  const fetchJson: FetchJson =
    options.fetchJson ??
    (async (url) => {
      const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json();
    });
  const registered: string[] = [];
  await Promise.all(
    urls.map(async (url) => {
      for (let i = 0; i < (options.attempts ?? 30); i++) {
        try {
          const record = issuerFromMetadata(
            url,
            await fetchJson(`${url}/.well-known/openid-credential-issuer`),
            await fetchJson(`${url}/.well-known/jwks.json`),
          );
          await registerIssuer(ctx, record, 'system:dev-trust');
          ctx.logger.warn(
            { issuer: url, types: record.types.length },
            'issuer trusted on first use (development)',
          );
          registered.push(url);
          return;
        } catch (e) {
          if (i === 0)
            ctx.logger.info(
              { issuer: url, err: safeError(e) },
              'issuer not reachable yet; retrying',
            );
          await new Promise((done) => setTimeout(done, options.delayMs ?? 2000));
        }
      }
      ctx.logger.warn({ issuer: url }, 'issuer could not be trusted on first use');
    }),
  );
  return registered;
}
