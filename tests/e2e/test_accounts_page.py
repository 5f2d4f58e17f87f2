"""The public accounts page (账目公开) of the demo community, as a resident meets it: every line
item of every statement, fee standards with their unit and basis, charts with the same figures
in a table, a count that matches the cards, plain words (proof details folded away), no
personal data; Chinese by default and English on request; on a 390×844 phone in Chromium,
large text, contrast and thumb-sized targets. Screenshots go to ``GONGZHI_SCREENSHOTS``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.browser_support import PHONE, launched_browser, live_server
from tests.e2e.support import running, settings_for
from web.demo.community import SLUG
from web.pages.accounts_text import EN, ZH

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PAGE = f"/c/{SLUG}/disclosures"


class _Text(HTMLParser):
    """The page's visible text, with and without what is folded under <details>."""

    def __init__(self) -> None:
        super().__init__()
        self.main: list[str] = []
        self.folded: list[str] = []
        self.depth = 0
        self.cards = 0
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.script = tag == "script"
        if tag == "details":
            self.depth += 1
        if tag == "article":
            self.cards += 1

    def handle_endtag(self, tag: str) -> None:
        self.script = False
        if tag == "details":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.script:  # the words objection.js says: not shown until it says them
            return
        (self.folded if self.depth else self.main).append(data)


def _read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tmp_path_factory.mktemp("data"), db_url=None, anvil_url=None)
    with running(settings) as (c, _):
        yield c


def test_the_text_has_the_same_keys_in_both_languages() -> None:
    assert ZH.keys() == EN.keys()
    for key in ZH:
        assert ZH[key].count("{") == EN[key].count("{"), key


def test_every_line_item_and_fee_unit_is_shown(client: TestClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    # no inline script and no inline style may run on the page: the scripts are modules
    # from our origin (质疑, objection.js; the large-text switch, text_size.js), beside the
    # JSON block of objection.js's words
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    html = response.text
    scripts = re.findall(r"<script([^>]*)>", html)
    assert sorted(scripts) == [
        ' type="application/json" id="owner-text"',
        ' type="module" src="/static/objection.js"',
        ' type="module" src="/static/text_size.js"',
    ]
    assert " style=" not in html
    text = _read(html)
    main = "".join(text.main)
    # fee standards: price with its unit, and how, on what basis, the hotline
    assert "2.50 元/㎡·月" in main and "300.00 元/车位·月" in main
    assert "按房屋产权证载建筑面积按月计收" in main and "物业服务合同第六条" in main
    assert "价格举报电话" in main and "12345" in main and "市场调节价" in main
    # every line of the statements, with the balances either side
    for line in ("电梯维保", "人员工资及社保", "清洁卫生", "秩序维护", "公共水电", "停车服务费"):
        assert html.count(f'<th scope="row">{line}') == 3, line  # in each of the 3 months
    assert re.search(r"电梯维保</th><td>¥4,680.00</td>", html)  # what the objection asks
    assert "上月结余" in main and "本月结余" in main and "¥12,345.60" in main
    assert "电梯维保支出 4,680.00 元" in main and "答复" in main  # the 质疑 and its answer
    # the count line says what the cards show
    count = re.search(r"本页列出 (\d+) 项公开信息，业主质疑 (\d+) 条（已答复 (\d+) 条）", main)
    assert count is not None and int(count[1]) == text.cards == 9
    assert (count[2], count[3]) == ("1", "1")
    assert len(re.findall(r'class="question"', html)) == 1


def test_nothing_spent_is_zero_not_a_red_minus(client: TestClient) -> None:
    """New-user trial: the demo's maintenance fund spent nothing and showed 使用合计 −¥0.00 in
    red; zero is neither money in nor money out."""
    html = client.get(PAGE).text
    assert "<dt>使用合计</dt><dd>¥0.00</dd>" in html
    assert "−¥0.00" not in html and "+¥0.00" not in html
    assert re.search(r'<dd class="out">−¥[1-9]', html)  # what did go out is still red


def test_charts_come_with_their_figures(client: TestClient) -> None:
    html = client.get(PAGE).text
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert re.search(r"<title id=\"[\w-]+-t\">[^<]+</title><desc id=", svg)
    income, fund = svgs
    assert income.count("<rect") == 6 and "10月 支出 ¥52,442.75" in income
    assert fund.count("<circle") == 4 and "期初 ¥3,864,521.00" in fund
    tables = re.findall(r'<table class="figures">.*?</table>', html, flags=re.S)
    assert len(tables) == 2
    assert tables[0].count("<tr>") == 1 + 3 and "¥52,442.75" in tables[0]
    assert tables[1].count("<tr>") == 1 + 4 and "¥3,902,912.11" in tables[1]


def test_plain_words_and_no_personal_data(client: TestClient) -> None:
    html = client.get(PAGE).text
    text = _read(html)
    main, folded = "".join(text.main), "".join(text.folded)
    for jargon in ("叶哈希", "哈希", "锚定", "anchored", "DID", "Merkle"):
        assert jargon not in main, jargon
    assert "叶哈希" in folded and "区块链" in folded  # the details are there, folded
    assert "did:" not in html  # neither the manager's nor the objecting owner's DID
    # No mobile numbers; a hash's hex may hold such digits, never with letters on both sides.
    assert not re.search(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])", html)
    assert "北京时间" in main  # when each item was published, in Beijing time
    assert not re.search(r"\d{2}:\d{2}:\d{2}Z", html)


