"""ledger.tlog.subtrees: the stored-node plan gives exactly ledger.tlog.merkle's roots and
proofs."""

from __future__ import annotations

import pytest

from ledger.tlog import merkle
from ledger.tlog.errors import ProofError
from ledger.tlog.subtrees import (
    Coord,
    consistency_layout,
    flat_index,
    fold,
    from_flat,
    frontier,
    inclusion_layout,
    needed,
    new_nodes,
    perfect_subtrees,
    resolve,
    root_layout,
)

MAX = 40


def all_nodes(hashes: list[bytes]) -> dict[Coord, bytes]:
    """Every complete aligned subtree of a tree, computed the slow way from merkle.root."""
    out: dict[Coord, bytes] = {}
    level = 0
    while (1 << level) <= len(hashes):
        width = 1 << level
        for i in range(len(hashes) // width):
            out[(level, i)] = merkle.root_from_hashes(hashes[i * width : (i + 1) * width])
        level += 1
    return out


LEAVES = [f"entry {i}".encode() for i in range(MAX)]
HASHES = [merkle.leaf_hash(d) for d in LEAVES]
NODES = all_nodes(HASHES)


def test_perfect_subtrees_tile_the_range() -> None:
    assert perfect_subtrees(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert perfect_subtrees(8, 14) == [(2, 2), (1, 6)]
    assert perfect_subtrees(5, 5) == []
    for lo in range(MAX):
        for hi in range(lo, MAX):
            covered = [
                i for lv, idx in perfect_subtrees(lo, hi) for i in range(idx << lv, (idx + 1) << lv)
            ]
            assert covered == list(range(lo, hi))


@pytest.mark.parametrize("size", range(MAX + 1))
def test_root_layout_gives_the_root(size: int) -> None:
    assert fold([NODES[c] for c in root_layout(size)]) == merkle.root_hash(LEAVES[:size])
    assert len(root_layout(size)) == size.bit_count()


@pytest.mark.parametrize("size", range(1, MAX + 1))
def test_layouts_give_the_proofs(size: int) -> None:
    for index in range(size):
        layout = inclusion_layout(index, size)
        assert resolve(layout, NODES) == merkle.inclusion_proof(index, LEAVES[:size])
        assert len(needed(layout)) <= 2 * size.bit_length()
    for old in range(1, size + 1):
        layout = consistency_layout(old, size)
        assert resolve(layout, NODES) == merkle.consistency_proof(old, LEAVES[:size])
        assert len(needed(layout)) <= 3 * size.bit_length()


def test_layouts_refuse_what_merkle_refuses() -> None:
    for index, size in [(0, 0), (5, 5), (-1, 3)]:
        with pytest.raises(ProofError):
            inclusion_layout(index, size)
    for old, new in [(0, 4), (5, 4), (-1, 2)]:
        with pytest.raises(ProofError):
            consistency_layout(old, new)


def test_flat_index_is_the_in_order_position() -> None:
    assert [flat_index(0, i) for i in range(4)] == [0, 2, 4, 6]
    assert [flat_index(1, i) for i in range(3)] == [1, 5, 9]
    assert flat_index(2, 0) == 3 and flat_index(3, 0) == 7 and flat_index(2, 1) == 11
    seen = {flat_index(lv, i) for lv in range(12) for i in range(200)}
    assert len(seen) == 12 * 200
    for pos in range(5000):
        assert flat_index(*from_flat(pos)) == pos


@pytest.mark.parametrize("new", range(MAX + 1))
def test_appending_completes_exactly_the_new_nodes(new: int) -> None:
    for old in range(new + 1):
        before = {c: h for c, h in NODES.items() if (c[1] + 1) << c[0] <= old}
        need = frontier(old, new)
        assert set(need) <= before.keys()
        got = new_nodes(old, HASHES[old:new], {c: before[c] for c in need})
        want = {c: h for c, h in NODES.items() if c[0] > 0 and old < (c[1] + 1) << c[0] <= new}
        assert {(lv, i): h for lv, i, h in got} == want
        assert len(got) == len(want)
