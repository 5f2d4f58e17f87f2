"""An .xlsx register is bounded in rows and refused before it is read to the end, whether or
not the sheet declares its size truthfully."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from identity.community import register
from identity.community.register import RegisterError, parse_xlsx

TOO_MANY = ("工作表超过 5 行，未导入", "the worksheet has more than 5 rows; nothing was imported")
HEADER = ["房号", "专有部分面积", "业主姓名", "证件号码", "手机号", "表决人", "开发商持有"]


def _sheet(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"1-1-{101 + i}", "88.50", f"业主{i}", "11010519491231002X", "", "是", "否"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _declaring(data: bytes, ref: str) -> bytes:
    """The same workbook with the sheet's <dimension> replaced (it is optional and unchecked)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), content
                )
                assert f'ref="{ref}"'.encode() in content
            target.writestr(item, content)
    return out.getvalue()


def _row_limit_problems(data: bytes) -> list[tuple[int, str, str]]:
    try:
        parse_xlsx(data)
    except RegisterError as exc:
        return [p for p in exc.problems if "more than" in p[2]]
    return []


@pytest.fixture(autouse=True)
def small_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(register, "MAX_XLSX_ROWS", 5)


def test_a_sheet_at_the_bound_is_read() -> None:
    assert _row_limit_problems(_sheet(5)) == []


def test_a_sheet_over_the_bound_is_refused_clearly() -> None:
    with pytest.raises(RegisterError) as caught:
        parse_xlsx(_sheet(6))
    assert caught.value.problems == [(7, *TOO_MANY)]


def test_a_sheet_that_understates_its_size_is_refused_while_reading() -> None:
    assert _row_limit_problems(_declaring(_sheet(40), "A1:G2")) == [(7, *TOO_MANY)]


def test_a_sheet_declaring_more_rows_than_allowed_is_refused_before_reading() -> None:
    assert _row_limit_problems(_declaring(_sheet(2), "A1:G300001"))
