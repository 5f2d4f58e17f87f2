"""The ballot dashboard around an early close, in a real Chromium at 390×844 (the new-user
trial's findings on the demo's open ballot).

The not-voted lines by building give the area still missing, so they add up to the line
above them (they gave each building's whole area). Once the chair proposes the early close
the actions card says it awaits the members' signatures and where to sign (it said "nothing
to do" beside "submitted"); once the members signed, the window line says when voting closed
and that it closed early, and the "updates every few seconds" line is gone. The signing
page names the ballot and its items by title (it gave the log origin and "事项 1" alone).

The refused votes speak to the committee: a new key awaiting confirmation is said in the
committee's words (it showed the owner's "您的新密钥……"), and a refusal whose census entry
has a counted vote since is marked as nothing left to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import FastAPI

from identity.community.committee import decision_share
from identity.w3c.dataintegrity import sign_json
from tests.e2e.browser_support import (
    PHONE,
    cookie_for,
    live_server,
    phone_page,
    session_cookie,
    wait_ready,
)
from voting.ballots import KeyChangeNeeded
from web.demo.community import SLUG, demo_keys, demo_member_keys
from web.server import refusals

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DASHBOARD = f"/communities/{SLUG}/committee/ballots/1"


@pytest.fixture
def console(tmp_path: Path, browser: Browser) -> Iterator[tuple[str, FastAPI, Page]]:
    with live_server(tmp_path / "data", demo=True) as (base, app):
        chair = demo_member_keys(Path(app.state.services.settings.data_dir))[0]
        with httpx.Client(base_url=base, timeout=30) as http:
            cookie = cookie_for(http, chair)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        context.add_cookies([session_cookie(base, cookie)])
        errors: list[str] = []
        page = phone_page(context, errors)
        yield base, app, page
        context.close()
        assert not errors, errors


def test_the_dashboard_around_an_early_close(
    console: tuple[str, FastAPI, Page], shots: Path
) -> None:
    base, app, page = console
    page.goto(f"{base}{DASHBOARD}")
    wait_ready(page)
    page.wait_for_selector("#pending-buildings li")

    # The building lines add up to the area the summary says is not voted yet.
    summary = re.search(r"面积 ([\d.]+) ㎡", page.inner_text("#pending-summary"))
    assert summary, page.inner_text("#pending-summary")
    lines = page.locator("#pending-buildings li").all_inner_texts()
    areas = [re.search(r"未投面积 ([\d.]+) ㎡", line) for line in lines]
    assert all(areas), lines
    assert sum(Decimal(a.group(1)) for a in areas if a) == Decimal(summary.group(1))
    assert page.is_visible("#b-live")

    # Proposing the early close: the card says what awaits whom, not "nothing to do".
    page.click("#act-close")
    page.wait_for_selector("#act-done:not([hidden])")
    page.wait_for_selector("body[data-live='stream']", state="attached", timeout=10_000)
    page.wait_for_selector("#act-close[hidden]", state="attached", timeout=10_000)  # closing
    acts = page.inner_text("#acts-card")
    assert "待签署" in acts and "签署页" in acts and "没有可做的操作" not in acts, acts
    # Coming back later: the card says what awaits whom, not "nothing to do".
    page.reload()
    wait_ready(page)
    page.wait_for_selector("#acts-pending:not([hidden])")
    acts = page.inner_text("#acts-card")
    assert "待委员签署" in acts and "签署页" in acts, acts
    assert "没有可做的操作" not in acts, acts
    assert page.is_hidden("#acts-none")
    page.screenshot(path=str(shots / "console-close-proposed.png"), full_page=True)

    with httpx.Client(base_url=base, timeout=30) as http:
        pending = http.get(f"/api/communities/{SLUG}/decisions", params={"state": "pending"})
        close = next(d for d in pending.json() if d["type"] == "BallotResult")
        shown = http.get("/api/ballots/1").json()

    # The signing page names the ballot (and its items) by title, beside the origin.
    page.goto(f"{base}/communities/{SLUG}/committee/decisions")
    wait_ready(page)
    decision = page.locator(f"li[data-decision='{close['id']}']")
    decision.wait_for()
    said = decision.inner_text()
    assert f"「{shown['title']}」" in said, said
    assert f"「{shown['items'][0]['title']}」" in said, said
    page.screenshot(path=str(shots / "console-close-to-sign.png"), full_page=True)

    with httpx.Client(base_url=base, timeout=30) as http:
        whole = http.get(f"/api/communities/{SLUG}/decisions/{close['id']}").json()
        members = demo_member_keys(Path(app.state.services.settings.data_dir))
        for key in members[: whole["needed"]]:
            proof = decision_share(whole["document"], key, created=datetime.now(UTC))
            signed = http.post(
                f"/api/communities/{SLUG}/decisions/{close['id']}/signatures",
                json={"proof": proof},
            )
            assert signed.status_code < 300, signed.text
        ballot = http.get("/api/ballots/1").json()
    assert ballot["status"] == "closed" and ballot["closed_at"] < ballot["closes_at"]

    # Closed early: said so, with when; no claim the bars still move.
    page.goto(f"{base}{DASHBOARD}")
    wait_ready(page)
    window = page.inner_text("#b-window")
    assert "提前结束" in window and "原定截止" in window, window
    assert page.is_hidden("#b-live")
    page.goto(f"{base}/communities/{SLUG}/committee/ballots")  # the list says the same
    wait_ready(page)
    listed = page.locator("#ballot-list li[data-ballot='1']")
    listed.wait_for()
    assert "提前结束" in listed.inner_text(), listed.inner_text()
    page.goto(f"{base}{DASHBOARD}?lang=en")
    wait_ready(page)
    assert "closed early" in page.inner_text("#b-window")
    page.screenshot(path=str(shots / "console-closed-early.png"), full_page=True)


def test_the_refusals_speak_to_the_committee(console: tuple[str, FastAPI, Page]) -> None:
    base, app, page = console
    services = app.state.services
    key = demo_keys(services)["3-1-101"]
    # A refusal as the box records one (its census entry found by the signer's DID).
    refused = KeyChangeNeeded("", None, key.did.value)
    with services.db.session() as session:
        refusals.record(
            session, [refusals.Refusal.of(1, refused, key.did.value, datetime.now(UTC))]
        )
    page.goto(f"{base}{DASHBOARD}")
    wait_ready(page)
    line = page.locator("#refusals li")
    line.wait_for()
    assert "委员们到签署页确认" in line.inner_text() and "您的" not in line.inner_text()
    assert line.get_attribute("data-counted") == "false"

    with httpx.Client(base_url=base, timeout=30) as http:
        origin = http.get("/api/ballots/1").json()["origin"]
        vote = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        assert http.post("/api/ballots/1/votes", json=sign_json(vote, key)).status_code == 201
    page.goto(f"{base}{DASHBOARD}?lang=en")
    wait_ready(page)
    page.wait_for_selector("#refusals li[data-counted='true']")
    said = page.inner_text("#refusals li")
    assert "awaits the members' confirmation" in said and "counted vote" in said, said
