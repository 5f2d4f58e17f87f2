"""The live dashboard's stream (``GET /api/v1/ballots/ID/events``, `web.api.live`) against a
real uvicorn: the first event is the ballot's public JSON, a vote cast through the API is
pushed as the next one — also when no notification reaches this process (another server
process took it: the periodic look finds it) — one look builds the frame every stream
gets, keep-alive comments come on a quiet stream, a client that goes away is cleaned up,
and streams beyond the per-address bound get a bilingual 429.

Nothing waits for a fixed time: each read takes events until the expected one, and a
deadline fails the test if it never comes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from identity.w3c.dataintegrity import sign_json
from tests.e2e.browser_support import live_server
from web.demo.community import demo_keys
from web.server.live import LiveHub

EVENTS = "/api/v1/ballots/1/events"
DEADLINE = 15.0  # seconds: far above the ~1 s an event takes; only a failure waits this long


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FastAPI]]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as running:
        yield running


@pytest.fixture(scope="module")
def voters(served: tuple[str, FastAPI]) -> Iterator[str]:
    """Units nobody else in this module votes from, one per `next`."""
    _, app = served
    return iter(sorted(demo_keys(app.state.services))[:40])


def _hub(app: FastAPI) -> LiveHub:
    hub: LiveHub = app.state.live
    return hub


class Events:
    """The events of one open stream, read line by line as they arrive."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.iter_lines()
        self.comments = 0

    def next(self, kind: str = "ballot") -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE
        event, data = "message", []
        for line in self.lines:
            if time.monotonic() > deadline:
                break
            if line.startswith(":"):
                self.comments += 1
                if kind == "comment":
                    return {}
            elif line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data.append(line.removeprefix("data: "))
            elif line == "" and data:
                if event == kind:
                    parsed: dict[str, Any] = json.loads("\n".join(data))
                    return parsed
                event, data = "message", []
        pytest.fail(f"no {kind} event within {DEADLINE} s")


@contextmanager
def stream(base: str, path: str = EVENTS) -> Iterator[Events]:
    timeout = httpx.Timeout(DEADLINE, read=DEADLINE)
    with (
        httpx.Client(base_url=base, timeout=timeout) as http,
        http.stream("GET", path) as response,
    ):
        yield Events(response)


def _vote(base: str, app: FastAPI, unit: str) -> None:
    key = demo_keys(app.state.services)[unit]
    with httpx.Client(base_url=base, timeout=30) as http:
        origin = http.get("/api/ballots/1").json()["origin"]
        vote = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        answer = http.post("/api/ballots/1/votes", json=sign_json(vote, key))
        assert answer.status_code == 201, answer.text


def _heads(ballot: dict[str, Any]) -> int:
    return int(ballot["participation"]["items"]["1"]["voted"]["headcount"])


def test_first_event_is_the_ballot_and_a_vote_is_pushed(
    served: tuple[str, FastAPI], voters: Iterator[str]
) -> None:
    base, app = served
    with stream(base) as events:
        assert events.response.status_code == 200
        assert events.response.headers["content-type"].startswith("text/event-stream")
        assert events.response.headers["cache-control"] == "no-store"
        assert "default-src 'self'" in events.response.headers["content-security-policy"]
        first = events.next()
        assert first == httpx.get(f"{base}/api/v1/ballots/1").json()  # the very same JSON
        assert "choices" not in json.dumps(first["participation"])  # still in the box
        _vote(base, app, next(voters))
        assert _heads(events.next()) == _heads(first) + 1


def test_a_vote_another_process_took_shows_by_the_periodic_look(
    served: tuple[str, FastAPI], voters: Iterator[str]
) -> None:
    base, app = served
    services, hub = app.state.services, _hub(app)
    with stream(base) as events:
        first = events.next()
        # As for a vote another server process committed: no notification reaches the hub.
        services.unwatch(hub.notify)
        try:
            _vote(base, app, next(voters))
            assert _heads(events.next()) == _heads(first) + 1
        finally:
            services.watch(hub.notify)


def test_one_look_builds_the_frame_every_stream_gets(
    served: tuple[str, FastAPI], voters: Iterator[str]
) -> None:
    base, app = served
    hub = _hub(app)
    built: list[int] = []
    read = hub._read

    def counted(known: Any) -> Any:
        found = read(known)
        built.extend(found)
        return found

    hub._read = counted
    try:
        with stream(base) as a, stream(base) as b, stream(base) as c:
            before = [_heads(s.next()) for s in (a, b, c)]
            built.clear()
            _vote(base, app, next(voters))
            after = [_heads(s.next()) for s in (a, b, c)]
        assert after == [n + 1 for n in before]
        assert built == [1]  # one frame for ballot 1, not one per stream
    finally:
        hub._read = read


def test_quiet_stream_gets_keep_alive_comments(served: tuple[str, FastAPI]) -> None:
    base, app = served
    hub = _hub(app)
    beat = hub.heartbeat
    hub.heartbeat = 0.05
    try:
        with stream(base) as events:
            events.next()
            events.next("comment")
            events.next("comment")
            assert events.comments >= 2
    finally:
        hub.heartbeat = beat


def test_a_client_that_leaves_is_cleaned_up(served: tuple[str, FastAPI]) -> None:
    base, app = served
    hub = _hub(app)
    assert hub.wait_streams(0, DEADLINE)
    with stream(base) as events:
        events.next()
        assert hub.open_streams() == 1
    # Only the client closed its side: the server sees the disconnect and lets go.
    assert hub.wait_streams(0, DEADLINE)


def test_streams_per_address_are_bounded_with_a_bilingual_429(
    served: tuple[str, FastAPI],
) -> None:
    base, app = served
    hub = _hub(app)
    bound = hub.per_address
    hub.per_address = 2
    try:
        with stream(base) as one, stream(base) as two:
            one.next()
            two.next()
            refused = httpx.get(f"{base}{EVENTS}", timeout=DEADLINE)
            assert refused.status_code == 429
            assert refused.headers["retry-after"]
            error = refused.json()["error"]
            assert "2" in error["zh"] and "实时" in error["zh"]
            assert "at most 2 live pages" in error["en"]
            assert hub.open_streams() == 2  # the refused one holds nothing
        assert hub.wait_streams(0, DEADLINE)
        with stream(base) as again:
            again.next()  # a closed one makes room
    finally:
        hub.per_address = bound


def test_unknown_ballot_is_a_bilingual_404(served: tuple[str, FastAPI]) -> None:
    base, app = served
    answer = httpx.get(f"{base}/api/v1/ballots/999/events", timeout=DEADLINE)
    assert answer.status_code == 404
    assert answer.json()["error"]["zh"] and answer.json()["error"]["en"]
    assert _hub(app).wait_streams(0, DEADLINE)


def test_a_malformed_ballot_id_is_refused_before_any_stream(served: tuple[str, FastAPI]) -> None:
    base, app = served
    answer = httpx.get(f"{base}/api/v1/ballots/abc/events", timeout=DEADLINE)
    assert answer.status_code == 422
    assert answer.json()["error"]["zh"] and answer.json()["error"]["en"]
    assert _hub(app).wait_streams(0, DEADLINE)


def test_the_stream_is_in_the_openapi_under_v1(served: tuple[str, FastAPI]) -> None:
    base, _ = served
    document = httpx.get(f"{base}/openapi.json", timeout=DEADLINE).json()
    operation = document["paths"]["/api/v1/ballots/{ballot_id}/events"]["get"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert {"404", "429"} <= set(operation["responses"])
