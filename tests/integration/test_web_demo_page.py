"""The /demo page (演示): codes for free demo units only, nothing personal shown, a second
demo member's signature, a newly enrolled visitor's vote counted (the demo members attest
the key change), and a 404 on a server that is not a demo. Also /api/v1 and /docs."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from identity.community.models import Person, Unit
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests.e2e.support import running, services_of, settings_for
from web.demo.community import SLUG, demo_keys
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


def test_a_second_demo_member_signs_a_pending_decision(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    committee = identity_web.committee_headers(app, SLUG)
    proposed = client.post("/api/ballots/1/close", json={"early": True}, headers=committee)
    assert proposed.status_code == 202, proposed.text
    decision = proposed.json()
    assert decision["state"] == "pending"
    page = client.get("/demo").text
    assert f'action="/demo/decisions/{decision["id"]}/sign"' in page
    signed = client.post(f"/demo/decisions/{decision['id']}/sign")
    assert signed.status_code == 200, signed.text
    assert 'id="signed"' in signed.text
    after = client.get(f"/api/communities/{SLUG}/decisions/{decision['id']}").json()
    assert len(after["signers"]) == 1 and after["state"] == "pending"  # one more, not all
    client.post(f"/demo/decisions/{decision['id']}/sign")
    assert client.get("/api/ballots/1").json()["status"] == "closed"
    closed = client.post(f"/demo/decisions/{decision['id']}/sign", headers=HTML)
    assert closed.status_code == 409 and "已生效" in closed.text


def test_no_demo_page_on_a_real_server(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with running(settings, demo=False) as (client, _):
        assert client.get("/demo", headers=HTML).status_code == 404
        assert client.post("/demo/owner").status_code == 404
        assert client.post("/demo/decisions/1/sign").status_code == 404


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
