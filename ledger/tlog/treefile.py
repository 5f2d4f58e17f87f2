"""A Merkle tree grown one leaf at a time, for reading a log as a stream (RFC 9162 §2.1).

`CompactRange` keeps only the right edge of the tree (one hash per level), so it gives the
root of everything seen so far in O(log n) memory and reports each subtree hash the moment
it completes. `TreeFiles` also writes those hashes to one file per level (32 bytes a node),
so any root, inclusion proof or consistency proof over what was read is O(log n) reads —
the same stored-subtree plan the SQL store follows (`ledger.tlog.subtrees`) — while memory stays
small however long the log is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from ledger.tlog.errors import LedgerError, RangeError
from ledger.tlog.merkle import HASH_SIZE, node_hash
from ledger.tlog.subtrees import (
    Coord,
    consistency_layout,
    fold,
    inclusion_layout,
    needed,
    resolve,
    root_layout,
)


class CompactRange:
    """The right edge of a growing tree: the pending left sibling at each level."""

    def __init__(self) -> None:
        self.size = 0
        self._edge: list[bytes | None] = []

    def add(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append a leaf hash; return (level, index, hash) of every node above the leaves
        that it completes, bottom-up."""
        if len(leaf) != HASH_SIZE:
            raise LedgerError("叶哈希必须是 32 字节", "a leaf hash must be 32 bytes")
        done: list[tuple[int, int, bytes]] = []
        h, level, idx = leaf, 0, self.size
        while idx & 1:
            left = self._edge[level]
            if left is None:  # cannot happen for a right child; keeps the type narrow
                raise LedgerError("树的右边缘缺少节点", "missing node on the tree's right edge")
            self._edge[level] = None
            h, level, idx = node_hash(left, h), level + 1, idx >> 1
            done.append((level, idx, h))
        if level == len(self._edge):
            self._edge.append(h)
        else:
            self._edge[level] = h
        self.size += 1
        return done

    def root(self) -> bytes:
        """MTH of every leaf added so far (RFC 9162 §2.1.1)."""
        return fold([h for h in reversed(self._edge) if h is not None])


class TreeFiles:
    """Every complete subtree hash of a growing tree, kept in files under ``directory``."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._dir = directory
        self._range = CompactRange()
        self._files: list[BinaryIO] = []
        self._dirty: set[int] = set()

    @property
    def size(self) -> int:
        return self._range.size

    def _file(self, level: int) -> BinaryIO:
        while len(self._files) <= level:
            path = self._dir / f"level-{len(self._files):02d}.bin"
            self._files.append(open(path, "w+b", buffering=1 << 16))  # noqa: SIM115
        return self._files[level]

    def add(self, leaf: bytes) -> None:
        nodes = self._range.add(leaf)
        self._file(0).write(leaf)
        self._dirty.add(0)
        for level, _idx, h in nodes:  # each level's nodes complete in index order
            self._file(level).write(h)
            self._dirty.add(level)

    def node(self, level: int, index: int) -> bytes:
        """The stored hash of complete subtree (level, index)."""
        if level >= len(self._files) or (index + 1) << level > self.size:
            raise RangeError(
                f"节点 {(level, index)} 尚不完整", f"node {(level, index)} not complete"
            )
        f = self._files[level]
        if level in self._dirty:
            f.flush()
            self._dirty.discard(level)
        data = os.pread(f.fileno(), HASH_SIZE, index * HASH_SIZE)
        if len(data) != HASH_SIZE:
            raise LedgerError(f"节点文件缺少 {(level, index)}", f"node file lacks {(level, index)}")
        return data

    def leaf(self, index: int) -> bytes:
        return self.node(0, index)

    def _fetch(self, coords: set[Coord]) -> dict[Coord, bytes]:
        return {c: self.node(*c) for c in coords}

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[size]) for any size up to what was read."""
        size = self.size if size is None else size
        if size == self.size:
            return self._range.root()
        self._check(size)
        layout = [root_layout(size)]
        return fold(resolve(layout, self._fetch(needed(layout))))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size])  (RFC 9162 §2.1.3.1)."""
        self._check(size)
        layout = inclusion_layout(index, size)
        return resolve(layout, self._fetch(needed(layout)))

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """PROOF(old, D[new])  (RFC 9162 §2.1.4.1)."""
        self._check(new)
        layout = consistency_layout(old, new)
        return resolve(layout, self._fetch(needed(layout)))

    def _check(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise RangeError(
                f"树大小 {size} 超出已读的 {self.size} 条",
                f"size {size} beyond the {self.size} read",
            )

    def close(self) -> None:
        for f in self._files:
            f.close()
        self._files = []
