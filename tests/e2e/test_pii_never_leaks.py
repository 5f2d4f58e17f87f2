"""Personal data never leaves the encrypted columns: not in a response, a log line, the
ledger, the database in clear, or the chain's files.

The register is seeded with known names, ID numbers and phone numbers; the whole flow runs
over HTTP (set-up, register import, enrolment codes, enrolment, sign-in by bearer and by
cookie, a ballot with votes, a sale to a new buyer, a holder change, a lost phone, close,
record export) and then every GET route the app has, public or the committee's. Every
response body and every log record (DEBUG and up, all loggers) is captured and searched for
each seeded value; so are every row of every table and every file in the data folder. The
encrypted columns are decrypted at the end to show the values were there to find.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from identity.community.models import Person
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.support import running, services_of, settings_for
from tests.identity_web import (
    bearer,
    close_ballot,
    enrol,
    new_member,
    open_ballot,
    operator_headers,
    register_committee,
    sign_in,
)
from web.server.db import METADATA

SLUG = "privacy-1"
OWNERS = [
    # name, ID number, phone, units, holder of each
    ("诸葛青松", "110105196502173818", "13911112222"),
    ("司徒海棠", "11010519780321442X", "13722223333"),
    ("上官明月", "110105198209305526", "13633334444"),
    ("慕容秋水", "110105199001016631", "13544445555"),
    ("欧阳晨曦", "110105199212127745", "13455556666"),
]
BUYER = ("端木朝阳", "110105200001018851", "13366667777")
REGISTER_ROWS = [
    ("5-1-101", "88.10", 0, "是"),
    ("5-1-102", "66.20", 0, "是"),
    ("5-1-201", "120.00", 1, "是"),
    ("5-1-201", "120.00", 2, "否"),
    ("5-1-202", "90.00", 3, ""),
    ("5-1-301", "90.00", 4, ""),
]


def _register(rows: list[tuple[str, str, int, str]]) -> bytes:
    lines = ["房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有"]
    for unit, area, who, holder in rows:
        name, id_number, phone = OWNERS[who]
        lines.append(f"{unit},{area},{name},{id_number},{phone},{holder},否")
    return ("\n".join(lines) + "\n").encode()


def _secrets() -> list[str]:
    values = [v for owner in (*OWNERS, BUYER) for v in owner]
    # The register also accepts lower-case x in ID numbers; and spaced-out phone numbers
    # would still be personal, but these are what the tests seed.
    return [*values, *(v.lower() for v in values if v.endswith("X"))]


def _forms(value: str) -> list[bytes]:
    """The byte forms a value could take in a body or a file: UTF-8 and JSON-escaped."""
    escaped = json.dumps(value)[1:-1]
    forms = {value.encode(), escaped.encode()}
    return sorted(forms)


def _leaks(blob: bytes) -> list[str]:
    return [v for v in _secrets() if any(form in blob for form in _forms(v))]


class Recorder:
    """Keeps every response body the client receives, with what was asked."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, bytes]] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.bodies.append((f"{response.request.method} {response.request.url}", response.content))


def _client(app: FastAPI, recorder: Recorder, base_url: str = "http://testserver") -> TestClient:
    client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
    client.event_hooks = {"request": [], "response": [recorder]}
    return client


