"""The property register: CSV and Excel as committees keep them, every bad row reported."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from identity.community.register import CellError, RegisterError, parse_area, parse_csv, parse_xlsx
from web.demo.register import demo_register_csv

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 表1, in value order


def resident_id(first17: str) -> str:
    """GB 11643-1999 as the standard states it (ISO 7064 MOD 11-2): W_i = 2^(i-1) mod 11
    counted from the check position, check = (12 - S mod 11) mod 11, 10 written X."""
    s = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return first17 + "0123456789X"[(12 - s % 11) % 11]


def credit_code(first17: str) -> str:
    """GB 32100-2015: W_i = 3^(i-1) mod 31, C18 = 31 - (S mod 31), 31 written 0."""
    s = sum(CREDIT_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + CREDIT_CHARS[(31 - s % 31) % 31]


A = resident_id("11010119800101001")
B = resident_id("11010119850202002")
C = resident_id("44030519991231123")
# A credit code can be all digits (a 机构编制 code here): the first whose check is a digit.
ALL_DIGIT_CODE = next(
    code for n in range(100) if (code := credit_code(f"121000004000{n:05d}")).isdigit()
)


def _wrong_check(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


HEADER = "房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有\n"
GOOD = HEADER + (
    "1-1-101,89.37,王伟,310105196306013988,13647970965,是,否\n"
    "1-1-102,120,王伟,310105196306013988,13647970965,,否\n"  # one buyer, two units
    "1-1-201,75.5,李娜,310105196805160341,15879264666,否,否\n"  # co-owned: 张强 votes
    "1-1-201,75.5,张强,310105197001010019,13800000000,是,否\n"
    "1-1-301,60.00,示范置业,91310000MA1FL0000N,02100000000,是,是\n"
    "1-1-302,61.01,示范置业,91310000MA1FL0000N,02100000000,是,是\n"
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
    english = f"unit,area,name,id_number,phone,holder,developer\n1-1-101,50,A,{A},1,yes,no\n"
    assert parse_csv(("\ufeff" + english).encode("utf-8")).units[0].area_centi == 5000
    assert parse_csv(GOOD.encode("gb18030")).units[0].owners[0].name == "王伟"


@pytest.mark.parametrize(
    ("rows", "row", "words"),
    [
        (f"1-1-101,0,甲,{A},1,是,否\n", 2, "大于0"),
        (f"1-1-101,89.371,甲,{A},1,是,否\n", 2, "两位小数"),
        (f"1-1-101,-5,甲,{A},1,是,否\n", 2, "两位小数"),
        (f"1-1-101,1e3,甲,{A},1,是,否\n", 2, "两位小数"),
        (f"1-1-101,89.37,,{A},1,是,否\n", 2, "业主姓名"),
        ("1-1-101,89.37,甲,,1,是,否\n", 2, "证件号码"),
        (f"101,89.37,甲,{A},1,是,否\n", 2, "3-1-502"),
        (f"1-1-101,89.37,甲,{A},1,也许,否\n", 2, "是"),
        (f"1-1-101,89.37,甲,{A},1,是,否\n1-1-101,89.37,甲,{A},1,是,否\n", 3, "同一业主"),
        (f"1-1-101,89.37,甲,{A},1,是,否\n1-1-101,90.00,乙,{B},1,否,否\n", 2, "面积前后不一"),
        (f"1-1-101,89.37,甲,{A},1,否,否\n1-1-101,89.37,乙,{B},1,否,否\n", 2, "表决人"),
        (f"1-1-101,89.37,甲,{A},1,是,否\n1-1-101,89.37,乙,{B},1,是,否\n", 2, "表决人"),
        (f"1-1-101,89.37,甲,{A},1,是,否\n1-1-102,89.37,乙,{A},1,是,否\n", 3, "姓名不同"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_imported(rows: str, row: int, words: str) -> None:
    with pytest.raises(RegisterError) as caught:
        parse_csv((HEADER + rows).encode())
    assert any(r == row and words in zh for r, zh, _ in caught.value.problems), (
        caught.value.problems
    )
    assert "nothing was imported" in str(caught.value) and f"第{row}行" in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    rows = f"1-1-101,0,甲,{A},1,是,否\n1-1-102,x,乙,{B},1,是,否\n1-1-103,50,,{C},1,是,否\n"
    with pytest.raises(RegisterError) as caught:
        parse_csv((HEADER + rows).encode())
    assert sorted({r for r, _, _ in caught.value.problems}) == [2, 3, 4]


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
        with pytest.raises(CellError):
            parse_area(bad)


ZWSP, FULLWIDTH = "\u200b", str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(
    "twin",
    [
        A[:6] + ZWSP + A[6:],  # zero-width space
        "\ufeff" + A + "\u2060",  # BOM and word joiner
        A.translate(FULLWIDTH),  # full-width digits, as a Chinese IME types them
        A[:9] + "\u3000" + A[9:],  # ideographic space
        A.lower(),
    ],
)
def test_a_twin_spelling_is_the_same_person(twin: str) -> None:
    """Finding 13: invisible or full-width characters made a second person (a second head)."""
    rows = f"1-1-101,89.37,王伟,{A},1,是,否\n1-1-102,90.00,王伟,{twin},1,是,否\n"
    register = parse_csv((HEADER + rows).encode())
    assert [o.id_number for o in register.owners()] == [A]
    # under another name the twin is refused as the same number, not taken as a new person
    with pytest.raises(RegisterError, match="姓名不同"):
        parse_csv((HEADER + rows.replace("90.00,王伟", "90.00,李娜")).encode())


def test_the_lookup_hash_is_the_same_for_twins() -> None:
    from identity.community.pii import PiiCipher

    cipher = PiiCipher(bytes(range(32)))
    want = cipher.lookup(A, field="id_number")
    for twin in (A[:6] + ZWSP + A[6:], A.translate(FULLWIDTH), f" {A} "):
        assert cipher.lookup(twin, field="id_number") == want


def _problem(id_number: str, id_type: str = "") -> tuple[str, str]:
    header = HEADER.strip() + ",证件类型\n"
    with pytest.raises(RegisterError) as caught:
        parse_csv(f"{header}1-1-101,89.37,甲,{id_number},1,是,否,{id_type}\n".encode())
    (problem,) = [
        (zh, en) for r, zh, en in caught.value.problems if r == 2 and zh.startswith("证件号码")
    ]
    return problem


@pytest.mark.parametrize(
    ("id_number", "id_type", "zh", "en"),
    [
        ("hello", "", "不符合任何受支持证件的格式", "shape of no supported document"),
        (_wrong_check(A), "", "校验码错误（GB 11643", "check digit"),
        (resident_id("11010119800230001"), "", "出生日期", "not a real date"),
        (resident_id("11010121000101001"), "", "出生日期", "not plausible"),
        (resident_id("11010118800101001"), "", "出生日期", "not plausible"),
        (_wrong_check(resident_id("91011019800101001")), "", "校验码", "check digit"),
        (resident_id("00010119800101001"), "", "省级行政区划代码", "province code"),
        ("110101800101001", "", "15位", "15-digit"),
        (_wrong_check(credit_code("91310000MA1FL0000")), "", "GB 32100", "credit code"),
        ("91310000MA1FL000IO", "", "", ""),  # I and O are not credit-code characters
        ("PASSPORT", "护照", "护照号码", "passport number"),
        ("H1234567", "回乡证", "港澳", "Hong Kong/Macao"),
        ("1234567", "台胞证", "台湾", "Taiwan"),
        ("AB123456789012", "外国人永久居留身份证", "永久居留", "permanent residence"),
        (A, "驾驶证", "证件类型", "document type"),
    ],
)
def test_each_rule_is_named_in_chinese_and_english(
    id_number: str, id_type: str, zh: str, en: str
) -> None:
    problem_zh, problem_en = _problem(id_number, id_type)
    assert problem_zh.startswith("证件号码：") and problem_en.startswith("ID number: ")
    assert zh in problem_zh and en in problem_en


@pytest.mark.parametrize(
    ("id_number", "id_type"),
    [
        (A, ""),
        (A, "居民身份证"),
        (resident_id("81000019900101001"), ""),  # 港澳居民居住证 share the ID-card format
        (credit_code("91310000MA1FL0000"), ""),
        (ALL_DIGIT_CODE, "统一社会信用代码"),  # all digits: needs its type
        ("E12345678", ""),
        ("EA1234567", "护照"),
        ("H12345678", ""),
        ("M1234567890", "港澳居民来往内地通行证"),
        ("12345678", "台湾居民来往大陆通行证"),
        ("USA123456789012", ""),  # 2017 permanent residence card
        (resident_id("91011019800101001"), ""),  # 2023 card: 18 digits, begins with 9
    ],
)
def test_real_shaped_numbers_of_every_document_are_accepted(id_number: str, id_type: str) -> None:
    header = HEADER.strip() + ",证件类型\n"
    row = f"1-1-101,89.37,甲,{id_number},1,是,否,{id_type}\n"
    register = parse_csv((header + row).encode())
    assert register.units[0].holder.id_number == id_number


def test_an_all_digit_credit_code_without_its_type_is_read_as_an_id_card() -> None:
    zh, en = _problem(ALL_DIGIT_CODE)
    assert "居民身份证" in zh and "证件类型" in zh and "id_type" in en


def test_the_demo_register_imports() -> None:
    register = parse_csv(demo_register_csv())
    assert len(register.units) == 204
    assert all(len(o.id_number) == 18 for o in register.owners())


@pytest.mark.parametrize(
    "spelling", ["１-１-１０１", "1-1-101\u200b", "1\u2014１\u2014101", " 1-1-101\u3000"]
)
def test_a_unit_number_is_folded_as_typed_at_enrolment(spelling: str) -> None:
    """The register's unit number as an owner's typed one (identity.community.typed): a
    full-width, dash-spelled or invisibly marked 1-1-101 is that unit, not a refused row,
    and listed beside its plain spelling it is one unit."""
    register = parse_csv((HEADER + f"{spelling},89.37,王伟,{A},13647970965,是,否\n").encode())
    assert [u.unit for u in register.units] == ["1-1-101"]
    both = HEADER + (
        f"1-1-101,89.37,王伟,{A},13647970965,是,否\n{spelling},89.37,李娜,{B},15879264666,否,否\n"
    )
    units = parse_csv(both.encode()).units
    assert [(u.unit, len(u.owners)) for u in units] == [("1-1-101", 2)]
