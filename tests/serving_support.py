"""Helpers for serving tests: a crowd of owners with keys, a real server process, a rush.

The server runs as `gongzhi serve` in its own process (so it can be SIGKILLed, and so its
CPU is not the test's), on a free loopback port, against a data folder prepared here.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from identity.community.models import Person
from identity.community.register import parse_csv
from identity.community.registry import create_community, get_community, import_register
from identity.community.trustfile import PinnedTrust
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.chains import ANVIL_KEYS
from voting import ballots
from web.api.well_known import server_trust
from web.auth.sessions import IdentityRuntime
from web.demo.community import (
    auto_signer,
    demo_member_keys,
    demo_office_key,
    open_demo_ballot,
    register_demo_committee,
    sign_as_demo_members,
)
from web.record import export_record
from web.server import ballot_acts
from web.server.services import Services
from web.server.settings import Settings

PUBLIC_URL = "http://gongzhi.test"
SLUG = "crowd"
ROOT = Path(__file__).resolve().parent.parent


def environment(
    data: Path, *, db_url: str | None, anvil_url: str | None, rate_limits: bool = True
) -> dict[str, str]:
    """The server's settings; ``rate_limits=False`` for load and race tests that send far
    more than an owner would (the defaults let a rush of 1,000 owners behind one address
    through)."""
    env = {"GONGZHI_DATA": str(data), "GONGZHI_PUBLIC_URL": PUBLIC_URL}
    if not rate_limits:
        env["GONGZHI_RATE_LIMITS"] = "off"
    if db_url and not db_url.startswith("sqlite"):
        env["DATABASE_URL"] = db_url
    if anvil_url:
        env["CHAIN_RPC_URL"] = anvil_url
        env["CHAIN_PRIVATE_KEY"] = ANVIL_KEYS[0]
    return env


def id_number(n: int) -> str:
    """A synthetic 居民身份证 number with a valid GB 11643 check digit."""
    first17 = f"310105{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]
    return first17 + check


def crowd_register(n: int) -> bytes:
    """`n` units, each with its own sole owner (so `n` voting persons)."""
    rows = [["房号", "专有部分面积", "业主姓名", "证件号码", "手机号", "表决人", "开发商持有"]]
    for i in range(n):
        unit = f"{1 + i // 400}-{1 + (i // 100) % 4}-{1000 + i % 100}"
        area = f"{60 + i % 80}.{i % 100:02d}"
        rows.append([unit, area, f"业主{i}", id_number(i), f"139{i:08d}", "是", "否"])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


@dataclass(frozen=True)
class Crowd:
    keys: tuple[KeyPair, ...]  # one per voting person, distinct
    ballot_id: int
    origin: str

    def votes(self, choice_seed: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(choice_seed)
        return [
            sign_json(
                {
                    "type": "Vote",
                    "ballot": self.origin,
                    "voter": key.did.value,
                    "choices": {"1": rng.choice(("agree", "oppose", "abstain"))},
                },
                key,
            )
            for key in self.keys
        ]


def prepare_crowd(env: dict[str, str], n: int) -> Crowd:
    """A community of `n` owners with keys and one open ballot, written into the folder.

    Its committee is the demo one (keys in the folder), registered by the demo office, which
    `env` is made to trust (GONGZHI_TRUSTED_ROOTS) so servers started with it accept both."""
    settings = Settings.from_env(env)
    env["GONGZHI_TRUSTED_ROOTS"] = demo_office_key(settings.data_dir).did.value
    services = Services.start(settings)
    services.roots = frozenset({env["GONGZHI_TRUSTED_ROOTS"]})
    try:
        with services.db.session() as session:
            community = create_community(
                session, slug=SLUG, name="压力测试小区", street_office="测试街道"
            )
            import_register(
                session,
                community=community,
                register=parse_csv(crowd_register(n)),
                cipher=services.cipher,
            )
            people = session.scalars(
                select(Person).where(Person.community_id == community.id).order_by(Person.id)
            ).all()
            keys = []
            for person in people:
                key = KeyPair.generate(KeyType.ED25519)
                person.did = key.did.value
                keys.append(key)
            session.flush()
            register_demo_committee(services, session, community)
            ballot = open_demo_ballot(
                services,
                session,
                community,
                title="压力测试表决",
                text="压力测试（测试数据）",
                items=ballots.legacy_items(4, "续聘物业", "是否同意续聘现物业服务企业？", None),
            )
            crowd = Crowd(tuple(keys), ballot.id, ballot.log_origin)
        # Each owner's ownership credential, queued and signed by a demo member (as a member's
        # device would): the verifier asks for one behind every census DID that votes.
        office = frozenset({env["GONGZHI_TRUSTED_ROOTS"]})
        members = demo_member_keys(services.settings.data_dir)
        IdentityRuntime.start(
            settings, extra_roots=office, auto_sign=auto_signer(members, office)
        ).prepare(services.db)
        return crowd
    finally:
        services.close()


def closed_record(env: dict[str, str], ballot_id: int) -> dict[str, Any]:
    """Close the ballot (early) on the folder and export its full record, as the verifier
    reads it."""
    services = Services.start(Settings.from_env(env))
    services.roots = frozenset({demo_office_key(services.settings.data_dir).did.value})
    try:
        with services.db.session() as session:
            chair = demo_member_keys(services.settings.data_dir)[0].did.value
            proposal = ballot_acts.propose_close(
                services, session, ballot_id, proposed_by=chair, early=True
            )
            community = get_community(
                session, ballots.get_ballot(session, ballot_id).community_slug
            )
            sign_as_demo_members(services, session, community, proposal)
        with services.db.session(write=False) as session:
            return export_record(session, services, ballot_id)
    finally:
        services.close()


def pinned_trust(env: dict[str, str]) -> PinnedTrust:
    """The trust file the server on this folder publishes (`web.api.well_known`)."""
    settings = Settings.from_env(env)
    services = Services.start(settings)
    try:
        return server_trust(services, IdentityRuntime.start(settings))
    finally:
        services.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """`gongzhi serve` in a process of its own; `kill()` is SIGKILL, `start()` starts anew."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> None:
        self.port = free_port()  # anew each time: another test may have taken the old one
        env = {**os.environ, **self.env, "GONGZHI_PORT": str(self.port)}
        env.pop("CI", None)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli.entry", "serve"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not answer in time")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def server(env: dict[str, str], log: Path, start_seconds: float = 120) -> Iterator[ServerProcess]:
    proc = ServerProcess(env, log)
    proc.start(timeout=start_seconds)
    try:
        yield proc
    finally:
        proc.stop()


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer (connection refused or cut, timeout)
    body: dict[str, Any]
    seconds: float
    retry_after: str | None


