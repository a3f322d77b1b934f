/**
 * @module mdoc/openid4vp
 * ISO mdocs over OpenID4VP 1.0 (Appendix B.2; ISO/IEC 18013-7 Annex B): the `vp_token` entry of an
 * `mso_mdoc` credential query is the base64url (no padding) of a DeviceResponse whose DeviceAuth
 * is over the OpenID4VP handover SessionTranscript of THAT request (Appendix B.2.6.1):
 *
 * ```
 * SessionTranscript = [null, null, ["OpenID4VPHandover", SHA-256(CBOR([client_id, nonce, jwk_thumbprint, response_uri]))]]
 * ```
 * with `jwk_thumbprint` the RFC 7638 SHA-256 thumbprint of the verifier's response-encryption key
 * (the response is always encrypted here, `direct_post.jwt`). Wallet and verifier build it from
 * the same request parameters ({@link openid4vpMdocTranscript}); a response made for one request
 * never verifies for another.
 *
 * Wallet side: {@link mdocDisclosure} (which elements a query asks for) and
 * {@link createMdocPresentation} (a DeviceResponse signed with a non-extractable WebCrypto key).
 */
import type { CryptoProvider } from '@openmid/core';
import { OpenMidError } from '@openmid/core/errors';
import { jwkThumbprint, type PublicJwk, type Signer } from '@openmid/core/keys';
import {
  createDeviceResponse,
  type HeldMdoc,
  mdocValueToJson,
  openid4vpSessionTranscript,
  readIssuerSigned,
  type SessionTranscript,
} from '@openmid/core/mdoc';
import type { DcqlCandidate } from '../dcql/match.js';
import type { DcqlMdocQuery } from '../dcql/query.js';
import { b64uDecode, b64uEncode } from '../internal/b64u.js';
import { DEFAULT_MDOC_PROFILES, type MdocProfile, mdocProfileOf } from './profile.js';

/** The request parameters the OpenID4VP handover is made of. */
export interface MdocHandoverRequest {
  /** The full `client_id` (prefix included). */
  readonly clientId: string;
  readonly nonce: string;
  readonly responseUri: string;
  /** The response-encryption key of the request (its thumbprint enters the transcript). */
  readonly responseKey?: PublicJwk;
}

/**
 * The SessionTranscript of an OpenID4VP 1.0 request answered over `direct_post(.jwt)`.
 *
 * @example
 * ```ts
 * const transcript = openid4vpMdocTranscript(verifiedRequest) // wallet
 * const transcript = openid4vpMdocTranscript({ clientId, nonce, responseUri, responseKey }) // verifier
 * ```
 * @see OpenID4VP 1.0 Appendix B.2.6.1
 */
export function openid4vpMdocTranscript(
  request: MdocHandoverRequest,
  options: { readonly crypto?: CryptoProvider } = {},
): SessionTranscript {
  const crypto = options.crypto === undefined ? undefined : { crypto: options.crypto };
  const thumbprint =
    request.responseKey === undefined
      ? null
      : (b64uDecode(jwkThumbprint(request.responseKey, 'sha-256', crypto)) as Uint8Array);
  return openid4vpSessionTranscript(
    {
      clientId: request.clientId,
      nonce: request.nonce,
      responseUri: request.responseUri,
      jwkThumbprint: thumbprint,
    },
    crypto,
  );
}

/**
 * The elements an `mso_mdoc` query asks for, as `createDeviceResponse`'s `disclose` map
 * (namespace → element identifiers): the paths of `paths` (from `selectCredentials`), or every
 * claim of the query.
 */
export function mdocDisclosure(
  query: DcqlMdocQuery,
  paths?: readonly (readonly (string | number | null)[])[],
): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const path of paths ?? (query.claims ?? []).map((c) => c.path)) {
    const [ns, element] = path;
    if (typeof ns !== 'string' || typeof element !== 'string' || path.length !== 2)
      throw new OpenMidError('ERR_VP_DCQL_INVALID', 'An mso_mdoc path is [namespace, element]');
    const list = out[ns] ?? [];
    if (!list.includes(element)) list.push(element);
    out[ns] = list;
  }
  return out;
}

function heldOf(mdoc: Uint8Array | string | HeldMdoc): HeldMdoc {
  if (typeof mdoc === 'string') {
    const bytes = b64uDecode(mdoc);
    if (bytes === undefined)
      throw new OpenMidError('ERR_INPUT_INVALID', 'The stored mdoc is not base64url');
    return readIssuerSigned(bytes);
  }
  return mdoc instanceof Uint8Array ? readIssuerSigned(mdoc) : mdoc;
}

/**
 * Wallet side: a stored mdoc as a DCQL candidate for `selectCredentials` — `format: 'mso_mdoc'`,
 * its docType, `claims` = `{ namespace: { element: JSON value } }` (what `[namespace, element]`
 * paths select), `vct` = the profile type it mirrors (for display), and the read mdoc.
 *
 * @example
 * ```ts
 * const plan = selectCredentials(request.dcql, [mdocCandidate(storedBase64url), ...sdJwtCandidates])
 * ```
 */
export function mdocCandidate(
  mdoc: Uint8Array | string | HeldMdoc,
  profiles: readonly MdocProfile[] = DEFAULT_MDOC_PROFILES,
): DcqlCandidate & { readonly held: HeldMdoc } {
  const held = heldOf(mdoc);
  const claims: Record<string, unknown> = {};
  for (const [ns, elements] of held.elements) {
    const inner: Record<string, unknown> = {};
    for (const [k, v] of elements)
      Object.defineProperty(inner, k, {
        value: mdocValueToJson(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    Object.defineProperty(claims, ns, {
      value: inner,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    vct: mdocProfileOf(held.docType, profiles)?.vct ?? held.docType,
    format: 'mso_mdoc',
    docType: held.docType,
    claims,
    held,
  };
}

/** Options of {@link createMdocPresentation}. */
export interface CreateMdocPresentationOptions {
  /** The verified request (`verifyRequestObject`). */
  readonly request: MdocHandoverRequest;
  /** The stored IssuerSigned (bytes, or base64url as received over OpenID4VCI), or a read mdoc. */
  readonly mdoc: Uint8Array | string | HeldMdoc;
  /** What to disclose: namespace → elements (see {@link mdocDisclosure}). */
  readonly disclose: Readonly<Record<string, readonly string[]>>;
  /** The device key the MSO binds (a non-extractable WebCrypto key behind a Signer). */
  readonly deviceSigner: Signer;
  readonly crypto?: CryptoProvider;
}

/**
 * Wallet side: the `vp_token` entry of an `mso_mdoc` query — base64url of a DeviceResponse with
 * the selected elements, DeviceSigned over this request's OpenID4VP handover transcript.
 *
 * @example
 * ```ts
 * const entry = await createMdocPresentation({ request, mdoc: stored, deviceSigner,
 *   disclose: mdocDisclosure(query, selection.paths) })
 * const body = await createResponseBody(request, { [query.id]: [entry] })
 * ```
 * @see OpenID4VP 1.0 Appendix B.2.6; ISO/IEC 18013-5 §8.3.2.1.2.2
 */
export async function createMdocPresentation(
  options: CreateMdocPresentationOptions,
): Promise<string> {
  const mdoc = heldOf(options.mdoc);
  const response = await createDeviceResponse({
    documents: [{ mdoc, disclose: options.disclose, deviceSigner: options.deviceSigner }],
    sessionTranscript: openid4vpMdocTranscript(
      options.request,
      options.crypto === undefined ? {} : { crypto: options.crypto },
    ),
  });
  return b64uEncode(response);
}
