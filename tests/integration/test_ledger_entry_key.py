"""The entry table keyed by one integer (log_pk · 2^40 + idx, no stored leaf hash), on SQLite
and PostgreSQL: the key's bounds are refused clearly, and migration 0011 moves existing
entries both ways."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ledger.tlog import merkle
from ledger.tlog.errors import LedgerError, RangeError
from ledger.tlog.models import ENTRY_INDEX_BITS, MAX_LOG_PK, LedgerBase, entry_key
from ledger.tlog.store import LogStore
from tests.backends import sqlite_engine
from web.server.migrate import downgrade, upgrade

ORIGIN = "gongzhi.example/c/xianxia/disclosures"


def _entries(tag: str, n: int) -> list[bytes]:
    rng = random.Random(tag)
    return [f'{{"n":{i},"tag":"{tag}","r":{rng.randrange(10**9)}}}'.encode() for i in range(n)]


@pytest.mark.parametrize("build", ["models", "migrations"])
def test_sqlite_keeps_the_entries_in_one_btree(tmp_path: Path, build: str) -> None:
    """The key is the rowid: no second B-tree (index) beside the table, and no leaf-hash
    column — whether the schema comes from the models or from the migrations."""
    engine = sqlite_engine(tmp_path / "one.sqlite")
    try:
        if build == "models":
            LedgerBase.metadata.create_all(engine)
        else:
            upgrade(engine)
        with Session(engine) as s:
            store = LogStore(s)
            log = store.create_log(ORIGIN, "disclosures")
            store.append(log, _entries("a", 5))
            s.commit()
            indexes = s.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
                {"t": "ledger_entry"},
            ).all()
            columns = {r[1] for r in s.execute(text("PRAGMA table_info(ledger_entry)"))}
            rowids = [r[0] for r in s.execute(text("SELECT rowid FROM ledger_entry"))]
        assert indexes == []
        assert columns == {"id", "log_pk", "data"}
        assert sorted(rowids) == [entry_key(log.pk, i) for i in range(5)]
    finally:
        engine.dispose()


def test_an_index_past_the_key_is_refused(db_engine: Engine) -> None:
    LedgerBase.metadata.create_all(db_engine)
    with Session(db_engine) as s:
        store = LogStore(s)
        a = store.create_log(ORIGIN, "disclosures")
        b = store.create_log("gongzhi.example/c/other/disclosures", "disclosures")
        store.append(b, [b"b0"])
        s.commit()
        # entry 2^40 of log a would be log b's entry 0 (if b is the next row): never answered
        with pytest.raises(RangeError) as refused:
            store.entry(a, (b.pk - a.pk) << ENTRY_INDEX_BITS)
        assert refused.value.zh and "no entry" in refused.value.en
        s.execute(
            text("UPDATE ledger_log SET size = :n WHERE id = :pk"), {"n": 2**40 - 1, "pk": a.pk}
        )
        with pytest.raises(RangeError) as refused:
            store.append(a, [b"x", b"y"])
        assert "2^40" in refused.value.zh and "at most 2^40 entries" in refused.value.en
        s.rollback()
        assert store.size(a) == 0 and store.entry(b, 0).data == b"b0"


def test_a_log_past_the_key_is_refused(db_engine: Engine) -> None:
    LedgerBase.metadata.create_all(db_engine)
    with Session(db_engine) as s:
        if db_engine.dialect.name == "postgresql":  # the next id is the sequence's
            s.execute(
                text("SELECT setval(pg_get_serial_sequence('ledger_log', 'id'), :n)"),
                {"n": MAX_LOG_PK},
            )
        else:  # the next id is one past the largest
            s.execute(
                text(
                    "INSERT INTO ledger_log (id, log_id, origin, purpose, size) "
                    "VALUES (:n, :k, 'gongzhi.example/last', 'x', 0)"
                ),
                {"n": MAX_LOG_PK, "k": b"\x00" * 32},
            )
        with pytest.raises(LedgerError) as refused:
            LogStore(s).create_log(ORIGIN, "disclosures")
        assert str(MAX_LOG_PK) in refused.value.zh and "maximum" in refused.value.en


def _old_log(engine: Engine, pk: int, origin: str, entries: list[bytes]) -> None:
    """A log written the way revision 0010 stored it: (log_pk, idx) key, leaf hash stored."""
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO ledger_log (id, log_id, origin, purpose, size) "
                "VALUES (:pk, :k, :o, 'disclosures', :n)"
            ),
            {"pk": pk, "k": merkle.leaf_hash(origin.encode()), "o": origin, "n": len(entries)},
        )
        c.execute(
            text(
                "INSERT INTO ledger_entry (log_pk, idx, leaf_hash, data) VALUES (:pk, :i, :h, :d)"
            ),
            [{"pk": pk, "i": i, "h": merkle.leaf_hash(d), "d": d} for i, d in enumerate(entries)],
        )


def test_migration_0011_moves_the_entries_both_ways(db_engine: Engine) -> None:
    upgrade(db_engine, "0010")
    logs = {
        3: ("gongzhi.example/c/a/disclosures", _entries("a", 7)),
        4: ("gongzhi.example/c/b/disclosures", _entries("b", 5)),
    }
    for pk, (origin, entries) in logs.items():
        _old_log(db_engine, pk, origin, entries)
    upgrade(db_engine)
    with Session(db_engine) as s:
        store = LogStore(s)
        for origin, entries in logs.values():  # < 8 entries: roots need no stored node
            log = store.get_log(origin)
            got = list(store.iter_entries(log))
            assert [e.data for e in got] == entries
            assert [e.leaf_hash for e in got] == [merkle.leaf_hash(d) for d in entries]
            assert store.root(log) == merkle.root_hash(entries)
            assert store.inclusion_proof(log, 2) == merkle.inclusion_proof(2, entries)
        appended = store.append(store.get_log(logs[4][0]), [b"after"])
        assert appended == 5
        s.commit()
    downgrade(db_engine, "0010")
    with db_engine.connect() as c:
        rows = c.execute(text("SELECT log_pk, idx, leaf_hash, data FROM ledger_entry")).all()
    want = {
        (pk, i, merkle.leaf_hash(d), d)
        for pk, (_, entries) in logs.items()
        for i, d in enumerate(entries + ([b"after"] if pk == 4 else []))
    }
    assert {(r[0], r[1], bytes(r[2]), bytes(r[3])) for r in rows} == want
