"""The public verification page (/verify) in a real Chromium: a receipt of a vote cast
through the API with a demo owner's key is proven included by the browser itself, with the
trust file from the notice QR's fragment or — said to be the server's own word — from
/.well-known; a tampered receipt and a foreign trust file each fail with the reason. A
phone-sized screenshot goes to ``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder).

Scanning: Chromium's fake camera films a QR code of the receipt copy (`qr_video`) while a
photo of the result notice's QR code is chosen for the file input; the trust file alone,
codes of other things, photos with no code, and the browser's own BarcodeDetector (faked:
Linux Chromium has none) preferred over jsQR, which is then never even loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import segno
from fastapi import FastAPI

from identity.community.trustfile import PinnedTrust, parse_trust_bytes, trust_bytes, trust_link
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.demo_voters import distinct_voters
from tests.e2e.browser_support import (
    PHONE,
    fake_camera_args,
    live_server,
    phone_page,
    qr_video,
    sibling_browser,
)
from web.demo.community import demo_keys
from web.trust_qr import trust_qr

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

OK = "已包含在业委会认可的密钥签名的投票箱记录中"


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


def _trust(base: str) -> PinnedTrust:
    return parse_trust_bytes(httpx.get(f"{base}/.well-known/gongzhi-trust.json").content)


def _verify(browser: Browser, url: str, record: Any) -> tuple[Page, str, str, list[str]]:
    """Open `url`, paste `record`, press verify; the outcome, verdict, trust note and errors."""
    errors: list[str] = []
    page = phone_page(browser, errors)
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
    # plain words, true for whoever checks (not "本机": this may be anyone's phone)
    assert "核验没有通过" in text and "回执里的选票与回执记下的那张选票不一致" in text
    assert "本机" not in text and "哈希" not in text
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
    assert "This is not a vote receipt" in page.inner_text("#verify-result")
    page.context.close()


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("", "请先粘贴选票回执"),  # new-user trial: an empty box was "回执不是有效的 JSON"
        ("hello", "这不是选票回执"),
        ('{"vote": {}}', "这份回执不完整"),  # was "须含 vote 与 receipt（ballot_id、…）"
    ],
)
def test_a_box_without_a_receipt_is_said_in_plain_words(
    browser: Browser, served: tuple[str, FastAPI, Any], pasted: str, said: str
) -> None:
    base, _, _ = served
    errors: list[str] = []
    page = phone_page(browser, errors)
    page.goto(f"{base}/verify")
    page.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)
    page.fill("#receipt-json", pasted)
    page.click("#verify-submit")
    page.wait_for_selector("#verify-result[data-outcome='error']")
    text = page.inner_text("#verify-result")
    assert said in text, text
    assert "JSON" not in text and "leaf_hash" not in text
    assert errors == []
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


# ---- scanning ----------------------------------------------------------------------------


def _copy(record: Any) -> str:
    """The receipt copy as the owner's page makes it (JSON.stringify of {vote, receipt})."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _photo(qr: segno.QRCode, path: Path) -> Path:
    qr.save(str(path), kind="png", scale=6, border=4)
    return path


def _open(browser: Browser, url: str, **options: Any) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, **options)
    errors: list[str] = []
    page = phone_page(context, errors)
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)
    return page, errors


def _scan_note(page: Page, kind: str) -> str:
    page.wait_for_selector(f"#scan-note.{kind}", timeout=15_000)
    return page.inner_text("#scan-note")


def _outcome(page: Page) -> tuple[str, str]:
    page.wait_for_selector(
        "#verify-result[data-outcome='ok'], #verify-result[data-outcome='error']", timeout=30_000
    )
    return page.get_attribute("#verify-result", "data-outcome") or "", page.inner_text(
        "#verify-result"
    )


