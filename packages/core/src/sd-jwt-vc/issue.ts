/**
 * @module sd-jwt-vc/issue
 * Issuing an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc "Verifiable Credentials based on SD-JWT"):
 * header `typ: dc+sd-jwt`, the registered claims in the clear, the subject claims with their
 * disclosure frame, and the holder key in `cnf.jwk` unless the caller explicitly issues an
 * unbound credential.
 */
import type { HashAlg, PublicJwk } from '../crypto/provider.js';
import { asOpenMidError, OpenMidError } from '../errors/error.js';
import { defineOwn, hasOwn, isJsonObject } from '../internal/json.js';
import { systemClock } from '../jose/jwt.js';
import { parsePublicJwk } from '../keys/jwk.js';
import type { CryptoOptions, Signer } from '../keys/keys.js';
import { issueSdJwt } from '../sd-jwt/issue.js';
import type { DisclosureFrame } from '../sd-jwt/types.js';
import { checkStatusClaim } from './claims.js';

/** The media type and header `typ` of an SD-JWT VC (draft "JOSE Header"). */
export const SD_JWT_VC_TYP = 'dc+sd-jwt';

/**
 * Registered claims that can never be selectively disclosable (draft "Registered JWT Claims"):
 * they control validity, binding and type, and a verifier must always see them.
 */
export const NEVER_DISCLOSABLE: readonly string[] = Object.freeze([
  'iss',
  'nbf',
  'exp',
  'cnf',
  'vct',
  'vct#integrity',
  'status',
]);

/** A Token Status List reference (draft-ietf-oauth-status-list "Referenced Token"). */
export interface SdJwtVcStatus {
  readonly status_list: { readonly idx: number; readonly uri: string };
}

