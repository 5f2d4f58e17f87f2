"""GET /api/ballots/{id}/pending, pending.csv, pending.xlsx: who has not voted, by building,
for the committee only — on SQLite and PostgreSQL, against the demo community (5 buildings,
a buyer of three units in three buildings, the developer's stock in every building)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from identity.w3c.dataintegrity import sign_json
from tests import identity_web
from tests.e2e.support import running, services_of, settings_for
from voting.area import Area
from web.api.turnout import natural_key
from web.demo.community import demo_keys


def _area(text: str) -> int:
    return Area.parse(text).hundredths


def _pending(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get("/api/ballots/1/pending", headers=headers)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def test_pending_by_building_and_its_exports(tmp_path: Path, db_url: str) -> None:
    with running(settings_for(tmp_path / "data", db_url=db_url, anvil_url=None)) as (client, app):
        committee = identity_web.committee_headers(app)
        before = _pending(client, committee)
        buildings = [b["building"] for b in before["buildings"]]
        assert buildings == ["1", "2", "3", "5", "6"]
        assert sum(_area(b["area"]) for b in before["buildings"]) == _area(before["area"])
        assert before["pending_voters"] == before["voters"] == len(before["pending"])
        spanning = [p for p in before["pending"] if len(p["buildings"]) > 1]
        assert {len(p["buildings"]) for p in spanning} == {3, 5}  # the buyer, the developer
        developer = next(p for p in spanning if len(p["buildings"]) == 5)
        assert all(b["voters"] > 0 for b in before["buildings"])
        first_units = [min(p["units"], key=natural_key) for p in before["pending"]]
        assert first_units == sorted(first_units, key=natural_key)

        # The owner of 3-1-101 votes: building 3 has one person and that area fewer pending.
        key = demo_keys(services_of(app))["3-1-101"]
        origin = client.get("/api/ballots/1").json()["origin"]
        vote = {"type": "Vote", "ballot": origin, "voter": key.did.value, "choices": {"1": "agree"}}
        assert client.post("/api/ballots/1/votes", json=sign_json(vote, key)).status_code == 201
        after = _pending(client, committee)
        voted = next(p for p in before["pending"] if "3-1-101" in p["units"])
        assert voted not in after["pending"] and after["pending_voters"] == before["voters"] - 1
        b3 = {b["building"]: b for b in before["buildings"]}["3"]
        a3 = {b["building"]: b for b in after["buildings"]}["3"]
        assert a3["pending"] == b3["pending"] - 1 and a3["voters"] == b3["voters"]
        assert _area(a3["pending_area"]) == _area(b3["pending_area"]) - _area(voted["area"])

        r = client.get("/api/ballots/1/pending.csv", headers=committee)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        assert r.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))[1:]
        units = [row[1] for row in rows]
        assert len(units) == sum(len(p["units"]) for p in after["pending"])
        assert "3-1-101" not in units and set(developer["units"]) <= set(units)
        assert units == sorted(units, key=lambda u: (natural_key(u.split("-")[0]), natural_key(u)))
        assert sum(_area(row[3]) for row in rows) == _area(after["pending_area"])
        enrolled = {
            u: "是" if p["enrolled"] else "否" for p in after["pending"] for u in p["units"]
        }
        assert {row[1]: row[4] for row in rows} == enrolled
        assert "否" in enrolled.values()  # the demo leaves some units for visitors to enrol

        r = client.get("/api/ballots/1/pending.xlsx", headers=committee)
        assert r.status_code == 200
        sheet = load_workbook(io.BytesIO(r.content)).active
        assert sheet is not None
        cells = list(sheet.iter_rows(values_only=True))[1:]
        assert [c[1] for c in cells] == units
        total = sum(Decimal(str(c[3])) for c in cells)
        assert int(total * 100) == _area(after["pending_area"])

        owner = identity_web.bearer(identity_web.sign_in(client, key))
        for path in ("pending", "pending.csv", "pending.xlsx"):
            assert client.get(f"/api/ballots/1/{path}").status_code == 401
            assert client.get(f"/api/ballots/1/{path}", headers=owner).status_code == 403
            assert client.get(f"/api/ballots/99/{path}", headers=committee).status_code == 404
