"""The printed voting card (投票卡) in a real Chromium on a phone-sized page (390×844), against
the real server: an owner enrols with a card instead of a phone key (the print page is
screenshotted), a relative's phone votes with it by pasting its text and PIN and keeps
nothing, and five wrong PINs make the page refuse that card for the rest of the session.

The card's format itself, Chromium ↔ Python, is `test_browser_card_format.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from identity.w3c.cardkey import CardCost, open_card, read_card, seal_card
from identity.w3c.dataintegrity import verify_signed_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.store import LogStore
from tests.e2e.browser_support import (
    PHONE,
    cookie_for,
    fake_camera_args,
    live_server,
    phone_page,
    qr_video,
    session_cookie,
    sibling_browser,
    wait_ready,
)
from tests.e2e.test_browser_journey import SLUG, Committee
from web.demo.community import demo_member_keys

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PIN = "204816"
ITEMS = [
    {
        "id": "1",
        "kind": "motion",
        "matter": 4,
        "title": "续聘物业服务企业",
        "text": "是否同意续聘现物业服务企业？",
        "attachments": [],
    },
    {
        "id": "2",
        "kind": "motion",
        "matter": 2,
        "title": "修改管理规约",
        "text": "是否同意修改管理规约第十条？",
        "attachments": [],
    },
]

# Everything this origin keeps in the browser: IndexedDB's store, both web storages, cookies.
KEPT = """async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('gongzhi', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('kv');
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
  });
  const keys = await new Promise((ok, no) => {
    const r = db.transaction('kv').objectStore('kv').getAllKeys();
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
  });
  db.close();
  return {indexedDB: keys, local: Object.keys(localStorage), session: Object.keys(sessionStorage)};
}"""


# Text under 18 px and tap targets under 44 px inside <main>, and the page's width.
MEASURE = """() => {
  const small = [], tiny = [];
  const targets = 'button, a, label.radio, label.file, textarea, '
    + 'input:not(.file):not([type=radio])';
  for (const el of document.querySelectorAll('main *')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (own && size < 18) small.push(el.id || el.tagName);
    if (el.matches(targets) && box.height < 44) tiny.push(el.id || el.tagName);
  }
  return {small, tiny, width: document.documentElement.scrollWidth};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Committee]]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app):
        committee = Committee(base, app)
        yield base, committee
        committee.http.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    errors: list[str] = []
    page = phone_page(browser, errors)
    yield page
    page.context.close()
    assert not errors, errors


