/**
 * @module dcql/query
 * The Digital Credentials Query Language (OpenID4VP 1.0 §6): the query types and a strict parser.
 * OpenMID presents SD-JWT VCs (`dc+sd-jwt`, OpenID4VP 1.0 Appendix B.3, `meta.vct_values`
 * required) and ISO mdocs (`mso_mdoc`, Appendix B.2: `meta.doctype_value` required, claims paths
 * of exactly `[namespace, element identifier]`, optional `intent_to_retain`), always with holder
 * binding; queries that waive key binding or use `trusted_authorities` are refused (trust is
 * decided by the verifier's trust source, never by the wallet). Unknown members are ignored, as
 * §6 requires, and dropped from the parsed query.
 */
import { OpenMidError } from '@openmid/core/errors';
import { isClaimPath } from '@openmid/core/sd-jwt';
import { isObject } from '../internal/json.js';

/** A claims path pointer (OpenID4VP 1.0 §7): names, array indices, `null` for every element. */
export type ClaimPath = readonly (string | number | null)[];

/** The SD-JWT VC credential format identifier (OpenID4VP 1.0 Appendix B.3.1). */
export const SD_JWT_VC_FORMAT = 'dc+sd-jwt';

/** The ISO mdoc credential format identifier (OpenID4VP 1.0 Appendix B.2.1). */
export const MSO_MDOC_FORMAT = 'mso_mdoc';

/** A Claims Query (OpenID4VP 1.0 §6.3). */
export interface DcqlClaimsQuery {
  readonly id?: string;
  /** For `mso_mdoc`: `[namespace, element identifier]` (Appendix B.2.4). */
  readonly path: ClaimPath;
  /** Expected values; the verifier checks them too (best effort on the wallet side, §6.4.1). */
  readonly values?: readonly (string | number | boolean)[];
  /** `mso_mdoc` only: the verifier intends to keep the element (18013-5 IntentToRetain). */
  readonly intent_to_retain?: boolean;
}

/** What every Credential Query has (OpenID4VP 1.0 §6.1). */
interface DcqlCredentialQueryCommon {
  readonly id: string;
  /** Several presentations may answer this query (default false). */
  readonly multiple?: boolean;
  readonly claims?: readonly DcqlClaimsQuery[];
  /** Alternative combinations of claim ids, most preferred first (§6.4.1). */
  readonly claim_sets?: readonly (readonly string[])[];
}

/** A Credential Query (OpenID4VP 1.0 §6.1) for an SD-JWT VC. */
export interface DcqlSdJwtQuery extends DcqlCredentialQueryCommon {
  readonly format: typeof SD_JWT_VC_FORMAT;
  /** `vct_values`: the accepted credential types (Appendix B.3.5). */
  readonly meta: { readonly vct_values: readonly string[] };
}

/** A Credential Query (OpenID4VP 1.0 §6.1) for an ISO mdoc. */
export interface DcqlMdocQuery extends DcqlCredentialQueryCommon {
  readonly format: typeof MSO_MDOC_FORMAT;
  /** `doctype_value`: the accepted document type (Appendix B.2.3). */
  readonly meta: { readonly doctype_value: string };
}

/** A Credential Query (OpenID4VP 1.0 §6.1): an SD-JWT VC or an mdoc. */
export type DcqlCredentialQuery = DcqlSdJwtQuery | DcqlMdocQuery;

/** True for an `mso_mdoc` credential query. */
export function isMdocQuery(q: DcqlCredentialQuery): q is DcqlMdocQuery {
  return q.format === MSO_MDOC_FORMAT;
}

/**
 * The credential types a query accepts: its `vct_values`, or for an mdoc its `doctype_value`
 * (what registrations, events and the issuer's authorisation are keyed by).
 */
export function acceptedTypesOf(q: DcqlCredentialQuery): readonly string[] {
  return isMdocQuery(q) ? [q.meta.doctype_value] : q.meta.vct_values;
}

/** A Credential Set Query (OpenID4VP 1.0 §6.2). */
export interface DcqlCredentialSetQuery {
  /** Each option is a list of credential query ids that together satisfy the use case. */
  readonly options: readonly (readonly string[])[];
  /** Default true. */
  readonly required?: boolean;
}

