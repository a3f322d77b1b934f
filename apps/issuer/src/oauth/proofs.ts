/**
 * @module oauth/proofs
 * Key proofs of type `jwt` (OpenID4VCI 1.0 §8.2.1, Appendix F.1 and F.4): the wallet proves
 * possession of the key the credential will be bound to. The proof's `jwk` header is the ONE place
 * where a key legitimately comes from a token — it is the key being proven — and it is validated
 * with `parsePublicJwk` (a private key in the header is refused, never used). `kid`, `x5c` and
 * `trust_chain` are refused: OpenMID binds bare JWKs only (`cryptographic_binding_methods_supported:
 * ["jwk"]`).
 *
 * Checks, each `ERR_VCI_PROOF_INVALID` with `details.reason` (or `ERR_VCI_NONCE_INVALID`):
 * `typ` = `openid4vci-proof+jwt`; `alg` ES256 or EdDSA (never `none` or a MAC); signature by the
 * header key; `aud` = the Credential Issuer Identifier; `iat` at most 5 minutes old and not in the
 * future beyond 30 s; `nonce` present and a valid, unexpired c_nonce (single use is enforced by the
 * issuing transaction).
 */
import { OpenMidError } from '@openmid/core/errors';
import { verifyCompactJws } from '@openmid/core/jose';
import { jwkThumbprint, type PublicJwk, parsePublicJwk, verifierFromJwk } from '@openmid/core/keys';
import { checkNonce } from './once.js';

/** The key proof JWT type (OpenID4VCI 1.0 Appendix F.1). */
export const PROOF_TYP = 'openid4vci-proof+jwt';
/** `proof_signing_alg_values_supported`. */
export const PROOF_ALGS = ['ES256', 'EdDSA'] as const;
const MAX_AGE = 300;
const SKEW = 30;

/** A verified key proof. */
export interface KeyProof {
  readonly jwk: PublicJwk;
  /** RFC 7638 thumbprint of the holder key. */
  readonly jkt: string;
  /** The c_nonce it carries. */
  readonly nonce: string;
}

/** What a proof is checked against. */
export interface ProofCheck {
  /** The Credential Issuer Identifier (`aud`). */
  readonly audience: string;
  /** NumericDate seconds. */
  readonly now: number;
  readonly nonceKey: Uint8Array;
  readonly nonceTtl: number;
}

function invalid(reason: string, cause?: unknown): OpenMidError {
  return new OpenMidError('ERR_VCI_PROOF_INVALID', `The key proof is invalid (${reason})`, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Verify one `jwt` key proof.
 *
 * @see OpenID4VCI 1.0 §8.2.1 (proof types), Appendix F.1 (jwt proof type), F.4 (verifying proofs)
 */
export async function verifyKeyProof(jwt: unknown, check: ProofCheck): Promise<KeyProof> {
  if (typeof jwt !== 'string') throw invalid('not a string');
  let jwk: PublicJwk | undefined;
  let payload: Record<string, unknown>;
  try {
    const v = await verifyCompactJws(jwt, {
      typ: PROOF_TYP,
      algorithms: PROOF_ALGS,
      maxLength: 8192,
      key: async (header) => {
        for (const forbidden of ['kid', 'x5c', 'trust_chain', 'key_attestation']) {
          if (header[forbidden] !== undefined) {
            throw new OpenMidError('ERR_VCI_PROOF_INVALID', 'Only jwk key binding is supported', {
              details: { reason: 'key_reference' },
            });
          }
        }
        if (header['jwk'] === undefined) {
          throw new OpenMidError('ERR_VCI_PROOF_INVALID', 'The proof carries no jwk', {
            details: { reason: 'jwk_missing' },
          });
        }
        const parsed = parsePublicJwk(header['jwk'], header.alg);
        jwk = parsed.jwk;
        return verifierFromJwk(parsed.jwk, { alg: parsed.alg });
      },
    });
    payload = v.payload;
  } catch (e) {
    if (e instanceof OpenMidError && e.code === 'ERR_VCI_PROOF_INVALID') throw e;
    const code = e instanceof OpenMidError ? e.code : 'ERR_INTERNAL';
    throw invalid(code.replace(/^ERR_/, '').toLowerCase(), e);
  }
  if (jwk === undefined) throw invalid('jwk_missing');
  const aud = payload['aud'];
  const audOk =
    aud === check.audience || (Array.isArray(aud) && aud.length === 1 && aud[0] === check.audience);
  if (!audOk) throw invalid('aud');
  const iat = payload['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('iat_missing');
  if (iat > check.now + SKEW) throw invalid('iat_future');
  if (iat < check.now - MAX_AGE) throw invalid('iat_stale');
  const nonce = payload['nonce'];
  if (nonce === undefined) {
    throw new OpenMidError('ERR_VCI_NONCE_INVALID', 'The key proof carries no c_nonce');
  }
  if (
    checkNonce(check.nonceKey, 'c_nonce', nonce, { now: check.now, ttl: check.nonceTtl }) ===
    undefined
  ) {
    throw new OpenMidError('ERR_VCI_NONCE_INVALID', 'The c_nonce is unknown or expired');
  }
  return { jwk, jkt: jwkThumbprint(jwk), nonce: nonce as string };
}
