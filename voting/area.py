"""Exclusive-part areas (专有部分面积) as exact integers in hundredths of a square metre.

Civil Code Art. 278 weighs votes by 专有部分面积; the SPC interpretation on
building division ownership (法释〔2009〕7号, 2020 amendment, Art. 8) takes it
from the real-estate register, which records areas to 0.01 m². Keeping the
hundredths as an integer makes every sum and every threshold comparison exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Self

from voting.errors import AreaError

# ASCII digits only (``\\d`` would also accept full-width "８９"); no sign, no
# exponent, no surrounding space, and no bare "1." or ".5".
_DECIMAL = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?", re.ASCII)
_TOO_PRECISE = re.compile(r"[0-9]+\.[0-9]{3,}", re.ASCII)

# 10⁹ m² is beyond any real unit; the cap keeps absurd inputs from becoming huge ints.
MAX_UNIT_HUNDREDTHS = 100_000_000_000


@dataclass(frozen=True, order=True, slots=True)
class Area:
    """A non-negative area in integer hundredths of m² (a sum may be zero; a unit may not)."""

    hundredths: int

    def __post_init__(self) -> None:
        if type(self.hundredths) is not int:  # bool is an int subclass: refuse it too
            raise AreaError("面积须为整数个0.01平方米", "area must be an integer number of 0.01 m²")
        if self.hundredths < 0:
            raise AreaError("面积不能为负", "area must not be negative")

    @classmethod
    def parse(cls, text: str) -> Self:
        """A unit's area from a decimal string with at most two decimals, e.g. ``"89.37"``."""
        if not isinstance(text, str):
            raise AreaError("面积须写成字符串", "area must be a string")
        match = _DECIMAL.fullmatch(text)
        if match is None:
            if text.startswith("-"):
                raise AreaError(f"面积必须大于0：{text!r}", f"area must be positive: {text!r}")
            if _TOO_PRECISE.fullmatch(text):
                raise AreaError(
                    f"面积最多两位小数：{text!r}", f"area has more than two decimals: {text!r}"
                )
            raise AreaError(
                f'面积格式无效：{text!r}，应为最多两位小数的十进制数，如 "89.37"',
                f"invalid area {text!r}: expected a decimal with at most two decimals, "
                'e.g. "89.37"',
            )
        whole, frac = match["whole"], match["frac"] or ""
        if len(whole.lstrip("0")) > 12:  # refuse before int() builds a huge number
            raise AreaError(f"面积过大：{text!r}", f"area too large: {text!r}")
        return cls._unit(int(whole) * 100 + int(frac.ljust(2, "0")), text)

    @classmethod
    def from_json(cls, value: object) -> Self:
        """A unit's area from a JSON value: a string as in :meth:`parse`, or a JSON integer.

        JSON numbers with a fraction (parsed as ``float`` or ``Decimal``) are refused:
        a binary float cannot say 0.01 m² exactly, so the writer must quote the value.
        """
        if isinstance(value, str):
            return cls.parse(value)
        if isinstance(value, bool):
            raise AreaError(
                "面积不能是布尔值", 'area must be a string such as "89.37", not a boolean'
            )
        if isinstance(value, int):
            if value > MAX_UNIT_HUNDREDTHS // 100:
                raise AreaError(f"面积过大：{value}", f"area too large: {value}")
            return cls._unit(value * 100, str(value))
        if isinstance(value, float | Decimal):
            raise AreaError(
                f'面积 {value} 是JSON小数，二进制表示有歧义，请加引号写成 "{value}"',
                f"area {value} is a JSON number with a fraction (ambiguous binary); "
                f'quote it as "{value}"',
            )
        raise AreaError(
            '面积须为字符串（如 "89.37"）或整数',
            'area must be a string such as "89.37" or an integer',
        )

    @classmethod
    def _unit(cls, hundredths: int, shown: str) -> Self:
        if hundredths <= 0:
            raise AreaError(f"面积必须大于0：{shown!r}", f"area must be positive: {shown!r}")
        if hundredths > MAX_UNIT_HUNDREDTHS:
            raise AreaError(f"面积过大：{shown!r}", f"area too large: {shown!r}")
        return cls(hundredths)

    def __add__(self, other: Area) -> Area:
        if not isinstance(other, Area):
            return NotImplemented
        return Area(self.hundredths + other.hundredths)

    def __str__(self) -> str:
        whole, frac = divmod(self.hundredths, 100)
        return f"{whole}.{frac:02d}"


ZERO = Area(0)
