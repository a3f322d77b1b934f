/**
 * @module oid4vp/request
 * Signed request objects (OpenID4VP 1.0 §5 with JAR, RFC 9101) as OpenMID profiles them after
 * HAIP 1.0 §5: fetched by `request_uri`, `typ: oauth-authz-req+jwt`, `response_type=vp_token`,
 * `response_mode=direct_post.jwt` with a fresh ECDH-ES P-256 key per request in
 * `client_metadata.jwks`, a DCQL query, and the Client Identifier Prefix `verifier_attestation`
 * whose attestation (the proof of registration) rides in the `jwt` header.
 *
 * - Verifier side: {@link createRequestObject}, {@link requestLink}.
 * - Wallet side: {@link parseRequestLink}, {@link verifyRequestObject} (attestation, signature by
 *   the attested key, parameters, DCQL) reporting what exceeds the registration.
 */
import type { CryptoProvider } from '@openmid/core';
import { asOpenMidError, OpenMidError } from '@openmid/core/errors';
import {
  decodeCompactJws,
  signCompactJws,
  systemClock,
  verifyCompactJws,
} from '@openmid/core/jose';
import { type Signer, verifierFromJwk } from '@openmid/core/keys';
import { type DcqlQuery, parseDcqlQuery } from '../dcql/query.js';
import { isObject } from '../internal/json.js';
import {
  type LegalBasisRule,
  type UnregisteredClaim,
  unregisteredClaims,
} from '../trust/registration.js';
import type { RelyingPartyRegistration, TrustSource } from '../trust/source.js';
import { type AttestedLedgerReference, verifyVerifierAttestation } from './attestation.js';
import {
  parseResponseEncryptionJwk,
  RESPONSE_ENC_VALUES,
  type ResponseEnc,
  type ResponseEncryptionJwk,
} from './jwe.js';

/** `typ` of a request object (OpenID4VP 1.0 §5; RFC 9101 §10.8). */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
/** The response mode OpenMID uses (OpenID4VP 1.0 §8.3.1). */
export const RESPONSE_MODE = 'direct_post.jwt';
/** `aud` of a request object under static discovery (OpenID4VP 1.0 §5.8). */
export const STATIC_DISCOVERY_AUD = 'https://self-issued.me/v2';
/** Most characters of a request object a wallet accepts. */
export const MAX_REQUEST_OBJECT_LENGTH = 65_536;

/** Verifier metadata: the formats and algorithms this verifier accepts (§11.1). */
export const VP_FORMATS_SUPPORTED: Readonly<Record<string, unknown>> = Object.freeze({
  'dc+sd-jwt': {
    'sd-jwt_alg_values': ['ES256', 'EdDSA'],
    'kb-jwt_alg_values': ['ES256', 'EdDSA'],
  },
  // OpenID4VP 1.0 Appendix B.2.3: COSE algorithm numbers (-7 ES256, -8 EdDSA).
  mso_mdoc: {
    issuerauth_alg_values: [-7, -8],
    deviceauth_alg_values: [-7, -8],
  },
});

const NONCE = /^[A-Za-z0-9._~-]{16,256}$/;

/** Options of {@link createRequestObject}. */
export interface CreateRequestObjectOptions {
  /** The relying party's request-signing key (the attestation's `cnf` key). */
  readonly signer: Signer;
  /** The Verifier Attestation JWT from the registry (goes in the `jwt` header). */
  readonly attestation: string;
  /** `verifier_attestation:<rp id>`. */
  readonly clientId: string;
  /** Where the wallet posts the encrypted response. */
  readonly responseUri: string;
  /** A fresh nonce with ≥ 128 bits of entropy (§5.2), URL-safe characters. */
  readonly nonce: string;
  readonly dcql: DcqlQuery;
  /** The request's ephemeral encryption key (public half). */
  readonly responseKey: ResponseEncryptionJwk;
  readonly state?: string;
  readonly now?: number;
  /** Lifetime in seconds (default 300). */
  readonly ttl?: number;
}

/**
 * Verifier side: the signed request object served at `request_uri`.
 *
 * @example
 * ```ts
 * const jwt = await createRequestObject({ signer, attestation, clientId, responseUri, nonce, dcql, responseKey })
 * ```
 * @see OpenID4VP 1.0 §5, §5.9.3, §8.3; HAIP 1.0 §5
 */
