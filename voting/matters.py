"""The nine matters owners decide together, and the thresholds that decide them.

Civil Code of the PRC (民法典), Art. 278:

    下列事项由业主共同决定：
    （一）制定和修改业主大会议事规则；
    （二）制定和修改管理规约；
    （三）选举业主委员会或者更换业主委员会成员；
    （四）选聘和解聘物业服务企业或者其他管理人；
    （五）使用建筑物及其附属设施的维修资金；
    （六）筹集建筑物及其附属设施的维修资金；
    （七）改建、重建建筑物及其附属设施；
    （八）改变共有部分的用途或者利用共有部分从事经营活动；
    （九）有关共有和共同管理权利的其他重大事项。
    业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的
    业主参与表决。决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上
    的业主且参与表决人数四分之三以上的业主同意。决定前款其他事项，应当经参与表决专有部分
    面积过半数的业主且参与表决人数过半数的业主同意。

Art. 1259: 民法所称的"以上"、"以下"、"以内"、"届满"，包括本数 — so "三分之二以上"
and "四分之三以上" include the bound, while "过半数" (more than half) does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from typing import Self

from voting.errors import MatterError


@dataclass(frozen=True, slots=True)
class Threshold:
    """A share that a part must reach: ``part/whole ≥ bound`` (以上) or ``> bound`` (过半数)."""

    bound: Fraction
    inclusive: bool
    zh: str

    def met(self, part: int, whole: int) -> bool:
        """Whether ``part`` out of ``whole`` reaches the threshold; never when ``whole`` is 0."""
        if whole <= 0:
            return False
        ratio = Fraction(part, whole)
        return ratio >= self.bound if self.inclusive else ratio > self.bound

    def __str__(self) -> str:
        """``"2/3"`` for an inclusive bound, ``">1/2"`` for a strict one."""
        fraction = f"{self.bound.numerator}/{self.bound.denominator}"
        return fraction if self.inclusive else f">{fraction}"


#: Participation (Art. 278 ¶2, first sentence): 三分之二以上, by area and by headcount.
QUORUM = Threshold(Fraction(2, 3), inclusive=True, zh="三分之二以上")
#: Approval of items 6–8 (Art. 278 ¶2, second sentence): 四分之三以上 of participants.
THREE_QUARTERS = Threshold(Fraction(3, 4), inclusive=True, zh="四分之三以上")
#: Approval of the other items (Art. 278 ¶2, third sentence): 过半数 of participants.
MAJORITY = Threshold(Fraction(1, 2), inclusive=False, zh="过半数")


class Matter(IntEnum):
    """Art. 278 ¶1, items (一) to (九), numbered as the article numbers them."""

    RULES_OF_PROCEDURE = 1
    MANAGEMENT_STATUTE = 2
    COMMITTEE = 3
    PROPERTY_MANAGER = 4
    USE_MAINTENANCE_FUND = 5
    RAISE_MAINTENANCE_FUND = 6
    REBUILD = 7
    COMMON_PARTS_USE = 8
    OTHER_MAJOR = 9

    @classmethod
    def parse(cls, value: object) -> Self:
        """A matter from its item number, a JSON integer 1–9 (not a boolean, not 7.0)."""
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
            raise MatterError(
                f"事项须为1至9的整数（民法典第二百七十八条），而不是 {value!r}",
                f"matter must be an integer 1 to 9 (Civil Code Art. 278), not {value!r}",
            )
        return cls(value)

    @property
    def zh(self) -> str:
        return _NAMES[self][0]

    @property
    def en(self) -> str:
        return _NAMES[self][1]

    @property
    def approval(self) -> Threshold:
        """Share of participating area and of participating headcount that must agree."""
        return THREE_QUARTERS if 6 <= self <= 8 else MAJORITY


_NAMES: dict[Matter, tuple[str, str]] = {
    Matter.RULES_OF_PROCEDURE: (
        "制定和修改业主大会议事规则",
        "adopting or amending the rules of procedure of the owners' assembly",
    ),
    Matter.MANAGEMENT_STATUTE: (
        "制定和修改管理规约",
        "adopting or amending the management statute",
    ),
    Matter.COMMITTEE: (
        "选举业主委员会或者更换业主委员会成员",
        "electing the owners' committee or replacing its members",
    ),
    Matter.PROPERTY_MANAGER: (
        "选聘和解聘物业服务企业或者其他管理人",
        "engaging or dismissing the property service company or another manager",
    ),
    Matter.USE_MAINTENANCE_FUND: (
        "使用建筑物及其附属设施的维修资金",
        "using the maintenance fund of the buildings and their ancillary facilities",
    ),
    Matter.RAISE_MAINTENANCE_FUND: (
        "筹集建筑物及其附属设施的维修资金",
        "raising the maintenance fund of the buildings and their ancillary facilities",
    ),
    Matter.REBUILD: (
        "改建、重建建筑物及其附属设施",
        "altering or rebuilding the buildings and their ancillary facilities",
    ),
    Matter.COMMON_PARTS_USE: (
        "改变共有部分的用途或者利用共有部分从事经营活动",
        "changing the use of common parts or using common parts for business",
    ),
    Matter.OTHER_MAJOR: (
        "有关共有和共同管理权利的其他重大事项",
        "other major matters concerning common ownership and joint management rights",
    ),
}
