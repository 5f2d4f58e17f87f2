"""The desk publishes the two other statement kinds, in a real Chromium at 390×844.

The maintenance fund (`test_the_fund_spends_what_a_ballot_approved`): the demo owners pass a
ballot on using the maintenance fund (民法典 第278条 第5项); the desk lists it with what it
approved; a statement spending more than that is refused beside the amount before anything
is checked or signed; a wrong closing balance is refused beside it by the server's check;
fixed, it is signed and published citing the ballot's result entry, and the ballot has what
is left; the next month is uploaded as a file whose row names an unknown ballot number — the
error shown at that row's ballot — fixed there and published; the public accounts page shows
both payments. Common-area income (`test_common_area_income`): income and cost lines, the
net and the owners' share following from them, published. axe-core clean on the desk in
Chinese and English. Screenshots go to ``GONGZHI_SCREENSHOTS`` (default: the test's
temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from fastapi.testclient import TestClient

from tests import identity_web
from tests.e2e.browser_support import PHONE, launched_browser, live_server, wait_ready
from tests.e2e.test_browser_manager_desk import API, DESK, _axe_blocking, _desk_signed_in, _last
from web.demo.community import SLUG
from web.demo.disclosures import FUND_ID

if TYPE_CHECKING:
    from playwright.sync_api import Page

APPROVED_FEN = 5_000_000  # 50,000.00 yuan


def _shots(tmp_path: Path) -> Path:
    shots = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _fen(yuan: str) -> int:
    whole, cents = yuan.split(".")
    return int(whole) * 100 + int(cents)


def _fits_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    heights = page.evaluate(
        "[...document.querySelectorAll('main button, main a, main select, main input')]"
        ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights  # targets for a thumb


def test_the_fund_spends_what_a_ballot_approved(tmp_path: Path) -> None:
    shots = _shots(tmp_path)
    with (
        live_server(tmp_path / "data", demo=True) as (base, app),
        httpx.Client(base_url=base, timeout=30) as http,
        launched_browser() as browser,
    ):
        ballot_id, ref = identity_web.passed_fund_ballot(
            TestClient(app), app, title="更换3号楼电梯", amount_fen=APPROVED_FEN, slug=SLUG
        )
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        did = _desk_signed_in(page, base, app, http)

        # --- the fund's account: its own parts of the form, prefilled from its last month ---
        last = max(
            (e for e in http.get(f"{API}/entries", params={"limit": 200}).json()),
            key=lambda e: e["index"] if e["kind"] == "MaintenanceFund" else -1,
        )["entry"]["body"]
        page.select_option("#st-account", FUND_ID)
        assert "维修资金" in page.inner_text("#st-kind")
        assert page.locator("#st-deposits").is_visible()
        assert page.locator("#spending-lines fieldset.line").is_visible()
        assert not page.locator("#income-lines").is_visible()
        assert page.input_value("#st-opening") == _yuan(last["closingFen"])
        approvals = page.inner_text("#st-approvals")
        assert (
            f"编号 {ballot_id}：更换3号楼电梯" in approvals and "尚可使用 50000.00 元" in approvals
        )
        assert "kind=MaintenanceFund" in (page.get_attribute("#tpl-csv", "href") or "")

        # --- spending more than the ballot approved is refused beside the amount ---
        opening = _fen(page.input_value("#st-opening"))
        page.fill("#st-deposits", "12,500.00")
        page.fill("#st-interest", "0")
        line = page.locator("#spending-lines fieldset.line").nth(0)
        line.locator(".line-category").fill("更换3号楼电梯（首付款）")
        line.locator(".line-amount").fill("60,000.00")
        line.locator(".line-ballot").select_option(str(ballot_id))
        assert page.input_value("#st-total-spending") == "60000.00"  # summed as typed
        size = http.get(API).json()["size"]
        page.click("#st-publish")
        over = line.locator(".field-error[data-for='body.spending[0].amountFen']")
        over.wait_for(state="visible")
        assert "超出批准金额" in over.inner_text() and "50000.00" in over.inner_text()
        assert line.locator(".line-amount").get_attribute("aria-invalid") == "true"
        assert http.get(API).json()["size"] == size  # nothing checked, signed or appended
        assert _axe_blocking(page) == []  # the fund's form with its error showing
        _fits_a_phone(page)
        page.screenshot(path=str(shots / "manager-fund-1-over-approved.png"), full_page=True)

        # --- within it, but a wrong closing: the server's check refuses it beside the field ---
        line.locator(".line-amount").fill("30,000.00")
        right = opening + 1_250_000 - 3_000_000
        assert _yuan(right) in page.inner_text("#st-closing-hint")
        page.fill("#st-closing", _yuan(right + 100))  # a yuan off
        page.click("#st-publish")
        closing_error = page.locator("#st-closing-error")
        closing_error.wait_for(state="visible")
        assert "期末余额" in closing_error.inner_text()
        assert page.get_attribute("#st-closing", "aria-invalid") == "true"
        assert line.locator(".field-error:visible").count() == 0  # the amount is fine now
        assert http.get(API).json()["size"] == size
        page.screenshot(path=str(shots / "manager-fund-2-closing-error.png"), full_page=True)

        page.fill("#st-closing", _yuan(right))
        page.click("#st-publish")
        page.locator("#st-result").wait_for(state="visible")
        statement = _last(http)
        body = statement["entry"]["body"]
        assert statement["kind"] == "MaintenanceFund" and statement["signer"] == did
        assert body["accountId"] == FUND_ID and body["depositsFen"] == 1_250_000
        assert body["spending"] == [
            {"item": "更换3号楼电梯（首付款）", "amountFen": 3_000_000, "approval": ref}
        ]
        assert body["totalSpendingFen"] == 3_000_000 and body["closingFen"] == right
        page.locator("#st-approvals:has-text('尚可使用 20000.00 元')").wait_for()
        assert page.input_value("#st-opening") == _yuan(right)  # ready for the next month
        page.screenshot(path=str(shots / "manager-fund-3-published.png"), full_page=True)

        # --- next month from a file: an unknown ballot number is shown at its row, fixed there ---
        upload = (
            "类型,项目,金额（元）,表决编号,备注\n"
            f'使用,更换3号楼电梯（尾款）,"20,000.00",{ballot_id + 50},验收合格\n'
        )
        page.set_input_files(
            "#st-file",
            {"name": "维修资金.csv", "mimeType": "text/csv", "buffer": upload.encode("gb18030")},
        )
        row = page.locator("#spending-lines fieldset.line[data-row='2']")
        row.wait_for(state="visible")
        row_error = row.locator(".field-error:visible")
        assert row_error.count() == 1 and "第 2 行" in row_error.inner_text()
        assert "不是本小区已通过的使用维修资金表决" in row_error.inner_text()
        assert row.locator(".line-ballot").get_attribute("aria-invalid") == "true"
        assert row.locator(".line-amount").input_value() == "20,000.00"  # as written
        page.screenshot(path=str(shots / "manager-fund-4-upload-ballot-error.png"), full_page=True)
        row.locator(".line-ballot").select_option(str(ballot_id))
        page.fill("#st-deposits", "11,825.00")
        page.fill("#st-interest", "96.61")
        second = right + 1_182_500 + 9_661 - 2_000_000
        page.fill("#st-closing", _yuan(second))
        page.click("#st-publish")
        page.locator("#st-result").wait_for(state="visible")
        body = _last(http)["entry"]["body"]
        assert body["spending"] == [
            {
                "item": "更换3号楼电梯（尾款）",
                "amountFen": 2_000_000,
                "approval": ref,
                "note": "验收合格",
            }
        ]
        page.locator("#st-approvals:has-text('尚可使用 0.00 元')").wait_for()

        # --- the public accounts page shows both payments ---
        public = context.new_page()
        public.goto(f"{base}/c/{SLUG}/disclosures")
        wait_ready(public)
        shown = public.inner_text("main")
        for words in ("更换3号楼电梯（尾款）", "20,000.00"):
            assert words in shown, words
        public.screenshot(path=str(shots / "manager-fund-5-public-accounts.png"), full_page=True)
        public.close()

        # --- in English: the fund's words are English, and axe is clean there too ---
        page.goto(f"{base}{DESK}?lang=en")
        wait_ready(page)
        page.select_option("#st-account", FUND_ID)
        assert "maintenance fund" in page.inner_text("#st-kind")
        assert "0.00 yuan left" in page.inner_text("#st-approvals")
        assert _axe_blocking(page) == []
        context.close()
        assert not errors, errors


def test_common_area_income(tmp_path: Path) -> None:
    shots = _shots(tmp_path)
    with (
        live_server(tmp_path / "data", demo=True) as (base, app),
        httpx.Client(base_url=base, timeout=30) as http,
        launched_browser() as browser,
    ):
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _desk_signed_in(page, base, app, http)
        page.select_option("#acct-kind", "CommonAreaIncome")
        page.fill("#acct-name", "电梯广告收益")
        page.fill("#acct-id", "lift-ads")
        page.fill("#acct-period", "2026-05")
        page.fill("#acct-opening", "0")
        page.click("#acct-publish")
        page.locator("#acct-result").wait_for(state="visible")
        # the new account is chosen once the log is read again, and the form follows its kind
        page.locator("#st-kind:has-text('共有部分经营收益')").wait_for()
        assert page.input_value("#st-account") == "lift-ads"
        assert not page.locator("#st-deposits").is_visible()
        assert not page.locator("#expense-lines").is_visible()

        page.locator("#income-lines .line-category").fill("电梯广告")
        page.locator("#income-lines .line-amount").fill("6,000.00")
        page.locator("#costs-lines .line-category").fill("广告位电费")
        page.locator("#costs-lines .line-amount").fill("320.50")
        assert page.input_value("#st-net") == "5679.50"  # income − costs, as typed
        assert page.input_value("#st-share") == "5679.50"  # all of it the owners' (第282条)
        page.locator("#disbursements-lines .line-category").fill("补充维修资金")
        page.locator("#disbursements-lines .line-amount").fill("2000")
        assert "3679.50" in page.inner_text("#st-closing-hint")
        page.fill("#st-share", "5000")  # less than the net: refused by the server's check
        page.fill("#st-closing", "3000.00")
        size = http.get(API).json()["size"]
        page.click("#st-publish")
        share_error = page.locator("#st-share-error")
        share_error.wait_for(state="visible")
        assert "业主共有" in share_error.inner_text()
        assert http.get(API).json()["size"] == size
        assert _axe_blocking(page) == []
        _fits_a_phone(page)
        page.screenshot(path=str(shots / "manager-common-1-share-error.png"), full_page=True)
        page.fill("#st-share", "5679.50")
        page.fill("#st-closing", "3679.50")
        page.click("#st-publish")
        page.locator("#st-result").wait_for(state="visible")
        statement = _last(http)
        body = statement["entry"]["body"]
        assert statement["kind"] == "CommonAreaIncome" and body["accountId"] == "lift-ads"
        assert (body["totalIncomeFen"], body["totalCostFen"], body["netFen"]) == (
            600_000,
            32_050,
            567_950,
        )
        assert body["disbursements"] == [{"category": "补充维修资金", "amountFen": 200_000}]
        assert body["closingFen"] == 367_950
        assert page.input_value("#st-period") == "2026-06"
        page.screenshot(path=str(shots / "manager-common-2-published.png"), full_page=True)
        context.close()
        assert not errors, errors