async def _post_all(
    url: str, bodies: Sequence[dict[str, Any]], concurrency: int, timeout: float
) -> list[Answer]:
    gate = asyncio.Semaphore(concurrency)
    # Idle connections are dropped well before the server would close them, so a request
    # never goes out on a connection the server is closing (the keep-alive race).
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=2
    )
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:

        async def one(body: dict[str, Any]) -> Answer:
            async with gate:
                start = time.perf_counter()
                try:
                    r = await client.post(url, json=body)
                except httpx.HTTPError as exc:
                    return Answer(0, {"failed": repr(exc)}, time.perf_counter() - start, None)
                try:
                    parsed = r.json()
                except ValueError:
                    parsed = {"raw": r.text[:200]}
                return Answer(
                    r.status_code,
                    parsed,
                    time.perf_counter() - start,
                    r.headers.get("retry-after"),
                )

        return list(await asyncio.gather(*(one(b) for b in bodies)))


def post_all(
    url: str, bodies: Sequence[dict[str, Any]], *, concurrency: int, timeout: float = 30
) -> list[Answer]:
    """POST every body, `concurrency` at a time; one `Answer` per body, in order."""
    return asyncio.run(_post_all(url, bodies, concurrency, timeout))


async def _lean_post_all(
    url: str, bodies: Sequence[dict[str, Any]], concurrency: int, timeout: float
) -> list[Answer]:
    """`post_all` with a minimal HTTP/1.1 keep-alive client on raw asyncio streams.

    For the throughput benchmarks only: the load generator shares the server's two cores,
    and httpx spent as much CPU per vote as the server did (4–5 ms at 32 connections, more
    at 128), so the figures measured the client as much as the server. Requests are encoded
    before the clock starts; answers are parsed after it stops."""
    parsed_url = httpx.URL(url)
    host, port, path = parsed_url.host, parsed_url.port or 80, parsed_url.raw_path.decode()
    requests = []
    for body in bodies:
        data = json.dumps(body, separators=(",", ":")).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        requests.append(head.encode() + data)
    raw: list[tuple[int, bytes, float, str | None]] = [(0, b"", 0.0, None)] * len(bodies)
    next_one = iter(range(len(bodies)))

    async def exchange(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> tuple[int, bytes, str | None, bool]:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        content = await reader.readexactly(int(headers.get("content-length", "0")))
        keep = headers.get("connection", "").lower() != "close"
        return status, content, headers.get("retry-after"), keep

    async def connection() -> None:
        streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        for i in next_one:
            start = time.perf_counter()
            try:
                if streams is None:
                    streams = await asyncio.open_connection(host, port)
                status, content, retry, keep = await asyncio.wait_for(
                    exchange(*streams, requests[i]), timeout
                )
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                raw[i] = (0, repr(exc).encode(), time.perf_counter() - start, None)
                keep = False
            else:
                raw[i] = (status, content, time.perf_counter() - start, retry)
            if not keep and streams is not None:
                streams[1].close()
                streams = None
        if streams is not None:
            streams[1].close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    answers = []
    for status, content, seconds, retry in raw:
        try:
            parsed = json.loads(content) if status else {"failed": content.decode()}
        except ValueError:
            parsed = {"raw": content[:200].decode("utf-8", "replace")}
        answers.append(Answer(status, parsed, seconds, retry))
    return answers


def lean_post_all(
    url: str, bodies: Sequence[dict[str, Any]], *, concurrency: int, timeout: float = 30
) -> list[Answer]:
    """`post_all` through the lean client (`_lean_post_all`), on uvloop as the server runs."""
    import uvloop

    return uvloop.run(_lean_post_all(url, bodies, concurrency, timeout))
