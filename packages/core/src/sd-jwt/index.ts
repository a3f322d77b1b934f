/**
 * @module @openmid/core/sd-jwt
 * Selective Disclosure for JWTs (RFC 9901): issue with a disclosure frame, hold and present by
 * claim path with optional key binding, verify every check of §7.1 and §7.3 in order.
 */
export { isClaimPath, type SelectedClaim, selectClaims } from './claim-path.js';
export { frameFromPaths } from './frame.js';
export {
  type DisclosableClaim,
  type HeldSdJwt,
  type ParseSdJwtOptions,
  type PresentKeyBinding,
  type PresentSdJwtOptions,
  parseSdJwt,
  presentSdJwt,
  selectDisclosures,
} from './holder.js';
export { type IssueSdJwtOptions, issueSdJwt } from './issue.js';
export { type CreateKbJwtOptions, createKbJwt } from './kb.js';
export {
  type ClaimPath,
  type ClaimPathComponent,
  DEFAULT_SD_JWT_LIMITS,
  type DisclosureFrame,
  KB_JWT_TYP,
  SD_HASH_ALGS,
  type SdJwtLimits,
} from './types.js';
export {
  DEFAULT_KB_MAX_AGE_SECONDS,
  type KeyBindingPolicy,
  type VerifiedSdJwt,
  type VerifySdJwtOptions,
  verifySdJwt,
} from './verify.js';
