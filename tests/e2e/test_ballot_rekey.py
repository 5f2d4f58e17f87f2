"""Owners who enrol late, or replace a lost phone, while a ballot is open can still vote.

The census froze each voting person when the ballot opened. A new DID bound afterwards by the
committee (after re-checking the owner) is attested in the box by a committee-signed
`VoterKeyChanged` entry, which the independent verifier applies; the old key can no longer
vote, and a vote it had already cast stays.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.jcs import canonical
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, settings_for
from tests.identity_web import (
    bearer,
    close_ballot,
    data_dir_of,
    decide,
    enrol,
    issue_pending,
    open_ballot,
    pinned,
    register_committee,
    set_up_community,
    sign_in,
)
from web.cli import entry as cli
from web.demo.community import demo_member_keys, demo_office_key

SLUG = "rekey-1"
REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
1-1-101,90.00,甲某,110101198001010010,13800000001,是,否
1-1-102,80.00,乙某,110101198502020022,13800000002,是,否
1-1-201,70.00,丙某,110101198603030035,13800000003,是,否
"""


def _vote(key: KeyPair, origin: str, choice: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": choice}}, key
    )


def _codes(client: TestClient, committee: dict[str, str]) -> dict[str, str]:
    r = client.post(f"/api/communities/{SLUG}/enrolment-codes", json={}, headers=committee)
    assert r.status_code == 201, r.text
    return {",".join(c["units"]): c["code"] for c in r.json()["codes"]}


def _setup(client: TestClient, app: FastAPI) -> tuple[dict[str, str], dict[str, Any]]:
    committee = set_up_community(
        client, app, slug=SLUG, name="换钥测试小区", street_office="测试街道", register=REGISTER
    )
    register_committee(app, SLUG)  # the (demo) office registers the committee that decides
    now = datetime.now(UTC)
    ballot = open_ballot(
        client,
        app,
        {
            "matter": 1,
            "title": "修改议事规则",
            "text": "是否同意修改业主大会议事规则第三条？",
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat(),
        },
        slug=SLUG,
        headers=committee,
    )
    return committee, ballot


def _vote_after_key_change(
    client: TestClient, app: FastAPI, ballot: dict[str, Any], key: KeyPair, choice: str
) -> None:
    """A key the frozen census does not name is refused until the committee's members have
    signed the VoterKeyChanged decision the server proposed; then it votes."""
    votes_url = f"/api/ballots/{ballot['id']}/votes"
    refused = client.post(votes_url, json=_vote(key, ballot["origin"], choice))
    assert refused.status_code == 409, refused.text
    assert "confirmed by the committee" in refused.json()["error"]["en"]
    pending = client.get(f"/api/communities/{SLUG}/decisions", params={"state": "pending"})
    [change] = [
        d
        for d in pending.json()
        if d["type"] == "VoterKeyChanged" and d["summary"]["newDid"] == key.did.value
    ]
    assert change["summary"]["ballot"] == ballot["origin"] and change["signers"] == []
    decide(client, data_dir_of(app), SLUG, change)
    r = client.post(votes_url, json=_vote(key, ballot["origin"], choice))
    assert r.status_code == 201, r.text


def test_late_enrolment_and_new_phone_vote_in_open_ballot(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee, ballot = _setup(client, app)  # the ballot opens before anyone enrolled
        votes_url = f"/api/ballots/{ballot['id']}/votes"
        pending = client.get(f"/api/ballots/{ballot['id']}/pending", headers=committee)
        assert pending.status_code == 200
        assert [p["units"] for p in pending.json()["pending"]] == [
            ["1-1-101"],
            ["1-1-102"],
            ["1-1-201"],
        ]
        assert not any(p["enrolled"] for p in pending.json()["pending"])
        assert client.get(f"/api/ballots/{ballot['id']}/pending").status_code == 401
        codes = _codes(client, committee)
        keys = {unit: KeyPair.generate(KeyType.P256) for unit in codes}
        for unit, code in codes.items():
            assert enrol(client, app, code, keys[unit]).status_code == 201
        # A registered member signs the queued ownership credentials on their device: the
        # server refuses a census key whose credential is only queued.
        chair = demo_member_keys(tmp_path / "data")[0]
        chair_headers = bearer(sign_in(client, chair))
        assert len(issue_pending(client, SLUG, chair, chair_headers)) == 3
        # Late enrolment: 1-1-101 and 1-1-102 vote with DIDs the frozen census did not have.
        for unit in ("1-1-101", "1-1-102"):
            _vote_after_key_change(client, app, ballot, keys[unit], "agree")

        # 1-1-201 loses the phone before voting: the committee re-checks and re-issues.
        r = client.post(
            f"/api/communities/{SLUG}/recoveries",
            json={"unit": "1-1-201", "id_number": "110101198603030035"},
            headers=committee,
        )
        assert r.status_code == 201, r.text
        lost = client.post(votes_url, json=_vote(keys["1-1-201"], ballot["origin"], "oppose"))
        assert lost.status_code == 400  # whoever found the phone cannot vote
        new_phone = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, r.json()["enrolment"]["code"], new_phone).status_code == 201
        assert len(issue_pending(client, SLUG, chair, chair_headers)) == 1
        _vote_after_key_change(client, app, ballot, new_phone, "agree")
        again = client.post(votes_url, json=_vote(new_phone, ballot["origin"], "agree"))
        assert again.status_code == 409
        pending = client.get(f"/api/ballots/{ballot['id']}/pending", headers=committee)
        assert pending.json()["pending"] == []

        closed = close_ballot(client, app, ballot["id"], slug=SLUG, headers=committee)
        assert closed["document"]["items"][0]["outcome"]["passed"]
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
    kinds = [json.loads(e)["type"] for e in record["entries"]]
    assert kinds.count("VoterKeyChanged") == 3 and kinds.count("Vote") == 3

    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    root = pinned(record, demo_office_key(tmp_path / "data").did.value, tmp_path)
    assert cli.main(["verify", "ballot", str(path), "--data", str(tmp_path / "data"), *root]) == 0

    # A key change that is not the committee's, or that re-keys a voter twice, is caught.
    entries = list(record["entries"])
    at = kinds.index("VoterKeyChanged")
    forged = json.loads(entries[at])
    forged["newDid"] = KeyPair.generate(KeyType.P256).did.value
    entries[at] = canonical(forged).decode()
    path.write_text(json.dumps({**record, "entries": entries}))
    assert cli.main(["verify", "ballot", str(path), *root]) == 1
