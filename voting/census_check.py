"""What a verifier checks of a census row beyond its root: each unit's area and its source.

The SPC interpretation on building distinguished ownership (法释〔2009〕7号, Art. 8) takes a
unit's area from the registry, else from a survey, else from the sale contract
(`identity.community.area_source`). Every census row lists its units' areas with their
source (``"areas"``); a row's ``"area"``, which weighs its vote, must be exactly their sum,
and no unit may be counted in two rows. Pure: rows in, nothing out, or a `CensusError`
located at ``voters[i]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from identity.community.area_source import AREA_SOURCES
from voting.area import Area
from voting.errors import CensusError, VotingError

_AREA_FIELDS = frozenset({"unit", "area", "source"})


def check_census_areas(voters: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a census whose rows' areas are not the sums of their units' areas, whose unit
    areas name no known source, or which counts a unit twice."""
    row_of: dict[str, int] = {}
    for i, row in enumerate(voters):
        try:
            _check_row(row, row_of, i)
        except VotingError as exc:
            raise exc.at(f"voters[{i}]") from None


def _check_row(row: Mapping[str, Any], row_of: dict[str, int], i: int) -> None:
    if not isinstance(row, Mapping):
        raise CensusError("名册条目须为 JSON 对象", "a census row must be a JSON object")
    units, areas = row.get("units"), row.get("areas")
    if not isinstance(units, list) or not isinstance(areas, list):
        raise CensusError(
            "名册条目须列出 units 和各自的面积 areas", "a census row must list units and areas"
        )
    if not isinstance(row.get("guardian"), bool):
        raise CensusError("guardian 须为 true 或 false", "guardian must be true or false")
    total = 0
    listed: list[str] = []
    for j, item in enumerate(areas):
        where = f"areas[{j}]"
        if not isinstance(item, Mapping) or set(item) != _AREA_FIELDS:
            raise CensusError(
                "每项面积须恰有 unit、area、source 三个字段",
                "each area must have exactly the fields unit, area and source",
                where=where,
            )
        if item["source"] not in AREA_SOURCES:
            raise CensusError(
                f"面积来源 {item['source']!r} 不是登记簿、实测或合同",
                f"area source {item['source']!r} is not one of {', '.join(AREA_SOURCES)}",
                where=f"{where}.source",
            )
        try:
            total += Area.parse(item["area"]).hundredths
        except VotingError as exc:
            raise exc.at(f"{where}.area") from None
        unit = item["unit"]
        if not isinstance(unit, str):
            raise CensusError("房号须为字符串", "a unit must be a string", where=f"{where}.unit")
        if unit in row_of:
            raise CensusError(
                f"房屋 {unit!r} 已计入 voters[{row_of[unit]}]，不能重复计入",
                f"unit {unit!r} is counted in voters[{row_of[unit]}] already",
                where=f"{where}.unit",
            )
        row_of[unit] = i
        listed.append(unit)
    if listed != units:
        raise CensusError(
            "各项面积的房屋与该条目的 units 不一致",
            "the units of the areas differ from the row's units",
            where="areas",
        )
    raw = row.get("area")
    if not isinstance(raw, str):
        raise CensusError("面积须写成字符串", "area must be a string", where="area")
    try:
        stated = Area.parse(raw)
    except VotingError as exc:
        raise exc.at("area") from None
    if stated.hundredths != total:
        raise CensusError(
            f"面积 {stated} 不等于各房屋面积之和 {Area(total)}",
            f"area {stated} is not the sum of its units' areas, {Area(total)}",
            where="area",
        )
