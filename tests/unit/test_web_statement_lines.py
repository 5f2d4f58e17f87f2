"""Reading a statement's lines from a file (`web.api.statement_lines`): amounts by their digits
with commas only between groups of three, every row kept as written for the desk's draft
form with the cell its error is about, and an Excel sheet bounded like the register's."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest

from ledger.disclosure.fields import MAX_FEN, MAX_LINES
from web.api.statement_lines import (
    ReadRow,
    parse_csv,
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
