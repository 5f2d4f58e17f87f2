"""The committee's paper-ballot journey, whole, in two real Chromium phones (390×844):
member A and member B each make their device's key on the signing page and the street office
registers both; each signs in to the console with it. A enters an owner's paper ballot on
the demo's open ballot — the choice and the scan's SHA-256 (the file hashed in the browser)
— naming B; it does not count until B, on B's own phone, confirms it; then the dashboard
counts it. A proposes closing early, A and B each sign that on their phones, the ballot
closes, and the printable notice shows the totals. Screenshots of each key page go to
``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder).

The rules of paper ballots over the API (who may confirm, what is refused) are
`test_ballot_paper.py`; the signing page's checks, `test_browser_member_signing.py`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import segno
from fastapi.testclient import TestClient

from identity.community.committee import Member
from tests import identity_web
from tests.e2e.browser_support import PHONE, live_server, phone_page, wait_ready
from web.demo.community import SLUG, demo_member_keys

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DECISIONS = f"/communities/{SLUG}/committee/decisions"
CONSOLE = f"/communities/{SLUG}/committee/ballots/1"


def _make_key(page: Page, base: str) -> str:
    """This phone's member key, made on the signing page; its DID."""
    page.goto(f"{base}{DECISIONS}")
    wait_ready(page)
    page.get_by_role("button", name="生成本设备密钥").click()
    page.wait_for_selector("#key-here:not([hidden])")
    return page.inner_text("#key-did")


def _sign_in(page: Page, base: str) -> None:
    """The console refuses a visitor and offers sign-in with this device's member key."""
    page.goto(f"{base}{CONSOLE}")
    wait_ready(page)
    page.get_by_role("button", name="用本设备委员密钥登录").click()
    page.wait_for_selector("#paper-card", state="attached", timeout=15_000)
    wait_ready(page)


