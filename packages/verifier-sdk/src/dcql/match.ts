/**
 * @module dcql/match
 * Evaluating a DCQL query (OpenID4VP 1.0 §6.4) on both sides:
 * - the wallet selects which held credentials answer which credential query and which claims to
 *   disclose ({@link selectCredentials}, {@link satisfiedClaims});
 * - the verifier checks that the verified presentations satisfy the query and keeps only the
 *   requested claims ({@link assertCredentialSets}, {@link projectClaims}).
 *
 * Claim selection follows §6.4.1: no `claims` requests no selectively disclosable claim; `claims`
 * without `claim_sets` requests all of them; with `claim_sets`, the first option that can be
 * satisfied. A claim with `values` matches only when every value it selects is one of them.
 */
import { OpenMidError } from '@openmid/core/errors';
import { type ClaimPath as CorePath, selectClaims } from '@openmid/core/sd-jwt';
import { isObject } from '../internal/json.js';
import {
  type ClaimPath,
  type DcqlClaimsQuery,
  type DcqlCredentialQuery,
  type DcqlQuery,
  isMdocQuery,
  MSO_MDOC_FORMAT,
} from './query.js';

function claimMatches(claims: Record<string, unknown>, q: DcqlClaimsQuery): boolean {
  const selected = selectClaims(claims, q.path as CorePath);
  if (selected === undefined) return false;
  const values = q.values;
  if (values === undefined) return true;
  return selected.every(({ value }) => values.some((v) => v === value));
}

/**
 * The claim paths of `query` that `claims` (a credential's processed claims) satisfies: `[]` when
 * the query requests no claims, every path when there are no `claim_sets`, else the paths of the
 * first satisfiable claim set. `undefined` when the credential cannot answer the query.
 *
 * @see OpenID4VP 1.0 §6.4.1
 */
export function satisfiedClaims(
  query: DcqlCredentialQuery,
  claims: Record<string, unknown>,
): ClaimPath[] | undefined {
  const requested = query.claims;
  if (requested === undefined) return [];
  if (query.claim_sets === undefined) {
    return requested.every((q) => claimMatches(claims, q))
      ? requested.map((q) => q.path)
      : undefined;
  }
  for (const option of query.claim_sets) {
    const chosen = option.map((id) => requested.find((q) => q.id === id) as DcqlClaimsQuery);
    if (chosen.every((q) => claimMatches(claims, q))) return chosen.map((q) => q.path);
  }
  return undefined;
}

/**
 * A credential the wallet holds, as DCQL sees it: an SD-JWT VC (`vct`, processed claims) or an
 * mdoc (`format: 'mso_mdoc'`, `docType`, claims = `{ namespace: { element: value } }`, e.g.
 * `mdocJsonElements(readIssuerSigned(bytes).elements)`).
 */
export interface DcqlCandidate {
  readonly vct: string;
  /** Its processed claims (every disclosure applied). */
  readonly claims: Record<string, unknown>;
  /** `mso_mdoc` for an mdoc (default: an SD-JWT VC). */
  readonly format?: 'dc+sd-jwt' | 'mso_mdoc';
  /** An mdoc's document type. */
  readonly docType?: string;
}

/** Whether candidate `c` is of a type query `q` accepts (format and vct / doctype). */
function accepts(q: DcqlCredentialQuery, c: DcqlCandidate): boolean {
  if (isMdocQuery(q)) return c.format === MSO_MDOC_FORMAT && c.docType === q.meta.doctype_value;
  return c.format !== MSO_MDOC_FORMAT && q.meta.vct_values.includes(c.vct);
}

/** One credential chosen to answer one credential query. */
export interface DcqlSelection {
  readonly queryId: string;
  /** Index of the candidate in the list given to {@link selectCredentials}. */
  readonly candidate: number;
  /** The claim paths to disclose. */
  readonly paths: readonly ClaimPath[];
}

/**
 * Choose the held credentials that answer a DCQL query, for a wallet: per credential query the
 * first candidate (every candidate when `multiple`) of an accepted `vct` that satisfies its
 * claims; then the credential sets (§6.4.2): every required set needs one option all of whose
 * queries have an answer (the first such option is taken), optional sets are added when they can
 * be. Returns `undefined` when the query cannot be satisfied (the wallet then returns nothing).
 *
 * @example
 * ```ts
 * const plan = selectCredentials(request.dcql, held.map((h) => ({ vct: h.claims.vct, claims: h.claims })))
 * ```
 * @see OpenID4VP 1.0 §6.4
 */
