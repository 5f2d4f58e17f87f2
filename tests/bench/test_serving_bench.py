"""Signed open votes over HTTP (opt-in: ``pytest --bench -s tests/bench/test_serving_bench.py``).

A 7,000-owner community, votes signed beforehand; `gongzhi serve` in its own process(es);
a load of `concurrency` connections at a time, each vote from a different owner. Printed per
database and concurrency: sustained votes/s, p50/p95/p99 latency, CPU per vote of the
server(s) and of the load generator, the server's resident memory — and the same on
PostgreSQL with two server processes behind a round-robin client (scale-out). The load
comes from the lean client (`lean_post_all`): httpx, on the same two cores, cost as much CPU
per vote as the server; one more round at concurrency 32 through httpx shows the difference
in the same run. Figures are printed, never asserted against a time: only correctness is.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.serving_support import (
    Answer,
    ServerProcess,
    environment,
    lean_post_all,
    post_all,
    prepare_crowd,
    server,
)

pytestmark = pytest.mark.bench
OWNERS = 7_000
Post = Callable[..., list[Answer]]
# (client, concurrency, votes)
LEVELS: tuple[tuple[str, int, int], ...] = (
    ("lean", 1, 200),
    ("lean", 8, 800),
    ("lean", 32, 1600),
    ("lean", 128, 2000),
    ("httpx", 32, 1600),
)
CLIENTS: dict[str, Post] = {"lean": lean_post_all, "httpx": post_all}
# The first start issues every owner's credential (server-held test keys): minutes.
START_SECONDS = 900


def _rss_mb(srv: ServerProcess) -> tuple[float, float]:
    assert srv.process is not None
    fields = {}
    for line in Path(f"/proc/{srv.process.pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _cpu_seconds(srv: ServerProcess) -> float:
    """User + system CPU the server process has used so far."""
    assert srv.process is not None
    fields = Path(f"/proc/{srv.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _round_robin(
    post: Post, urls: list[str], votes: Sequence[dict[str, Any]], concurrency: int
) -> list[Answer]:
    """The votes shared out over the servers, `concurrency` in flight in all."""
    per = max(1, concurrency // len(urls))
    with ThreadPoolExecutor(len(urls)) as pool:
        parts = [
            pool.submit(post, url, votes[i :: len(urls)], concurrency=per)
            for i, url in enumerate(urls)
        ]
        return [a for part in parts for a in part.result()]


def _run(label: str, urls: list[str], servers: list[ServerProcess], votes: list[Any]) -> None:
    at = 0
    for client, concurrency, count in LEVELS:
        batch = votes[at : at + count]
        at += count
        server_cpu = sum(_cpu_seconds(s) for s in servers)
        client_cpu = time.process_time()
        start = time.perf_counter()
        answers = _round_robin(CLIENTS[client], urls, batch, concurrency)
        elapsed = time.perf_counter() - start
        client_cpu = time.process_time() - client_cpu
        server_cpu = sum(_cpu_seconds(s) for s in servers) - server_cpu
        statuses = Counter(a.status for a in answers)
        assert set(statuses) <= {201, 503}, statuses
        lat = sorted(a.seconds * 1000 for a in answers if a.status == 201)
        q = statistics.quantiles(lat, n=100)
        memory = [_rss_mb(s) for s in servers]
        print(
            f"{label:<22} {client:<5} c={concurrency:<4} {statuses[201] / elapsed:7.1f} votes/s  "
            f"p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  "
            f"503s {statuses[503]:<4} CPU/vote server {server_cpu / count * 1000:.2f} ms "
            f"client {client_cpu / count * 1000:.2f} ms  load {os.getloadavg()[0]:.1f}  "
            "RSS/peak " + ", ".join(f"{r:.0f}/{h:.0f} MB" for r, h in memory)
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
