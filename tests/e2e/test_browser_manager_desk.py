"""The property manager's desk in a real Chromium at 390×844: the page makes this device's
manager key, the street office names its DID the property manager, the key signs in; a
statement whose opening differs from the last closing is refused in place (beside the
opening balance), corrected and published, signed in the browser; an owner's objection to
it is answered from the desk.

The whole desk (`test_the_whole_desk`): a fee standard of two items, its missing fields
marked in place first; a new account opened; a statement uploaded as a file with a bad row,
the row's error shown in place with its line number, fixed there; the accounting check
refusing a wrong closing balance beside it; published; the public accounts page showing the
new lines; an objection answered; axe-core clean on the desk in Chinese and English.
Screenshots go to ``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from identity.community import issuance
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.keys import KeyPair
from tests.e2e.browser_support import PHONE, launched_browser, live_server, wait_ready
from tests.e2e.test_browser_axe import BLOCKING, RUN, _axe_source
from tests.identity_web import office_of, presentation
from web.demo.community import SLUG, demo_keys

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Page

API = f"/api/communities/{SLUG}/disclosures"
DESK = f"/communities/{SLUG}/manager"


def _bearer(http: httpx.Client, key: KeyPair) -> dict[str, str]:
    issued = http.post("/api/auth/challenge").json()
    vp = presentation(key, issued["challenge"], domain=issued["domain"])
    answer = http.post("/api/auth/sign-in", json={"presentation": vp, "session": "bearer"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _object(http: httpx.Client, app: FastAPI, entry: dict[str, Any], text: str) -> None:
    """A demo owner's signed objection to `entry`, posted as the owner's phone would."""
    owner = demo_keys(app.state.services)["1-1-101"]
    objection = {
        "type": "Objection",
        "log": entry["entry"]["log"],
        "objector": owner.did.value,
        "target": {"index": entry["index"], "leafHash": entry["leaf_hash"]},
        "text": text,
    }
    r = http.post(f"{API}/entries", json=sign_json(objection, owner), headers=_bearer(http, owner))
    assert r.status_code == 201, r.text


def test_publish_fix_in_place_and_answer(tmp_path: Path) -> None:
    shots = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with (
        live_server(tmp_path / "data", demo=True) as (base, app),
        httpx.Client(base_url=base, timeout=30) as http,
        launched_browser() as browser,
    ):
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/communities/{SLUG}/manager")
        wait_ready(page)
        page.click("#key-make")
        page.locator("#key-did").wait_for(state="visible")
        did = page.inner_text("#key-did").split("：", 1)[1].strip()
        now = datetime.now(UTC).replace(microsecond=0)
        office = office_of(app)
        unsigned = issuance.role_credential(
            root=office.did.value,
            holder=did,
            community_id=SLUG,
            role="propertyManager",
            valid_from=now,
        )
        posted = http.post(
            f"/api/communities/{SLUG}/roles", json=sign_credential(unsigned, office, created=now)
        )
        assert posted.status_code == 201, posted.text
        page.click("#signin")
        page.locator("body[data-signed-in='true']").wait_for(state="attached")

        # prefilled from the demo account's last month; the opening is typed wrong
        opening = page.input_value("#st-opening")
        assert opening and page.input_value("#st-period")
        whole, cents = opening.split(".")
        wrong = f"{int(whole) + 1}.{cents}"  # one yuan more than the last closing
        page.fill("#st-opening", wrong)
        page.locator("#income-lines .line-category").fill("物业服务费")
        page.locator("#income-lines .line-amount").fill("5,200.00")
        page.locator("#expense-lines .line-category").fill("保洁")
        page.locator("#expense-lines .line-amount").fill("1500.50")
        page.fill("#st-total-income", "5200")
        page.fill("#st-total-expense", "1500.50")
        size = http.get(API).json()["size"]
        page.fill("#st-closing", _closing(wrong))
        page.click("#st-publish")
        error = page.locator("#st-opening-error")
        error.wait_for(state="visible")
        assert "期初余额" in error.inner_text()
        assert page.get_attribute("#st-opening", "aria-invalid") == "true"
        assert http.get(API).json()["size"] == size  # nothing appended
        page.screenshot(path=str(shots / "manager-1-opening-error.png"), full_page=True)

        page.fill("#st-opening", opening)
        page.fill("#st-closing", _closing(opening))
        page.click("#st-publish")
        page.locator("#st-result").wait_for(state="visible")
        assert http.get(API).json()["size"] == size + 1
        [entry] = http.get(f"{API}/entries", params={"start": size}).json()
        assert (
            entry["signer"] == did and entry["entry"]["body"]["expense"][0]["amountFen"] == 150_050
        )
        page.screenshot(path=str(shots / "manager-2-published.png"), full_page=True)

        _object(http, app, entry, "保洁费为何比上月高？")
        page.reload()
        wait_ready(page)
        card = page.locator("form.objection")
        card.wait_for(state="visible")
        assert "保洁费为何比上月高" in card.inner_text()
        card.locator(".obj-text").fill("本月增加了地下车库的深度保洁，合同附件已公示。")
        page.screenshot(path=str(shots / "manager-3-objection.png"), full_page=True)
        card.locator(".obj-send").click()
        page.locator("#obj-none").wait_for(state="visible")
        [thread] = http.get(f"{API}/entries/{entry['index']}").json()["thread"]
        assert [t["type"] for t in thread["thread"]] == ["ObjectionReply"]
        assert thread["thread"][0]["signer"] == did
        context.close()
        assert not errors, errors


def _closing(start: str) -> str:
    """Opening + 5,200.00 − 1,500.50, in yuan as typed: by integer fen."""
    whole, cents = start.split(".")
    fen = int(whole) * 100 + int(cents) + 520_000 - 150_050
    return f"{fen // 100}.{fen % 100:02d}"


def _desk_signed_in(page: Page, base: str, app: FastAPI, http: httpx.Client) -> str:
    """Open the desk, make this device's key, have the street office name it the property
    manager, sign in; the key's DID."""
    page.goto(f"{base}{DESK}")
    wait_ready(page)
    page.click("#key-make")
    page.locator("#key-did").wait_for(state="visible")
    did = page.inner_text("#key-did").split("：", 1)[1].strip()
    now = datetime.now(UTC).replace(microsecond=0)
    office = office_of(app)
    unsigned = issuance.role_credential(
        root=office.did.value, holder=did, community_id=SLUG, role="propertyManager", valid_from=now
    )
    posted = http.post(
        f"/api/communities/{SLUG}/roles", json=sign_credential(unsigned, office, created=now)
    )
    assert posted.status_code == 201, posted.text
    page.click("#signin")
    page.locator("body[data-signed-in='true']").wait_for(state="attached")
    return did


