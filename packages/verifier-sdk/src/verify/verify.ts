/**
 * @module verify/verify
 * `verifyPresentation(input, policy)`: one call for every way a relying party receives a
 * presentation — an OpenID4VP `vp_token` answering a DCQL query, a single SD-JWT VC presentation,
 * or an offline QR payload — returning a typed result or throwing a coded `OpenMidError`.
 *
 * The policy type makes the trust source and the binding mandatory: a `nonce` and `aud`
 * (online, two-way offline) or a time window and `aud` (one-way offline). For each presentation,
 * in order (OpenID4VP 1.0 §8.6; SD-JWT VC "Verification and Processing"):
 *
 * 1. the SD-JWT VC checks of `@openmid/core` (size, format, issuer signature with the key the
 *    trust source gives for `iss` and `kid` at the time of verification — a source that records
 *    key revocations, the trust ledger, judges the key at the credential's `iat` — disclosures,
 *    registered claims, `exp`/`nbf`, key binding with the policy's `nonce` and `aud`);
 * 2. the issuer is authorised for the credential's `vct` at that time
 *    (`ERR_TRUST_ISSUER_NOT_AUTHORISED`);
 * 3. the status (see `verify/status.ts`): revoked and suspended are errors, unknown is an error
 *    unless the policy accepts it (then reported as `'unknown'`, never as valid);
 * 4. for a `vp_token`: the credential's claims satisfy its credential query, then the credential
 *    sets; the result keeps only the requested claims.
 *
 * An `mso_mdoc` entry (base64url DeviceResponse, Appendix B.2) goes through `mdoc/verify.ts`
 * instead of step 1–3: the ISO §9.3 checks with the OpenID4VP handover SessionTranscript built
 * from this policy (`aud` = client_id, `nonce`, `mdoc.responseUri`, `mdoc.responseKey`), the DS
 * certificate chaining to a trusted IACA AND its key registered for that issuer in the trust
 * source, the issuer allowed the doctype, the same status check; its result has the profile's
 * claim names (`format: 'mso_mdoc'`), so either format reads alike.
 *
 * Any failing presentation rejects the whole response (stricter than discarding it, §8.6).
 */
