/**
 * @module sd-jwt-vc/verify
 * Verifying an SD-JWT VC presentation (draft-ietf-oauth-sd-jwt-vc "Verification and Processing"):
 * the SD-JWT checks of RFC 9901 §7.1 and §7.3 with `typ: dc+sd-jwt`, plus the SD-JWT VC rules,
 * with the status hook called last, after every cryptographic and time check has passed.
 *
 * Order: size, KB presence, `iss` present and its key resolved by the caller's trust source (never
 * fetched from the `iss` URL), issuer signature, `_sd_alg`, Disclosures; then the SD-JWT VC claims
 * (no registered claim disclosed selectively, `vct`, `cnf`, `status` shapes); then `exp`/`nbf`/
 * `iat`; then the KB-JWT; then the status hook.
 */

import type { HashAlg, SigAlg } from '../crypto/provider.js';
import { asOpenMidError, isOpenMidError, OpenMidError } from '../errors/error.js';
import { isJsonObject } from '../internal/json.js';
import type { JwsHeader } from '../jose/jws.js';
import type { CryptoOptions, Verifier } from '../keys/keys.js';
import type { SdJwtLimits } from '../sd-jwt/types.js';
import {
  type KeyBindingPolicy,
  runVerify,
  type VerifiedSdJwt,
  type VerifySdJwtOptions,
} from '../sd-jwt/verify.js';
import { checkCnfClaim, checkStatusClaim } from './claims.js';
import { NEVER_DISCLOSABLE, SD_JWT_VC_TYP } from './issue.js';

/** Resolves the trusted key of an issuer from the verifier's own trust source. */
export type IssuerKeyResolver = (iss: string, header: JwsHeader) => Verifier | Promise<Verifier>;

/** Everything {@link verifySdJwtVc} needs besides the key binding choice. */
export interface SdJwtVcPolicyBase extends CryptoOptions {
  /**
   * The issuer's key from a trust source the verifier configures (a key set, a trust list, the
   * trust ledger). It should throw an OpenMidError such as `ERR_SDJWTVC_ISSUER_UNTRUSTED` for an
   * unknown issuer; any other error is reported as `ERR_SDJWTVC_ISSUER_UNTRUSTED`.
   */
  readonly issuerKey: IssuerKeyResolver;
  /** Accepted credential types; any `vct` when absent. */
  readonly acceptedVcts?: readonly string[];
  /**
   * Status check, called last with the `status` claim when present. Throws an OpenMidError (e.g.
   * `ERR_STATUS_REVOKED`); any other error is reported as `ERR_STATUS_UNKNOWN`.
   */
  readonly status?: (statusClaim: unknown) => Promise<void>;
  /** Refuse credentials without a `status` claim (default false). */
  readonly requireStatus?: boolean;
  readonly algorithms?: readonly SigAlg[];
  readonly hashAlgs?: readonly HashAlg[];
  /** Current time in seconds (default: system clock). */
  readonly now?: number;
  /** Clock leeway in seconds, ≤ 300 (default 30). */
  readonly leeway?: number;
  /** Time claims the credential must carry (default `['exp']`: OpenMID credentials expire). */
  readonly requireTimeClaims?: readonly ('iat' | 'nbf' | 'exp')[];
  readonly limits?: Partial<SdJwtLimits>;
}

/** Key binding required (the default): the transaction's `nonce` and the verifier's `aud`. */
export interface SdJwtVcKeyBound {
  readonly keyBinding?: undefined;
  readonly nonce: string;
  readonly aud: string;
  /** Maximum KB-JWT age in seconds (default 300). */
  readonly kbMaxAgeSeconds?: number;
}

/** Key binding explicitly not required. */
export interface SdJwtVcUnbound {
  readonly keyBinding: false;
}

/**
 * The verification policy. Key binding is the default: `nonce` and `aud` are then required by
 * the type; `keyBinding: false` must be written out to accept presentations without it.
 */
export type VerifySdJwtVcPolicy = SdJwtVcPolicyBase & (SdJwtVcKeyBound | SdJwtVcUnbound);

/** A verified SD-JWT VC presentation. */
export interface VerifiedSdJwtVc extends VerifiedSdJwt {
  readonly iss: string;
  readonly vct: string;
  /** The `status` claim, when present (already passed to the status hook, if any). */
  readonly status?: unknown;
}

function keyBindingOf(policy: VerifySdJwtVcPolicy): KeyBindingPolicy | false {
  if (policy.keyBinding === false) return false;
  return {
    nonce: policy.nonce,
    aud: policy.aud,
    ...(policy.kbMaxAgeSeconds === undefined ? {} : { maxAgeSeconds: policy.kbMaxAgeSeconds }),
  };
}

