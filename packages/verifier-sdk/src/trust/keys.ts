/**
 * @module trust/keys
 * Choosing the trusted key for a signed token from a {@link TrustSource}: the issuer's keys valid
 * at the time of verification, selected by the token's `kid` (required when the issuer has more
 * than one key). Imported verifiers are cached by key material (importing a JWK costs more than
 * an ES256 verification), bounded so a hostile stream of keys cannot grow the cache.
 */
import type { CryptoProvider } from '@openmid/core';
import { isOpenMidError, OpenMidError, type OpenMidErrorCode } from '@openmid/core/errors';
import { type Verifier, verifierFromJwk } from '@openmid/core/keys';
import type { IssuerKeysAnswer, TrustedKey, TrustSource } from './source.js';

const MAX_CACHED = 512;
const cache = new Map<string, Promise<Verifier>>();

function cacheKey(k: TrustedKey, crypto: CryptoProvider | undefined): string {
  const j = k.jwk;
  return `${crypto?.name ?? ''}|${k.kid}|${j.kty}|${j.crv}|${j.x}|${j.y ?? ''}`;
}

/** An imported verifier for a trusted key (cached). */
export function verifierForKey(k: TrustedKey, crypto?: CryptoProvider): Promise<Verifier> {
  const key = cacheKey(k, crypto);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const p = verifierFromJwk(k.jwk, crypto === undefined ? undefined : { crypto }).then(
    (v): Verifier => ({ alg: v.alg, publicJwk: v.publicJwk, kid: k.kid, verify: v.verify }),
  );
  p.catch(() => cache.delete(key));
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, p);
  return p;
}

/** Ask the trust source, turning an unexpected failure into `ERR_TRUST_SOURCE_UNAVAILABLE`. */
export async function ask<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (e) {
    if (isOpenMidError(e)) throw e;
    throw new OpenMidError('ERR_TRUST_SOURCE_UNAVAILABLE', 'The trust source could not answer', {
      cause: e,
    });
  }
}

/** Pick the key named by `kid` (or the only key when there is no kid) from an answer. */
export function pickKey(
  answer: IssuerKeysAnswer,
  kid: unknown,
  code: OpenMidErrorCode,
): TrustedKey {
  const { keys } = answer;
  if (keys.length === 0) throw new OpenMidError(code, 'No trusted key for this signer');
  if (kid === undefined) {
    if (keys.length === 1) return keys[0] as TrustedKey;
    throw new OpenMidError(code, 'The token names no key (kid) and the signer has several');
  }
  const key = typeof kid === 'string' ? keys.find((k) => k.kid === kid) : undefined;
  if (key === undefined)
    throw new OpenMidError(code, 'The token names a key that is not trusted now');
  return key;
}

/**
 * The verifier of issuer `iss`'s key `kid`, valid at `at`, from the trust source; otherwise
 * `code` (default `ERR_SDJWTVC_ISSUER_UNTRUSTED`).
 *
 * @example
 * ```ts
 * const vc = await verifySdJwtVc(p, { issuerKey: (iss, h) => trustedVerifier(trust, iss, h.kid, now), … })
 * ```
 */
export async function trustedVerifier(
  trust: TrustSource,
  iss: string,
  kid: unknown,
  at: number,
  options: { readonly code?: OpenMidErrorCode; readonly crypto?: CryptoProvider } = {},
): Promise<Verifier> {
  const answer = await ask(() => trust.issuerKeys(iss, at));
  const key = pickKey(answer, kid, options.code ?? 'ERR_SDJWTVC_ISSUER_UNTRUSTED');
  return verifierForKey(key, options.crypto);
}
