"""The owner's ballot page in a real Chromium: a proxy (委托) granted in the browser, the
proxy voting for the owner from their own phone, the record showing it; a mandate withdrawn
before use; the closed ballot with 通过/未通过 and its bars on the owner's and the public
page (Beijing time, English switch); and large-text mode at 390 px."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.browser_support import PHONE, live_server, run_module, wait_ready
from tests.e2e.test_browser_journey import SLUG, Committee
from tests.identity_web import close_ballot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ITEMS = [
    {"id": "1", "kind": "motion", "matter": 4, "title": "续聘物业", "text": "续聘三年？"},
    {"id": "2", "kind": "motion", "matter": 7, "title": "加装电梯", "text": "1号楼加装电梯？"},
]
LARGE_PX = 22


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Committee]]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app):
        committee = Committee(base, app)
        yield base, committee
        committee.http.close()


def _context(browser: Browser) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


@pytest.fixture(scope="module")
def owner(browser: Browser, server: tuple[str, Committee]) -> Iterator[Page]:
    """The owner of 1-1-101, enrolled on this phone before any ballot below is opened."""
    _, committee = server
    context, page, errors = _context(browser)
    page.goto(committee.code_for("1-1-101")["url"])
    wait_ready(page)
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_selector("#enrol-done:not([hidden])")
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def proxy(browser: Browser, server: tuple[str, Committee]) -> Iterator[tuple[Page, str]]:
    """A relative's phone: a key of its own, not in the census."""
    base, _ = server
    context, page, errors = _context(browser)
    page.goto(f"{base}/owner")
    wait_ready(page)
    did: str = run_module(page, "return (await g.createOwnerKey()).did;")
    yield page, did
    context.close()
    assert not errors, errors


def _opened(committee: Committee) -> dict[str, Any]:
    draft, decision = committee.propose_ballot(ITEMS)
    return committee.sign_open(draft["id"], decision)


def _entries(committee: Committee, ballot_id: int) -> list[dict[str, Any]]:
    record = committee.http.get(f"/api/ballots/{ballot_id}/record").json()
    return [e if isinstance(e, dict) else json.loads(e) for e in record["entries"]]


def _grant(owner: Page, base: str, ballot_id: int, did: str, choices: dict[str, str]) -> None:
    owner.goto(f"{base}/owner/ballots/{ballot_id}")
    wait_ready(owner)
    owner.wait_for_selector("#proxy:not([hidden])")
    owner.fill("#proxy-did", did)
    for item, choice in choices.items():
        owner.select_option(f"#proxy-choice-{item}", choice)
    owner.click("#proxy-grant")
    owner.wait_for_selector("#proxy-given:not([hidden])")
    assert did in owner.inner_text("#proxy-given-text")
    assert owner.is_hidden("#choose")  # a proxy in force: the owner's own choices are hidden


def test_the_qr_reader_loads_only_for_a_photo_of_the_proxys_code(
    server: tuple[str, Committee], owner: Page, proxy: tuple[Page, str], tmp_path: Path
) -> None:
    """jsQR (58 KB compressed) is not fetched with the ballot page, which it held back on a
    slow phone (BENCHMARKS.md): only once the owner picks a photo of the proxy's QR code."""
    import segno

    base, committee = server
    ballot = _opened(committee)
    _, did = proxy
    photo = tmp_path / "proxy.png"
    segno.make(did, error="m", micro=False).save(str(photo), scale=6, border=4)
    scripts: list[str] = []
    owner.on("request", lambda r: scripts.append(r.url) if "jsQR" in r.url else None)
    owner.goto(f"{base}/owner/ballots/{ballot['id']}")
    wait_ready(owner)
    owner.wait_for_selector("#proxy:not([hidden])")
    assert owner.is_visible("button[data-item='1'][data-choice='agree']")
    assert scripts == []  # the page is usable without it
    owner.set_input_files("#proxy-photo", str(photo))
    owner.wait_for_function("(did) => document.querySelector('#proxy-did').value === did", arg=did)
    assert [u.removeprefix(base) for u in scripts] == ["/static/vendor/jsqr/jsQR.js"]


