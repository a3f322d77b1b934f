/**
 * @module wallet/oid4vci
 * Receiving a card over OpenID for Verifiable Credential Issuance 1.0, as the OpenMID issuer
 * implements it (docs/issuer.md): a Credential Offer (§4.1) by value or by reference with the
 * pre-authorized code grant and a `tx_code` (§4.1.1, §6.1), DPoP-bound tokens (RFC 9449) with ONE
 * DPoP key per wallet, a `c_nonce` from the Nonce Endpoint (§7), one `openid4vci-proof+jwt` per
 * copy, each with a FRESH non-extractable holder key (batch issuance, §8.2; Appendix F.1), every
 * credential verified against the trust list before it is kept, then the Notification Endpoint
 * (§11) with `credential_accepted`.
 *
 * Nothing is shown as trusted because the issuer says so: the issuer's display name comes from the
 * trust list (`issuerKeys(iss).names`), and an issuer not authorised there for the offered type is
 * refused before any token is asked for.
 */
import { signCompactJws } from '@openmid/core/jose';
import { jwkThumbprint, parsePublicJwk, type Signer } from '@openmid/core/keys';
import { verifySdJwtVc } from '@openmid/core/sd-jwt-vc';
import { type LocalizedText, type TrustSource, trustedVerifier } from '@openmid/verifier';
import { b64u, randomId, utf8 } from './bytes.js';
import { WalletError } from './errors.js';
import { errorOf, type HttpAnswer, type HttpPolicy, okJson, request } from './http.js';

/** The pre-authorized code grant type (OpenID4VCI 1.0 §4.1.1). */
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
/** The URI scheme of credential offers (OpenID4VCI 1.0 §4.1). */
export const OFFER_SCHEME = 'openid-credential-offer://';
/** `typ` of key proofs (OpenID4VCI 1.0 Appendix F.1). */
export const PROOF_TYP = 'openid4vci-proof+jwt';
/** Copies the wallet asks for at most (unlinkable presentations; capped by the issuer). */
export const WANTED_COPIES = 3;

/** A credential offer the wallet can redeem. */
export interface CredentialOffer {
  readonly credentialIssuer: string;
  readonly configurationIds: readonly string[];
  readonly preAuthorizedCode: string;
  /** Present when the issuer requires a transaction code (§4.1.1). */
  readonly txCode?: {
    readonly length?: number;
    readonly inputMode: 'numeric' | 'text';
    readonly description?: string;
  };
}