/** A DCQL query (OpenID4VP 1.0 §6). */
export interface DcqlQuery {
  readonly credentials: readonly DcqlCredentialQuery[];
  readonly credential_sets?: readonly DcqlCredentialSetQuery[];
}

/** Bounds of a query this SDK accepts (a wallet QR and a request object must stay small). */
export const DCQL_LIMITS: {
  readonly credentials: number;
  readonly claims: number;
  readonly pathLength: number;
  readonly values: number;
  readonly sets: number;
  readonly options: number;
  readonly vctValues: number;
  readonly stringLength: number;
} = Object.freeze({
  credentials: 16,
  claims: 64,
  pathLength: 16,
  values: 32,
  sets: 16,
  options: 16,
  vctValues: 16,
  stringLength: 256,
});

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(message: string, details?: Record<string, unknown>): OpenMidError {
  return new OpenMidError(
    'ERR_VP_DCQL_INVALID',
    message,
    details === undefined ? undefined : { details },
  );
}

function boundedArray(value: unknown, max: number, what: string): readonly unknown[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max)
    throw invalid(`${what} must be a non-empty array of at most ${max} entries`);
  return value;
}

function shortString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || value.length > DCQL_LIMITS.stringLength)
    throw invalid(`${what} must be a non-empty string`);
  return value;
}

function parseClaims(value: unknown, credentialId: string, mdoc: boolean): DcqlClaimsQuery[] {
  const seenIds = new Set<string>();
  const seenPaths = new Set<string>();
  return boundedArray(value, DCQL_LIMITS.claims, 'claims').map((c, i): DcqlClaimsQuery => {
    if (!isObject(c)) throw invalid('A claims query must be an object');
    const path = c['path'];
    if (!isClaimPath(path) || path.length > DCQL_LIMITS.pathLength)
      throw invalid('A claims path pointer is malformed (OpenID4VP 1.0 §7)', {
        credential: credentialId,
        claim: i,
      });
    for (const p of path)
      if (typeof p === 'string' && p.length > DCQL_LIMITS.stringLength)
        throw invalid('A claims path component is too long');
    // Appendix B.2.4: an mdoc claim is [namespace, element identifier], two strings.
    if (mdoc && (path.length !== 2 || !path.every((p) => typeof p === 'string' && p !== '')))
      throw invalid('An mso_mdoc claims path is [namespace, element identifier]', {
        credential: credentialId,
        claim: i,
      });
    // §6.1 claims: a verifier MUST NOT point to the same claim more than once.
    const key = JSON.stringify(path);
    if (seenPaths.has(key)) throw invalid('The same claim path is requested twice');
    seenPaths.add(key);
    const out: {
      id?: string;
      path: ClaimPath;
      values?: (string | number | boolean)[];
      intent_to_retain?: boolean;
    } = {
      path: [...path],
    };
    const retain = c['intent_to_retain'];
    if (retain !== undefined) {
      if (!mdoc || typeof retain !== 'boolean')
        throw invalid('intent_to_retain is a boolean of mso_mdoc claims (Appendix B.2.4)');
      out.intent_to_retain = retain;
    }
    if (c['id'] !== undefined) {
      const id = c['id'];
      if (typeof id !== 'string' || !ID.test(id)) throw invalid('A claim id is malformed');
      if (seenIds.has(id)) throw invalid('A claim id is used twice in one credential query');
      seenIds.add(id);
      out.id = id;
    }
    if (c['values'] !== undefined) {
      out.values = boundedArray(c['values'], DCQL_LIMITS.values, 'values').map((v) => {
        if (
          typeof v === 'boolean' ||
          (typeof v === 'number' && Number.isSafeInteger(v)) ||
          (typeof v === 'string' && v.length <= DCQL_LIMITS.stringLength)
        )
          return v;
        throw invalid('values holds strings, integers or booleans only (OpenID4VP 1.0 §6.3)');
      });
    }
    return out;
  });
}

