"""HEAD is answered as GET without a body (uptime monitors and link checkers use it), and a
page whose address names no such thing (/ballots/abc, /ballots/-1, an id past any number) is
a plain 404 page, while an API client still gets the 422 that says which rule failed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.e2e.support import running, settings_for

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("data")
    with running(settings_for(data, db_url=None, anvil_url=None)) as (http, _):
        yield http


@pytest.mark.parametrize("path", ["/", "/ballots/1", "/api/v1/ballots/1", "/static/owner.js"])
def test_head_is_a_get_without_its_body(client: TestClient, path: str) -> None:
    got = client.get(path, headers=HTML)
    head = client.head(path, headers=HTML)
    assert got.status_code == head.status_code == 200, path
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-security-policy") == got.headers.get("content-security-policy")


def test_head_of_an_event_stream_is_not_held_open(client: TestClient) -> None:
    assert client.head("/api/v1/ballots/1/events").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/ballots/abc",
        "/ballots/-1",
        "/ballots/99999999999999999999999999",
        "/owner/ballots/abc",
        "/ballots/abc?lang=en",
    ],
)
def test_a_page_address_naming_nothing_is_a_404_page(client: TestClient, path: str) -> None:
    page = client.get(path, headers=HTML)
    assert page.status_code == 404, path
    assert "text/html" in page.headers["content-type"]
    assert "ballot_id" not in page.text and "9007199254740991" not in page.text
    assert ("not found" if "lang=en" in path else "找不到该页面或资源") in page.text


def test_an_api_client_still_hears_which_rule_failed(client: TestClient) -> None:
    answer = client.get("/api/v1/ballots/abc")
    assert answer.status_code == 422
    assert "ballot_id" in answer.json()["error"]["en"]
