/**
 * @module sd-jwt/holder
 * The holder side: parse a received SD-JWT (RFC 9901 §7.2: processed as in §7.1, but without the
 * issuer's key), list what it can disclose, and present a subset selected by claim path, with the
 * parent Disclosures a nested selection needs and an optional Key Binding JWT.
 */
import { defaultCrypto } from '../crypto/default.js';
import type { HashAlg } from '../crypto/provider.js';
import { asOpenMidError, OpenMidError } from '../errors/error.js';
import { isJsonObject } from '../internal/json.js';
import { decodeCompactJws } from '../jose/jws.js';
import { parsePublicJwk } from '../keys/jwk.js';
import { type CryptoOptions, jwkThumbprint, type Signer } from '../keys/keys.js';
import { isClaimPath, isPathPrefix, selectClaims } from './claim-path.js';
import { splitCompact } from './compact.js';
import { resolveHashAlg } from './disclosure.js';
import { createKbJwt } from './kb.js';
import { processPayload } from './process.js';
import { type ClaimPath, resolveLimits, type SdJwtLimits } from './types.js';

/** One selectively disclosable claim of a held SD-JWT. */
export interface DisclosableClaim {
  /** Where the claim sits when everything is disclosed (the path a wallet or DCQL uses). */
  readonly path: readonly (string | number)[];
  /** An object member (`_sd`) or an array element (`...`). */
  readonly kind: 'property' | 'element';
  /** The claim value, with its own nested disclosable claims disclosed. */
  readonly value: unknown;
  /** The Disclosure string. */
  readonly disclosure: string;
  /** Index in {@link HeldSdJwt.disclosable} of the claim that contains this one, or -1. */
  readonly parent: number;
}

/** An SD-JWT as a holder keeps it: parsed and checked once, presented many times. */
export interface HeldSdJwt {
  /** The Issuer-signed JWT. */
  readonly issuerJwt: string;
  /** Its JOSE header (not verified here). */
  readonly header: Record<string, unknown>;
  /** The Issuer-signed payload, digests included. */
  readonly payload: Record<string, unknown>;
  /** The processed payload with every Disclosure applied. */
  readonly claims: Record<string, unknown>;
  /** The `_sd_alg` of the SD-JWT. */
  readonly hashAlg: HashAlg;
  /** Every disclosable claim, in payload order. */
  readonly disclosable: readonly DisclosableClaim[];
}

/** Options of {@link parseSdJwt}. */
export interface ParseSdJwtOptions extends CryptoOptions {
  readonly limits?: Partial<SdJwtLimits>;
  /** `_sd_alg` allow-list (default sha-256, sha-384, sha-512). */
  readonly hashAlgs?: readonly HashAlg[];
}

/**
 * Parse and process an SD-JWT as its holder: the format, every Disclosure and every digest rule of
 * RFC 9901 §7.1 steps 1 and 3 to 5 are checked; the issuer signature is not (no issuer key on this
 * side: use `verifySdJwt` with `keyBinding: false` for that). An SD-JWT+KB is refused (§7.2).
 *
 * @example
 * ```ts
 * const held = parseSdJwt(issued)
 * for (const c of held.disclosable) show(c.path, c.value)
 * ```
 * @see RFC 9901 §7.2
 */
export function parseSdJwt(sdJwt: string, options?: ParseSdJwtOptions): HeldSdJwt {
  try {
    return parse(sdJwt, options);
  } catch (e) {
    throw asOpenMidError(e);
  }
}

function parse(sdJwt: string, options: ParseSdJwtOptions | undefined): HeldSdJwt {
  const limits = resolveLimits(options?.limits);
  const parts = splitCompact(sdJwt, limits);
  if (parts.kbJwt !== undefined)
    throw new OpenMidError('ERR_SDJWT_KB_UNEXPECTED', 'An issued SD-JWT carries no KB-JWT');
  const issuerJwt = sdJwt.slice(0, parts.jwtEnd);
  const { header, payload } = decodeCompactJws(issuerJwt, limits.maxLength);
  const hashAlg = resolveHashAlg(payload['_sd_alg'], options?.hashAlgs);
  const processed = processPayload(parts, payload, {
    crypto: options?.crypto ?? defaultCrypto(),
    hashAlg,
    maxDepth: limits.maxDepth,
  });
  const disclosable = processed.uses.map(
    (use): DisclosableClaim => ({
      path: use.path,
      kind: use.kind,
      value: use.value,
      disclosure: sdJwt.slice(parts.starts[use.index], parts.ends[use.index]),
      parent: use.parent,
    }),
  );
  return { issuerJwt, header, payload, claims: processed.claims, hashAlg, disclosable };
}