def _sign_decision(page: Page, base: str, decision: int, shot: Path) -> str:
    page.goto(f"{base}{DECISIONS}")
    wait_ready(page)
    page.locator(f"li[data-decision='{decision}'] button").click()
    page.wait_for_selector("#confirm:not([hidden])")
    page.screenshot(path=str(shot), full_page=True)
    page.get_by_role("button", name="确认签署").click()
    page.wait_for_selector("#status.ok")
    return page.inner_text("#status")


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_paper_ballot_entered_confirmed_counted_and_the_ballot_closed(
    browser: Browser, tmp_path: Path, shots: Path
) -> None:
    errors: list[str] = []
    with (
        live_server(tmp_path / "data", demo=True) as (base, app),
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        a, b = phone_page(browser, errors), phone_page(browser, errors)
        did_a, did_b = _make_key(a, base), _make_key(b, base)
        assert did_a != did_b  # each phone its own key
        # The office's 换届: A and B beside one demo member, so two of three decide.
        third = demo_member_keys(identity_web.data_dir_of(app))[0]
        members = [
            Member(did_a, "chair"),
            Member(did_b, "member"),
            Member(third.did.value, "member"),
        ]
        identity_web.register_members(TestClient(app), app, SLUG, members, replace=True)

        committee = identity_web.committee_headers(app)
        pending = http.get("/api/ballots/1/pending", headers=committee).json()
        entry = sorted(v["voter"] for v in pending["pending"])[0]
        scan = tmp_path / "paper-ballot.png"  # the member's photo of the signed paper
        segno.make(f"纸质表决票 {entry}").save(str(scan), kind="png", scale=8)

        # A enters the paper ballot, naming B to confirm it.
        _sign_in(a, base)
        assert a.is_visible("#paper-form")
        a.fill("#paper-entry", entry)
        a.check("#paper-choices fieldset[data-item='1'] input[value='agree']")
        a.set_input_files("#paper-scan", str(scan))
        a.select_option("#paper-confirmer", did_b)
        _fits(a)
        a.screenshot(path=str(shots / "paper-1-entry.png"), full_page=True)
        a.click("#paper-submit")
        a.wait_for_selector("#status.ok")
        waiting = a.locator("#paper-pending li")
        waiting.wait_for()
        assert entry in waiting.inner_text()
        assert waiting.locator("button").count() == 0  # A cannot confirm A's own entry
        kept = json.loads(waiting.locator("pre").text_content() or "")
        assert kept["scanSha256"] == hashlib.sha256(scan.read_bytes()).hexdigest()
        assert kept["censusEntry"] == entry and kept["choices"] == {"1": "agree"}
        assert kept["enteredBy"] == did_a and kept["confirmedBy"] == did_b
        counted = http.get("/api/ballots/1").json()["participation"]["voted"]["headcount"]
        assert counted == 0  # one member's word is not yet a vote

        # B, on B's own phone, sees it waiting for B and confirms it; now it counts.
        _sign_in(b, base)
        heads = "[data-item='all'] [data-measure='headcount']"
        assert b.get_attribute(heads, "data-bp") == "0"
        row = b.locator("#paper-pending li", has_text=entry)
        b.screenshot(path=str(shots / "paper-2-to-confirm.png"), full_page=True)
        row.get_by_role("button", name="确认").click()
        b.wait_for_selector("#status.ok")
        b.wait_for_selector(f"{heads}:not([data-bp='0'])", state="attached", timeout=10_000)
        b.wait_for_selector("#paper-pending-none:not([hidden])", state="attached")
        shown = http.get("/api/ballots/1").json()["participation"]
        assert shown["voted"]["headcount"] == 1
        assert b.get_attribute(heads, "data-bp") == str(shown["headcount_bp"])
        _fits(b)
        b.screenshot(path=str(shots / "paper-3-counted.png"), full_page=True)

        # A proposes closing early; A and B sign it on their phones and it closes.
        a.reload()
        wait_ready(a)
        a.click("#act-close")
        a.wait_for_selector("#act-done:not([hidden])")
        [decision] = http.get(
            f"/api/communities/{SLUG}/decisions", params={"state": "pending"}
        ).json()
        said = _sign_decision(a, base, decision["id"], shots / "paper-4-sign-close.png")
        assert "还差 1 人" in said, said
        assert http.get("/api/ballots/1").json()["status"] != "closed"  # one of two
        said = _sign_decision(b, base, decision["id"], shots / "paper-5-sign-close-b.png")
        assert http.get("/api/ballots/1").json()["status"] == "closed", said

        # In the box, open once the result is in: the paper ballot with both members' proofs.
        entries = http.get("/api/ballots/1/record").json()["entries"]
        docs = [json.loads(e) if isinstance(e, str) else e for e in entries]
        [paper] = [d for d in docs if d.get("type") == "PaperBallot"]
        signers = {p["verificationMethod"].split("#")[0] for p in paper["proof"]}
        assert signers == {did_a, did_b}, paper

        # The notice: the totals, the one paper ballot the only vote among them.
        a.goto(f"{base}/ballots/1/notice")
        assert "共计入有效表决票1份" in a.inner_text("body")
        first = _table(a, 0)
        assert first["参与表决"][2] == "1" and first["未参与表决"][2] == str(
            pending["pending_voters"] - 1
        )
        assert first["同意"][1:] == ["100.00%", "1", "100.00%"]
        assert first["反对"][2] == "0" and first["弃权"][2] == "0"
        assert "本项表决未通过" in a.locator("section.item").nth(0).inner_text()  # 1 of 193
        assert _table(a, 1)["参与表决"][2] == "0"  # the paper left item 2 blank
        _fits(a)
        a.screenshot(path=str(shots / "paper-6-notice.png"), full_page=True)
        for page in (a, b):
            page.context.close()
    assert errors == []


def _table(page: Page, item: int) -> dict[str, list[str]]:
    """The figures of the notice's `item`-th item: row label → the cells after it."""
    rows = page.locator("section.item").nth(item).locator("tr")
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    return {row[0]: row[1:] for row in cells if row}
