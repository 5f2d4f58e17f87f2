"""A success answer means committed: no 2xx leaves the server before its transaction commits.

The database's commit is held at a gate while the request is in flight: the answer must not
arrive while the gate is closed (before the fix, the session dependency committed after the
answer was sent, so a fresh community was "not found" and a fresh token refused right after
their 201, and a vote whose receipt had been sent could be lost in a crash)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from identity.w3c.dataintegrity import sign_json
from tests.e2e.support import live_server, services_of, settings_for
from web.demo.community import demo_keys


class CommitGate:
    """Holds every database commit made while armed until `release` is set."""

    def __init__(self) -> None:
        self.armed = False
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, _conn: Any) -> None:
        if self.armed:
            self.entered.set()
            self.release.wait(timeout=30)


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Any, CommitGate]]:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with live_server(settings) as (url, app):
        gate = CommitGate()
        event.listen(services_of(app).db.engine, "commit", gate)
        yield url, app, gate
        gate.release.set()


def _answer_waits_for_commit(
    gate: CommitGate, send: Callable[[], httpx.Response]
) -> httpx.Response:
    gate.armed = True
    with ThreadPoolExecutor(1) as pool:
        answer: Future[httpx.Response] = pool.submit(send)
        assert gate.entered.wait(timeout=60), "the request never reached its commit"
        try:
            early = answer.result(timeout=2)  # arrives only if it was sent before the commit
        except TimeoutError:
            early = None
        gate.armed = False
        gate.release.set()
        assert early is None, f"answered {early.status_code} before its commit"
        return answer.result(timeout=60)


def test_a_new_community_is_answered_after_its_commit(served: tuple[str, Any, CommitGate]) -> None:
    url, app, gate = served
    token = app.state.identity.operator_token()
    body = {"slug": "new-one", "name": "新小区", "street_office": "某街道"}
    r = _answer_waits_for_commit(
        gate,
        lambda: httpx.post(
            f"{url}/api/communities",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ),
    )
    assert r.status_code == 201, r.text
    assert httpx.get(f"{url}/api/communities/new-one", timeout=30).status_code == 200


def test_a_receipt_is_sent_after_its_vote_is_committed(
    served: tuple[str, Any, CommitGate],
) -> None:
    url, app, gate = served
    origin = httpx.get(f"{url}/api/ballots/1", timeout=30).json()["origin"]
    owners = {k.did.value: k for k in demo_keys(services_of(app)).values()}  # distinct persons
    first, second = (owners[did] for did in sorted(owners)[:2])

    def vote(key: Any) -> httpx.Response:
        doc = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        return httpx.post(f"{url}/api/ballots/1/votes", json=sign_json(doc, key), timeout=60)

    assert vote(first).status_code == 201  # warms what a vote reads before its batch
    r = _answer_waits_for_commit(gate, lambda: vote(second))
    assert r.status_code == 201, r.text
    proof = httpx.get(f"{url}/api/ballots/1/proof?index={r.json()['index']}", timeout=30)
    assert proof.status_code == 200, proof.text
