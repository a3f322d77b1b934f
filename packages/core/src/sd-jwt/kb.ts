/**
 * @module sd-jwt/kb
 * Key Binding JWTs (RFC 9901 §4.3): created by the holder over exactly the presented
 * `<Issuer-signed JWT>~<D1>~…~<Dn>~`, bound to one verifier (`aud`) and transaction (`nonce`).
 */
import { defaultCrypto } from '../crypto/default.js';
import type { HashAlg } from '../crypto/provider.js';
import { asOpenMidError, OpenMidError } from '../errors/error.js';
import { signCompactJws } from '../jose/jws.js';
import { systemClock } from '../jose/jwt.js';
import type { CryptoOptions, Signer } from '../keys/keys.js';
import { digestB64u } from './disclosure.js';
import { KB_JWT_TYP } from './types.js';

/** Options of {@link createKbJwt}. */
export interface CreateKbJwtOptions extends CryptoOptions {
  /** The holder's signer: the key in the credential's `cnf.jwk`. */
  readonly signer: Signer;
  /** The verifier this presentation is for (e.g. the OpenID4VP `client_id`). */
  readonly aud: string;
  /** The verifier's nonce for this transaction. */
  readonly nonce: string;
  /** Issuance time in seconds (default: now). */
  readonly iat?: number;
  /** The SD-JWT's `_sd_alg` (default `sha-256`). */
  readonly hashAlg?: HashAlg;
}

/**
 * Create a KB-JWT for the SD-JWT `sdJwt`, which must be exactly what is presented before the
 * KB-JWT, ending with `~`. Header `{alg, typ: "kb+jwt"}`; payload `{iat, aud, nonce, sd_hash}`.
 *
 * @example
 * ```ts
 * const kb = await createKbJwt(presented, { signer: deviceKey, aud: clientId, nonce })
 * const sdJwtKb = presented + kb
 * ```
 * @see RFC 9901 §4.3 and §4.3.1
 */
export async function createKbJwt(sdJwt: string, options: CreateKbJwtOptions): Promise<string> {
  try {
    return await create(sdJwt, options);
  } catch (e) {
    throw asOpenMidError(e);
  }
}

async function create(sdJwt: string, options: CreateKbJwtOptions): Promise<string> {
  if (typeof sdJwt !== 'string' || !sdJwt.endsWith('~'))
    throw new OpenMidError('ERR_INPUT_INVALID', 'A KB-JWT binds an SD-JWT that ends with ~');
  if (typeof options.aud !== 'string' || options.aud === '')
    throw new OpenMidError('ERR_INPUT_INVALID', 'The KB-JWT aud must be a non-empty string');
  if (typeof options.nonce !== 'string' || options.nonce === '')
    throw new OpenMidError('ERR_INPUT_INVALID', 'The KB-JWT nonce must be a non-empty string');
  const crypto = options.crypto ?? defaultCrypto();
  const payload = {
    iat: options.iat ?? systemClock(),
    aud: options.aud,
    nonce: options.nonce,
    sd_hash: digestB64u(crypto, options.hashAlg ?? 'sha-256', sdJwt),
  };
  return signCompactJws(payload, { typ: KB_JWT_TYP, signer: options.signer });
}
