/**
 * @module http/errors
 * Error mapping, ONLY at the HTTP edge (STYLE.md rule 11): one table from {@link OpenMidErrorCode}
 * to an HTTP status and, for OAuth endpoints, the OAuth / OpenID4VC error string. Domain code
 * throws coded errors and never knows about HTTP; each app extends the table for its endpoints.
 *
 * Bodies: `{ code, message, requestId }` (plus `details` where the table exposes them, e.g. the
 * failing field paths of ERR_INPUT_INVALID); on routes marked OAuth, `{ error, error_description }`
 * (RFC 6749 §5.2). A 5xx body is generic and never carries the cause; unknown errors become 500
 * ERR_INTERNAL.
 */
import type { OpenMidErrorCode } from '@openmid/core/errors';
import { OpenMidError } from '@openmid/core/errors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { scrubText } from '../log/logger.js';

/**
 * OAuth 2.0 and OpenID4VC error strings:
 * RFC 6749 §5.2 (token endpoint) and §4.1.2.1 (authorization endpoint); RFC 6750 §3.1 (protected
 * resources); RFC 9449 §12.2 / §8 (DPoP); OpenID4VCI 1.0 §8.3.1.2 (credential endpoint) and
 * §11.3 (notification endpoint); RFC 9396 §5 (authorization details).
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'invalid_authorization_details'
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'unknown_credential_identifier'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'invalid_encryption_parameters'
  | 'credential_request_denied'
  | 'invalid_notification_id'
  | 'invalid_notification_request';

/** How one code appears on the wire. */
export interface ErrorMapping {
  readonly status: ContentfulStatusCode;
  /** The OAuth error string on OAuth routes; default by status (see {@link oauthErrorFor}). */
  readonly oauth?: OAuthErrorCode;
  /** Send `details` in the body (only for codes whose details are meant for the client). */
  readonly expose?: boolean;
}

/** Code → wire mapping; apps pass their additions to `createApp({ errorMap })`. */
export type ErrorMap = Readonly<Partial<Record<OpenMidErrorCode, ErrorMapping>>>;

const BAD: ErrorMapping = { status: 400, oauth: 'invalid_request' };

/** The defaults every service starts from. */
export const DEFAULT_ERROR_MAP: ErrorMap = Object.freeze({
  ERR_INTERNAL: { status: 500 },
  ERR_INPUT_INVALID: { status: 400, oauth: 'invalid_request', expose: true },
  ERR_CRYPTO_UNSUPPORTED: BAD,
  ERR_HTTP_BODY_TOO_LARGE: { status: 413, oauth: 'invalid_request', expose: true },
  ERR_HTTP_RATE_LIMITED: { status: 429, oauth: 'temporarily_unavailable', expose: true },
  ERR_HTTP_NOT_FOUND: { status: 404, oauth: 'invalid_request' },
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, oauth: 'invalid_request' },
  ERR_AUTH_REQUIRED: { status: 401, oauth: 'invalid_client' },
  ERR_AUTH_FORBIDDEN: { status: 403, oauth: 'insufficient_scope' },
  ERR_STORE_UNAVAILABLE: { status: 503 },
  ERR_STORE_CONFLICT: { status: 409, oauth: 'invalid_request' },
  ERR_STORE_LOCKED: { status: 503 },
  ERR_STATUS_VALUE_INVALID: { status: 409, oauth: 'invalid_request' },
  ERR_STATUS_ALLOCATOR_EXHAUSTED: { status: 503 },
  ERR_KMS_KEY_UNAVAILABLE: { status: 503 },
});

/** Families of client-input codes that default to 400 invalid_request when not in the table. */
const CLIENT_INPUT_PREFIXES = [
  'ERR_JOSE_',
  'ERR_JWT_',
  'ERR_SDJWT_',
  'ERR_SDJWTVC_',
  'ERR_KEY_',
  'ERR_STATUS_',
  'ERR_PROFILE_',
  'ERR_KR_',
];

/** The mapping for `code`: the table, else a client-input family default, else 500. */
export function mappingFor(
  code: OpenMidErrorCode,
  map: ErrorMap = DEFAULT_ERROR_MAP,
): ErrorMapping {
  const m = map[code] ?? DEFAULT_ERROR_MAP[code];
  if (m !== undefined) return m;
  if (CLIENT_INPUT_PREFIXES.some((p) => code.startsWith(p))) return BAD;
  return { status: 500 };
}