export async function createRequestObject(options: CreateRequestObjectOptions): Promise<string> {
  if (!NONCE.test(options.nonce))
    throw new OpenMidError('ERR_INPUT_INVALID', 'The nonce needs 16 or more URL-safe characters');
  const now = options.now ?? systemClock();
  return signCompactJws(
    {
      aud: STATIC_DISCOVERY_AUD,
      client_id: options.clientId,
      response_type: 'vp_token',
      response_mode: RESPONSE_MODE,
      response_uri: options.responseUri,
      nonce: options.nonce,
      ...(options.state === undefined ? {} : { state: options.state }),
      dcql_query: parseDcqlQuery(options.dcql),
      client_metadata: {
        jwks: { keys: [options.responseKey] },
        encrypted_response_enc_values_supported: [...RESPONSE_ENC_VALUES],
        vp_formats_supported: VP_FORMATS_SUPPORTED,
      },
      iat: now,
      exp: now + (options.ttl ?? 300),
    },
    { typ: REQUEST_OBJECT_TYP, signer: options.signer, header: { jwt: options.attestation } },
  );
}

/**
 * The cross-device link (and QR text): `openid4vp://?client_id=…&request_uri=…` (§5.7; RFC 9101
 * §5.2). `base` may be another wallet endpoint, e.g. the wallet app's HTTPS URL (same device).
 */
export function requestLink(clientId: string, requestUri: string, base = 'openid4vp://'): string {
  const q = new URLSearchParams({ client_id: clientId, request_uri: requestUri });
  return `${base}${base.includes('?') ? '&' : '?'}${q.toString()}`;
}

/** Wallet side: read `client_id` and `request_uri` from a link or QR text. */
export function parseRequestLink(link: string): {
  readonly clientId: string;
  readonly requestUri: string;
} {
  let url: URL;
  try {
    url = new URL(link);
  } catch (cause) {
    throw new OpenMidError('ERR_VP_REQUEST_INVALID', 'The request link is not a URL', { cause });
  }
  const clientId = url.searchParams.get('client_id');
  const requestUri = url.searchParams.get('request_uri');
  if (clientId === null || requestUri === null || url.searchParams.getAll('client_id').length !== 1)
    throw new OpenMidError(
      'ERR_VP_REQUEST_INVALID',
      'The link needs one client_id and one request_uri',
    );
  return { clientId, requestUri };
}

/** A verified request, as the wallet sees it. */
export interface VerifiedRequest {
  readonly clientId: string;
  readonly responseUri: string;
  readonly nonce: string;
  readonly state?: string;
  readonly dcql: DcqlQuery;
  /** The key to encrypt the response to, and the `enc` to use (A256GCM when offered). */
  readonly responseKey: ResponseEncryptionJwk;
  readonly enc: ResponseEnc;
  readonly expiresAt: number;
  /** Who asks, why, and what they are registered for (show it to the citizen). */
  readonly registration: RelyingPartyRegistration;
  /** The registry that attested the registration. */
  readonly registry: {
    readonly iss: string;
    readonly names?: { readonly ko: string; readonly en: string };
  };
  /** Requested claims beyond the registration: warn the citizen (SECURITY.md "Presentation"). */
  readonly exceeds: readonly UnregisteredClaim[];
  /**
   * Where the registry says the party's registration is on the trust ledger (the attestation's
   * `openmid_ledger`): look it up there to check it independently. When the wallet's trust
   * source is that ledger, `registration` already comes from it (`registration.ledger`).
   */
  readonly ledger?: AttestedLedgerReference;
}

/** Options of {@link verifyRequestObject}. */
export interface VerifyRequestObjectOptions {
  readonly trust: TrustSource;
  /** The `client_id` of the link the request object was fetched for. */
  readonly clientId: string;
  readonly now?: number;
  readonly leeway?: number;
  /** Which claims need a statutory basis (the profile's `rrn` claims). */
  readonly legalBasisRequired?: LegalBasisRule;
  /** Accept an `http:` response URI (development only). */
  readonly allowHttp?: boolean;
  readonly crypto?: CryptoProvider;
}

function reqInvalid(message: string): OpenMidError {
  return new OpenMidError('ERR_VP_REQUEST_INVALID', message);
}

function checkResponseUri(value: unknown, allowHttp: boolean): string {
  if (typeof value !== 'string') throw reqInvalid('response_uri is required (§8.2)');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw reqInvalid('response_uri is not a URL');
  }
  if (u.protocol !== 'https:' && !(allowHttp && u.protocol === 'http:'))
    throw reqInvalid('response_uri must be https');
  if (u.hash !== '' || u.username !== '' || u.password !== '')
    throw reqInvalid('response_uri is malformed');
  return value;
}

