"""The not-yet-voted list as a file the committee opens in Excel or WPS: CSV and .xlsx.

Only what the committee's own owner pages show (`web.api.identity.owners`): unit numbers,
the census key, area, enrolled or not — no names, ID or phone numbers. Every cell is a unit
number (the register admits only [0-9A-Za-z-]), a census key, a number or 是/否, so no cell
can start a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from voting.area import Area
from web.api.turnout import PendingUnit

HEADER = ("楼栋 building", "房号 unit", "表决人 voter", "面积㎡ area", "已登记 enrolled")
# Excel reads a CSV without a byte-order mark as the locale's code page (GBK in China) and
# shows UTF-8 Chinese as mojibake; with the BOM it reads UTF-8.
BOM = "\ufeff"


def _row(p: PendingUnit) -> tuple[str, str, str, str, str]:
    return (p.building, p.unit, p.voter, str(Area(p.area_centi)), "是" if p.enrolled else "否")


def pending_csv(pending: Sequence[PendingUnit]) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends, as Excel writes
    writer.writerow(HEADER)
    writer.writerows(_row(p) for p in pending)
    return out.getvalue().encode("utf-8")


def pending_xlsx(pending: Sequence[PendingUnit]) -> bytes:
    """One sheet; the area is a number cell (two decimals) so Excel can sum it."""
    from openpyxl import Workbook  # imported lazily: only an export needs it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="未投票 pending")
    sheet.append(list(HEADER))
    for p in pending:
        area = WriteOnlyCell(sheet, value=Decimal(p.area_centi).scaleb(-2))  # exact
        area.number_format = "0.00"
        sheet.append([p.building, p.unit, p.voter, area, "是" if p.enrolled else "否"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
