"""No key on the server speaks for the street office or the committee.

Registrations come from the office, the committee role from the registration in force,
ownership credentials from a registered member's own key; each refusal is bilingual and
stores nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.community.committee import Member
from identity.w3c.credential import sign_credential
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, settings_for
from tests.identity_web import (
    bearer,
    committee_member,
    enrol,
    issue_pending,
    next_registration,
    register_members,
    set_up_community,
    sign_in,
)

SLUG = "kangjian-2"
REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
1-1-101,88.00,测甲,110101198001010010,13800000001,是,否
1-1-102,70.00,测乙,110101198502020022,13800000002,是,否
"""


def _set_up(client: TestClient, app: FastAPI) -> dict[str, str]:
    return set_up_community(
        client, app, slug=SLUG, name="康健二村", street_office="康健街道", register=REGISTER
    )


def _owner_code(client: TestClient, committee: dict[str, str], unit: str) -> str:
    r = client.post(
        f"/api/communities/{SLUG}/enrolment-codes", json={"units": [unit]}, headers=committee
    )
    assert r.status_code == 201, r.text
    code: str = r.json()["codes"][0]["code"]
    return code


def _refusal(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    error: dict[str, str] = response.json()["error"]
    assert error["zh"] and error["en"] and error["zh"] != error["en"]
    return error


def test_the_server_has_no_root_or_committee_key(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, _app):
        info = client.get("/api/identity").json()
        assert "root" not in info
        assert info["status_issuer"] not in info["trusted_roots"]
    names = {p.name for p in (tmp_path / "data").iterdir()}
    assert "root.key" not in names
    assert "status.key" in names


def test_registrations_come_from_the_office_and_make_the_committee(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = _set_up(client, app)
        chain = client.get(f"/api/communities/{SLUG}/registrations").json()
        assert [r["credentialSubject"]["sequence"] for r in chain] == [1]
        keys = client.get(f"/api/communities/{SLUG}/host-keys").json()
        assert chain[0]["credentialSubject"]["server"] == keys
        assert keys["statusIssuer"] == client.get("/api/identity").json()["status_issuer"]

        # Someone else's signature is refused; so is a replay of an old link, or a gap.
        stranger = KeyPair.generate(KeyType.ED25519)
        outsider = KeyPair.generate(KeyType.P256)
        forged = next_registration(
            client, app, SLUG, [Member(outsider.did.value, "member")], office=stranger
        )
        error = _refusal(client.post(f"/api/communities/{SLUG}/registrations", json=forged), 409)
        assert "trusted root" in error["en"]
        assert sign_in(client, outsider).status_code == 401  # not a member: no committee role

        # A new member becomes committee once the office registers them; no credential needed.
        register_members(client, app, SLUG, [Member(outsider.did.value, "viceChair")])
        grants = sign_in(client, outsider).json()["grants"]
        assert grants == [{"community": SLUG, "role": "committee", "position": "viceChair"}]
        assert client.get(f"/api/communities/{SLUG}/owners", headers=committee).status_code == 200

        # A new registration without the first member (换届): their next sign-in is no member.
        first, _ = committee_member(app, SLUG)
        register_members(client, app, SLUG, [Member(outsider.did.value, "chair")], replace=True)
        assert sign_in(client, first).status_code == 401
        assert [
            r["credentialSubject"]["sequence"]
            for r in client.get(f"/api/communities/{SLUG}/registrations").json()
        ] == [1, 2, 3]


def test_ownership_is_issued_by_a_member_and_checked(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = _set_up(client, app)
        member, _ = committee_member(app, SLUG)
        owner = KeyPair.generate(KeyType.P256)
        redeemed = enrol(client, app, _owner_code(client, committee, "1-1-101"), owner)
        assert redeemed.status_code == 201 and redeemed.json()["pending"] == 1
        # Queued: the owner may sign in (to fetch it later) but holds no role yet.
        waiting = sign_in(client, owner)
        assert waiting.status_code == 200 and waiting.json()["grants"] == []

        pending_url = f"/api/communities/{SLUG}/credentials/pending"
        assert client.get(pending_url, params={"issuer": member.did.value}).status_code == 401
        [queued] = client.get(
            pending_url, params={"issuer": member.did.value}, headers=committee
        ).json()
        assert queued["issuer"] == member.did.value and "proof" not in queued
        assert queued["credentialStatus"]["statusListCredential"].endswith(
            f"/api/communities/{SLUG}/status-list"
        )
        post_url = f"/api/communities/{SLUG}/credentials"

        # Refused, nothing stored: a non-member's key; a changed document; a bad signature.
        stranger = KeyPair.generate(KeyType.ED25519)
        theirs = sign_credential(queued | {"issuer": stranger.did.value}, stranger)
        error = _refusal(client.post(post_url, json=[theirs], headers=committee), 400)
        assert "not a member" in error["en"]
        bigger = queued | {
            "credentialSubject": queued["credentialSubject"]
            | {"units": [{"unitId": "1-1-101", "area": "999999"}]}
        }
        error = _refusal(
            client.post(post_url, json=[sign_credential(bigger, member)], headers=committee), 400
        )
        assert "differs from the one queued" in error["en"]
        good = sign_credential(queued, member)
        tampered = good | {"proof": good["proof"] | {"proofValue": "z" + "1" * 86}}
        _refusal(client.post(post_url, json=[tampered], headers=committee), 400)
        assert sign_in(client, owner).json()["grants"] == []

        accepted = client.post(post_url, json=[good], headers=committee)
        assert accepted.status_code == 201 and accepted.json()["accepted"] == [queued["id"]]
        again = client.post(post_url, json=[good], headers=committee)
        assert "not a credential waiting" in _refusal(again, 400)["en"]
        grants = bearer(sign_in(client, owner))
        mine = client.get("/api/me/credentials", headers=grants).json()
        assert mine["credentials"] == [good] and mine["pending"] == 0


def test_a_credential_signed_outside_the_registration_is_refused_at_sign_in(
    tmp_path: Path,
) -> None:
    """A key that signs an ownership credential for an owner without being a registered
    member — the operator's own, say — gives no vote: sign-in refuses it."""
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = _set_up(client, app)
        member, _ = committee_member(app, SLUG)
        owner = KeyPair.generate(KeyType.ED25519)
        enrol(client, app, _owner_code(client, committee, "1-1-102"), owner)
        [queued] = client.get(
            f"/api/communities/{SLUG}/credentials/pending",
            params={"issuer": member.did.value},
            headers=committee,
        ).json()
        operator_key = KeyPair.generate(KeyType.ED25519)
        forged = sign_credential(queued | {"issuer": operator_key.did.value}, operator_key)
        refused = sign_in(client, owner, credentials=[forged])
        assert refused.status_code == 401
        assert "not a registered committee member" in refused.json()["error"]["en"]
        assert issue_pending(client, SLUG, member, committee) == [queued["id"]]
        signed = sign_in(client, owner)
        assert [g["role"] for g in signed.json()["grants"]] == ["owner"]
