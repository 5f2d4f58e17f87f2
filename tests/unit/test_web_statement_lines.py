"""Reading a statement's lines from a file (`web.api.statement_lines`): amounts by their digits
with commas only between groups of three, every row kept as written for the desk's draft
form with the cell its error is about, and an Excel sheet bounded like the register's."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest

from ledger.disclosure.fields import MAX_FEN, MAX_LINES
from web.api.statement_lines import (
    LAYOUTS,
    ReadRow,
    parse_csv,
    parse_rows,
    parse_xlsx,
    template_csv,
    template_xlsx,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("1,234.56", 123_456),
        ("1234.5", 123_450),
        ("0.29", 29),  # a float would make this 28.999…
        ("１２３．４", 12_340),  # 全角
        ("¥80", 8_000),
        ("12,345,678", 1_234_567_800),
        ("10000000000000", MAX_FEN),  # 10^13 yuan, the ledger's limit
        ("10000000000000.01", None),
        ("100000000000000", None),
        ("1,23", None),  # not a thousands group: never read as 123 yuan
        ("1,2345", None),
        (",123", None),
        ("12.345", None),
        ("-5", None),
        ("1e3", None),
        ("", None),
    ],
)
def test_yuan_to_fen(typed: str, fen: int | None) -> None:
    assert yuan_to_fen(typed) == fen


def test_a_bad_file_keeps_every_row_and_names_each_cell() -> None:
    text = '类型,项目,金额,备注\n收入,物业费,"1,23",注\n其他,停车,10\n\n支出,,5\n'
    parsed = parse_csv(text.encode())
    assert parsed.income == [] and parsed.expense == []  # nothing half-read is taken
    assert [e[0] for e in parsed.errors] == [2, 3, 5]  # the file's own row numbers
    assert parsed.cells == {2: "amount", 3: "section", 5: "category"}
    assert parsed.rows == [
        ReadRow(2, "income", "物业费", "1,23", "注"),
        ReadRow(3, None, "停车", "10", ""),
        ReadRow(5, "expense", "", "5", ""),
    ]


def _xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_sheet_is_read_four_columns_wide() -> None:
    wide = ["收入", "物业费", "12.50", "备注", *(f"x{i}" for i in range(2000))]
    parsed = parse_xlsx(_xlsx([wide]))
    assert parsed.errors == []
    assert parsed.income == [{"category": "物业费", "amountFen": 1_250, "note": "备注"}]


def test_an_excel_sheet_declared_too_long_is_refused_before_it_is_read() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["收入", "物业费", "1"])
    sheet.cell(row=MAX_LINES + 5, column=1, value="收入")  # declares MAX_LINES + 5 rows
    out = io.BytesIO()
    book.save(out)
    parsed = parse_xlsx(out.getvalue())
    assert parsed.rows == [] and parsed.income == []
    [(row, zh, en)] = parsed.errors
    assert row == MAX_LINES + 2 and str(MAX_LINES) in zh and str(MAX_LINES) in en


def test_the_templates_hold_a_header_and_one_example_of_each_section() -> None:
    for parsed in (parse_csv(template_csv()), parse_xlsx(template_xlsx())):
        assert parsed.errors == []
        assert [(r.row, r.section) for r in parsed.rows] == [(2, "income"), (3, "expense")]
        assert parsed.expense[0]["amountFen"] == 150_050


REF = {"ballot": "gongzhi.example/ballots/7", "index": 212, "leafHash": "ab" * 32}


def test_a_fund_row_cites_its_ballot_by_number() -> None:
    """The 使用 rows name their ballot by the number the desk lists (全角, "#" or "号" as
    people write it); a row without one, or with a number not passed, is refused at that
    cell; an income and expense file's sections mean nothing in a fund's file."""
    fund = LAYOUTS["MaintenanceFund"]
    text = "类型,项目,金额（元）,表决编号,备注\n使用,更换电梯,100,３号,首付\n使用,刷墙,5,#3\n"
    parsed = parse_csv(text.encode(), fund, {"3": REF})
    assert parsed.errors == []
    assert parsed.spending == [
        {"item": "更换电梯", "amountFen": 10_000, "approval": REF, "note": "首付"},
        {"item": "刷墙", "amountFen": 500, "approval": REF},
    ]
    bad = parse_csv("使用,电梯,1,\n使用,电梯,1,4\n收入,利息,1,3\n".encode(), fund, {"3": REF})
    assert bad.income == [] and bad.spending == []
    assert bad.cells == {1: "ballot", 2: "ballot", 3: "section"}
    assert [r.ballot for r in bad.rows] == ["", "4", "3"]


def test_common_area_rows_fall_in_their_three_sections() -> None:
    rows = [["收入", "广告", "10"], ["成本", "电费", "2"], ["支用", "补充维修资金", "3"]]
    parsed = parse_rows(rows, LAYOUTS["CommonAreaIncome"])
    assert [len(x) for x in (parsed.income, parsed.costs, parsed.disbursements)] == [1, 1, 1]
    assert parse_rows([["支出", "保洁", "1"]], LAYOUTS["CommonAreaIncome"]).cells == {1: "section"}
    # an income and expense file keeps its two sections: 成本 is not one of them
    assert parse_rows([["成本", "电费", "2"]]).cells == {1: "section"}


def test_every_kind_s_template_reads_back_as_its_examples() -> None:
    for kind, layout in LAYOUTS.items():
        for parsed in (
            parse_csv(template_csv(layout), layout),
            parse_xlsx(template_xlsx(layout), layout),
        ):
            # the fund's example leaves the ballot number to be filled in from the desk
            want = {2: "ballot"} if layout.ballot else {}
            assert parsed.cells == want, kind
            assert len(parsed.rows) == len(layout.examples), kind
