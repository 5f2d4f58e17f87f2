"""A key-value store in one SQLite file that py-evm keeps its whole chain in.

py-evm reads and writes its chain database (headers, blocks, receipts, state trie nodes)
through the `BaseDB` interface; this implements it over a SQLite table, so the embedded
chain lives on disk. Writes are grouped with `transaction()`: a mined block and its state
are committed together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eth.db.backends.base import BaseDB


class SqliteDB(BaseDB):
    """py-evm's `BaseDB` over table `kv(key BLOB PRIMARY KEY, value BLOB)`."""

    def __init__(self, path: Path) -> None:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves in transaction().
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.closed = False
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) "
            "WITHOUT ROWID"
        )

    def __getitem__(self, key: bytes) -> bytes:
        row = self.connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value: bytes = row[0]
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.connection.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def __delitem__(self, key: bytes) -> None:
        if self.connection.execute("DELETE FROM kv WHERE key = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return (
            self.connection.execute("SELECT 1 FROM kv WHERE key = ?", (key,)).fetchone() is not None
        )

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[None]:
        """Everything written inside is committed at the end (with `commit`), or rolled back
        on an error or without `commit`."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT" if commit else "ROLLBACK")

    def close(self) -> None:
        self.closed = True
        self.connection.close()
