"""The property register: CSV and Excel as committees keep them, every bad row reported."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from identity.register import RegisterError, parse_area, parse_csv, parse_xlsx

HEADER = "房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有\n"
GOOD = HEADER + (
    "1-1-101,89.37,王伟,310105196306013988,13647970965,是,否\n"
    "1-1-102,120,王伟,310105196306013988,13647970965,,否\n"  # one buyer, two units
    "1-1-201,75.5,李娜,310105196805160341,15879264666,否,否\n"  # co-owned: 张强 votes
    "1-1-201,75.5,张强,310105197001010017,13800000000,是,否\n"
    "1-1-301,60.00,示范置业,91310000MA1FL0000X,02100000000,是,是\n"
    "1-1-302,61.01,示范置业,91310000MA1FL0000X,02100000000,是,是\n"
)


def test_a_good_register() -> None:
    register = parse_csv(GOOD.encode())
    units = {u.unit: u for u in register.units}
    assert [units[u].area_centi for u in sorted(units)] == [8937, 12000, 7550, 6000, 6101]
    assert units["1-1-201"].holder.name == "张强" and len(units["1-1-201"].owners) == 2
    assert units["1-1-301"].developer and not units["1-1-101"].developer
    owners = register.owners()
    assert [o.name for o in owners] == ["王伟", "李娜", "张强", "示范置业"]  # each person once


def test_english_headers_bom_and_gbk() -> None:
    english = "unit,area,name,id_number,phone,holder,developer\n1-1-101,50,A,1X,1,yes,no\n"
    assert parse_csv(("\ufeff" + english).encode("utf-8")).units[0].area_centi == 5000
    assert parse_csv(GOOD.encode("gb18030")).units[0].owners[0].name == "王伟"


@pytest.mark.parametrize(
    ("rows", "row", "words"),
    [
        ("1-1-101,0,甲,1,1,是,否\n", 2, "大于0"),
        ("1-1-101,89.371,甲,1,1,是,否\n", 2, "两位小数"),
        ("1-1-101,-5,甲,1,1,是,否\n", 2, "两位小数"),
        ("1-1-101,1e3,甲,1,1,是,否\n", 2, "两位小数"),
        ("1-1-101,89.37,,1,1,是,否\n", 2, "业主姓名"),
        ("1-1-101,89.37,甲,,1,是,否\n", 2, "证件号码"),
        ("101,89.37,甲,1,1,是,否\n", 2, "3-1-502"),
        ("1-1-101,89.37,甲,1,1,也许,否\n", 2, "是"),
        ("1-1-101,89.37,甲,1,1,是,否\n1-1-101,89.37,甲,1,1,是,否\n", 3, "同一业主"),
        ("1-1-101,89.37,甲,1,1,是,否\n1-1-101,90.00,乙,2,1,否,否\n", 2, "面积前后不一"),
        ("1-1-101,89.37,甲,1,1,否,否\n1-1-101,89.37,乙,2,1,否,否\n", 2, "表决人"),
        ("1-1-101,89.37,甲,1,1,是,否\n1-1-101,89.37,乙,2,1,是,否\n", 2, "表决人"),
        ("1-1-101,89.37,甲,1,1,是,否\n1-1-102,89.37,乙,1,1,是,否\n", 3, "姓名不同"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_imported(rows: str, row: int, words: str) -> None:
    with pytest.raises(RegisterError) as caught:
        parse_csv((HEADER + rows).encode())
    assert any(r == row and words in msg for r, msg in caught.value.problems), caught.value.problems
    assert "nothing was imported" in str(caught.value) and f"第{row}行" in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    rows = "1-1-101,0,甲,1,1,是,否\n1-1-102,x,乙,2,1,是,否\n1-1-103,50,,3,1,是,否\n"
    with pytest.raises(RegisterError) as caught:
        parse_csv((HEADER + rows).encode())
    assert sorted({r for r, _ in caught.value.problems}) == [2, 3, 4]


@pytest.mark.parametrize(
    "data",
    [b"", "房号,面积\n1-1-101,5\n".encode(), HEADER.encode(), b"\xff\xfe\x00garbage\x81"],
)
def test_unusable_files(data: bytes) -> None:
    with pytest.raises(RegisterError):
        parse_csv(data)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_register_with_numeric_cells() -> None:
    header: list[object] = [*HEADER.strip().split(",")]
    data = _xlsx(
        [
            header,
            ["1-1-101", 89.37, "王伟", "310105196306013988", 13647970965, "是", "否"],
            ["1-1-102", 120, "李娜", "310105196805160341", None, None, None],
            [None, None, None, None, None, None, None],  # blank rows are skipped
        ]
    )
    register = parse_xlsx(data)
    assert [u.area_centi for u in register.units] == [8937, 12000]
    assert register.units[0].owners[0].phone == "13647970965"


def test_excel_errors_name_their_rows() -> None:
    header: list[object] = [*HEADER.strip().split(",")]
    data = _xlsx([header, ["1-1-101", 89.371, "王伟", "1", "", "是", "否"]])
    with pytest.raises(RegisterError) as caught:
        parse_xlsx(data)
    assert caught.value.problems[0][0] == 2
    with pytest.raises(RegisterError, match="xlsx"):
        parse_xlsx(b"PK\x03\x04 not really a workbook")


def test_parse_area_exactly() -> None:
    assert parse_area("0.01") == 1 and parse_area(" 89.3 ") == 8930 and parse_area("7") == 700
    for bad in ("", "0.00", ".5", "5.", "1,000", "NaN", "89.370"):
        with pytest.raises(ValueError):
            parse_area(bad)
