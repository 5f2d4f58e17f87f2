"""The browser client's files go gzipped to a browser that asks (a slow phone's first load,
BENCHMARKS.md), with the security headers every response carries, and so do the owner's
pages, which hold nothing secret; any other page or API answer is never compressed (it may
hold a secret beside reflected input: BREACH); the owner's pages name owner.js's imports up
front, so they are fetched beside it."""

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


def test_owner_pages_are_gzipped_the_rest_not(client: TestClient) -> None:
    """An owner page is the same for everyone (no token, nothing of the visitor's), so
    compressing it leaks nothing; the ballot page is half a second less on a slow phone."""
    for path in ("/owner/ballots/1", "/owner/ballots/1?lang=en", "/owner", "/owner/enrol"):
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers=GZIP)
        assert plain.status_code == packed.status_code == 200, path
        assert "content-encoding" not in plain.headers, path
        assert packed.headers["content-encoding"] == "gzip", path
        assert packed.headers["vary"] == "Accept-Encoding", path
        assert packed.text == plain.text, path  # httpx undoes the gzip
        assert int(packed.headers["content-length"]) < len(plain.content) / 2, path
        assert packed.headers["content-security-policy"] == plain.headers["content-security-policy"]
    for path in ("/demo", "/api/ballots/1"):
        answer = client.get(path, headers=GZIP)
        assert answer.status_code == 200, path
        assert len(answer.content) > 1024, path  # big enough that gzip would have applied
        assert "content-encoding" not in answer.headers, path


# `import … from "./x.js"`, `} from "./x.js"`, `import "./x.js"`, as written or minified; not
# `import("./x.js")`, which is fetched when called.
_STATIC_IMPORT = re.compile(r'\bfrom\s*"\./([^"]+)"|\bimport\s*"\./([^"]+)"')


def _static_imports(client: TestClient, module: str) -> set[str]:
    """The modules `module` imports up front (``import … from``, not ``import()``)."""
    text = client.get(f"/static/{module}").text
    return {name for pair in _STATIC_IMPORT.findall(text) for name in pair if name}


def test_owner_pages_preload_owner_js_imports(client: TestClient) -> None:
    page = client.get("/owner/ballots/1").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', page))
    assert preloaded == {"gongzhi_core.js", "page.js", "keysource.js", "text_size.js"}
    assert _static_imports(client, "owner.js") == preloaded


def test_owner_pages_load_the_signing_code_after_their_buttons(client: TestClient) -> None:
    """gongzhi.js (signing, proofs, log checks: two thirds of the client's bytes) is not in
    the owner pages' first load: on a slow phone its bytes were the last the first button
    waited for. owner.js fetches it by `import()` once the page is up."""
    closure: set[str] = set()
    todo = ["owner.js"]
    while todo:
        module = todo.pop()
        if module not in closure:
            closure.add(module)
            todo.extend(_static_imports(client, module))
    assert "gongzhi.js" not in closure
    assert closure == {"owner.js", "gongzhi_core.js", "page.js", "keysource.js", "text_size.js"}
    assert 'import("./gongzhi.js")' in client.get("/static/owner.js").text
