"""Ledger store benchmarks (opt-in: ``pytest --bench tests/bench/test_ledger_bench.py``).

Measures, on SQLite: append throughput by batch size; then builds a 1,000,000-entry log through
`LogStore.append` and times root, inclusion and consistency proofs at that size — side by side
with pymerkle 7's SQLite backend on the same entries. Figures are printed, never asserted
against a time: only correctness is asserted.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pymerkle import SqliteTree
from pymerkle import verify_inclusion as pymerkle_verify_inclusion
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ledger.tlog import merkle
from ledger.tlog.models import LedgerBase
from ledger.tlog.store import LogStore
from tests.backends import sqlite_engine

BIG = 1_000_000
BUILD_BATCH = 10_000
PROOFS = 1_000
PYMERKLE_PROOFS = 100
ROUNDS = 3


def entry(i: int) -> bytes:
    """A 120-byte JSON-ish entry, about the size of a disclosure or ballot record."""
    return f'{{"i":{i:09d},"k":"disclosure","v":"{(i * 2654435761) % 2**32:010d}"}}'.ljust(
        120
    ).encode()


def emit(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"[ledger bench] {line}")


def latency_ms(calls: list[Callable[[], object]]) -> tuple[float, float, float]:
    """(mean, median, p99) in milliseconds over the calls."""
    times: list[float] = []
    for call in calls:
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.fmean(times), times[len(times) // 2], times[int(len(times) * 0.99) - 1]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = sqlite_engine(tmp_path / "bench.sqlite")
    LedgerBase.metadata.create_all(eng)
    yield eng
    eng.dispose()


def written() -> int:
    """Bytes this process has handed to write(2) so far (Linux ``/proc/self/io`` wchar):
    what SQLite writes, its journal or WAL and its checkpoints included."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


class Run:
    """One side's append of ``total`` entries: wall rate, CPU seconds, bytes written."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._t, self._c, self._w = time.perf_counter(), time.process_time(), written()

    def stop(self) -> Run:
        self.rate = self.total / (time.perf_counter() - self._t)
        self.cpu = time.process_time() - self._c
        self.bytes = written() - self._w
        return self


def _store_rate(engine: Engine, origin: str, batch: int, total: int) -> Run:
    with Session(engine) as s:
        log = LogStore(s).create_log(origin, "bench")
        s.commit()
    run = Run(total)
    for at in range(0, total, batch):
        with Session(engine) as s:  # one transaction (and commit) per batch
            LogStore(s).append(log, [entry(i) for i in range(at, at + batch)])
            s.commit()
    run.stop()
    with Session(engine) as s:
        store = LogStore(s)
        assert store.size(log) == total
        assert store.root(log) == merkle.root_hash([entry(i) for i in range(total)])
    return run


def _pymerkle_rate(path: Path, batch: int, total: int) -> Run:
    tree = SqliteTree(str(path))
    try:
        run = Run(total)
        for at in range(0, total, batch):
            tree.append_entries([entry(i) for i in range(at, at + batch)])  # one commit each
        run.stop()
        assert tree.get_root() == merkle.root_hash([entry(i) for i in range(total)])
    finally:
        tree.close()
    return run


def _span(values: list[float], fmt: str) -> str:
    return f"{format(min(values), fmt)}–{format(max(values), fmt)}"


@pytest.mark.bench
@pytest.mark.parametrize("batch", [1, 10, 100, 1_000, 10_000])
def test_append_throughput_sqlite(
    engine: Engine, tmp_path: Path, batch: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Our append and pymerkle's `append_entries`, same entries, same batches, alternated
    ``ROUNDS`` times in one run (the VM is shared: the range matters more than one figure).

    Besides the wall rates, each side's CPU seconds and bytes written, which a shared VM's
    load moves far less: the wall-time ratio is theirs (CPU + fsync'd bytes) over ours."""
    total = min(max(batch * 20, 2_000), 100_000)
    ours: list[Run] = []
    theirs: list[Run] = []
    for r in range(ROUNDS):
        ours.append(_store_rate(engine, f"bench.example/append-{r}", batch, total))
        theirs.append(_pymerkle_rate(tmp_path / f"pymerkle-{r}.sqlite", batch, total))
    pairs = list(zip(ours, theirs, strict=True))
    emit(
        capsys,
        f"append, batches of {batch:>6} ({total:,} entries, {ROUNDS} rounds): store "
        f"{_span([o.rate for o in ours], ',.0f')}/s, "
        f"pymerkle {_span([t.rate for t in theirs], ',.0f')}/s, "
        f"ratio {_span([o.rate / t.rate for o, t in pairs], '.2f')}; CPU store "
        f"{_span([o.cpu for o in ours], '.2f')} s, "
        f"pymerkle {_span([t.cpu for t in theirs], '.2f')} s"
        f"; written store {_span([o.bytes / 1e6 for o in ours], '.1f')} MB, pymerkle "
        f"{_span([t.bytes / 1e6 for t in theirs], '.1f')} MB",
    )