def test_english_on_request(client: TestClient) -> None:
    html = client.get(PAGE + "?lang=en").text
    assert '<html lang="en">' in html
    main = "".join(_read(html).main)
    assert "¥2.50 per m² per month" in main and "Balance at month end" in main
    assert re.search(r"This page lists 9 published items, 1 questions", main)
    for word in ("本月结余", "收费标准公示", "核验详情", "北京时间"):
        assert word not in html, word
    assert 'href="/owner?lang=en"' in html


def test_the_owner_home_links_to_the_accounts(client: TestClient) -> None:
    html = client.get("/owner").text
    assert f'href="/c/{SLUG}/disclosures"' in html and "小区账目" in html
    assert f'href="/c/{SLUG}/disclosures?lang=en"' in client.get("/owner?lang=en").text


# --- in a real Chromium ----------------------------------------------------------------------

# Every visible element with its own text: font size, colours (the background is the first
# opaque one up the tree), and every link or summary's box (a target for a thumb).
MEASURE = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const back = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const texts = [], targets = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (el.matches('a, summary, button'))
      targets.push({text: el.textContent.trim().slice(0, 20), h: box.height, w: box.width});
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const st = getComputedStyle(el);
    const svgFill = el instanceof SVGElement && el.getAttribute('fill') !== null;
    const fg = rgb(svgFill ? st.fill : st.color);
    const [a, b] = [lum(fg.slice(0, 3)), lum(back(el))];
    texts.push({text: el.textContent.trim().slice(0, 20), size: parseFloat(st.fontSize),
                contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return {texts, targets, scrollWidth: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as b:
        yield b


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("live"), demo=True) as (url, _):
        yield url


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_the_accounts_read_on_a_phone(browser: Browser, base: str, shots: Path, lang: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(base + PAGE + lang)
    measured: dict[str, Any] = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= PHONE["width"]
    assert len(measured["texts"]) > 50
    small = [t for t in measured["texts"] if t["size"] < 18]
    assert not small, small
    faint = [t for t in measured["texts"] if t["contrast"] < 4.5]
    assert not faint, faint
    tiny = [t for t in measured["targets"] if t["h"] < 44 or t["w"] < 44]
    assert not tiny, tiny
    for chart in page.locator("svg.chart").all():  # whole on the screen, no sideways scroll
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    name = "accounts-phone-en.png" if lang else "accounts-phone.png"
    page.screenshot(path=str(shots / name), full_page=True)
    page.locator("#income").screenshot(path=str(shots / name.replace("phone", "chart")))
    context.close()
    assert not refused, refused
