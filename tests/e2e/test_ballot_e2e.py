"""One ballot from register to anchored result, on SQLite and PostgreSQL, embedded EVM and anvil.

The demo community is loaded (register, owner DIDs, one open ballot on matter 4); owners cast
signed votes through the API; the committee closes; the result is decided by the rule engine,
appended to the ballot's log and anchored; the exported record then verifies independently,
and any change to it is caught.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.checkpoint import Checkpoint, sign_checkpoint
from ledger.tlog.merkle import root_hash
from ledger.tlog.note_keys import Ed25519Signer
from tests.e2e.support import committee_headers, running, services_of, settings_for
from tests.identity_web import close_ballot, data_dir_of, decide, pinned
from web.cli import entry as cli
from web.demo.community import demo_keys, demo_office_key


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _vote(key: KeyPair, origin: str, choice: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": str(key.did), "choices": {"1": choice}}, key
    )


def _cast_until_passed(client: Any, app: Any, ballot: dict[str, Any]) -> dict[str, int]:
    """Vote with ~80 % of owners (mostly agree); return how many chose what."""
    keys = demo_keys(services_of(app))
    seen: set[str] = set()
    counts = {"agree": 0, "oppose": 0, "abstain": 0}
    for i, (_unit, key) in enumerate(sorted(keys.items())):
        did = str(key.did)
        if did in seen:  # one buyer of several units votes once
            continue
        seen.add(did)
        if i % 5 == 4:
            continue  # every fifth owner stays home
        choice = "oppose" if i % 7 == 0 else "abstain" if i % 11 == 0 else "agree"
        r = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(key, ballot["origin"], choice)
        )
        assert r.status_code == 201, r.text
        receipt = r.json()
        assert receipt["checkpoint"].startswith(ballot["origin"] + "\n")
        counts[choice] += 1
    return counts


def _stayed_home(app: Any) -> KeyPair:
    """An owner `_cast_until_passed` left out (one whose vote would still count)."""
    seen: set[str] = set()
    for i, (_unit, key) in enumerate(sorted(demo_keys(services_of(app)).items())):
        if str(key.did) not in seen and i % 5 == 4:
            return key
        seen.add(str(key.did))
    raise AssertionError("everyone voted")


def test_one_ballot_end_to_end(
    tmp_path: Path, db_url: str, chain_kind: str, request: pytest.FixtureRequest
) -> None:
    anvil = request.getfixturevalue("anvil_url") if chain_kind == "anvil" else None
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=anvil)
    with running(settings) as (client, app):
        ballot = client.get("/api/communities/xianxia-demo/ballots").json()[0]
        assert ballot["status"] == "open" and ballot["matter"] == 4
        assert ballot["participation"]["total"]["headcount"] == 193

        counts = _cast_until_passed(client, app, ballot)
        # A second vote by the same owner is refused and changes nothing.
        key = demo_keys(services_of(app))["1-1-101"]  # the first owner, who voted
        again = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(key, ballot["origin"], "oppose")
        )
        before = client.get(f"/api/ballots/{ballot['id']}").json()["participation"]
        assert again.status_code == 409
        assert "已投过票" in again.json()["error"]["zh"]
        voted = before["voted"]["headcount"]
        assert voted == sum(counts.values())

        # Closing needs the committee; then the result is decided and anchored.
        assert (
            client.post(f"/api/ballots/{ballot['id']}/close", json={"early": True}).status_code
            == 401
        )
        r = client.post(
            f"/api/ballots/{ballot['id']}/close",
            json={"early": True},
            headers=committee_headers(app),
        )
        assert r.status_code == 202, r.text
        proposal = r.json()
        assert proposal["type"] == "BallotResult" and proposal["state"] == "pending"
        outcome = proposal["document"]["items"][0]["outcome"]
        assert proposal["document"]["votes"] == voted
        assert outcome["participating"]["headcount"] == voted
        assert outcome["agree"]["headcount"] == counts["agree"]
        assert outcome["quorum_met"] and outcome["approved"] and outcome["passed"]
        # Proposed to close: the box takes no more votes while the members sign.
        other = _stayed_home(app)
        waiting = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(other, ballot["origin"], "agree")
        )
        assert waiting.status_code == 409 and "proposed to close" in waiting.json()["error"]["en"]
        assert client.get(f"/api/ballots/{ballot['id']}").json()["status"] == "closing"
        decide(client, data_dir_of(app), "xianxia-demo", proposal)
        closed = client.get(f"/api/ballots/{ballot['id']}").json()
        assert closed["status"] == "closed"
        assert closed["result"] == {"items": proposal["document"]["items"]}

        late = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(key, ballot["origin"], "agree")
        )
        assert late.status_code == 409

        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        assert record["anchor"]["tx"]  # the closed box's final head was anchored at once
        # BallotAnnounced, BallotOpened, the votes, BallotResult
        assert len(record["entries"]) == voted + 3
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    where = ["--rpc", anvil] if anvil else ["--data", str(tmp_path / "data")]
    root = demo_office_key(tmp_path / "data").did.value
    assert cli.main(["verify", "ballot", str(path), *where, *pinned(record, root, tmp_path)]) == 0


def _tampered(record: dict[str, Any], index: int, change: Any) -> dict[str, Any]:
    entries = list(record["entries"])
    doc = json.loads(entries[index])
    change(doc)
    from identity.w3c.jcs import canonical

    entries[index] = canonical(doc).decode()
    return {**record, "entries": entries}


def test_verifier_catches_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, app):
        ballot = client.get("/api/communities/xianxia-demo/ballots").json()[0]
        _cast_until_passed(client, app, ballot)
        close_ballot(client, app, ballot["id"])
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()

    def flip_choice(doc: dict[str, Any]) -> None:
        doc["choices"] = {"1": "oppose" if doc["choices"]["1"] == "agree" else "agree"}

    def drop_area(doc: dict[str, Any]) -> None:
        doc["census"]["voters"][0]["area"] = "1.00"

    def fake_result(doc: dict[str, Any]) -> None:
        outcome = doc["items"][0]["outcome"]
        outcome["passed"] = not outcome["passed"]

    # the box's key is the one the committee signed into BallotAnnounced, and the API says so
    opened = json.loads(record["entries"][0])
    assert opened["logKey"] == record["logKey"] == ballot["log_key"]
    # a server that re-signs the box with a key of its own, and hands that key out
    usurper = Ed25519Signer(record["origin"], b"\x09" * 32)
    leaves = [e.encode() for e in record["entries"]]
    resigned = {
        **record,
        "logKey": usurper.vkey,
        "checkpoint": sign_checkpoint(
            Checkpoint(record["origin"], len(leaves), root_hash(leaves)), usurper
        ),
    }

    def swap_key(doc: dict[str, Any]) -> None:
        doc["logKey"] = usurper.vkey

    cases = {
        "vote changed": _tampered(record, 2, flip_choice),
        "census changed": _tampered(record, 1, drop_area),
        "result changed": _tampered(record, len(record["entries"]) - 1, fake_result),
        "vote removed": {**record, "entries": record["entries"][:2] + record["entries"][3:]},
        "vote duplicated": {**record, "entries": [*record["entries"][:3], *record["entries"][2:]]},
        "box re-signed by another key": resigned,
        "log key in BallotAnnounced swapped": _tampered(resigned, 0, swap_key),
    }
    for name, bad in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(bad))
        root = demo_office_key(tmp_path / "data").did.value
        where = ["--data", str(tmp_path / "data"), *pinned(record, root, tmp_path)]
        assert cli.main(["verify", "ballot", str(path), *where]) == 1, name
        out = capsys.readouterr().out
        assert "FAILED" in out, name
        if name == "box re-signed by another key":
            assert "not signed by the box key the committee signed" in out, out


def test_state_survives_restart(tmp_path: Path) -> None:
    """Stop the server, start it again: the chain remembers every anchor."""
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, app):
        ballot = client.get("/api/communities/xianxia-demo/ballots").json()[0]
        _cast_until_passed(client, app, ballot)
        close_ballot(client, app, ballot["id"])
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        contract = services_of(app).anchor.address
    with running(settings) as (client, app):
        services = services_of(app)
        assert services.anchor.address == contract
        size = len(record["entries"])
        root = services.anchor.root_at(bytes.fromhex(record["logId"]), size)
        assert root is not None
        again = client.get(f"/api/ballots/{ballot['id']}/record").json()
        assert again["entries"] == record["entries"]
        assert again["anchor"]["tx"] == record["anchor"]["tx"]


def test_bad_votes_are_refused_clearly(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, app):
        ballot = client.get("/api/communities/xianxia-demo/ballots").json()[0]
        url = f"/api/ballots/{ballot['id']}/votes"
        stranger = KeyPair.generate(KeyType.ED25519)
        owner = demo_keys(services_of(app))["1-1-101"]  # a fixed owner, not the key file's first
        forged = _vote(owner, ballot["origin"], "agree")
        forged["choices"] = {"1": "oppose"}  # changed after signing
        impostor = _vote(stranger, ballot["origin"], "agree")
        impostor["voter"] = str(owner.did)
        cases = [
            (_vote(stranger, ballot["origin"], "agree"), 409, "名册"),
            (forged, 400, ""),
            (impostor, 400, ""),
            (_vote(owner, ballot["origin"], "maybe"), 400, "未知选项"),
            (_vote(owner, "elsewhere/ballots/9", "agree"), 409, "不属于"),
            ({"type": "Vote"}, 409, ""),
        ]
        for body, status, zh in cases:
            r = client.post(url, json=body)
            assert r.status_code == status, (body, r.text)
            assert zh in r.json()["error"]["zh"]
            assert r.json()["error"]["en"]
        assert client.post("/api/ballots/999/votes", json={}).status_code == 404
        assert (
            client.post(
                url, content=b"not json", headers={"content-type": "application/json"}
            ).status_code
            == 422
        )
        p = client.get(f"/api/ballots/{ballot['id']}").json()["participation"]
        assert p["voted"]["headcount"] == 0


def test_people_get_pages_and_clients_get_json(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings) as (client, _app):
        page = client.get("/ballots/999", headers={"accept": "text/html,*/*"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "没有第 999 号表决" in page.text and "返回首页" in page.text
        api = client.get("/api/ballots/999", headers={"accept": "text/html,*/*"})
        assert api.status_code == 404 and api.json()["error"]["en"] == "no ballot 999"
        lost = client.get("/no/such/page", headers={"accept": "text/html"})
        assert lost.status_code == 404 and "找不到" in lost.text
