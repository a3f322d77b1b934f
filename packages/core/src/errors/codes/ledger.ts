/**
 * @module errors/codes/ledger
 * Codes raised by the trust ledger (`@openmid/ledger`, `@openmid/ledger-evm`): signed entries and
 * their governance quorum, the RFC 9162 Merkle log, signed tree heads, witnesses and trust
 * snapshots. Defined here because the code catalogue is one closed union.
 */

/** Trust ledger. */
export const LEDGER_CODES = {
  ERR_LEDGER_ENTRY_INVALID:
    'A ledger entry is malformed: unknown type or member, bad identifier, key, time or claim path, not canonical, too large, or (genesis) out of place.',
  ERR_LEDGER_ENTRY_EXPIRED:
    'A ledger entry is outside its submission window: iat in the future, exp passed, or a window longer than allowed.',
  ERR_LEDGER_DUPLICATE: 'The same signed entry is already in the log (replay).',
  ERR_LEDGER_SIGNATURE_INVALID:
    'A signature on a ledger entry is malformed, does not verify, or names a signer that is not allowed to sign it.',
  ERR_LEDGER_QUORUM_NOT_MET:
    'A governance entry carries fewer distinct valid governance signatures than the quorum, or one governance key signed twice.',
  ERR_LEDGER_UNAUTHORISED:
    'The signer may not make this entry: the issuer is not active or its key is unknown, not valid now or not ES256, or the anchored list belongs to another issuer.',
  ERR_LEDGER_NOT_FOUND:
    'The issuer, relying party, key, entry or tree size referred to does not exist in the ledger.',
  ERR_LEDGER_CONFLICT:
    'The entry conflicts with the ledger state: the identifier or key id is already registered, or the issuer or relying party was removed.',
  ERR_LEDGER_GENESIS_MISMATCH:
    'The ledger, tree head or snapshot belongs to another ledger than the expected genesis.',
  ERR_LEDGER_PROOF_INVALID:
    'A Merkle inclusion, consistency or multi-leaf proof is malformed or does not lead to the signed root.',
  ERR_LEDGER_TREE_HEAD_INVALID:
    'A signed tree head (or witness cosignature) is malformed, not signed by the expected key, or goes back in time.',
  ERR_LEDGER_SPLIT_VIEW:
    'Two signed tree heads of the same size have different roots: the log shows different histories to different parties.',
  ERR_LEDGER_ROLLBACK: 'A signed tree head is smaller than one already seen: the log went back.',
  ERR_LEDGER_SNAPSHOT_INVALID:
    'A trust snapshot or query proof is malformed or incomplete: a record or subject chain is missing or extra, or its state does not match its entries.',
  ERR_LEDGER_SNAPSHOT_STALE:
    'The trust snapshot or tree head is older than the maximum age allowed.',
  ERR_LEDGER_WITNESS_MISSING:
    'Fewer distinct trusted witnesses cosigned the tree head than the verifier requires.',
  ERR_LEDGER_PENDING:
    'The entry was submitted but is not (or no longer, after a reorganisation) confirmed at the required depth.',
  ERR_LEDGER_UNAVAILABLE:
    'The ledger backend (chain node or contract) cannot be reached or answered inconsistently.',
} as const;
