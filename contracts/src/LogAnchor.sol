// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/**
 * @title LogAnchor
 * @notice Anchors the heads of append-only transparency logs (RFC 9162 Merkle trees).
 *
 * For each log id the contract keeps the latest anchored head and the root of every size
 * ever anchored. A new head is accepted only with a valid consistency proof
 * (RFC 9162 §2.1.4.2) from the previous anchored head, checked here with the SHA-256
 * precompile, so the chain refuses a rewritten history. The first head of a log needs
 * no proof.
 *
 * Only authorised anchorers may anchor; the deployer is the admin, starts as an anchorer,
 * and may add or remove anchorers.
 */
contract LogAnchor {
    /// Latest anchored head of one log, packed in a single storage slot; its root is
    /// `_roots[logId][treeSize]`, so it is stored once.
    struct Head {
        uint64 treeSize;
        uint64 anchoredAtBlock;
    }

    address private _admin;
    mapping(address account => bool) private _anchorers;
    mapping(bytes32 logId => Head) private _heads;
    mapping(bytes32 logId => mapping(uint64 treeSize => bytes32 root)) private _roots;

    /// @notice A new head was anchored for `logId`; `previousSize` is 0 for a log's first head.
    event HeadAnchored(bytes32 indexed logId, uint64 treeSize, bytes32 root, uint64 previousSize);

    /// @notice `account` may now anchor heads.
    event AnchorerAdded(address indexed account);

    /// @notice `account` may no longer anchor heads.
    event AnchorerRemoved(address indexed account);

    /// @dev The caller is not an authorised anchorer.
    error LogAnchorUnauthorizedAnchorer(address caller);

    /// @dev The caller is not the admin.
    error LogAnchorUnauthorizedAdmin(address caller);

    /// @dev The zero address cannot be an anchorer.
    error LogAnchorInvalidAnchorer(address account);

    /// @dev A head must cover at least one entry.
    error LogAnchorEmptyTree(bytes32 logId);

    /// @dev A log's first head is anchored without a proof.
    error LogAnchorUnexpectedProof(bytes32 logId);

    /// @dev The new head is smaller than the anchored one: a log never shrinks.
    error LogAnchorShrunk(bytes32 logId, uint64 anchoredSize, uint64 treeSize);

    /// @dev This exact head is already anchored.
    error LogAnchorAlreadyAnchored(bytes32 logId, uint64 treeSize);

    /// @dev A different root is already anchored for this size: the history was rewritten.
    error LogAnchorConflictingRoot(bytes32 logId, uint64 treeSize, bytes32 anchoredRoot, bytes32 root);

    /// @dev The consistency proof does not lead from the anchored head to the new one.
    error LogAnchorInconsistent(bytes32 logId, uint64 anchoredSize, uint64 treeSize);

    modifier onlyAdmin() {
        if (msg.sender != _admin) revert LogAnchorUnauthorizedAdmin(msg.sender);
        _;
    }

    constructor() {
        _admin = msg.sender;
        _anchorers[msg.sender] = true;
        emit AnchorerAdded(msg.sender);
    }

    /**
     * @notice Anchors a new head `(treeSize, root)` of log `logId`.
     * @param logId the log's identifier.
     * @param treeSize number of entries in the log, at least 1 and not below the anchored size.
     * @param root the RFC 9162 Merkle tree hash MTH(D[treeSize]).
     * @param proof PROOF(anchoredSize, D[treeSize]) (RFC 9162 §2.1.4.1); empty for a first head.
     */
    function anchor(bytes32 logId, uint64 treeSize, bytes32 root, bytes32[] calldata proof) external {
        if (!_anchorers[msg.sender]) revert LogAnchorUnauthorizedAnchorer(msg.sender);
        if (treeSize == 0) revert LogAnchorEmptyTree(logId);

        uint64 previousSize = _heads[logId].treeSize;
        if (previousSize == 0) {
            if (proof.length != 0) revert LogAnchorUnexpectedProof(logId);
        } else {
            if (treeSize < previousSize) revert LogAnchorShrunk(logId, previousSize, treeSize);
            bytes32 previousRoot = _roots[logId][previousSize];
            if (treeSize == previousSize) {
                if (root == previousRoot) revert LogAnchorAlreadyAnchored(logId, treeSize);
                revert LogAnchorConflictingRoot(logId, treeSize, previousRoot, root);
            }
            if (!_isConsistent(previousSize, treeSize, previousRoot, root, proof)) {
                revert LogAnchorInconsistent(logId, previousSize, treeSize);
            }
        }

        _heads[logId] = Head(treeSize, uint64(block.number));
        _roots[logId][treeSize] = root;
        emit HeadAnchored(logId, treeSize, root, previousSize);
    }

    /**
     * @notice Allows `account` to anchor heads. Admin only; no change (and no event) if it
     * already may.
     * @param account the new anchorer.
     */
    function addAnchorer(address account) external onlyAdmin {
        if (account == address(0)) revert LogAnchorInvalidAnchorer(account);
        if (_anchorers[account]) return;
        _anchorers[account] = true;
        emit AnchorerAdded(account);
    }

    /**
     * @notice Withdraws `account`'s right to anchor heads. Admin only; no change (and no
     * event) if it had none.
     * @param account the anchorer to remove.
     */
    function removeAnchorer(address account) external onlyAdmin {
        if (!_anchorers[account]) return;
        _anchorers[account] = false;
        emit AnchorerRemoved(account);
    }

    /**
     * @notice The latest anchored head of `logId`; all zero if none was anchored.
     * @param logId the log's identifier.
     * @return treeSize number of entries covered.
     * @return root the Merkle tree hash of that many entries.
     * @return anchoredAtBlock the block in which the head was anchored.
     */
    function head(bytes32 logId) external view returns (uint64 treeSize, bytes32 root, uint64 anchoredAtBlock) {
        Head memory h = _heads[logId];
        return (h.treeSize, _roots[logId][h.treeSize], h.anchoredAtBlock);
    }

    /**
     * @notice The root anchored for `logId` at `treeSize`; zero if that size was never anchored.
     * @param logId the log's identifier.
     * @param treeSize a tree size.
     * @return root the anchored Merkle tree hash.
     */
    function rootAt(bytes32 logId, uint64 treeSize) external view returns (bytes32 root) {
        return _roots[logId][treeSize];
    }

    /**
     * @notice Whether `account` may anchor heads.
     * @param account the address to check.
     * @return allowed true for an authorised anchorer.
     */
    function isAnchorer(address account) external view returns (bool allowed) {
        return _anchorers[account];
    }

    /**
     * @notice The admin, who adds and removes anchorers.
     * @return the admin's address.
     */
    function admin() external view returns (address) {
        return _admin;
    }

    /**
     * @notice Checks a consistency proof between two tree heads (RFC 9162 §2.1.4.2), the same
     * check `anchor` makes; lets anyone test a proof without sending a transaction.
     * @param oldSize the smaller tree's size, at least 1.
     * @param newSize the larger tree's size, not below `oldSize`.
     * @param oldRoot MTH(D[oldSize]).
     * @param newRoot MTH(D[newSize]).
     * @param proof PROOF(oldSize, D[newSize]); empty for equal sizes.
     * @return valid true if the proof shows D[oldSize] is a prefix of D[newSize].
     */
    function verifyConsistency(
        uint64 oldSize,
        uint64 newSize,
        bytes32 oldRoot,
        bytes32 newRoot,
        bytes32[] calldata proof
    ) external view returns (bool valid) {
        if (oldSize == 0 || oldSize > newSize) return false;
        if (oldSize == newSize) return proof.length == 0 && oldRoot == newRoot;
        return _isConsistent(oldSize, newSize, oldRoot, newRoot, proof);
    }

    /// @dev RFC 9162 §2.1.4.2 for 0 < oldSize < newSize; step numbers follow the RFC.
    function _isConsistent(
        uint64 oldSize,
        uint64 newSize,
        bytes32 oldRoot,
        bytes32 newRoot,
        bytes32[] calldata proof
    ) private view returns (bool) {
        // Step 2: an old tree of exact power-of-two size is itself a node of the new tree,
        // so its root heads the path; otherwise the path starts with the proof's first node.
        uint256 i;
        bytes32 fr;
        if (oldSize & (oldSize - 1) == 0) {
            fr = oldRoot;
        } else {
            if (proof.length == 0) return false;
            fr = proof[0];
            i = 1;
        }
        bytes32 sr = fr;
        uint64 fn = oldSize - 1;
        uint64 sn = newSize - 1;
        // Step 4: skip the levels where the old tree's last node is a right child.
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        for (; i < proof.length; ++i) {
            if (sn == 0) return false;
            bytes32 c = proof[i];
            if (fn & 1 == 1 || fn == sn) {
                fr = _hashNode(c, fr);
                sr = _hashNode(c, sr);
                while (fn & 1 == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = _hashNode(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr == oldRoot && sr == newRoot;
    }

    /// @dev SHA-256(0x01 || left || right) (RFC 9162 §2.1.1). Calls the precompile on memory
    /// past the free pointer without claiming it, so a long proof costs no memory growth.
    function _hashNode(bytes32 left, bytes32 right) private view returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore8(ptr, 0x01)
            mstore(add(ptr, 0x01), left)
            mstore(add(ptr, 0x21), right)
            if iszero(staticcall(gas(), 0x02, ptr, 0x41, 0x00, 0x20)) {
                revert(0, 0)
            }
            h := mload(0x00)
        }
    }
}
