"""The committee prints enrolment codes from its page in a real Chromium: the form's POST
carries what Chromium sends for a same-origin post under the page's referrer policy, and the
same-origin check accepts it (with ``Referrer-Policy: no-referrer`` Chromium sent
``Origin: null`` and the committee got 403 跨站请求被拒绝). A post from another site is
still refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi.testclient import TestClient

from identity.community.committee import Member
from identity.w3c.dataintegrity import sign_json
from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests.e2e.browser_support import PHONE, live_server, session_cookie
from tests.identity_web import register_members
from web.api.turnout import natural_key

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SLUG = "lianhua-codes"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(body: str) -> str:
    """A 居民身份证 number with its GB 11643 check digit."""
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


REGISTER = "房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有\n" + "".join(
    f"1-1-{unit},88.50,测试{name},{_id_number(f'31010519500101{i:03d}')},1380000000{i},是,否\n"
    for i, (unit, name) in enumerate([("101", "甲"), ("102", "乙"), ("201", "丙")], start=1)
)


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _signed_in(http: httpx.Client, key: KeyPair, session: str) -> httpx.Response:
    issued = _ok(http.post("/api/auth/challenge"))
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
    response = http.post("/api/auth/sign-in", json={"presentation": vp, "session": session})
    _ok(response)
    return response


@pytest.fixture(scope="module")
def committee(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A live server with a community of three owners not enrolled yet, and the session
    cookie of its committee member (signed in by DID, as the committee's browser would)."""
    with live_server(tmp_path_factory.mktemp("data"), demo=False) as (base, app):
        operator = {"Authorization": f"Bearer {app.state.identity.operator_token()}"}
        with httpx.Client(base_url=base, timeout=30) as http:
            body = {"slug": SLUG, "name": "莲花小区（测试）", "street_office": "测试街道"}
            _ok(http.post("/api/communities", json=body, headers=operator))
            code = _ok(
                http.post(
                    f"/api/communities/{SLUG}/member-codes",
                    json={"role": "chair"},
                    headers=operator,
                )
            )["code"]
            key = KeyPair.generate(KeyType.P256)
            answer = sign_json(
                {"type": "EnrolmentRedemption", "code": code, "holder": key.did.value},
                key,
                proof_purpose="authentication",
                domain=app.state.identity.domain,
            )
            _ok(http.post("/api/enrolment/redeem", json=answer))
            # The (demo) street office registers the member: only then is it the committee.
            register_members(TestClient(app), app, SLUG, [Member(key.did.value, "chair")])
            token = _signed_in(http, key, "bearer").json()["token"]
            _ok(
                http.post(
                    f"/api/communities/{SLUG}/register",
                    content=REGISTER.encode(),
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
                )
            )
            cookie = _signed_in(http, key, "cookie").cookies["gongzhi_session"]
        yield base, cookie


def test_the_committee_prints_enrolment_codes_in_chromium(
    committee: tuple[str, str], browser: Browser
) -> None:
    base, cookie = committee
    context = browser.new_context()
    context.add_cookies([session_cookie(base, cookie)])
    page = context.new_page()
    seen: dict[str, str] = {}
    page.on(
        "request",
        lambda request: (
            seen.update(request.headers)
            if request.method == "POST" and "enrolment-sheet" in request.url
            else None
        ),
    )
    page.goto(f"{base}/communities/{SLUG}/committee")
    assert page.locator("h1").inner_text() == "业主登记"
    with page.expect_navigation():
        page.get_by_role("button", name="生成并打印登记码").click()
    text = page.locator("body").inner_text()
    assert "跨站请求被拒绝" not in text, text[:300]
    assert page.locator(".card .code").count() == 3, text[:500]
    assert "共 3 张登记码" in text
    assert seen.get("origin") == base  # Referrer-Policy: same-origin shows our own origin
    context.close()


def test_the_owners_page_says_a_refusal_on_the_form_and_keeps_what_was_typed(
    committee: tuple[str, str], browser: Browser
) -> None:
    """New-user trial: the page had no English, the public header, 15 px help text; a bad
    unit sent the member to an error page that lost the input; a full-width unit number was
    not in the register."""
    base, cookie = committee
    context = browser.new_context()
    context.add_cookies([session_cookie(base, cookie)])
    page = context.new_page()
    page.goto(f"{base}/communities/{SLUG}/committee?lang=en")
    assert page.locator("h1").inner_text() == "Owners' register"
    assert page.locator("header .brand").inner_text() == "Gongzhi · Committee"
    assert page.locator("header a.lang").get_attribute("href") == "?lang=zh"
    for size in page.locator("p.small").evaluate_all(
        "ps => ps.map(p => parseFloat(getComputedStyle(p).fontSize))"
    ):
        assert size >= 16

    page.fill("#sheet-units", "1-1-101, 9-9-999")
    page.fill("#sheet-days", "14")
    with page.expect_navigation():
        page.get_by_role("button", name="Make and print enrolment codes").click()
    error = page.locator("#sheet-card #owner-act-error")
    assert "no such units in this community: 9-9-999" in error.inner_text()
    assert page.input_value("#sheet-units") == "1-1-101, 9-9-999"
    assert page.input_value("#sheet-days") == "14"
    assert page.locator("h1").inner_text() == "Owners' register"  # still in English

    page.fill("#sheet-units", "１-１-１０１​")  # full-width, a zero-width space pasted along
    with page.expect_navigation():
        page.get_by_role("button", name="Make and print enrolment codes").click()
    assert page.locator(".card .code").count() == 1, page.locator("body").inner_text()[:300]
    context.close()


def test_the_owners_page_finds_a_unit_on_a_phone(
    committee: tuple[str, str], browser: Browser, shots: Path
) -> None:
    """Units by building in natural order, and a search typed with a phone's input method:
    "１-１-１０１" finds that unit alone, at 390×844."""
    base, cookie = committee
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_cookies([session_cookie(base, cookie)])
    page = context.new_page()
    page.goto(f"{base}/communities/{SLUG}/committee")
    units = page.locator("table.owners td:first-child").all_inner_texts()
    assert len(units) > 1 and units == sorted(units, key=natural_key)
    assert page.locator("h3.building").first.inner_text().startswith("1 号楼：共")
    page.fill("#find", "１-１-１０１")
    with page.expect_navigation():
        page.get_by_role("button", name="查找").click()
    assert page.locator("table.owners td:first-child").all_inner_texts() == ["1-1-101"]
    assert page.input_value("#find") == "１-１-１０１"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#owners").screenshot(path=str(shots / "owners-find-phone.png"))
    context.close()


def test_a_post_from_another_site_is_still_refused(
    committee: tuple[str, str], browser: Browser
) -> None:
    """Another origin's page auto-submits a form to the committee route with the committee's
    cookie in the jar: SameSite keeps the cookie back, and without it nothing is made."""
    base, cookie = committee
    context = browser.new_context()
    context.add_cookies(
        [{"name": "gongzhi_session", "value": cookie, "url": base, "sameSite": "Strict"}]
    )
    form = (
        f'<form method="post" action="{base}/communities/{SLUG}/enrolment-sheet">'
        '<input name="units" value=""></form>'
    )
    # Another site, served by the browser's own routing (no DNS, no second server).
    context.route(
        "http://evil.test/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=form),
    )
    page = context.new_page()
    page.goto("http://evil.test/")
    with page.expect_navigation():
        page.evaluate("document.forms[0].submit()")
    text = page.locator("body").inner_text()
    assert "登记码只显示这一次" not in text
    assert "请先登录" in text or "跨站请求被拒绝" in text or "sign in" in text, text[:300]
    context.close()
