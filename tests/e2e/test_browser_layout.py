"""The owner's pages on a phone (390×844 CSS pixels) in a real Chromium, measured as an elderly
owner would meet them: the first item's three choices on the first screen without scrolling,
targets a thumb can hit, no text under 18 px, nothing wider than the screen, in Chinese and
English. The demo ballot has two items (one choice each, then 核对并提交); a one-item ballot
keeps one tap then the confirmation; an election's candidates are as big and as legible.
Screenshots go to ``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.browser_support import PHONE, live_server, run_module, wait_ready
from tests.identity_web import open_ballot
from web.pages.owner_text import EN, ZH

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FloatRect, Page

MIN_TEXT_PX = 18
MIN_TARGET_PX = 64
DEMO_BALLOT, ONE_ITEM, ELECTION = 1, 2, 3  # the demo's two-item ballot, then the two made here
PAGES = [
    "/owner",
    "/owner/enrol",
    "/owner/signin",
    *(f"/owner/ballots/{n}" for n in (DEMO_BALLOT, ONE_ITEM, ELECTION)),
]
CANDIDATES = [
    {"id": "c1", "label": "候选人甲（1号楼）"},
    {"id": "c2", "label": "候选人乙（2号楼）"},
    {"id": "c3", "label": "候选人丙（3号楼）"},
]

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
    """The demo server, with a one-item ballot and a one-election ballot opened beside the
    demo's two-item one."""
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (url, app):
        client = TestClient(app)
        one = {"title": "续聘物业（一项）", "text": "是否同意续聘？", "matter": 4}
        assert open_ballot(client, app, one)["id"] == ONE_ITEM
        election = {
            "id": "1",
            "kind": "election",
            "matter": 3,
            "title": "选举业主委员会委员",
            "text": "选举两名委员。",
            "attachments": [],
            "seats": 2,
            "candidates": CANDIDATES,
        }
        body = {"title": "选举业委会委员（演示）", "text": "补选两名委员。", "items": [election]}
        assert open_ballot(client, app, body)["id"] == ELECTION
        yield url


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


def _big_and_wide(page: Page, selector: str) -> FloatRect:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["height"] >= MIN_TARGET_PX and box["width"] >= PHONE["width"] * 0.75, selector
    return box


def _on_screen(box: FloatRect, what: str) -> None:
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], f"{what} is off screen"


def _confirm_buttons_on_screen(page: Page) -> None:
    """The confirm step's buttons are as big, both on screen at once."""
    for target in ("#confirm-submit", "#confirm-back"):
        box = page.locator(target).bounding_box()
        assert box is not None and box["height"] >= MIN_TARGET_PX, target
        _on_screen(box, target)


def _choice(item: str, choice: str) -> str:
    return f"button[data-item='{item}'][data-choice='{choice}']"


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_ballot_choices_are_big_and_on_the_first_screen(
    phone: Page, base: str, lang: str, shots: Path
) -> None:
    """The demo ballot's two items: every choice big, the first item's heading on the first
    screen; a tap marks that item's choice only; 核对并提交 lists both, one line each; both
    confirm buttons fit on the screen."""
    text = EN if lang else ZH
    phone.goto(f"{base}/owner/ballots/{DEMO_BALLOT}{lang}")
    wait_ready(phone)
    phone.screenshot(path=str(shots / f"ballot-two-items{lang and '-en'}.png"), full_page=True)
    # Several items do not fit one screen: the first item's heading does, so the owner sees
    # where choosing starts; a one-item ballot has its three choices there (the test below).
    legend = phone.locator("fieldset.item[data-item='1'] legend").bounding_box()
    assert legend is not None
    _on_screen(legend, "item 1's heading")
    for item in ("1", "2"):
        for choice in ("agree", "oppose", "abstain"):
            assert phone.locator(_choice(item, choice)).inner_text() == text[choice]
            _big_and_wide(phone, _choice(item, choice))
    _big_and_wide(phone, "#review")

    phone.locator(_choice("1", "agree")).tap()
    phone.locator(_choice("2", "oppose")).tap()
    assert phone.is_hidden("#confirm")  # several items: nothing is sent before 核对并提交
    pressed = phone.locator("button[aria-pressed='true']")
    assert sorted(b.get_attribute("data-choice") or "" for b in pressed.all()) == [
        "agree",
        "oppose",
    ]
    phone.screenshot(path=str(shots / f"ballot-two-chosen{lang and '-en'}.png"), full_page=True)
    phone.locator("#review").tap()
    question = phone.inner_text("#confirm-question")
    titles = phone.eval_on_selector_all("fieldset.item", "fs => fs.map(f => f.dataset.title)")
    assert len(titles) == 2
    assert question.splitlines() == [
        text["confirm_items"],
        f"{titles[0]}：{text['agree']}",
        f"{titles[1]}：{text['oppose']}",
    ]
    _confirm_buttons_on_screen(phone)
    phone.screenshot(path=str(shots / f"ballot-two-confirm{lang and '-en'}.png"))


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_a_one_item_ballot_takes_one_tap_then_confirms(
    phone: Page, base: str, lang: str, shots: Path
) -> None:
    words = [(EN if lang else ZH)[c] for c in ("agree", "oppose", "abstain")]
    phone.goto(f"{base}/owner/ballots/{ONE_ITEM}{lang}")
    wait_ready(phone)
    phone.screenshot(path=str(shots / f"ballot-one-item{lang and '-en'}.png"))
    assert phone.locator("#review").count() == 0
    for word in words:
        button = phone.get_by_role("button", name=word, exact=True)
        box = button.bounding_box()
        assert box is not None, word
        assert box["height"] >= MIN_TARGET_PX and box["width"] >= PHONE["width"] * 0.75, word
        _on_screen(box, word)
    # One tap: the confirmation, whose question names the choice.
    phone.get_by_role("button", name=words[0], exact=True).tap()
    assert words[0] in phone.inner_text("#confirm-question")
    _confirm_buttons_on_screen(phone)


