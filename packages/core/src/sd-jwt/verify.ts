/**
 * @module sd-jwt/verify
 * Verifying an SD-JWT or SD-JWT+KB: every check of RFC 9901 §7.1 and §7.3, in that order, each
 * failure with its own code. Key binding is required by the caller's policy, never by the presence
 * of a KB-JWT (§7.3 step 1, §9.5): the policy is `{ nonce, aud }` or an explicit `false`.
 *
 * Order of the checks:
 * 1. §7.1 step 1: size and `~` count bounded, then the parts located (ERR_SDJWT_TOO_LARGE, _MALFORMED);
 *    nesting depth is bounded as each JSON text is parsed (before allocation) and while walking;
 * 2. §7.3 step 2: key binding required but no KB-JWT (ERR_SDJWT_KB_REQUIRED), before any crypto;
 * 3. §7.1 steps 2.1 to 2.3: the Issuer-signed JWT with the caller's trusted key or resolver
 *    (alg allow-list, explicit typ, crit, signature: ERR_JOSE_*);
 * 4. §7.1 step 2.4: `_sd_alg` (ERR_SDJWT_HASH_ALG_UNSUPPORTED);
 * 5. §7.1 steps 3 to 5: Disclosures and digests (see `process.ts`);
 * 6. §7.1 step 6: `exp`, `nbf`, `iat` on the processed payload (ERR_JWT_*);
 * 7. §7.3 step 5: the KB-JWT: holder key from `cnf.jwk`, alg, signature, typ `kb+jwt`, `iat`
 *    window, `nonce` and `aud`, `sd_hash`, other JWT validity.
 *
 * A KB-JWT present under `keyBinding: false` is still checked (holder key, signature, typ,
 * `sd_hash`, `exp`/`nbf`) so that a tampered presentation never passes; its `nonce`, `aud` and
 * age are not (the caller gave none), so the result then reports no holder key: it proves nothing
 * about who presented.
 */
import { defaultCrypto } from '../crypto/default.js';
import type { CryptoProvider, HashAlg, PublicJwk, SigAlg } from '../crypto/provider.js';
import { asOpenMidError, OpenMidError } from '../errors/error.js';
import { stringsEqual } from '../internal/bytes.js';
import { isJsonObject } from '../internal/json.js';
import { type JwsHeader, type KeyResolver, verifyCompactJws } from '../jose/jws.js';
import { checkTimeClaims, resolveLeeway, systemClock } from '../jose/jwt.js';
import {
  type CryptoOptions,
  createVerifier,
  importPublicKey,
  type Verifier,
} from '../keys/keys.js';
import { type CompactParts, splitCompact } from './compact.js';
import { digestB64u, resolveHashAlg } from './disclosure.js';
import { type DisclosureUse, processPayload } from './process.js';
import { KB_JWT_TYP, resolveLimits, type SdJwtLimits } from './types.js';

/** Default maximum age of a KB-JWT, in seconds. */
export const DEFAULT_KB_MAX_AGE_SECONDS = 300;

/** Key binding required: the values this transaction expects (RFC 9901 §7.3 step 5.6). */
export interface KeyBindingPolicy {
  /** The nonce the verifier issued for this transaction. */
  readonly nonce: string;
  /** The verifier's own identifier, as the holder must put it in `aud`. */
  readonly aud: string;
  /** How old the KB-JWT `iat` may be, in seconds (default 300). */
  readonly maxAgeSeconds?: number;
}

/** Options of {@link verifySdJwt}. */
export interface VerifySdJwtOptions extends CryptoOptions {
  /** The explicit `typ` of the Issuer-signed JWT, e.g. `dc+sd-jwt`. */
  readonly typ: string;
  /**
   * The issuer's trusted key, or a resolver choosing it from trusted configuration by the header
   * and payload (never from a key carried in the token).
   */
  readonly issuerKey: Verifier | KeyResolver;
  /** Key binding: required with the expected `nonce` and `aud`, or explicitly `false`. */
  readonly keyBinding: KeyBindingPolicy | false;
  /** Signature algorithms accepted for the issuer and the KB-JWT (default ES256, EdDSA). */
  readonly algorithms?: readonly SigAlg[];
  /** `_sd_alg` allow-list (default sha-256, sha-384, sha-512). */
  readonly hashAlgs?: readonly HashAlg[];
  /** Current time in seconds (default: system clock). */
  readonly now?: number;
  /** Clock leeway in seconds, ≤ 300 (default 30). */
  readonly leeway?: number;
  /** Time claims the processed payload must carry (RFC 9901 §7.1 step 6; default none). */
  readonly requireTimeClaims?: readonly ('iat' | 'nbf' | 'exp')[];
  /** Size, count and depth limits. */
  readonly limits?: Partial<SdJwtLimits>;
}

