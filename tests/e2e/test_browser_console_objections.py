"""The committee console answers objections (质疑答复) in a real Chromium at 390×844.

The committee's members may publish disclosures (the API gives the ``committee`` role the
right, as it does the property manager); the ledger takes a reply only from the questioned
entry's publisher. A phone makes its member key on the signing page, the demo street office
registers it, the member signs in on the console and publishes an entry through the API with
that key; a demo member publishes another; an owner objects to both. The console offers this
device an answer form for its own entry only (the other member's is listed for them), refuses
an empty answer in place, and signs the reply on the device: the log then holds an
ObjectionReply signed by the phone's key, dated by its proof. Screenshots go to
``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from identity.w3c.dataintegrity import sign_json
from tests import ledger_disclosure_support as s
from tests.e2e.browser_support import PHONE, live_server, phone_page, run_module, wait_ready
from tests.e2e.test_browser_manager_desk import _bearer, _object
from tests.e2e.test_browser_member_signing import _register
from tests.identity_web import data_dir_of
from web.demo.community import SLUG, demo_member_keys

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page

API = f"/api/communities/{SLUG}/disclosures"
PAGE = f"/communities/{SLUG}/committee/objections"

# The member's device publishes as a member's own client would: signed with the device key,
# posted with the console's cookie session.
PUBLISH = """
const key = await g.loadMemberKey();
const log = (await (await fetch(arg.api)).json()).origin;
const doc = {type: "Disclosure", log, kind: "Attachment", publisher: key.did, body: arg.body};
const signed = await g.signDocument(doc, {key, created: g.formatUtc(Date.now() * 1000)});
const r = await fetch(arg.api + "/entries", {method: "POST", credentials: "same-origin",
  headers: {"Content-Type": "application/json"}, body: JSON.stringify(signed)});
return {status: r.status, body: await r.json()};
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    with live_server(tmp_path / "data", demo=True) as running:
        yield running


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    errors: list[str] = []
    page = phone_page(browser, errors)
    yield page, errors
    page.context.close()


def _member_signed_in(page: Page, base: str, app: FastAPI) -> str:
    """Make the phone's member key, have the office register it, sign in on the console."""
    page.goto(f"{base}/communities/{SLUG}/committee/decisions")
    wait_ready(page)
    page.get_by_role("button", name="生成本设备密钥").click()
    page.wait_for_selector("#key-here:not([hidden])")
    did = page.inner_text("#key-did")
    _register(app, did)
    page.goto(f"{base}{PAGE}")
    wait_ready(page)
    page.click("#signin")  # the console's sign-in page, then the page it refused
    page.wait_for_selector("#obj-card")
    wait_ready(page)
    return did


def _entry(http: httpx.Client, index: int) -> dict[str, Any]:
    entry: dict[str, Any] = http.get(f"{API}/entries/{index}").json()
    return entry


def test_a_member_answers_an_objection_to_their_own_entry_on_their_device(
    served: tuple[str, FastAPI], phone: tuple[Page, list[str]], shots: Path
) -> None:
    base, app = served
    page, errors = phone
    http = httpx.Client(base_url=base, timeout=30)
    assert http.get(PAGE).status_code == 401  # for the committee only
    did = _member_signed_in(page, base, app)
    assert page.is_visible("#obj-none")  # nothing to answer yet

    published = run_module(
        page, PUBLISH, {"api": API, "body": s.attachment("2026年业委会工作经费使用明细")}
    )
    assert published["status"] == 201, published
    mine = _entry(http, published["body"]["index"])
    assert mine["signer"] == did
    # Another member's entry, published from Python with a demo member's key.
    other_key = demo_member_keys(data_dir_of(app))[0]
    now = datetime.now(UTC).replace(microsecond=0)
    body = {"type": "Disclosure", "log": mine["entry"]["log"], "kind": "Attachment"}
    body |= {"publisher": other_key.did.value, "body": s.attachment("2026年业委会会议纪要")}
    r = http.post(
        f"{API}/entries",
        json=sign_json(body, other_key, created=now),
        headers=_bearer(http, other_key),
    )
    assert r.status_code == 201, r.text
    other = _entry(http, r.json()["index"])
    _object(http, app, mine, "工作经费为何比去年多？")
    _object(http, app, other, "会议纪要为何没有签名？")

    page.reload()
    wait_ready(page)
    form = page.locator("form.objection")
    form.wait_for(state="visible")
    assert form.count() == 1 and "工作经费为何比去年多" in form.inner_text()
    assert f"针对第 {mine['index']} 条（合同与会议纪要）" in form.inner_text()
    others = page.inner_text("#obj-others")
    assert "会议纪要为何没有签名" in others and other_key.did.value[:16] in others
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    size = http.get(API).json()["size"]
    form.locator(".obj-send").click()
    error = form.locator(".field-error")
    error.wait_for(state="visible")
    assert "请填写答复内容" in error.inner_text()
    assert form.locator(".obj-text").get_attribute("aria-invalid") == "true"
    assert http.get(API).json()["size"] == size  # nothing appended

    form.locator(".obj-action").select_option("explained")
    form.locator(".obj-text").fill("增加了业主大会的会务费用，明细见附件第二页。")
    page.screenshot(path=str(shots / "console-objection-1-answer.png"), full_page=True)
    form.locator(".obj-send").click()
    page.wait_for_selector("#status.ok")
    page.locator("#obj-none").wait_for(state="visible")
    assert "已答复" in page.inner_text("#status")
    page.screenshot(path=str(shots / "console-objection-2-answered.png"), full_page=True)

    [objection] = _entry(http, mine["index"])["thread"]
    [reply] = objection["thread"]
    assert (reply["type"], reply["signer"]) == ("ObjectionReply", did)
    assert reply["entry"]["action"] == "explained" and "会务费用" in reply["entry"]["text"]
    assert reply["entry"]["proof"]["created"]  # dated: the member's term can be checked
    # the other member's objection is still theirs to answer
    [waiting] = _entry(http, other["index"])["thread"]
    assert waiting["thread"] == []
    assert page.is_visible("#obj-others-card")
    http.close()
    assert errors == []


def test_the_console_links_the_page_and_it_speaks_english(
    served: tuple[str, FastAPI], phone: tuple[Page, list[str]]
) -> None:
    base, app = served
    page, errors = phone
    _member_signed_in(page, base, app)
    page.goto(f"{base}/communities/{SLUG}/committee/ballots?lang=en")
    wait_ready(page)
    page.click("#to-objections")
    wait_ready(page)
    assert page.url.endswith(f"{PAGE}?lang=en")
    assert page.inner_text("h1") == "Objections to answer"
    assert "No objection awaits your answer." in page.inner_text("#obj-card")
    assert "This device's member key: did:key:zDn" in page.inner_text("#obj-key")
    assert errors == []
