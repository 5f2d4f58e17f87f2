"""A ballot's whole life over HTTP: announced (the notice period runs), opened, voted on a
multi-item agenda, closed with a preliminary result, objected to, answered, confirmed after
the objection window, and published as a notice — each step a signed entry the pinned
verifier re-checks. Times are given to the server's clock (`clock_at`), never waited for."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from contracts.errors import ChainUnavailable
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.records import log_id_of
from tests.e2e.support import committee_headers, running, settings_for
from tests.identity_web import (
    announce_ballot,
    clock_at,
    close_ballot,
    data_dir_of,
    decide,
    open_ballot,
    pinned,
)
from voting import onchain
from web.cli import entry as cli
from web.demo.community import demo_keys, demo_office_key

SLUG = "xianxia-demo"
ITEMS = [
    {"id": "a", "kind": "motion", "matter": 4, "title": "续聘物业", "text": "续聘三年？"},
    {"id": "b", "kind": "motion", "matter": 7, "title": "加装电梯", "text": "1号楼加装电梯？"},
]
BODY: dict[str, Any] = {"title": "第二次业主大会", "text": "两项事项", "items": ITEMS}


def _owners(app: Any) -> list[KeyPair]:
    seen: dict[str, KeyPair] = {}
    for _unit, key in sorted(demo_keys(app.state.services).items()):
        seen.setdefault(key.did.value, key)
    return list(seen.values())


def _vote(key: KeyPair, origin: str, choices: dict[str, Any]) -> dict[str, Any]:
    doc = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": choices}
    return sign_json(doc, key)


def _census_key(client: TestClient, ballot_id: int, did: str) -> str:
    record = client.get(f"/api/ballots/{ballot_id}/record").json()
    census = json.loads(record["entries"][1])["census"]["voters"]
    return next(str(v["voter"]) for v in census if v["did"] == did)


def test_a_ballot_from_notice_to_final(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, app):
        # Voting cannot open during the notice period.
        draft = announce_ballot(client, app, BODY)
        announced = client.get(f"/api/ballots/{draft['id']}").json()
        assert announced["status"] == "announced" and len(announced["items"]) == 2
        owners = _owners(app)
        early = client.post(
            f"/api/ballots/{draft['id']}/votes",
            json=_vote(owners[0], draft["origin"], {"a": "agree"}),
        )
        assert early.status_code == 409 and "not open yet" in early.json()["error"]["en"]

        ballot = open_ballot(client, app, BODY)
        origin, bid = ballot["origin"], ballot["id"]
        # Each item on its own: item b left blank by a third of the voters.
        for i, key in enumerate(owners[: len(owners) * 9 // 10]):
            choices: dict[str, Any] = (
                {"a": "agree"} if i % 3 == 0 else {"a": "agree", "b": "oppose"}
            )
            r = client.post(f"/api/ballots/{bid}/votes", json=_vote(key, origin, choices))
            assert r.status_code == 201, r.text
        off_agenda = client.post(
            f"/api/ballots/{bid}/votes", json=_vote(owners[-1], origin, {"z": "agree"})
        )
        assert off_agenda.status_code == 400 and "agenda" in off_agenda.json()["error"]["en"]
        shown = client.get(f"/api/ballots/{bid}").json()["participation"]
        assert shown["items"]["a"]["voted"]["headcount"] > shown["items"]["b"]["voted"]["headcount"]

        close_ballot(client, app, bid)
        closed = client.get(f"/api/ballots/{bid}").json()
        assert closed["status"] == "closed" and closed["objections_until"]
        a, b = (i["outcome"] for i in closed["result"]["items"])
        assert a["passed"] and not b["passed"]
        # The BallotRegistry re-checked quorum and thresholds on-chain and agrees.
        recorded = app.state.services.registry.read_result(log_id_of(origin))
        assert recorded is not None and [v.id for v in recorded.items] == ["a", "b"]
        assert [v.passed for v in recorded.items] == [True, False]
        assert b["participating"]["headcount"] < a["participating"]["headcount"]

        # An owner objects; confirming before the window ends, or unanswered, is refused.
        objector = owners[0]
        objection = sign_json(
            {
                "type": "Objection",
                "ballot": origin,
                "voter": objector.did.value,
                "censusEntry": _census_key(client, bid, objector.did.value),
                "text": "请公布2号楼的参与人数",
            },
            objector,
        )
        filed = client.post(f"/api/ballots/{bid}/objections", json=objection)
        assert filed.status_code == 201, filed.text
        index = filed.json()["index"]
        unsigned = {k: v for k, v in objection.items() if k != "proof"}
        stranger = sign_json(unsigned | {"text": "改一下"}, KeyPair.generate(KeyType.ED25519))
        assert client.post(f"/api/ballots/{bid}/objections", json=stranger).status_code == 409
        headers = committee_headers(app)
        too_soon = client.post(f"/api/ballots/{bid}/final", headers=headers)
        assert too_soon.status_code == 409 and "objection window" in too_soon.text
        answer = client.post(
            f"/api/ballots/{bid}/objections/{index}/answer",
            json={"answer": "已在公告中按楼栋公布"},
            headers=headers,
        )
        assert answer.status_code == 202, answer.text
        decide(client, data_dir_of(app), SLUG, answer.json())
        after_window = datetime.now(UTC) + timedelta(days=8)
        with clock_at(app, after_window):
            late = client.post(f"/api/ballots/{bid}/objections", json=objection)
            assert late.status_code == 409 and "objection window" in late.text
            final = client.post(f"/api/ballots/{bid}/final", headers=headers)
            assert final.status_code == 202, final.text
            decide(client, data_dir_of(app), SLUG, final.json())
        assert client.get(f"/api/ballots/{bid}").json()["status"] == "final"

        notice = client.get(f"/ballots/{bid}/notice")
        assert notice.status_code == 200 and "未通过" in notice.text and "通过" in notice.text
        assert client.get(f"/ballots/{bid}/notice.pdf").content.startswith(b"%PDF")
        record = client.get(f"/api/ballots/{bid}/record").json()
        kinds = [json.loads(e)["type"] for e in record["entries"]]
        assert kinds[:2] == ["BallotAnnounced", "BallotOpened"]
        assert kinds[-3:] == ["Objection", "ObjectionAnswered", "BallotFinal"]

    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    root = demo_office_key(tmp_path / "data").did.value
    where = ["--data", str(tmp_path / "data"), *pinned(record, root, tmp_path)]
    assert cli.main(["verify", "ballot", str(path), *where]) == 0
    out = capsys.readouterr().out
    assert "the result is final" in out and "1 of 2 passed" in out


def test_cancel_only_before_voting_opens(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, app):
        headers = committee_headers(app)
        draft = announce_ballot(client, app, BODY)
        cancel = client.post(
            f"/api/ballots/{draft['id']}/cancel", json={"reason": "议程有误"}, headers=headers
        )
        assert cancel.status_code == 202, cancel.text
        decide(client, data_dir_of(app), SLUG, cancel.json())
        assert client.get(f"/api/ballots/{draft['id']}").json()["status"] == "cancelled"
        opened = open_ballot(client, app, BODY)
        refused = client.post(
            f"/api/ballots/{opened['id']}/cancel", json={"reason": "改主意"}, headers=headers
        )
        assert refused.status_code == 409 and "not opened" in refused.json()["error"]["en"]


def test_a_result_the_chain_missed_is_recorded_when_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chain is down when the members sign the result: the result stands (it is in the
    signed log) and the BallotRegistry gets it on a later round, once the chain answers."""
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, app):
        ballot = open_ballot(client, app, BODY)
        key = _owners(app)[0]
        vote = _vote(key, ballot["origin"], {"a": "agree"})
        assert client.post(f"/api/ballots/{ballot['id']}/votes", json=vote).status_code == 201
        services = app.state.services

        def down(*_args: object, **_kwargs: object) -> None:
            raise ChainUnavailable("链暂时无法连接", "the chain is unreachable")

        with monkeypatch.context() as patched:
            patched.setattr(onchain, "record_result", down)
            close_ballot(client, app, ballot["id"])
        assert client.get(f"/api/ballots/{ballot['id']}").json()["status"] == "closed"
        log_id = log_id_of(ballot["origin"])
        assert services.registry.read_result(log_id) is None
        services.record_pending_results()  # what the anchoring loop's periodic round does
        recorded = services.registry.read_result(log_id)
        assert recorded is not None and [v.id for v in recorded.items] == ["a", "b"]
        services.record_pending_results()  # nothing left: recorded once, never twice
        assert services.registry.read_result(log_id) == recorded
