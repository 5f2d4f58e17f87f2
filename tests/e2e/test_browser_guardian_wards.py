"""A guardian (监护人) of two wards votes for each from one phone, in a real Chromium.

The committee records one new guardian for the owners of 1-1-102 and 1-1-201 (the API of
`revocation.change_guardian`); the guardian enrols with the code it answers. Holding two
census entries, the guardian's ballot page offers one vote per ward (the server refuses a
vote that does not name its entry) and each vote, once cast, is marked as done; the box
holds one vote per ward, each naming its ``censusEntry``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser_support import PHONE, launched_browser, live_server, wait_ready
from tests.e2e.test_browser_journey import SLUG, Committee
from tests.serving_support import id_number

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ITEMS = [
    {"id": "1", "kind": "motion", "matter": 4, "title": "续聘物业", "text": "续聘三年？"},
    {"id": "2", "kind": "motion", "matter": 7, "title": "加装电梯", "text": "1号楼加装电梯？"},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Committee]]:
    with live_server(tmp_path_factory.mktemp("data"), demo=True) as (base, app):
        committee = Committee(base, app)
        yield base, committee
        committee.http.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as b:
        yield b


def test_a_guardian_of_two_wards_casts_one_vote_for_each(
    server: tuple[str, Committee], browser: Browser
) -> None:
    base, committee = server
    guardian = {"name": "王监护", "id_number": id_number(41), "phone": ""}
    for unit in ("1-1-102", "1-1-201"):
        r = committee.http.put(
            f"/api/communities/{SLUG}/units/{unit}/guardian",
            json={"guardian": guardian},
            headers=committee.headers,
        )
        assert r.status_code == 200, r.text
    code = r.json()["enrolment"]
    assert code["units"] == ["1-1-102", "1-1-201"]  # the newest code covers both wards
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(code["url"])
    wait_ready(page)
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_selector("#enrol-done:not([hidden])")

    draft, decision = committee.propose_ballot(ITEMS)
    ballot = committee.sign_open(draft["id"], decision)
    page.goto(f"{base}/owner/ballots/{ballot['id']}")
    wait_ready(page)
    page.wait_for_selector("#entries-for:not([hidden])")
    assert page.is_hidden("#choose")  # nothing to choose until a ward is picked
    assert page.is_hidden("#proxy")
    buttons = page.locator("button.entry-vote")
    assert buttons.all_inner_texts() == ["为房屋 1-1-102 投票", "为房屋 1-1-201 投票"]
    for n, choice in enumerate(("agree", "oppose")):
        buttons.nth(n).click()
        page.click(f"button[data-item='1'][data-choice='{choice}']")
        page.click("#review")
        page.click("#confirm-submit")
        page.wait_for_selector("#receipt:not([hidden])")
        assert buttons.nth(n).is_disabled()
    assert buttons.all_inner_texts() == ["已为房屋 1-1-102 投票", "已为房屋 1-1-201 投票"]
    page.reload()  # the receipts are kept on the phone: both stay done
    wait_ready(page)
    page.wait_for_selector("#entries-for:not([hidden])")
    assert page.locator("button.entry-vote:disabled").count() == 2
    context.close()
    assert not errors, errors

    record = committee.http.get(f"/api/ballots/{ballot['id']}/record").json()
    census = json.loads(record["entries"][1])["census"]["voters"]
    rows = {str(v["voter"]): v["units"] for v in census}
    votes = [json.loads(e) for e in record["entries"] if isinstance(e, str)]
    hidden = [e for e in record["entries"] if isinstance(e, dict)]
    assert len(hidden) == 2 and not [v for v in votes if v.get("type") == "Vote"]
    # The census place the page read: two entries of the guardian, one per ward.
    place = committee.http.get(f"/api/ballots/{ballot['id']}/census/{census[1]['did']}").json()
    assert [rows[e["census_entry"]] for e in place["entries"]] == [["1-1-102"], ["1-1-201"]]
    assert all(e["guardian"] for e in place["entries"])
