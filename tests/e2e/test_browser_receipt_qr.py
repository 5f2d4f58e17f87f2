"""The owner's receipt as a QR code, in a real Chromium at 390×844: a visitor enrols from
/demo and votes on the demo ballot; the receipt shows a QR code drawn in the page (no request
leaves this server), large enough for a phone's camera, with its caption in both languages.
A screenshot of that code, chosen as a photo on /verify, is read back by /verify into exactly
the receipt the page copies, and /verify proves it; the code is drawn again from the receipt
kept on the phone when the page is opened later."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser_support import PHONE, enrol_from_demo, live_server, phone_page, wait_ready

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

OK = "已包含在业委会认可的密钥签名的投票箱记录中"
# A phone's camera reads a module of ~2.5 CSS px on another phone's screen (≈0.4 mm); the
# demo's receipt is a version-24 code (121 modules with its quiet zone) at correction M,
# each module a whole 5 of the test phone's pixels (device scale 2).
MIN_MODULE_PX = 2.5


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (url, _):
        yield url


@pytest.fixture
def phone(browser: Browser, base: str) -> Iterator[tuple[Page, list[str]]]:
    """A phone that enrolled from /demo and voted on the demo ballot, showing the receipt;
    the page (its clipboard allowed) and its script errors and CSP refusals."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    errors: list[str] = []
    page = phone_page(context, errors)
    enrol_from_demo(page, base)
    page.goto(f"{base}/owner/ballots/1")
    wait_ready(page)
    page.locator("button[data-item='1'][data-choice='agree']").tap()
    page.locator("button[data-item='2'][data-choice='oppose']").tap()
    page.locator("#review").tap()
    page.locator("#confirm-submit").tap()
    page.wait_for_selector("#receipt:not([hidden])", timeout=20_000)
    yield page, errors
    context.close()


def _copied(page: Page) -> str:
    """The receipt as the page's copy button puts it on the clipboard."""
    page.click("#copy-receipt")
    page.wait_for_selector("#check-result.ok")
    return str(page.evaluate("navigator.clipboard.readText()"))


def test_the_receipt_qr_reads_back_on_verify_into_that_receipt_and_is_proven(
    browser: Browser,
    base: str,
    phone: tuple[Page, list[str]],
    tmp_path: Path,
    shots: Path,
) -> None:
    page, errors = phone
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    qr = page.locator("#receipt-qr svg")
    qr.wait_for(timeout=10_000)
    assert page.get_attribute("#receipt-qr svg", "aria-label") == "选票回执二维码"
    box = qr.bounding_box()
    assert box is not None
    modules = int(page.get_attribute("#receipt-qr svg", "data-modules") or 0) + 8
    assert box["width"] / modules >= MIN_MODULE_PX, (box["width"], modules)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    caption = page.inner_text("#receipt-qr-box")
    assert "回执二维码" in caption and "扫码" in caption and "截图" in caption
    assert "二维码里有您投的选择" in caption
    page.screenshot(path=str(shots / "receipt_qr_390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    copied = _copied(page)

    # Another phone's /verify, handed a screenshot of the code (Linux Chromium has no
    # BarcodeDetector: /verify's own jsQR reads it).
    photo = tmp_path / "receipt-qr.png"
    qr.screenshot(path=str(photo))
    verifier_errors: list[str] = []
    verifier = phone_page(browser, verifier_errors)
    verifier.goto(f"{base}/verify")
    verifier.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)
    verifier.set_input_files("#scan-photo", str(photo))
    verifier.wait_for_selector(
        "#verify-result[data-outcome='ok'], #verify-result[data-outcome='error']", timeout=30_000
    )
    text = verifier.inner_text("#verify-result")
    assert verifier.get_attribute("#verify-result", "data-outcome") == "ok", text
    assert verifier.input_value("#receipt-json") == copied
    record = json.loads(copied)
    assert f"这张选票在第 {record['receipt']['index']} 号记录，{OK}" in text
    assert "第 1 项 同意" in text and "第 2 项 反对" in text
    verifier.screenshot(path=str(shots / "receipt_qr_verified_390.png"), full_page=True)
    verifier.context.close()
    assert verifier_errors == [] and errors == []
    # Drawn in the page: nothing was fetched from anywhere but this server.
    assert all(u.startswith(base) for u in requests), requests


def test_the_qr_is_drawn_again_from_the_kept_receipt_and_speaks_english(
    base: str, phone: tuple[Page, list[str]]
) -> None:
    page, errors = phone
    copied = _copied(page)
    page.goto(f"{base}/owner/ballots/1?lang=en")
    wait_ready(page)
    page.wait_for_selector("#receipt-qr svg", timeout=10_000)
    assert page.get_attribute("#receipt-qr svg", "aria-label") == "Vote receipt QR code"
    caption = page.inner_text("#receipt-qr-box")
    assert "Receipt QR code" in caption and "“Scan”" in caption and "screenshot" in caption
    assert "how you voted" in caption
    # the same receipt, so the same code as right after the vote
    assert _copied(page) == copied
    assert errors == []
