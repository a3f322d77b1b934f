/**
 * @module services/metadata
 * The issuer's published metadata:
 * - Credential Issuer Metadata at `/.well-known/openid-credential-issuer` (OpenID4VCI 1.0
 *   §12.2.4): Korean and English display, one configuration per Korean credential type in format
 *   `dc+sd-jwt` with its `vct`, jwk binding, ES256 signatures, `jwt` key proofs, the batch size, the
 *   nonce and notification endpoints; display and claims under `credential_metadata` (1.0 Final);
 * - Authorization Server Metadata at `/.well-known/oauth-authorization-server` (RFC 8414 §2, with
 *   RFC 9126 §5 PAR, RFC 9449 §5.1 DPoP, RFC 9207 `iss`, OpenID4VCI 1.0 §12.3): the issuer is its
 *   own authorization server, so `authorization_servers` is omitted (§12.2.4);
 * - the SD-JWT VC Type Metadata of each type (draft-ietf-oauth-sd-jwt-vc §6) and the issuer JWKS;
 * - the driving licence also as `mso_mdoc` (`driving-licence-mdoc`, Appendix A.2; services/mdoc.ts).
 */
import { CREDENTIAL_TYPES, type CredentialType } from '@openmid/profile-kr';
import type { IssuerContext } from '../context.js';
import { DPOP_ALGS } from '../oauth/dpop.js';
import { PROOF_ALGS } from '../oauth/proofs.js';
import { MDOC_CONFIGURATIONS, mdocConfigurationMetadata } from './mdoc.js';
import { PRE_AUTHORIZED_GRANT } from './offers.js';

/** The locales of display metadata (BCP 47). */
const LOCALES = [
  ['ko', 'ko-KR'],
  ['en', 'en-US'],
] as const;

function configurationOf(type: CredentialType): Record<string, unknown> {
  return {
    format: 'dc+sd-jwt',
    vct: type.vct,
    scope: type.name,
    cryptographic_binding_methods_supported: ['jwk'],
    credential_signing_alg_values_supported: ['ES256'],
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: [...PROOF_ALGS] } },
    credential_metadata: {
      display: LOCALES.map(([lang, locale]) => ({
        name: type.labels[lang],
        locale,
        description: type.description[lang],
        background_color: '#0b3d91',
        text_color: '#ffffff',
      })),
      claims: type.claims.map((c) => ({
        path: [...c.path],
        mandatory: c.required,
        display: LOCALES.map(([lang, locale]) => ({ name: c.labels[lang], locale })),
      })),
    },
  };
}

/** Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4). */
export function credentialIssuerMetadata(ctx: IssuerContext): Record<string, unknown> {
  const { urls, config } = ctx;
  return {
    credential_issuer: urls.issuer,
    credential_endpoint: urls.credential,
    nonce_endpoint: urls.nonce,
    notification_endpoint: urls.notification,
    batch_credential_issuance: { batch_size: config.ISSUER_BATCH_SIZE },
    display: [
      { name: config.ISSUER_NAME_KO, locale: 'ko-KR' },
      { name: config.ISSUER_NAME_EN, locale: 'en-US' },
    ],
    credential_configurations_supported: Object.fromEntries([
      ...CREDENTIAL_TYPES.map((t) => [t.name, configurationOf(t)]),
      ...MDOC_CONFIGURATIONS.map((c) => [c.id, mdocConfigurationMetadata(c)]),
    ]),
  };
}

/** Authorization Server Metadata (RFC 8414 §2). */
export function authorizationServerMetadata(ctx: IssuerContext): Record<string, unknown> {
  const { urls } = ctx;
  return {
    issuer: urls.issuer,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    pushed_authorization_request_endpoint: urls.par,
    require_pushed_authorization_requests: true,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', PRE_AUTHORIZED_GRANT],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    'pre-authorized_grant_anonymous_access_supported': true,
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    authorization_response_iss_parameter_supported: true,
    scopes_supported: CREDENTIAL_TYPES.map((t) => t.name),
    authorization_details_types_supported: ['openid_credential'],
  };
}

/** The issuer's public keys as a JWK Set (RFC 7517 §5). */
export function issuerJwks(ctx: IssuerContext): { keys: Record<string, unknown>[] } {
  return { keys: [{ ...ctx.secrets.publicJwk }] };
}
