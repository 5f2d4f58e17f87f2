"""In a real Chromium: a visitor goes from /demo to enrolment to a vote on the demo ballot
(the demo members attest the new key at once), with 390×844 screenshots; and /docs loads
Swagger UI with no request leaving this server and no Content-Security-Policy error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser_support import PHONE, enrol_from_demo, live_server, wait_ready

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (url, _):
        yield url


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A phone-sized page; the URLs it requested and the console's CSP complaints."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    requested: list[str] = []
    csp: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            csp.append(message.text)

    page.on("console", console)
    yield page, requested, csp
    context.close()
    assert not errors, errors


def _choice(item: str, choice: str) -> str:
    return f"button[data-item='{item}'][data-choice='{choice}']"


def test_a_visitor_goes_from_the_demo_page_to_a_vote(
    base: str, phone: tuple[Page, list[str], list[str]], shots: Path
) -> None:
    page, _, csp = phone
    page.goto(f"{base}/demo")
    assert "演示" in page.inner_text("#demo-banner")
    page.screenshot(path=str(shots / "demo-1-roles.png"), full_page=True)
    page.get_by_role("button", name="领取演示登记码").click()
    page.wait_for_selector("#issued")
    unit = page.inner_text("#issued-unit")
    page.screenshot(path=str(shots / "demo-2-code.png"), full_page=True)

    page.click("#enrol-link")
    wait_ready(page)
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_selector("#enrol-done:not([hidden])")
    assert unit in page.inner_text("#enrol-units")
    page.screenshot(path=str(shots / "demo-3-enrolled.png"), full_page=True)

    page.goto(f"{base}/owner/ballots/1")
    wait_ready(page)
    page.locator(_choice("1", "agree")).tap()
    page.locator(_choice("2", "abstain")).tap()
    page.locator("#review").tap()
    page.locator("#confirm-submit").tap()
    page.wait_for_selector("#receipt:not([hidden])", timeout=20_000)
    assert "已投票" in page.inner_text("#receipt")
    page.screenshot(path=str(shots / "demo-4-voted.png"), full_page=True)
    assert not csp, csp


def test_docs_load_with_no_external_request(
    base: str, phone: tuple[Page, list[str], list[str]], shots: Path
) -> None:
    page, requested, csp = phone
    page.goto(f"{base}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "/api/v1/ballots/{ballot_id}/votes" in page.inner_text("#swagger-ui")
    page.screenshot(path=str(shots / "docs.png"))
    outside = [u for u in requested if not u.startswith(base) and not u.startswith("data:")]
    assert not outside, outside
    assert f"{base}/openapi.json" in requested
    assert not csp, csp


def _item_turnout(page: Page) -> dict[str, str]:
    """Each item's shown turnout, keyed "ITEM/side": percent, met or not."""
    shown: dict[str, str] = {}
    for meter in page.locator("[data-item-turnout]").all():
        key = f"{meter.get_attribute('data-item-turnout')}/{meter.get_attribute('data-side')}"
        met = meter.locator(".met").is_visible()
        shown[key] = f"{meter.locator('.pct').inner_text()} {'met' if met else '-'}"
    return shown


def test_a_vote_on_item_2_only_moves_item_2s_turnout_without_a_reload(
    base: str, phone: tuple[Page, list[str], list[str]]
) -> None:
    """New-user trial: the totals moved after a vote, each item's 按面积 / 按人数 did not until a
    reload. The page's figures after the vote are those a fresh load of the page shows."""
    page, _, _ = phone
    enrol_from_demo(page, base)

    page.goto(f"{base}/owner/ballots/1")
    wait_ready(page)
    before = _item_turnout(page)
    assert set(before) == {"1/area", "1/headcount", "2/area", "2/headcount"}
    area_before = page.inner_text("#turnout-area-text")
    page.locator(_choice("2", "agree")).tap()
    page.locator("#review").tap()
    page.locator("#confirm-submit").tap()
    page.wait_for_selector("#receipt:not([hidden])", timeout=20_000)
    # The totals and the items are refreshed from one answer, in one step.
    page.wait_for_function(
        "t => document.getElementById('turnout-area-text').textContent !== t", arg=area_before
    )
    after = _item_turnout(page)
    assert after["2/headcount"] != before["2/headcount"]  # one more owner took part in item 2
    assert after["1/headcount"] == before["1/headcount"]  # item 1 was left out
    page.reload()
    wait_ready(page)
    assert _item_turnout(page) == after


@pytest.mark.parametrize(
    ("lang", "said"),
    [("", "请填写业委会交给您的登记码"), ("?lang=en", "Please type the enrolment code")],
)
def test_an_empty_code_is_said_by_the_page_beside_the_box(
    base: str, phone: tuple[Page, list[str], list[str]], lang: str, said: str
) -> None:
    """New-user trial: an empty code got the browser's own "Please fill out this field."."""
    page, _, _ = phone
    page.goto(f"{base}/owner/enrol{lang}")
    wait_ready(page)
    page.locator("#enrol-submit").click()
    page.wait_for_selector("#code-error:not([hidden])")
    assert said in page.inner_text("#code-error")
    assert page.get_attribute("#code", "aria-invalid") == "true"
    assert page.is_hidden("#enrol-done")
    page.fill("#code", "A")
    assert page.is_hidden("#code-error")  # typing clears it


def test_a_code_typed_full_width_enrols(
    base: str, phone: tuple[Page, list[str], list[str]]
) -> None:
    """New-user trial: "１２３４５－ＡＢＣＤＥ－…" got "登记码应为 20 位字母数字"."""
    page, _, _ = phone
    page.goto(f"{base}/demo")
    page.get_by_role("button", name="领取演示登记码").click()
    page.wait_for_selector("#issued")
    page.click("#enrol-link")
    wait_ready(page)
    code = page.input_value("#code")
    assert len(code) == 23
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)  # ASCII → full-width forms
    page.fill("#code", f"\u3000{wide}")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_selector("#enrol-done:not([hidden])")