import type { CryptoProvider } from '@openmid/core';
import { asOpenMidError, isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { decodeCompactJws, type JwsHeader, systemClock } from '@openmid/core/jose';
import { jwkThumbprint, type PublicJwk } from '@openmid/core/keys';
import type { SessionTranscript } from '@openmid/core/mdoc';
import type { SdJwtLimits } from '@openmid/core/sd-jwt';
import { verifySdJwtVc } from '@openmid/core/sd-jwt-vc';
import { assertCredentialSets, projectClaims, satisfiedClaims } from '../dcql/match.js';
import {
  type ClaimPath,
  type DcqlMdocQuery,
  type DcqlQuery,
  isMdocQuery,
  parseDcqlQuery,
} from '../dcql/query.js';
import { b64uDecode } from '../internal/b64u.js';
import { isObject } from '../internal/json.js';
import { openid4vpMdocTranscript } from '../mdoc/openid4vp.js';
import type { MdocProfile } from '../mdoc/profile.js';
import type { MdocIssuerTrust } from '../mdoc/trust.js';
import {
  mdocClaims,
  mdocJsonElements,
  selectElements,
  verifyMdocDocument,
} from '../mdoc/verify.js';
import { decodeOfflinePresentation } from '../offline/qr.js';
import { ask, pickKey, verifierForKey } from '../trust/keys.js';
import type { IssuerKeyContext, LocalizedText, TrustSource } from '../trust/source.js';
import { type ReplayCache, windowNonce } from './binding.js';
import {
  type CredentialStatus,
  checkCredentialStatus,
  leewayOf,
  type StatusListSource,
} from './status.js';

/** What every verification needs besides the binding. */
export interface VerifyPolicyBase {
  /** Which issuers, keys and types are trusted (a registry, the ledger, a trust bundle). */
  readonly trust: TrustSource;
  /** Status lists (online cache or bundle). Without it, a credential with a status is unknown. */
  readonly statusLists?: StatusListSource;
  /** What an unknown status means here: `reject` (default, `ERR_STATUS_UNKNOWN`) or `accept`. */
  readonly unknownStatus?: 'reject' | 'accept';
  /** Treat status lists older than this many seconds as unknown. */
  readonly statusMaxAge?: number;
  /** Accepted credential types (further restricted by a DCQL query's `vct_values`). */
  readonly acceptedVcts?: readonly string[];
  /** Current time, NumericDate seconds (default: system clock). */
  readonly now?: number;
  /** Clock leeway in seconds, ≤ 300 (default 30). */
  readonly leeway?: number;
  /** Maximum KB-JWT age for nonce binding, seconds (default 300). */
  readonly kbMaxAgeSeconds?: number;
  readonly limits?: Partial<SdJwtLimits>;
  readonly crypto?: CryptoProvider;
  /** What `mso_mdoc` presentations need (without it they are refused: `ERR_INPUT_INVALID`). */
  readonly mdoc?: MdocPolicy;
}

/**
 * The mdoc part of a policy: the IACA trust and the transaction's SessionTranscript — built from
 * this policy's `aud` (client_id) and `nonce` with `responseUri` and `responseKey` (OpenID4VP 1.0
 * Appendix B.2.6.1), or given as `sessionTranscript` (another handover).
 */
export interface MdocPolicy {
  readonly iacas: MdocIssuerTrust;
  /** The request's `response_uri`. */
  readonly responseUri?: string;
  /** The request's response-encryption public key (its thumbprint enters the handover). */
  readonly responseKey?: PublicJwk;
  /** A transcript built by the caller (takes precedence). */
  readonly sessionTranscript?: SessionTranscript;
  /** Doctype ↔ profile type mappings (default: the Korean mDL). */
  readonly profiles?: readonly MdocProfile[];
}

/** Binding to a verifier-chosen nonce (online; two-way offline). */
export interface NonceBinding {
  /** The nonce this verifier issued for this transaction. */
  readonly nonce: string;
  /** The verifier's full client identifier (OpenID4VP 1.0 §5.9: prefix included). */
  readonly aud: string;
  readonly timeWindow?: undefined;
}

/** Binding to a time window (one-way offline, issue 4 §3b). */
export interface TimeWindowBinding {
  /** Window length in seconds (use `OFFLINE_WINDOW_SECONDS`, 60); at most 300. */
  readonly timeWindow: number;
  /** The expected `aud`: `OFFLINE_AUDIENCE`. */
  readonly aud: string;
  readonly nonce?: undefined;
  /** Refuse a presentation this device already accepted within its window. */
  readonly replayCache?: ReplayCache;
}

/** The policy of {@link verifyPresentation}: trust and binding are mandatory. */
export type VerifyPolicy = VerifyPolicyBase & (NonceBinding | TimeWindowBinding);

/** An OpenID4VP response's `vp_token` with the DCQL query it answers. */
export interface VpTokenInput {
  readonly vpToken: unknown;
  readonly dcql: DcqlQuery;
}

/** An offline QR payload (`docs/offline-qr.md`). */
export interface OfflineQrInput {
  readonly qr: string;
}

/** What {@link verifyPresentation} accepts: a `vp_token`, one SD-JWT VC presentation, a QR. */
export type PresentationInput = VpTokenInput | string | OfflineQrInput;

/** A verified credential. */
export interface VerifiedCredential {
  /** The issuer that vouched for the claims (`iss`) and its registered names. */
  readonly iss: string;
  readonly issuerName?: LocalizedText;
  readonly vct: string;
  /**
   * Subject claims: for a `vp_token` only the claims its query requested; for a single
   * presentation every disclosed and always-visible subject claim (registered claims removed).
   */
  readonly claims: Record<string, unknown>;
  /** The claim paths of `claims` that came from a Disclosure. */
  readonly disclosedPaths: readonly (readonly (string | number)[])[];
  readonly status: CredentialStatus;
  readonly issuedAt?: number;
  readonly expiresAt?: number;
  /** RFC 7638 thumbprint of the holder key that signed the KB-JWT (mdoc: made DeviceAuth). */
  readonly holderKeyThumbprint: string;
  /** `mso_mdoc` for an mdoc (absent for an SD-JWT VC). */
  readonly format?: 'mso_mdoc';
  /** The mdoc's document type (its `vct` is the profile type it mirrors). */
  readonly docType?: string;
}

/** A verified `vp_token`: credentials by DCQL credential query id. */
export interface VerifiedVpToken {
  readonly credentials: Readonly<Record<string, readonly VerifiedCredential[]>>;
}

/** Registered claims that describe the credential, not its subject. */
const REGISTERED = new Set([
  'iss',
  'vct',
  'vct#integrity',
  'iat',
  'nbf',
  'exp',
  'cnf',
  'status',
  '_sd_alg',
]);

function subjectClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims))
    if (!REGISTERED.has(k))
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return out;
}

