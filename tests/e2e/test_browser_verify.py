"""The public verification page (/verify) in a real Chromium: a receipt of a vote cast
through the API with a demo owner's key is proven included by the browser itself, with the
trust file from the notice QR's fragment or — said to be the server's own word — from
/.well-known; a tampered receipt and a foreign trust file each fail with the reason. A
phone-sized screenshot goes to ``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from identity.community.trustfile import PinnedTrust, parse_trust_bytes, trust_link
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.demo_voters import distinct_voters
from tests.e2e.browser_support import PHONE, launched_browser, live_server
from web.demo import demo_keys

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

OK = "已包含在业委会认可的密钥签名的投票箱记录中"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FastAPI, Any]]:
    """The demo server with one vote cast on ballot 1; yields the base URL, the app and the
    record an owner's page keeps ({vote, receipt})."""
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app):
        origin = httpx.get(f"{base}/api/ballots/1").json()["origin"]
        [key] = distinct_voters(demo_keys(app.state.services), 1)
        body = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        vote = sign_json(body, key)
        r = httpx.post(f"{base}/api/ballots/1/votes", json=vote)
        assert r.status_code == 201, r.text
        yield base, app, {"vote": vote, "receipt": r.json()}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as b:
        yield b


def _trust(base: str) -> PinnedTrust:
    return parse_trust_bytes(httpx.get(f"{base}/.well-known/gongzhi-trust.json").content)


def _verify(browser: Browser, url: str, record: Any) -> tuple[Page, str, str, list[str]]:
    """Open `url`, paste `record`, press verify; the outcome, verdict, trust note and errors."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)
    page.fill("#receipt-json", json.dumps(record, ensure_ascii=False))
    page.click("#verify-submit")
    page.wait_for_selector(
        "#verify-result[data-outcome='ok'], #verify-result[data-outcome='error']", timeout=30_000
    )
    assert errors == []
    outcome = page.get_attribute("#verify-result", "data-outcome") or ""
    text = page.inner_text("#verify-result")
    note = page.inner_text("#trust-note") if page.is_visible("#trust-note") else ""
    return page, outcome, text, [note]


def test_a_real_receipt_is_proven_with_the_notice_trust(
    browser: Browser, served: tuple[str, FastAPI, Any], shots: Path
) -> None:
    base, _, record = served
    page, outcome, text, [note] = _verify(
        browser, trust_link(f"{base}/verify", _trust(base)), record
    )
    assert outcome == "ok", text
    index = record["receipt"]["index"]
    assert f"这张选票在第 {index} 号记录，{OK}（共 " in text
    assert "只增加了记录" in text and "第 1 项 同意" in text
    assert "二维码" in note and "本网站自己" not in note
    page.screenshot(path=str(shots / "verify_ok_390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.context.close()


def test_without_the_qr_the_server_trust_is_used_with_a_warning(
    browser: Browser, served: tuple[str, FastAPI, Any]
) -> None:
    base, _, record = served
    page, outcome, text, [note] = _verify(browser, f"{base}/verify", record)
    assert outcome == "ok", text
    assert "本网站自己" in note
    page.context.close()


def test_a_tampered_receipt_fails_and_says_why(
    browser: Browser, served: tuple[str, FastAPI, Any], shots: Path
) -> None:
    base, _, record = served
    tampered = {**record, "vote": {**record["vote"], "choices": {"1": "oppose"}}}
    page, outcome, text, _ = _verify(browser, trust_link(f"{base}/verify", _trust(base)), tampered)
    assert outcome == "error"
    assert "核验没有通过" in text and "叶子哈希与本机签名的选票不符" in text
    page.screenshot(path=str(shots / "verify_tampered_390.png"), full_page=True)
    page.context.close()


def test_a_receipt_of_another_index_fails(
    browser: Browser, served: tuple[str, FastAPI, Any]
) -> None:
    base, _, record = served
    moved = {**record, "receipt": {**record["receipt"], "index": 0}}
    page, outcome, text, _ = _verify(browser, f"{base}/verify", moved)
    assert outcome == "error" and "包含证明" in text, text
    page.context.close()


def test_a_trust_file_of_another_street_office_refuses_the_committee(
    browser: Browser, served: tuple[str, FastAPI, Any]
) -> None:
    base, _, record = served
    real = _trust(base)
    stranger = KeyPair.generate(KeyType.P256).did.value
    foreign = PinnedTrust(
        chain_id=real.chain_id, contract=real.contract, roots=frozenset({stranger})
    )
    page, outcome, text, [note] = _verify(browser, trust_link(f"{base}/verify", foreign), record)
    assert outcome == "error"
    assert "备案不是由受信任的街道办事处签发" in text, text
    assert "不同" in note and "roots" in note
    page.context.close()


def test_english_and_garbage(browser: Browser, served: tuple[str, FastAPI, Any]) -> None:
    base, _, record = served
    page, outcome, text, _ = _verify(browser, f"{base}/verify?lang=en", record)
    assert outcome == "ok" and "This vote is record number" in text, text
    page.fill("#receipt-json", "{not json")
    page.click("#verify-submit")
    page.wait_for_selector("#verify-result[data-outcome='error']")
    assert "not valid JSON" in page.inner_text("#verify-result")
    page.context.close()


def test_the_ballot_page_carries_the_qr_trust_to_the_verify_page(
    browser: Browser, served: tuple[str, FastAPI, Any]
) -> None:
    base, _, _ = served
    link = trust_link(f"{base}/ballots/1", _trust(base))
    page = browser.new_page()
    page.goto(link)
    fragment = link.split("#", 1)[1]
    page.wait_for_function(
        "f => document.getElementById('verify-link').href.endsWith('#' + f)", arg=fragment
    )
    page.click("#verify-link")
    page.wait_for_selector("body[data-ready='true']", state="attached")
    assert page.url.endswith("/verify#" + fragment)
    page.close()
