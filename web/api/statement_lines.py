"""The lines of a monthly statement from a CSV or Excel (.xlsx) file, for the manager's desk.

One line a row: the section, the category, the amount in yuan as people write it ("1,234.56",
at most two decimals) and an optional note. The first row may be a header. Each statement kind
has its own sections (`LAYOUTS`): 收入 / 支出 for an income and expense statement, 收入 / 成本 /
支用 for common-area income, and 使用 for the maintenance fund, whose rows name the approving
ballot by its number (表决编号, as the desk lists the passed 使用维修资金 ballots) in a column
before the note; the caller hands in which numbers cite which ballot result, so an unknown or
unapproved number is a row error like any other. Amounts become integer fen by their
digits — never through a float — and a file with any bad row is answered with every bad row
(row number, 中文, English) and no lines, so nothing half-read is taken as checked; every row
read also comes back as it was written (`ParsedLines.rows`), so the desk can lay the file out
as its draft form with each error beside its own row. Bounded like the register upload
(`identity.community.register`): the request body by `web.server.limits` (the JSON body
limit), an Excel sheet's declared size refused before it is read and its rows counted as they
are read (the declaration may lie), at most five columns read a row, and the rows by the
statement's own limit (`ledger.disclosure.fields.MAX_LINES`).

`template_csv` and `template_xlsx` are the files the desk offers to fill in, one per kind.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ledger.disclosure.fields import MAX_FEN, MAX_LINES, MAX_NAME, MAX_TEXT

_HEADER = {"类型", "section", "收支", "type"}
# Commas only between groups of three ("1,234.56"): "1,23" is refused, never read as 123.
_YUAN = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")
# section, category, amount, ballot (the fund's) or note, note: a wider row's extra cells are
# never read
COLUMNS = 5

RowError = tuple[int, str, str]
Cell = Literal["section", "category", "amount", "ballot"]
Section = Literal["income", "expense", "costs", "disbursements", "spending"]
Line = dict[str, object]


@dataclass(frozen=True)
class Layout:
    """What the rows of one statement kind's file say: the words its first column may hold
    (each naming a section of the statement), those words for the error message, whether a
    ballot column comes before the note (the fund's spending), and the template's rows."""

    sections: Mapping[str, Section]
    names_zh: str
    names_en: str
    ballot: bool
    header: tuple[str, ...]
    examples: tuple[tuple[str, ...], ...]
    sheet: str


# Examples of each section, to be overwritten: the desk shows every line read before anything
# is checked or signed, so a forgotten example is seen, never published unnoticed.
_EXAMPLE = "示例：请改为本月实数"
LAYOUTS: dict[str, Layout] = {
    "IncomeExpense": Layout(
        sections={"收入": "income", "income": "income", "支出": "expense", "expense": "expense"},
        names_zh="“收入”或“支出”",
        names_en="income or expense",
        ballot=False,
        header=("类型", "项目", "金额（元）", "备注"),
        examples=(
            ("收入", "物业服务费", "52000.00", _EXAMPLE),
            ("支出", "保洁", "1500.50", _EXAMPLE),
        ),
        sheet="收支明细",
    ),
    "CommonAreaIncome": Layout(
        sections={
            "收入": "income",
            "income": "income",
            "成本": "costs",
            "cost": "costs",
            "costs": "costs",
            "支用": "disbursements",
            "disbursement": "disbursements",
            "disbursements": "disbursements",
        },
        names_zh="“收入”“成本”或“支用”",
        names_en="income, cost or disbursement",
        ballot=False,
        header=("类型", "项目", "金额（元）", "备注"),
        examples=(
            ("收入", "电梯广告", "6000.00", _EXAMPLE),
            ("成本", "广告位电费", "320.00", _EXAMPLE),
            ("支用", "补充维修资金", "2000.00", _EXAMPLE),
        ),
        sheet="经营收益明细",
    ),
    "MaintenanceFund": Layout(
        sections={"使用": "spending", "支出": "spending", "spending": "spending"},
        names_zh="“使用”",
        names_en="spending",
        ballot=True,
        header=("类型", "项目", "金额（元）", "表决编号", "备注"),
        examples=(("使用", "更换3号楼电梯", "48000.00", "", "示例：填写工作台列出的表决编号"),),
        sheet="维修资金使用明细",
    ),
}
#: The sections of the old, kind-less upload (an income and expense statement).
SECTIONS = LAYOUTS["IncomeExpense"].sections


@dataclass(frozen=True)
class ReadRow:
    """One line row as the file wrote it (cells trimmed, bounded), for the draft form."""

    row: int  # its row number in the file, counting the header and blank rows
    section: Section | None  # None when the first cell names none of the kind's sections
    category: str
    amount: str
    note: str
    ballot: str = ""  # the fund's: the approving ballot's number, as written


@dataclass
class ParsedLines:
    income: list[Line] = field(default_factory=list)
    expense: list[Line] = field(default_factory=list)
    costs: list[Line] = field(default_factory=list)
    disbursements: list[Line] = field(default_factory=list)
    spending: list[Line] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: list[ReadRow] = field(default_factory=list)
    # the cell each row's error is about ("section", "category", "amount", "ballot"), by row
    cells: dict[int, Cell] = field(default_factory=dict)

    def section(self, name: Section) -> list[Line]:
        lines: list[Line] = getattr(self, name)
        return lines


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


def _ballot_number(text: str) -> str:
    """ "３", "#3", "3号" → "3": the number as the desk shows it, however it was typed."""
    return text.strip().translate(_FULL_WIDTH).removeprefix("#").removesuffix("号").strip()


def _row(
    parsed: ParsedLines,
    number: int,
    cells: Sequence[str],
    layout: Layout,
    ballots: Mapping[str, Mapping[str, object]],
) -> None:
    cells = [c.strip() for c in cells[:COLUMNS]] + [""] * COLUMNS
    section, category, amount = cells[0], cells[1], cells[2]
    ballot, note = (cells[3], cells[4]) if layout.ballot else ("", cells[3])
    where = layout.sections.get(section.casefold())
    parsed.rows.append(
        ReadRow(number, where, category[: MAX_NAME + 1], amount[:40], note[:MAX_TEXT], ballot[:40])
    )

    def refuse(cell: Cell, zh: str, en: str) -> None:
        parsed.cells[number] = cell
        parsed.errors.append((number, zh, en))

    if where is None:
        return refuse(
            "section",
            f"第一列须为{layout.names_zh}，而不是“{section[:20]}”",
            f"the first column must be {layout.names_en}, not {section[:20]!r}",
        )
    if not category or len(category) > MAX_NAME:
        return refuse(
            "category", "请填写项目名称（200 字以内）", "give the category (200 characters at most)"
        )
    fen = yuan_to_fen(amount)
    if fen is None:
        return refuse(
            "amount",
            f"金额“{amount[:20]}”无效：请写元，最多两位小数，如 1234.50",
            f"amount {amount[:20]!r} is invalid: write yuan with at most two decimals, "
            "e.g. 1234.50",
        )
    line: Line
    if layout.ballot:
        if not ballot:
            return refuse(
                "ballot",
                "请填写批准这笔使用的表决编号（见工作台所列已通过的使用维修资金表决）",
                "give the number of the ballot that approved this spending (the desk lists "
                "the passed ballots on using the maintenance fund)",
            )
        ref = ballots.get(_ballot_number(ballot))
        if ref is None:
            return refuse(
                "ballot",
                f"表决编号“{ballot[:20]}”不是本小区已通过的使用维修资金表决",
                f"ballot {ballot[:20]!r} is not a passed ballot of this community on using "
                "the maintenance fund",
            )
        line = {"item": category, "amountFen": fen, "approval": dict(ref)}
    else:
        line = {"category": category, "amountFen": fen}
    if note:
        line["note"] = note[:MAX_TEXT]
    parsed.section(where).append(line)
    return None


def parse_rows(
    rows: Iterable[Sequence[str]],
    layout: Layout = LAYOUTS["IncomeExpense"],
    ballots: Mapping[str, Mapping[str, object]] | None = None,
) -> ParsedLines:
    """The lines of ``rows`` as ``layout`` reads them; ``ballots`` maps each ballot number a
    fund's row may give to the result entry it cites ({ballot, index, leafHash})."""
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
        _row(parsed, number, cells, layout, ballots or {})
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


def parse_csv(
    data: bytes,
    layout: Layout = LAYOUTS["IncomeExpense"],
    ballots: Mapping[str, Mapping[str, object]] | None = None,
) -> ParsedLines:
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
        return parse_rows(csv.reader(io.StringIO(text)), layout, ballots)
    except csv.Error as exc:
        return ParsedLines(errors=[(1, "CSV 格式有误", f"malformed CSV ({exc})")])


def _cell(value: object) -> str:
    # Excel keeps amounts as binary floats; repr is the shortest decimal that round-trips
    # ("1234.56"), which is then read by its digits like any typed amount.
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return "" if value is None else str(value)


def parse_xlsx(
    data: bytes,
    layout: Layout = LAYOUTS["IncomeExpense"],
    ballots: Mapping[str, Mapping[str, object]] | None = None,
) -> ParsedLines:
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
    return parse_rows(rows, layout, ballots)


def parse_upload(
    data: bytes,
    content_type: str,
    layout: Layout = LAYOUTS["IncomeExpense"],
    ballots: Mapping[str, Mapping[str, object]] | None = None,
) -> ParsedLines:
    if not data:
        return ParsedLines(errors=[(1, "请选择文件", "choose a file")])
    if "spreadsheet" in content_type or data[:2] == b"PK":
        return parse_xlsx(data, layout, ballots)
    return parse_csv(data, layout, ballots)


# --- the templates the desk offers ------------------------------------------------------------

# Excel reads a CSV without a byte-order mark as GBK in China; with it, as UTF-8.
BOM = "\ufeff"


def template_csv(layout: Layout = LAYOUTS["IncomeExpense"]) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(layout.header)
    writer.writerows(layout.examples)
    return out.getvalue().encode("utf-8")


def template_xlsx(layout: Layout = LAYOUTS["IncomeExpense"]) -> bytes:
    """One sheet; the amount (and ballot) columns are formatted as text (``@``), so what the
    manager types ("1500.50") is kept as typed and read by its digits, not as a binary float."""
    from openpyxl import Workbook  # imported lazily: only a template download needs it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = layout.sheet
    sheet.append(list(layout.header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for example in layout.examples:
        sheet.append(list(example))
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 14
    sheet.column_dimensions["D"].width = 14 if layout.ballot else 30
    if layout.ballot:
        sheet.column_dimensions["E"].width = 30
    text_columns = (3, 4) if layout.ballot else (3,)
    for number in range(2, MAX_LINES + 2):
        for column in text_columns:
            sheet.cell(row=number, column=column).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
