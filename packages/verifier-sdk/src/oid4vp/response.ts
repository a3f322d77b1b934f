/**
 * @module oid4vp/response
 * The authorization response of response mode `direct_post.jwt` (OpenID4VP 1.0 §8.2, §8.3.1):
 * an `application/x-www-form-urlencoded` POST with one `response` parameter holding the JWE, or —
 * when the wallet cannot encrypt, e.g. to refuse — an unencrypted error response (§8.5).
 *
 * - Wallet side: {@link createResponseBody}.
 * - Verifier side: {@link parseResponseBody}, then {@link openResponse}.
 */
import { OpenMidError } from '@openmid/core/errors';
import { isObject, parseJsonObject } from '../internal/json.js';
import {
  type DecryptResponseOptions,
  decryptResponse,
  encryptResponse,
  MAX_RESPONSE_JWE_LENGTH,
  type ResponseEncryptionJwk,
} from './jwe.js';
import type { VerifiedRequest } from './request.js';

/** Error codes a wallet may return (RFC 6749 §4.1.2.1; OpenID4VP 1.0 §8.5). */
export const WALLET_ERRORS: readonly string[] = Object.freeze([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'invalid_client',
  'vp_formats_not_supported',
  'invalid_request_uri_method',
  'invalid_transaction_data',
  'wallet_unavailable',
]);

/** A parsed `direct_post.jwt` body. */
export type ResponseBody =
  | { readonly kind: 'response'; readonly jwe: string }
  | { readonly kind: 'error'; readonly error: string; readonly state?: string };

function respInvalid(message: string): OpenMidError {
  return new OpenMidError('ERR_VP_RESPONSE_INVALID', message);
}

/**
 * Verifier side: parse the form body of a `direct_post.jwt` POST. Exactly one `response`
 * parameter (a compact JWE), or an error response whose `error` is a known code; each parameter
 * at most once. The `error_description` is never kept (free text from outside).
 */
export function parseResponseBody(body: string): ResponseBody {
  if (typeof body !== 'string' || body.length > MAX_RESPONSE_JWE_LENGTH + 1024)
    throw respInvalid('The response body is missing or too large');
  const form = new URLSearchParams(body);
  const names = [...form.keys()];
  if (new Set(names).size !== names.length) throw respInvalid('A response parameter is repeated');
  const response = form.get('response');
  if (response !== null) {
    if (names.length !== 1)
      throw respInvalid('An encrypted response carries only the response parameter');
    return { kind: 'response', jwe: response };
  }
  const error = form.get('error');
  if (error === null || !WALLET_ERRORS.includes(error))
    throw respInvalid('The body is neither a response nor a known error');
  const state = form.get('state');
  return state === null ? { kind: 'error', error } : { kind: 'error', error, state };
}

/** The authorization response parameters after decryption. */
export interface OpenedResponse {
  /** The `vp_token` object (credential query id → presentations). */
  readonly vpToken: Record<string, unknown>;
  readonly state?: string;
}

/**
 * Verifier side: decrypt a response JWE with the request's ephemeral key and check its payload:
 * a JSON object whose `vp_token` is an object (a JSON string of one is accepted too, §8.1).
 */
export async function openResponse(
  jwe: string,
  privateJwk: ResponseEncryptionJwk & { readonly d: string },
  options: DecryptResponseOptions = {},
): Promise<OpenedResponse> {
  const payload = await decryptResponse(jwe, privateJwk, options);
  let vpToken = payload['vp_token'];
  if (typeof vpToken === 'string') vpToken = parseJsonObject(vpToken, 'ERR_VP_RESPONSE_INVALID');
  if (!isObject(vpToken)) throw respInvalid('The response has no vp_token object');
  const state = payload['state'];
  if (state !== undefined && typeof state !== 'string') throw respInvalid('state must be a string');
  return state === undefined ? { vpToken } : { vpToken, state };
}

/**
 * Wallet side: the form body to POST to `request.responseUri`
 * (`Content-Type: application/x-www-form-urlencoded`).
 *
 * @example
 * ```ts
 * const body = await createResponseBody(request, { pid: [presentation] })
 * await fetch(request.responseUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
 * ```
 */
export async function createResponseBody(
  request: Pick<VerifiedRequest, 'responseKey' | 'enc' | 'state'>,
  vpToken: Readonly<Record<string, readonly string[]>>,
): Promise<string> {
  const payload: Record<string, unknown> = { vp_token: vpToken };
  if (request.state !== undefined) payload['state'] = request.state;
  const response = await encryptResponse(payload, request.responseKey, request.enc);
  return new URLSearchParams({ response }).toString();
}