/** The OAuth error string for a mapping: its own, else by status class. */
export function oauthErrorFor(m: ErrorMapping): OAuthErrorCode {
  if (m.oauth !== undefined) return m.oauth;
  if (m.status === 503 || m.status === 429) return 'temporarily_unavailable';
  return m.status >= 500 ? 'server_error' : 'invalid_request';
}

const ZOD_TARGET: Record<string, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

/**
 * ERR_INPUT_INVALID listing the failing field PATHS and zod issue kinds, never the values (a
 * failing field may be a resident number or a PIN).
 */
export function inputInvalid(
  error: ZodError | { issues: readonly unknown[] },
  target?: string,
): OpenMidError {
  const prefix = target === undefined ? undefined : (ZOD_TARGET[target] ?? target);
  const fields = (error.issues as readonly { path?: readonly PropertyKey[]; code?: unknown }[])
    .slice(0, 20)
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => String(p)).join('.');
      const full = prefix === undefined ? path : path === '' ? prefix : `${prefix}.${path}`;
      return {
        path: full.slice(0, 200),
        issue: typeof issue.code === 'string' ? issue.code : 'invalid',
      };
    });
  const names = [...new Set(fields.map((f) => f.path))].join(', ');
  return new OpenMidError('ERR_INPUT_INVALID', `Invalid request: ${names || 'input'}`, {
    details: { fields },
  });
}

/** Turn anything thrown into an OpenMID error (HTTPException and ZodError included). */
export function toOpenMidError(err: unknown): OpenMidError {
  if (err instanceof OpenMidError) return err;
  if (err instanceof ZodError) return inputInvalid(err);
  if (err instanceof HTTPException) {
    const byStatus: Partial<Record<number, OpenMidErrorCode>> = {
      400: 'ERR_INPUT_INVALID',
      401: 'ERR_AUTH_REQUIRED',
      403: 'ERR_AUTH_FORBIDDEN',
      404: 'ERR_HTTP_NOT_FOUND',
      413: 'ERR_HTTP_BODY_TOO_LARGE',
      415: 'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
      429: 'ERR_HTTP_RATE_LIMITED',
    };
    const code = byStatus[err.status] ?? (err.status < 500 ? 'ERR_INPUT_INVALID' : 'ERR_INTERNAL');
    // Hono's own messages ("Malformed JSON in request body") carry no input; keep them for 4xx.
    const message = err.status < 500 && err.message !== '' ? err.message : undefined;
    return new OpenMidError(code, message, { cause: err });
  }
  return new OpenMidError('ERR_INTERNAL', 'Internal error', { cause: err });
}

/** The JSON error body (non-OAuth routes). */
export interface ErrorBody {
  code: OpenMidErrorCode;
  message: string;
  requestId: string;
  details?: Readonly<Record<string, unknown>>;
}

/** The OAuth error body (RFC 6749 §5.2). */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

const GENERIC_5XX: Record<number, string> = {
  503: 'Service temporarily unavailable',
};

/**
 * The status, headers and body for `err`. 5xx: a generic message, no details, and for codes not
 * in the table the code itself becomes ERR_INTERNAL.
 */
export function renderError(
  err: OpenMidError,
  options: { map?: ErrorMap; oauth: boolean; requestId: string },
): {
  status: ContentfulStatusCode;
  headers: Record<string, string>;
  body: ErrorBody | OAuthErrorBody;
} {
  const m = mappingFor(err.code, options.map);
  const server = m.status >= 500;
  const known = options.map?.[err.code] !== undefined || DEFAULT_ERROR_MAP[err.code] !== undefined;
  const code: OpenMidErrorCode = server && !known ? 'ERR_INTERNAL' : err.code;
  const message = server
    ? (GENERIC_5XX[m.status] ?? 'Internal error')
    : scrubText(err.message).slice(0, 300);
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  const retryAfter = err.details?.['retryAfter'];
  if (typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter >= 0) {
    headers['Retry-After'] = String(retryAfter);
  }
  if (options.oauth) {
    // error_description: printable ASCII except '"' and '\' (RFC 6749 §5.2).
    const description = message.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ');
    return {
      status: m.status,
      headers,
      body: { error: oauthErrorFor(m), error_description: description },
    };
  }
  const body: ErrorBody = { code, message, requestId: options.requestId };
  if (m.expose === true && !server && err.details !== undefined) body.details = err.details;
  return { status: m.status, headers, body };
}