def test_an_election_s_candidates_are_big_legible_and_capped_at_the_seats(
    phone: Page, base: str, shots: Path
) -> None:
    phone.goto(f"{base}/owner/ballots/{ELECTION}")
    wait_ready(phone)
    for c in CANDIDATES:
        selector = f"button[data-candidate='{c['id']}']"
        _big_and_wide(phone, selector)
        assert phone.locator(selector).inner_text() == c["label"]
        # Dark on light or light on dark, never the browser's grey under white text.
        colours = phone.eval_on_selector(
            selector,
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]",
        )
        assert _contrast(*colours) >= 4.5, (c["id"], colours)
    for c in CANDIDATES:  # two seats: the third tap is not taken
        phone.locator(f"button[data-candidate='{c['id']}']").tap()
    pressed = phone.locator("button[data-candidate][aria-pressed='true']")
    assert [b.get_attribute("data-candidate") for b in pressed.all()] == ["c1", "c2"]
    chosen = phone.eval_on_selector(
        "button[data-candidate='c1']",
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]",
    )
    assert _contrast(*chosen) >= 4.5, chosen
    phone.screenshot(path=str(shots / "ballot-election.png"), full_page=True)
    # Picking candidates is several taps, so even a one-item election is sent via 核对并提交.
    phone.locator("#review").tap()
    question = phone.inner_text("#confirm-question")
    assert question == f"您选择了：{CANDIDATES[0]['label']}、{CANDIDATES[1]['label']}。确认提交？"
    _confirm_buttons_on_screen(phone)


def _contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two computed ``rgb(…)``/``rgba(…)`` colours (bg assumed opaque)."""

    def luminance(colour: str) -> float:
        parts = [float(x) for x in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        lin = [
            (c / 255 / 12.92) if c <= 10.31 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# The public pages (home, ballot page): owners meet them too, from the notice's QR code.
PUBLIC_PAGES = ["/", f"/ballots/{DEMO_BALLOT}"]
MIN_PUBLIC_TEXT_PX, MIN_FIGURE_PX, MIN_PUBLIC_TARGET_PX = 16, 18, 44
FIGURES = ".figure, .pct, #window, #ended"
TARGETS = "#lang-switch, #text-size, a.action, a.button, #verify-link, #record-link, button, input"

# The font sizes of what a selector matches, visible ones only.
SIZES = """(selector) => [...document.querySelectorAll(selector)]
  .filter(el => el.getBoundingClientRect().height > 0)
  .map(el => ({text: el.textContent.trim().slice(0, 30),
               size: parseFloat(getComputedStyle(el).fontSize)}))"""
HEIGHTS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(el => el.getBoundingClientRect().height > 0 && el.type !== 'radio')
  .map(el => ({id: el.id || el.className || el.tagName,
               height: el.getBoundingClientRect().height}))"""


