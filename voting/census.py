"""The census of voting persons: who votes, with what area, counted as how many heads.

Counting rules (SPC interpretation on building division ownership, 法释〔2009〕7号 as
amended 2020, Arts. 8–9, applying Civil Code Art. 278 ¶2):

* Art. 8: 专有部分面积按不动产登记簿记载的面积计算 — each unit's registered area; the
  total is the sum over all units.
* Art. 9: 业主人数…一个专有部分按一人计算。但建设单位尚未出卖和虽已出卖但尚未交付的部分，
  以及同一买受人拥有一个以上专有部分的，按一人计算 — one head per unit, except that all
  of the developer's unsold or undelivered units together are one head, and a buyer of
  several units is one head.

How this module applies them:

* One voting person per ``holder``; a holder's units are one head and their areas add.
* A co-owned unit (共有) votes once, through the holder the input already names for it.
* Developer units (``developer: true``) must all name the same holder, which is the one
  key the developer votes under; two names for the developer is an error rather than a
  guess, and so is a name that appears on both developer and non-developer units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Self

from voting.area import ZERO, Area
from voting.errors import CensusError, VotingError

_REQUIRED_UNIT_FIELDS = ("id", "area", "holder")
_UNIT_FIELDS = (*_REQUIRED_UNIT_FIELDS, "developer")


@dataclass(frozen=True, slots=True)
class Tally:
    """A weight under Art. 278 ¶2: exclusive area and headcount (人数)."""

    area: Area
    headcount: int

    def __add__(self, other: Tally) -> Tally:
        if not isinstance(other, Tally):
            return NotImplemented
        return Tally(self.area + other.area, self.headcount + other.headcount)

    def to_json(self) -> dict[str, object]:
        return {"area": str(self.area), "headcount": self.headcount}


NOBODY = Tally(ZERO, 0)


@dataclass(frozen=True, slots=True)
class Unit:
    """One exclusive part (专有部分) as the register lists it."""

    id: str
    area: Area
    holder: str
    developer: bool

    @classmethod
    def from_json(cls, raw: object) -> Self:
        """A unit from ``{"id", "area", "holder", "developer"?}``; errors name the field.

        ``developer`` may be left out: most units are sold, so absent means false.
        """
        if not isinstance(raw, Mapping):
            raise CensusError("单位须为JSON对象", "a unit must be a JSON object")
        for field in _REQUIRED_UNIT_FIELDS:
            if field not in raw:
                raise CensusError(f"缺少字段 {field}", f"missing field {field}")
        for field in raw:
            if field not in _UNIT_FIELDS:
                raise CensusError(f"未知字段 {field!r}", f"unknown field {field!r}")
        try:
            area = Area.from_json(raw["area"])
        except VotingError as e:
            raise e.at("area") from None
        developer = raw.get("developer", False)
        if not isinstance(developer, bool):
            raise CensusError(
                "developer 须为 true 或 false", "developer must be true or false", where="developer"
            )
        return cls(_name(raw["id"], "id"), area, _name(raw["holder"], "holder"), developer)


def _name(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CensusError("不能为空，须为字符串", "must be a non-empty string", where=field)
    if value != value.strip():
        raise CensusError(
            f"首尾不能有空白：{value!r}",
            f"must not start or end with whitespace: {value!r}",
            where=field,
        )
    return value


@dataclass(frozen=True, slots=True)
class Voter:
    """One voting person: one head, the summed area of the units they vote for."""

    holder: str
    area: Area
    unit_ids: tuple[str, ...]
    developer: bool


@dataclass(frozen=True, slots=True)
class Census:
    """Every voting person keyed by holder, in holder order, so unit order never matters."""

    voters: Mapping[str, Voter]

    @classmethod
    def of(cls, units: Sequence[Unit]) -> Self:
        """Group units into voting persons; errors point at ``units[i]``."""
        if not units:
            raise CensusError("没有任何单位", "there are no units", where="units")
        seen_ids: dict[str, int] = {}
        developer_holder: str | None = None
        flag_of: dict[str, bool] = {}
        grouped: dict[str, list[Unit]] = {}
        for i, unit in enumerate(units):
            where = f"units[{i}]"
            if unit.id in seen_ids:
                raise CensusError(
                    f"单位编号 {unit.id!r} 与 units[{seen_ids[unit.id]}] 重复",
                    f"duplicate unit id {unit.id!r} (also units[{seen_ids[unit.id]}])",
                    where=f"{where}.id",
                )
            seen_ids[unit.id] = i
            if flag_of.setdefault(unit.holder, unit.developer) != unit.developer:
                raise CensusError(
                    f"持有人 {unit.holder!r} 不能既是开发商又是非开发商",
                    f"holder {unit.holder!r} is both developer and non-developer",
                    where=f"{where}.holder",
                )
            if unit.developer:
                if developer_holder is None:
                    developer_holder = unit.holder
                elif unit.holder != developer_holder:
                    raise CensusError(
                        f"开发商（建设单位）的所有单位须登记同一持有人：{developer_holder!r} 与 "
                        f"{unit.holder!r}；开发商整体只算一人",
                        f"all developer units must name one holder, got {developer_holder!r} "
                        f"and {unit.holder!r}; the developer counts as one person",
                        where=f"{where}.holder",
                    )
            grouped.setdefault(unit.holder, []).append(unit)
        voters = {
            holder: Voter(
                holder=holder,
                area=sum((u.area for u in grouped[holder]), ZERO),
                unit_ids=tuple(sorted(u.id for u in grouped[holder])),
                developer=flag_of[holder],
            )
            for holder in sorted(grouped)
        }
        return cls(MappingProxyType(voters))

    @classmethod
    def from_json(cls, raw: object) -> Self:
        """A census from the JSON list of units; errors point at ``units[i].field``."""
        if not isinstance(raw, list):
            raise CensusError("units 须为JSON数组", "units must be a JSON array", where="units")
        units: list[Unit] = []
        for i, item in enumerate(raw):
            try:
                units.append(Unit.from_json(item))
            except VotingError as e:
                raise e.at(f"units[{i}]") from None
        return cls.of(units)

    @property
    def total(self) -> Tally:
        """All exclusive area and all heads: the denominators of the participation test."""
        return Tally(sum((v.area for v in self.voters.values()), ZERO), len(self.voters))

    def voter(self, holder: str) -> Voter:
        try:
            return self.voters[holder]
        except KeyError:
            raise CensusError(
                f"持有人 {holder!r} 不在名册中", f"holder {holder!r} is not in the census"
            ) from None