function offerInvalid(message: string, cause?: unknown): WalletError {
  return new WalletError(
    'ERR_WALLET_OFFER_INVALID',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/** Validate a Credential Offer object (OpenID4VCI 1.0 §4.1.1); only the pre-authorized grant. */
export function parseOfferObject(value: unknown): CredentialOffer {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw offerInvalid('The offer is not a JSON object');
  const o = value as Record<string, unknown>;
  const iss = o['credential_issuer'];
  if (typeof iss !== 'string' || !/^https?:\/\//.test(iss))
    throw offerInvalid('credential_issuer is missing');
  const ids = o['credential_configuration_ids'];
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => typeof i === 'string'))
    throw offerInvalid('credential_configuration_ids is missing');
  const grants = o['grants'];
  const pre =
    typeof grants === 'object' && grants !== null
      ? (grants as Record<string, unknown>)[PRE_AUTHORIZED_GRANT]
      : undefined;
  if (typeof pre !== 'object' || pre === null)
    throw offerInvalid('Only the pre-authorized code grant is supported');
  const p = pre as Record<string, unknown>;
  const code = p['pre-authorized_code'];
  if (typeof code !== 'string' || code.length === 0 || code.length > 1024)
    throw offerInvalid('pre-authorized_code is missing');
  const tx = p['tx_code'];
  let txCode: CredentialOffer['txCode'];
  if (tx !== undefined) {
    if (typeof tx !== 'object' || tx === null) throw offerInvalid('tx_code is malformed');
    const t = tx as Record<string, unknown>;
    const length = t['length'];
    const mode = t['input_mode'] ?? 'numeric';
    if (mode !== 'numeric' && mode !== 'text') throw offerInvalid('tx_code input_mode');
    if (length !== undefined && (typeof length !== 'number' || length < 1 || length > 32))
      throw offerInvalid('tx_code length');
    txCode = {
      inputMode: mode,
      ...(typeof length === 'number' ? { length } : {}),
      ...(typeof t['description'] === 'string'
        ? { description: t['description'].slice(0, 300) }
        : {}),
    };
  }
  return {
    credentialIssuer: iss,
    configurationIds: ids as string[],
    preAuthorizedCode: code,
    ...(txCode === undefined ? {} : { txCode }),
  };
}

/**
 * Read an offer link: `openid-credential-offer://?credential_offer=…` (by value) or
 * `…?credential_offer_uri=…` (by reference), or any URL carrying one of those parameters — and the
 * wallet's own `…?offer=<link>` route. Returns the offer object or the URI to fetch it from.
 */
export function parseOfferLink(
  text: string,
): { readonly offer: CredentialOffer } | { readonly offerUri: string } {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(
      trimmed.startsWith(OFFER_SCHEME)
        ? `https://offer.invalid/${trimmed.slice(OFFER_SCHEME.length)}`
        : trimmed,
    );
  } catch (cause) {
    throw offerInvalid('The offer link is not a URL', cause);
  }
  const nested = url.searchParams.get('offer');
  if (nested !== null && nested !== trimmed) return parseOfferLink(nested);
  const byValue = url.searchParams.getAll('credential_offer');
  const byRef = url.searchParams.getAll('credential_offer_uri');
  if (byValue.length + byRef.length !== 1)
    throw offerInvalid('The link needs exactly one credential_offer or credential_offer_uri');
  if (byRef[0] !== undefined) return { offerUri: byRef[0] };
  let json: unknown;
  try {
    json = JSON.parse(byValue[0] as string);
  } catch (cause) {
    throw offerInvalid('credential_offer is not JSON', cause);
  }
  return { offer: parseOfferObject(json) };
}

/** Resolve an offer link to the offer (fetching it when given by reference, §4.1.3). */
export async function resolveOffer(text: string, http: HttpPolicy): Promise<CredentialOffer> {
  const link = parseOfferLink(text);
  if ('offer' in link) return link.offer;
  const a = await request(http, link.offerUri, { headers: { accept: 'application/json' } });
  const body = okJson(a);
  if (body === undefined)
    throw new WalletError('ERR_WALLET_ISSUER_REFUSED', 'The offer could not be fetched', {
      details: { status: a.status, ...errorOf(a) },
    });
  return parseOfferObject(body);
}

/** One credential configuration the issuer offers (OpenID4VCI 1.0 §12.2.4). */
export interface OfferedConfiguration {
  readonly id: string;
  /** `dc+sd-jwt`, or `mso_mdoc` (Appendix A.2) for the licence as an ISO mdoc. */
  readonly format: 'dc+sd-jwt' | 'mso_mdoc';
  /** The SD-JWT VC type; for an mdoc, the profile type its doctype mirrors. */
  readonly vct: string;
  /** An mdoc's document type. */
  readonly doctype?: string;
  readonly display: Partial<Record<'ko' | 'en', { readonly name: string }>>;
  readonly backgroundColor?: string;
  readonly textColor?: string;
}

/** What the wallet knows about an issuer after checking it against the trust list. */
export interface IssuerInfo {
  readonly credentialIssuer: string;
  /** The issuer's names from the trust list (never from its own metadata). */
  readonly trustedNames: LocalizedText;
  readonly tokenEndpoint: string;
  readonly credentialEndpoint: string;
  readonly nonceEndpoint: string;
  readonly notificationEndpoint?: string;
  readonly batchSize: number;
  readonly configurations: readonly OfferedConfiguration[];
}

