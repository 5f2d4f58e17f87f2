"""What listing a community's committee decisions sends (opt-in: ``pytest --bench -s
tests/bench/test_decisions_payload_bench.py``).

A 1,000-owner community with its opened ballot: ``GET …/decisions`` lists each decision as
a summary (the census by its root, totals and size), and the one a member signs is fetched
whole (``GET …/decisions/{id}``). Printed: the list's bytes, and what it was when every item
carried its whole document (the sum of the whole bodies), per decision and in all. Sizes are
printed, never asserted against a budget; only what the list holds is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.support import running
from tests.serving_support import SLUG, environment, prepare_crowd
from web.server.settings import Settings

pytestmark = pytest.mark.bench
OWNERS = 1_000


def test_decision_list_payload_at_1k_owners(tmp_path: Path) -> None:
    env = environment(tmp_path / "data", db_url=None, anvil_url=None)
    prepare_crowd(env, OWNERS)
    with running(Settings.from_env(env), demo=False) as (client, _app):
        listed = client.get(f"/api/communities/{SLUG}/decisions")
        assert listed.status_code == 200
        items = listed.json()
        wholes = [client.get(f"/api/communities/{SLUG}/decisions/{d['id']}") for d in items]
    [opened] = [w for w in wholes if w.json()["type"] == "BallotOpened"]
    assert len(opened.json()["document"]["census"]["voters"]) == OWNERS
    assert all("voters" not in (d["summary"].get("census") or {}) for d in items)
    before = sum(len(w.content) for w in wholes) + len(items) + 1  # one JSON array of them
    after = len(listed.content)
    print(
        f"\ndecisions of a {OWNERS}-owner community ({len(items)} listed): the list was "
        f"{before:,} bytes with whole documents, is {after:,} bytes as summaries "
        f"({before / after:.0f}× smaller); the opened ballot fetched whole: "
        f"{len(opened.content):,} bytes"
    )
