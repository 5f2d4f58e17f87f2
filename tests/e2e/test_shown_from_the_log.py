"""What is shown of a ballot comes from its signed log: a database edit becomes an integrity
error (409, in Chinese and English), never a different answer. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from identity.w3c.dataintegrity import sign_json
from ledger.tlog.models import ENTRY_INDEX_BITS
from tests.e2e.support import running, services_of, settings_for
from tests.identity_web import close_ballot
from voting.models import Ballot, CensusVoter
from web.demo.community import demo_keys

FIRST_VOTE = 2  # entries 0 and 1 are BallotAnnounced and BallotOpened


def _vote_and_close(client: TestClient, app: FastAPI) -> dict[str, Any]:
    ballot = client.get("/api/ballots/1").json()
    owners = {k.did.value: k for k in demo_keys(services_of(app)).values()}
    for did in sorted(owners)[:5]:
        doc = {"type": "Vote", "ballot": ballot["origin"], "voter": did, "choices": {"1": "agree"}}
        assert client.post("/api/ballots/1/votes", json=sign_json(doc, owners[did])).status_code
    close_ballot(client, app, 1)
    shown: dict[str, Any] = client.get("/api/ballots/1").json()
    assert shown["status"] == "closed" and shown["result"] is not None
    return shown


def _integrity_error(r: httpx.Response) -> None:
    assert r.status_code == 409, r.text
    assert "签名日志不符" in r.json()["error"]["zh"] and "signed log" in r.json()["error"]["en"]


def test_an_edited_result_is_an_integrity_error(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        shown = _vote_and_close(client, app)
        first, *rest = shown["result"]["items"]
        outcome = first["outcome"]
        flipped = {
            "items": [first | {"outcome": outcome | {"passed": not outcome["passed"]}}, *rest]
        }
        with services_of(app).db.session() as session:
            session.execute(update(Ballot).where(Ballot.id == 1).values(result=flipped))
        _integrity_error(client.get("/api/ballots/1"))
        page = client.get("/ballots/1", headers={"accept": "text/html"})
        assert page.status_code == 409 and "签名日志不符" in page.text


def test_an_edited_census_area_changes_nothing_shown(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        shown = _vote_and_close(client, app)
        with services_of(app).db.session() as session:
            session.execute(update(CensusVoter).values(area_centi=CensusVoter.area_centi * 10))
    with running(settings) as (client, app):  # a fresh server: nothing cached
        again = client.get("/api/ballots/1").json()
    assert again["participation"] == shown["participation"]
    assert again["result"] == shown["result"]


def test_an_edited_vote_entry_is_an_integrity_error(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        shown = _vote_and_close(client, app)
        with services_of(app).db.session() as session:
            data = session.execute(
                text(
                    "SELECT data FROM ledger_entry WHERE id = :i + :span * "
                    "(SELECT id FROM ledger_log WHERE origin = :o)"
                ),
                {"i": FIRST_VOTE, "span": 1 << ENTRY_INDEX_BITS, "o": shown["origin"]},
            ).scalar_one()
            assert b'"type":"Vote"' in bytes(data) and b'"agree"' in bytes(data)
            session.execute(
                text(
                    "UPDATE ledger_entry SET data = :d WHERE id = :i + :span * "
                    "(SELECT id FROM ledger_log WHERE origin = :o)"
                ),
                {
                    "d": bytes(data).replace(b'"agree"', b'"oppose"'),
                    "i": FIRST_VOTE,
                    "span": 1 << ENTRY_INDEX_BITS,
                    "o": shown["origin"],
                },
            )
    with running(settings) as (client, _app):
        _integrity_error(client.get("/api/ballots/1"))
        _integrity_error(client.get("/api/communities/xianxia-demo/ballots"))