def _vote(key: KeyPair, origin: str, choice: str) -> dict[str, Any]:
    return sign_json(
        {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": choice}}, key
    )


def _flow(app: FastAPI, client: TestClient, browser: TestClient) -> dict[str, str]:
    r = client.post(
        "/api/communities",
        json={"slug": SLUG, "name": "隐私测试小区", "street_office": "某街道"},
        headers=operator_headers(app),
    )
    assert r.status_code == 201, r.text
    member_key, committee = new_member(client, app, SLUG)
    # A register with an error first: refused, and the refusal names no one.
    bad = _register([("5-1-101", "-1", 0, "是"), *REGISTER_ROWS[1:]])
    r = client.post(f"/api/communities/{SLUG}/register", content=bad, headers=committee)
    assert r.status_code == 400
    r = client.post(
        f"/api/communities/{SLUG}/register", content=_register(REGISTER_ROWS), headers=committee
    )
    assert r.status_code == 200, r.text
    register_committee(app, SLUG)  # the (demo) office registers the committee that decides
    codes = client.post(
        f"/api/communities/{SLUG}/enrolment-codes", json={}, headers=committee
    ).json()["codes"]
    keys: dict[str, KeyPair] = {}
    for code in codes:
        key = KeyPair.generate(KeyType.P256)
        assert enrol(client, app, code["code"], key).status_code == 201
        keys[code["units"][0]] = key
    owner = bearer(sign_in(client, keys["5-1-101"]))
    assert sign_in(browser, member_key, session="cookie").status_code == 200
    client.get("/api/me", headers=owner)
    client.get("/api/me/credentials", headers=owner)
    browser.get("/api/me")
    browser.get(f"/communities/{SLUG}/committee")

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
    for unit, choice in (("5-1-101", "agree"), ("5-1-201", "agree"), ("5-1-202", "oppose")):
        r = client.post(
            f"/api/ballots/{ballot['id']}/votes", json=_vote(keys[unit], ballot["origin"], choice)
        )
        assert r.status_code == 201, r.text

    # The committee's owner tools, each given personal data, answer without repeating it.
    name, id_number, phone = BUYER
    r = client.post(
        f"/api/communities/{SLUG}/transfers",
        json={
            "unit": "5-1-301",
            "buyers": [{"name": name, "id_number": id_number, "phone": phone}],
        },
        headers=committee,
    )
    assert r.status_code == 201, r.text
    r = client.put(
        f"/api/communities/{SLUG}/units/5-1-201/holder",
        json={"id_number": OWNERS[2][1]},
        headers=committee,
    )
    assert r.status_code == 200, r.text
    for unit, who in (("5-1-102", OWNERS[0][1]), ("5-1-101", OWNERS[3][1])):  # right, wrong
        client.post(
            f"/api/communities/{SLUG}/recoveries",
            json={"unit": unit, "id_number": who},
            headers=committee,
        )
    client.put(  # not a co-owner: refused, without echo
        f"/api/communities/{SLUG}/units/5-1-202/holder",
        json={"id_number": OWNERS[1][1]},
        headers=committee,
    )
    close_ballot(client, app, ballot["id"], slug=SLUG, headers=committee)
    client.post("/api/auth/sign-out", headers=owner)
    return {
        "slug": SLUG,
        "ballot_id": str(ballot["id"]),
        "id": str(ballot["id"]),
        "unit": "5-1-201",
        "member": member_key.did.value,
        **{k: v for k, v in committee.items()},
    }


def _endless(operation: dict[str, Any]) -> bool:
    """An event stream never ends, and the in-process client waits for a whole body. What it
    sends is the ballot's public JSON, which the GET of the ballot itself covers here."""
    ok = operation.get("responses", {}).get("200", {})
    return "text/event-stream" in ok.get("content", {})


def _every_get(app: FastAPI, client: TestClient, params: dict[str, str]) -> int:
    """GET every route of the app, public and as the committee; returns how many."""
    committee = {"Authorization": params["Authorization"]}
    count = 0
    for template, operations in app.openapi()["paths"].items():
        if "get" not in operations or _endless(operations["get"]):
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: params.get(m.group(1), "1"), template)
        for headers in ({}, committee):
            client.get(path, headers=headers)
            count += 1
    return count


def test_personal_data_never_leaks(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    settings = settings_for(data, db_url=db_url, anvil_url=None)
    recorder = Recorder()
    with running(settings, demo=True) as (_, app):
        client = _client(app, recorder)
        browser = _client(app, recorder, base_url="https://gongzhi.test")
        params = _flow(app, client, browser)
        gets = _every_get(app, client, params)
        for path in ("/", f"/ballots/{params['ballot_id']}", f"/communities/{SLUG}/committee"):
            assert browser.get(path).status_code == 200
        sheet = browser.post(f"/communities/{SLUG}/enrolment-sheet", data={"units": "5-1-301"})
        assert sheet.status_code == 200 and "<svg" in sheet.text
        services = services_of(app)
        # The values are really there, encrypted: this is what makes the search meaningful.
        with services.db.session() as session:
            people = session.scalars(
                select(Person).where(
                    Person.id_lookup.in_(
                        [services.cipher.lookup(o[1], field="id_number") for o in (*OWNERS, BUYER)]
                    )
                )
            ).all()
            clear = {services.cipher.decrypt(p.name_enc, field="name") for p in people}
            assert clear == {o[0] for o in (*OWNERS, BUYER)}
            rows: list[bytes] = []
            for metadata in METADATA:
                for table in metadata.sorted_tables:
                    for row in session.execute(select(table)):
                        for value in row:
                            if isinstance(value, memoryview):
                                value = bytes(value)
                            rows.append(
                                value
                                if isinstance(value, bytes)
                                else json.dumps(value, ensure_ascii=False, default=str).encode()
                            )
    assert gets > 20 and len(recorder.bodies) > 60

    leaks = [(where, _leaks(body)) for where, body in recorder.bodies]
    assert [leak for leak in leaks if leak[1]] == []
    logged = [caplog.text.encode()]
    formatter = logging.Formatter()
    logged += [formatter.format(record).encode() for record in caplog.records]
    assert caplog.records, "the flow should have logged something"
    assert [_leaks(line) for line in logged if _leaks(line)] == []
    assert [_leaks(value) for value in rows if _leaks(value)] == []
    for file in sorted(p for p in data.rglob("*") if p.is_file()):  # SQLite files, chain state
        assert _leaks(file.read_bytes()) == [], file
