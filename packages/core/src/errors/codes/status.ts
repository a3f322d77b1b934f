/** Token Status List (draft-ietf-oauth-status-list), allocation and status outcomes. */
export const STATUS_CODES = {
  ERR_STATUS_REVOKED: 'The credential is revoked (status INVALID): final.',
  ERR_STATUS_SUSPENDED:
    'The credential is suspended (e.g. the phone was reported lost); it may be reinstated.',
  ERR_STATUS_UNKNOWN:
    'The status could not be established (list unobtainable, unverifiable, unreadable, expired or older than its maximum age), or the status value is neither VALID, INVALID nor SUSPENDED. Never reported as valid.',
  ERR_STATUS_REFERENCE_INVALID:
    'The referenced token carries a malformed status claim (status_list.idx / uri).',
  ERR_STATUS_INDEX_OUT_OF_RANGE: 'The status index lies outside the status list.',
  ERR_STATUS_LIST_INVALID:
    'A status list is malformed: bits not 1, 2, 4 or 8, lst not strict base64url, or not exactly one complete zlib stream (bad header, corrupt or truncated data, Adler-32 mismatch, trailing bytes), or empty.',
  ERR_STATUS_LIST_TOO_LARGE:
    'A status list would decompress beyond the configured cap (decompression bomb).',
  ERR_STATUS_SUB_MISMATCH:
    'The status list token sub does not equal the URI the referenced token points at.',
  ERR_STATUS_TOKEN_EXPIRED:
    'The status list token is expired (exp passed) or older than the maximum age the verifier allows.',
  ERR_STATUS_VALUE_INVALID:
    'A status value does not fit the list width (bits), or a transition is not allowed (revocation is final).',
  ERR_STATUS_ALLOCATOR_EXHAUSTED:
    'The status list allocator has handed out every index of the list.',
} as const;