def _axe_blocking(page: Page) -> list[dict[str, Any]]:
    page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate(RUN)
    assert result["passes"] > 10, result  # axe really ran its rules
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def _last(http: httpx.Client) -> dict[str, Any]:
    size = http.get(API).json()["size"]
    entries = http.get(f"{API}/entries", params={"start": max(0, size - 50), "limit": 50}).json()
    return dict(max(entries, key=lambda e: e["index"]))


# The uploaded statement: row 3 has three decimals; the header is row 1, a blank row 5.
UPLOAD = (
    "类型,项目,金额（元）,备注\n"
    '收入,月租车位,"12,000.00",30 个车位\n'
    "收入,临时停车,3456.785,\n"
    "支出,道闸维护,800,\n"
    "\n"
    "支出,保洁,1200.50,地库\n"
)
INCOME_FEN = 1_200_000 + 345_678  # once row 3 reads 3456.78
EXPENSE_FEN = 80_000 + 120_050


def test_the_whole_desk(tmp_path: Path) -> None:
    shots = Path(os.environ.get("GONGZHI_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with (
        live_server(tmp_path / "data", demo=True) as (base, app),
        httpx.Client(base_url=base, timeout=30) as http,
        launched_browser() as browser,
    ):
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        did = _desk_signed_in(page, base, app, http)

        # --- a fee standard of two items; the second, left blank, is marked in place ---
        size = http.get(API).json()["size"]
        page.fill("#fee-provider", "贤下物业服务有限公司")
        page.fill("#fee-effective", "2026-01-01")
        first = page.locator("#fee-items fieldset.fee-item").nth(0)
        first.locator(".fi-item").fill("物业服务费")
        first.locator(".fi-target").fill("住宅")
        first.locator(".fi-standard").fill("2.50")
        first.locator(".fi-method").fill("按建筑面积按月计收")
        first.locator(".fi-basis").fill("物业服务合同第五条")
        page.click("#fee-add")
        second = page.locator("#fee-items fieldset.fee-item").nth(1)
        second.locator(".fi-standard").fill("2.505")
        page.click("#fee-publish")
        item_error = second.locator(".field-error[data-for='body.items[1].item']")
        item_error.wait_for(state="visible")
        assert item_error.inner_text().endswith("请填写收费项目")
        assert second.locator(".fi-item").get_attribute("aria-invalid") == "true"
        money_error = second.locator(".field-error[data-for='body.items[1].standardFen']")
        assert "两位小数" in money_error.inner_text()
        assert first.locator(".field-error:visible").count() == 0  # only the faulty item
        assert http.get(API).json()["size"] == size  # nothing checked on the server, or signed
        page.screenshot(path=str(shots / "manager-desk-1-fee-errors.png"), full_page=True)
        second.locator(".fi-item").fill("停车费")
        second.locator(".fi-target").fill("地下车位")
        second.locator(".fi-standard").fill("300")
        second.locator(".fi-per").select_option("space_month")
        second.locator(".fi-method").fill("按车位按月计收")
        second.locator(".fi-basis").fill("车位租赁协议")
        page.click("#fee-publish")
        page.locator("#fee-result").wait_for(state="visible")
        fees = _last(http)
        assert fees["kind"] == "FeeStandard" and fees["signer"] == did
        items = fees["entry"]["body"]["items"]
        assert [(i["item"], i["standardFen"], i["per"]) for i in items] == [
            ("物业服务费", 250, "m2_month"),
            ("停车费", 30_000, "space_month"),
        ]

        # --- a new account: a bad id is refused in place, then it opens ---
        page.select_option("#acct-kind", "IncomeExpense")
        page.fill("#acct-name", "停车场收支")
        page.fill("#acct-id", "Parking Lot")
        page.fill("#acct-period", "2026-05")
        page.fill("#acct-opening", "0")
        page.click("#acct-publish")
        page.locator("#acct-id-error").wait_for(state="visible")
        assert "小写字母" in page.inner_text("#acct-id-error")
        page.fill("#acct-id", "parking")
        page.click("#acct-publish")
        page.locator("#acct-result").wait_for(state="visible")
        opened = _last(http)
        assert opened["kind"] == "AccountOpened"
        assert opened["entry"]["body"]["accountId"] == "parking"
        assert "停车场收支（parking" in page.inner_text("#acct-list")

        # --- the statement from a file: the bad row is shown in place, with its line number ---
        assert page.input_value("#st-account") == "parking"  # the new account, chosen
        assert page.input_value("#st-period") == "2026-05"
        assert page.input_value("#st-opening") == "0.00"
        page.set_input_files(
            "#st-file",
            {"name": "5月.csv", "mimeType": "text/csv", "buffer": UPLOAD.encode("gb18030")},
        )
        bad_row = page.locator("#income-lines fieldset.line[data-row='3']")
        bad_row.wait_for(state="visible")
        row_error = bad_row.locator(".field-error:visible")
        assert row_error.count() == 1 and "第 3 行" in row_error.inner_text()
        assert "两位小数" in row_error.inner_text()
        assert bad_row.locator(".line-amount").input_value() == "3456.785"  # as written
        assert bad_row.locator(".line-amount").get_attribute("aria-invalid") == "true"
        assert page.locator("#income-lines fieldset.line").count() == 2
        assert page.locator("#expense-lines fieldset.line").count() == 2
        assert page.locator("#expense-lines fieldset.line[data-row='6']").count() == 1
        assert _axe_blocking(page) == []  # the desk with its errors showing
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        heights = page.evaluate(
            "[...document.querySelectorAll('main button, main a, main select, main input')]"
            ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)"
        )
        assert heights and min(heights) >= 44, heights  # targets for a thumb
        page.screenshot(path=str(shots / "manager-desk-2-upload-row-error.png"), full_page=True)

        assert page.input_value("#st-total-expense") == "2000.50"  # summed from the file
        bad_row.locator(".line-amount").fill("3456.78")
        assert page.input_value("#st-total-income") == "15456.78"  # summed once it reads
        assert "13456.28" in page.inner_text("#st-closing-hint")
        page.fill("#st-closing", "13457.28")  # 15,456.78 − 2,000.50 is 13,456.28: a yuan off
        size = http.get(API).json()["size"]
        page.click("#st-publish")
        closing_error = page.locator("#st-closing-error")
        closing_error.wait_for(state="visible")
        assert "期末余额" in closing_error.inner_text()
        assert "13,456.28" in closing_error.inner_text()  # what the lines make it
        assert page.get_attribute("#st-closing", "aria-invalid") == "true"
        assert page.locator("#income-lines .field-error:visible").count() == 0  # row 3 fixed
        assert http.get(API).json()["size"] == size  # refused before anything was signed
        page.screenshot(path=str(shots / "manager-desk-3-closing-error.png"), full_page=True)
        page.fill("#st-closing", "13456.28")
        page.click("#st-publish")
        page.locator("#st-result").wait_for(state="visible")
        statement = _last(http)
        body = statement["entry"]["body"]
        assert statement["kind"] == "IncomeExpense" and body["accountId"] == "parking"
        assert [(x["category"], x["amountFen"]) for x in body["income"]] == [
            ("月租车位", 1_200_000),
            ("临时停车", 345_678),
        ]
        assert body["expense"][1] == {"category": "保洁", "amountFen": 120_050, "note": "地库"}
        assert body["totalIncomeFen"] == INCOME_FEN and body["totalExpenseFen"] == EXPENSE_FEN
        assert body["closingFen"] == INCOME_FEN - EXPENSE_FEN
        assert page.input_value("#st-period") == "2026-06"  # ready for the next month
        # ... with an empty form: last month's lines and totals are not offered again
        amounts = page.locator("#st-form .line-amount").evaluate_all("xs => xs.map(x => x.value)")
        assert amounts and all(a == "" for a in amounts), amounts
        assert page.input_value("#st-closing") == ""
        page.screenshot(path=str(shots / "manager-desk-4-published.png"), full_page=True)

        # --- the public accounts page shows the new lines ---
        public = context.new_page()
        public.goto(f"{base}/c/{SLUG}/disclosures")
        wait_ready(public)
        shown = public.inner_text("main")
        for words in ("停车费", "地下车位", "停车场收支", "临时停车", "3,456.78", "道闸维护"):
            assert words in shown, words
        public.screenshot(path=str(shots / "manager-desk-5-public-accounts.png"), full_page=True)
        public.close()

        # --- an owner objects to the statement; the desk answers ---
        _object(http, app, statement, "临时停车收入为何有零头？")
        page.reload()
        wait_ready(page)
        card = page.locator("form.objection:has-text('临时停车收入为何有零头？')")
        card.wait_for(state="visible")
        card.locator(".obj-send").click()  # an empty answer is refused in place
        assert "请填写答复内容" in card.locator(".field-error:visible").inner_text()
        card.locator(".obj-action").select_option("explained")
        card.locator(".obj-text").fill("临时停车按小时计费，零头为实收金额。")
        card.locator(".obj-send").click()
        card.wait_for(state="detached")
        [thread] = http.get(f"{API}/entries/{statement['index']}").json()["thread"]
        assert [(t["type"], t["signer"]) for t in thread["thread"]] == [("ObjectionReply", did)]

        # --- in English: the words in place are English, and axe is clean there too ---
        page.goto(f"{base}{DESK}?lang=en")
        wait_ready(page)
        page.click("#fee-publish")
        provider_error = page.locator("#fee-provider-error")
        provider_error.wait_for(state="visible")
        assert provider_error.inner_text().endswith("Fill in Property service company")
        assert _axe_blocking(page) == []
        context.close()
        assert not errors, errors
