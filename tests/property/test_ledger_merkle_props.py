"""Properties of ledger.tlog.merkle: proofs verify, any single-bit change is caught, pymerkle
agrees."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree
from pymerkle import verify_consistency as pymerkle_verify_consistency

from ledger.tlog import merkle
from ledger.tlog.errors import ProofError

MAX_LEAVES = 300


@dataclass(frozen=True)
class Log:
    leaves: list[bytes]

    @property
    def hashes(self) -> list[bytes]:
        return [merkle.leaf_hash(d) for d in self.leaves]

    def root(self, size: int) -> bytes:
        return merkle.root_hash(self.leaves[:size])


@st.composite
def logs(draw: st.DrawFn, min_size: int = 1) -> Log:
    size = draw(st.integers(min_size, MAX_LEAVES))
    salt = draw(st.binary(max_size=6))
    return Log([salt + i.to_bytes(4, "big") for i in range(size)])


def flip(value: bytes, bit: int) -> bytes:
    """``value`` with one bit inverted (bit taken modulo its length in bits)."""
    bit %= 8 * len(value)
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@settings(max_examples=150, deadline=None)
@given(log=logs(), data=st.data())
def test_inclusion_proofs_verify(log: Log, data: st.DataObject) -> None:
    size = data.draw(st.integers(1, len(log.leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = merkle.inclusion_proof(index, log.leaves[:size])
    assert proof == merkle.inclusion_proof_from_hashes(index, log.hashes[:size])
    merkle.verify_inclusion(log.hashes[index], index, size, proof, log.root(size))


@settings(max_examples=150, deadline=None)
@given(log=logs(), data=st.data())
def test_consistency_proofs_verify(log: Log, data: st.DataObject) -> None:
    new = data.draw(st.integers(1, len(log.leaves)), label="new")
    old = data.draw(st.integers(1, new), label="old")
    proof = merkle.consistency_proof(old, log.leaves[:new])
    assert proof == merkle.consistency_proof_from_hashes(old, log.hashes[:new])
    merkle.verify_consistency(old, new, log.root(old), log.root(new), proof)


@settings(max_examples=200, deadline=None)
@given(log=logs(), data=st.data(), bit=st.integers(0, 255))
def test_inclusion_catches_any_single_bit_change(log: Log, data: st.DataObject, bit: int) -> None:
    size = data.draw(st.integers(1, len(log.leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    leaf, root = log.hashes[index], log.root(size)
    proof = merkle.inclusion_proof(index, log.leaves[:size])
    with pytest.raises(ProofError):
        merkle.verify_inclusion(flip(leaf, bit), index, size, proof, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(leaf, index, size, proof, flip(root, bit))
    for k in range(len(proof)):
        bad = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
        with pytest.raises(ProofError):
            merkle.verify_inclusion(leaf, index, size, bad, root)
    for b in range(max(size, index + 1).bit_length() + 1):
        other = index ^ (1 << b)
        with pytest.raises(ProofError):
            merkle.verify_inclusion(leaf, other, size, proof, root)
    # A changed size is checked against that size's true root (the size itself is bound by
    # the signed checkpoint, not by the hashes: see the test below).
    for b in range(len(log.leaves).bit_length()):
        other = size ^ (1 << b)
        if index < other <= len(log.leaves):
            with pytest.raises(ProofError):
                merkle.verify_inclusion(leaf, index, other, proof, log.root(other))


@settings(max_examples=200, deadline=None)
@given(log=logs(min_size=2), data=st.data(), bit=st.integers(0, 255))
def test_consistency_catches_any_single_bit_change(log: Log, data: st.DataObject, bit: int) -> None:
    new = data.draw(st.integers(2, len(log.leaves)), label="new")
    old = data.draw(st.integers(1, new - 1), label="old")
    old_root, new_root = log.root(old), log.root(new)
    proof = merkle.consistency_proof(old, log.leaves[:new])
    with pytest.raises(ProofError):
        merkle.verify_consistency(old, new, flip(old_root, bit), new_root, proof)
    with pytest.raises(ProofError):
        merkle.verify_consistency(old, new, old_root, flip(new_root, bit), proof)
    for k in range(len(proof)):
        bad = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
        with pytest.raises(ProofError):
            merkle.verify_consistency(old, new, old_root, new_root, bad)
    n = len(log.leaves)
    for b in range(n.bit_length()):
        other_old, other_new = old ^ (1 << b), new ^ (1 << b)
        if 0 < other_old <= new and other_old != old:
            with pytest.raises(ProofError):
                merkle.verify_consistency(other_old, new, log.root(other_old), new_root, proof)
        if old <= other_new <= n:
            with pytest.raises(ProofError):
                merkle.verify_consistency(old, other_new, old_root, log.root(other_new), proof)


def test_size_is_not_bound_by_the_proof_alone() -> None:
    """RFC 9162 hashes do not commit to the tree size: a proof for leaf 0 in a tree of 6 also
    verifies against the same root claimed for size 7. That is why a checkpoint signs the
    size together with the root, and why readers must take both from one signed checkpoint."""
    leaves = [bytes([i]) for i in range(7)]
    proof = merkle.inclusion_proof(0, leaves[:6])
    root6 = merkle.root_hash(leaves[:6])
    merkle.verify_inclusion(merkle.leaf_hash(leaves[0]), 0, 7, proof, root6)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(
            merkle.leaf_hash(leaves[0]), 0, 7, proof, merkle.root_hash(leaves[:7])
        )


@settings(max_examples=60, deadline=None)
@given(log=logs(), data=st.data())
def test_pymerkle_agrees(log: Log, data: st.DataObject) -> None:
    """pymerkle 7 (its RFC 9162-style sha256 tree, security prefixes on) as a second opinion.

    Its roots must equal ours at every size; its inclusion path is the leaf hash followed by
    exactly our proof; its own verifier accepts its consistency proof against our roots.
    """
    tree = InmemoryTree.init_from_entries(log.leaves, algorithm="sha256")
    n = len(log.leaves)
    for size in range(n + 1):
        assert tree.get_root(size) == log.root(size)
    size = data.draw(st.integers(1, n), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    theirs = tree.prove_inclusion(index + 1, size)  # pymerkle counts leaves from one
    assert theirs.path == [log.hashes[index], *merkle.inclusion_proof(index, log.leaves[:size])]
    old = data.draw(st.integers(1, size), label="old")
    consistency = tree.prove_consistency(old, size)
    pymerkle_verify_consistency(log.root(old), log.root(size), consistency)