/** `https://host/.well-known/<name>/<path>` for issuer `id` (RFC 8414 §3.1; OpenID4VCI §12.2.2). */
export function wellKnown(id: string, name: string): string {
  const u = new URL(id);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}/.well-known/${name}${path}`;
}

function metadataInvalid(message: string): WalletError {
  return new WalletError('ERR_WALLET_ISSUER_METADATA_INVALID', message);
}

function endpoint(meta: Record<string, unknown>, name: string, origin: string): string {
  const v = meta[name];
  if (typeof v !== 'string') throw metadataInvalid(`${name} is missing`);
  if (new URL(v).origin !== origin) throw metadataInvalid(`${name} is on another origin`);
  return v;
}

function displayOf(
  cfg: Record<string, unknown>,
): Pick<OfferedConfiguration, 'display' | 'backgroundColor' | 'textColor'> {
  const md = cfg['credential_metadata'] as Record<string, unknown> | undefined;
  const list = (md?.['display'] ?? cfg['display']) as unknown;
  const out: Partial<Record<'ko' | 'en', { name: string }>> = {};
  let bg: string | undefined;
  let fg: string | undefined;
  if (Array.isArray(list))
    for (const d of list as Record<string, unknown>[]) {
      const locale = typeof d['locale'] === 'string' ? d['locale'].slice(0, 2) : undefined;
      if ((locale === 'ko' || locale === 'en') && typeof d['name'] === 'string')
        out[locale] = { name: d['name'].slice(0, 100) };
      if (typeof d['background_color'] === 'string') bg = d['background_color'];
      if (typeof d['text_color'] === 'string') fg = d['text_color'];
    }
  const colour = /^#[0-9a-fA-F]{6}$/;
  return {
    display: out,
    ...(bg !== undefined && colour.test(bg) ? { backgroundColor: bg } : {}),
    ...(fg !== undefined && colour.test(fg) ? { textColor: fg } : {}),
  };
}

/**
 * Fetch the issuer's metadata and authorization-server metadata, and check the issuer against the
 * trust list: it must have keys there and be authorised for every offered type
 * (`ERR_WALLET_ISSUER_UNTRUSTED` otherwise).
 */
export async function loadIssuer(
  offer: CredentialOffer,
  context: { readonly http: HttpPolicy; readonly trust: TrustSource; readonly now: number },
): Promise<IssuerInfo> {
  const { http, trust, now } = context;
  const iss = offer.credentialIssuer;
  const trusted = await trust.issuerKeys(iss, now);
  if (trusted.keys.length === 0 || trusted.names === undefined)
    throw new WalletError('ERR_WALLET_ISSUER_UNTRUSTED', 'The issuer is not on the trust list', {
      details: { issuer: iss },
    });
  const metaAnswer = await request(http, wellKnown(iss, 'openid-credential-issuer'), {
    headers: { accept: 'application/json' },
  });
  const meta = okJson(metaAnswer);
  if (meta === undefined) throw metadataInvalid('The issuer metadata could not be fetched');
  // §12.2.3: the metadata must be about the issuer we asked.
  if (meta['credential_issuer'] !== iss) throw metadataInvalid('credential_issuer mismatch');
  const origin = new URL(iss).origin;
  const servers = meta['authorization_servers'];
  const as = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : iss;
  const asMeta = okJson(
    await request(http, wellKnown(as, 'oauth-authorization-server'), {
      headers: { accept: 'application/json' },
    }),
  );
  if (asMeta === undefined || asMeta['issuer'] !== as)
    throw metadataInvalid('The authorization server metadata is missing or for another issuer');
  const configs = meta['credential_configurations_supported'];
  if (typeof configs !== 'object' || configs === null)
    throw metadataInvalid('credential_configurations_supported is missing');
  const configurations: OfferedConfiguration[] = [];
  for (const id of offer.configurationIds) {
    const cfg = (configs as Record<string, unknown>)[id];
    if (typeof cfg !== 'object' || cfg === null || !Object.hasOwn(configs, id))
      throw metadataInvalid('An offered configuration is not in the metadata');
    const c = cfg as Record<string, unknown>;
    let entry: Pick<OfferedConfiguration, 'id' | 'format' | 'vct' | 'doctype'>;
    if (c['format'] === 'dc+sd-jwt' && typeof c['vct'] === 'string')
      entry = { id, format: 'dc+sd-jwt', vct: c['vct'] };
    else if (c['format'] === 'mso_mdoc' && typeof c['doctype'] === 'string') {
      // CBOR, COSE and X.509 load only when an mdoc is offered.
      const { profileVctOf } = await import('./mdoc.js');
      entry = { id, format: 'mso_mdoc', vct: profileVctOf(c['doctype']), doctype: c['doctype'] };
    } else throw metadataInvalid('Only dc+sd-jwt and mso_mdoc credentials are supported');
    // An mdoc's issuer must be authorised for the doctype itself (as relying parties check).
    const type = entry.doctype ?? entry.vct;
    if (!(await trust.issuerMayIssue(iss, type, now)))
      throw new WalletError(
        'ERR_WALLET_ISSUER_UNTRUSTED',
        'The issuer is not authorised for this card',
        { details: { issuer: iss, vct: type } },
      );
    configurations.push({ ...entry, ...displayOf(c) });
  }
  // One card per offer: at most one configuration of each form, of one credential type.
  const forms = configurations.map((c) => c.format);
  if (new Set(forms).size !== forms.length || new Set(configurations.map((c) => c.vct)).size !== 1)
    throw offerInvalid('The offer carries configurations of several cards');
  const batch = meta['batch_credential_issuance'] as Record<string, unknown> | undefined;
  const batchSize =
    typeof batch?.['batch_size'] === 'number' && batch['batch_size'] >= 1
      ? Math.min(batch['batch_size'], 100)
      : 1;
  const notification = meta['notification_endpoint'];
  return {
    credentialIssuer: iss,
    trustedNames: trusted.names,
    tokenEndpoint: endpoint(asMeta, 'token_endpoint', new URL(as).origin),
    credentialEndpoint: endpoint(meta, 'credential_endpoint', origin),
    nonceEndpoint: endpoint(meta, 'nonce_endpoint', origin),
    ...(typeof notification === 'string'
      ? { notificationEndpoint: endpoint(meta, 'notification_endpoint', origin) }
      : {}),
    batchSize,
    configurations,
  };
}

/** `ath`: base64url SHA-256 of the access token (RFC 9449 §4.2). */
async function ath(token: string): Promise<string> {
  return b64u(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(token))));
}

/** A DPoP proof JWT (RFC 9449 §4.2). */
export async function dpopProof(
  signer: Signer,
  claims: {
    readonly htm: string;
    readonly htu: string;
    readonly accessToken?: string;
    readonly nonce?: string;
    readonly now: number;
  },
): Promise<string> {
  const u = new URL(claims.htu);
  return signCompactJws(
    {
      jti: randomId(),
      htm: claims.htm,
      htu: `${u.origin}${u.pathname}`,
      iat: claims.now,
      ...(claims.accessToken === undefined ? {} : { ath: await ath(claims.accessToken) }),
      ...(claims.nonce === undefined ? {} : { nonce: claims.nonce }),
    },
    { typ: 'dpop+jwt', signer, header: { jwk: signer.publicJwk } },
  );
}

/** A key proof (OpenID4VCI 1.0 Appendix F.1): `aud` the issuer, the `c_nonce`, `iat`. */
export async function keyProof(
  signer: Signer,
  claims: { readonly aud: string; readonly nonce: string; readonly now: number },
): Promise<string> {
  return signCompactJws(
    { aud: claims.aud, iat: claims.now, nonce: claims.nonce },
    { typ: PROOF_TYP, signer, header: { jwk: signer.publicJwk } },
  );
}

function refused(a: HttpAnswer, what: string): WalletError {
  return new WalletError('ERR_WALLET_ISSUER_REFUSED', `The issuer refused the ${what}`, {
    details: { status: a.status, ...errorOf(a) },
  });
}

/** The DPoP nonce the server asks for (RFC 9449 §8, §9), if it asks. */
function dpopNonceAsked(a: HttpAnswer): string | undefined {
  const asked =
    errorOf(a).error === 'use_dpop_nonce' ||
    /error="use_dpop_nonce"/.test(a.headers.get('www-authenticate') ?? '');
  const nonce = a.headers.get('dpop-nonce');
  return asked && nonce !== null ? nonce : undefined;
}

/** Throw ERR_WALLET_TX_CODE_FORMAT unless `txCode` has the form the offer announced (§4.1.1). */
export function checkTxCode(offer: CredentialOffer, txCode: string | undefined): void {
  if (offer.txCode === undefined) return;
  const tx = txCode ?? '';
  const shape = offer.txCode.inputMode === 'numeric' ? /^[0-9]{1,32}$/ : /^[\x21-\x7e]{1,32}$/;
  if (!shape.test(tx) || (offer.txCode.length !== undefined && tx.length !== offer.txCode.length))
    throw new WalletError('ERR_WALLET_TX_CODE_FORMAT');
}

/** What {@link redeemOffer} needs. */
export interface RedeemContext {
  readonly http: HttpPolicy;
  readonly trust: TrustSource;
  /** The wallet's DPoP key. */
  readonly dpop: Signer;
  /** Creates `n` fresh holder keys (persisted) and returns them. */
  readonly newHolderKeys: (
    n: number,
  ) => Promise<readonly { readonly id: string; readonly signer: Signer }[]>;
  /** Forgets holder keys that were not used. */
  readonly dropHolderKeys: (ids: readonly string[]) => Promise<void>;
  readonly now: () => number;
}

/** Credentials received for one configuration, each with its holder key. */
export interface ReceivedCredentials {
  readonly configuration: OfferedConfiguration;
  readonly copies: readonly { readonly credential: string; readonly keyId: string }[];
  readonly notificationId?: string;
  readonly accessToken: string;
  /** From the first copy (seconds). */
  readonly issuedAt?: number;
  readonly expiresAt?: number;
}

/**
 * Redeem a pre-authorized offer: token (with `tx_code`), then for each offered configuration
 * (or only `configurationId`) a nonce, one proof per copy and the credential request; verify every
 * credential (issuer signature with a key from the trust list, `vct` or doctype, the holder key
 * that proved possession). Nothing is stored here: the caller keeps the result and then calls
 * {@link notifyIssuer} once per configuration. One offer with the licence in both forms yields
 * both with one token (docs/issuer.md).
 */
export async function redeemOffer(
  offer: CredentialOffer,
  issuer: IssuerInfo,
  input: { readonly txCode?: string; readonly configurationId?: string },
  ctx: RedeemContext,
): Promise<readonly ReceivedCredentials[]> {
  const configurations =
    input.configurationId === undefined
      ? issuer.configurations
      : issuer.configurations.filter((c) => c.id === input.configurationId);
  if (configurations.length === 0) throw offerInvalid('Nothing to redeem');
  checkTxCode(offer, input.txCode);
  const post = async (
    url: string,
    body: string,
    type: string,
    auth?: string,
  ): Promise<HttpAnswer> => {
    let nonce: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        'content-type': type,
        accept: 'application/json',
        dpop: await dpopProof(ctx.dpop, {
          htm: 'POST',
          htu: url,
          now: ctx.now(),
          ...(auth === undefined ? {} : { accessToken: auth }),
          ...(nonce === undefined ? {} : { nonce }),
        }),
      };
      if (auth !== undefined) headers['authorization'] = `DPoP ${auth}`;
      const a = await request(ctx.http, url, { method: 'POST', headers, body });
      const asked = dpopNonceAsked(a);
      if (asked === undefined || attempt > 0) return a;
      nonce = asked;
    }
  };

  // 1. Token (§6): pre-authorized code + tx_code, DPoP-bound.
  const form = new URLSearchParams({
    grant_type: PRE_AUTHORIZED_GRANT,
    'pre-authorized_code': offer.preAuthorizedCode,
  });
  if (input.txCode !== undefined && offer.txCode !== undefined) form.set('tx_code', input.txCode);
  const tokenAnswer = await post(
    issuer.tokenEndpoint,
    form.toString(),
    'application/x-www-form-urlencoded',
  );
  const token = okJson(tokenAnswer);
  if (token === undefined) throw refused(tokenAnswer, 'token request');
  const accessToken = token['access_token'];
  if (typeof accessToken !== 'string' || String(token['token_type']).toLowerCase() !== 'dpop')
    throw metadataInvalid('The token response is not a DPoP-bound access token');

  const out: ReceivedCredentials[] = [];
  try {
    for (const configuration of configurations)
      out.push(await redeemConfiguration(configuration, accessToken, post, issuer, ctx));
  } catch (e) {
    // Nothing is kept of a half-received offer: forget the holder keys of what was received.
    await ctx.dropHolderKeys(out.flatMap((r) => r.copies.map((c) => c.keyId)));
    throw e;
  }
  return out;
}

/** Nonce (§7) and credential (§8) of one configuration, with one fresh holder key per copy. */
async function redeemConfiguration(
  configuration: OfferedConfiguration,
  accessToken: string,
  post: (url: string, body: string, type: string, auth?: string) => Promise<HttpAnswer>,
  issuer: IssuerInfo,
  ctx: RedeemContext,
): Promise<ReceivedCredentials> {
  let wanted = Math.max(1, Math.min(issuer.batchSize, WANTED_COPIES));
  for (;;) {
    const nonceAnswer = await request(ctx.http, issuer.nonceEndpoint, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    const cNonce = okJson(nonceAnswer)?.['c_nonce'];
    if (typeof cNonce !== 'string') throw refused(nonceAnswer, 'nonce request');
    const keys = await ctx.newHolderKeys(wanted);
    const proofs = await Promise.all(
      keys.map((k) =>
        keyProof(k.signer, { aud: issuer.credentialIssuer, nonce: cNonce, now: ctx.now() }),
      ),
    );
    const answer = await post(
      issuer.credentialEndpoint,
      JSON.stringify({ credential_configuration_id: configuration.id, proofs: { jwt: proofs } }),
      'application/json',
      accessToken,
    );
    const body = okJson(answer);
    if (body === undefined) {
      await ctx.dropHolderKeys(keys.map((k) => k.id));
      // The issuer may allow fewer copies for this offer than its batch size (§8.2): the request
      // changed nothing, so ask again for one copy less.
      if (errorOf(answer).error === 'invalid_credential_request' && wanted > 1) {
        wanted -= 1;
        continue;
      }
      throw refused(answer, 'credential request');
    }
    let received: Pick<ReceivedCredentials, 'configuration' | 'copies' | 'issuedAt' | 'expiresAt'>;
    try {
      received = await checkCredentials(body, keys, configuration, issuer, ctx);
    } catch (e) {
      await ctx.dropHolderKeys(keys.map((k) => k.id));
      throw e;
    }
    const unused = keys.filter((k) => !received.copies.some((c) => c.keyId === k.id));
    await ctx.dropHolderKeys(unused.map((k) => k.id));
    const notificationId = body['notification_id'];
    return {
      ...received,
      accessToken,
      ...(typeof notificationId === 'string' ? { notificationId } : {}),
    };
  }
}

async function checkCredentials(
  body: Record<string, unknown>,
  keys: readonly { readonly id: string; readonly signer: Signer }[],
  configuration: OfferedConfiguration,
  issuer: IssuerInfo,
  ctx: RedeemContext,
): Promise<Pick<ReceivedCredentials, 'configuration' | 'copies' | 'issuedAt' | 'expiresAt'>> {
  const list = body['credentials'];
  if (!Array.isArray(list) || list.length === 0 || list.length > keys.length)
    throw new WalletError('ERR_WALLET_CREDENTIAL_INVALID', 'No credentials in the response');
  if (configuration.format === 'mso_mdoc') {
    const { verifyReceivedMdocs } = await import('./mdoc.js');
    const got = await verifyReceivedMdocs(
      list,
      keys,
      { iss: issuer.credentialIssuer, docType: configuration.doctype ?? '' },
      { http: ctx.http, trust: ctx.trust, now: ctx.now() },
    );
    return { configuration, ...got };
  }
  const byThumb = new Map(keys.map((k) => [jwkThumbprint(k.signer.publicJwk), k.id]));
  const copies: { credential: string; keyId: string }[] = [];
  let issuedAt: number | undefined;
  let expiresAt: number | undefined;
  for (const entry of list as unknown[]) {
    const credential = (entry as Record<string, unknown> | null)?.['credential'];
    if (typeof credential !== 'string')
      throw new WalletError('ERR_WALLET_CREDENTIAL_INVALID', 'A credential is not a string');
    let verified: Awaited<ReturnType<typeof verifySdJwtVc>>;
    try {
      verified = await verifySdJwtVc(credential, {
        issuerKey: (iss, header) => {
          if (iss !== issuer.credentialIssuer) throw new Error('another issuer');
          return trustedVerifier(ctx.trust, iss, header['kid'], ctx.now());
        },
        keyBinding: false,
        acceptedVcts: [configuration.vct],
        now: ctx.now(),
      });
    } catch (cause) {
      throw new WalletError('ERR_WALLET_CREDENTIAL_INVALID', 'A credential does not verify', {
        cause,
      });
    }
    const cnf = (verified.claims['cnf'] as Record<string, unknown> | undefined)?.['jwk'];
    let keyId: string | undefined;
    try {
      keyId = byThumb.get(jwkThumbprint(parsePublicJwk(cnf).jwk));
    } catch {
      keyId = undefined; // not a public key: refused below
    }
    if (keyId === undefined || copies.some((c) => c.keyId === keyId))
      throw new WalletError(
        'ERR_WALLET_CREDENTIAL_INVALID',
        'A credential is not bound to a key of ours',
      );
    copies.push({ credential, keyId });
    const claims = verified.claims;
    if (issuedAt === undefined && typeof claims['iat'] === 'number') issuedAt = claims['iat'];
    if (expiresAt === undefined && typeof claims['exp'] === 'number') expiresAt = claims['exp'];
  }
  return {
    configuration,
    copies,
    ...(issuedAt === undefined ? {} : { issuedAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/** Tell the issuer the outcome (OpenID4VCI 1.0 §11); failures are ignored (best effort). */
export async function notifyIssuer(
  issuer: IssuerInfo,
  received: Pick<ReceivedCredentials, 'notificationId' | 'accessToken'>,
  event: 'credential_accepted' | 'credential_failure' | 'credential_deleted',
  ctx: Pick<RedeemContext, 'http' | 'dpop' | 'now'>,
): Promise<boolean> {
  if (issuer.notificationEndpoint === undefined || received.notificationId === undefined)
    return false;
  try {
    const a = await request(ctx.http, issuer.notificationEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `DPoP ${received.accessToken}`,
        dpop: await dpopProof(ctx.dpop, {
          htm: 'POST',
          htu: issuer.notificationEndpoint,
          accessToken: received.accessToken,
          now: ctx.now(),
        }),
      },
      body: JSON.stringify({ notification_id: received.notificationId, event }),
    });
    return a.status >= 200 && a.status < 300;
  } catch {
    return false;
  }
}
