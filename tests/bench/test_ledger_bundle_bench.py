"""Disclosure benchmarks (opt-in: ``pytest --bench tests/bench/test_ledger_bundle_bench.py -s``).

1. Verify a 1,000,000-entry disclosure bundle with `gongzhi verify ledger`, in a child process
   (with as many workers as CPUs, and one more), and print its wall time and peak RSS (the
   largest of the verifier and its workers), at 1/10 of the size too, to show memory does not
   grow with the log. The bundle holds signed monthly statements of 1,024 accounts (every one
   checked for signature, schema, totals, balances and month-to-month continuity) and a
   signed checkpoint every 1,000 entries.
2. Gas per anchor of a disclosure log anchored in batches through `ledger.tlog.anchoring.Anchorer`.

``GONGZHI_BENCH_BUNDLE`` sets the size (default 1,000,000); ``GONGZHI_BENCH_KEEP`` names a
folder where the bundles built are kept and, on the next run, reused (building 1,000,000
entries takes longer than verifying them). Figures are printed, never asserted against a time.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from contracts.anchor import AnchorContract
from contracts.chain import load_artifact
from contracts.embedded import EmbeddedChain
from identity.community.trustfile import write_trust
from ledger.tlog.anchoring import Anchorer
from ledger.tlog.models import LedgerBase
from ledger.tlog.store import LogStore
from tests import ledger_disclosure_support as s
from tests.backends import sqlite_engine

N = int(os.environ.get("GONGZHI_BENCH_BUNDLE", "1000000"))
KEEP = os.environ.get("GONGZHI_BENCH_KEEP")
EVERY = 1_000
CHUNK = 5_000
JOBS = os.cpu_count() or 1

_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the verifier and its (reaped) workers
print(time.perf_counter() - start, used.ru_maxrss, used.ru_utime + used.ru_stime, code)
"""


def _chunk(job: tuple[int, int, dict[int, int]]) -> list[bytes]:
    start, end, openings = job
    return s.synthetic_entries(start, end, dict(openings))


def _jobs(n: int) -> Iterator[tuple[int, int, dict[int, int]]]:
    """Chunks of the synthetic log with each account's opening balance at the chunk's start
    (plain arithmetic, so the signing can run in parallel)."""
    openings: dict[int, int] = {}
    for start in range(0, n, CHUNK):
        end = min(n, start + CHUNK)
        yield start, end, dict(openings)
        for i in range(max(start, s.ACCOUNTS), end):  # the first ACCOUNTS entries open them
            income = 500_000 + (i * 7919) % 100_000
            expense = 400_000 + (i * 104_729) % 100_000
            a = (i - s.ACCOUNTS) % s.ACCOUNTS
            openings[a] = openings.get(a, 0) + income - expense


def _write(path: Path, n: int) -> float:
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(JOBS) as pool:
        entries = (e for chunk in pool.imap(_chunk, _jobs(n)) for e in chunk)
        with path.open("w", encoding="utf-8") as out:
            for line in s.bundle_lines(entries, n, every=EVERY):
                out.write(line + "\n")
    return time.perf_counter() - started


def _bundle(tmp_path: Path, n: int) -> tuple[Path, float | None]:
    """The bundle of ``n`` entries and the seconds it took to build (None: kept from before)."""
    path = Path(KEEP) / f"bundle-{n}.jsonl" if KEEP else tmp_path / f"bundle-{n}.jsonl"
    if KEEP and path.exists():
        return path, None
    return path, _write(path, n)


def _verify(path: Path, trust: Path, jobs: int) -> tuple[float, int, float]:
    command = [
        sys.executable,
        "-m",
        "web.cli.entry",
        "verify",
        "ledger",
        str(path),
        "--jobs",
        str(jobs),
    ]
    command += ["--trust", str(trust), "--offline"]  # the synthetic log is anchored nowhere
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    )
    seconds, rss_kib, cpu, code = done.stdout.split()
    assert code == "0", f"the bundle did not verify ({code})"
    return float(seconds), int(rss_kib), float(cpu)


@pytest.mark.bench
def test_verify_a_million_entry_bundle(tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    write_trust(trust, s.trust())
    rows = []
    for n in (N // 10, N):
        path, made = _bundle(tmp_path, n)
        size_mb = path.stat().st_size / 1e6
        # One worker more than the cores as well: the calling process's in-order pass is a
        # process of its own, and with only as many workers as cores a core sat idle at times.
        for jobs in sorted({1, JOBS}) if n < N else [JOBS, JOBS + 1]:
            seconds, rss, cpu = _verify(path, trust, jobs)
            rows.append((n, jobs, size_mb, made, seconds, cpu, rss))
        if not KEEP:
            path.unlink()
    print(f"\nverify a disclosure bundle ({os.cpu_count()} CPUs; `gongzhi verify ledger`)")
    print(
        f"{'entries':>9} {'jobs':>4} {'MB':>7} {'build s':>8} {'verify s':>9} "
        f"{'CPU s':>7} {'entries/s':>10} {'peak RSS':>9}"
    )
    for n, jobs, mb, made, seconds, cpu, rss in rows:
        built = "kept" if made is None else f"{made:.1f}"
        print(
            f"{n:>9,} {jobs:>4} {mb:>7.0f} {built:>8} {seconds:>9.1f} {cpu:>7.1f} "
            f"{n / seconds:>10,.0f} {rss / 1024:>7.0f}MB"
        )


@pytest.mark.bench
def test_gas_per_disclosure_anchor(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "log.sqlite")
    LedgerBase.metadata.create_all(engine)
    chain = EmbeddedChain(tmp_path / "chain")
    try:
        anchorer = Anchorer(AnchorContract(chain, chain.deploy(load_artifact("LogAnchor"))))
        openings: dict[int, int] = {}
        rows = []
        with Session(engine) as session:
            store = LogStore(session)
            log = store.create_log(s.ORIGIN, "disclosures")
            at = 0
            for batch in (1, 1, 10, 100, 1_000, 10, 1):
                store.append(log, s.synthetic_entries(at, at + batch, openings))
                at += batch
                anchored = anchorer.anchor(store, log)
                assert anchored is not None
                rows.append((batch, at, anchored.gas_used))
            session.commit()
        print("\ngas per anchor of a disclosure log (embedded EVM, LogAnchor)")
        print(f"{'new entries':>11} {'log size':>9} {'gas':>8}")
        for batch, size, gas in rows:
            print(f"{batch:>11,} {size:>9,} {gas:>8,}")
    finally:
        chain.close()
        engine.dispose()
