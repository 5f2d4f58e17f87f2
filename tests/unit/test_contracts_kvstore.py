"""The SQLite key-value store under the embedded chain: dict semantics and atomic batches."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.kvstore import SqliteDB


def test_get_set_delete_exists(tmp_path: Path) -> None:
    db = SqliteDB(tmp_path / "kv.sqlite3")
    db[b"a"] = b"1"
    db[b"a"] = b"2"
    assert db[b"a"] == b"2"
    assert b"a" in db and db.exists(b"a")
    assert b"b" not in db
    with pytest.raises(KeyError):
        db[b"b"]
    del db[b"a"]
    with pytest.raises(KeyError):
        del db[b"a"]
    db.delete(b"a")  # BaseDB.delete ignores a missing key
    db.close()


def test_values_survive_reopening(tmp_path: Path) -> None:
    db = SqliteDB(tmp_path / "kv.sqlite3")
    with db.transaction():
        db[b"k"] = b"v"
    db.close()
    again = SqliteDB(tmp_path / "kv.sqlite3")
    assert again[b"k"] == b"v"
    again.close()


def test_transaction_rolls_back_on_error_and_without_commit(tmp_path: Path) -> None:
    db = SqliteDB(tmp_path / "kv.sqlite3")
    db[b"keep"] = b"1"
    with pytest.raises(RuntimeError), db.transaction():
        db[b"lost"] = b"x"
        db[b"keep"] = b"2"
        raise RuntimeError("mid-block failure")
    with db.transaction(commit=False):
        db[b"scratch"] = b"y"
        assert db[b"scratch"] == b"y"  # visible inside
    assert db[b"keep"] == b"1"
    assert b"lost" not in db and b"scratch" not in db
    db.close()
