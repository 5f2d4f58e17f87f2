"""A guardian (监护人) enrols and votes for their ward (gongzhi issue 9, item 3).

The register names a guardian for an owner without full legal capacity. The committee's
codes go to whoever votes for a unit: the ward's code goes to the guardian, the ward gets
none. Redeeming it queues a credential to the guardian's DID for the ward's units and area,
held as guardian; a member signs it; the guardian votes for the ward's census row and the
pinned verifier accepts the record with that credential behind the row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, settings_for
from tests.identity_web import (
    bearer,
    close_ballot,
    enrol,
    issue_pending,
    office_of,
    open_ballot,
    pinned,
    register_committee,
    set_up_community,
    sign_in,
)
from tests.serving_support import id_number
from web.cli import entry as cli
from web.demo.community import demo_member_keys

SLUG = "guardian-1"
WARD, GUARDIAN = id_number(11), id_number(12)
REGISTER = (
    "房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有,监护人姓名,监护人证件号码\n"
    "1-1-101,90.00,甲某,110101198001010010,13800000001,是,否,,\n"
    f"1-1-102,80.00,小明,{WARD},13800000002,是,否,王芳,{GUARDIAN}\n"
    f"1-1-103,70.00,小明,{WARD},13800000002,是,否,王芳,{GUARDIAN}\n"
)


def _vote(key: KeyPair, origin: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}},
        key,
    )


def test_a_guardian_enrols_votes_for_the_ward_and_the_record_verifies(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with running(settings_for(data, db_url=db_url, anvil_url=None), demo=False) as (
        client,
        app,
    ):
        committee = set_up_community(
            client, app, slug=SLUG, name="监护测试小区", street_office="测试街道", register=REGISTER
        )
        register_committee(app, SLUG)
        url = f"/api/communities/{SLUG}/enrolment-codes"
        # Named by the ward's unit, the code is the guardian's, for both of the ward's units.
        one = client.post(url, json={"units": ["1-1-103"]}, headers=committee)
        assert one.status_code == 201, one.text
        assert [c["units"] for c in one.json()["codes"]] == [["1-1-102", "1-1-103"]]
        # Every voter not enrolled: the owner and the guardian; the ward gets no code.
        every = client.post(url, json={}, headers=committee)
        assert every.status_code == 201, every.text
        codes = {",".join(c["units"]): c["code"] for c in every.json()["codes"]}
        assert set(codes) == {"1-1-101", "1-1-102,1-1-103"}
        owner, guardian = KeyPair.generate(KeyType.P256), KeyPair.generate(KeyType.P256)
        assert enrol(client, app, codes["1-1-101"], owner).status_code == 201
        assert enrol(client, app, codes["1-1-102,1-1-103"], guardian).status_code == 201
        chair = demo_member_keys(data)[0]
        assert len(issue_pending(client, SLUG, chair, bearer(sign_in(client, chair)))) == 2
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
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        census = json.dumps(record)
        assert guardian.did.value in census and '"guardian"' in census
        votes = f"/api/ballots/{ballot['id']}/votes"
        for key in (owner, guardian):
            r = client.post(votes, json=_vote(key, ballot["origin"]))
            assert r.status_code == 201, r.text
        stranger = client.post(votes, json=_vote(KeyPair.generate(KeyType.P256), ballot["origin"]))
        assert stranger.status_code in (403, 409), stranger.text
        close_ballot(client, app, ballot["id"], slug=SLUG, headers=committee)
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        root = office_of(app).did.value
    held = [
        c["credentialSubject"]
        for c in record["credentials"]
        if c["credentialSubject"]["id"] == guardian.did.value
    ]
    assert held == [
        {
            "id": guardian.did.value,
            "communityId": SLUG,
            "units": [{"unitId": "1-1-102", "area": "8000"}, {"unitId": "1-1-103", "area": "7000"}],
            "guardian": True,
        }
    ]
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))
    where = ["--data", str(data), *pinned(record, root, tmp_path)]
    assert cli.main(["verify", "ballot", str(path), *where]) == 0, capsys.readouterr().out
