/**
 * @module oid4vp/jwe
 * Encrypted authorization responses (OpenID4VP 1.0 §8.3, response mode `direct_post.jwt`) under
 * the HAIP 1.0 profile: a FRESH ephemeral P-256 key per request, JWE `alg` `ECDH-ES` (direct key
 * agreement, RFC 7518 §4.6), `enc` `A128GCM` or `A256GCM` only, never `zip` (SECURITY.md
 * "Tokens"). The verifier's key is announced in the request's `client_metadata.jwks` with a `kid`
 * and `alg: ECDH-ES` (§5.1), and the JWE must name that `kid`.
 *
 * Decryption checks the protected header against an allow-list BEFORE any key agreement: five
 * compact parts, an empty encrypted key, `alg`, `enc`, `kid`, an `epk` on P-256, and no other
 * member but `apu`, `apv`, `typ` and `cty` (no `zip`, `crit`, `jku`, `jwk`, `x5u`, `x5c`). Any
 * failure is `ERR_VP_JWE_INVALID`, whatever the cause (no decryption oracle).
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  base64url,
  CompactEncrypt,
  compactDecrypt,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { isObject, parseJsonObject } from '../internal/json.js';

/** The content encryption algorithms accepted (HAIP 1.0 §5: verifiers support both). */
export const RESPONSE_ENC_VALUES: readonly ('A128GCM' | 'A256GCM')[] = Object.freeze([
  'A128GCM',
  'A256GCM',
]);

/** A content encryption algorithm of {@link RESPONSE_ENC_VALUES}. */
export type ResponseEnc = 'A128GCM' | 'A256GCM';

/** The public half of a response encryption key, as put in `client_metadata.jwks`. */
export interface ResponseEncryptionJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly use: 'enc';
  readonly alg: 'ECDH-ES';
}

/** An ephemeral response key pair; keep `privateJwk` with the transaction, secret. */
export interface ResponseKeyPair {
  readonly publicJwk: ResponseEncryptionJwk;
  readonly privateJwk: ResponseEncryptionJwk & { readonly d: string };
}

/** Most characters of an encrypted response accepted (a few presentations fit easily). */
export const MAX_RESPONSE_JWE_LENGTH = 262_144;

