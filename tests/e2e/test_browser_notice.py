"""The printable result notice in a real Chromium: on a phone (390×844) nothing is wider than
the screen, in Chinese and in its English translation, on an A4-wide desktop the page reads as
the sheet it prints, and Chromium's own print to A4 keeps the QR code whole on one page.
Screenshots go to ``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder), as the other
browser tests' do.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from tests.e2e.browser_support import PHONE, live_server
from tests.notice_support import entries
from web.pages.notice_source import NoticeEntries, notice_entries

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

# A4 at the CSS 96 px per inch: 210 × 297 mm.
A4_DESKTOP: ViewportSize = {"width": 794, "height": 1123}
PAGE = "/ballots/7/notice"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FastAPI]]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app):
        announced, result, _, _ = entries()

        def fake() -> NoticeEntries:
            return announced, result, None

        app.dependency_overrides[notice_entries] = fake
        yield base, app


def test_the_notice_fits_a_phone(
    browser: Browser, served: tuple[str, FastAPI], shots: Path
) -> None:
    base, _ = served
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A refused style or image (CSP) or a missing resource; the browser's own favicon
    # request is no part of the page.
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.goto(base + PAGE)
    assert page.locator("h1").inner_text() == "仙霞示范小区（演示）业主共同决定事项表决结果公告"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for table in page.locator(".scroll").all():  # every table whole, no sideways scroll
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
    qr = page.locator(".verify svg").bounding_box()
    assert qr is not None and qr["width"] >= 140 and qr["x"] + qr["width"] <= PHONE["width"]
    page.screenshot(path=str(shots / "notice-phone.png"), full_page=True)
    context.close()
    assert not errors, errors  # a CSP refusal would show here


def test_the_english_notice_fits_a_phone(
    browser: Browser, served: tuple[str, FastAPI], shots: Path
) -> None:
    """The English translation on the same phone: longer words, still nothing wider than the
    screen, every table whole, and its note links the official Chinese page."""
    base, _ = served
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(base + PAGE + "?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    heading = "仙霞示范小区（演示）: notice of the result of the owners' vote on joint decisions"
    assert page.locator("h1").inner_text() == heading
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # At 16 px a table of wide English figures may scroll inside its own box, never the page;
    # the box takes the keyboard's focus so it can be scrolled without a finger too.
    for table in page.locator(".scroll").all():
        assert table.get_attribute("tabindex") == "0"
        box = table.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    note = page.locator(".translation")
    assert note.is_visible() and "translation for reference" in note.inner_text()
    page.screenshot(path=str(shots / "notice-phone-en.png"), full_page=True)
    note.get_by_role("link", name="Chinese notice").click()
    page.wait_for_url(base + PAGE)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "仙霞示范小区（演示）业主共同决定事项表决结果公告"
    context.close()
    assert not errors, errors


def test_the_notice_prints_on_a4(
    browser: Browser, served: tuple[str, FastAPI], shots: Path
) -> None:
    base, _ = served
    context = browser.new_context(viewport=A4_DESKTOP)
    page = context.new_page()
    page.goto(base + PAGE)
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_DESKTOP["width"]
    page.screenshot(path=str(shots / "notice-a4-screen.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("nav.bar").is_hidden()  # the print hint does not print
    page.screenshot(path=str(shots / "notice-a4-print.png"), full_page=True)
    printed = page.pdf(prefer_css_page_size=True, print_background=True)
    (shots / "notice-printed.pdf").write_bytes(printed)
    reader = PdfReader(io.BytesIO(printed))
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    }
    assert sizes == {(595, 842)}  # A4 from the page's @page rule
    assert len(reader.pages) <= 3
    text = "".join(p.extract_text() for p in reader.pages)
    assert "本项表决通过" in text and "本项表决未通过" in text
    context.close()