@pytest.mark.bench
def test_proofs_at_one_million(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(1)
    with Session(engine) as s:
        log = LogStore(s).create_log("bench.example/million", "bench")
        s.commit()
    start = time.perf_counter()
    for at in range(0, BIG, BUILD_BATCH):
        with Session(engine) as s:
            LogStore(s).append(log, [entry(i) for i in range(at, at + BUILD_BATCH)])
            s.commit()
    built = time.perf_counter() - start
    emit(capsys, f"store: built {BIG:,} entries in {built:.1f} s ({BIG / built:,.0f} entries/s)")

    indexes = [rng.randrange(BIG) for _ in range(PROOFS)]
    olds = [rng.randrange(1, BIG) for _ in range(PROOFS)]
    with Session(engine) as s:
        store = LogStore(s)
        root = store.root(log)
        for index in indexes[:20]:  # spot-check correctness against the pure verifier
            proof = store.inclusion_proof(log, index, BIG)
            merkle.verify_inclusion(merkle.leaf_hash(entry(index)), index, BIG, proof, root)
        for old in olds[:20]:
            proof = store.consistency_proof(log, old, BIG)
            merkle.verify_consistency(old, BIG, store.root(log, old), root, proof)
        figures = {
            "root at 1M": latency_ms([lambda: store.root(log)] * PROOFS),
            "inclusion proof": latency_ms(
                [lambda i=i: store.inclusion_proof(log, i, BIG) for i in indexes]  # type: ignore[misc]
            ),
            "consistency proof": latency_ms(
                [lambda o=o: store.consistency_proof(log, o, BIG) for o in olds]  # type: ignore[misc]
            ),
        }
    for name, (mean, median, p99) in figures.items():
        emit(
            capsys,
            f"store: {name:<18} mean {mean:.3f} ms, median {median:.3f} ms, p99 {p99:.3f} ms",
        )

    tree = SqliteTree(str(tmp_path / "pymerkle.sqlite"))
    try:
        start = time.perf_counter()
        for at in range(0, BIG, BUILD_BATCH):
            tree.append_entries([entry(i) for i in range(at, at + BUILD_BATCH)])
        built = time.perf_counter() - start
        emit(capsys, f"pymerkle SqliteTree: appended {BIG:,} in {built:.1f} s")
        cold = latency_ms([tree.get_root])  # first call: fills pymerkle's subroot cache
        assert tree.get_root() == root
        few = indexes[:PYMERKLE_PROOFS]
        pm = {
            "root at 1M (cold)": cold,
            "root at 1M (warm)": latency_ms([tree.get_root] * PYMERKLE_PROOFS),
            "inclusion proof": latency_ms(
                [lambda i=i: tree.prove_inclusion(i + 1, BIG) for i in few]  # type: ignore[misc]
            ),
            "consistency proof": latency_ms(
                [lambda o=o: tree.prove_consistency(o, BIG) for o in olds[:PYMERKLE_PROOFS]]  # type: ignore[misc]
            ),
        }
        proof = tree.prove_inclusion(few[0] + 1, BIG)
        pymerkle_verify_inclusion(merkle.leaf_hash(entry(few[0])), root, proof)
        for name, (mean, median, p99) in pm.items():
            emit(
                capsys,
                f"pymerkle: {name:<18} mean {mean:.3f} ms, median {median:.3f} ms, "
                f"p99 {p99:.3f} ms (subroot cache on)",
            )
    finally:
        tree.close()