function jweInvalid(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError(
    'ERR_VP_JWE_INVALID',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Generate a fresh ephemeral ECDH-ES P-256 key pair for one request (HAIP 1.0 §5: "Verifiers MUST
 * supply ephemeral encryption public keys specific to each Authorization Request").
 *
 * @example
 * ```ts
 * const { publicJwk, privateJwk } = await generateResponseKey('tx-key-1')
 * ```
 */
export async function generateResponseKey(kid: string): Promise<ResponseKeyPair> {
  const pair = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
  const priv = await exportJWK(pair.privateKey);
  const common = {
    kty: 'EC' as const,
    crv: 'P-256' as const,
    x: priv.x as string,
    y: priv.y as string,
    kid,
    use: 'enc' as const,
    alg: 'ECDH-ES' as const,
  };
  return { publicJwk: common, privateJwk: { ...common, d: priv.d as string } };
}

/** Check that `jwk` is a usable response encryption key (wallet side, from client_metadata). */
export function parseResponseEncryptionJwk(jwk: unknown): ResponseEncryptionJwk {
  if (
    !isObject(jwk) ||
    jwk['kty'] !== 'EC' ||
    jwk['crv'] !== 'P-256' ||
    jwk['alg'] !== 'ECDH-ES' ||
    typeof jwk['x'] !== 'string' ||
    typeof jwk['y'] !== 'string' ||
    typeof jwk['kid'] !== 'string' ||
    jwk['kid'] === '' ||
    'd' in jwk ||
    (jwk['use'] !== undefined && jwk['use'] !== 'enc')
  )
    throw new OpenMidError(
      'ERR_VP_REQUEST_INVALID',
      'The response encryption key is not an ECDH-ES P-256 JWK with a kid',
    );
  return {
    kty: 'EC',
    crv: 'P-256',
    x: jwk['x'],
    y: jwk['y'],
    kid: jwk['kid'],
    use: 'enc',
    alg: 'ECDH-ES',
  };
}

/**
 * Wallet side: encrypt the authorization response parameters (`{ vp_token, state? }`) to the
 * verifier's ephemeral key.
 *
 * @example
 * ```ts
 * const response = await encryptResponse({ vp_token: { id: [presentation] } }, request.responseKey, 'A256GCM')
 * await fetch(request.responseUri, { method: 'POST', body: new URLSearchParams({ response }) })
 * ```
 * @see OpenID4VP 1.0 §8.3, §8.3.1
 */
export async function encryptResponse(
  payload: Readonly<Record<string, unknown>>,
  jwk: ResponseEncryptionJwk,
  enc: ResponseEnc = 'A256GCM',
): Promise<string> {
  if (!RESPONSE_ENC_VALUES.includes(enc))
    throw new OpenMidError('ERR_INPUT_INVALID', 'enc must be A128GCM or A256GCM');
  const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ECDH-ES');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, kid: jwk.kid })
    .encrypt(key);
}

const HEADER_MEMBERS = new Set(['alg', 'enc', 'kid', 'epk', 'apu', 'apv', 'typ', 'cty']);

/** Check the protected header of a compact JWE (see module comment); returns `enc`. */
function checkHeader(jwe: string, kid: string): ResponseEnc {
  if (typeof jwe !== 'string' || jwe.length > MAX_RESPONSE_JWE_LENGTH)
    throw jweInvalid('The response is missing or too large');
  const parts = jwe.split('.');
  if (parts.length !== 5) throw jweInvalid('The response is not a compact JWE');
  if (parts[1] !== '') throw jweInvalid('ECDH-ES (direct) carries no encrypted key');
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(
      base64url.decode(parts[0] as string),
    );
  } catch (cause) {
    throw jweInvalid('The JWE header is not base64url UTF-8', cause);
  }
  const header = parseJsonObject(headerText, 'ERR_VP_JWE_INVALID', 4096);
  for (const name of Object.keys(header))
    if (!HEADER_MEMBERS.has(name)) throw jweInvalid(`The JWE header member ${name} is not allowed`);
  if (header['alg'] !== 'ECDH-ES') throw jweInvalid('The JWE alg must be ECDH-ES');
  const enc = header['enc'];
  if (enc !== 'A128GCM' && enc !== 'A256GCM')
    throw jweInvalid('The JWE enc must be A128GCM or A256GCM');
  if (header['kid'] !== kid) throw jweInvalid('The JWE names another key');
  const epk = header['epk'];
  if (!isObject(epk) || epk['kty'] !== 'EC' || epk['crv'] !== 'P-256' || 'd' in epk)
    throw jweInvalid('The JWE epk must be a public P-256 key');
  return enc;
}

/**
 * The decryption step, as a port: key agreement (ECDH-ES, RFC 7518 §4.6), Concat KDF and AES-GCM
 * of a compact JWE whose header {@link decryptResponse} has already checked. The default is jose
 * (WebCrypto, every runtime); a server may plug in a `node:crypto` implementation, which is about
 * four times faster in Node. It must validate that `epk` is on the curve and reject on any failure.
 */
export type EcdhEsDecrypt = (
  jwe: string,
  privateJwk: ResponseEncryptionJwk & { readonly d: string },
  enc: ResponseEnc,
) => Promise<Uint8Array>;

/** {@link EcdhEsDecrypt} with jose (WebCrypto). */
export const joseEcdhEsDecrypt: EcdhEsDecrypt = async (jwe, privateJwk, enc) => {
  const key = await importJWK(
    { kty: 'EC', crv: 'P-256', x: privateJwk.x, y: privateJwk.y, d: privateJwk.d } as JWK,
    'ECDH-ES',
  );
  const { plaintext } = await compactDecrypt(jwe, key, {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: [enc],
  });
  return plaintext;
};

/** Options of {@link decryptResponse}. */
export interface DecryptResponseOptions {
  /** The decryption implementation (default {@link joseEcdhEsDecrypt}). */
  readonly decrypt?: EcdhEsDecrypt;
}

/**
 * Verifier side: decrypt a `direct_post.jwt` response with this request's ephemeral private key
 * and return its payload (a strict JSON object). Every failure is `ERR_VP_JWE_INVALID`.
 *
 * @example
 * ```ts
 * const { vp_token } = await decryptResponse(form.get('response'), tx.responseKey)
 * ```
 * @see OpenID4VP 1.0 §8.3; RFC 7516 §5.2; RFC 7518 §4.6
 */
export async function decryptResponse(
  jwe: string,
  privateJwk: ResponseEncryptionJwk & { readonly d: string },
  options: DecryptResponseOptions = {},
): Promise<Record<string, unknown>> {
  const enc = checkHeader(jwe, privateJwk.kid);
  let plaintext: Uint8Array;
  try {
    plaintext = await (options.decrypt ?? joseEcdhEsDecrypt)(jwe, privateJwk, enc);
  } catch (cause) {
    throw jweInvalid('The response does not decrypt with this request key', cause);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch (cause) {
    throw new OpenMidError('ERR_VP_RESPONSE_INVALID', 'The decrypted response is not UTF-8', {
      cause,
    });
  }
  return parseJsonObject(text, 'ERR_VP_RESPONSE_INVALID', MAX_RESPONSE_JWE_LENGTH);
}
