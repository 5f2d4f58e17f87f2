"""axe-core (npm ``axe-core``, pinned in package.json) run inside the main pages in a real
Chromium at 390×844, in Chinese and English: no ``serious`` or ``critical`` violation.

axe is read from node_modules and run through Playwright's ``evaluate`` (the DevTools
protocol), never served by the app: the pages' CSP, which forbids inline and evaluated
scripts, does not apply to what DevTools evaluates, so the pages are checked under the CSP
they ship with. Each page is checked once it has wired itself (``data-ready``), the owner's
ballot page with an owner key made, so its choice buttons are there to be checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.browser_support import (
    PHONE,
    cookie_for,
    launched_browser,
    live_server,
    run_module,
    session_cookie,
    wait_ready,
)
from tests.notice_support import entries
from web.demo.community import SLUG, demo_member_keys
from web.pages.notice_source import NoticeEntries, notice_entries

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
COMMITTEE = f"/communities/{SLUG}/committee"
# (path, whether its script sets body[data-ready]): the server-rendered pages have none.
PAGES = [
    ("/", False),
    ("/owner", True),
    ("/owner/enrol", True),
    ("/owner/ballots/1", True),
    ("/ballots/1", False),
    (f"/c/{SLUG}/disclosures", True),
    ("/demo", True),
    (f"{COMMITTEE}/decisions", True),
    (f"{COMMITTEE}/ballots", True),
    (f"{COMMITTEE}/ballots/1", True),
    (f"{COMMITTEE}/objections", True),
    ("/ballots/1/notice", False),
    ("/verify", True),
]
# What axe reports, cut to what a failure message needs.
RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return {passes: r.passes.length, violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))};
}"""


def _axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/setup.sh (npm install of package.json)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, BrowserContext]]:
    """The demo server (its decided-ballot notice from `tests.notice_support`), and a phone
    signed in as the demo chair with an owner key already made."""
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app):
        announced, result, _, _ = entries()

        def decided() -> NoticeEntries:
            return announced, result, None

        app.dependency_overrides[notice_entries] = decided
        chair = demo_member_keys(Path(app.state.services.settings.data_dir))[0]
        with httpx.Client(base_url=base, timeout=30) as http:
            cookie = cookie_for(http, chair)
        with launched_browser() as browser:
            ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
            ctx.add_cookies([session_cookie(base, cookie)])
            page = ctx.new_page()
            page.goto(f"{base}/owner")
            wait_ready(page)
            run_module(page, "await g.createOwnerKey();")
            page.close()
            yield base, ctx
            ctx.close()


def _axe(page: Page) -> dict[str, Any]:
    page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate(RUN)
    return result


@pytest.mark.parametrize("lang", ["", "?lang=en"])
@pytest.mark.parametrize(("path", "wired"), PAGES)
def test_no_serious_or_critical_violation(
    context: tuple[str, BrowserContext], path: str, wired: bool, lang: str
) -> None:
    base, ctx = context
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        answer = page.goto(f"{base}{path}{lang}")
        assert answer is not None and answer.status == 200, path
        if wired:
            wait_ready(page)
        if path.startswith("/owner/ballots/"):
            page.locator("button[data-choice]").first.wait_for(state="visible")
        result = _axe(page)
    finally:
        page.close()
    assert result["passes"] > 10, result  # axe really ran its rules on the page
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
    assert not blocking, (path, blocking)
    assert not errors, errors


def test_axe_finds_a_contrast_fault_under_the_pages_csp(
    context: tuple[str, BrowserContext],
) -> None:
    """The check is not vacuous: a pale-on-white button put into a real page (its CSP in
    force) is reported as a serious colour-contrast violation."""
    base, ctx = context
    page = ctx.new_page()
    try:
        page.goto(f"{base}/owner")
        wait_ready(page)
        page.evaluate(
            """() => { const b = document.createElement('button');
              b.textContent = '看不清'; b.style.color = '#ddd'; b.style.background = '#fff';
              document.querySelector('main').append(b); }"""
        )
        result = _axe(page)
    finally:
        page.close()
    found = {(v["id"], v["impact"]) for v in result["violations"]}
    assert ("color-contrast", "serious") in found, result
