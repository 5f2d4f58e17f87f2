"""Signed open votes over HTTP (opt-in: ``pytest --bench -s tests/bench/test_serving_bench.py``).

A 5,000-owner community, votes signed beforehand; `gongzhi serve` in its own process(es);
a load of `concurrency` connections at a time, each vote from a different owner. Printed per
database and concurrency: sustained votes/s, p50/p95/p99 latency, the server's resident
memory — and the same on PostgreSQL with two server processes behind a round-robin client
(scale-out). Figures are printed, never asserted against a time: only correctness is.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.serving_support import (
    Answer,
    ServerProcess,
    environment,
    post_all,
    prepare_crowd,
    server,
)

pytestmark = pytest.mark.bench
OWNERS = 5_000
LEVELS = ((1, 200), (8, 800), (32, 1600), (128, 2000))  # (concurrency, votes)
# The first start issues every owner's credential (server-held test keys): minutes.
START_SECONDS = 900


def _rss_mb(srv: ServerProcess) -> tuple[float, float]:
    assert srv.process is not None
    fields = {}
    for line in Path(f"/proc/{srv.process.pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _round_robin(urls: list[str], votes: list[dict[str, Any]], concurrency: int) -> list[Answer]:
    """The votes shared out over the servers, `concurrency` in flight in all."""
    per = max(1, concurrency // len(urls))
    with ThreadPoolExecutor(len(urls)) as pool:
        parts = [
            pool.submit(post_all, url, votes[i :: len(urls)], concurrency=per)
            for i, url in enumerate(urls)
        ]
        return [a for part in parts for a in part.result()]


def _run(label: str, urls: list[str], servers: list[ServerProcess], votes: list[Any]) -> None:
    at = 0
    for concurrency, count in LEVELS:
        batch = votes[at : at + count]
        at += count
        start = time.perf_counter()
        answers = _round_robin(urls, batch, concurrency)
        elapsed = time.perf_counter() - start
        statuses = Counter(a.status for a in answers)
        assert set(statuses) <= {201, 503}, statuses
        lat = sorted(a.seconds * 1000 for a in answers if a.status == 201)
        q = statistics.quantiles(lat, n=100)
        memory = [_rss_mb(s) for s in servers]
        print(
            f"{label:<22} c={concurrency:<4} {statuses[201] / elapsed:7.1f} votes/s  "
            f"p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  "
            f"503s {statuses[503]:<4} RSS/peak "
            + ", ".join(f"{r:.0f}/{h:.0f} MB" for r, h in memory)
        )


def test_signed_votes_per_second(db_url: str, tmp_path: Path) -> None:
    env = environment(tmp_path / "data", db_url=db_url, anvil_url=None, rate_limits=False)
    crowd = prepare_crowd(env, OWNERS)
    votes = crowd.votes()
    label = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    path = f"/api/ballots/{crowd.ballot_id}/votes"
    print()
    with server(env, tmp_path / "server.log", start_seconds=START_SECONDS) as srv:
        _run(f"{label}, 1 process", [srv.url + path], [srv], votes)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_signed_votes_per_second_two_processes(db_url: str, anvil_url: str, tmp_path: Path) -> None:
    env = environment(tmp_path / "data", db_url=db_url, anvil_url=anvil_url, rate_limits=False)
    crowd = prepare_crowd(env, OWNERS)
    votes = crowd.votes()
    path = f"/api/ballots/{crowd.ballot_id}/votes"
    print()
    with ExitStack() as stack:
        servers = [
            stack.enter_context(server(env, tmp_path / f"s{i}.log", start_seconds=START_SECONDS))
            for i in range(2)
        ]
        _run("postgresql, 2 processes", [s.url + path for s in servers], servers, votes)
