// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title OpenMID trust registry
/// @notice The EVM backend of the OpenMID trust ledger (package ledger-evm). It holds the same
/// signed entries as the embedded log, in the same order, and enforces on chain what authorises
/// them: the governance quorum of DISTINCT ES256 (P-256) keys fixed at genesis, and for status
/// list and document anchors a valid key of an active registered issuer. Signatures are checked
/// with the P256VERIFY precompile at 0x0100 (EIP-7951, active from the Osaka hard fork).
///
/// The contract cannot read JSON: each entry comes as its canonical body (JCS bytes, emitted for
/// anyone to rebuild the state) plus its *effects*, the fixed fields derived from the body that the
/// contract acts on. Every signature covers both: the signed message is
///   DOMAIN ‖ ledgerId ‖ sha256(body) ‖ sha256(packedEffects)
/// and the entry id is its SHA-256, which is the hash P256VERIFY takes.
///
/// It also keeps the RFC 9162 Merkle tree of the log (leaf = SHA-256(0x00 ‖ record),
/// node = SHA-256(0x01 ‖ left ‖ right)) by its frontier of complete subtrees, so the root of the
/// chain's log is the root an off-chain mirror computes.
contract OpenMidTrustRegistry {
    struct Key {
        bytes32 id; // sha256(kid)
        bytes32 x;
        bytes32 y; // zero for a non-P-256 key (cannot sign anchors)
        uint64 validFrom;
        uint64 validUntil; // 0 = no end
    }

    struct Effects {
        uint8 kind;
        bytes32 subject;
        bytes32 issuer;
        uint64 iat;
        uint64 exp;
        uint64 effectiveAt;
        bytes32 keyId;
        uint8 quorum;
        uint64 validFrom;
        uint64 validUntil;
        Key[] keys;
    }

    struct Sig {
        bytes32 keyId;
        bytes32 r;
        bytes32 s;
    }

    struct IssuerKey {
        bool exists;
        bytes32 x;
        bytes32 y;
        uint64 validFrom;
        uint64 validUntil;
        uint64 revokedAt;
    }

    struct Issuer {
        bool exists;
        bool removed;
        uint64 validFrom;
        uint64 validUntil;
        uint64 removedAt;
    }

    /// sha256("openmid-ledger-entry-v1")
    bytes32 private constant DOMAIN = 0x2d1a4b4dcdd566679b56b1fa981dc62fefd44af71a480382c1bca6698b74506c;
    address private constant P256VERIFY = address(0x100);
    uint64 private constant MAX_SKEW = 300;
    uint64 private constant MAX_WINDOW = 30 days;
    uint256 private constant MAX_KEYS = 16;
    uint64 private constant NEVER = type(uint64).max;

    uint8 private constant GOVERNANCE = 1;
    uint8 private constant ISSUER = 2;
    uint8 private constant RP = 3;
    uint8 private constant STATUS_LIST = 4;
    uint8 private constant DOCUMENT = 5;

    /// The ledger id: the entry id of the genesis entry.
    bytes32 public ledgerId;
    /// Number of entries.
    uint64 public size;
    /// RFC 9162 root of the log.
    bytes32 public root;
    /// Distinct governance signatures every governance entry needs.
    uint8 public quorum;

    bytes32[] private frontier;
    bytes32[] private govIds;
    mapping(bytes32 => Key) private gov;
    mapping(bytes32 => bool) public seen;
    /// subject => index + 1 of its last entry (0: none).
    mapping(bytes32 => uint64) public tails;
    mapping(bytes32 => uint8) public subjectClass;
    mapping(bytes32 => bytes32) public listOwner;
    mapping(bytes32 => Issuer) private issuers;
    mapping(bytes32 => mapping(bytes32 => IssuerKey)) private issuerKeys;
    /// 0: unknown, 1: registered, 2: removed.
    mapping(bytes32 => uint8) public rpStatus;

    event Appended(
        uint64 indexed index,
        bytes32 indexed entryId,
        bytes32 indexed subject,
        bytes32 leafHash,
        bytes32 root,
        bytes record,
        bytes body,
        Sig[] sigs
    );

    error NotGenesis();
    error BadEffects();
    error Expired();
    error Duplicate();
    error UnknownSigner();
    error BadSignature();
    error DuplicateSigner();
    error QuorumNotMet();
    error NotFound();
    error Conflict();
    error Unauthorised();
    error SubjectClash();

    /// @notice Append one signed entry. Reverts, changing nothing, unless it is authorised.
    function append(Effects calldata e, bytes calldata body, Sig[] calldata sigs) external returns (uint64 index) {
        index = size;
        if ((index == 0) != (e.kind == 0)) revert NotGenesis();
        if (e.kind > 11 || e.keys.length > MAX_KEYS || sigs.length > MAX_KEYS) revert BadEffects();
        uint64 t = uint64(block.timestamp);
        if (e.exp < e.iat || e.exp - e.iat > MAX_WINDOW || e.iat > t + MAX_SKEW || t > e.exp) revert Expired();

        bytes32 entryId = sha256(
            abi.encodePacked(DOMAIN, index == 0 ? bytes32(0) : ledgerId, sha256(body), sha256(packEffects(e)))
        );
        if (seen[entryId]) revert Duplicate();
        uint8 cls = classOf(e.kind);
        uint8 known = subjectClass[e.subject];
        if (known != 0 && known != cls) revert SubjectClash();

        if (cls == STATUS_LIST || cls == DOCUMENT) {
            checkAnchor(e, entryId, sigs, t);
        } else {
            checkGovernance(e, entryId, sigs);
        }
        applyEffects(e, t);

        seen[entryId] = true;
        subjectClass[e.subject] = cls;
        uint64 prev = tails[e.subject];
        tails[e.subject] = index + 1;
        if (index == 0) ledgerId = entryId;
        bytes memory record = abi.encodePacked(uint8(1), e.kind, t, prev, e.subject, entryId, sigsHash(sigs));
        bytes32 leaf = sha256(abi.encodePacked(uint8(0), record));
        appendLeaf(leaf);
        emit Appended(index, entryId, e.subject, leaf, root, record, body, sigs);
    }

    /// @notice The governance key ids and quorum.
    function governance() external view returns (bytes32[] memory ids, uint8 q) {
        return (govIds, quorum);
    }

    /// @notice An issuer key (by subject and sha256(kid)).
    function issuerKey(bytes32 issuer, bytes32 keyId) external view returns (IssuerKey memory) {
        return issuerKeys[issuer][keyId];
    }

    /// @notice An issuer's registration window and removal.
    function issuerOf(bytes32 issuer) external view returns (Issuer memory) {
        return issuers[issuer];
    }

    function classOf(uint8 kind) private pure returns (uint8) {
        if (kind <= 1) return GOVERNANCE;
        if (kind <= 6) return ISSUER;
        if (kind <= 9) return RP;
        return kind == 10 ? STATUS_LIST : DOCUMENT;
    }

    // The packed effects, byte for byte as `encodeEffects` of the ledger package writes them.
    function packEffects(Effects calldata e) private pure returns (bytes memory b) {
        b = abi.encodePacked(
            e.kind,
            e.subject,
            e.issuer,
            e.iat,
            e.exp,
            e.effectiveAt,
            e.keyId,
            e.quorum,
            e.validFrom,
            e.validUntil,
            uint8(e.keys.length)
        );
        for (uint256 i = 0; i < e.keys.length; i++) {
            Key calldata k = e.keys[i];
            b = bytes.concat(b, abi.encodePacked(k.id, k.x, k.y, k.validFrom, k.validUntil));
        }
    }

    function sigsHash(Sig[] calldata sigs) private pure returns (bytes32) {
        bytes memory b;
        for (uint256 i = 0; i < sigs.length; i++) {
            b = bytes.concat(b, abi.encodePacked(sigs[i].keyId, sigs[i].r, sigs[i].s));
        }
        return sha256(b);
    }

    function verify(bytes32 h, Sig calldata sig, bytes32 x, bytes32 y) private view {
        (bool ok, bytes memory out) = P256VERIFY.staticcall(abi.encodePacked(h, sig.r, sig.s, x, y));
        // A chain without the precompile returns empty output: fail closed.
        if (!ok || out.length != 32 || abi.decode(out, (uint256)) != 1) revert BadSignature();
    }

    /// Keys ascending by id (so distinct), distinct points, 1 ≤ quorum ≤ n.
    function checkKeySet(Key[] calldata keys, uint8 q) private pure {
        if (keys.length == 0 || q == 0 || q > keys.length) revert BadEffects();
        for (uint256 i = 0; i < keys.length; i++) {
            if (keys[i].y == 0) revert BadEffects();
            if (i > 0 && keys[i].id <= keys[i - 1].id) revert BadEffects();
            for (uint256 j = 0; j < i; j++) {
                if (keys[i].x == keys[j].x && keys[i].y == keys[j].y) revert BadEffects();
            }
        }
    }

    function checkGovernance(Effects calldata e, bytes32 entryId, Sig[] calldata sigs) private view {
        if (e.kind == 0) {
            // Genesis: every named governance key signs it.
            checkKeySet(e.keys, e.quorum);
            if (sigs.length != e.keys.length) revert QuorumNotMet();
            for (uint256 i = 0; i < sigs.length; i++) {
                if (sigs[i].keyId != e.keys[i].id) revert UnknownSigner();
                verify(entryId, sigs[i], e.keys[i].x, e.keys[i].y);
            }
            return;
        }
        for (uint256 i = 0; i < sigs.length; i++) {
            // Strictly ascending key ids: one key never counts twice.
            if (i > 0 && sigs[i].keyId <= sigs[i - 1].keyId) revert DuplicateSigner();
            if (gov[sigs[i].keyId].id == 0) revert UnknownSigner();
        }
        if (sigs.length < quorum) revert QuorumNotMet();
        for (uint256 i = 0; i < sigs.length; i++) {
            Key storage k = gov[sigs[i].keyId];
            verify(entryId, sigs[i], k.x, k.y);
        }
    }

    function checkAnchor(Effects calldata e, bytes32 entryId, Sig[] calldata sigs, uint64 t) private view {
        if (sigs.length != 1) revert Unauthorised();
        Issuer storage iss = issuers[e.issuer];
        if (
            !iss.exists ||
            t < iss.validFrom ||
            (iss.validUntil != 0 && t >= iss.validUntil) ||
            (iss.removed && t >= iss.removedAt)
        ) revert Unauthorised();
        IssuerKey storage k = issuerKeys[e.issuer][sigs[0].keyId];
        if (!k.exists || k.y == 0) revert Unauthorised();
        if (t < k.validFrom || (k.validUntil != 0 && t >= k.validUntil) || t >= k.revokedAt) revert Unauthorised();
        if (e.kind == 10) {
            bytes32 owner = listOwner[e.subject];
            if (owner != 0 && owner != e.issuer) revert Unauthorised();
        }
        verify(entryId, sigs[0], k.x, k.y);
    }

    function setGovernance(Key[] calldata keys, uint8 q) private {
        for (uint256 i = 0; i < govIds.length; i++) delete gov[govIds[i]];
        delete govIds;
        for (uint256 i = 0; i < keys.length; i++) {
            gov[keys[i].id] = keys[i];
            govIds.push(keys[i].id);
        }
        quorum = q;
    }

    function addIssuerKey(bytes32 issuer, Key calldata k) private {
        if (issuerKeys[issuer][k.id].exists) revert Conflict();
        issuerKeys[issuer][k.id] = IssuerKey(true, k.x, k.y, k.validFrom, k.validUntil, NEVER);
    }

    function liveIssuer(bytes32 s) private view returns (Issuer storage iss) {
        iss = issuers[s];
        if (!iss.exists) revert NotFound();
        if (iss.removed) revert Conflict();
    }

    function liveRp(bytes32 s) private view {
        if (rpStatus[s] == 0) revert NotFound();
        if (rpStatus[s] == 2) revert Conflict();
    }

    function applyEffects(Effects calldata e, uint64) private {
        uint8 kind = e.kind;
        bytes32 s = e.subject;
        if (kind == 0) {
            setGovernance(e.keys, e.quorum);
        } else if (kind == 1) {
            checkKeySet(e.keys, e.quorum);
            setGovernance(e.keys, e.quorum);
        } else if (kind == 2) {
            if (issuers[s].exists) revert Conflict();
            if (e.keys.length == 0) revert BadEffects();
            issuers[s] = Issuer(true, false, e.validFrom, e.validUntil, NEVER);
            for (uint256 i = 0; i < e.keys.length; i++) {
                if (i > 0 && e.keys[i].id <= e.keys[i - 1].id) revert BadEffects();
                addIssuerKey(s, e.keys[i]);
            }
        } else if (kind == 3) {
            Issuer storage iss = liveIssuer(s);
            iss.validFrom = e.validFrom;
            iss.validUntil = e.validUntil;
        } else if (kind == 4) {
            liveIssuer(s);
            if (e.keys.length != 1) revert BadEffects();
            addIssuerKey(s, e.keys[0]);
        } else if (kind == 5) {
            if (!issuers[s].exists) revert NotFound();
            IssuerKey storage k = issuerKeys[s][e.keyId];
            if (!k.exists) revert NotFound();
            if (e.effectiveAt < k.revokedAt) k.revokedAt = e.effectiveAt;
        } else if (kind == 6) {
            Issuer storage iss = liveIssuer(s);
            iss.removed = true;
            iss.removedAt = e.effectiveAt;
        } else if (kind == 7) {
            if (rpStatus[s] != 0) revert Conflict();
            rpStatus[s] = 1;
        } else if (kind == 8) {
            liveRp(s);
        } else if (kind == 9) {
            liveRp(s);
            rpStatus[s] = 2;
        } else if (kind == 10) {
            if (listOwner[s] == 0) listOwner[s] = e.issuer;
        }
    }

    /// RFC 9162 §2.1.1 by the frontier: completing one perfect subtree per trailing 1-bit of size.
    function appendLeaf(bytes32 leaf) private {
        uint64 idx = size;
        bytes32 h = leaf;
        while (idx & 1 == 1) {
            h = sha256(abi.encodePacked(uint8(1), frontier[frontier.length - 1], h));
            frontier.pop();
            idx >>= 1;
        }
        frontier.push(h);
        size += 1;
        bytes32 r = frontier[frontier.length - 1];
        for (uint256 i = frontier.length - 1; i > 0; i--) {
            r = sha256(abi.encodePacked(uint8(1), frontier[i - 1], r));
        }
        root = r;
    }
}