def _tap(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def _choose(page: Page, item: str, choice: str) -> None:
    """Tap one item's choice; it alone of that item's buttons shows pressed."""
    page.locator(f"button[data-item='{item}'][data-choice='{choice}']").click()
    pressed = page.locator(f"button[data-item='{item}'][aria-pressed='true']")
    assert [b.get_attribute("data-choice") for b in pressed.all()] == [choice]


def _enrol_card(page: Page, url: str, pin: str = PIN) -> str:
    """Enrol with a card on `page`; return the card's text as printed."""
    page.goto("about:blank")  # another code for the same page is only a new #fragment
    page.goto(url)
    wait_ready(page)
    page.get_by_label("领取纸质投票卡（没有智能手机的业主）").check()
    page.fill("#card-pin", pin)
    page.fill("#card-pin-again", pin)
    _tap(page, "登记")
    page.wait_for_selector("#card-made:not([hidden])", timeout=60_000)
    return "".join(page.inner_text("#card-printed-text").split())


def _open_card(page: Page, base: str, text: str, pin: str) -> None:
    page.goto(f"{base}/owner/card")
    wait_ready(page)
    page.fill("#card-text", text)
    page.fill("#card-pin", pin)
    _tap(page, "打开投票卡")


def _says(page: Page, kind: str, *words: str) -> None:
    """Wait until the page's status line, of `kind`, says all of `words`."""
    from playwright.sync_api import expect

    line = page.locator(f"#status.{kind}")
    for word in words:
        expect(line).to_contain_text(word, timeout=60_000)


def test_enrol_with_a_card_then_vote_with_it_on_another_phone(
    server: tuple[str, Committee], phone: Page, browser: Browser, shots: Path
) -> None:
    base, committee = server
    page = phone

    # The PIN is checked before anything is made: too easy, then two that differ.
    page.goto(committee.code_for("1-1-201")["url"])
    wait_ready(page)
    page.get_by_label("领取纸质投票卡（没有智能手机的业主）").check()
    page.fill("#card-pin", "123456")
    page.fill("#card-pin-again", "123456")
    _tap(page, "登记")
    _says(page, "error", "太容易猜到")
    page.fill("#card-pin", PIN)
    page.fill("#card-pin-again", "204817")
    _tap(page, "登记")
    _says(page, "error", "两次输入的 PIN 不一样")

    # Enrol: the card is shown to print; its DID is the enrolled one; nothing is kept here.
    code = committee.code_for("1-1-101")
    text = _enrol_card(page, code["url"])
    page.screenshot(path=str(shots / "card-1-print-page.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "card-2-printed.png"), full_page=True)
    assert page.is_hidden("#card-print") and page.is_visible("#card-qr svg")
    page.emulate_media(media="screen")
    assert "1-1-101" in page.inner_text("#card-units")
    assert "/owner/card" in page.inner_text("#card-how")
    card = read_card(text)
    assert card.community == SLUG
    key = open_card(text, PIN)  # the card Chromium made opens in Python
    assert key.did == card.did
    assert "#code=" not in page.url
    kept = page.evaluate(KEPT)
    assert kept == {"indexedDB": [], "local": [], "session": []}, kept
    assert page.context.cookies() == []

    # The committee opens a two-item ballot; the census holds the card's DID like a phone's.
    draft, decision = committee.propose_ballot(ITEMS)
    ballot = committee.sign_open(draft["id"], decision)

    # A relative's phone, with an owner key of its own on it, votes with the card.
    relative_errors: list[str] = []
    relative = phone_page(browser, relative_errors)
    try:
        relative.goto(f"{base}/owner")
        wait_ready(relative)
        relative.evaluate(
            "async () => { const g = await import('/static/gongzhi.js');"
            " await g.createOwnerKey(); }"
        )
        before = relative.evaluate(KEPT)
        _open_card(relative, base, text, "")  # a slip, not a guess: it costs no attempt
        _says(relative, "error", "只有数字")
        _open_card(relative, base, text[:40] + " \n" + text[40:], "999999")  # wrong PIN
        _says(relative, "error", "还可以再试 4 次")
        _open_card(relative, base, text, PIN)
        relative.wait_for_selector("#card-session:not([hidden])", timeout=60_000)
        assert "1-1-101" in relative.inner_text("#card-session-units")
        relative.get_by_role("button", name="去投票").click()
        relative.wait_for_selector("#choose:not([hidden])")
        relative.screenshot(path=str(shots / "card-3-ballot.png"), full_page=True)
        # One choice per item (a change of mind on item 1), then 核对并提交 lists both.
        _choose(relative, "1", "oppose")
        _choose(relative, "1", "agree")
        _choose(relative, "2", "oppose")
        assert relative.is_hidden("#confirm")  # several items: no confirmation before 核对
        _tap(relative, "核对并提交")
        question = relative.inner_text("#confirm-question")
        assert f"{ITEMS[0]['title']}：同意" in question, question
        assert f"{ITEMS[1]['title']}：反对" in question, question
        relative.screenshot(path=str(shots / "card-3b-confirm.png"), full_page=True)
        _tap(relative, "确认提交")
        relative.wait_for_selector("#receipt:not([hidden])")
        chosen = relative.inner_text("#receipt-choice")
        assert chosen.splitlines() == [
            "您的选择：",
            f"{ITEMS[0]['title']}：同意",
            f"{ITEMS[1]['title']}：反对",
        ]
        _tap(relative, "核对我的选票")
        relative.wait_for_selector("#check-result.ok")
        relative.screenshot(path=str(shots / "card-4-voted.png"), full_page=True)

        # The public record shows the vote only as a hidden leaf while the ballot is open:
        # read the box itself, and check the hidden leaf is the vote's.
        record = committee.http.get(f"/api/ballots/{ballot['id']}/record").json()
        [hidden] = [e for e in record["entries"] if isinstance(e, dict)]
        assert hidden["type"] == "Vote" and record["votesHidden"]
        with committee.app.state.services.db.session(write=False) as session:
            store = LogStore(session)
            box = store.get_log(ballot["origin"])
            entries = [e.data for e in store.iter_entries(box, 0, store.size(box))]
        votes = [v for v in map(json.loads, entries) if v.get("type") == "Vote"]
        assert leaf_hash(entries[hidden["index"]]).hex() == hidden["leafHash"]
        assert [v["voter"] for v in votes] == [card.did.value]
        assert votes[0]["choices"] == {"1": "agree", "2": "oppose"}
        verify_signed_json(votes[0], expected_signer=card.did.value)

        # 完成: the key and its bearer session are gone; the phone kept nothing of the card
        # (its own key is untouched), and has no cookie session of the card's.
        with relative.expect_request("**/api/auth/sign-out") as signed_out:
            _tap(relative, "完成")
        assert signed_out.value.headers["authorization"].startswith("Bearer ")
        relative.wait_for_selector("#card-finished:not([hidden])")
        assert relative.evaluate(KEPT) == before
        assert relative.context.cookies() == []
        assert relative.inner_text("#card-view") == ""
        assert relative_errors == []
    finally:
        relative.context.close()


def test_five_wrong_pins_and_the_card_is_refused_in_this_session(
    server: tuple[str, Committee], phone: Page, shots: Path
) -> None:
    base, committee = server
    text = _enrol_card(phone, committee.code_for("1-1-102")["url"], pin="731952")
    page = phone

    for left in (4, 3, 2, 1):
        _open_card(page, base, text, "000001")
        _says(page, "error", f"还可以再试 {left} 次")
    _open_card(page, base, text, "000001")
    _says(page, "error", "已连续输错 5 次", "挂失")
    page.screenshot(path=str(shots / "card-5-locked.png"), full_page=True)
    # Even the right PIN is refused now, at once (no key is derived), in both languages.
    page.goto(f"{base}/owner/card?lang=en")
    wait_ready(page)
    page.fill("#card-text", text)
    page.fill("#card-pin", "731952")
    _tap(page, "Open the card")
    _says(page, "error", "wrong 5 times in this browser")
    assert page.is_hidden("#card-session")
    # Malformed text is told apart from a wrong PIN.
    page.fill("#card-text", text[:-6])
    _tap(page, "Open the card")
    _says(page, "error", "not a valid voting card")


def test_card_page_fits_a_phone(server: tuple[str, Committee], phone: Page) -> None:
    base, _ = server
    for path in ("/owner/card", "/owner/card?lang=en", "/owner/enrol"):
        phone.goto(f"{base}{path}")
        wait_ready(phone)
        if path == "/owner/enrol":
            phone.get_by_label("领取纸质投票卡（没有智能手机的业主）").check()
        measured: dict[str, Any] = phone.evaluate(MEASURE)
        assert measured["small"] == [] and measured["tiny"] == [], (path, measured)
        assert measured["width"] <= PHONE["width"], path


def test_a_photo_of_the_card_fills_in_its_text(
    server: tuple[str, Committee], phone: Page, tmp_path: Path
) -> None:
    """The photo path, read by qrscan.js (jsQR here: Linux Chromium has no BarcodeDetector),
    which the page fetches only once a photo is chosen, not with the page."""
    import segno

    base, _ = server
    text = seal_card(KeyPair.generate(KeyType.P256), "480213", SLUG, cost=CardCost(10, 8, 1))
    photos = {}
    for name, content in (("card", text), ("other", "https://example.org/not-a-card")):
        photos[name] = tmp_path / f"{name}.png"
        segno.make(content, error="m", micro=False).save(str(photos[name]), scale=8, border=4)
    photos["blank"] = tmp_path / "blank.png"
    segno.make("x").save(str(photos["blank"]), scale=1, border=40, dark="white")
    scripts: list[str] = []
    phone.on("request", lambda r: scripts.append(r.url) if "/static/" in r.url else None)
    phone.goto(f"{base}/owner/card")
    wait_ready(phone)
    assert not [u for u in scripts if "jsqr" in u.lower()], scripts  # not with the page
    assert f"{base}/static/qrscan.js" in scripts  # the one reader, the card page's too
    phone.set_input_files("#scan-photo", str(photos["other"]))
    _says(phone, "error", "不是投票卡")
    phone.set_input_files("#scan-photo", str(photos["blank"]))
    _says(phone, "error", "没有找到投票卡的二维码")
    phone.set_input_files("#scan-photo", str(photos["card"]))
    _says(phone, "ok", "已读到投票卡")
    assert phone.input_value("#card-text") == text
    assert [u for u in scripts if "jsqr" in u.lower()] == [f"{base}/static/vendor/jsqr/jsQR.js"]


def test_the_camera_reads_the_card_and_lets_go(
    browser: Browser, server: tuple[str, Committee], tmp_path: Path
) -> None:
    """The camera path: Chromium's fake camera films the printed card; its text fills in, the
    PIN field takes the focus and the camera is let go."""
    base, _ = server
    text = seal_card(KeyPair.generate(KeyType.P256), "480213", SLUG, cost=CardCost(10, 8, 1))
    video = qr_video(text, tmp_path / "card.y4m")
    with sibling_browser(browser, fake_camera_args(video)) as camera_browser:
        errors: list[str] = []
        context = camera_browser.new_context(viewport=PHONE, permissions=["camera"])
        page = phone_page(context, errors)
        page.goto(f"{base}/owner/card?lang=en")
        wait_ready(page)
        page.click("#scan-start")
        page.wait_for_function("(t) => document.querySelector('#card-text').value === t", arg=text)
        _says(page, "ok", "Card read")
        assert page.evaluate("document.activeElement.id") == "card-pin"
        assert page.is_hidden("#scan-video") and page.is_visible("#scan-start")
        assert page.evaluate("document.getElementById('scan-video').srcObject") is None
        assert errors == []
        context.close()


# A BarcodeDetector as Android's Chrome has, that "reads" the card from any picture.
FAKE_DETECTOR = """globalThis.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code"]; }
  async detect(source) { return [{ rawValue: %s, format: "qr_code" }]; }
};"""


def test_the_browsers_own_detector_reads_the_card_and_jsqr_is_never_fetched(
    browser: Browser, server: tuple[str, Committee], tmp_path: Path
) -> None:
    import segno

    base, _ = server
    text = seal_card(KeyPair.generate(KeyType.P256), "480213", SLUG, cost=CardCost(10, 8, 1))
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(FAKE_DETECTOR % json.dumps(text))
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(f"{base}/owner/card")
    wait_ready(page)
    photo = tmp_path / "not-the-card.png"  # jsQR would read this as something else
    segno.make("not ours", error="m", micro=False).save(str(photo), scale=8, border=4)
    page.set_input_files("#scan-photo", str(photo))
    page.wait_for_function("(t) => document.querySelector('#card-text').value === t", arg=text)
    assert page.evaluate("typeof globalThis.jsQR") == "undefined"
    assert not [u for u in fetched if "jsqr" in u.lower()], fetched
    context.close()


def test_a_card_voter_votes_at_the_committees_desk(
    browser: Browser, tmp_path: Path, shots: Path
) -> None:
    """The desk journey, whole, on the committee's own computer (a phone-sized window): the
    member prints the owner's enrolment code from the console; the owner types it there and
    takes a voting card; the committee opens a ballot; the printed card is scanned (a photo
    of its QR code), the PIN typed, the vote signed in that browser and checked; 完成 forgets
    the card's key and session, leaving the desk's storage as it was and the committee's
    sign-in untouched; the receipt's QR code, photographed, verifies on /verify elsewhere."""
    from playwright.sync_api import expect

    errors: list[str] = []
    with live_server(tmp_path / "data", demo=True) as (base, app):
        committee = Committee(base, app)
        member = demo_member_keys(committee.data_dir)[0]  # registered in this committee too
        desk = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            permissions=["clipboard-read", "clipboard-write"],
        )
        desk.add_cookies([session_cookie(base, cookie_for(committee.http, member))])
        signed_in = desk.cookies()
        page = phone_page(desk, errors)

        # The console: the code sheet for one unit, printed at the desk.
        page.goto(f"{base}/communities/{SLUG}/committee")
        page.fill("input[name='units']", "1-1-201")
        page.get_by_role("button", name="生成并打印登记码").click()
        page.wait_for_selector(".code")
        code = page.inner_text(".code").strip()
        assert "1-1-201" in page.inner_text("body")
        page.screenshot(path=str(shots / "card-desk-1-code-sheet.png"), full_page=True)

        # The owner types the code and takes a card instead of a phone key.
        page.goto(f"{base}/owner/enrol")
        wait_ready(page)
        before = page.evaluate(KEPT)
        page.fill("#code", code)
        page.get_by_label("领取纸质投票卡（没有智能手机的业主）").check()
        page.fill("#card-pin", PIN)
        page.fill("#card-pin-again", PIN)
        _tap(page, "登记")
        page.wait_for_selector("#card-made:not([hidden])", timeout=60_000)
        text = "".join(page.inner_text("#card-printed-text").split())
        card = read_card(text)
        printed = tmp_path / "card-photo.png"  # the printed card, as the desk's camera sees it
        page.locator("#card-qr").screenshot(path=str(printed))
        page.screenshot(path=str(shots / "card-desk-2-card.png"), full_page=True)
        assert page.evaluate(KEPT) == before

        draft, decision = committee.propose_ballot(ITEMS)
        ballot = committee.sign_open(draft["id"], decision)

        # At the desk again: the card scanned, the PIN typed, the vote signed here.
        page.goto(f"{base}/owner/card")
        wait_ready(page)
        page.set_input_files("#scan-photo", str(printed))
        _says(page, "ok", "已读到投票卡")
        assert "".join(page.input_value("#card-text").split()) == text
        page.fill("#card-pin", PIN)
        _tap(page, "打开投票卡")
        page.wait_for_selector("#card-session:not([hidden])", timeout=60_000)
        assert "1-1-201" in page.inner_text("#card-session-units")
        page.get_by_role("button", name="去投票").click()
        page.wait_for_selector("#choose:not([hidden])")
        _choose(page, "1", "agree")
        _choose(page, "2", "abstain")
        _tap(page, "核对并提交")
        _tap(page, "确认提交")
        page.wait_for_selector("#receipt:not([hidden])")
        _tap(page, "核对我的选票")
        page.wait_for_selector("#check-result.ok")
        page.screenshot(path=str(shots / "card-desk-3-voted.png"), full_page=True)
        page.locator("#copy-receipt").click()
        expect(page.locator("#check-result")).to_contain_text("回执已复制", timeout=10_000)
        receipt = json.loads(page.evaluate("navigator.clipboard.readText()"))
        assert receipt["vote"]["voter"] == card.did.value
        assert receipt["vote"]["choices"] == {"1": "agree", "2": "abstain"}
        verify_signed_json(receipt["vote"], expected_signer=card.did.value)
        # The receipt's QR code, shown in the card's session too: the owner photographs it.
        photo = tmp_path / "receipt.png"
        page.locator("#receipt-qr svg").screenshot(path=str(photo))

        # 完成: nothing of the card stays at the desk; the committee is still signed in.
        _tap(page, "完成")
        page.wait_for_selector("#card-finished:not([hidden])")
        assert page.evaluate(KEPT) == before
        assert desk.cookies() == signed_in
        assert page.inner_text("#card-view") == ""
        page.screenshot(path=str(shots / "card-desk-4-finished.png"), full_page=True)
        desk.close()

        # The receipt, carried away as the page's QR code, verifies on any other device.
        elsewhere = phone_page(browser, errors)
        copy = json.dumps(receipt, ensure_ascii=False, separators=(",", ":"))
        elsewhere.goto(f"{base}/verify")
        wait_ready(elsewhere)
        elsewhere.set_input_files("#scan-photo", str(photo))
        elsewhere.wait_for_selector("#verify-result[data-outcome='ok']", timeout=30_000)
        assert elsewhere.input_value("#receipt-json") == copy
        assert f"第 {receipt['receipt']['index']} 号记录" in elsewhere.inner_text("#verify-result")
        assert receipt["receipt"]["ballot_id"] == ballot["id"]
        elsewhere.screenshot(path=str(shots / "card-desk-5-verified.png"), full_page=True)
        elsewhere.context.close()
        committee.http.close()
    assert errors == []
