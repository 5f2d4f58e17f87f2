"""What a person types is checked in one form (identity.community.typed): a full-width code or
unit number, one with spaces or invisible characters pasted along, is the same one."""

from __future__ import annotations

import pytest

from identity.community.enrolment import EnrolmentError, normalise_code
from identity.community.typed import typed

CODE = "12345-ABCDE-FGHJK-MNPQR"


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("１-１-１０１", "1-1-101"),
        ("１－１－１０１", "1-1-101"),
        (" 1-1-101\u3000", "1-1-101"),
        ("1\u200b-1-\ufeff101", "1-1-101"),
        ("1—1–101", "1-1-101"),  # an em and an en dash typed for hyphens
        ("1-1-101", "1-1-101"),
        ("A座-101", "A座-101"),  # letters and Chinese kept, case kept
    ],
)
def test_a_typed_unit_number_is_folded_to_one_form(given: str, meant: str) -> None:
    assert typed(given) == meant


@pytest.mark.parametrize(
    "given",
    [
        "１２３４５－ＡＢＣＤＥ－ＦＧＨＪＫ－ＭＮＰＱＲ",
        "１２３４５ ａｂｃｄｅ　ｆｇｈｊｋ ｍｎｐｑｒ",
        "\u200e12345-ABCDE-FGHJK-MNPQR\u200b",
        "12345—ABCDE—FGHJK—MNPQR",
    ],
)
def test_a_code_typed_full_width_or_with_invisible_characters_is_the_code(given: str) -> None:
    assert normalise_code(given) == CODE


def test_a_code_still_needs_its_twenty_characters() -> None:
    with pytest.raises(EnrolmentError) as refused:
        normalise_code("１２３４５－ＡＢＣＤＥ")
    assert refused.value.zh == "登记码应为 20 位字母数字"