/**
 * Wallet side: verify a request object fetched from `request_uri` for the link's `client_id`:
 * the attestation (trusted registry, `sub`, expiry), the signature by the attested key, `typ`,
 * identical `client_id`, `vp_token` with `direct_post.jwt` to an https `response_uri`, a nonce,
 * an ECDH-ES P-256 response key, the DCQL query; then what exceeds the registration.
 *
 * @example
 * ```ts
 * const { clientId, requestUri } = parseRequestLink(scanned)
 * const request = await verifyRequestObject(await (await fetch(requestUri)).text(), { trust, clientId })
 * if (request.exceeds.length) showWarning(request.registration, request.exceeds)
 * ```
 * @see OpenID4VP 1.0 §5.9.3, §5.10.1, §8.3; RFC 9101 §6
 */
export async function verifyRequestObject(
  jwt: string,
  options: VerifyRequestObjectOptions,
): Promise<VerifiedRequest> {
  try {
    const now = options.now ?? systemClock();
    const leeway = options.leeway ?? 30;
    let attestationJwt: unknown;
    try {
      attestationJwt = decodeCompactJws(jwt, MAX_REQUEST_OBJECT_LENGTH).header['jwt'];
    } catch (cause) {
      throw new OpenMidError('ERR_VP_REQUEST_INVALID', 'The request object is not a compact JWS', {
        cause,
      });
    }
    if (typeof attestationJwt !== 'string')
      throw reqInvalid('The request object carries no verifier attestation');
    const attestation = await verifyVerifierAttestation(attestationJwt, {
      trust: options.trust,
      clientId: options.clientId,
      now,
      leeway,
      ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
    });
    const { payload } = await verifyCompactJws(jwt, {
      typ: REQUEST_OBJECT_TYP,
      key: await verifierFromJwk(
        attestation.cnfJwk,
        options.crypto === undefined ? undefined : { crypto: options.crypto },
      ),
      maxLength: MAX_REQUEST_OBJECT_LENGTH,
    });
    if (payload['client_id'] !== options.clientId)
      throw reqInvalid('client_id differs from the link (§5.10.1)');
    if (payload['response_type'] !== 'vp_token') throw reqInvalid('response_type must be vp_token');
    if (payload['response_mode'] !== RESPONSE_MODE)
      throw reqInvalid('response_mode must be direct_post.jwt');
    if (payload['redirect_uri'] !== undefined)
      throw reqInvalid('redirect_uri is not allowed with direct_post (§8.2)');
    if (payload['transaction_data'] !== undefined)
      throw reqInvalid('transaction_data is not supported');
    const responseUri = checkResponseUri(payload['response_uri'], options.allowHttp === true);
    const nonce = payload['nonce'];
    if (typeof nonce !== 'string' || !NONCE.test(nonce))
      throw reqInvalid('The nonce is missing or malformed');
    const exp = payload['exp'];
    if (typeof exp !== 'number' || now - leeway >= exp)
      throw reqInvalid('The request object is expired');
    const iat = payload['iat'];
    if (iat !== undefined && (typeof iat !== 'number' || iat > now + leeway))
      throw reqInvalid('The request object is issued in the future');
    const state = payload['state'];
    if (state !== undefined && typeof state !== 'string')
      throw reqInvalid('state must be a string');
    const dcql = parseDcqlQuery(payload['dcql_query']);
    const metadata = payload['client_metadata'];
    const jwks = isObject(metadata) ? metadata['jwks'] : undefined;
    const keys = isObject(jwks) && Array.isArray(jwks['keys']) ? jwks['keys'] : [];
    if (keys.length !== 1)
      throw reqInvalid('client_metadata.jwks must hold exactly one response key');
    const responseKey = parseResponseEncryptionJwk(keys[0]);
    const offered = isObject(metadata)
      ? metadata['encrypted_response_enc_values_supported']
      : undefined;
    const encs = Array.isArray(offered) ? offered : ['A128GCM'];
    const enc: ResponseEnc | undefined = encs.includes('A256GCM')
      ? 'A256GCM'
      : encs.includes('A128GCM')
        ? 'A128GCM'
        : undefined;
    if (enc === undefined) throw reqInvalid('No supported response encryption (A128GCM, A256GCM)');
    return {
      clientId: options.clientId,
      responseUri,
      nonce,
      ...(state === undefined ? {} : { state }),
      dcql,
      responseKey,
      enc,
      expiresAt: exp,
      registration: attestation.registration,
      registry: {
        iss: attestation.iss,
        ...(attestation.registryName === undefined ? {} : { names: attestation.registryName }),
      },
      exceeds: unregisteredClaims(attestation.registration, dcql, options.legalBasisRequired),
      ...(attestation.ledger === undefined ? {} : { ledger: attestation.ledger }),
    };
  } catch (e) {
    throw asOpenMidError(e);
  }
}
