"""Area, Matter and Threshold: the exact values the Art. 278 rule engine is built from."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from voting.area import Area
from voting.errors import AreaError, MatterError, VotingError
from voting.matters import MAJORITY, QUORUM, THREE_QUARTERS, Matter


@pytest.mark.parametrize(
    ("text", "hundredths"),
    [
        ("89.37", 8937),
        ("0.01", 1),
        ("7", 700),
        ("7.5", 750),
        ("12345.67", 1234567),
        ("0.10", 10),
        ("1000000000", 10**11),
    ],
)
def test_area_parse_accepts_decimals_with_at_most_two_places(text: str, hundredths: int) -> None:
    assert Area.parse(text) == Area(hundredths)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.00",
        "-1",
        "-0.5",
        "1.234",
        "1e3",
        " 1",
        "1 ",
        "NaN",
        "inf",
        "",
        "1.",
        ".5",
        "+1",
        "1,5",
        "８９",
        "1_000",
        "0x10",
        "1000000000.01",
        "9" * 5000,
    ],
)
def test_area_parse_rejects(text: str) -> None:
    with pytest.raises(AreaError) as info:
        Area.parse(text)
    assert " / " in str(info.value)  # bilingual: 中文 / English


def test_area_messages_say_what_is_wrong() -> None:
    with pytest.raises(AreaError, match="must be positive"):
        Area.parse("0")
    with pytest.raises(AreaError, match="must be positive"):
        Area.parse("-1")
    with pytest.raises(AreaError, match="more than two decimals"):
        Area.parse("1.234")


@pytest.mark.parametrize("value", [89.37, Decimal("89.37"), 1.0, Decimal("1E+3")])
def test_area_from_json_refuses_json_floats_and_says_to_quote(value: object) -> None:
    with pytest.raises(AreaError, match="quote it"):
        Area.from_json(value)


@pytest.mark.parametrize("value", [True, False, None, 0, -3, [1], {"a": 1}])
def test_area_from_json_refuses_other_values(value: object) -> None:
    with pytest.raises(AreaError):
        Area.from_json(value)


def test_area_from_json_takes_strings_and_integers() -> None:
    assert Area.from_json("89.37") == Area(8937)
    assert Area.from_json(89) == Area(8900)


def test_area_str_has_exactly_two_decimals() -> None:
    assert str(Area(1234567)) == "12345.67"
    assert str(Area(5)) == "0.05"
    assert str(Area(700)) == "7.00"
    assert str(Area(0)) == "0.00"


def test_area_adds_and_compares_exactly() -> None:
    # 0.1 + 0.2 != 0.3 in binary floats; in hundredths it is exact.
    assert Area.parse("0.1") + Area.parse("0.2") == Area.parse("0.3")
    assert Area.parse("99.99") < Area.parse("100")
    assert max(Area(1), Area(2)) == Area(2)


@pytest.mark.parametrize("hundredths", [-1, True, 1.5, "1"])
def test_area_constructor_checks_its_bounds(hundredths: object) -> None:
    with pytest.raises(AreaError):
        Area(hundredths)  # type: ignore[arg-type]


def test_area_errors_belong_to_the_package_base() -> None:
    assert issubclass(AreaError, VotingError)


ART_278_ITEMS = {
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
    3: "选举业主委员会或者更换业主委员会成员",
    4: "选聘和解聘物业服务企业或者其他管理人",
    5: "使用建筑物及其附属设施的维修资金",
    6: "筹集建筑物及其附属设施的维修资金",
    7: "改建、重建建筑物及其附属设施",
    8: "改变共有部分的用途或者利用共有部分从事经营活动",
    9: "有关共有和共同管理权利的其他重大事项",
}


def test_the_nine_matters_carry_the_article_text() -> None:
    assert {int(m): m.zh for m in Matter} == ART_278_ITEMS
    assert all(m.en for m in Matter)


@pytest.mark.parametrize("number", range(1, 10))
def test_items_6_to_8_need_three_quarters_the_others_more_than_half(number: int) -> None:
    expected = THREE_QUARTERS if number in (6, 7, 8) else MAJORITY
    assert Matter.parse(number).approval is expected


def test_threshold_labels_and_bounds() -> None:
    assert (str(QUORUM), str(THREE_QUARTERS), str(MAJORITY)) == ("2/3", "3/4", ">1/2")
    assert QUORUM.met(2, 3) and not QUORUM.met(199_999, 300_000)
    assert THREE_QUARTERS.met(3, 4) and not THREE_QUARTERS.met(74, 99)
    assert not MAJORITY.met(1, 2) and MAJORITY.met(50_001, 100_000)
    assert not QUORUM.met(0, 0) and not MAJORITY.met(0, 0)
    assert QUORUM.bound == Fraction(2, 3)


@pytest.mark.parametrize("value", [0, 10, -1, True, "7", 7.0, Decimal("7"), None])
def test_matter_parse_refuses_anything_but_1_to_9(value: object) -> None:
    with pytest.raises(MatterError, match="1 to 9"):
        Matter.parse(value)
