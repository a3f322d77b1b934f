/**
 * @module @openmid/core/status-list
 * IETF Token Status List (draft-ietf-oauth-status-list, JWT form): the packed status list,
 * its strict and size-capped `{ bits, lst }` encoding, the signed Status List Token, the
 * Referenced Token's `status` claim, the status check hook for credential verifiers, and a
 * unique, unpredictable index allocator for issuers.
 */
export {
  createIndexAllocator,
  type IndexAllocator,
  type IndexAllocatorOptions,
  MAX_ALLOCATOR_SIZE,
  MIN_ALLOCATOR_KEY_BYTES,
} from './allocator.js';
export {
  createStatusCheck,
  createStatusListCache,
  type StatusCheck,
  type StatusCheckOptions,
  type StatusListCache,
  type StatusListCacheOptions,
  type StatusListResolver,
} from './check.js';
export {
  DEFAULT_MAX_STATUS_LIST_BYTES,
  type DecodeStatusListOptions,
  decodeStatusList,
  type EncodeStatusListOptions,
  encodeStatusList,
  type StatusListJson,
} from './encoding.js';
export {
  assertStatusValid,
  isAbsoluteUri,
  MAX_STATUS_URI_LENGTH,
  parseStatusReference,
  type StatusOutcome,
  type StatusReference,
  statusOutcome,
} from './reference.js';
export {
  assertStatusTransition,
  isStatusBits,
  MAX_STATUS_LIST_BYTES,
  STATUS_BITS,
  type StatusBits,
  StatusList,
  StatusType,
} from './status-list.js';
export {
  type SignStatusListTokenOptions,
  STATUS_LIST_JWT_TYP,
  signStatusListToken,
  type VerifiedStatusList,
  type VerifyStatusListTokenOptions,
  verifyStatusListToken,
} from './token.js';
