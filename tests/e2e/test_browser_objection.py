"""质疑 from the public accounts page in a real Chromium at 390×844: a demo owner, enrolled and
signed in on this phone, questions the 电梯维保 statement; the objection is signed on the
phone, lands in the log under that entry, and the page lists it as 等待物业答复 — at once and
after a reload. Empty text is refused in place, with nothing sent; a visitor without a key
sees the sign-in link and no form. Screenshots go to ``GONGZHI_SCREENSHOTS``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.browser_support import PHONE, enrol_from_demo, live_server, run_module, wait_ready
from web.demo.community import SLUG
from web.pages.accounts_text import ZH

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

PAGE = f"/c/{SLUG}/disclosures"
ENTRIES = f"/api/communities/{SLUG}/disclosures/entries"
QUESTION = "电梯维保为何涨到 4,680 元？请公布维保合同和当月维修单。"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (url, _):
        yield url


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A phone-sized page and the objections it POSTed."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    posted: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    yield page, posted
    context.close()
    assert not errors, errors


def _entries(base: str) -> list[dict[str, Any]]:
    response = httpx.get(base + ENTRIES, timeout=30)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def _lift_statement(page: Page) -> Locator:
    """The statement of the month 电梯维保 jumped to ¥4,680.00 (the demo's objected month)."""
    card = page.locator("article.item", has_text="¥4,680.00")
    assert card.count() == 1
    return card


def test_a_visitor_without_a_key_sees_the_sign_in_link(
    base: str, phone: tuple[Page, list[str]]
) -> None:
    page, _ = phone
    page.goto(base + PAGE)
    wait_ready(page)
    card = _lift_statement(page)
    card.locator("details.raise summary").click()
    link = card.locator(".raise-signin a")
    assert link.is_visible() and link.inner_text() == ZH["raise_signin"]
    assert link.get_attribute("href") == "/owner/signin"
    assert card.locator(".raise-form").is_hidden()


def test_an_owner_questions_the_lift_statement_and_it_awaits_an_answer(
    base: str, phone: tuple[Page, list[str]], shots: Path
) -> None:
    page, posted = phone
    enrol_from_demo(page, base)
    did: str = run_module(page, "return (await g.loadOwnerKey()).did;")
    page.goto(base + PAGE)
    wait_ready(page)
    card = _lift_statement(page)
    target = int((card.locator("details.raise").get_attribute("data-index")) or "-1")
    before = len(card.locator(".question").all())
    card.locator("details.raise summary").click()
    form = card.locator(".raise-form")
    assert form.is_visible() and card.locator(".raise-signin").is_hidden()

    # how much of the 2,000 characters is used, beside the box, as it is typed
    count = form.locator(".raise-count")
    assert count.inner_text() == "已写 0 / 2000 字"
    assert count.get_attribute("aria-live") == "polite"
    form.locator("textarea").fill("电梯" * 3)
    assert count.inner_text() == "已写 6 / 2000 字"

    # empty (blank) text: refused in place, nothing sent
    sent = len(posted)
    form.locator("textarea").fill("   ")
    form.get_by_role("button", name=ZH["raise_submit"]).tap()
    message = card.locator(".raise-msg")
    assert message.inner_text() == ZH["raise_empty"]
    assert "error" in (message.get_attribute("class") or "")
    assert len(posted) == sent
    page.screenshot(path=str(shots / "objection-1-empty.png"), full_page=False)

    form.locator("textarea").fill(QUESTION)
    form.get_by_role("button", name=ZH["raise_submit"]).tap()
    page.wait_for_selector(".raise-msg.ok")
    assert message.inner_text() == ZH["raise_done"] and message.is_visible()
    # new-user trial: the form, its counter and its button stayed, inviting a second one
    assert form.is_hidden() and count.is_hidden()
    assert card.get_by_role("button", name=ZH["raise_submit"]).count() == 0
    questions = card.locator(".question")
    assert len(questions.all()) == before + 1
    assert QUESTION in questions.last.inner_text()
    assert ZH["no_reply"] == "等待物业答复" and ZH["no_reply"] in questions.last.inner_text()
    message.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "objection-2-raised.png"), full_page=False)

    # in the log, under that entry, signed by this phone's key, no answer yet
    [statement] = [e for e in _entries(base) if e["index"] == target]
    [mine] = [o for o in statement["thread"] if o["signer"] == did]
    assert mine["type"] == "Objection" and mine["thread"] == []

    # and the page says so when read again
    page.reload()
    wait_ready(page)
    last = _lift_statement(page).locator(".question").last
    assert QUESTION in last.inner_text() and ZH["no_reply"] in last.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"]
