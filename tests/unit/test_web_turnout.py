"""Who has not voted, by building (web.api.turnout), and its CSV / Excel export (pure)."""

from __future__ import annotations

import csv
import io
import random

import pytest
from openpyxl import load_workbook

from web.api.turnout import CensusRow, building_of, natural_key, turnout, unit_shares
from web.api.turnout_export import HEADER, pending_csv, pending_xlsx


@pytest.mark.parametrize(
    ("unit", "building"),
    [("3-2-1101", "3"), ("1-101", "1"), ("12-1-3-2", "12"), ("A-1-101", "A"), ("7", "7")],
)
def test_the_building_is_the_first_part(unit: str, building: str) -> None:
    assert building_of(unit) == building


def test_natural_order() -> None:
    ordered = ["1-1-101", "1-1-201", "1-1-1001", "1-2-101", "1-10-1", "2-1-101", "10-1-101"]
    shuffled = ordered[:]
    random.Random(9).shuffle(shuffled)
    assert sorted(shuffled, key=natural_key) == ordered
    assert sorted(["1A-1", "1-1", "1B-1", "2-1"], key=natural_key) == ["1-1", "1A-1", "1B-1", "2-1"]


def _row(voter: str, units: tuple[str, ...], area: int, *, voted: bool = False) -> CensusRow:
    return CensusRow(voter=voter, units=units, area_centi=area, enrolled=voter != "V3", voted=voted)


ROWS = [
    _row("V1", ("1-1-101",), 8850),
    _row("V2", ("1-1-1001",), 9000, voted=True),
    _row("V3", ("2-1-101", "2-1-102"), 15000),  # a buyer of two units in one building
    _row("V4", ("10-1-101", "1-1-201", "2-1-1101"), 30000),  # the developer, three buildings
    _row("V5", ("10-2-301",), 7000, voted=True),
]
REGISTER = {"10-1-101": 10000, "1-1-201": 9000, "2-1-1101": 8000}


def test_per_building_counts_and_areas_add_up_to_the_census() -> None:
    result = turnout(ROWS, REGISTER)
    by = {b.building: b for b in result.buildings}
    assert [b.building for b in result.buildings] == ["1", "2", "10"]
    assert (by["1"].voters, by["1"].pending) == (3, 2)  # V1, V2 (voted), V4
    # V4's census area is 300.00 but the register's units add to 270.00: the 30.00 left
    # stays with its first unit (1-1-201, in natural order), so the buildings still add up.
    assert by["1"].area_centi == 8850 + 9000 + (9000 + 3000)
    assert by["1"].pending_area_centi == 8850 + (9000 + 3000)
    assert by["10"].area_centi == 10000 + 7000 and by["10"].pending == 1
    assert sum(b.area_centi for b in result.buildings) == sum(r.area_centi for r in ROWS)
    pending_area = sum(r.area_centi for r in ROWS if not r.voted)
    assert sum(b.pending_area_centi for b in result.buildings) == pending_area
    assert sum(p.area_centi for p in result.pending_units) == pending_area


def test_pending_units_in_natural_order_with_their_person() -> None:
    units = [(p.building, p.unit, p.voter) for p in turnout(ROWS, REGISTER).pending_units]
    assert units == [
        ("1", "1-1-101", "V1"),
        ("1", "1-1-201", "V4"),
        ("2", "2-1-101", "V3"),
        ("2", "2-1-102", "V3"),
        ("2", "2-1-1101", "V4"),
        ("10", "10-1-101", "V4"),
    ]


def test_a_register_grown_past_the_census_falls_back_to_the_first_unit() -> None:
    row = _row("V9", ("1-1-101", "2-1-101"), 1000)
    assert unit_shares(row, {"1-1-101": 900, "2-1-101": 900}) == [("1-1-101", 1000), ("2-1-101", 0)]
    assert unit_shares(row, {}) == [("1-1-101", 1000), ("2-1-101", 0)]


def test_csv_opens_in_excel_as_utf8() -> None:
    data = pending_csv(turnout(ROWS, REGISTER).pending_units)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADER
    assert rows[1] == ["1", "1-1-101", "V1", "88.50", "是"]
    assert rows[3] == ["2", "2-1-101", "V3", "150.00", "否"]
    assert len(rows) == 7 and b"\r\n" in data


def test_xlsx_holds_the_same_rows_with_number_areas() -> None:
    pending = turnout(ROWS, REGISTER).pending_units
    sheet = load_workbook(io.BytesIO(pending_xlsx(pending))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADER
    assert rows[1][:3] == ("1", "1-1-101", "V1") and rows[1][4] == "是"
    assert [r[3] for r in rows[1:]] == [float(p.area_centi) / 100 for p in pending]
    assert len(rows) == 1 + len(pending)
