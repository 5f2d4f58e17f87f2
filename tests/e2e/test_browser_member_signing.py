"""A committee member signs a decision on their own phone, in a real Chromium at 390×844.

The page makes the member's P-256 key (non-extractable, IndexedDB) and shows its DID; the
street office (the demo office, test side) registers that DID in a new registration; a member
proposes a ballot; the phone shows what the decision does and who has signed, the member
signs it there, one demo member signs from Python, and the ballot is announced. The page refuses
to sign a document that does not match the hash the server lists. Screenshots of each step
go to ``GONGZHI_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from identity.community import registrations
from identity.community.committee import (
    Member,
    build_registration,
    decision_share,
    registration_hash,
    sign_registration,
)
from identity.community.registry import get_community
from identity.community.trustfile import WELL_KNOWN_PATH, fingerprint, parse_trust
from identity.w3c.dataintegrity import verify_proof
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests.e2e.browser_support import (
    live_server,
    phone_page,
    run_module,
    wait_ready,
)
from web.demo.community import SLUG, demo_member_keys, demo_office_key
from web.trust_qr import trust_qr_svg

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

PAGE = f"/communities/{SLUG}/committee/decisions"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    with live_server(tmp_path / "data", demo=True) as running:
        yield running


@pytest.fixture
def phone(served: tuple[str, FastAPI], browser: Browser) -> Iterator[Page]:
    errors: list[str] = []
    page = phone_page(browser, errors)
    yield page
    page.context.close()
    assert not errors, errors


def _register(app: FastAPI, device_did: str) -> None:
    """换届 as the street office signs it: the phone's DID becomes the chair beside two demo
    members (so two of the three must sign)."""
    services = app.state.services
    office = demo_office_key(identity_web.data_dir_of(app))
    a, b, _ = demo_member_keys(identity_web.data_dir_of(app))
    now = datetime.now(UTC).replace(microsecond=0)
    with services.db.session() as session:
        community = get_community(session, SLUG)
        last = registrations.documents(session, community)[-1]
        unsigned = build_registration(
            root=office.did.value,
            community=SLUG,
            sequence=int(last["credentialSubject"]["sequence"]) + 1,
            previous=registration_hash(last),
            members=[
                Member(device_did, "chair"),
                Member(a.did.value, "member"),
                Member(b.did.value, "member"),
            ],
            server=services.host_keys(SLUG),
            valid_from=now - timedelta(seconds=30),
            valid_until=now + timedelta(days=365),
        )
        registrations.add(
            session, community, sign_registration(unsigned, office, created=now), services.roots
        )


def _propose(http: httpx.Client, app: FastAPI) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0)
    body = {
        "matter": 4,
        "title": "更换电梯维保单位（手机签署测试）",
        "text": "是否同意更换电梯维保单位？",
        # The notice runs from today: voting opens when its 15 days are over.
        "opens_at": (now + timedelta(days=16)).isoformat(),
        "closes_at": (now + timedelta(days=23)).isoformat(),
    }
    proposed = http.post(
        f"/api/communities/{SLUG}/ballots", json=body, headers=identity_web.committee_headers(app)
    )
    assert proposed.status_code == 202, proposed.text
    answer: dict[str, Any] = proposed.json()
    return answer


def test_a_member_signs_on_the_phone_and_the_ballot_is_announced(
    served: tuple[str, FastAPI], phone: Page, shots: Path
) -> None:
    base, app = served
    page = phone
    http = httpx.Client(base_url=base, timeout=30)

    # 本设备密钥: made on the phone, non-extractable; not yet a member, so nothing to sign.
    page.goto(f"{base}{PAGE}")
    wait_ready(page)
    page.screenshot(path=str(shots / "member-1-no-key.png"), full_page=True)
    page.get_by_role("button", name="生成本设备密钥").click()
    page.wait_for_selector("#key-here:not([hidden])")
    did = page.inner_text("#key-did")
    assert did.startswith("did:key:zDn")
    assert "尚未登记为现任委员" in page.inner_text("#member-state")
    key = run_module(
        page,
        "const k = await g.loadMemberKey();"
        "let exported = 'no'; try { await crypto.subtle.exportKey('pkcs8', k.privateKey); }"
        " catch (e) { exported = e.name; }"
        "return {did: k.did, extractable: k.privateKey.extractable, exported,"
        " owner: await g.loadOwnerKey()};",
    )
    assert key == {
        "did": did,
        "extractable": False,
        "exported": "InvalidAccessError",
        "owner": None,
    }
    qr = http.get("/committee/device-qr.svg", params={"did": did})
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    loaded = page.evaluate(
        "() => { const img = document.getElementById('key-qr');"
        " return img.decode().then(() => img.naturalWidth); }"
    )
    assert loaded > 0
    page.screenshot(path=str(shots / "member-2-key.png"), full_page=True)
    # The page stays within the phone's width (long DIDs wrap).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The office registers the phone's DID; a member proposes a ballot.
    _register(app, did)
    proposed = _propose(http, app)
    decision, ballot = proposed["decision"], proposed["ballot"]
    assert decision["needed"] == 2 and decision["members"] == 3

    page.reload()
    wait_ready(page)
    assert "本设备已登记为现任委员（主任）" in page.inner_text("#member-state")
    item = page.locator(f"li[data-decision='{decision['id']}']")
    text = item.inner_text()
    assert "公告表决「更换电梯维保单位（手机签署测试）」" in text
    assert "投票时间：" in text and "北京时间" in text and "事项 1：" in text
    assert "已签 0 人，需 2 人（全体 3 名委员），还差 2 人。" in text
    page.screenshot(path=str(shots / "member-3-pending.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The list holds summaries; the phone fetches the decision whole to sign it. A server
    # that changes that document under the listed hash: the phone will not sign.
    whole = f"**/decisions/{decision['id']}"

    def altered(route: Route) -> None:
        served = route.fetch().json()
        served["document"] = served["document"] | {"title": "另一项表决"}
        route.fulfill(json=served)

    page.route(whole, altered)
    page.locator(f"li[data-decision='{decision['id']}'] button").click()
    page.wait_for_selector("#status.error")
    assert "与其哈希不符" in page.inner_text("#status")
    assert page.is_hidden("#confirm")
    page.unroute(whole)

    # 签署: the essentials, then confirm; the share is posted and the list refreshed.
    page.locator(f"li[data-decision='{decision['id']}'] button").click()
    page.wait_for_selector("#confirm:not([hidden])")
    assert "更换电梯维保单位" in page.inner_text("#confirm-lines")
    page.screenshot(path=str(shots / "member-4-confirm.png"), full_page=True)
    page.get_by_role("button", name="确认签署").click()
    page.wait_for_selector("#status.ok")
    assert "已签署。还差 1 人。" in page.inner_text("#status")
    item = page.locator(f"li[data-decision='{decision['id']}']")
    assert "已签 1 人" in item.inner_text() and "本设备" in item.inner_text()
    assert item.locator("button").is_disabled()
    page.screenshot(path=str(shots / "member-5-signed.png"), full_page=True)

    # The server kept the phone's share: an ecdsa-jcs-2019 proof by its DID over the document.
    pending = http.get(f"/api/communities/{SLUG}/decisions", params={"state": "pending"}).json()
    mine = next(d for d in pending if d["id"] == decision["id"])
    assert mine["signers"] == [did]
    mine = http.get(f"/api/communities/{SLUG}/decisions/{decision['id']}").json()
    assert http.get(f"/api/ballots/{ballot['id']}").json()["status"] == "draft"

    # One demo member signs from Python: two of three, the ballot is announced.
    a = demo_member_keys(identity_web.data_dir_of(app))[0]
    share = decision_share(mine["document"], a, created=datetime.now(UTC))
    signed = http.post(
        f"/api/communities/{SLUG}/decisions/{decision['id']}/signatures", json={"proof": share}
    )
    assert signed.status_code == 200 and signed.json()["state"] == "applied", signed.text
    assert http.get(f"/api/ballots/{ballot['id']}").json()["status"] == "announced"
    record = http.get(f"/api/ballots/{ballot['id']}/record").json()
    opened = json.loads(record["entries"][0])
    by_phone = [p for p in opened["proof"] if p["verificationMethod"].startswith(did)]
    assert len(by_phone) == 1 and by_phone[0]["cryptosuite"] == "ecdsa-jcs-2019"
    body = {k: v for k, v in opened.items() if k != "proof"}
    assert verify_proof(body | {"proof": by_phone[0]}).controller == did

    page.get_by_role("button", name="刷新").click()
    page.wait_for_selector("#pending-none:not([hidden])")
    page.screenshot(path=str(shots / "member-6-done.png"), full_page=True)
    http.close()


def test_the_page_speaks_english_and_refuses_a_bad_did_qr(
    served: tuple[str, FastAPI], phone: Page
) -> None:
    base, _ = served
    phone.goto(f"{base}{PAGE}?lang=en")
    wait_ready(phone)
    assert phone.inner_text("h1") == "Committee decisions to sign"
    assert phone.get_by_role("button", name="Make this device's key").is_visible()
    refused = httpx.get(f"{base}/committee/device-qr.svg", params={"did": "did:web:x"})
    assert refused.status_code == 400 and refused.json()["error"]["zh"] == "不是有效的 did:key"


def test_the_page_shows_the_trust_pin_to_compare_with_the_offices_print(
    served: tuple[str, FastAPI], phone: Page, shots: Path
) -> None:
    """A member enrolling a device holds this server's trust pin beside the street office's
    printed one (`gongzhi office trust --qr`): the same QR code of the very bytes of
    /.well-known/gongzhi-trust.json, and the same fingerprint."""
    url, _app = served
    published = httpx.get(url + WELL_KNOWN_PATH).content
    phone.goto(url + PAGE)
    wait_ready(phone)
    assert phone.is_hidden("#trust-qr")  # folded until asked for
    phone.locator("#trust-pin summary").click()
    phone.wait_for_selector("#trust-qr[src]")
    # Decoded, it has a size: the QR code loaded (a promise, so no polling under the CSP).
    assert phone.locator("#trust-qr").evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert phone.inner_text("#trust-fingerprint") == fingerprint(published)
    roots = phone.locator("#trust-roots li").all_inner_texts()
    assert sorted(roots) == json.loads(published)["roots"]
    assert str(json.loads(published)["chainId"]) in phone.inner_text("#trust-chain")
    qr = httpx.get(url + "/committee/trust-qr.svg").content
    assert qr == trust_qr_svg(parse_trust(json.loads(published)))
    assert phone.get_by_role("button", name="打印信任凭据").is_visible()
    phone.screenshot(path=str(shots / "member-trust-pin.png"), full_page=True)


def _other_committee(app: FastAPI, device_did: str) -> tuple[dict[str, Any], str]:
    """What a server would serve to pass another committee off as this one: a registration
    signed by a root of the operator's own, listing the phone's DID (and the operator's
    keys), and that root's DID for the trust file."""
    other = KeyPair.generate(KeyType.ED25519)
    now = datetime.now(UTC).replace(microsecond=0)
    unsigned = build_registration(
        root=other.did.value,
        community=SLUG,
        sequence=1,
        members=[
            Member(device_did, "chair"),
            *(Member(KeyPair.generate(KeyType.ED25519).did.value, "member") for _ in "ab"),
        ],
        server=app.state.services.host_keys(SLUG),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=365),
    )
    return sign_registration(unsigned, other, created=now), other.did.value


