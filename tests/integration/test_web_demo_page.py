"""The /demo page (演示): codes for free demo units only, nothing personal shown, a second
demo member's signature, a newly enrolled visitor's vote counted (the demo members attest
the key change), and a 404 on a server that is not a demo. Also /api/v1 and /docs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from identity.community import issuance
from identity.community.committee import Member, decision_share, registration_hash
from identity.community.models import IssuedCredential, Person, Unit
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests.e2e.support import running, services_of, settings_for
from web.demo.community import SLUG, demo_keys, demo_member_keys
from web.demo.register import demo_register_csv

HTML = {"Accept": "text/html"}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[TestClient, FastAPI]]:
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as pair:
        yield pair


def _issued(page: str) -> tuple[str, str, str]:
    unit = re.search(r'id="issued-unit">([^<]+)<', page)
    code = re.search(r'id="issued-code">([^<]+)<', page)
    link = re.search(r'id="enrol-link"[^>]*href="([^"]+)"', page)
    assert unit and code and link, page[:2000]
    return unit.group(1), code.group(1), link.group(1).replace("&amp;", "&")


def _holder_did(app: FastAPI, unit: str) -> str | None:
    with services_of(app).db.session(write=False) as session:
        person = session.scalar(
            select(Person).join(Unit, Unit.holder_id == Person.id).where(Unit.unit_no == unit)
        )
        assert person is not None
        return person.did


def test_some_demo_holders_are_left_to_enrol(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    keys = demo_keys(services_of(app))
    ballot = client.get("/api/ballots/1").json()
    assert ballot["participation"]["total"]["headcount"] == 193  # the census counts them all
    holders = {k.did.value for k in keys.values()}
    assert 170 <= len(holders) <= 180  # ~1 in 10 single-unit holders have no key
    assert "1-1-101" in keys  # the objector of the demo disclosures keeps hers


def test_the_demo_page_issues_codes_for_free_units_only(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    page = client.get("/demo")
    assert page.status_code == 200 and "演示" in page.text
    assert "text/html" in page.headers["content-type"]
    english = client.get("/demo?lang=en")
    assert "DEMO" in english.text and 'lang="en"' in english.text
    keys = demo_keys(services_of(app))
    units = []
    for _ in range(3):
        unit, code, link = _issued(client.post("/demo/owner").text)
        assert unit not in keys and _holder_did(app, unit) is None
        assert link.startswith("/owner/enrol#code=" + code)
        units.append(unit)
    assert len(set(units)) == 3  # an outstanding code is not handed out twice
    # Nothing personal: no name, ID number or phone of the register on the page.
    shown = client.post("/demo/owner").text + page.text
    for row in csv.DictReader(io.StringIO(demo_register_csv().decode())):
        for field in ("业主姓名", "证件号码", "手机号"):
            assert row[field] not in shown, field


def test_a_visitor_enrols_with_the_demo_code_and_votes(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    unit, code, _ = _issued(client.post("/demo/owner").text)
    key = KeyPair.generate(KeyType.ED25519)
    enrolled = identity_web.enrol(client, app, code, key)
    assert enrolled.status_code in (200, 201), enrolled.text
    assert _holder_did(app, unit) == key.did.value
    origin = client.get("/api/ballots/1").json()["origin"]
    vote = sign_json(
        {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}, key
    )
    # Enrolled after the census froze: the demo members attest the new key, the vote counts.
    r = client.post("/api/v1/ballots/1/votes", json=vote)
    assert r.status_code == 201, r.text
    decided = client.get(f"/api/communities/{SLUG}/decisions").json()
    assert any(d["type"] == "VoterKeyChanged" and d["state"] == "applied" for d in decided)


def test_the_demo_form_says_when_a_units_owner_holds_their_own_key(
    demo: tuple[TestClient, FastAPI],
) -> None:
    """The public page's demo form votes with the server's demo keys; a unit a visitor
    enrolled on their own phone is in the community all the same (it was called "not in the
    demo community")."""
    client, app = demo
    unit, code, _ = _issued(client.post("/demo/owner").text)
    assert identity_web.enrol(client, app, code, KeyPair.generate(KeyType.ED25519)).is_success
    page = client.post("/demo/ballots/1/vote", data={"unit": unit, "item-1": "agree"}).text
    assert f"房号 {unit} 的业主已在自己的手机上登记" in page and "不在演示小区中" not in page
    page = client.post("/demo/ballots/1/vote", data={"unit": "9-9-999", "item-1": "agree"}).text
    assert "房号 9-9-999 不在演示小区中" in page


def _sign_as(client: TestClient, decision_id: int, key: KeyPair) -> dict[str, Any]:
    """`key` signs the whole pending document, as a member's own device would."""
    decision = client.get(f"/api/communities/{SLUG}/decisions/{decision_id}").json()
    proof = decision_share(decision["document"], key, created=datetime.now(UTC))
    signed = client.post(
        f"/api/communities/{SLUG}/decisions/{decision_id}/signatures", json={"proof": proof}
    )
    assert signed.status_code == 200, signed.text
    answer: dict[str, Any] = signed.json()
    return answer


def test_the_demo_member_signs_only_as_the_second(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    committee = identity_web.committee_headers(app, SLUG)
    proposed = client.post("/api/ballots/1/close", json={"early": True}, headers=committee)
    assert proposed.status_code == 202, proposed.text
    decision = proposed.json()
    assert decision["state"] == "pending"
    # Nobody has signed: the demo offers no signature (it would be a first), and refuses one.
    page = client.get("/demo").text
    assert f'action="/demo/decisions/{decision["id"]}/sign"' in page
    assert "须先由一位委员在自己的设备上签署" in page
    assert "BallotResult" not in page and "结束表决并公布结果" in page  # words, not the type
    assert "Close the ballot and publish its result" in client.get("/demo?lang=en").text
    first = client.post(f"/demo/decisions/{decision['id']}/sign", headers=HTML)
    assert first.status_code == 409 and "第二个签名" in first.text
    assert client.get(f"/api/communities/{SLUG}/decisions/{decision['id']}").json()["signers"] == []

    chair = demo_member_keys(identity_web.data_dir_of(app))[0]
    _sign_as(client, decision["id"], chair)
    page = client.get("/demo").text
    assert "以第二位演示委员身份签署" in page
    signed = client.post(f"/demo/decisions/{decision['id']}/sign")
    assert signed.status_code == 200, signed.text
    assert 'id="signed"' in signed.text and "结束表决并公布结果" in signed.text
    after = client.get(f"/api/communities/{SLUG}/decisions/{decision['id']}").json()
    assert len(after["signers"]) == 2 and after["state"] == "applied"
    assert client.get("/api/ballots/1").json()["status"] == "closed"
    again = client.post(f"/demo/decisions/{decision['id']}/sign", headers=HTML)
    assert again.status_code == 409 and "已生效" in again.text


def test_a_second_click_never_signs_a_third_time(demo: tuple[TestClient, FastAPI]) -> None:
    """With a registration of five, two signatures do not decide: the demo still adds no third."""
    client, app = demo
    extra = [KeyPair.generate(KeyType.ED25519) for _ in range(2)]
    identity_web.register_members(client, app, SLUG, [Member(k.did.value, "member") for k in extra])
    committee = identity_web.committee_headers(app, SLUG)
    proposed = client.post("/api/ballots/1/close", json={"early": True}, headers=committee)
    assert proposed.status_code == 202, proposed.text
    decision_id = proposed.json()["id"]
    _sign_as(client, decision_id, extra[0])
    assert client.post(f"/demo/decisions/{decision_id}/sign").status_code == 200
    view = client.get(f"/api/communities/{SLUG}/decisions/{decision_id}").json()
    assert len(view["signers"]) == 2 and view["state"] == "pending"
    assert "已有两个以上签名" in client.get("/demo").text
    third_click = client.post(f"/demo/decisions/{decision_id}/sign")
    assert third_click.status_code == 409
    assert "second" in third_click.json()["error"]["en"]
    assert (
        len(client.get(f"/api/communities/{SLUG}/decisions/{decision_id}").json()["signers"]) == 2
    )


def _device() -> KeyPair:
    return KeyPair.generate(KeyType.P256)


def test_a_visitor_device_becomes_the_chair(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    before = client.get(f"/api/communities/{SLUG}/registrations").json()
    device = _device()
    answer = client.post("/demo/member", json={"did": device.did.value})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["sequence"] == len(before) + 1 and body["needed"] == 2 and body["members"] == 3
    assert body["console"] == f"/communities/{SLUG}/committee/ballots"
    regs = client.get(f"/api/communities/{SLUG}/registrations").json()
    assert len(regs) == len(before) + 1
    members = {m["id"]: m["role"] for m in regs[-1]["credentialSubject"]["members"]}
    a, b, _ = demo_member_keys(identity_web.data_dir_of(app))
    assert members == {device.did.value: "chair", a.did.value: "member", b.did.value: "member"}
    assert registration_hash(regs[-1]) == body["registration"]
    # Asking again for the chair in force changes nothing.
    again = client.post("/demo/member", json={"did": device.did.value})
    assert again.status_code == 200 and again.json() == body
    assert len(client.get(f"/api/communities/{SLUG}/registrations").json()) == len(regs)
    # The device signs in as a committee member, and the owners' page lets it in.
    member = identity_web.bearer(identity_web.sign_in(client, device))
    page = client.get(f"/communities/{SLUG}/committee", headers=HTML | member)
    assert page.status_code == 200
    # A demo member's DID cannot be made chair beside itself.
    refused = client.post("/demo/member", json={"did": a.did.value})
    assert refused.status_code == 400 and refused.json()["error"]["zh"]


def test_a_visitor_device_becomes_the_manager(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    device = _device()
    answer = client.post("/demo/manager", json={"did": device.did.value})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "manager": device.did.value,
        "issued": True,
        "desk": f"/communities/{SLUG}/manager",
    }
    assert _roles(app, device.did.value) == ["propertyManager"]
    again = client.post("/demo/manager", json={"did": device.did.value})
    assert again.status_code == 200 and again.json()["issued"] is False
    assert _roles(app, device.did.value) == ["propertyManager"]  # no second credential
    assert identity_web.sign_in(client, device).status_code == 200


def _roles(app: FastAPI, did: str) -> list[str | None]:
    """The role credentials stored for `did`, revoked ones too."""
    with services_of(app).db.session(write=False) as session:
        rows = session.scalars(
            select(IssuedCredential.role).where(
                IssuedCredential.subject_did == did, IssuedCredential.kind == issuance.ROLE
            )
        )
        return list(rows)


@pytest.mark.parametrize("route", ["/demo/member", "/demo/manager"])
@pytest.mark.parametrize("did", ["did:key:zNotAKey", "did:web:example.com", "", "did:key:"])
def test_a_bad_did_is_refused_in_both_languages(
    demo: tuple[TestClient, FastAPI], route: str, did: str
) -> None:
    client, _ = demo
    before = client.get(f"/api/communities/{SLUG}/registrations").json()
    answer = client.post(route, json={"did": did})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert re.search(r"[\u4e00-\u9fff]", error["zh"])
    assert error["en"] and not re.search(r"[\u4e00-\u9fff]", error["en"])
    assert client.get(f"/api/communities/{SLUG}/registrations").json() == before


def test_the_committee_page_links_to_the_console_sign_in(
    demo: tuple[TestClient, FastAPI],
) -> None:
    client, _ = demo
    page = client.get(f"/communities/{SLUG}/committee", headers=HTML)
    assert page.status_code == 401 and "需要业委会身份" in page.text
    link = re.search(r'id="committee-signin" href="([^"]+)"', page.text)
    assert link and link.group(1) == f"/communities/{SLUG}/committee/ballots"
    assert "/owner/signin" not in page.text
    console = client.get(link.group(1), headers=HTML)
    assert console.status_code == 401 and "console_signin.js" in console.text
    # in English when asked, the switch and the sign-in link keeping the language
    page = client.get(f"/communities/{SLUG}/committee?lang=en", headers=HTML)
    assert page.status_code == 401 and '<html lang="en">' in page.text
    assert "committee credentials required" in page.text and "需要业委会身份" not in page.text
    assert f'href="/communities/{SLUG}/committee/ballots?lang=en"' in page.text
    assert "Sign in as a committee member" in page.text


def test_no_demo_page_on_a_real_server(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, _):
        assert client.get("/demo", headers=HTML).status_code == 404
        assert client.post("/demo/owner").status_code == 404
        assert client.post("/demo/decisions/1/sign").status_code == 404
        did = KeyPair.generate(KeyType.P256).did.value
        for route in ("/demo/member", "/demo/manager"):
            refused = client.post(route, json={"did": did})
            assert refused.status_code == 404 and refused.json()["error"]["zh"] == "演示功能未开启"


def test_the_api_answers_under_v1_too(demo: tuple[TestClient, FastAPI]) -> None:
    client, _ = demo
    for path in ("/ballots/1", f"/communities/{SLUG}", f"/communities/{SLUG}/disclosures"):
        plain, versioned = client.get("/api" + path), client.get("/api/v1" + path)
        assert plain.status_code == versioned.status_code == 200, path
        assert plain.json() == versioned.json()
    assert client.get("/api/v1/ballots/999999").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/ballots/{ballot_id}/votes" in paths
    assert not [p for p in paths if p.startswith("/api/") and not p.startswith("/api/v1/")]
    assert "/ballots/{ballot_id}" in paths  # pages keep their addresses


def test_docs_are_served_by_the_app(demo: tuple[TestClient, FastAPI]) -> None:
    client, _ = demo
    page = client.get("/docs")
    assert page.status_code == 200
    assert "<script>" not in page.text and "cdn" not in page.text.lower()
    assert re.findall(r'src="([^"]+)"', page.text) == [
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/docs.js",
    ]
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404


def _switches(page: str) -> list[str]:
    """Where the page's language switches go: the header's and the page's own."""
    header = re.search(r'id="lang-switch" href="([^"]+)"', page)
    own = re.search(r'<a href="([^"]+)" lang="[^"]+">(?:English|中文)</a> ·', page)
    assert header and own, page[:2000]
    return [header.group(1), own.group(1)]


def test_the_language_switch_on_a_form_answer_opens_the_demo_page(
    demo: tuple[TestClient, FastAPI],
) -> None:
    # The answers of /demo/owner and /demo/decisions/…/sign are at POST-only addresses: a
    # switch relative to them opened a 405.
    client, _ = demo
    assert _switches(client.post("/demo/owner").text) == ["/demo?lang=en"] * 2
    english = client.post("/demo/owner?lang=en").text
    assert _switches(english) == ["/demo"] * 2
    for href in ["/demo?lang=en", "/demo"]:
        assert client.get(href).status_code == 200


def test_the_english_demo_page_names_the_site_in_english(
    demo: tuple[TestClient, FastAPI],
) -> None:
    client, _ = demo
    page = client.get("/demo?lang=en").text
    assert "Gongzhi · owners decide together" in page and "业主共同决定" not in page
    assert "<title>Demo: try every role · Gongzhi</title>" in page
