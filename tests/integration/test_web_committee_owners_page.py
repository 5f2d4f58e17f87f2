"""The committee's owners page (业主登记, /communities/SLUG/committee) lists units by building
in the order people count them (1-1-101 before 1-1-1001), with each building's enrolled and
waiting counts, a search by unit number (typed as on a phone) and a not-enrolled filter; the
owners API answers in the same order."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from tests import identity_web
from tests.e2e.support import running, settings_for
from web.api.turnout import natural_key
from web.demo.community import SLUG

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def member(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The demo server, and the headers of a visitor's device the demo office made chair."""
    data = tmp_path_factory.mktemp("data")
    with running(settings_for(data, db_url=None, anvil_url=None)) as (client, _):
        device = KeyPair.generate(KeyType.P256)
        assert client.post("/demo/member", json={"did": device.did.value}).status_code == 200
        yield client, HTML | identity_web.bearer(identity_web.sign_in(client, device))


def _units(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", page)


def _page(client: TestClient, headers: dict[str, str], query: str = "") -> str:
    answer = client.get(f"/communities/{SLUG}/committee{query}", headers=headers)
    assert answer.status_code == 200, answer.text[:500]
    text: str = answer.text
    return text


def test_units_by_building_in_natural_order(member: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = member
    page = _page(client, headers)
    units = _units(page)
    assert len(units) == 204 and units == sorted(units, key=natural_key)
    assert units.index("1-1-101") < units.index("1-1-201") < units.index("1-1-1001")
    headings = re.findall(r'<h3 class="building">([^<]+)</h3>', page)
    assert [h.split(" ")[0] for h in headings] == ["1", "2", "3", "5", "6"]  # no building 4
    waiting = sum(int(m) for m in re.findall(r"，(\d+) 套未登记", "".join(headings)))
    assert f"{waiting} 套的表决人尚未登记" in page  # the buildings add up to the summary
    english = _page(client, headers, "?lang=en")
    assert "Building 1: " in english and "号楼" not in english


def test_find_a_unit_as_typed_and_only_those_waiting(
    member: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = member
    found = _page(client, headers, "?find=%EF%BC%91-%EF%BC%91-%EF%BC%91%EF%BC%90%EF%BC%91")
    assert _units(found) == ["1-1-101"]  # "１-１-１０１" in full-width digits
    assert 'value="１-１-１０１"' in found  # the search box keeps what was typed
    part = _units(_page(client, headers, "?find=3-2"))
    assert part and all("3-2" in u for u in part)
    waiting = _page(client, headers, "?show=waiting")
    rows = re.findall(r"<tr>\s*<td>[^<]+</td>.*?</tr>", waiting, re.S)
    assert rows and all("—" in r and "✓" not in r for r in rows)
    assert 'name="show" value="waiting" checked' in waiting
    nothing = _page(client, headers, "?find=9-9-9999")
    assert _units(nothing) == [] and 'id="no-match"' in nothing
    # whatever else the address holds, a page: never a validation error
    assert _units(_page(client, headers, "?show=%3Cb%3E&find=" + "x" * 500)) == []


def test_the_owners_api_answers_in_natural_order(
    member: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = member
    answer = client.get(f"/api/communities/{SLUG}/owners", headers=headers)
    assert answer.status_code == 200
    units = [row["unit"] for row in answer.json()]
    assert len(units) == 204 and units == sorted(units, key=natural_key)