/** What an SD-JWT VC says: its registered claims and the subject claims. */
export interface SdJwtVcCredential {
  /** The issuer (required by OpenMID: its keys and allowed types are on the trust ledger). */
  readonly iss: string;
  /** The credential type. */
  readonly vct: string;
  /** SRI integrity of the type metadata document (`sha256-…`). */
  readonly 'vct#integrity'?: string;
  /** Issuance time in seconds (default: now). May be made disclosable by the frame. */
  readonly iat?: number;
  readonly nbf?: number;
  /** Expiry in seconds. */
  readonly exp: number;
  /** Subject identifier; may be made disclosable by the frame. */
  readonly sub?: string;
  /** Status list reference (revocation, suspension). */
  readonly status?: SdJwtVcStatus;
  /** The subject claims (no registered claim names). */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Options of {@link issueSdJwtVc}. */
export interface IssueSdJwtVcOptions extends CryptoOptions {
  readonly signer: Signer;
  /**
   * The holder's public key, written to `cnf.jwk`. Required: pass `null` to issue an unbound
   * credential on purpose (it can then be presented by anyone who holds a copy).
   */
  readonly holderKey: PublicJwk | null;
  /** Which claims are selectively disclosable; registered claims listed above are refused. */
  readonly frame?: DisclosureFrame;
  readonly hashAlg?: HashAlg;
  /** Extra protected header members (e.g. `x5c`). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Current time in seconds, for the default `iat`. */
  readonly now?: number;
}

const REGISTERED = ['iss', 'vct', 'vct#integrity', 'iat', 'nbf', 'exp', 'sub', 'status', 'cnf'];

function invalid(claim: string, why: string): OpenMidError {
  return new OpenMidError('ERR_SDJWTVC_CLAIM_INVALID', `The ${claim} claim ${why}`, {
    details: { claim },
  });
}

function checkTime(value: unknown, claim: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
    throw invalid(claim, 'is not a NumericDate');
}

/**
 * Refuse a frame that would make a never-disclosable claim (or anything inside it) disclosable.
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Registered JWT Claims"
 */
export function checkVcFrame(frame: DisclosureFrame | undefined): void {
  if (frame === undefined) return;
  const sd = frame._sd ?? [];
  for (const name of NEVER_DISCLOSABLE) {
    if (sd.includes(name) || hasOwn(frame, name))
      throw new OpenMidError(
        'ERR_SDJWTVC_CLAIM_NOT_DISCLOSABLE',
        `The ${name} claim can never be selectively disclosable`,
        { details: { claim: name } },
      );
  }
}

/**
 * Issue an SD-JWT VC.
 *
 * @example
 * ```ts
 * const vc = await issueSdJwtVc(
 *   { iss: 'https://police.go.kr', vct: 'urn:kr:mdl:1', exp, claims: { given_name: '민준' } },
 *   { signer, holderKey: deviceJwk, frame: { _sd: ['given_name'] } },
 * )
 * ```
 * @see draft-ietf-oauth-sd-jwt-vc "Data Format", "JWT Claims Set"
 */
export async function issueSdJwtVc(
  credential: SdJwtVcCredential,
  options: IssueSdJwtVcOptions,
): Promise<string> {
  try {
    return await issueVc(credential, options);
  } catch (e) {
    throw asOpenMidError(e);
  }
}

async function issueVc(
  credential: SdJwtVcCredential,
  options: IssueSdJwtVcOptions,
): Promise<string> {
  if (!isJsonObject(credential) || !isJsonObject(credential.claims))
    throw new OpenMidError('ERR_INPUT_INVALID', 'The credential and its claims must be objects');
  for (const claim of ['iss', 'vct'] as const) {
    const v = credential[claim];
    if (v === undefined)
      throw new OpenMidError('ERR_SDJWTVC_CLAIM_MISSING', `The ${claim} claim is required`, {
        details: { claim },
      });
    if (typeof v !== 'string' || v === '') throw invalid(claim, 'is not a non-empty string');
  }
  const integrity = credential['vct#integrity'];
  if (integrity !== undefined && typeof integrity !== 'string')
    throw invalid('vct#integrity', 'is not a string');
  if (credential.exp === undefined)
    throw new OpenMidError('ERR_SDJWTVC_CLAIM_MISSING', 'The exp claim is required', {
      details: { claim: 'exp' },
    });
  checkTime(credential.exp, 'exp');
  checkTime(credential.nbf, 'nbf');
  checkTime(credential.iat, 'iat');
  if (credential.sub !== undefined && typeof credential.sub !== 'string')
    throw invalid('sub', 'is not a string');
  if (credential.status !== undefined) checkStatusClaim(credential.status);
  if (options.holderKey === undefined)
    throw new OpenMidError(
      'ERR_INPUT_INVALID',
      'holderKey is required: a public JWK, or null for an unbound credential',
    );
  for (const name of REGISTERED) {
    if (hasOwn(credential.claims, name))
      throw invalid(name, 'belongs on the credential, not among the subject claims');
  }
  checkVcFrame(options.frame);
  const payload: Record<string, unknown> = {
    iss: credential.iss,
    iat: credential.iat ?? options.now ?? systemClock(),
  };
  if (credential.nbf !== undefined) payload['nbf'] = credential.nbf;
  payload['exp'] = credential.exp;
  payload['vct'] = credential.vct;
  if (integrity !== undefined) payload['vct#integrity'] = integrity;
  if (credential.sub !== undefined) payload['sub'] = credential.sub;
  if (credential.status !== undefined) payload['status'] = credential.status;
  // A private key here would leak: parsePublicJwk refuses `d` and keeps only public members.
  if (options.holderKey !== null) payload['cnf'] = { jwk: parsePublicJwk(options.holderKey).jwk };
  // Not Object.assign: its [[Set]] would turn a `__proto__` claim into a prototype change.
  for (const [name, value] of Object.entries(credential.claims)) defineOwn(payload, name, value);
  return issueSdJwt(payload, {
    signer: options.signer,
    typ: SD_JWT_VC_TYP,
    ...(options.frame === undefined ? {} : { frame: options.frame }),
    ...(options.hashAlg === undefined ? {} : { hashAlg: options.hashAlg }),
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
  });
}
