/**
 * @module oauth/dpop
 * DPoP proof checks (RFC 9449 §4.3) for the token endpoint and the credential and notification
 * endpoints. The public key of a DPoP proof legitimately comes from its own `jwk` header — that is
 * what the proof proves possession of — and is validated with `parsePublicJwk` (no private
 * members, type fits alg). The access token is then bound to the key's thumbprint (`cnf.jkt`,
 * RFC 9449 §6), which is also the issuer's DEVICE id: a wallet keeps one DPoP key per device.
 *
 * Checks, each an `ERR_DPOP_PROOF_INVALID` (or `ERR_DPOP_NONCE_REQUIRED` for the nonce):
 * exactly one DPoP header; compact JWS `typ: dpop+jwt`, `alg` ES256 or EdDSA, `jwk` public and
 * verifying the signature; `jti` (≤ 128 chars), `htm` = the request method, `htu` = the endpoint
 * URL (no query or fragment), `iat` within 60 s (± 30 s of skew); `ath` = base64url(SHA-256(access
 * token)) at resources; the server nonce when required. Replay of a `jti` is refused by the
 * caller's transaction through `useOnce`.
 */
import { createHash } from 'node:crypto';
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { verifyCompactJws } from '@openmid/core/jose';
import { jwkThumbprint, type PublicJwk, parsePublicJwk, verifierFromJwk } from '@openmid/core/keys';
import { checkNonce } from './once.js';

/** The DPoP JWT type (RFC 9449 §4.2). */
export const DPOP_TYP = 'dpop+jwt';
/** Algorithms accepted in DPoP proofs (advertised as `dpop_signing_alg_values_supported`). */
export const DPOP_ALGS = ['ES256', 'EdDSA'] as const;
const MAX_AGE = 60;
const SKEW = 30;

/** A verified DPoP proof. */
export interface DpopProof {
  /** RFC 7638 thumbprint of the proof key: the token binding and the device id. */
  readonly jkt: string;
  readonly jwk: PublicJwk;
  readonly jti: string;
  readonly iat: number;
}

/** What a DPoP proof is checked against. */
export interface DpopCheck {
  /** The DPoP header value(s) of the request (undefined when absent). */
  readonly header: string | undefined;
  readonly method: string;
  /** The endpoint URL as published (`htu` must equal it). */
  readonly url: string;
  /** At a resource: the access token the proof must hash (`ath`). */
  readonly accessToken?: string;
  /** NumericDate seconds. */
  readonly now: number;
  /** When set, a valid server nonce (key, ttl) is required. */
  readonly nonce?: { readonly key: Uint8Array; readonly ttl: number };
}

function invalid(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError('ERR_DPOP_PROOF_INVALID', message, cause === undefined ? {} : { cause });
}

/** base64url(SHA-256(token)): the `ath` of an access token (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/** Strip query and fragment (RFC 9449 §4.3 step 9: htu compared without them). */
function normaliseHtu(value: string): string | undefined {
  try {
    const u = new URL(value);
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return undefined;
  }
}

/**
 * Verify the DPoP proof of a request.
 *
 * @see RFC 9449 §4.3 (checking DPoP proofs), §7.1 (ath), §8 (nonce)
 */
export async function verifyDpopProof(check: DpopCheck): Promise<DpopProof> {
  const value = check.header;
  if (value === undefined || value === '') throw invalid('A DPoP proof is required');
  // Two headers arrive joined by ", ": a JWS never contains a comma or a space.
  if (/[,\s]/.test(value)) throw invalid('Exactly one DPoP proof is allowed');
  let jwk: PublicJwk | undefined;
  let verified: Awaited<ReturnType<typeof verifyCompactJws>>;
  try {
    verified = await verifyCompactJws(value, {
      typ: DPOP_TYP,
      algorithms: DPOP_ALGS,
      maxLength: 8192,
      key: async (header) => {
        const parsed = parsePublicJwk(header['jwk'], header.alg);
        jwk = parsed.jwk;
        return verifierFromJwk(parsed.jwk, { alg: parsed.alg });
      },
    });
  } catch (e) {
    throw invalid('The DPoP proof does not verify', e);
  }
  if (jwk === undefined) throw invalid('The DPoP proof carries no key');
  const { payload } = verified;
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 128) {
    throw invalid('The DPoP proof needs a jti');
  }
  if (payload['htm'] !== check.method) throw invalid('The DPoP htm does not match the request');
  const htu = typeof payload['htu'] === 'string' ? normaliseHtu(payload['htu']) : undefined;
  if (htu === undefined || htu !== normaliseHtu(check.url)) {
    throw invalid('The DPoP htu does not match the request');
  }
  const iat = payload['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('The DPoP iat is missing');
  if (iat > check.now + SKEW || iat < check.now - MAX_AGE - SKEW) {
    throw invalid('The DPoP proof is not fresh');
  }
  if (check.accessToken !== undefined) {
    if (payload['ath'] !== accessTokenHash(check.accessToken)) {
      throw invalid('The DPoP ath does not match the access token');
    }
  }
  if (check.nonce !== undefined) {
    const ok = checkNonce(check.nonce.key, 'dpop_nonce', payload['nonce'], {
      now: check.now,
      ttl: check.nonce.ttl,
    });
    if (ok === undefined) {
      throw new OpenMidError('ERR_DPOP_NONCE_REQUIRED', 'Use the DPoP nonce from DPoP-Nonce');
    }
  }
  return { jkt: jwkThumbprint(jwk), jwk, jti, iat };
}

/** True when `e` is a DPoP error (for choosing the WWW-Authenticate challenge). */
export function isDpopError(e: unknown): boolean {
  return (
    isOpenMidError(e, 'ERR_DPOP_PROOF_INVALID') || isOpenMidError(e, 'ERR_DPOP_NONCE_REQUIRED')
  );
}