/** A verified SD-JWT presentation. */
export interface VerifiedSdJwt {
  /** The Issuer-signed JWT's header. */
  readonly header: JwsHeader;
  /** The processed payload: disclosed claims and always-visible claims; no digests, no `_sd_alg`. */
  readonly claims: Record<string, unknown>;
  /** Paths (in `claims`) of the claims disclosed by a Disclosure, in payload order. */
  readonly disclosedPaths: readonly (readonly (string | number)[])[];
  /** The key that verified the issuer signature. */
  readonly issuerKey: Verifier;
  /** The holder key (`cnf.jwk`) that signed the KB-JWT, when key binding was required. */
  readonly holderKey?: PublicJwk;
  /** The verified KB-JWT, when key binding was required. */
  readonly keyBinding?: {
    readonly header: JwsHeader;
    readonly payload: Record<string, unknown>;
  };
}

/** Hooks the SD-JWT VC layer adds between the steps (internal). */
export interface VerifyHooks {
  /** Called after §7.1 steps 3 to 5, before the time checks. */
  readonly processed?: (
    claims: Record<string, unknown>,
    uses: readonly DisclosureUse[],
    policy: KeyBindingPolicy | undefined,
  ) => void;
}

/**
 * Verify an SD-JWT or SD-JWT+KB presentation. Every failure is an {@link OpenMidError}.
 *
 * @example
 * ```ts
 * const { claims, holderKey } = await verifySdJwt(presentation, {
 *   typ: 'dc+sd-jwt',
 *   issuerKey: trustedIssuerVerifier,
 *   keyBinding: { nonce: session.nonce, aud: 'x509_san_dns:bank.example' },
 * })
 * ```
 * @see RFC 9901 §7.1 and §7.3
 */
export async function verifySdJwt(
  presentation: string,
  options: VerifySdJwtOptions,
): Promise<VerifiedSdJwt> {
  try {
    return await runVerify(presentation, options);
  } catch (e) {
    throw asOpenMidError(e);
  }
}

function resolveKeyBinding(
  policy: KeyBindingPolicy | false | undefined,
): (KeyBindingPolicy & { readonly maxAgeSeconds: number }) | undefined {
  if (policy === false) return undefined;
  if (!isJsonObject(policy))
    throw new OpenMidError('ERR_INPUT_INVALID', 'keyBinding must be { nonce, aud } or false');
  const { nonce, aud } = policy;
  if (typeof nonce !== 'string' || nonce === '' || typeof aud !== 'string' || aud === '')
    throw new OpenMidError('ERR_INPUT_INVALID', 'Key binding needs a non-empty nonce and aud');
  const maxAgeSeconds = policy.maxAgeSeconds ?? DEFAULT_KB_MAX_AGE_SECONDS;
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0)
    throw new OpenMidError('ERR_INPUT_INVALID', 'maxAgeSeconds must be a positive number');
  return { nonce, aud, maxAgeSeconds };
}

/** The verification steps, without the error wrapping (shared with the SD-JWT VC layer). */
export async function runVerify(
  presentation: string,
  options: VerifySdJwtOptions,
  hooks?: VerifyHooks,
): Promise<VerifiedSdJwt> {
  const limits = resolveLimits(options.limits);
  const policy = resolveKeyBinding(options.keyBinding);
  const leeway = resolveLeeway(options.leeway);
  const now = options.now ?? systemClock();
  const crypto = options.crypto ?? defaultCrypto();
  // §7.1 step 1, §7.3 step 3: sizes and separators first, then the parts.
  const parts = splitCompact(presentation, limits);
  // §7.3 step 2: decided by policy, and before any cryptographic work.
  if (policy !== undefined && parts.kbJwt === undefined)
    throw new OpenMidError('ERR_SDJWT_KB_REQUIRED', 'Key binding is required but absent');
  // §7.1 steps 2.1 to 2.3.
  const issuer = await verifyCompactJws(presentation.slice(0, parts.jwtEnd), {
    typ: options.typ,
    key: options.issuerKey,
    maxLength: limits.maxLength,
    ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
  });
  // §7.1 step 2.4.
  const hashAlg = resolveHashAlg(issuer.payload['_sd_alg'], options.hashAlgs);
  // §7.1 steps 3 to 5.
  const processed = processPayload(parts, issuer.payload, {
    crypto,
    hashAlg,
    maxDepth: limits.maxDepth,
  });
  hooks?.processed?.(processed.claims, processed.uses, policy);
  // §7.1 step 6, on the processed payload.
  checkTimeClaims(processed.claims, {
    now,
    leeway,
    ...(options.requireTimeClaims === undefined ? {} : { require: options.requireTimeClaims }),
  });
  const result = {
    header: issuer.header,
    claims: processed.claims,
    disclosedPaths: processed.uses.map((u) => u.path),
    issuerKey: issuer.verifier,
  };
  if (parts.kbJwt === undefined) return result;
  // §7.3 step 5.
  const kb = await verifyKeyBinding(parts, processed.claims, {
    crypto,
    hashAlg,
    policy,
    now,
    leeway,
    limits,
    algorithms: options.algorithms,
  });
  return policy === undefined ? result : { ...result, ...kb };
}

