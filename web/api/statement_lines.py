"""The lines of a monthly statement from a CSV or Excel (.xlsx) file, for the manager's desk.

One line a row: the section (收入 / 支出, or income / expense), the category, the amount in
yuan as people write it ("1,234.56", at most two decimals) and an optional note. The first row
may be a header. Amounts become integer fen by their digits — never through a float — and a
file with any bad row is answered with every bad row (row number, 中文, English) and no lines,
so nothing half-read is taken as checked; every row read also comes back as it was written
(`ParsedLines.rows`), so the desk can lay the file out as its draft form with each error
beside its own row. Bounded like the register upload (`identity.community.register`): the
request body by `web.server.limits` (the JSON body limit), an Excel sheet's declared size refused
before it is read and its rows counted as they are read (the declaration may lie), at most
four columns read a row, and the rows by the statement's own limit
(`ledger.disclosure.fields.MAX_LINES`).

`template_csv` and `template_xlsx` are the files the desk offers to fill in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ledger.disclosure.fields import MAX_FEN, MAX_LINES, MAX_NAME, MAX_TEXT

SECTIONS = {
    "收入": "income",
    "income": "income",
    "支出": "expense",
    "expense": "expense",
}
_HEADER = {"类型", "section", "收支", "type"}
# Commas only between groups of three ("1,234.56"): "1,23" is refused, never read as 123.
_YUAN = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")
COLUMNS = 4  # section, category, amount, note: a wider row's extra cells are never read

RowError = tuple[int, str, str]
Cell = Literal["section", "category", "amount"]


@dataclass(frozen=True)
class ReadRow:
    """One line row as the file wrote it (cells trimmed, bounded), for the draft form."""

    row: int  # its row number in the file, counting the header and blank rows
    section: str | None  # "income" / "expense", None when the first cell names neither
    category: str
    amount: str
    note: str


@dataclass
class ParsedLines:
    income: list[dict[str, object]] = field(default_factory=list)
    expense: list[dict[str, object]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: list[ReadRow] = field(default_factory=list)
    # the cell each row's error is about ("section", "category", "amount"), by row number
    cells: dict[int, Cell] = field(default_factory=dict)


def yuan_to_fen(text: str) -> int | None:
    """``"1,234.5"`` → ``123450``; None for anything that is not a plain non-negative amount
    with at most two decimals (thousands separators allowed, 全角 digits folded)."""
    cleaned = text.strip().translate(_FULL_WIDTH).removeprefix("¥").strip()
    match = _YUAN.fullmatch(cleaned)
    if match is None:
        return None
    whole, cents = match.group(1).replace(",", ""), (match.group(2) or "").ljust(2, "0")
    if len(whole) > 14:  # beyond MAX_FEN anyway; spares int() a long string of digits
        return None
    fen = int(whole) * 100 + int(cents)
    return fen if fen <= MAX_FEN else None


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，￥", "0123456789.,¥")


def _row(parsed: ParsedLines, number: int, cells: Sequence[str]) -> None:
    cells = [c.strip() for c in cells[:COLUMNS]] + [""] * COLUMNS
    section, category, amount, note = cells[0], cells[1], cells[2], cells[3]
    where = SECTIONS.get(section.casefold())
    parsed.rows.append(
        ReadRow(number, where, category[: MAX_NAME + 1], amount[:40], note[:MAX_TEXT])
    )
    if where is None:
        parsed.cells[number] = "section"
        parsed.errors.append(
            (
                number,
                f"第一列须为“收入”或“支出”，而不是“{section[:20]}”",
                f"the first column must be income or expense, not {section[:20]!r}",
            )
        )
        return
    if not category or len(category) > MAX_NAME:
        parsed.cells[number] = "category"
        parsed.errors.append(
            (number, "请填写项目名称（200 字以内）", "give the category (200 characters at most)")
        )
        return
    fen = yuan_to_fen(amount)
    if fen is None:
        parsed.cells[number] = "amount"
        parsed.errors.append(
            (
                number,
                f"金额“{amount[:20]}”无效：请写元，最多两位小数，如 1234.50",
                f"amount {amount[:20]!r} is invalid: write yuan with at most two decimals, "
                "e.g. 1234.50",
            )
        )
        return
    line: dict[str, object] = {"category": category, "amountFen": fen}
    if note:
        line["note"] = note[:MAX_TEXT]
    (parsed.income if where == "income" else parsed.expense).append(line)


def parse_rows(rows: Iterable[Sequence[str]]) -> ParsedLines:
    parsed = ParsedLines()
    count = 0
    for number, cells in enumerate(rows, start=1):
        if not any(c.strip() for c in cells):
            continue  # blank rows, as spreadsheets leave them
        if number == 1 and cells[0].strip().casefold() in _HEADER:
            continue
        count += 1
        if count > MAX_LINES:
            return _too_many(number)
        _row(parsed, number, cells)
    if count == 0:
        parsed.errors.append((1, "文件中没有明细行", "the file holds no lines"))
    if parsed.errors:
        return ParsedLines(errors=parsed.errors, rows=parsed.rows, cells=parsed.cells)
    return parsed


def _too_many(number: int) -> ParsedLines:
    return ParsedLines(
        errors=[
            (
                number,
                f"明细超过 {MAX_LINES} 行，未读入",
                f"more than {MAX_LINES} lines; nothing was read",
            )
        ]
    )


def parse_csv(data: bytes) -> ParsedLines:
    """UTF-8 (with or without BOM) or GB18030, as Chinese Excel saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return ParsedLines(
            errors=[(1, "无法识别文件编码", "cannot decode the file (UTF-8 or GBK)")]
        )
    try:
        return parse_rows(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        return ParsedLines(errors=[(1, "CSV 格式有误", f"malformed CSV ({exc})")])


def _cell(value: object) -> str:
    # Excel keeps amounts as binary floats; repr is the shortest decimal that round-trips
    # ("1234.56"), which is then read by its digits like any typed amount.
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return "" if value is None else str(value)


def parse_xlsx(data: bytes) -> ParsedLines:
    """The first worksheet of an .xlsx file, read row by row and stopped past the limit."""
    from openpyxl import load_workbook  # imported lazily: only an Excel upload needs it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a bad file
        return ParsedLines(
            errors=[(1, "不是有效的 Excel 文件", f"not a valid .xlsx file ({type(exc).__name__})")]
        )
    try:
        sheet = book.worksheets[0]
        # The declared size first (free), then a count as rows are read: the declaration
        # is optional and may lie, and openpyxl would stop early at one that is too small.
        if (sheet.max_row or 0) > MAX_LINES + 1:
            return _too_many(MAX_LINES + 2)
        sheet.reset_dimensions()
        rows: list[list[str]] = []
        for r in sheet.iter_rows(max_col=COLUMNS, values_only=True):
            if len(rows) > MAX_LINES + 1:
                break  # parse_rows names the limit
            rows.append([_cell(v) for v in r])
    finally:
        book.close()
    return parse_rows(rows)


def parse_upload(data: bytes, content_type: str) -> ParsedLines:
    if not data:
        return ParsedLines(errors=[(1, "请选择文件", "choose a file")])
    if "spreadsheet" in content_type or data[:2] == b"PK":
        return parse_xlsx(data)
    return parse_csv(data)


# --- the templates the desk offers ------------------------------------------------------------

TEMPLATE_HEADER = ("类型", "项目", "金额（元）", "备注")
# Examples of each section, to be overwritten: the desk shows every line read before anything
# is checked or signed, so a forgotten example is seen, never published unnoticed.
TEMPLATE_ROWS = (
    ("收入", "物业服务费", "52000.00", "示例：请改为本月实数"),
    ("支出", "保洁", "1500.50", "示例：请改为本月实数"),
)
# Excel reads a CSV without a byte-order mark as GBK in China; with it, as UTF-8.
BOM = "\ufeff"


def template_csv() -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """One sheet; the amount column is formatted as text (``@``), so what the manager types
    ("1500.50") is kept as typed and read by its digits, not as a binary float."""
    from openpyxl import Workbook  # imported lazily: only a template download needs it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "收支明细"
    sheet.append(list(TEMPLATE_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for section, category, amount, note in TEMPLATE_ROWS:
        sheet.append([section, category, amount, note])
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 14
    sheet.column_dimensions["D"].width = 30
    for row in range(2, MAX_LINES + 2):
        sheet.cell(row=row, column=3).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