function checkPolicy(policy: VerifyPolicy): void {
  const p = policy as unknown as Record<string, unknown>;
  const trust = p['trust'] as Record<string, unknown> | undefined;
  if (
    !isObject(trust) ||
    typeof trust['issuerKeys'] !== 'function' ||
    typeof trust['issuerMayIssue'] !== 'function'
  )
    throw new OpenMidError('ERR_INPUT_INVALID', 'The policy needs a trust source');
  if (typeof p['aud'] !== 'string' || p['aud'] === '')
    throw new OpenMidError('ERR_INPUT_INVALID', 'The policy needs the expected aud');
  const window = p['timeWindow'];
  if (window !== undefined) {
    if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > 300)
      throw new OpenMidError('ERR_INPUT_INVALID', 'timeWindow must be 1 to 300 seconds');
    if (p['nonce'] !== undefined)
      throw new OpenMidError('ERR_INPUT_INVALID', 'Give either a nonce or a time window');
  } else if (typeof p['nonce'] !== 'string' || p['nonce'] === '') {
    throw new OpenMidError('ERR_INPUT_INVALID', 'The policy needs the expected nonce');
  }
}

/** The unverified `iat` of the presentation's KB-JWT, to name its window (checked later). */
function kbIat(presentation: string): number | undefined {
  if (typeof presentation !== 'string') return undefined;
  const kb = presentation.slice(presentation.lastIndexOf('~') + 1);
  if (kb === '') return undefined;
  try {
    const iat = decodeCompactJws(kb, 8192).payload['iat'];
    return typeof iat === 'number' && Number.isSafeInteger(iat) ? iat : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `iat` of the issuer-signed JWT of an SD-JWT (read before its signature is checked: it only
 * selects the key, whose signature then covers it), bounded by `now`; undefined when absent.
 */
function credentialIat(presentation: string, now: number): number | undefined {
  const end = presentation.indexOf('~');
  const jwt = end < 0 ? presentation : presentation.slice(0, end);
  try {
    const iat = decodeCompactJws(jwt, jwt.length).payload['iat'];
    return typeof iat === 'number' && Number.isSafeInteger(iat) && iat >= 0
      ? Math.min(iat, now)
      : undefined;
  } catch {
    return undefined;
  }
}

const WINDOW_CODES = new Set(['ERR_SDJWT_KB_IAT_OUT_OF_WINDOW', 'ERR_SDJWT_KB_NONCE_MISMATCH']);

async function verifyOne(
  presentation: string,
  policy: VerifyPolicy,
  acceptedVcts: readonly string[] | undefined,
): Promise<{ credential: VerifiedCredential; all: Record<string, unknown> }> {
  const now = policy.now ?? systemClock();
  const leeway = leewayOf(policy.leeway);
  const crypto = policy.crypto;
  let names: LocalizedText | undefined;
  const issuerKey = async (iss: string, header: JwsHeader) => {
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    // `issuedAt` is read only by sources that record key revocations (the trust ledger): the
    // unverified `iat` picks the key, and that key's signature then covers it.
    const context: IssuerKeyContext = {
      ...(kid === undefined ? {} : { kid }),
      get issuedAt() {
        return credentialIat(presentation, now);
      },
    };
    const answer = await ask(() => policy.trust.issuerKeys(iss, now, context));
    names = answer.names;
    return verifierForKey(pickKey(answer, header.kid, 'ERR_SDJWTVC_ISSUER_UNTRUSTED'), crypto);
  };
  let nonce: string;
  let kbMaxAgeSeconds = policy.kbMaxAgeSeconds;
  if (policy.timeWindow !== undefined) {
    const iat = kbIat(presentation);
    // Without a readable iat the core check fails with its own code (no KB-JWT, malformed…).
    nonce = iat === undefined ? '-' : windowNonce(iat, policy.timeWindow);
    kbMaxAgeSeconds = policy.timeWindow;
  } else {
    nonce = policy.nonce;
  }
  let vc: Awaited<ReturnType<typeof verifySdJwtVc>>;
  try {
    vc = await verifySdJwtVc(presentation, {
      issuerKey,
      nonce,
      aud: policy.aud,
      now,
      leeway,
      ...(kbMaxAgeSeconds === undefined ? {} : { kbMaxAgeSeconds }),
      ...(acceptedVcts === undefined ? {} : { acceptedVcts }),
      ...(policy.limits === undefined ? {} : { limits: policy.limits }),
      ...(crypto === undefined ? {} : { crypto }),
    });
  } catch (e) {
    if (policy.timeWindow !== undefined && isOpenMidError(e) && WINDOW_CODES.has(e.code))
      throw new OpenMidError(
        'ERR_OFFLINE_WINDOW_EXPIRED',
        'The presentation is outside its time window',
        {
          cause: e,
        },
      );
    throw e;
  }
  // The issuer must be authorised for this credential type now, not only hold a trusted key.
  if (!(await ask(() => policy.trust.issuerMayIssue(vc.iss, vc.vct, now))))
    throw new OpenMidError(
      'ERR_TRUST_ISSUER_NOT_AUTHORISED',
      'The issuer is not authorised for this credential type',
      { details: { vct: vc.vct } },
    );
  let status: CredentialStatus = 'none';
  if (vc.status !== undefined) {
    status = await checkCredentialStatus(vc.status, {
      iss: vc.iss,
      source: policy.statusLists,
      now,
      leeway,
      ...(policy.statusMaxAge === undefined ? {} : { maxAge: policy.statusMaxAge }),
    });
    if (status === 'unknown' && policy.unknownStatus !== 'accept')
      throw new OpenMidError(
        'ERR_STATUS_UNKNOWN',
        'The credential status could not be established',
      );
  }
  if (policy.timeWindow !== undefined && policy.replayCache !== undefined) {
    const kb = presentation.slice(presentation.lastIndexOf('~') + 1);
    const iat = vc.keyBinding?.payload['iat'] as number;
    if (!policy.replayCache.add(kb, iat + policy.timeWindow + leeway))
      throw new OpenMidError('ERR_OFFLINE_REPLAYED', 'This presentation was already accepted');
  }
  const claims = vc.claims;
  const iat = claims['iat'];
  const exp = claims['exp'];
  return {
    all: claims,
    credential: {
      iss: vc.iss,
      ...(names === undefined ? {} : { issuerName: names }),
      vct: vc.vct,
      claims: subjectClaims(claims),
      disclosedPaths: vc.disclosedPaths,
      status,
      ...(typeof iat === 'number' ? { issuedAt: iat } : {}),
      ...(typeof exp === 'number' ? { expiresAt: exp } : {}),
      holderKeyThumbprint: jwkThumbprint(
        vc.holderKey as NonNullable<typeof vc.holderKey>,
        'sha-256',
        crypto === undefined ? undefined : { crypto },
      ),
    },
  };
}

/** The transcript of an mdoc presentation under `policy` (see {@link MdocPolicy}). */
function transcriptOf(policy: VerifyPolicy): SessionTranscript {
  const mdoc = policy.mdoc as MdocPolicy;
  if (mdoc.sessionTranscript !== undefined) return mdoc.sessionTranscript;
  if (policy.nonce === undefined || mdoc.responseUri === undefined)
    throw new OpenMidError(
      'ERR_INPUT_INVALID',
      'An mdoc presentation needs the nonce and response_uri of its request',
    );
  return openid4vpMdocTranscript(
    {
      clientId: policy.aud,
      nonce: policy.nonce,
      responseUri: mdoc.responseUri,
      ...(mdoc.responseKey === undefined ? {} : { responseKey: mdoc.responseKey }),
    },
    policy.crypto === undefined ? {} : { crypto: policy.crypto },
  );
}

/** One `mso_mdoc` vp_token entry: verified, matched against its query, projected. */
async function verifyMdocEntry(
  entry: string,
  query: DcqlMdocQuery,
  policy: VerifyPolicy,
): Promise<VerifiedCredential> {
  const mdoc = policy.mdoc;
  if (mdoc === undefined)
    throw new OpenMidError('ERR_INPUT_INVALID', 'The policy has no mdoc trust (policy.mdoc)');
  const bytes = b64uDecode(entry);
  if (bytes === undefined)
    throw new OpenMidError(
      'ERR_VP_RESPONSE_INVALID',
      'An mso_mdoc presentation is base64url (OpenID4VP 1.0 Appendix B.2.5)',
    );
  const now = policy.now ?? systemClock();
  const doc = await verifyMdocDocument(bytes, transcriptOf(policy), {
    trust: policy.trust,
    iacas: mdoc.iacas,
    docTypes: [query.meta.doctype_value],
    now,
    leeway: leewayOf(policy.leeway),
    ...(policy.statusLists === undefined ? {} : { statusLists: policy.statusLists }),
    ...(policy.unknownStatus === undefined ? {} : { unknownStatus: policy.unknownStatus }),
    ...(policy.statusMaxAge === undefined ? {} : { statusMaxAge: policy.statusMaxAge }),
    ...(mdoc.profiles === undefined ? {} : { profiles: mdoc.profiles }),
    ...(policy.crypto === undefined ? {} : { crypto: policy.crypto }),
  });
  const paths = satisfiedClaims(query, mdocJsonElements(doc.nameSpaces));
  if (paths === undefined)
    throw new OpenMidError('ERR_VP_DCQL_UNSATISFIED', 'A requested element is not disclosed', {
      details: { credential: query.id },
    });
  // Only what was asked: an element the wallet disclosed beyond the query is dropped.
  const { vct, claims } = mdocClaims(doc, selectElements(doc.nameSpaces, paths), mdoc.profiles);
  return {
    iss: doc.iss,
    ...(doc.issuerName === undefined ? {} : { issuerName: doc.issuerName }),
    vct,
    claims,
    disclosedPaths: paths.map((p) => p.map((x) => (x === null ? 0 : x))),
    status: doc.status,
    issuedAt: doc.signed,
    expiresAt: doc.validUntil,
    holderKeyThumbprint: doc.holderKeyThumbprint,
    format: 'mso_mdoc',
    docType: doc.docType,
  };
}

function intersect(a: readonly string[], b: readonly string[] | undefined): readonly string[] {
  return b === undefined ? a : a.filter((x) => b.includes(x));
}

async function verifyVpToken(input: VpTokenInput, policy: VerifyPolicy): Promise<VerifiedVpToken> {
  const dcql = parseDcqlQuery(input.dcql);
  const token = input.vpToken;
  if (!isObject(token))
    throw new OpenMidError(
      'ERR_VP_RESPONSE_INVALID',
      'vp_token must be a JSON object (OpenID4VP 1.0 §8.1)',
    );
  const byId = new Map(dcql.credentials.map((q) => [q.id, q]));
  const jobs: Promise<[string, VerifiedCredential]>[] = [];
  for (const [id, entries] of Object.entries(token)) {
    const query = byId.get(id);
    if (query === undefined)
      throw new OpenMidError(
        'ERR_VP_DCQL_UNSATISFIED',
        'The vp_token answers a query that was not asked',
      );
    if (!Array.isArray(entries) || entries.length === 0)
      throw new OpenMidError('ERR_VP_RESPONSE_INVALID', 'Each vp_token entry is a non-empty array');
    if (entries.length > (query.multiple === true ? 16 : 1))
      throw new OpenMidError(
        'ERR_VP_DCQL_UNSATISFIED',
        'More presentations than the query allows',
        {
          details: { credential: id },
        },
      );
    for (const p of entries) {
      if (typeof p !== 'string')
        throw new OpenMidError('ERR_VP_RESPONSE_INVALID', 'A presentation is a string');
      if (isMdocQuery(query)) {
        jobs.push(
          verifyMdocEntry(p, query, policy).then((c): [string, VerifiedCredential] => [id, c]),
        );
        continue;
      }
      jobs.push(
        verifyOne(p, policy, intersect(query.meta.vct_values, policy.acceptedVcts)).then(
          ({ credential, all }): [string, VerifiedCredential] => {
            const paths: ClaimPath[] | undefined = satisfiedClaims(query, all);
            if (paths === undefined)
              throw new OpenMidError(
                'ERR_VP_DCQL_UNSATISFIED',
                'A requested claim is not disclosed',
                {
                  details: { credential: id },
                },
              );
            return [id, { ...credential, claims: projectClaims(all, paths) }];
          },
        ),
      );
    }
  }
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  const credentials: Record<string, VerifiedCredential[]> = {};
  for (const s of settled as PromiseFulfilledResult<[string, VerifiedCredential]>[]) {
    const [id, c] = s.value;
    if (!Object.hasOwn(credentials, id)) credentials[id] = [];
    (credentials[id] as VerifiedCredential[]).push(c);
  }
  assertCredentialSets(dcql, new Set(Object.keys(credentials)));
  return { credentials };
}

/**
 * Verify a presentation — online or offline — in one call.
 *
 * @example
 * ```ts
 * const { credentials } = await verifyPresentation(
 *   { vpToken: response.vp_token, dcql: request.dcql_query },
 *   { trust, statusLists, nonce: session.nonce, aud: 'verifier_attestation:bank' },
 * )
 * const person = credentials.identity?.[0]?.claims
 * ```
 * @see OpenID4VP 1.0 §8.6; RFC 9901 §7.3; draft-ietf-oauth-sd-jwt-vc; draft-ietf-oauth-status-list §8.3
 */
export function verifyPresentation(
  input: VpTokenInput,
  policy: VerifyPolicy,
): Promise<VerifiedVpToken>;
export function verifyPresentation(
  input: string | OfflineQrInput,
  policy: VerifyPolicy,
): Promise<VerifiedCredential>;
export async function verifyPresentation(
  input: PresentationInput,
  policy: VerifyPolicy,
): Promise<VerifiedVpToken | VerifiedCredential> {
  try {
    checkPolicy(policy);
    if (typeof input === 'string')
      return (await verifyOne(input, policy, policy.acceptedVcts)).credential;
    if (isObject(input) && typeof input['qr'] === 'string') {
      const { presentation } = await decodeOfflinePresentation(input['qr'] as string);
      return (await verifyOne(presentation, policy, policy.acceptedVcts)).credential;
    }
    if (isObject(input) && 'vpToken' in input && 'dcql' in input)
      return await verifyVpToken(input as unknown as VpTokenInput, policy);
    throw new OpenMidError('ERR_INPUT_INVALID', 'Unknown presentation input');
  } catch (e) {
    throw asOpenMidError(e);
  }
}