/**
 * The indices (in {@link HeldSdJwt.disclosable}) of the Disclosures needed to disclose `paths`:
 * for each claim a path selects, its own Disclosure, every Disclosure inside it (a selected object
 * or array is disclosed whole) and every Disclosure that contains it (so the verifier can place
 * it: RFC 9901 §4.2.6). A path that selects nothing → `ERR_SDJWT_PATH_NOT_FOUND`.
 */
export function selectDisclosures(held: HeldSdJwt, paths: readonly ClaimPath[]): number[] {
  const chosen = new Uint8Array(held.disclosable.length);
  for (const path of paths) {
    if (!isClaimPath(path))
      throw new OpenMidError('ERR_INPUT_INVALID', 'A claim path is malformed');
    const selected = selectClaims(held.claims, path);
    if (selected === undefined)
      throw new OpenMidError('ERR_SDJWT_PATH_NOT_FOUND', 'No claim at the selected path', {
        details: { path: [...path] },
      });
    for (const { path: at } of selected) {
      held.disclosable.forEach((claim, i) => {
        if (isPathPrefix(at, claim.path) || isPathPrefix(claim.path, at)) chosen[i] = 1;
      });
    }
  }
  const out: number[] = [];
  chosen.forEach((c, i) => {
    if (c === 1) out.push(i);
  });
  return out;
}

/** Key binding for {@link presentSdJwt}. */
export interface PresentKeyBinding {
  /** The holder key the credential is bound to (`cnf.jwk`). */
  readonly signer: Signer;
  readonly aud: string;
  readonly nonce: string;
  /** Seconds; default now. */
  readonly iat?: number;
}

/** Options of {@link presentSdJwt}. */
export interface PresentSdJwtOptions extends ParseSdJwtOptions {
  /** Claims to disclose, as claim paths (`null` selects every element of an array). */
  readonly paths: readonly ClaimPath[];
  /** Add a KB-JWT (RFC 9901 §4.3). */
  readonly keyBinding?: PresentKeyBinding;
}

/**
 * Present an SD-JWT with only the Disclosures the claim paths need, optionally with a KB-JWT
 * whose `sd_hash` covers exactly the presented `<JWT>~<D…>~`.
 *
 * @example
 * ```ts
 * const vp = await presentSdJwt(held, {
 *   paths: [['given_name'], ['address', 'locality']],
 *   keyBinding: { signer: deviceKey, aud: 'x509_san_dns:bank.example', nonce },
 * })
 * ```
 * @see RFC 9901 §7.2 (steps for presentation) and §4.3
 */
export async function presentSdJwt(
  sdJwt: string | HeldSdJwt,
  options: PresentSdJwtOptions,
): Promise<string> {
  try {
    return await present(sdJwt, options);
  } catch (e) {
    throw asOpenMidError(e);
  }
}

async function present(sdJwt: string | HeldSdJwt, options: PresentSdJwtOptions): Promise<string> {
  const held = typeof sdJwt === 'string' ? parseSdJwt(sdJwt, options) : sdJwt;
  let presented = `${held.issuerJwt}~`;
  for (const i of selectDisclosures(held, options.paths))
    presented += `${(held.disclosable[i] as DisclosableClaim).disclosure}~`;
  const kb = options.keyBinding;
  if (kb === undefined) return presented;
  checkHolderKey(held, kb.signer, options);
  return (
    presented +
    (await createKbJwt(presented, {
      signer: kb.signer,
      aud: kb.aud,
      nonce: kb.nonce,
      hashAlg: held.hashAlg,
      ...(kb.iat === undefined ? {} : { iat: kb.iat }),
      ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
    }))
  );
}

/** A KB-JWT signed by a key other than `cnf.jwk` would be rejected: say so now, to the holder. */
function checkHolderKey(held: HeldSdJwt, signer: Signer, options: CryptoOptions): void {
  const cnf = held.claims['cnf'];
  if (!isJsonObject(cnf) || !isJsonObject(cnf['jwk']))
    throw new OpenMidError('ERR_SDJWT_CNF_MISSING', 'The SD-JWT is not bound to a holder key');
  const bound = parsePublicJwk(cnf['jwk']).jwk;
  if (
    jwkThumbprint(bound, 'sha-256', options) !== jwkThumbprint(signer.publicJwk, 'sha-256', options)
  )
    throw new OpenMidError('ERR_INPUT_INVALID', 'The KB-JWT signer is not the cnf.jwk holder key');
}
