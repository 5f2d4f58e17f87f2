"""ledger.tlog.store on SQLite and PostgreSQL: every root and proof equals the pure
ledger.tlog.merkle one."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from ledger.tlog import merkle
from ledger.tlog.errors import (
    EntryError,
    LedgerError,
    LogExistsError,
    LogNotFoundError,
    NoteError,
    ProofError,
    RangeError,
)
from ledger.tlog.models import LedgerBase, LogNode
from ledger.tlog.store import LogRef, LogStore, log_id_of
from ledger.tlog.subtrees import STORED_EVERY

ORIGIN = "gongzhi.example/c/xianxia/disclosures"


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    LedgerBase.metadata.create_all(db_engine)
    return db_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


def _entries(rng: random.Random, n: int, tag: str) -> list[bytes]:
    return [f'{{"n":{i},"tag":"{tag}","r":{rng.randrange(10**9)}}}'.encode() for i in range(n)]


def _grow(store: LogStore, log: LogRef, rng: random.Random, total: int) -> list[bytes]:
    """Append ``total`` entries in random batches (some empty), checking each first index."""
    leaves: list[bytes] = []
    while len(leaves) < total:
        batch = _entries(
            rng, min(rng.choice([0, 1, 1, 2, 3, 5, 8, 17, 31]), total - len(leaves)), "g"
        )
        assert store.append(log, batch) == len(leaves)
        leaves += batch
        assert store.size(log) == len(leaves)
        assert store.root(log) == merkle.root_hash(leaves)
    return leaves


def test_every_root_and_proof_of_a_small_log(session: Session) -> None:
    store = LogStore(session)
    log = store.create_log(ORIGIN, "disclosures")
    leaves = _grow(store, log, random.Random(7), 40)
    hashes = [merkle.leaf_hash(d) for d in leaves]
    for size in range(len(leaves) + 1):
        assert store.root(log, size) == merkle.root_from_hashes(hashes[:size])
        for index in range(size):
            want = merkle.inclusion_proof_from_hashes(index, hashes[:size])
            assert store.inclusion_proof(log, index, size) == want
        for old in range(1, size + 1):
            want = merkle.consistency_proof_from_hashes(old, hashes[:size])
            assert store.consistency_proof(log, old, size) == want


@pytest.mark.parametrize("seed", [1, 2])
def test_random_logs_match_merkle(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    total = rng.randrange(200, 320)
    with Session(engine) as s:
        store = LogStore(s)
        log = store.create_log(f"gongzhi.example/c/test/box-{seed}", "ballots")
        leaves = _grow(store, log, rng, total)
        s.commit()
    hashes = [merkle.leaf_hash(d) for d in leaves]
    n = len(leaves)
    sizes = sorted({1, 2, 63, 64, 65, 128, 129, n - 1, n, rng.randrange(1, n)})
    with Session(engine) as s:  # a fresh session: everything comes from the database
        store = LogStore(s)
        log = store.get_log(log.origin)
        assert log.log_id == log_id_of(log.origin)
        for size in range(n + 1):
            assert store.root(log, size) == merkle.root_from_hashes(hashes[:size])
        for size in sizes:
            for index in range(0, size, max(1, size // 40)):
                want = merkle.inclusion_proof_from_hashes(index, hashes[:size])
                assert store.inclusion_proof(log, index, size) == want
            for old in range(1, size + 1, max(1, size // 40)):
                want = merkle.consistency_proof_from_hashes(old, hashes[:size])
                assert store.consistency_proof(log, old, size) == want
        for _ in range(150):
            size = rng.randrange(1, n + 1)
            index, old = rng.randrange(size), rng.randrange(1, size + 1)
            proof = store.inclusion_proof(log, index, size)
            merkle.verify_inclusion(hashes[index], index, size, proof, store.root(log, size))
            assert store.consistency_proof(log, old, size) == merkle.consistency_proof_from_hashes(
                old, hashes[:size]
            )
        # Exactly the complete subtrees on every STORED_EVERY-th level are stored: n >> L of
        # them on level L (before, every level: n - popcount(n) in all).
        stored = s.scalar(select(func.count()).select_from(LogNode).where(LogNode.log_pk == log.pk))
        levels = range(STORED_EVERY, n.bit_length() + 1, STORED_EVERY)
        assert stored == sum(n >> level for level in levels)


def test_proofs_read_a_bounded_number_of_rows(engine: Engine) -> None:
    with Session(engine) as s:
        store = LogStore(s)
        log = store.create_log(ORIGIN, "disclosures")
        for _ in range(4):
            store.append(log, _entries(random.Random(3), 500, "b"))
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            store.inclusion_proof(log, 1234)
            store.consistency_proof(log, 777, 1999)
            store.root(log, 1501)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(statements) <= 9  # size check + leaves + nodes, for each of the three


def test_entries_read_back(session: Session) -> None:
    store = LogStore(session)
    log = store.create_log(ORIGIN, "disclosures")
    leaves = _grow(store, log, random.Random(5), 50)
    got = store.entry(log, 17)
    assert (got.index, got.data, got.leaf_hash) == (17, leaves[17], merkle.leaf_hash(leaves[17]))
    assert [e.data for e in store.iter_entries(log, chunk=7)] == leaves
    assert [e.index for e in store.iter_entries(log, 10, 23, chunk=4)] == list(range(10, 23))
    assert list(store.iter_entries(log, 50)) == []
    with pytest.raises(RangeError):
        store.entry(log, 50)
    with pytest.raises(RangeError):
        store.iter_entries(log, 0, 51)
    with pytest.raises(RangeError):
        store.iter_entries(log, 30, 20)


def test_logs_are_separate(session: Session) -> None:
    store = LogStore(session)
    a = store.create_log("gongzhi.example/c/a/disclosures", "disclosures")
    b = store.create_log("gongzhi.example/c/a/ballot-1", "ballots")
    store.append(a, [b"a0", b"a1", b"a2"])
    store.append(b, [b"b0"])
    assert store.append(a, [b"a3"]) == 3
    assert store.root(a) == merkle.root_hash([b"a0", b"a1", b"a2", b"a3"])
    assert store.root(b) == merkle.root_hash([b"b0"])
    assert store.root(store.create_log("gongzhi.example/c/a/empty", "x")) == merkle.EMPTY_ROOT


def test_refusals(session: Session) -> None:
    store = LogStore(session)
    log = store.create_log(ORIGIN, "disclosures")
    store.append(log, [b"0", b"1", b"2"])
    with pytest.raises(LogExistsError):
        store.create_log(ORIGIN, "again")
    with pytest.raises(LogNotFoundError, match="no log"):
        store.get_log("gongzhi.example/nothing")
    for bad in ["", "has space", "has+plus", "x" * 256]:
        with pytest.raises(NoteError):
            store.create_log(bad, "x")
    with pytest.raises(RangeError, match="beyond"):
        store.root(log, 4)
    with pytest.raises(RangeError):
        store.inclusion_proof(log, 0, 4)
    with pytest.raises(ProofError):
        store.inclusion_proof(log, 3, 3)
    with pytest.raises(ProofError):
        store.consistency_proof(log, 0, 3)
    with pytest.raises(ProofError):
        store.consistency_proof(log, 3, 2)
    with pytest.raises(EntryError, match="str"):
        store.append(log, [b"ok", "not bytes"])  # type: ignore[list-item]
    assert store.size(log) == 3
    ghost = LogRef(10**6, "gongzhi.example/ghost", log_id_of("gongzhi.example/ghost"), "x")
    with pytest.raises(LogNotFoundError):
        store.append(ghost, [b"x"])
    assert all(issubclass(e, LedgerError) for e in (RangeError, LogExistsError, NoteError))


def test_racing_appends_never_share_an_index(engine: Engine) -> None:
    with Session(engine) as s:
        LogStore(s).create_log(ORIGIN, "ballots")
        s.commit()
    firsts: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            for k in range(15):
                with Session(engine) as s:
                    store = LogStore(s)
                    log = store.get_log(ORIGIN)
                    batch = [f"{tag}-{k}-{j}".encode() for j in range(40)]
                    firsts[tag].append(store.append(log, batch))
                    s.commit()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in firsts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        store = LogStore(s)
        log = store.get_log(ORIGIN)
        assert store.size(log) == 2 * 15 * 40
        starts = sorted(firsts["a"] + firsts["b"])
        assert starts == list(range(0, 1200, 40))  # batches interleave whole, never overlap
        entries = list(store.iter_entries(log))
        assert [e.index for e in entries] == list(range(1200))
        for e in entries:  # each batch landed contiguously at its own first index
            tag, k, j = e.data.decode().split("-")
            assert firsts[tag][int(k)] + int(j) == e.index
        assert store.root(log) == merkle.root_hash([e.data for e in entries])
