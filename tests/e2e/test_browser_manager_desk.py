"""The property manager's desk in a real Chromium at 390×844: the page makes this device's
manager key, the street office names its DID the property manager, the key signs in; a
statement whose opening differs from the last closing is refused in place (beside the
opening balance), corrected and published, signed in the browser; an owner's objection to
it is answered from the desk. Screenshots go to ``GONGZHI_SCREENSHOTS`` (default: the test's
temporary folder)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import httpx

from identity.community import issuance
from identity.w3c.credential import sign_credential
from identity.w3c.dataintegrity import sign_json
from identity.w3c.keys import KeyPair
from tests.e2e.browser_support import PHONE, launched_browser, live_server, wait_ready
from tests.identity_web import office_of, presentation
from web.demo import SLUG, demo_keys

API = f"/api/communities/{SLUG}/disclosures"


def _bearer(http: httpx.Client, key: KeyPair) -> dict[str, str]:
    issued = http.post("/api/auth/challenge").json()
    vp = presentation(key, issued["challenge"], domain=issued["domain"])
    answer = http.post("/api/auth/sign-in", json={"presentation": vp, "session": "bearer"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


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
        error = page.locator('[data-for="body.openingFen"]')
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

        owner = demo_keys(app.state.services)["1-1-101"]
        objection = {
            "type": "Objection",
            "log": entry["entry"]["log"],
            "objector": owner.did.value,
            "target": {"index": entry["index"], "leafHash": entry["leaf_hash"]},
            "text": "保洁费为何比上月高？",
        }
        r = http.post(
            f"{API}/entries", json=sign_json(objection, owner), headers=_bearer(http, owner)
        )
        assert r.status_code == 201, r.text
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
