"""A lost or stolen voting card is revoked exactly like a lost phone (挂失补办): the card's DID
is enrolled through the same code redemption, and the committee's recovery revokes it — its
session ends, it can no longer sign in, and a vote signed with the card is refused — while
the owner takes a new card for a new DID. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from identity.w3c.cardkey import CardCost, open_card, read_card, seal_card
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, settings_for
from tests.identity_web import (
    bearer,
    committee_member,
    enrol,
    issue_pending,
    open_ballot,
    register_committee,
    set_up_community,
    sign_in,
)

SLUG = "meilong-card"
REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
3-1-101,88.00,测甲,110101198001010010,13800000001,是,否
3-1-102,70.00,测乙,110101198502020022,13800000002,是,否
"""
CHEAP = CardCost(log_n=10, r=8, p=1)  # the format is the same at any cost
PIN = "583920"


def _card(client: TestClient, app: Any, code: str) -> str:
    """What the enrolment page does with a card, in Python: a key, its redemption, the card."""
    key = KeyPair.generate(KeyType.P256)
    redeemed = enrol(client, app, code, key)
    assert redeemed.status_code == 201, redeemed.text
    # The card is printed with its community even while the credential waits for a member.
    assert redeemed.json()["pending"] == 1 and redeemed.json()["communities"] == [SLUG]
    return seal_card(key, PIN, SLUG, cost=CHEAP)


def _vote(key: KeyPair, origin: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}},
        key,
    )


def test_a_lost_card_is_revoked_like_a_lost_phone(tmp_path: Path, db_url: str) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = set_up_community(
            client, app, slug=SLUG, name="梅陇卡村", street_office="梅陇街道", register=REGISTER
        )
        register_committee(app, SLUG)
        r = client.post(
            f"/api/communities/{SLUG}/enrolment-codes",
            json={"units": ["3-1-101"]},
            headers=committee,
        )
        assert r.status_code == 201, r.text
        text = _card(client, app, r.json()["codes"][0]["code"])
        member, _ = committee_member(app, SLUG)
        assert len(issue_pending(client, SLUG, member, committee)) == 1

        # Whoever holds the card and its PIN signs in with it, as a phone would.
        card_key = open_card(text, PIN)
        assert card_key.did == read_card(text).did
        session = bearer(sign_in(client, card_key))
        assert client.get("/api/me", headers=session).json()["did"] == card_key.did.value
        ballot = open_ballot(
            client,
            app,
            {
                "matter": 4,
                "title": "续聘物业",
                "text": "是否同意续聘？",
            },
            slug=SLUG,
            headers=committee,
        )

        # The owner reports the card lost; the committee re-checks them and revokes it.
        r = client.post(
            f"/api/communities/{SLUG}/recoveries",
            json={"unit": "3-1-101", "id_number": "110101198001010010"},
            headers=committee,
        )
        assert r.status_code == 201, r.text
        change = r.json()
        assert change["revoked"] and change["enrolment"]["code"]
        assert client.get("/api/me", headers=session).status_code == 401  # its session ended
        assert sign_in(client, card_key).status_code == 401  # the card cannot sign in
        vote = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(card_key, ballot["origin"])
        )
        assert vote.status_code == 400 and "reported lost" in vote.json()["error"]["en"]
        assert "挂失" in vote.json()["error"]["zh"]
        assert client.get(f"/api/ballots/{ballot['id']}").json()["participation"]["voted"] == {
            "area": "0.00",
            "headcount": 0,
        }

        # A new card, for a new key, with the new code; the old card stays revoked.
        new_text = _card(client, app, change["enrolment"]["code"])
        assert read_card(new_text).did != read_card(text).did
        assert len(issue_pending(client, SLUG, member, committee)) == 1
        assert sign_in(client, open_card(new_text, PIN)).status_code == 200
        assert sign_in(client, card_key).status_code == 401
