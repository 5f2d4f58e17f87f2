"""The owner's pages on a phone (390×844 CSS pixels) in a real Chromium, measured as an elderly
owner would meet them: the three choices on the first screen without scrolling, targets a
thumb can hit, no text under 18 px, nothing wider than the screen, in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser_support import PHONE, launched_browser, live_server, run_module, wait_ready
from web.owner_text import EN, ZH

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

MIN_TEXT_PX = 18
MIN_TARGET_PX = 64
PAGES = ["/owner", "/owner/enrol", "/owner/signin", "/owner/ballots/1"]

# Every visible element that has its own text: its font size and its box.
MEASURE = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) continue;
    out.push({tag: el.tagName, text: el.textContent.trim().slice(0, 30),
              size: parseFloat(getComputedStyle(el).fontSize)});
  }
  return {texts: out, scrollWidth: document.documentElement.scrollWidth};
}"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as b:
        yield b


@pytest.fixture
def phone(browser: Browser, base: str) -> Iterator[Page]:
    """A phone with an owner key already made (so the ballot page offers its choices)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/owner")
    wait_ready(page)
    run_module(page, "await g.createOwnerKey();")
    yield page
    context.close()


def test_text_has_the_same_keys_in_both_languages() -> None:
    assert ZH.keys() == EN.keys()
    for key in ZH:
        assert ZH[key].count("{") == EN[key].count("{"), key


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_pages_fit_a_phone_and_read_at_18px(phone: Page, base: str, lang: str) -> None:
    for path in PAGES:
        phone.goto(f"{base}{path}{lang}")
        wait_ready(phone)
        measured: dict[str, Any] = phone.evaluate(MEASURE)
        assert len(measured["texts"]) >= 5, path
        assert measured["scrollWidth"] <= PHONE["width"], path
        small = [t for t in measured["texts"] if t["size"] < MIN_TEXT_PX]
        assert not small, (path, small)
        assert phone.get_attribute("html", "lang") == ("en" if lang else "zh-CN")


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_ballot_choices_are_big_and_on_the_first_screen(phone: Page, base: str, lang: str) -> None:
    phone.goto(f"{base}/owner/ballots/1{lang}")
    wait_ready(phone)
    words = [(EN if lang else ZH)[c] for c in ("agree", "oppose", "abstain")]
    for word in words:
        button = phone.get_by_role("button", name=word, exact=True)
        box = button.bounding_box()
        assert box is not None, word
        assert box["height"] >= MIN_TARGET_PX and box["width"] >= PHONE["width"] * 0.75, word
        assert box["y"] + box["height"] <= PHONE["height"], f"{word} is below the first screen"
    # The confirm step's buttons are as big, and the question names the choice.
    phone.get_by_role("button", name=words[0], exact=True).tap()
    question = phone.inner_text("#confirm-question")
    assert words[0] in question
    for target in ("#confirm-submit", "#confirm-back"):
        box = phone.locator(target).bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET_PX, target
        assert box["y"] + box["height"] <= PHONE["height"], f"{target} is below the first screen"