interface KbContext {
  readonly crypto: CryptoProvider;
  readonly hashAlg: HashAlg;
  readonly policy: (KeyBindingPolicy & { readonly maxAgeSeconds: number }) | undefined;
  readonly now: number;
  readonly leeway: number;
  readonly limits: SdJwtLimits;
  readonly algorithms: readonly SigAlg[] | undefined;
}

async function verifyKeyBinding(
  parts: CompactParts,
  claims: Record<string, unknown>,
  ctx: KbContext,
): Promise<Required<Pick<VerifiedSdJwt, 'holderKey' | 'keyBinding'>>> {
  // Step 5.1: the holder key comes from the SD-JWT (cnf.jwk, RFC 7800 §3.2), imported once.
  const cnf = claims['cnf'];
  if (!isJsonObject(cnf) || !isJsonObject(cnf['jwk']))
    throw new OpenMidError('ERR_SDJWT_CNF_MISSING', 'The SD-JWT has no cnf.jwk holder key');
  const key = await importPublicKey(cnf['jwk'], { crypto: ctx.crypto });
  // Steps 5.2 to 5.4: alg allow-list, signature, typ kb+jwt.
  const kb = await verifyCompactJws(parts.kbJwt as string, {
    typ: KB_JWT_TYP,
    key: createVerifier(key, { crypto: ctx.crypto }),
    maxLength: ctx.limits.maxLength,
    ...(ctx.algorithms === undefined ? {} : { algorithms: ctx.algorithms }),
  });
  const { payload } = kb;
  const { policy } = ctx;
  if (policy !== undefined) {
    // Step 5.5: iat is a NumericDate, not in the future, not older than the window.
    const iat = payload['iat'];
    if (
      typeof iat !== 'number' ||
      !Number.isFinite(iat) ||
      iat > ctx.now + ctx.leeway ||
      iat < ctx.now - policy.maxAgeSeconds - ctx.leeway
    )
      throw new OpenMidError('ERR_SDJWT_KB_IAT_OUT_OF_WINDOW', 'The KB-JWT iat is out of window');
    // Step 5.6: bound to this transaction and this verifier.
    const nonce = payload['nonce'];
    if (typeof nonce !== 'string' || !stringsEqual(nonce, policy.nonce))
      throw new OpenMidError('ERR_SDJWT_KB_NONCE_MISMATCH', 'The KB-JWT nonce does not match');
    const aud = payload['aud'];
    if (typeof aud !== 'string' || !stringsEqual(aud, policy.aud))
      throw new OpenMidError('ERR_SDJWT_KB_AUD_MISMATCH', 'The KB-JWT aud does not match');
  }
  // Step 5.7: sd_hash over exactly the presented `<JWT>~<D1>~…~<Dn>~` (RFC 9901 §4.3.1).
  const sdHash = payload['sd_hash'];
  const expected = digestB64u(ctx.crypto, ctx.hashAlg, parts.input.slice(0, parts.lastTilde + 1));
  if (typeof sdHash !== 'string' || !stringsEqual(sdHash, expected))
    throw new OpenMidError('ERR_SDJWT_KB_SD_HASH_MISMATCH', 'The KB-JWT sd_hash does not match');
  // Step 5.8: the KB-JWT is a valid JWT in all other respects (exp, nbf if present).
  checkTimeClaims(payload, { now: ctx.now, leeway: ctx.leeway });
  return { holderKey: key.jwk, keyBinding: { header: kb.header, payload } };
}