@pytest.fixture
def visitor(browser: Browser) -> Iterator[Page]:
    """A phone with nothing on it: a visitor who opened the public page."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def _public_page_reads_well(page: Page, path: str, min_text: float, min_figure: float) -> None:
    measured: dict[str, Any] = page.evaluate(MEASURE)
    assert len(measured["texts"]) >= 5, path
    assert measured["scrollWidth"] <= PHONE["width"], path
    small = [t for t in measured["texts"] if t["size"] < min_text]
    assert not small, (path, small)
    figures = page.evaluate(SIZES, FIGURES)
    assert figures, path
    assert all(f["size"] >= min_figure for f in figures), (path, figures)
    low = [t for t in page.evaluate(HEIGHTS, TARGETS) if t["height"] < MIN_PUBLIC_TARGET_PX]
    assert not low, (path, low)


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_public_pages_fit_a_phone_with_16px_text_and_18px_figures(
    visitor: Page, base: str, lang: str, shots: Path
) -> None:
    for path in PUBLIC_PAGES:
        visitor.goto(f"{base}{path}{lang}")
        _public_page_reads_well(visitor, path, MIN_PUBLIC_TEXT_PX, MIN_FIGURE_PX)
        assert visitor.get_attribute("html", "lang") == ("en" if lang else "zh-CN")
        # the switch stays on this page
        assert visitor.get_attribute("#lang-switch", "href") == ("?lang=zh" if lang else "?lang=en")
        name = "public-home" if path == "/" else "public-ballot"
        visitor.screenshot(path=str(shots / f"{name}{lang and '-en'}.png"), full_page=True)


def test_large_text_chosen_on_the_owner_pages_holds_on_the_public_ones(
    visitor: Page, base: str, shots: Path
) -> None:
    visitor.goto(f"{base}/owner")
    wait_ready(visitor)
    visitor.locator("#text-size").tap()
    assert "large" in (visitor.get_attribute("html", "class") or "")
    for path in PUBLIC_PAGES:
        visitor.goto(f"{base}{path}")
        assert "large" in (visitor.get_attribute("html", "class") or ""), path
        assert visitor.get_attribute("#text-size", "aria-pressed") == "true", path
        # large mode: every text at least 18 px, the figures larger still
        _public_page_reads_well(visitor, path, MIN_TEXT_PX, 22)
    visitor.screenshot(path=str(shots / "public-ballot-large.png"), full_page=True)
    visitor.locator("#text-size").tap()  # and back, from a public page, for the owner's too
    visitor.goto(f"{base}/owner")
    wait_ready(visitor)
    assert "large" not in (visitor.get_attribute("html", "class") or "")


def test_the_verify_and_accounts_pages_take_the_large_text_choice_and_offer_it(
    visitor: Page, base: str
) -> None:
    # New-user trial: neither /verify nor the public accounts page had the switch, and the
    # choice made elsewhere did not hold there.
    visitor.goto(f"{base}/owner")
    wait_ready(visitor)
    visitor.locator("#text-size").tap()
    pages = ["/verify", "/c/xianxia-demo/disclosures"]
    for path in pages:
        visitor.goto(f"{base}{path}")
        visitor.wait_for_selector("html.large", state="attached")
        assert visitor.get_attribute("#text-size", "aria-pressed") == "true", path
        assert visitor.inner_text("#text-size") == "标准字", path
        assert visitor.evaluate("getComputedStyle(document.documentElement).fontSize") == "25px"
    visitor.locator("#text-size").tap()  # back, from the accounts page, everywhere
    assert "large" not in (visitor.get_attribute("html", "class") or "")
    visitor.goto(f"{base}/verify?lang=en")
    visitor.wait_for_selector("#text-size[aria-pressed='false']")
    assert visitor.inner_text("#text-size") == "Larger"
    assert "large" not in (visitor.get_attribute("html", "class") or "")


def test_the_pages_scripts_write_a_share_as_the_server_does(visitor: Page, base: str) -> None:
    """static/percent.js (the dashboard's) and result_view.percent_text: one rule."""
    from tests.unit.test_result_view import SHARES
    from web.pages.result_view import percent_text

    visitor.goto(f"{base}/")
    shares = [[str(n), str(d)] for n, d, _ in SHARES] + [["2", "193"], ["200000", "300001"]]
    shown = visitor.evaluate(
        """async (shares) => {
          const p = await import('/static/percent.js');
          return {fractions: shares.map(([n, d]) => p.percentText(n, d)),
                  bp: [103, 6666, 10000, 0].map(p.percentOfBp)};
        }""",
        shares,
    )
    assert shown["fractions"] == [percent_text(int(n), int(d)) for n, d in shares]
    assert shown["bp"] == ["1.03%", "66.66%", "100.00%", "0.00%"]
