"""The streamed tree (ledger.tlog.treefile) agrees with ledger.tlog.merkle at every size, index
and pair."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.tlog import merkle
from ledger.tlog.treefile import CompactRange, TreeFiles

LEAVES = [f"leaf {i}".encode() for i in range(300)]
HASHES = [merkle.leaf_hash(x) for x in LEAVES]


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 300), data=st.data())
def test_roots_and_proofs_match_the_reference(size: int, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tree = TreeFiles(Path(tmp))
        compact = CompactRange()
        for h in HASHES[:size]:
            tree.add(h)
            compact.add(h)
        assert compact.root() == tree.root() == merkle.root_hash(LEAVES[:size])
        smaller = data.draw(st.integers(1, size))
        assert tree.root(smaller) == merkle.root_hash(LEAVES[:smaller])
        index = data.draw(st.integers(0, smaller - 1))
        assert tree.inclusion_proof(index, smaller) == merkle.inclusion_proof(
            index, LEAVES[:smaller]
        )
        old = data.draw(st.integers(1, smaller))
        assert tree.consistency_proof(old, smaller) == merkle.consistency_proof(
            old, LEAVES[:smaller]
        )
        assert tree.leaf(index) == HASHES[index]
        tree.close()


def test_compact_range_reports_each_completed_node_once() -> None:
    compact = CompactRange()
    seen: list[tuple[int, int]] = []
    for h in HASHES[:64]:
        seen += [(lv, i) for lv, i, _ in compact.add(h)]
    assert len(seen) == len(set(seen)) == 63  # a perfect tree of 64 leaves has 63 inner nodes
