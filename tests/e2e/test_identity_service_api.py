"""The identity API over HTTP, on SQLite and PostgreSQL: set up, enrol, sign in, vote, recover.

A community is set up by the operator, its first committee member bootstrapped with a member
code, the register uploaded by that member, owners enrolled with their codes on "devices"
(keys made in the test), signed in by cookie and by bearer token; roles are enforced; a lost
phone stops the old key from voting while the ballot it already cast stays in the record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from identity.community import issuance
from identity.community.models import AuthSession, EnrolmentCode, IssuedCredential, Person
from identity.community.trust import verify_chain
from identity.w3c.credential import load_status_list, sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from identity.w3c.xsdtime import parse
from tests.e2e.support import committee_headers, running, services_of, settings_for
from tests.identity_web import (
    announce_ballot,
    announced_body,
    bearer,
    committee_member,
    data_dir_of,
    decide,
    enrol,
    issue_pending,
    new_member,
    office_of,
    open_ballot,
    presentation,
    register_committee,
    set_up_community,
    sign_in,
)
from web.api import identity as api_identity

SLUG = "meilong-3"
REGISTER = """房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有
2-1-101,88.00,测甲,110101198001010010,13800000001,是,否
2-1-102,70.00,测甲,110101198001010010,13800000001,是,否
2-1-201,95.50,测乙,110101198502020022,13800000002,是,否
2-1-201,95.50,测丙,110101198603030035,13800000003,否,否
2-1-202,60.00,测丁,110101199004040041,13800000004,,否
2-1-301,60.00,测戊,110101199505050053,13800000005,,否
"""


def _set_up(client: TestClient, app: FastAPI) -> dict[str, str]:
    committee = set_up_community(
        client, app, slug=SLUG, name="梅陇三村", street_office="梅陇街道", register=REGISTER
    )
    register_committee(app, SLUG)  # the (demo) office registers the committee that decides
    return committee


def _codes(client: TestClient, committee: dict[str, str], **body: Any) -> dict[str, str]:
    r = client.post(f"/api/communities/{SLUG}/enrolment-codes", json=body, headers=committee)
    assert r.status_code == 201, r.text
    return {",".join(c["units"]): c["code"] for c in r.json()["codes"]}


def _vote(key: KeyPair, origin: str, choice: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": choice}}, key
    )


def test_enrol_sign_in_vote_and_recover(tmp_path: Path, db_url: str) -> None:
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = _set_up(client, app)
        codes = _codes(client, committee)
        assert set(codes) == {"2-1-101,2-1-102", "2-1-201", "2-1-202", "2-1-301"}
        for code in codes.values():
            assert code not in json.dumps(client.get(f"/api/communities/{SLUG}").json())

        # The printable QR code, as SVG and PNG.
        qr = client.post(
            f"/api/communities/{SLUG}/enrolment-codes/qr",
            json={"code": codes["2-1-202"]},
            headers=committee,
        )
        assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
        assert qr.content.startswith(b"<svg")
        png = client.post(
            f"/api/communities/{SLUG}/enrolment-codes/qr",
            json={"code": codes["2-1-202"].lower(), "format": "png"},
            headers=committee,
        )
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")

        # Owners enrol on their devices: P-256 (a browser) and Ed25519.
        alice = KeyPair.generate(KeyType.P256)
        r = enrol(client, app, codes["2-1-101,2-1-102"], alice)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["did"] == alice.did.value
        # Queued: no credential until a registered member's key signs it (等待业委会签发).
        assert body["credentials"] == [] and body["pending"] == 1
        member, _ = committee_member(app, SLUG)
        assert len(issue_pending(client, SLUG, member, committee)) == 1
        owner = bearer(sign_in(client, alice))
        body = client.get("/api/me/credentials", headers=owner).json()
        assert body["pending"] == 0
        [credential] = body["credentials"]
        assert credential["issuer"] == member.did.value  # the member's own key, not the server's
        assert [u["unitId"] for u in credential["credentialSubject"]["units"]] == [
            "2-1-101",
            "2-1-102",
        ]
        # An outside verifier needs only what the server publishes. The lists are signed when
        # fetched, here by a server whose clock runs 2 s ahead: the verifier judges everything
        # at the latest validFrom it was handed, not at a time it read before fetching (which
        # made this test fail with NotYetValid whenever a second ticked in between).
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(api_identity, "_now", lambda: datetime.now(UTC) + timedelta(seconds=2))
            lists = {url: client.get(url).json() for url in body["status_lists"]}
        documents = [credential, *body["chain"], *lists.values()]
        now = max(parse(d["validFrom"], field="validFrom") for d in documents)
        published = {url: load_status_list(doc, now=now) for url, doc in lists.items()}
        assert len(published) == 1  # the community's list, signed by the server's status key
        roots = client.get("/api/identity").json()["trusted_roots"]
        verified = verify_chain(
            credential,
            trusted_roots=set(roots),
            chain=body["chain"],
            now=now,
            status_lookup=published.__getitem__,
        )
        assert verified.claim.community_id == SLUG
        bob = KeyPair.generate(KeyType.ED25519)
        assert enrol(client, app, codes["2-1-202"], bob).status_code == 201
        assert len(issue_pending(client, SLUG, member, committee)) == 1
        again = enrol(client, app, codes["2-1-202"], KeyPair.generate(KeyType.ED25519))
        assert again.status_code == 400 and "used already" in again.json()["error"]["en"]

        # Roles: the public gets 401, an owner 403, on committee routes.
        me = client.get("/api/me", headers=owner).json()
        assert me["did"] == alice.did.value and me["grants"][0]["role"] == "owner"
        assert client.get(f"/api/communities/{SLUG}/owners").status_code == 401
        assert client.get(f"/api/communities/{SLUG}/owners", headers=owner).status_code == 403
        owners = client.get(f"/api/communities/{SLUG}/owners", headers=committee).json()
        assert {o["unit"]: o["enrolled"] for o in owners} == {
            "2-1-101": True,
            "2-1-102": True,
            "2-1-201": False,
            "2-1-202": True,
            "2-1-301": False,
        }
        assert client.get("/api/me/credentials", headers=owner).json()["credentials"] == [
            credential
        ]

        # A ballot, announced and opened by the committee; both owners vote with signed votes.
        body = {"matter": 4, "title": "续聘物业", "text": "是否同意续聘？"}
        r = client.post(
            f"/api/communities/{SLUG}/ballots",
            json=announced_body(body, datetime.now(UTC)),
            headers=owner,
        )
        assert r.status_code == 403
        ballot = announce_ballot(client, app, body, slug=SLUG, headers=committee)
        early = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(alice, ballot["origin"], "agree")
        )
        assert early.status_code == 409 and "not open yet" in early.json()["error"]["en"]
        opening = client.post(f"/api/ballots/{ballot['id']}/open", headers=committee)
        assert opening.status_code == 202, opening.text
        decide(client, data_dir_of(app), SLUG, opening.json())
        assert client.get(f"/api/ballots/{ballot['id']}").json()["status"] == "open"
        r = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(alice, ballot["origin"], "agree")
        )
        assert r.status_code == 201, r.text

        # Alice loses her phone before Bob votes: the committee re-checks her and re-issues.
        r = client.post(
            f"/api/communities/{SLUG}/recoveries",
            json={"unit": "2-1-102", "id_number": "110101198502020022"},  # not hers
            headers=committee,
        )
        assert r.status_code == 400 and "110101198502020022" not in r.text
        r = client.post(
            f"/api/communities/{SLUG}/recoveries",
            json={"unit": "2-1-102", "id_number": "110101198001010010"},
            headers=committee,
        )
        assert r.status_code == 201, r.text
        change = r.json()
        assert change["revoked"] == [credential["id"]] and change["enrolment"]["code"]
        assert client.get("/api/me", headers=owner).status_code == 401  # her session ended
        lost = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(bob, ballot["origin"], "oppose")
        )
        assert lost.status_code == 201  # Bob is unaffected
        stolen = KeyPair.generate(KeyType.ED25519)
        assert enrol(client, app, change["enrolment"]["code"], stolen).status_code == 201
        refused = sign_in(client, alice)
        assert refused.status_code == 401
        assert "revoked" in refused.text or "holds no credential" in refused.text

        r = client.post(
            f"/api/ballots/{ballot['id']}/close", json={"early": True}, headers=committee
        )
        assert r.status_code == 202, r.text
        assert r.json()["type"] == "BallotResult" and r.json()["state"] == "pending"
        decide(client, data_dir_of(app), SLUG, r.json())
        assert client.get(f"/api/ballots/{ballot['id']}").json()["status"] == "closed"
        record = client.get(f"/api/ballots/{ballot['id']}/record").json()
        votes = [v for v in map(json.loads, record["entries"]) if v["type"] == "Vote"]
        assert [v["voter"] for v in votes] == [alice.did.value, bob.did.value]  # still hers


def test_lost_key_cannot_vote_in_an_open_ballot(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = _set_up(client, app)
        codes = _codes(client, committee)
        carol = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, codes["2-1-301"], carol).status_code == 201
        now = datetime.now(UTC)
        ballot = open_ballot(
            client,
            app,
            {
                "matter": 4,
                "title": "续聘物业",
                "text": "是否同意续聘？",
                "opens_at": (now - timedelta(minutes=1)).isoformat(),
                "closes_at": (now + timedelta(days=1)).isoformat(),
            },
            slug=SLUG,
            headers=committee,
        )
        r = client.post(
            f"/api/communities/{SLUG}/recoveries",
            json={"unit": "2-1-301", "id_number": "110101199505050053"},
            headers=committee,
        )
        assert r.status_code == 201
        vote = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(carol, ballot["origin"], "agree")
        )
        assert vote.status_code == 400 and "reported lost" in vote.json()["error"]["en"]
        assert (
            client.get(f"/api/ballots/{ballot['id']}").json()["participation"]["voted"]["headcount"]
            == 0
        )


def test_browser_session_cookie(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (plain, app):
        committee = _set_up(plain, app)
        code = _codes(plain, committee, units=["2-1-201"])["2-1-201"]
        key = KeyPair.generate(KeyType.P256)
        assert enrol(plain, app, code, key).status_code == 201
        browser = TestClient(app, base_url="https://gongzhi.test")
        r = sign_in(browser, key, session="cookie")
        assert r.status_code == 200 and r.json()["token"] is None
        cookie = r.headers["set-cookie"]
        for attribute in ("gongzhi_session=", "HttpOnly", "SameSite=strict", "Secure", "Path=/"):
            assert attribute.lower() in cookie.lower()
        assert browser.get("/api/me").json()["via"] == "cookie"
        # A cross-site request carrying the cookie is refused; the same site's is not.
        evil = browser.post("/api/auth/challenge", headers={"Origin": "https://evil.test"})
        assert evil.status_code == 200  # no session needed there, so nothing to refuse
        r = browser.post(
            f"/api/communities/{SLUG}/transfers",
            json={"unit": "2-1-201", "buyers": [{"name": "某", "id_number": "110101200001010061"}]},
            headers={"Origin": "https://evil.test"},
        )
        assert r.status_code == 403 and "cross-site" in r.json()["error"]["en"]
        # Over plain http the browser does not send the Secure cookie at all.
        assert browser.get("http://gongzhi.test/api/me").status_code == 401
        out = browser.post("/api/auth/sign-out", headers={"Origin": "https://gongzhi.test"})
        assert out.status_code == 204
        assert browser.get("/api/me").status_code == 401
        with services_of(app).db.session() as s:
            assert s.scalar(select(func.count()).where(AuthSession.revoked_at.is_(None))) == 1


def test_committee_tools_transfer_and_holder(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = _set_up(client, app)
        codes = _codes(client, committee)
        seller = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, codes["2-1-101,2-1-102"], seller).status_code == 201
        member, _ = committee_member(app, SLUG)
        assert len(issue_pending(client, SLUG, member, committee)) == 1
        r = client.post(
            f"/api/communities/{SLUG}/transfers",
            json={
                "unit": "2-1-102",
                "buyers": [
                    {"name": "新甲", "id_number": "11010119990101007X", "phone": "13900000007"},
                    {"name": "新乙", "id_number": "110101199901010088"},
                ],
                "holder": 1,
            },
            headers=committee,
        )
        assert r.status_code == 201, r.text
        change = r.json()
        assert len(change["revoked"]) == 1 and len(change["issued"]) == 1
        assert change["enrolment"]["units"] == ["2-1-102"]
        assert issue_pending(client, SLUG, member, committee) == change["issued"]
        mine = client.get("/api/me/credentials", headers=bearer(sign_in(client, seller))).json()
        assert [u["unitId"] for u in mine["credentials"][0]["credentialSubject"]["units"]] == [
            "2-1-101"
        ]
        # The co-owners of 2-1-201 move the vote from 测乙 to 测丙 (not enrolled yet: a code).
        r = client.put(
            f"/api/communities/{SLUG}/units/2-1-201/holder",
            json={"id_number": "110101198603030035"},
            headers=committee,
        )
        assert r.status_code == 200 and r.json()["enrolment"]["units"] == ["2-1-201"]
        listed = client.get(f"/api/communities/{SLUG}/credentials", headers=committee).json()
        reasons = {c["reason"] for c in listed if c["revoked"]}
        assert reasons == {"transferred"}
        # Staff roles come from the street office's signature, not from anyone else's.
        auditor = KeyPair.generate(KeyType.ED25519)
        now = datetime.now(UTC).replace(microsecond=0)

        def role(signer: KeyPair) -> dict[str, Any]:
            unsigned = issuance.role_credential(
                root=signer.did.value,
                holder=auditor.did.value,
                community_id=SLUG,
                role="auditor",
                valid_from=now,
            )
            return sign_credential(unsigned, signer, created=now)

        forged = client.post(f"/api/communities/{SLUG}/roles", json=role(member))
        assert forged.status_code == 400 and "not a trusted root" in forged.json()["error"]["en"]
        assert sign_in(client, auditor).status_code == 401
        r = client.post(f"/api/communities/{SLUG}/roles", json=role(office_of(app)))
        assert r.status_code == 201, r.text
        assert sign_in(client, auditor).json()["grants"] == [{"community": SLUG, "role": "auditor"}]
        # The committee's pages: owner list and a printable sheet with inline QR codes.
        browser = TestClient(app, base_url="https://gongzhi.test")
        member_key, _ = new_member(client, app, SLUG)
        assert sign_in(browser, member_key, session="cookie").status_code == 200
        page = browser.get(f"/communities/{SLUG}/committee")
        assert page.status_code == 200 and "2-1-301" in page.text
        sheet = browser.post(f"/communities/{SLUG}/enrolment-sheet", data={"units": "2-1-301"})
        assert sheet.status_code == 200 and sheet.text.count("<svg") == 1
        assert "测戊" not in sheet.text and "110101199505050053" not in sheet.text
        assert "业主登记码" in sheet.text and "Enrolment" not in sheet.text
        # the sheet in the language of the page it was asked from (the code made anew)
        sheet = browser.post(
            f"/communities/{SLUG}/enrolment-sheet?lang=en", data={"units": "2-1-301"}
        )
        assert sheet.status_code == 200 and '<html lang="en">' in sheet.text
        assert "enrolment code" in sheet.text and "Units: 2-1-301" in sheet.text
        for word in ("业主登记码", "房号", "北京时间", "登记码只显示这一次"):
            assert word not in sheet.text, word
        assert TestClient(app).get(f"/communities/{SLUG}/committee").status_code == 401


def _counts(app: FastAPI) -> tuple[int, ...]:
    with services_of(app).db.session() as s:
        return (
            int(s.scalar(select(func.count()).select_from(IssuedCredential)) or 0),
            int(s.scalar(select(func.count()).where(EnrolmentCode.used_at.is_not(None))) or 0),
            int(s.scalar(select(func.count()).where(Person.did.is_not(None))) or 0),
            int(s.scalar(select(func.count()).select_from(AuthSession)) or 0),
        )


def test_bad_input_is_refused_clearly_and_changes_nothing(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, app):
        committee = _set_up(client, app)
        code = _codes(client, committee)["2-1-202"]
        key = KeyPair.generate(KeyType.P256)
        domain = client.get("/api/identity").json()["domain"]
        good = sign_json(
            {"type": "EnrolmentRedemption", "code": code, "holder": key.did.value},
            key,
            proof_purpose="authentication",
            domain=domain,
        )
        challenge = client.post("/api/auth/challenge").json()["challenge"]
        vp = presentation(key, challenge, domain=domain)
        cases: list[tuple[str, str, Any]] = [
            ("/api/enrolment/redeem", "raw", b"not json"),
            ("/api/enrolment/redeem", "json", []),
            ("/api/enrolment/redeem", "json", {}),
            ("/api/enrolment/redeem", "json", {**good, "code": "12345"}),
            ("/api/enrolment/redeem", "json", {**good, "holder": "did:key:zNOPE"}),
            ("/api/enrolment/redeem", "json", {**good, "holder": 5}),
            ("/api/enrolment/redeem", "json", {k: v for k, v in good.items() if k != "proof"}),
            ("/api/enrolment/redeem", "json", {**good, "proof": {"type": "x"}}),
            ("/api/enrolment/redeem", "json", {**good, "proof": [good["proof"]]}),
            ("/api/auth/sign-in", "json", {}),
            ("/api/auth/sign-in", "json", {"presentation": "x"}),
            ("/api/auth/sign-in", "json", {"presentation": {}}),
            ("/api/auth/sign-in", "json", {"presentation": vp, "session": "forever"}),
            ("/api/auth/sign-in", "json", {"presentation": {**vp, "holder": "did:key:zX"}}),
            ("/api/auth/sign-in", "json", {"presentation": {**vp, "type": ["Nope"]}}),
            (
                "/api/auth/sign-in",
                "json",
                {"presentation": {**vp, "proof": {**vp["proof"], "challenge": "v1.a.1.b"}}},
            ),
            (
                "/api/auth/sign-in",
                "json",
                {"presentation": {**vp, "proof": {**vp["proof"], "domain": "https://x.test"}}},
            ),
            (
                "/api/auth/sign-in",
                "json",
                {"presentation": {**vp, "verifiableCredential": ["not a credential"]}},
            ),
        ]
        before = _counts(app)
        for path, kind, payload in cases:
            r = (
                client.post(path, content=payload, headers={"Content-Type": "application/json"})
                if kind == "raw"
                else client.post(path, json=payload)
            )
            assert 400 <= r.status_code < 500, (path, payload, r.status_code, r.text)
            error = r.json()["error"]
            assert error["zh"] and error["en"] and error["zh"] != error["en"], error
        committee_cases: list[tuple[str, str, Any]] = [
            ("post", f"/api/communities/{SLUG}/member-codes", {"role": "king"}),
            ("post", f"/api/communities/{SLUG}/enrolment-codes", {"units": ["9-9-9"]}),
            ("post", f"/api/communities/{SLUG}/enrolment-codes", {"valid_days": 0}),
            ("post", f"/api/communities/{SLUG}/enrolment-codes/qr", {"code": "bad"}),
            ("post", f"/api/communities/{SLUG}/enrolment-codes/qr", {"code": "A" * 20}),
            ("post", f"/api/communities/{SLUG}/transfers", {"unit": "9-9-9", "buyers": []}),
            (
                "post",
                f"/api/communities/{SLUG}/transfers",
                {"unit": "2-1-301", "buyers": [{"name": "x", "id_number": "1"}], "holder": 3},
            ),
            (
                "post",
                f"/api/communities/{SLUG}/transfers",
                {"unit": "2-1-301", "buyers": [{"name": "x", "id_number": "!!!!!!!!"}]},
            ),
            ("post", f"/api/communities/{SLUG}/recoveries", {"unit": "2-1-301"}),
            ("post", f"/api/communities/{SLUG}/recoveries", {"unit": "x", "id_number": "1"}),
            ("put", f"/api/communities/{SLUG}/units/2-1-301/holder", {"id_number": "1"}),
            ("post", f"/api/communities/{SLUG}/revocations", {"credential_id": "urn:x"}),
            ("post", "/api/communities/nowhere/enrolment-codes", {}),
        ]
        for method, path, payload in committee_cases:
            r = client.request(method, path, json=payload, headers=committee)
            assert 400 <= r.status_code < 500, (path, payload, r.status_code, r.text)
            assert r.json()["error"]["zh"] and r.json()["error"]["en"]
        assert _counts(app) == before
        # …and the good answers still work afterwards: nothing was consumed.
        assert client.post("/api/enrolment/redeem", json=good).status_code == 201
        ok = client.post("/api/auth/sign-in", json={"presentation": vp, "session": "bearer"})
        assert ok.status_code == 200, ok.text
        replay = client.post("/api/auth/sign-in", json={"presentation": vp})
        assert replay.status_code == 401 and "used already" in replay.json()["error"]["en"]


def test_demo_owners_get_credentials_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=True) as (client, app):
        committee = committee_headers(app)
        issued = client.get("/api/communities/xianxia-demo/credentials", headers=committee).json()
        owners = [c for c in issued if c["kind"] == "ownership"]
        assert len(owners) == len({c["subject"] for c in owners}) > 100
        r = client.post(
            "/api/communities/xianxia-demo/revocations",
            json={"credential_id": owners[0]["id"], "reason": "suspended"},
            headers=committee,
        )
        assert r.status_code == 200 and r.json()["revoked"]
    with running(settings, demo=True) as (client, app):  # a restart issues nothing new
        again = client.get(
            "/api/communities/xianxia-demo/credentials", headers=committee_headers(app)
        ).json()
        assert [c["id"] for c in again if c["kind"] == "ownership"] == [c["id"] for c in owners]
        assert [c["reason"] for c in again if c["id"] == owners[0]["id"]] == ["suspended"]
