"""The API's contract, as a client relies on it: integers bounded in the schema (never a 500),
stored times in UTC with their offset, each error's status said explicitly, validation errors
in Chinese too, and an OpenAPI document that declares the error bodies actually sent."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import identity_web
from tests.e2e.support import live_server, running, settings_for
from web.demo.community import SLUG

HUGE = 2**63  # one past SQL BIGINT: reached the driver and overflowed before the bounds
DISC = f"/api/communities/{SLUG}/disclosures"
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, FastAPI]]:
    data = tmp_path_factory.mktemp("contract") / "data"
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, app):
        yield client, app


# Every integer a client can put in a path or a query (finding: 14 of them answered 500).
INTEGER_INPUTS = [
    ("GET", f"/api/ballots/{HUGE}"),
    ("POST", f"/api/ballots/{HUGE}/votes"),
    ("POST", f"/api/ballots/{HUGE}/close"),
    ("GET", f"/api/ballots/{HUGE}/record"),
    ("GET", f"/api/ballots/{HUGE}/pending"),
    ("GET", f"/api/ballots/{HUGE}/proof?index=0"),
    ("GET", f"/api/ballots/1/proof?index={HUGE}"),
    ("GET", f"/api/ballots/1/proof?index=0&size={HUGE}"),
    ("GET", f"/api/ballots/1/proof?index=0&since={HUGE}"),
    ("GET", f"{DISC}/entries?start={HUGE}"),
    ("GET", f"{DISC}/entries/{HUGE}"),
    ("GET", f"{DISC}/checkpoints?after={HUGE}"),
    ("POST", f"{DISC}/checkpoints/{HUGE}/cosignatures"),
    ("GET", f"{DISC}/proofs/inclusion?index={HUGE}"),
    ("GET", f"{DISC}/proofs/inclusion?index=0&size={HUGE}"),
    ("GET", f"{DISC}/proofs/consistency?old={HUGE}"),
    ("GET", f"{DISC}/proofs/consistency?old=1&new={HUGE}"),
    ("GET", f"/ballots/{HUGE}"),
    ("POST", f"/demo/ballots/{HUGE}/vote"),
    ("GET", f"/owner/ballots/{HUGE}"),
]


def _bilingual_refusal(response: Any) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.text[:300])
    error: dict[str, str] = response.json()["error"]
    assert error["zh"] and error["en"] and error["message"] == f"{error['zh']} / {error['en']}"
    return error


@pytest.mark.parametrize(("method", "url"), INTEGER_INPUTS)
def test_an_integer_beyond_64_bits_is_refused_in_the_schema(
    demo: tuple[TestClient, FastAPI], method: str, url: str
) -> None:
    client, app = demo
    headers = {**identity_web.committee_headers(app, SLUG), "Accept": "application/json"}
    body: dict[str, Any] = {"line": "x"} if "cosignatures" in url else {}
    response = client.request(method, url, json=body, headers=headers)
    error = _bilingual_refusal(response)
    assert "不得大于" in error["zh"]


def test_integer_body_fields_are_bounded(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    committee = identity_web.committee_headers(app, SLUG)
    now = datetime.now(UTC)
    ballot = {
        "matter": HUGE,
        "title": "t",
        "text": "x",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
    }
    r = client.post(f"/api/communities/{SLUG}/ballots", json=ballot, headers=committee)
    _bilingual_refusal(r)
    r = client.post(
        f"/api/communities/{SLUG}/ballots",
        json=ballot | {"matter": 5, "amount_fen": HUGE},
        headers=committee,
    )
    _bilingual_refusal(r)
    buyers = [{"name": "王五", "id_number": "110101199003070000"}]
    r = client.post(
        f"/api/communities/{SLUG}/transfers",
        json={"unit": "1-1-101", "buyers": buyers, "holder": HUGE},
        headers=committee,
    )
    _bilingual_refusal(r)


def test_a_validation_error_is_told_in_chinese(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    r = client.post(
        f"/api/communities/{SLUG}/ballots",
        json={"matter": 1, "title": "t", "text": "x", "closes_at": "2026-12-31T00:00:00+08:00"},
        headers=identity_web.committee_headers(app, SLUG),
    )
    error = _bilingual_refusal(r)
    assert error["zh"] == "请求内容有误：opens_at 缺少必填项"
    assert "Field required" in error["en"] and "Field required" not in error["zh"]
    r = client.get(f"{DISC}/entries?limit=abc")
    assert _bilingual_refusal(r)["zh"] == "请求内容有误：limit 须为整数"


def test_each_error_answers_its_own_status(demo: tuple[TestClient, FastAPI]) -> None:
    client, app = demo
    r = client.get("/api/communities/nope")
    assert r.status_code == 404, r.text  # answered 400 while statuses came from class names
    assert r.json()["error"]["en"] == "no community 'nope'"
    assert client.get("/api/communities/nope/ballots").status_code == 404
    r = client.post(
        "/api/communities",
        json={"slug": SLUG, "name": "再来一次", "street_office": "某街道"},
        headers=identity_web.operator_headers(app),
    )
    assert r.status_code == 409, r.text
    assert client.get("/api/ballots/999999").status_code == 404
    assert client.get(f"{DISC}/entries/999999").status_code == 404


def test_stored_times_keep_their_offset(tmp_path: Path, db_url: str) -> None:
    """The finding: GET answered "2026-12-01T08:05:24" on SQLite where the POST said "…Z"."""
    settings = settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)
    with running(settings) as (client, app):
        # Whole seconds: a window is signed into the box to the second, and shown from there.
        beijing = datetime.now(UTC).replace(microsecond=0).astimezone(BEIJING)
        body: dict[str, Any] = {
            "matter": 1,
            "title": "时间测试",
            "text": "开始与截止时间原样返回",
            "opens_at": (beijing + timedelta(days=16)).isoformat(),
            "closes_at": (beijing + timedelta(days=23)).isoformat(),
        }
        created = client.post(
            f"/api/communities/{SLUG}/ballots",
            json=body,
            headers=identity_web.committee_headers(app, SLUG),
        )
        assert created.status_code == 202, created.text  # proposed: awaits members' signatures
        proposed = created.json()["ballot"]
        assert proposed["status"] == "draft"
        fetched = client.get(f"/api/ballots/{proposed['id']}")
        assert fetched.status_code == 200
        for field in ("opens_at", "closes_at"):
            sent = datetime.fromisoformat(body[field])
            for answer in (proposed[field], fetched.json()[field]):
                assert answer.endswith("Z"), answer
                assert datetime.fromisoformat(answer) == sent
        listed = client.get(f"/api/communities/{SLUG}/ballots").json()
        assert all(b["opens_at"].endswith("Z") for b in listed)


def test_openapi_declares_the_error_bodies_it_sends(demo: tuple[TestClient, FastAPI]) -> None:
    client, _ = demo
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # never sent, so never documented
    assert set(schemas["ErrorBody"]["properties"]) == {"error"}
    ref = "#/components/schemas/ErrorBody"
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            answer = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert answer == {"$ref": ref}, (method, path)
    paths = spec["paths"]
    assert "404" in paths["/api/v1/communities/{slug}"]["get"]["responses"]
    assert {"401", "403", "404", "409"} <= set(
        paths["/api/v1/ballots/{ballot_id}/close"]["post"]["responses"]
    )
    assert "409" in paths["/api/v1/ballots/{ballot_id}/votes"]["post"]["responses"]
    assert paths["/api/v1/ballots/{ballot_id}"]["get"]["parameters"][0]["schema"]["maximum"] == (
        2**53 - 1
    )


@pytest.mark.parametrize(
    ("opens", "closes", "en"),
    [
        (timedelta(days=16), None, "60 days at most"),  # open until 9999-12-31
        (-timedelta(days=3), -timedelta(days=1), "no sooner than 15 days after the notice"),
        (timedelta(days=1), timedelta(days=10), "no sooner than 15 days after the notice"),
        (timedelta(days=16), timedelta(days=17), "at least 5 days"),
    ],
)
def test_an_unreasonable_voting_window_is_refused(
    demo: tuple[TestClient, FastAPI], opens: timedelta, closes: timedelta | None, en: str
) -> None:
    client, app = demo
    now = datetime.now(UTC)
    before = client.get(f"/api/communities/{SLUG}/ballots").json()
    r = client.post(
        f"/api/communities/{SLUG}/ballots",
        json={
            "matter": 1,
            "title": "期限测试",
            "text": "表决期限不合理",
            "opens_at": (now + opens).isoformat(),
            "closes_at": "9999-12-31T00:00:00+08:00"
            if closes is None
            else (now + closes).isoformat(),
        },
        headers=identity_web.committee_headers(app, SLUG),
    )
    assert r.status_code == 400, r.text
    assert en in r.json()["error"]["en"] and r.json()["error"]["zh"]
    assert client.get(f"/api/communities/{SLUG}/ballots").json() == before  # nothing changed


def test_the_connection_stays_open_after_a_huge_integer(tmp_path: Path) -> None:
    """Each 500 used to drop the keep-alive connection; a 422 keeps it."""
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with live_server(settings) as (url, _):
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            for path in (f"/api/ballots/{HUGE}", f"{DISC}/entries?start={HUGE}", "/api/ballots/1"):
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                assert response.status in (200, 422), (path, response.status)
                assert not response.will_close, path
        finally:
            connection.close()


@pytest.mark.parametrize("field", ["fromBlock", "toBlock"])
def test_a_huge_block_number_on_the_chain_view_is_a_json_rpc_error(
    demo: tuple[TestClient, FastAPI], field: str
) -> None:
    client, _ = demo
    address = client.get("/api/health").json()["contract"]
    query = {"address": address, field: "0x" + "f" * 40}
    r = client.post(
        "/chain/rpc", json={"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [query]}
    )
    assert r.status_code == 200, r.text  # a 500 (OverflowError in the chain database) before
    assert r.json()["error"] == {"code": -32602, "message": "block number out of range"}
