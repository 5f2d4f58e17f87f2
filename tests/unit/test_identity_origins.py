"""identity.community.origins: the one layout of log origins and public URLs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from identity.community import origins
from identity.community.origins import (
    ballot_origin,
    community_prefix,
    disclosure_origin,
    host_of,
    host_of_origin,
    prefix_of_disclosures,
    same_community,
    status_list_key,
    status_list_key_of_path,
    status_list_url,
)
from ledger.tlog.note_keys import is_valid_key_name

HOST = "127.0.0.1:8000"
BASE = "https://vote.example"
ROOT = Path(__file__).parents[2]


def test_log_origins_follow_the_trust_model_layout() -> None:
    assert ballot_origin(HOST, "xianxia-7", 12) == "127.0.0.1:8000/c/xianxia-7/ballots/12"
    assert disclosure_origin(HOST, "xianxia-7") == "127.0.0.1:8000/c/xianxia-7/disclosures"
    assert community_prefix(HOST, "xianxia-7") == "127.0.0.1:8000/c/xianxia-7/"
    for origin in (ballot_origin(HOST, "a", 1), disclosure_origin(HOST, "a")):
        assert is_valid_key_name(origin)  # an origin names the log's note key
        assert host_of_origin(origin) == HOST


def test_a_ballot_belongs_to_its_own_community_only() -> None:
    log = disclosure_origin(HOST, "xianxia-7")
    assert prefix_of_disclosures(log) == community_prefix(HOST, "xianxia-7")
    assert same_community(log, ballot_origin(HOST, "xianxia-7", 3))
    assert not same_community(log, ballot_origin(HOST, "xianxia-8", 3))
    assert not same_community(log, ballot_origin(HOST, "xianxia-70", 3))
    assert not same_community(log, ballot_origin("other:8000", "xianxia-7", 3))
    assert not same_community(log, f"{HOST}/c/xianxia-7/disclosures")
    # an origin of another shape owns no ballots but those below it
    assert prefix_of_disclosures("odd-origin") == "odd-origin/"


def test_the_host_is_the_public_address_without_scheme() -> None:
    assert host_of("https://vote.example/") == "vote.example"
    assert host_of("http://127.0.0.1:8000") == HOST
    assert host_of_origin("no-community-here") is None


def test_status_list_urls_round_trip() -> None:
    assert status_list_url(BASE, "xianxia-7") == f"{BASE}/api/communities/xianxia-7/status-list"
    for key in ("xianxia-7", "b2"):
        url = status_list_url(BASE, key)
        assert status_list_key(BASE, url) == key
        assert status_list_key_of_path(url) == key
        assert status_list_key_of_path(url.replace(BASE, "http://127.0.0.1:9000/sub")) == key


@pytest.mark.parametrize(
    "url",
    [
        f"{BASE}/api/communities//status-list",
        f"{BASE}/api/communities/a/b/status-list",
        f"{BASE}/api/communities/a/status-list?x=1",
        "ftp://vote.example/api/communities/a/status-list",
        f"{BASE}/api/status-lists/street-office",  # the office keeps no list on the server
        f"{BASE}/api/status-lists/other",
    ],
)
def test_foreign_status_list_urls_name_no_list(url: str) -> None:
    assert status_list_key(BASE, url) is None
    assert status_list_key_of_path(url) is None


def test_no_other_module_lays_out_origins_or_status_list_urls() -> None:
    # Built strings (f-strings) holding a piece of the layout belong in origins.py alone;
    # those that start with "/" are paths on this server (routes, redirects), not origins.
    pieces = ("/c/", "/ballots/", "/disclosures", "/status-list", "status-lists/")
    own = Path(origins.__file__).resolve()
    found = []
    for package in ("identity", "ledger", "voting", "web", "contracts"):
        for path in (ROOT / package).rglob("*.py"):
            if path.resolve() == own:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.JoinedStr) or not node.values:
                    continue
                first = node.values[0]
                if isinstance(first, ast.Constant) and str(first.value).startswith("/"):
                    continue
                text = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
                if any(piece in text for piece in pieces):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text}")
    assert not found, found
