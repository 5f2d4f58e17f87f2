"""The owner's whole journey in a real Chromium against the real server (uvicorn, SQLite,
embedded chain): enrol with a one-time code, sign in with one tap, vote 同意 with a confirm
step, keep the receipt, and check in the browser that the vote is in the box.

The committee's side (community, register, codes, the notice and the opening of a one-item
ballot, so the one-tap path is the one walked here) goes through the HTTP API as the
committee's own client would, with a P-256 key held by the test.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from identity.community.committee import Member, registration_hash, sign_registration
from identity.w3c.dataintegrity import sign_json, verify_signed_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from ledger.tlog.merkle import leaf_hash
from ledger.tlog.note_keys import Ed25519Signer
from ledger.tlog.store import LogStore
from tests.e2e.browser_support import PHONE, live_server, phone_page, run_module, wait_ready
from tests.identity_web import (
    announced_body,
    clock_at,
    data_dir_of,
    decide,
    register_committee,
    register_members,
)
from web.auth.sessions import IdentityRuntime

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

SLUG = "lianhua-e2e"
REGISTER = (
    "房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有\n"
    "1-1-101,88.50,测试甲,31010519500101001X,13800000001,是,否\n"
    "1-1-102,92.25,测试乙,31010519520202002X,13800000002,是,否\n"
    "1-1-201,75.00,测试丙,310105196003030035,13800000003,是,否\n"
)


class Committee:
    """The committee's HTTP client: a member enrolled by operator bootstrap, signed in."""

    def __init__(self, base: str, app: FastAPI) -> None:
        runtime: IdentityRuntime = app.state.identity
        self.app = app  # its ballot clock is stopped at `noticed` while a notice is given
        self.data_dir = data_dir_of(app)  # where the demo committee members' keys are
        self.noticed = datetime.now(UTC).replace(microsecond=0) - timedelta(days=16)
        self.http = httpx.Client(base_url=base, timeout=30)
        self.domain = runtime.domain
        operator = {"Authorization": f"Bearer {runtime.operator_token()}"}
        self._ok(
            self.http.post(
                "/api/communities",
                json={"slug": SLUG, "name": "莲花小区（测试）", "street_office": "测试街道"},
                headers=operator,
            )
        )
        code = self._ok(
            self.http.post(
                f"/api/communities/{SLUG}/member-codes", json={"role": "chair"}, headers=operator
            )
        )["code"]
        key = KeyPair.generate(KeyType.P256)
        self.redeem(key, code)
        # The (demo) street office registers the member: only then is it the committee.
        register_members(TestClient(app), app, SLUG, [Member(key.did.value, "chair")])
        self.headers = {"Authorization": f"Bearer {self.sign_in(key)}"}
        self._ok(
            self.http.post(
                f"/api/communities/{SLUG}/register",
                content=REGISTER.encode(),
                headers={**self.headers, "Content-Type": "text/csv"},
            )
        )
        register_committee(app, SLUG)  # the demo office registers the demo committee

    @staticmethod
    def _ok(response: httpx.Response) -> Any:
        assert response.status_code in (200, 201), response.text
        return response.json()

    def redeem(self, key: KeyPair, code: str) -> Any:
        answer = sign_json(
            {"type": "EnrolmentRedemption", "code": code, "holder": key.did.value},
            key,
            proof_purpose="authentication",
            domain=self.domain,
        )
        return self._ok(self.http.post("/api/enrolment/redeem", json=answer))

    def sign_in(self, key: KeyPair) -> str:
        issued = self._ok(self.http.post("/api/auth/challenge"))
        vp = sign_json(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "holder": key.did.value,
            },
            key,
            proof_purpose="authentication",
            challenge=issued["challenge"],
            domain=issued["domain"],
        )
        body = {"presentation": vp, "session": "bearer"}
        token: str = self._ok(self.http.post("/api/auth/sign-in", json=body))["token"]
        return token

    def code_for(self, unit: str) -> dict[str, Any]:
        codes = self._ok(
            self.http.post(
                f"/api/communities/{SLUG}/enrolment-codes",
                json={"units": [unit]},
                headers=self.headers,
            )
        )["codes"]
        assert len(codes) == 1
        code: dict[str, Any] = codes[0]
        return code

    def propose_ballot(
        self, items: list[dict[str, Any]] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Propose a ballot (one matter-4 item unless `items` are given); its notice is dated
        16 days ago (`clock_at`) so that voting may open today."""
        body: dict[str, Any] = {
            "title": "续聘物业服务企业（测试）",
            "text": "是否同意续聘现物业服务企业？",
        } | ({"items": items} if items else {"matter": 4})
        with clock_at(self.app, self.noticed):
            proposed = self.http.post(
                f"/api/communities/{SLUG}/ballots",
                json=announced_body(body, self.noticed),
                headers=self.headers,
            )
        assert proposed.status_code == 202, proposed.text
        draft = proposed.json()["ballot"]
        assert draft["status"] == "draft"
        return draft, proposed.json()["decision"]

    def sign_announcement(self, ballot_id: int, decision: dict[str, Any]) -> dict[str, Any]:
        """The demo members sign the notice on their devices (on its date): it is announced."""
        with clock_at(self.app, self.noticed):
            decide(self.http, self.data_dir, SLUG, decision)
        ballot: dict[str, Any] = self._ok(self.http.get(f"/api/ballots/{ballot_id}"))
        assert ballot["status"] == "announced"
        return ballot

    def sign_open(self, ballot_id: int, decision: dict[str, Any]) -> dict[str, Any]:
        """The notice signed (`sign_announcement`), then the opening (`open`)."""
        self.sign_announcement(ballot_id, decision)
        return self.open(ballot_id)

    def open(self, ballot_id: int) -> dict[str, Any]:
        """Propose opening an announced ballot; the demo members sign it: the census is frozen
        now and the ballot is open."""
        opening = self.http.post(f"/api/ballots/{ballot_id}/open", headers=self.headers)
        assert opening.status_code == 202, opening.text
        decide(self.http, self.data_dir, SLUG, opening.json())
        ballot: dict[str, Any] = self._ok(self.http.get(f"/api/ballots/{ballot_id}"))
        assert ballot["status"] == "open"
        return ballot


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Committee]]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app):
        committee = Committee(base, app)
        yield base, committee
        committee.http.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized page in a fresh context: its own IndexedDB and cookies."""
    errors: list[str] = []
    page = phone_page(browser, errors)
    yield page
    page.context.close()
    assert not errors, errors  # no uncaught script error nor CSP refusal on any page


def _tap(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_owner_enrols_signs_in_votes_and_checks_the_receipt(
    server: tuple[str, Committee], phone: Page
) -> None:
    base, committee = server
    page = phone

    # Enrol: the QR code's address fills in the code; the key is made on the phone.
    code = committee.code_for("1-1-101")
    assert code["url"].startswith(f"{base}/owner/enrol#code=")
    page.goto(code["url"])
    wait_ready(page)
    assert page.input_value("#code") == code["code"]
    _tap(page, "登记")
    page.wait_for_selector("#enrol-done:not([hidden])")
    assert "1-1-101" in page.inner_text("#enrol-units")
    assert "#code=" not in page.url  # the code is dropped from the address once used
    did = run_module(page, "return (await g.loadOwnerKey()).did;")
    assert did.startswith("did:key:zDn")
    # The QR code pinned the street office and the registration in force; the phone kept them.
    registrations = committee.http.get(f"/api/communities/{SLUG}/registrations").json()
    in_force = registrations[-1]
    fragment = parse_qs(urlsplit(code["url"]).fragment)
    assert fragment["root"] == [in_force["issuer"]]
    assert fragment["reg"] == [registration_hash(in_force)]
    pin = run_module(page, "return await g.loadValue(arg);", f"pin:{SLUG}")
    assert (pin["root"], pin["reg"]) == (in_force["issuer"], registration_hash(in_force))

    # A neighbour enrols with a key of their own; then the committee opens a ballot, whose
    # census freezes the DIDs enrolled by then.
    other = KeyPair.generate(KeyType.P256)
    committee.redeem(other, committee.code_for("1-1-102")["code"])
    draft, decision = committee.propose_ballot()
    early = sign_json(
        {
            "type": "Vote",
            "ballot": draft["origin"],
            "voter": other.did.value,
            "choices": {"1": "agree"},
        },
        other,
    )
    refused = committee.http.post(f"/api/ballots/{draft['id']}/votes", json=early)
    assert refused.status_code == 409 and "signatures" in refused.json()["error"]["en"]
    committee.sign_announcement(draft["id"], decision)
    refused = committee.http.post(f"/api/ballots/{draft['id']}/votes", json=early)
    assert refused.status_code == 409, refused.text  # announced: the box takes no vote yet
    ballot = committee.open(draft["id"])

    # Sign in with one tap: an HttpOnly, SameSite=Strict session cookie.
    page.goto(f"{base}/owner/signin")
    wait_ready(page)
    _tap(page, "一键登录")
    page.wait_for_selector("#signin-done:not([hidden])")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["gongzhi_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert "gongzhi_session" not in page.evaluate("document.cookie")
    me = page.evaluate("fetch('/api/me').then(r => r.json())")
    assert me["did"] == did
    assert {"community": SLUG, "role": "owner"}.items() <= me["grants"][0].items()

    # Home lists the open ballot; one tap opens it.
    page.goto(f"{base}/owner")
    wait_ready(page)
    page.get_by_role("link", name="去投票").click()
    wait_ready(page)
    assert ballot["title"] in page.inner_text("h1")

    # Choose 反对, change one's mind, choose 同意, confirm.
    _tap(page, "反对")
    assert page.inner_text("#confirm-question") == "您选择了：反对。确认提交？"
    _tap(page, "返回修改")
    _tap(page, "同意")
    assert page.inner_text("#confirm-question") == "您选择了：同意。确认提交？"
    # The server is busy the first time (a rush): the page sends the same signed vote again
    # after Retry-After by itself, and the owner gets the receipt without tapping again.
    busy = {"left": 1}

    def busy_once(route: Route) -> None:
        if busy["left"]:
            busy["left"] -= 1
            route.fulfill(
                status=503,
                headers={"Retry-After": "1"},
                content_type="application/json",
                body='{"error": {"zh": "服务器繁忙", "en": "busy"}}',
            )
        else:
            route.continue_()

    page.route("**/api/ballots/*/votes", busy_once)
    _tap(page, "确认提交")
    page.wait_for_selector("#receipt:not([hidden])")
    assert busy["left"] == 0
    page.unroute("**/api/ballots/*/votes")
    receipt_text = page.inner_text("#receipt")
    assert "已投票" in receipt_text and "您的选择：同意" in receipt_text
    assert page.is_hidden("#choose") and page.is_hidden("#confirm")

    # The box holds exactly the vote the browser signed, by the browser's key. (The public
    # record shows it only as a hidden leaf while the ballot is open: read the box itself.)
    record = committee.http.get(f"/api/ballots/{ballot['id']}/record").json()
    [hidden] = [e for e in record["entries"] if isinstance(e, dict)]
    assert hidden["type"] == "Vote" and record["votesHidden"]
    with committee.app.state.services.db.session(write=False) as session:
        store = LogStore(session)
        box = store.get_log(ballot["origin"])
        entries = [e.data for e in store.iter_entries(box, 0, store.size(box))]
    votes = [e for e in map(_json, entries) if e.get("type") == "Vote"]
    assert len(votes) == 1 and votes[0]["choices"] == {"1": "agree"} and votes[0]["voter"] == did
    assert leaf_hash(entries[hidden["index"]]).hex() == hidden["leafHash"]
    verify_signed_json(votes[0], expected_signer=did)

    # 核对我的选票: inclusion in the signed head, checked in the browser.
    _tap(page, "核对我的选票")
    page.wait_for_selector("#check-result.ok")
    assert "核对成功" in page.inner_text("#check-result")
    assert "投票箱共 3 条记录" in page.inner_text("#check-result")

    # Another owner votes: the box grows; the check now also proves it only grew since.
    other_vote = sign_json(
        {
            "type": "Vote",
            "ballot": ballot["origin"],
            "voter": other.did.value,
            "choices": {"1": "oppose"},
        },
        other,
    )
    committee._ok(committee.http.post(f"/api/ballots/{ballot['id']}/votes", json=other_vote))
    page.reload()
    wait_ready(page)
    ballot_page = page.url
    assert page.is_visible("#receipt") and page.is_hidden("#choose")
    _tap(page, "核对我的选票")
    page.wait_for_selector("#check-result.ok")
    assert "投票箱共 4 条记录" in page.inner_text("#check-result")  # notice, opening, 2 votes

    # 复制选票回执: what the phone hands on (the signed vote and its receipt) verifies on the
    # public verification page, in a browser that holds no key of the owner's.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _tap(page, "复制选票回执")
    page.wait_for_selector("#check-result.ok")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert set(copied) == {"vote", "receipt"} and copied["vote"]["voter"] == did
    stranger = page.context.browser.new_context(viewport=PHONE)  # type: ignore[union-attr]
    try:
        checker = stranger.new_page()
        checker.goto(f"{base}/verify")
        checker.wait_for_selector("body[data-ready='true']", state="attached", timeout=15_000)
        checker.fill("#receipt-json", json.dumps(copied, ensure_ascii=False))
        checker.click("#verify-submit")
        checker.wait_for_selector("#verify-result[data-outcome='ok']", timeout=30_000)
    finally:
        stranger.close()

    # A server that serves another committee — registered by a root of its own, which its
    # trust file names too — is caught against the pin, in words the owner can read.
    stranger = KeyPair.generate(KeyType.ED25519)
    forged = copy.deepcopy(in_force)
    del forged["proof"]
    forged["issuer"] = stranger.did.value
    forged = sign_registration(forged, stranger, created=datetime.now(UTC))

    def other_committee(route: Route) -> None:
        route.fulfill(json=[forged])

    def other_trust(route: Route) -> None:
        trust = route.fetch().json()
        route.fulfill(json=trust | {"roots": [stranger.did.value]})

    page.route(f"**/api/communities/{SLUG}/registrations", other_committee)
    page.route("**/.well-known/gongzhi-trust.json", other_trust)
    _tap(page, "核对我的选票")
    page.wait_for_selector("#check-result.error")
    refusal = page.inner_text("#check-result")
    assert "核对没有通过" in refusal and "本机登记时记下的街道办事处备案不符" in refusal
    assert "备案不是由受信任的街道办事处签发" in refusal  # the reason, as the rule states it
    page.goto(f"{ballot_page}?lang=en")
    wait_ready(page)
    _tap(page, "Check my vote")
    page.wait_for_selector("#check-result.error")
    assert "not the one the street office registered" in page.inner_text("#check-result")
    page.unroute(f"**/api/communities/{SLUG}/registrations")
    page.unroute("**/.well-known/gongzhi-trust.json")
    page.goto(ballot_page)
    wait_ready(page)

    # A server handing out a box key other than the one the committee signed into
    # BallotAnnounced is caught, even though this device pinned nothing wrong.
    def other_key(route: Any) -> None:
        answer = route.fetch().json()
        answer["log_key"] = Ed25519Signer(ballot["origin"], b"\x05" * 32).vkey
        route.fulfill(json=answer)

    page.route("**/api/ballots/*/proof*", other_key)
    _tap(page, "核对我的选票")
    page.wait_for_selector("#check-result.error")
    assert "业委会在公告条目中签署的密钥" in page.inner_text("#check-result")
    page.unroute("**/api/ballots/*/proof*")

    # The key on the phone cannot be exported, even by script on our own page.
    refused = run_module(
        page,
        "const k = await g.loadOwnerKey();"
        "try { await crypto.subtle.exportKey('pkcs8', k.privateKey); return 'exported'; }"
        "catch (e) { return e.name; }",
    )
    assert refused == "InvalidAccessError"

    # A receipt that does not match the signed vote fails the check, visibly.
    run_module(
        page,
        "const key = `vote:${arg}`; const r = await g.loadValue(key);"
        "r.receipt.leaf_hash = r.receipt.leaf_hash.replace(/^./, c => c === '0' ? '1' : '0');"
        "await g.saveValue(key, r);",
        ballot["origin"],
    )
    page.reload()
    wait_ready(page)
    _tap(page, "核对我的选票")
    page.wait_for_selector("#check-result.error")
    assert "核对没有通过" in page.inner_text("#check-result")


def _json(text: str | bytes) -> dict[str, Any]:
    import json

    value: dict[str, Any] = json.loads(text)
    return value