function parseCredential(c: unknown, ids: Set<string>): DcqlCredentialQuery {
  if (!isObject(c)) throw invalid('A credential query must be an object');
  const id = c['id'];
  if (typeof id !== 'string' || !ID.test(id)) throw invalid('A credential query id is malformed');
  if (ids.has(id)) throw invalid('A credential query id is used twice', { credential: id });
  ids.add(id);
  const format = c['format'];
  if (format !== SD_JWT_VC_FORMAT && format !== MSO_MDOC_FORMAT)
    throw invalid('Only the dc+sd-jwt and mso_mdoc formats are supported', { credential: id });
  const mdoc = format === MSO_MDOC_FORMAT;
  const meta = c['meta'];
  if (!isObject(meta)) throw invalid('meta is required (OpenID4VP 1.0 §6.1)', { credential: id });
  const typeMeta = mdoc
    ? { doctype_value: shortString(meta['doctype_value'], 'meta.doctype_value') }
    : {
        vct_values: boundedArray(meta['vct_values'], DCQL_LIMITS.vctValues, 'meta.vct_values').map(
          (v) => shortString(v, 'A vct value'),
        ),
      };
  if (c['multiple'] !== undefined && typeof c['multiple'] !== 'boolean')
    throw invalid('multiple must be a boolean');
  const binding = c['require_cryptographic_holder_binding'];
  if (binding !== undefined && binding !== true)
    throw invalid('OpenMID requires cryptographic holder binding', { credential: id });
  if (c['trusted_authorities'] !== undefined)
    throw invalid(
      'trusted_authorities is not supported: the verifier decides which issuers it trusts',
      {
        credential: id,
      },
    );
  const out: {
    id: string;
    format: typeof SD_JWT_VC_FORMAT | typeof MSO_MDOC_FORMAT;
    multiple?: boolean;
    meta: { vct_values: string[] } | { doctype_value: string };
    claims?: DcqlClaimsQuery[];
    claim_sets?: string[][];
  } = { id, format: mdoc ? MSO_MDOC_FORMAT : SD_JWT_VC_FORMAT, meta: typeMeta };
  if (c['multiple'] === true) out.multiple = true;
  if (c['claims'] !== undefined) out.claims = parseClaims(c['claims'], id, mdoc);
  if (c['claim_sets'] !== undefined) {
    // §6.4.1: claim_sets MUST NOT be present if claims is absent; claim ids are then required.
    const claims = out.claims;
    if (claims === undefined) throw invalid('claim_sets needs claims', { credential: id });
    const claimIds = new Set(claims.map((q) => q.id));
    if (claimIds.has(undefined)) throw invalid('Every claim needs an id when claim_sets is used');
    out.claim_sets = boundedArray(c['claim_sets'], DCQL_LIMITS.options, 'claim_sets').map((set) =>
      boundedArray(set, DCQL_LIMITS.claims, 'A claim set').map((ref) => {
        if (typeof ref !== 'string' || !claimIds.has(ref))
          throw invalid('A claim set names an unknown claim id', { credential: id });
        return ref;
      }),
    );
  }
  return out as DcqlCredentialQuery;
}

/**
 * Validate a DCQL query and return it normalised (known members only). Every failure is
 * `ERR_VP_DCQL_INVALID` with non-personal details (credential ids, indices).
 *
 * @example
 * ```ts
 * const dcql = parseDcqlQuery({
 *   credentials: [{ id: 'id', format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims: [{ path: ['age_over_19'] }] }],
 * })
 * ```
 * @see OpenID4VP 1.0 §6 and Appendix B.3.5
 */
export function parseDcqlQuery(value: unknown): DcqlQuery {
  if (!isObject(value)) throw invalid('A DCQL query must be a JSON object');
  const ids = new Set<string>();
  const credentials = boundedArray(
    value['credentials'],
    DCQL_LIMITS.credentials,
    'credentials',
  ).map((c) => parseCredential(c, ids));
  if (value['credential_sets'] === undefined) return { credentials };
  const sets = boundedArray(value['credential_sets'], DCQL_LIMITS.sets, 'credential_sets').map(
    (s): DcqlCredentialSetQuery => {
      if (!isObject(s)) throw invalid('A credential set query must be an object');
      if (s['required'] !== undefined && typeof s['required'] !== 'boolean')
        throw invalid('required must be a boolean');
      const options = boundedArray(s['options'], DCQL_LIMITS.options, 'options').map((o) =>
        boundedArray(o, DCQL_LIMITS.credentials, 'An option').map((ref) => {
          if (typeof ref !== 'string' || !ids.has(ref))
            throw invalid('A credential set option names an unknown credential id');
          return ref;
        }),
      );
      return s['required'] === false ? { options, required: false } : { options };
    },
  );
  return { credentials, credential_sets: sets };
}
