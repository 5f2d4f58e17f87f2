"""The committee console in a real Chromium at 390×844, signed in by DID (the demo chair's
session cookie, as its device's sign-in sets it).

The wizard first shows a missing item title in place, then drafts a two-item ballot (a
motion and an election) — the list shows it as 草稿待签. On the demo's open ballot the
dashboard shows the turnout bars and the not-voted list by building; a vote cast through
the API moves both without a reload, pushed over the page's event stream. Screenshots go to
``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import FastAPI

from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.browser_support import (
    PHONE,
    cookie_for,
    live_server,
    phone_page,
    session_cookie,
    wait_ready,
)
from web.demo.community import SLUG, demo_keys, demo_member_keys

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CONSOLE = f"/communities/{SLUG}/committee/ballots"


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


def test_the_wizard_drafts_a_two_item_ballot(
    console: tuple[str, FastAPI, Page], shots: Path
) -> None:
    base, _, page = console
    page.goto(f"{base}{CONSOLE}")
    wait_ready(page)
    assert "最早" in page.inner_text("#notice-rule") and "15 天" in page.inner_text("#notice-rule")
    page.fill("#w-title", "2026年第二次业主大会表决（向导测试）")
    page.fill("#w-text", "业主大会就以下两项进行书面表决。")
    first = page.locator("#items fieldset.item").nth(0)
    first.locator(".item-matter").select_option("6")
    assert "四分之三以上" in first.locator(".threshold").inner_text()
    first.locator(".item-matter").select_option("4")
    assert first.locator(".threshold").inner_text() == (
        "需参与表决的业主专有面积和人数均达到三分之二以上，且参与表决者中面积和人数均过半数同意"
    )
    first.locator(".item-text").fill("是否同意更换电梯维保单位？")

    # The item title is missing: said in place, nothing posted.
    page.click("#w-submit")
    error = first.locator(".item-title-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "请填写这一项的标题"
    assert first.locator(".item-title").get_attribute("aria-invalid") == "true"
    assert page.is_hidden("#created")
    page.screenshot(path=str(shots / "console-1-wizard-error.png"), full_page=True)

    first.locator(".item-title").fill("更换电梯维保单位")
    assert error.is_hidden()  # corrected: the mark goes at once
    page.click("#add-item")
    second = page.locator("#items fieldset.item").nth(1)
    second.locator(".item-kind").select_option("election")
    assert second.locator(".item-matter").input_value() == "3"
    second.locator(".item-title").fill("增补业委会委员")
    second.locator(".item-text").fill("增补一名业委会委员。")
    second.locator(".item-candidates").fill("候选人甲（1-2-301）\n候选人乙（3-1-502）")
    page.screenshot(path=str(shots / "console-2-wizard-filled.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#w-submit")
    page.wait_for_selector("#created:not([hidden])")
    assert "草稿待签" in page.inner_text("#created-text")
    drafted = page.locator("#ballot-list li", has_text="向导测试")
    drafted.wait_for()
    assert "草稿待签" in drafted.inner_text()
    assert error.is_hidden()
    page.screenshot(path=str(shots / "console-3-drafted.png"), full_page=True)
    # Body text and targets for older eyes and thumbs.
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    heights = page.evaluate(
        "[...document.querySelectorAll('button:not([hidden]), a.button, select, input.plain')]"
        ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights

    # New-user trial: the next draft's errors stood beside the last one's success line, and a
    # 525-character title was cut to 200 without a word. Now the limit is said as it is pasted,
    # nothing is cut, and a new attempt takes the old success line away.
    long_title = "续" * 525
    page.fill("#w-title", long_title)
    title_error = page.locator("#w-title-error")
    assert title_error.inner_text() == "太长了：最多 200 个字，现在有 525 个"
    assert page.input_value("#w-title") == long_title
    assert page.is_visible("#created")  # until the next attempt
    page.click("#w-submit")
    page.wait_for_selector("#w-form-error:not([hidden])")
    assert page.is_hidden("#created")
    assert title_error.is_visible() and "200" in title_error.inner_text()
    page.fill("#w-title", "续" * 200)
    assert title_error.is_hidden()


def test_the_dashboard_follows_a_vote_without_reload(
    console: tuple[str, FastAPI, Page], shots: Path
) -> None:
    base, app, page = console
    page.goto(f"{base}{CONSOLE}/1")
    wait_ready(page)
    assert "投票中" in page.inner_text("#b-status")
    area = "[data-item='all'] [data-measure='area']"
    heads = "[data-item='1'] [data-measure='headcount']"
    assert page.get_attribute(area, "data-bp") == "0"
    assert page.get_attribute(heads, "data-bp") == "0"
    building = page.locator("#pending-buildings li[data-building='3']")
    before = int(building.get_attribute("data-pending") or "0")
    assert page.get_attribute("#export-csv", "href") == "/api/ballots/1/pending.csv"
    assert page.get_attribute("#export-xlsx", "href") == "/api/ballots/1/pending.xlsx"
    page.screenshot(path=str(shots / "console-4-dashboard.png"), full_page=True)
    page.evaluate("window.__sameDocument = true")
    # The server pushes the change (server-sent events), not a 3 s poll.
    page.wait_for_selector("body[data-live='stream']", state="attached", timeout=10_000)

    key = demo_keys(app.state.services)["3-1-101"]
    with httpx.Client(base_url=base, timeout=30) as http:
        origin = http.get("/api/ballots/1").json()["origin"]
        vote = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        assert http.post("/api/ballots/1/votes", json=sign_json(vote, key)).status_code == 201

    # Selectors, not a function: the page's CSP allows no evaluated strings.
    page.wait_for_selector(f"{heads}:not([data-bp='0'])", state="attached", timeout=10_000)
    page.wait_for_selector(f"{area}:not([data-bp='0'])", state="attached", timeout=10_000)
    page.wait_for_selector(
        f"#pending-buildings li[data-building='3'][data-pending='{before - 1}']",
        state="attached",
        timeout=10_000,
    )
    assert page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded
    assert page.get_attribute("[data-item='2'] [data-measure='headcount']", "data-bp") == "0"
    width = page.evaluate(f'document.querySelector("{heads} .fill").getBoundingClientRect().width')
    assert width > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "console-5-after-vote.png"), full_page=True)

    # A vote by a key not in the census is refused; the 被拒绝的投票 list says why in the page's
    # language (the new-user trial saw English server messages on the Chinese page).
    stranger = KeyPair.generate(KeyType.P256)
    with httpx.Client(base_url=base, timeout=30) as http:
        again = http.post(
            "/api/ballots/1/votes", json=sign_json(vote | {"voter": stranger.did.value}, stranger)
        )
    assert 400 <= again.status_code < 500, again.text
    app.state.services.refusals_settled()
    for lang, said in (
        ("", again.json()["error"]["zh"]),
        ("?lang=en", again.json()["error"]["en"]),
    ):
        page.goto(f"{base}{CONSOLE}/1{lang}")
        wait_ready(page)
        page.wait_for_selector("#refusals li")
        assert said in page.inner_text("#refusals")
    assert not re.search("[A-Za-z]{4}", again.json()["error"]["zh"])


def test_the_dashboard_polls_when_the_stream_is_refused(
    console: tuple[str, FastAPI, Page],
) -> None:
    base, app, page = console
    hub = app.state.live
    hub.per_address = 0  # every stream answered 429: EventSource gives up
    page.goto(f"{base}{CONSOLE}/1")
    wait_ready(page)
    page.wait_for_selector("body[data-live='poll']", state="attached", timeout=10_000)
    heads = "[data-item='1'] [data-measure='headcount']"
    assert page.get_attribute(heads, "data-bp") == "0"
    key = demo_keys(app.state.services)["3-1-101"]
    with httpx.Client(base_url=base, timeout=30) as http:
        origin = http.get("/api/ballots/1").json()["origin"]
        vote = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        assert http.post("/api/ballots/1/votes", json=sign_json(vote, key)).status_code == 201
    page.wait_for_selector(f"{heads}:not([data-bp='0'])", state="attached", timeout=10_000)
    assert page.get_attribute("body", "data-live") == "poll"
    assert hub.open_streams() == 0