def test_a_photo_of_the_notice_then_the_camera_on_the_receipt_verify(
    browser: Browser, served: tuple[str, FastAPI, Any], tmp_path: Path, shots: Path
) -> None:
    base, _, record = served
    video = qr_video(_copy(record), tmp_path / "receipt.y4m")
    notice = _photo(trust_qr(_trust(base), verify_url=f"{base}/ballots/1"), tmp_path / "n.png")
    with sibling_browser(browser, fake_camera_args(video)) as camera_browser:
        page, errors = _open(camera_browser, f"{base}/verify", permissions=["camera"])
        page.set_input_files("#scan-photo", str(notice))
        said = _scan_note(page, "ok")
        assert "第 1 号表决结果公告上的二维码" in said and "请扫描或粘贴选票回执" in said, said
        assert "#gongzhi-trust=" in page.url  # the trust rides in the page's own fragment
        assert page.is_hidden("#verify-result")  # nothing to check yet
        page.click("#scan-start")
        outcome, text = _outcome(page)
        assert outcome == "ok", text
        assert page.input_value("#receipt-json") == _copy(record)
        assert f"这张选票在第 {record['receipt']['index']} 号记录，{OK}" in text
        note = page.inner_text("#trust-note")
        assert "您扫描的二维码" in note and "本网站自己" not in note, note
        assert page.is_hidden("#scan-video") and page.is_visible("#scan-start")
        # the camera was let go once the receipt was read
        assert page.evaluate("document.getElementById('scan-video').srcObject") is None
        page.screenshot(path=str(shots / "verify_scanned_390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert errors == []
        page.context.close()


def test_the_trust_file_alone_after_a_pasted_receipt_checks_at_once(
    browser: Browser, served: tuple[str, FastAPI, Any], tmp_path: Path
) -> None:
    base, _, record = served
    page, errors = _open(browser, f"{base}/verify?lang=en")
    page.fill("#receipt-json", _copy(record))
    trust = segno.make(trust_bytes(_trust(base)).decode(), error="m", micro=False)
    page.set_input_files("#scan-photo", str(_photo(trust, tmp_path / "trust.png")))
    outcome, text = _outcome(page)
    assert outcome == "ok" and "This vote is record number" in text, text
    assert "street office's trust file was read" in page.inner_text("#scan-note")
    assert "the QR code you scanned" in page.inner_text("#trust-note")
    assert errors == []
    page.context.close()


@pytest.mark.parametrize(
    ("lang", "content", "said"),
    [
        ("zh", "https://example.com/not-ours", "不是选票回执，也不是结果公告上的二维码"),
        ("en", '{"hello": 1}', "neither a vote receipt nor the one on a result notice"),
        ("en", f"{'https://example.com/ballots/1'}#gongzhi-trust=bm90LWpzb24", "cannot be read"),
        ("zh", None, "照片中没有找到二维码"),
    ],
)
def test_a_photo_of_anything_else_is_said_plainly_and_changes_nothing(
    browser: Browser,
    served: tuple[str, FastAPI, Any],
    tmp_path: Path,
    lang: str,
    content: str | None,
    said: str,
) -> None:
    base, _, _ = served
    page, errors = _open(browser, f"{base}/verify" + ("?lang=en" if lang == "en" else ""))
    photo = tmp_path / "photo.png"
    if content is None:
        # A photo with no code in it: a QR code's PNG, its modules painted over white.
        segno.make("x").save(str(photo), kind="png", scale=6, dark="#fff", light="#fff")
    else:
        _photo(segno.make(content, error="m", micro=False), photo)
    page.set_input_files("#scan-photo", str(photo))
    assert said in _scan_note(page, "error")
    assert "#" not in page.url and page.input_value("#receipt-json") == ""
    assert page.is_hidden("#verify-result")
    assert errors == []
    page.context.close()


# A BarcodeDetector as Android's Chrome has: it "reads" the receipt copy from any picture.
FAKE_DETECTOR = """globalThis.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code"]; }
  constructor(options) { globalThis.detectorFormats = options.formats; }
  async detect(source) { return [{ rawValue: %s, format: "qr_code" }]; }
};"""


def test_the_browsers_own_detector_is_used_and_jsqr_never_loaded(
    browser: Browser, served: tuple[str, FastAPI, Any], tmp_path: Path
) -> None:
    base, _, record = served
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(FAKE_DETECTOR % json.dumps(_copy(record)))
    page = context.new_page()
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    page.goto(f"{base}/verify")
    page.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)
    # a picture jsQR would read as something else entirely
    page.set_input_files("#scan-photo", str(_photo(segno.make("not ours"), tmp_path / "p.png")))
    outcome, text = _outcome(page)
    assert outcome == "ok", text
    assert page.evaluate("globalThis.detectorFormats") == ["qr_code"]
    assert page.evaluate("typeof globalThis.jsQR") == "undefined"
    assert not [u for u in loaded if "jsqr" in u.lower()], loaded
    context.close()


def test_the_trust_warning_names_the_notices_qr_and_the_way_back_is_the_ballot(
    browser: Browser, served: tuple[str, FastAPI, Any]
) -> None:
    # New-user trial: right after a receipt's QR code was read the warning said "没有扫描二维码",
    # and "返回表决页面" went to the home page.
    base, _, record = served
    page, outcome, text, [note] = _verify(browser, f"{base}/verify", record)
    assert outcome == "ok", text
    assert "还没有扫描结果公告上的二维码" in note and "没有扫描二维码" not in note
    assert page.inner_text("#verify-back") == "返回表决页面"
    assert (page.get_attribute("#verify-back", "href") or "").startswith("/ballots/1")
    page.fill("#receipt-json", "{not json")
    page.click("#verify-submit")
    page.wait_for_selector("#verify-result[data-outcome='error']")
    assert page.inner_text("#verify-back") == "返回首页"
    assert page.get_attribute("#verify-back", "href") == "/"
    page.context.close()


def test_in_english_the_choices_are_parted_by_a_semicolon_and_the_title_says_it_once(
    browser: Browser, served: tuple[str, FastAPI, Any]
) -> None:
    base, app, _ = served
    origin = httpx.get(f"{base}/api/ballots/1").json()["origin"]
    key = distinct_voters(demo_keys(app.state.services), 2)[1]
    body = {
        "type": "Vote",
        "ballot": origin,
        "voter": key.did.value,
        "choices": {"1": "agree", "2": "oppose"},
    }
    vote = sign_json(body, key)
    r = httpx.post(f"{base}/api/ballots/1/votes", json=vote)
    assert r.status_code == 201, r.text
    page, outcome, text, [note] = _verify(
        browser, f"{base}/verify?lang=en", {"vote": vote, "receipt": r.json()}
    )
    assert outcome == "ok", text
    assert "item 1 agree; item 2 oppose" in text and "；" not in text
    assert "the result notice's QR code" in note
    assert page.inner_text("#verify-back") == "Back to the ballot"
    assert page.title() == "Verify a vote · Gongzhi"
    page.context.close()