def test_a_member_device_pins_its_committee_and_will_not_sign_for_another(
    served: tuple[str, FastAPI], phone: Page, shots: Path
) -> None:
    """The phone pins the street office's root and the registration in force when it makes
    its key (trust on first use, as an owner's device does without a printed pin); a later
    registration chained to the pin is accepted, a server that serves another committee —
    another root's registration, a trust file naming that root — is refused before signing."""
    base, app = served
    page = phone
    http = httpx.Client(base_url=base, timeout=30)
    page.goto(f"{base}{PAGE}")
    wait_ready(page)
    page.get_by_role("button", name="生成本设备密钥").click()
    page.wait_for_selector("#key-here:not([hidden])")
    did = page.inner_text("#key-did")
    pin = run_module(page, "return await g.loadValue(arg);", f"pin:{SLUG}")
    stored = http.get(f"/api/communities/{SLUG}/registrations").json()
    office = demo_office_key(identity_web.data_dir_of(app)).did.value
    assert pin["root"] == office and pin["from"] == "first-use"
    assert pin["reg"] == registration_hash(stored[-1])

    # The office registers the phone (a registration chained to the pinned one): accepted.
    _register(app, did)
    decision = _propose(http, app)["decision"]
    page.reload()
    wait_ready(page)
    assert "本设备已登记为现任委员（主任）" in page.inner_text("#member-state")
    button = page.locator(f"li[data-decision='{decision['id']}'] button")
    assert button.is_enabled()

    # The server turns: another committee, its trust file naming another root, the pending
    # decision re-made under that registration (its hash recomputed to match).
    fake, other_root = _other_committee(app, did)
    trust = json.loads(http.get(WELL_KNOWN_PATH).content) | {"roots": [other_root]}

    def registrations_(route: Route) -> None:
        route.fulfill(json=[fake])

    def trust_(route: Route) -> None:
        route.fulfill(json=trust)

    page.route(f"**/api/communities/{SLUG}/registrations", registrations_)
    page.route(f"**{WELL_KNOWN_PATH}", trust_)
    page.reload()
    wait_ready(page)
    page.wait_for_selector("#status.error")
    status = page.inner_text("#status")
    assert "不是本机记下的" in status or "与本机记下的街道办事处备案不符" in status, status
    assert "本机不会签署" in status
    assert "尚未登记为现任委员" in page.inner_text("#member-state")
    assert page.locator(f"li[data-decision='{decision['id']}'] button").is_disabled()
    page.screenshot(path=str(shots / "member-pin-refused.png"), full_page=True)
    # The pin is unchanged, and the phone signed nothing.
    assert run_module(page, "return await g.loadValue(arg);", f"pin:{SLUG}") == pin
    listed = http.get(f"/api/communities/{SLUG}/decisions", params={"state": "pending"}).json()
    assert next(d for d in listed if d["id"] == decision["id"])["signers"] == []
    http.close()


def test_a_printed_pin_that_the_server_does_not_hold_is_refused_at_key_making(
    served: tuple[str, FastAPI], phone: Page
) -> None:
    """A member page opened from the office's printed link (#root=…&reg=…) pins that; when
    the server holds no such registration the key's pin is refused, and nothing is pinned."""
    base, app = served
    page = phone
    other = KeyPair.generate(KeyType.ED25519).did.value
    page.goto(f"{base}{PAGE}#root={other}&reg={'ab' * 32}")
    wait_ready(page)
    page.get_by_role("button", name="生成本设备密钥").click()
    page.wait_for_selector("#status.error")
    assert run_module(page, "return await g.loadValue(arg);", f"pin:{SLUG}") is None
    # From the right printed link the pin is the office's.
    office = demo_office_key(identity_web.data_dir_of(app)).did.value
    stored = httpx.get(f"{base}/api/communities/{SLUG}/registrations").json()
    page.goto(f"{base}{PAGE}#root={office}&reg={registration_hash(stored[-1])}")
    page.reload()
    wait_ready(page)
    pin = run_module(page, "return await g.loadValue(arg);", f"pin:{SLUG}")
    assert pin["root"] == office and pin["from"] == "address"
