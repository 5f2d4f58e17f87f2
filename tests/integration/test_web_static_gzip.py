"""The browser client's files go gzipped to a browser that asks (a slow phone's first load,
BENCHMARKS.md), with the security headers every response carries; a page or API answer is
never compressed (it may hold a secret beside reflected input: BREACH); the owner's pages
name owner.js's imports up front, so they are fetched beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.support import running, settings_for

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with running(settings_for(tmp_path / "data", db_url=None, anvil_url=None)) as (http, _):
        yield http


def test_static_files_are_gzipped_with_the_security_headers(client: TestClient) -> None:
    plain = client.get("/static/gongzhi.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    packed = client.get("/static/gongzhi.js", headers=GZIP)
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.text == plain.text  # httpx undoes the gzip
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
        assert packed.headers[name] == plain.headers[name], name


def test_pages_and_the_api_are_not_compressed(client: TestClient) -> None:
    for path in ("/owner/ballots/1", "/demo", "/api/ballots/1"):
        answer = client.get(path, headers=GZIP)
        assert answer.status_code == 200, path
        assert len(answer.content) > 1024, path  # big enough that gzip would have applied
        assert "content-encoding" not in answer.headers, path


def test_owner_pages_preload_owner_js_imports(client: TestClient) -> None:
    page = client.get("/owner/ballots/1").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', page))
    assert preloaded == {"gongzhi.js", "page.js", "keysource.js"}
    owner_js = client.get("/static/owner.js").text
    imported = set(
        re.findall(r'^\} from "\./([^"]+)";|^import .* from "\./([^"]+)";', owner_js, re.M)
    )
    assert {name for pair in imported for name in pair if name} == preloaded