function issuerResolver(policy: VerifySdJwtVcPolicy) {
  return async (header: JwsHeader, payload: Record<string, unknown>): Promise<Verifier> => {
    const iss = payload['iss'];
    if (iss === undefined)
      throw new OpenMidError('ERR_SDJWTVC_CLAIM_MISSING', 'The iss claim is required', {
        details: { claim: 'iss' },
      });
    if (typeof iss !== 'string' || iss === '')
      throw new OpenMidError('ERR_SDJWTVC_CLAIM_INVALID', 'The iss claim is not a string', {
        details: { claim: 'iss' },
      });
    let verifier: Verifier;
    try {
      verifier = await policy.issuerKey(iss, header);
    } catch (e) {
      if (isOpenMidError(e)) throw e;
      throw new OpenMidError('ERR_SDJWTVC_ISSUER_UNTRUSTED', 'The issuer key is not trusted', {
        cause: e,
      });
    }
    if (!isJsonObject(verifier) || typeof verifier.verify !== 'function')
      throw new OpenMidError('ERR_SDJWTVC_ISSUER_UNTRUSTED', 'No trusted key for this issuer');
    return verifier;
  };
}

/**
 * Verify an SD-JWT VC presentation. Every failure is an {@link OpenMidError}.
 *
 * @example
 * ```ts
 * const vc = await verifySdJwtVc(presentation, {
 *   issuerKey: (iss, header) => trust.issuerKey(iss, header.kid),
 *   acceptedVcts: ['urn:kr:mdl:1'],
 *   nonce: session.nonce,
 *   aud: 'x509_san_dns:bank.example',
 *   status: checkStatus,
 * })
 * ```
 * @see draft-ietf-oauth-sd-jwt-vc "Verification and Processing"; RFC 9901 §7.1, §7.3
 */
export async function verifySdJwtVc(
  presentation: string,
  policy: VerifySdJwtVcPolicy,
): Promise<VerifiedSdJwtVc> {
  try {
    if (!isJsonObject(policy) || typeof policy.issuerKey !== 'function')
      throw new OpenMidError('ERR_INPUT_INVALID', 'The policy needs an issuerKey resolver');
    const options: VerifySdJwtOptions = {
      typ: SD_JWT_VC_TYP,
      issuerKey: issuerResolver(policy),
      keyBinding: keyBindingOf(policy),
      requireTimeClaims: policy.requireTimeClaims ?? ['exp'],
      ...pick(policy),
    };
    const verified = await runVerify(presentation, options, {
      processed: (claims, uses, kb) => {
        // No registered claim may have come from a Disclosure (draft "Registered JWT Claims").
        for (const use of uses) {
          const name = use.path[0];
          if (use.path.length === 1 && NEVER_DISCLOSABLE.includes(name as string))
            throw new OpenMidError(
              'ERR_SDJWTVC_CLAIM_NOT_DISCLOSABLE',
              `The ${String(name)} claim was disclosed selectively`,
              { details: { claim: name } },
            );
        }
        checkVct(claims['vct'], policy.acceptedVcts);
        if (claims['vct#integrity'] !== undefined && typeof claims['vct#integrity'] !== 'string')
          throw new OpenMidError('ERR_SDJWTVC_CLAIM_INVALID', 'vct#integrity is not a string', {
            details: { claim: 'vct#integrity' },
          });
        checkCnfClaim(claims['cnf'], kb !== undefined);
        if (claims['status'] !== undefined) checkStatusClaim(claims['status']);
        else if (policy.requireStatus === true)
          throw new OpenMidError('ERR_SDJWTVC_CLAIM_MISSING', 'The status claim is required', {
            details: { claim: 'status' },
          });
      },
    });
    const status = verified.claims['status'];
    // Last: only a credential that passed every other check reaches the status provider.
    if (status !== undefined && policy.status !== undefined)
      await callStatus(policy.status, status);
    return {
      ...verified,
      iss: verified.claims['iss'] as string,
      vct: verified.claims['vct'] as string,
      ...(status === undefined ? {} : { status }),
    };
  } catch (e) {
    throw asOpenMidError(e);
  }
}

function pick(policy: SdJwtVcPolicyBase): Partial<VerifySdJwtOptions> {
  const out: Record<string, unknown> = {};
  for (const key of ['algorithms', 'hashAlgs', 'now', 'leeway', 'limits', 'crypto'] as const)
    if (policy[key] !== undefined) out[key] = policy[key];
  return out;
}

function checkVct(vct: unknown, accepted: readonly string[] | undefined): void {
  if (vct === undefined)
    throw new OpenMidError('ERR_SDJWTVC_CLAIM_MISSING', 'The vct claim is required', {
      details: { claim: 'vct' },
    });
  if (typeof vct !== 'string' || vct === '')
    throw new OpenMidError('ERR_SDJWTVC_CLAIM_INVALID', 'The vct claim is not a string', {
      details: { claim: 'vct' },
    });
  if (accepted !== undefined && !accepted.includes(vct))
    throw new OpenMidError('ERR_SDJWTVC_VCT_UNEXPECTED', 'The credential type is not accepted');
}

async function callStatus(
  hook: (statusClaim: unknown) => Promise<void>,
  status: unknown,
): Promise<void> {
  try {
    await hook(status);
  } catch (e) {
    if (isOpenMidError(e)) throw e;
    throw new OpenMidError('ERR_STATUS_UNKNOWN', 'The credential status could not be established', {
      cause: e,
    });
  }
}
