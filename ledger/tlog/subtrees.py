"""Which stored subtree hashes make up a root or a proof: the plan a log store reads by.

A tree is made of complete, aligned subtrees: node ``(level, index)`` is
MTH(D[index·2^level : (index+1)·2^level]) — the node hashes of tlog tiles. Every range
the RFC 9162 §2.1 recursion visits starts on a multiple of a power of two at least its
width, so its hash is the right fold of the perfect subtrees that tile it (one per set bit
of its width). The functions here name those nodes, so a store fetches O(log n) rows and
never rereads the log; `resolve` then folds them. Pure: no I/O.

A SQL store keeps only the nodes of every `STORED_EVERY`-th level (and the leaves): a node
in between is rebuilt from at most 2^(STORED_EVERY−1) stored nodes below it (`stored_for`,
`rebuild`), like a tlog tile is. That writes a seventh of a node per entry instead of one,
and a proof still reads O(log n) rows (at most 7 per 3 levels).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from ledger.tlog.errors import ProofError
from ledger.tlog.merkle import EMPTY_ROOT, node_hash, split_point

Coord = tuple[int, int]
"""(level, index): the root of leaves [index·2^level, (index+1)·2^level)."""

Layout = list[list[Coord]]
"""One list of perfect subtrees per proof element, bottom-up as RFC 9162 orders the proof."""

STORED_EVERY = 3
"""Levels 3, 6, 9 … are stored (with the leaves, level 0); the levels between are rebuilt."""


def is_stored(level: int) -> bool:
    return level % STORED_EVERY == 0


def stored_for(coords: Iterable[Coord]) -> set[Coord]:
    """The stored nodes (level 0 = leaf hashes) that `rebuild` needs for these nodes."""
    out: set[Coord] = set()
    for level, index in coords:
        span = level % STORED_EVERY
        base = level - span
        out.update((base, j) for j in range(index << span, (index + 1) << span))
    return out


def rebuild(coords: Iterable[Coord], stored: Mapping[Coord, bytes]) -> dict[Coord, bytes]:
    """The hashes of ``coords`` from the stored nodes `stored_for` named."""
    sha = hashlib.sha256
    out: dict[Coord, bytes] = {}
    for level, index in coords:
        span = level % STORED_EVERY
        base = level - span
        row = [stored[(base, j)] for j in range(index << span, (index + 1) << span)]
        while len(row) > 1:
            row = [sha(b"\x01" + row[k] + row[k + 1]).digest() for k in range(0, len(row), 2)]
        out[(level, index)] = row[0]
    return out


def flat_index(level: int, index: int) -> int:
    """The in-order position of node (level, index) in an unbounded binary tree.

    Leaves sit at even positions 2i, a node of level L at ``index·2^(L+1) + 2^L − 1``
    (the "array representation" of RFC 9420 §4.1): one integer names any node.
    """
    return (index << (level + 1)) + (1 << level) - 1


def from_flat(pos: int) -> Coord:
    """(level, index) of an in-order position (inverse of `flat_index`)."""
    level = (~pos & (pos + 1)).bit_length() - 1  # the number of trailing one bits
    return level, pos >> (level + 1)


def perfect_subtrees(lo: int, hi: int) -> list[Coord]:
    """The largest aligned perfect subtrees that tile [lo, hi), left to right."""
    out: list[Coord] = []
    while lo < hi:
        level = (lo & -lo).bit_length() - 1 if lo else (hi - lo).bit_length() - 1
        while lo + (1 << level) > hi:
            level -= 1
        out.append((level, lo >> level))
        lo += 1 << level
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees, left to right: each left one is a left child."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_layout(size: int) -> list[Coord]:
    """The nodes whose fold is MTH(D[size])  (RFC 9162 §2.1.1)."""
    return perfect_subtrees(0, size)


def inclusion_layout(index: int, size: int) -> Layout:
    """The nodes of PATH(index, D[size])  (RFC 9162 §2.1.3.1), bottom-up."""
    if not 0 <= index < size:
        raise ProofError(
            f"叶子序号 {index} 超出树的大小 {size}",
            f"leaf index {index} is outside a tree of size {size}",
        )
    lo, hi = 0, size
    top_down: Layout = []
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            top_down.append(perfect_subtrees(lo + k, hi))
            hi = lo + k
        else:
            top_down.append(perfect_subtrees(lo, lo + k))
            lo += k
    return top_down[::-1]


def consistency_layout(old_size: int, new_size: int) -> Layout:
    """The nodes of PROOF(old_size, D[new_size])  (RFC 9162 §2.1.4.1), bottom-up."""
    if not 0 < old_size <= new_size:
        raise ProofError(
            f"旧树大小 {old_size} 必须在 1 与 {new_size} 之间",
            f"old size {old_size} must lie between 1 and {new_size}",
        )
    lo, hi, complete = 0, new_size, True
    top_down: Layout = []
    while old_size - lo != hi - lo:
        k = split_point(hi - lo)
        if old_size - lo <= k:
            top_down.append(perfect_subtrees(lo + k, hi))
            hi = lo + k
        else:
            top_down.append(perfect_subtrees(lo, lo + k))
            lo += k
            complete = False
    if not complete:
        top_down.append(perfect_subtrees(lo, hi))
    return top_down[::-1]


def needed(layout: Layout) -> set[Coord]:
    """Every node a layout refers to: what a store must fetch."""
    return {c for element in layout for c in element}


def resolve(layout: Layout, hashes: Mapping[Coord, bytes]) -> list[bytes]:
    """The proof (or, for a one-element layout, the root) from fetched node hashes."""
    return [fold([hashes[c] for c in element]) for element in layout]


def frontier(old_size: int, new_size: int) -> list[Coord]:
    """Old complete nodes that new parents need when the tree grows from old to new size.

    At each level at most one: the left sibling of the first new node, when that first new
    node is a right child and its parent becomes complete.
    """
    out: list[Coord] = []
    level = 0
    while (new_size >> (level + 1)) > (old_size >> (level + 1)):
        first = old_size >> level
        if first & 1:
            out.append((level, first - 1))
        level += 1
    return out


def new_levels(
    old_size: int, leaf_hashes: Sequence[bytes], known: Mapping[Coord, bytes]
) -> list[tuple[int, int, list[bytes]]]:
    """(level, first index, hashes) of the nodes above the leaves that appending completes,
    one row per level, bottom-up.

    ``known`` holds at least the `frontier` nodes; the leaves themselves are not returned.
    """
    sha = hashlib.sha256  # node_hash, inlined: this loop hashes once per appended entry
    new_size = old_size + len(leaf_hashes)
    out: list[tuple[int, int, list[bytes]]] = []
    row, start, level = list(leaf_hashes), old_size, 0
    while True:
        lo, hi = old_size >> (level + 1), new_size >> (level + 1)
        if hi <= lo:
            return out
        if 2 * lo < start:  # the first parent's left child was complete before
            row, start = [known[(level, start - 1)], *row], start - 1
        it = iter(row)  # consecutive pairs (left, right): hi - lo of them; an odd last one
        # (an incomplete parent) waits for a later append
        pairs = zip(it, it, strict=False)
        parents = [sha(b"\x01" + left + right).digest() for left, right in pairs]
        out.append((level + 1, lo, parents))
        row, start, level = parents, lo, level + 1


def new_nodes(
    old_size: int, leaf_hashes: Sequence[bytes], known: Mapping[Coord, bytes]
) -> list[tuple[int, int, bytes]]:
    """(level, index, hash) of every node above the leaves that appending completes."""
    return [
        (level, lo + j, h)
        for level, lo, row in new_levels(old_size, leaf_hashes, known)
        for j, h in enumerate(row)
    ]
