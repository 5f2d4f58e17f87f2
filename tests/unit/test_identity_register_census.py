"""The register's optional census columns: area source (SPC interpretation Art. 8) and an
owner's guardian (监护人); every bad row reported in Chinese and English, nothing imported."""

from __future__ import annotations

import pytest

from identity.community.register import RegisterError, parse_csv, parse_xlsx
from tests.serving_support import id_number
from tests.unit.test_identity_register import _xlsx

OWNER, OTHER, GUARDIAN, GUARDIAN2 = (id_number(n) for n in (1, 2, 3, 4))
COMPANY = "91310000MA1FL0000N"
HEADER = ["房号", "面积", "姓名", "证件号码", "表决人", "开发商持有", "面积来源", "监护人姓名"]
HEADER += ["监护人证件号码"]


def _csv(*rows: list[str], header: list[str] = HEADER) -> bytes:
    return "\n".join(",".join(r) for r in [header, *rows]).encode()


def _problems(data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(RegisterError) as caught:
        parse_csv(data)
    return caught.value.problems


@pytest.mark.parametrize(
    ("cell", "source"),
    [
        ("", "registry"),
        ("登记簿", "registry"),
        ("registry", "registry"),
        ("实测", "surveyed"),
        ("Surveyed", "surveyed"),
        ("合同", "contract"),
        ("购房合同", "contract"),
    ],
)
def test_area_sources(cell: str, source: str) -> None:
    register = parse_csv(_csv(["1-1-101", "88.5", "甲", OWNER, "是", "否", cell, "", ""]))
    assert register.units[0].area_source == source


def test_no_source_column_means_the_registry() -> None:
    register = parse_csv(f"房号,面积,姓名,证件号码\n1-1-101,88.5,甲,{OWNER}\n".encode())
    assert register.units[0].area_source == "registry" and register.guardians == {}


def test_a_co_owner_row_may_leave_the_source_blank() -> None:
    register = parse_csv(
        _csv(
            ["1-1-101", "88.5", "甲", OWNER, "是", "否", "", "", ""],
            ["1-1-101", "88.5", "乙", OTHER, "否", "否", "实测", "", ""],
        )
    )
    assert register.units[0].area_source == "surveyed"


def test_an_unknown_or_conflicting_source_is_a_row_error() -> None:
    problems = _problems(
        _csv(
            ["1-1-101", "88.5", "甲", OWNER, "是", "否", "估算", "", ""],
            ["1-1-102", "70", "乙", OTHER, "是", "否", "实测", "", ""],
            ["1-1-102", "70", "丙", GUARDIAN, "否", "否", "合同", "", ""],
        )
    )
    assert [(row, zh) for row, zh, _ in problems] == [
        (2, "面积来源应为“登记簿”“实测”或“合同”，而不是“估算”"),
        (3, "房号 1-1-102 的面积来源前后不一"),
    ]
    assert "area_source must be registry" in problems[0][2]
    assert problems[1][2] == "unit 1-1-102 has differing area sources"


def test_a_guardian_is_recorded_for_the_owner() -> None:
    register = parse_csv(
        _csv(
            ["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "王芳", GUARDIAN],
            ["1-1-102", "60", "小明", OWNER, "是", "否", "", "", ""],  # named once suffices
        )
    )
    guardian = register.guardians[OWNER]
    assert (guardian.name, guardian.id_number) == ("王芳", GUARDIAN)
    assert [o.id_number for o in register.owners()] == [OWNER]  # a guardian owns nothing


def test_a_guardian_who_owns_a_unit_too() -> None:
    register = parse_csv(
        _csv(
            ["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "王芳", GUARDIAN],
            ["1-1-201", "60", "王芳", GUARDIAN, "是", "否", "", "", ""],
        )
    )
    assert register.guardians[OWNER].id_number == GUARDIAN


@pytest.mark.parametrize(
    ("rows", "zh", "en"),
    [
        (
            [["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "王芳", ""]],
            "须同时填写监护人姓名和监护人证件号码",
            "needs both guardian_name and guardian_id_number",
        ),
        (
            [["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "王芳", "110101198001010011"]],
            "监护人证件号码：",
            "guardian_id_number:",
        ),
        (
            [["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "小明", OWNER]],
            "业主不能做自己的监护人",
            "cannot be their own guardian",
        ),
        (
            [
                ["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "王芳", GUARDIAN],
                ["1-1-102", "60", "小明", OWNER, "是", "否", "", "李四", GUARDIAN2],
            ],
            "登记了另一位监护人",
            "names another guardian",
        ),
        (
            [
                ["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "王芳", GUARDIAN],
                ["1-1-201", "60", "王芳", GUARDIAN, "是", "否", "", "李四", GUARDIAN2],
            ],
            "监护人本人也登记了监护人",
            "a guardian must have full legal capacity",
        ),
        (
            [
                ["1-1-101", "88.5", "小明", OWNER, "是", "否", "", "王芳", GUARDIAN],
                ["1-1-201", "60", "王小芳", GUARDIAN, "是", "否", "", "", ""],
            ],
            "姓名不同",
            "different name",
        ),
        (
            [["1-1-301", "60", "示范置业", COMPANY, "是", "是", "", "王芳", GUARDIAN]],
            "开发商持有的房屋不设监护人",
            "a developer-held unit has no guardian",
        ),
    ],
)
def test_bad_guardian_rows(rows: list[list[str]], zh: str, en: str) -> None:
    problems = _problems(_csv(*rows))
    assert any(zh in p_zh and en in p_en for _, p_zh, p_en in problems), problems


def test_bad_rows_in_excel_are_reported_the_same_way() -> None:
    data = _xlsx(
        [
            [*HEADER],
            ["1-1-101", 88.5, "小明", OWNER, "是", "否", "实测", "王芳", GUARDIAN],
            ["1-1-102", 60, "乙", OTHER, "是", "否", "目测", None, None],
        ]
    )
    with pytest.raises(RegisterError) as caught:
        parse_xlsx(data)
    assert [row for row, _, _ in caught.value.problems] == [3]
    english = ["unit", "area", "name", "id_number", "area_source", "guardian_name"]
    good = _xlsx(
        [
            [*english, "guardian_id_number"],
            ["1-1-101", 88.5, "小明", OWNER, "contract", "王芳", GUARDIAN],
        ]
    )
    register = parse_xlsx(good)
    assert register.units[0].area_source == "contract" and OWNER in register.guardians
