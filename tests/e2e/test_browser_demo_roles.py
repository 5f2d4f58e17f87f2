"""In a real Chromium at 390×844, a visitor plays the two roles /demo used to leave as dead
ends: a committee member — this device's key registered as chair beside two demo members,
signed in to the console, proposing to close the demo ballot, signing on the device, the
second demo member signing from /demo, the ballot closed — and the property manager — this
device's key named the manager, a refused sign-in said beside the button first, then signed
in and a statement published from the desk. Screenshots go to ``GONGZHI_SCREENSHOTS``
(default: the test's temporary folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import FastAPI

from tests.e2e.browser_support import live_server, phone_page, wait_ready
from web.demo.community import SLUG

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    # Its own server: the journey closes the demo ballot other tests vote on.
    with live_server(tmp_path / "data", demo=True) as running:
        yield running


@pytest.fixture
def phone(served: tuple[str, FastAPI], browser: Browser) -> Iterator[Page]:
    errors: list[str] = []
    page = phone_page(browser, errors)
    yield page
    page.context.close()
    assert not errors, errors


def test_a_visitor_acts_as_a_committee_member(
    served: tuple[str, FastAPI], phone: Page, shots: Path
) -> None:
    base, _ = served
    page = phone
    http = httpx.Client(base_url=base, timeout=30)
    sequence = len(http.get(f"/api/communities/{SLUG}/registrations").json())

    # The owners' page refuses a visitor and points to the console's sign-in.
    page.goto(f"{base}/communities/{SLUG}/committee")
    page.click("#committee-signin")
    wait_ready(page)
    assert page.url == f"{base}/communities/{SLUG}/committee/ballots"
    assert page.locator("#signin").is_visible()

    page.goto(f"{base}/demo")
    wait_ready(page)
    page.click("#act-member")
    page.locator("#member-ready").wait_for(state="visible")
    assert "主任" in page.inner_text("#member-status")
    page.screenshot(path=str(shots / "demo-roles-1-member.png"), full_page=True)
    regs = http.get(f"/api/communities/{SLUG}/registrations").json()
    assert len(regs) == sequence + 1
    chair = [m["id"] for m in regs[-1]["credentialSubject"]["members"] if m["role"] == "chair"]
    # Pressing again on the same device registers nothing more.
    page.click("#act-member")
    page.locator("#member-status.ok").wait_for()
    assert len(http.get(f"/api/communities/{SLUG}/registrations").json()) == sequence + 1

    page.click("#member-go")
    wait_ready(page)
    with page.expect_navigation():  # signed in, the console loads the page it refused
        page.click("#signin")
    wait_ready(page)
    assert page.locator("#signin").count() == 0
    page.goto(f"{base}/communities/{SLUG}/committee/ballots/1")
    wait_ready(page)
    page.locator("#act-close").wait_for(state="visible")
    page.click("#act-close")
    page.locator("#act-done").wait_for(state="visible")
    page.screenshot(path=str(shots / "demo-roles-2-proposed.png"), full_page=True)
    pending = http.get(f"/api/communities/{SLUG}/decisions", params={"state": "pending"}).json()
    [decision] = [d for d in pending if d["type"] == "BallotResult"]

    page.locator("#act-done a").click()
    wait_ready(page)
    item = page.locator(f"li[data-decision='{decision['id']}']")
    item.locator("button").click()
    page.locator("#confirm").wait_for(state="visible")
    page.click("#confirm-sign")
    page.locator("#status.ok").wait_for()
    signed = http.get(f"/api/communities/{SLUG}/decisions/{decision['id']}").json()
    assert signed["signers"] == chair and signed["state"] == "pending"
    page.screenshot(path=str(shots / "demo-roles-3-signed-here.png"), full_page=True)

    page.goto(f"{base}/demo")
    wait_ready(page)
    form = page.locator(f"form.pending[data-decision='{decision['id']}']")
    assert "结束表决并公布结果" in form.inner_text() and "BallotResult" not in form.inner_text()
    form.get_by_role("button", name="以第二位演示委员身份签署").click()
    page.locator("#signed").wait_for()
    assert "已生效" in page.inner_text("#signed")
    page.screenshot(path=str(shots / "demo-roles-4-applied.png"), full_page=True)
    assert http.get("/api/ballots/1").json()["status"] == "closed"
    # Applied: nothing is left for the demo member to sign on it.
    assert page.locator(f"form.pending[data-decision='{decision['id']}']").count() == 0


def test_a_visitor_acts_as_the_property_manager(
    served: tuple[str, FastAPI], phone: Page, shots: Path
) -> None:
    base, _ = served
    page = phone
    http = httpx.Client(base_url=base, timeout=30)
    api = f"/api/communities/{SLUG}/disclosures"

    # A key the street office has not named: refused beside the button, forms stay off.
    page.goto(f"{base}/communities/{SLUG}/manager")
    wait_ready(page)
    assert page.is_disabled("#st-publish") and page.is_disabled("#fee-publish")
    page.click("#key-make")
    page.locator("#signin").wait_for(state="visible")
    page.click("#signin")
    page.locator("#signin-error").wait_for(state="visible")
    refusal = page.inner_text("#signin-error")
    assert "街道办事处" in refusal and "在本设备扮演物业" in refusal
    assert "登记码" not in refusal and page.is_hidden("#status")
    assert page.is_disabled("#st-publish") and page.is_disabled("#acct-publish")
    page.screenshot(path=str(shots / "demo-roles-5-manager-refused.png"), full_page=True)

    page.click("#signin-demo")
    wait_ready(page)
    page.click("#act-manager")
    page.locator("#manager-ready").wait_for(state="visible")
    page.screenshot(path=str(shots / "demo-roles-6-manager.png"), full_page=True)
    page.click("#manager-go")
    wait_ready(page)
    page.click("#signin")
    page.locator("body[data-signed-in='true']").wait_for(state="attached")
    assert page.is_hidden("#signin-error") and page.is_enabled("#st-publish")

    opening = page.input_value("#st-opening")
    assert opening and page.input_value("#st-period")
    page.locator("#income-lines .line-category").fill("物业服务费")
    page.locator("#income-lines .line-amount").fill("5200.00")
    page.locator("#expense-lines .line-category").fill("保洁")
    page.locator("#expense-lines .line-amount").fill("1500.50")
    page.fill("#st-total-income", "5200")
    page.fill("#st-total-expense", "1500.50")
    whole, cents = opening.split(".")
    fen = int(whole) * 100 + int(cents) + 520_000 - 150_050
    page.fill("#st-closing", f"{fen // 100}.{fen % 100:02d}")
    size = http.get(api).json()["size"]
    page.click("#st-publish")
    page.locator("#st-result").wait_for(state="visible")
    assert http.get(api).json()["size"] == size + 1
    page.screenshot(path=str(shots / "demo-roles-7-published.png"), full_page=True)
    # The session outlives a reload: the desk knows it is signed in, publishing stays on.
    page.reload()
    wait_ready(page)
    assert page.is_enabled("#st-publish") and page.is_hidden("#signin-first")