def test_a_proxy_granted_in_the_browser_votes_for_the_owner_and_the_result_shows(
    server: tuple[str, Committee], owner: Page, proxy: tuple[Page, str]
) -> None:
    base, committee = server
    ballot = _opened(committee)
    proxy_page, proxy_did = proxy
    _grant(owner, base, ballot["id"], proxy_did, {"1": "agree", "2": "oppose"})
    # The proxy's own ballot page offers to vote for the owner; the instructions are the
    # owner's to tell (the server keeps them secret while voting runs).
    proxy_page.goto(f"{base}/owner/ballots/{ballot['id']}")
    wait_ready(proxy_page)
    proxy_page.wait_for_selector("#proxy-for:not([hidden])")
    assert "1-1-101" in proxy_page.inner_text("#proxy-for")
    place = committee.http.get(f"/api/ballots/{ballot['id']}/census/{proxy_did}").json()
    assert place["represents"][0]["instructed"] and "agree" not in json.dumps(place)
    proxy_page.click("button.proxy-vote")
    proxy_page.click("button[data-item='1'][data-choice='agree']")
    proxy_page.click("button[data-item='2'][data-choice='oppose']")
    proxy_page.click("#review")
    proxy_page.click("#confirm-submit")
    proxy_page.wait_for_selector("#receipt:not([hidden])")
    assert proxy_page.is_disabled("button.proxy-vote")

    # Once used, the owner cannot withdraw it: the page says so.
    owner.reload()
    wait_ready(owner)
    owner.click("#proxy-withdraw")
    owner.wait_for_selector("#proxy-used:not([hidden])")
    assert owner.is_hidden("#proxy-withdraw")

    # Closed early: the owner's page says when voting ended, with each item's verdict and bars.
    close_ballot(committee.http, committee.app, ballot["id"], slug=SLUG, headers=committee.headers)
    entries = _entries(committee, ballot["id"])  # revealed at the close
    mandate = next(e for e in entries if e["type"] == "ProxyMandate")
    assert mandate["proxy"] == proxy_did and mandate["choices"] == {"1": "agree", "2": "oppose"}
    vote = next(e for e in entries if e["type"] == "Vote")
    assert vote["voter"] == proxy_did and vote["censusEntry"] == mandate["censusEntry"]
    owner.goto(f"{base}/owner/ballots/{ballot['id']}")
    wait_ready(owner)
    assert "投票截止" not in owner.inner_text("main")
    assert "投票已于" in owner.inner_text("#deadline")
    verdicts = owner.locator("#results .item-result h3 .verdict").all_inner_texts()
    assert verdicts == ["未通过", "未通过"]  # one owner of three: no quorum
    assert owner.locator("#results progress").count() >= 8
    assert "33.33%" in owner.inner_text("#results")  # headcount 1/3, exact
    assert "异议期" in owner.inner_text("#results") or "异议" in owner.inner_text("#results")
    assert owner.get_attribute("#notice-link", "href") == f"/ballots/{ballot['id']}/notice"
    owner.goto(f"{base}/owner")
    wait_ready(owner)
    listed = owner.locator(f"#ballot-list li[data-ballot='{ballot['id']}']")
    assert listed.get_attribute("data-status") == "closed"  # it no longer vanishes

    # The public page: the same bars, Beijing time, and English on request.
    public = owner.context.new_page()
    public.goto(f"{base}/ballots/{ballot['id']}")
    assert public.locator("#results .verdict").first.inner_text() == "未通过"
    assert "北京时间" in public.inner_text("#window")
    public.goto(f"{base}/ballots/{ballot['id']}?lang=en")
    assert public.get_attribute("html", "lang") == "en"
    assert "Not passed" in public.inner_text("#results")
    public.close()


def test_a_mandate_withdrawn_before_use_gives_the_owner_back_their_vote(
    server: tuple[str, Committee], owner: Page, proxy: tuple[Page, str]
) -> None:
    base, committee = server
    ballot = _opened(committee)
    _, proxy_did = proxy
    _grant(owner, base, ballot["id"], proxy_did, {})
    owner.click("#proxy-withdraw")
    owner.wait_for_selector("#proxy-give:not([hidden])")
    assert owner.is_visible("#choose")
    kinds = [e["type"] for e in _entries(committee, ballot["id"])]  # no choices: both public
    assert kinds.count("ProxyMandate") == 1 and kinds.count("ProxyWithdrawal") == 1
    did = run_module(owner, "return (await g.loadOwnerKey()).did;")
    place = committee.http.get(f"/api/ballots/{ballot['id']}/census/{did}").json()
    assert place["mandate"] is None and place["census_entry"]


def test_large_text_mode_is_remembered_and_nothing_overflows_at_390px(
    server: tuple[str, Committee], owner: Page
) -> None:
    base, committee = server
    ballot = _opened(committee)  # its own ballot: the test runs alone or in any order
    owner.goto(f"{base}/owner")
    wait_ready(owner)
    if owner.get_attribute("#text-size", "aria-pressed") != "true":
        owner.click("#text-size")
    try:
        for path in ("/owner", "/owner/enrol", "/owner/signin", f"/owner/ballots/{ballot['id']}"):
            for lang in ("", "?lang=en"):
                owner.goto(f"{base}{path}{lang}")
                wait_ready(owner)
                assert owner.evaluate("document.documentElement.classList.contains('large')")
                measured = owner.evaluate(MEASURE)
                assert measured["scrollWidth"] <= PHONE["width"], (path, lang)
                small = [t for t in measured["texts"] if t["size"] < LARGE_PX]
                assert not small, (path, lang, small)
                # the header's name may wrap at its spaces, never inside its last word
                # (it broke as "业主投 / 票")
                assert owner.evaluate(LAST_WORD_ON_ONE_LINE), (path, lang)
    finally:
        owner.click("#text-size")  # back to normal for the other tests of this phone
    assert owner.evaluate("localStorage.getItem('gongzhi:large-text')") == "0"


LAST_WORD_ON_ONE_LINE = """() => {
  const text = document.querySelector('.brand').firstChild;
  const range = document.createRange();
  range.setStart(text, text.textContent.lastIndexOf(' ') + 1);
  range.setEnd(text, text.textContent.length);
  return range.getClientRects().length === 1;
}"""

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
