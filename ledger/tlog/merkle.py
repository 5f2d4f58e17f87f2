"""RFC 9162 §2.1 Merkle tree math over SHA-256: pure functions on bytes, no I/O.

`leaves` are the entries' bytes (d(0) … d(n-1) in the RFC); the `*_hashes` variants take
leaf hashes instead, so a store that keeps leaf hashes never needs the entries again.
Verifiers return nothing and raise `ProofError`, so a caller cannot forget to check a bool.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ledger.tlog.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """MTH({d(0)}) = SHA-256(0x00 || d(0))  (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || MTH(left) || MTH(right))  (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)  (RFC 9162 §2.1.1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 1:
        return hashes[lo]
    k = split_point(n)
    return node_hash(_subtree_root(hashes, lo, lo + k), _subtree_root(hashes, lo + k, hi))


def root_from_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from the leaf hashes."""
    if not hashes:
        return EMPTY_ROOT
    return _subtree_root(hashes, 0, len(hashes))


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the entries  (RFC 9162 §2.1.1)."""
    return root_from_hashes([leaf_hash(d) for d in leaves])


def _path(m: int, hashes: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*_path(m, hashes, lo, lo + k), _subtree_root(hashes, lo + k, hi)]
    return [*_path(m - k, hashes, lo + k, hi), _subtree_root(hashes, lo, lo + k)]


def inclusion_proof_from_hashes(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n])  (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < len(hashes):
        raise ProofError(
            f"叶子序号 {index} 超出树的大小 {len(hashes)}",
            f"leaf index {index} is outside a tree of size {len(hashes)}",
        )
    return _path(index, hashes, 0, len(hashes))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) over the entries  (RFC 9162 §2.1.3.1)."""
    return inclusion_proof_from_hashes(index, [leaf_hash(d) for d in leaves])


def _subproof(m: int, hashes: Sequence[bytes], lo: int, hi: int, complete: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if complete else [_subtree_root(hashes, lo, hi)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, hashes, lo, lo + k, complete), _subtree_root(hashes, lo + k, hi)]
    return [*_subproof(m - k, hashes, lo + k, hi, False), _subtree_root(hashes, lo, lo + k)]


def consistency_proof_from_hashes(old_size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n])  (RFC 9162 §2.1.4.1); empty when m == n."""
    if not 0 < old_size <= len(hashes):
        raise ProofError(
            f"旧树大小 {old_size} 必须在 1 与 {len(hashes)} 之间",
            f"old size {old_size} must lie between 1 and {len(hashes)}",
        )
    return _subproof(old_size, hashes, 0, len(hashes), True)


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) over the entries  (RFC 9162 §2.1.4.1)."""
    return consistency_proof_from_hashes(old_size, [leaf_hash(d) for d in leaves])


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(
            f"{what} 必须是 32 字节，实为 {len(value)}",
            f"{what} must be 32 bytes, got {len(value)}",
        )


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Verify an inclusion proof  (RFC 9162 §2.1.3.2); raise `ProofError` if it fails."""
    _check_hash(leaf_hash, "leaf hash")
    for p in proof:
        _check_hash(p, "proof node")
    if not 0 <= index < tree_size:
        raise ProofError(
            f"叶子序号 {index} 超出树的大小 {tree_size}",
            f"leaf index {index} is outside a tree of size {tree_size}",
        )
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("包含证明过长", "inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("包含证明过短", "inclusion proof is too short")
    if r != root:
        raise ProofError(
            "包含证明算出的根与树根不符", "inclusion proof does not lead to the tree root"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Verify a consistency proof  (RFC 9162 §2.1.4.2); raise `ProofError` if it fails.

    As in transparency-dev/merkle, an old size of 0 is refused (there is nothing to be
    consistent with) and equal sizes need an empty proof and equal roots.
    """
    for p in proof:
        _check_hash(p, "proof node")
    if not 0 < old_size <= new_size:
        raise ProofError(
            f"树大小不合法：旧 {old_size}，新 {new_size}",
            f"invalid tree sizes: old {old_size}, new {new_size}",
        )
    if old_size == new_size:
        if proof:
            raise ProofError("同样大小的树，证明应为空", "equal sizes need an empty proof")
        if old_root != new_root:
            raise ProofError("同样大小的树根不同", "same size but different roots")
        return
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node itself
        path.insert(0, old_root)
    if not path:
        raise ProofError("一致性证明为空", "consistency proof is empty")
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("一致性证明过长", "consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("一致性证明过短", "consistency proof is too short")
    if fr != old_root or sr != new_root:
        raise ProofError(
            "一致性证明与两棵树的根不符：历史可能被改写",
            "consistency proof does not match both roots: history may have been rewritten",
        )