export function selectCredentials(
  query: DcqlQuery,
  candidates: readonly DcqlCandidate[],
): DcqlSelection[] | undefined {
  const answers = new Map<string, DcqlSelection[]>();
  for (const q of query.credentials) {
    const found: DcqlSelection[] = [];
    candidates.forEach((c, i) => {
      if (found.length > 0 && q.multiple !== true) return;
      if (!accepts(q, c)) return;
      const paths = satisfiedClaims(q, c.claims);
      if (paths !== undefined) found.push({ queryId: q.id, candidate: i, paths });
    });
    if (found.length > 0) answers.set(q.id, found);
  }
  const sets = query.credential_sets;
  if (sets === undefined) {
    if (query.credentials.some((q) => !answers.has(q.id))) return undefined;
    return [...answers.values()].flat();
  }
  const chosen = new Set<string>();
  for (const set of sets) {
    const option = set.options.find((o) => o.every((id) => answers.has(id)));
    if (option === undefined) {
      if (set.required !== false) return undefined;
      continue;
    }
    for (const id of option) chosen.add(id);
  }
  return query.credentials.flatMap((q) => (chosen.has(q.id) ? (answers.get(q.id) ?? []) : []));
}

/**
 * Check, on the verifier side, that the credential queries answered (`present`) satisfy the
 * query: every credential query when there are no `credential_sets`, else one option of every
 * required set. Throws `ERR_VP_DCQL_UNSATISFIED`.
 *
 * @see OpenID4VP 1.0 §6.4.2, §8.6 step 3
 */
export function assertCredentialSets(query: DcqlQuery, present: ReadonlySet<string>): void {
  const sets = query.credential_sets;
  if (sets === undefined) {
    const missing = query.credentials.filter((q) => !present.has(q.id)).map((q) => q.id);
    if (missing.length > 0)
      throw new OpenMidError('ERR_VP_DCQL_UNSATISFIED', 'A requested credential is missing', {
        details: { missing },
      });
    return;
  }
  sets.forEach((set, i) => {
    if (set.required === false) return;
    if (!set.options.some((o) => o.every((id) => present.has(id))))
      throw new OpenMidError(
        'ERR_VP_DCQL_UNSATISFIED',
        'A required credential set is not satisfied',
        {
          details: { credentialSet: i },
        },
      );
  });
}

function setIn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown) {
  if (Array.isArray(target)) target.push(value);
  else
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

function childOf(
  target: Record<string, unknown> | unknown[],
  key: string | number,
  next: string | number,
  index: Map<string, Record<string, unknown> | unknown[]>,
  at: string,
): Record<string, unknown> | unknown[] {
  const existing = index.get(at);
  if (existing !== undefined) return existing;
  const child: Record<string, unknown> | unknown[] = typeof next === 'number' ? [] : {};
  setIn(target, key, child);
  index.set(at, child);
  return child;
}

/**
 * A copy of `claims` holding only what `paths` select: the result a relying party may keep (data
 * minimisation, DOMAIN.md §7). Arrays keep the selected elements in order (compacted). Member
 * names are copied as own data properties, so `__proto__` never touches a prototype.
 *
 * @example
 * ```ts
 * projectClaims({ name: '홍길동', rrn: '…', age_over_19: true }, [['age_over_19']]) // { age_over_19: true }
 * ```
 */
export function projectClaims(
  claims: Record<string, unknown>,
  paths: readonly ClaimPath[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const index = new Map<string, Record<string, unknown> | unknown[]>();
  const concrete = paths.flatMap((p) => selectClaims(claims, p as CorePath) ?? []);
  // Ancestors first, so a selected object is copied whole and its descendants are skipped.
  concrete.sort((a, b) => a.path.length - b.path.length);
  const seen = new Set<string>();
  for (const { path, value } of concrete) {
    const key = JSON.stringify(path);
    if (seen.has(key)) continue;
    if ([...seen].some((s) => key.startsWith(`${s.slice(0, -1)},`))) continue;
    seen.add(key);
    let target: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < path.length - 1; i++) {
      const at = JSON.stringify(path.slice(0, i + 1));
      target = childOf(
        target,
        path[i] as string | number,
        path[i + 1] as string | number,
        index,
        at,
      );
    }
    setIn(target, path[path.length - 1] as string | number, structuredClone(value));
  }
  return out;
}

/** True when `value` is a `vp_token` object shape (OpenID4VP 1.0 §8.1): id → non-empty array. */
export function isVpTokenShape(value: unknown): value is Record<string, readonly unknown[]> {
  return isObject(value) && Object.values(value).every((v) => Array.isArray(v) && v.length > 0);
}
