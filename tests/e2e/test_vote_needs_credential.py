"""A census key whose ownership credential is only queued cannot vote (gongzhi issue 8).

An owner who redeemed an enrolment code before the ballot opened is in the census, but the
credential behind the DID waits for a registered member's device to sign it. The verifier
refuses a vote with no member-signed credential behind it, so the server refuses it at
once, with the reason, instead of keeping a vote the record would later be refused for.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, settings_for
from tests.identity_web import (
    bearer,
    enrol,
    issue_pending,
    open_ballot,
    register_committee,
    set_up_community,
    sign_in,
)
from web.demo.community import demo_member_keys

SLUG = "queued-1"
REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
1-1-101,90.00,甲某,110101198001010010,13800000001,是,否
1-1-102,80.00,乙某,110101198502020022,13800000002,是,否
"""


def _vote(key: KeyPair, origin: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}},
        key,
    )


def _codes(client: TestClient, committee: dict[str, str]) -> dict[str, str]:
    r = client.post(f"/api/communities/{SLUG}/enrolment-codes", json={}, headers=committee)
    assert r.status_code == 201, r.text
    return {",".join(c["units"]): c["code"] for c in r.json()["codes"]}


def test_a_census_key_with_a_queued_credential_is_refused_until_a_member_signs_it(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = set_up_community(
            client,
            app,
            slug=SLUG,
            name="待签发测试小区",
            street_office="测试街道",
            register=REGISTER,
        )
        register_committee(app, SLUG)
        keys = {unit: KeyPair.generate(KeyType.P256) for unit in ("1-1-101", "1-1-102")}
        for unit, code in _codes(client, committee).items():
            assert enrol(client, app, code, keys[unit]).status_code == 201
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
        votes_url = f"/api/ballots/{ballot['id']}/votes"
        census = client.get(f"/api/ballots/{ballot['id']}/record").json()
        assert keys["1-1-101"].did.value in json.dumps(census)  # the census names the key

        refused = client.post(votes_url, json=_vote(keys["1-1-101"], ballot["origin"]))
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert error["zh"] == "您的业主身份凭证尚待业委会委员签发，暂不能投票"
        assert "not been issued by a committee member" in error["en"]
        # Nothing was kept: the box holds only what opened it.
        assert (
            client.get(f"/api/ballots/{ballot['id']}").json()["participation"]["voted"]["headcount"]
            == 0
        )

        chair = demo_member_keys(tmp_path / "data")[0]
        assert len(issue_pending(client, SLUG, chair, bearer(sign_in(client, chair)))) == 2
        for key in keys.values():
            r = client.post(votes_url, json=_vote(key, ballot["origin"]))
            assert r.status_code == 201, r.text
