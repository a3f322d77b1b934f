/**
 * @module @openmid/core/jose
 * Compact JWS and JWT time claims, strict by construction.
 */
export {
  DEFAULT_MAX_JWS_LENGTH,
  type DecodedJws,
  decodeCompactJws,
  type JwsHeader,
  type KeyResolver,
  normaliseTyp,
  type SignJwsOptions,
  signCompactJws,
  type VerifiedJws,
  type VerifyJwsOptions,
  verifyCompactJws,
  verifyCompactJwsBytes,
} from './jws.js';
export {
  type Clock,
  checkTimeClaims,
  DEFAULT_CLOCK_LEEWAY_SECONDS,
  MAX_CLOCK_LEEWAY_SECONDS,
  numericDate,
  resolveLeeway,
  systemClock,
  type TimeClaimOptions,
} from './jwt.js';
