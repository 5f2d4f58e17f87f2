"""Who has not voted yet, by building: what the committee needs to knock on doors. Pure.

Unit numbers are the register's (`identity.community.register`): two to four parts joined by
"-", building first — "3-2-1101" is building 3, entrance 2, room 1101. Sorting is natural, so
"1-1-101" comes before "1-1-1001" and building 2 before building 10.

A census row gives one area per voting person, not per unit. A person whose units lie in one
building (nearly everyone) counts there with the census area. A person holding units in
several buildings (a multi-unit buyer, the developer's stock) counts in each of them; their
area is split by the register's per-unit areas, and whatever of the census area those do not
account for (the register changed since the census froze, or a unit is unknown) stays with
the building of their first unit — so the buildings' areas always add up to the census total.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

_RUNS = re.compile(r"[0-9]+|[^0-9]+")
_END = (0, 0, "")  # the end of a part sorts before any run


def building_of(unit_no: str) -> str:
    """The building a unit number names: its first part ("3-2-1101" → "3")."""
    return unit_no.split("-", 1)[0]


@lru_cache(maxsize=1 << 16)  # a community's unit numbers: each one is keyed many times
def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key reading digit runs as numbers, part by part ("1-1-101" < "1-1-1001").

    Each run is (kind, number, text) so a number never meets a string in a comparison; a
    separator "-" ends a part, so "1-10" sorts after "1-9-1"."""
    key: list[tuple[int, int, str]] = []
    for part in text.split("-"):
        if part.isascii() and part.isdigit():  # nearly every part: no need to split it
            key.append((1, int(part), part))
        else:
            key.extend((1, int(r), r) if r.isdigit() else (2, 0, r) for r in _RUNS.findall(part))
        key.append(_END)
    return tuple(key)


@dataclass(frozen=True)
class CensusRow:
    """One voting person as the committee may see them: census key, units, area, and
    whether they have enrolled (hold a DID) and voted."""

    voter: str
    units: tuple[str, ...]
    area_centi: int
    enrolled: bool
    voted: bool


@dataclass(frozen=True)
class PendingUnit:
    """One unit of a voting person who has not voted: a row of the export."""

    building: str
    unit: str
    voter: str
    area_centi: int  # the share of the person's census area on this unit (see module doc)
    enrolled: bool


@dataclass
class BuildingTurnout:
    building: str
    voters: int = 0  # voting persons with a unit here
    area_centi: int = 0  # their census area here
    pending: int = 0  # of them, those who have not voted
    pending_area_centi: int = 0


def unit_shares(row: CensusRow, unit_area: Mapping[str, int]) -> list[tuple[str, int]]:
    """Each unit of `row` with its share of the row's census area; the shares add up to it."""
    units = sorted(row.units, key=natural_key) if len(row.units) > 1 else list(row.units)
    if len(units) == 1 or len({building_of(u) for u in units}) == 1:
        # One building: the split inside it does not show; the first unit carries it all.
        return [(units[0], row.area_centi), *((u, 0) for u in units[1:])]
    shares = [(u, max(0, unit_area.get(u, 0))) for u in units]
    rest = row.area_centi - sum(a for _, a in shares)
    if rest < 0:  # the register grew past the frozen area: fall back to the first unit
        return [(units[0], row.area_centi), *((u, 0) for u in units[1:])]
    return [(units[0], shares[0][1] + rest), *shares[1:]]


@dataclass(frozen=True)
class Turnout:
    buildings: list[BuildingTurnout]
    pending_units: list[PendingUnit]
    pending_rows: list[CensusRow]  # persons who have not voted, by their first unit


def turnout(rows: Iterable[CensusRow], unit_area: Mapping[str, int]) -> Turnout:
    """Per building: voting persons and area, and how many of them have not voted; and every
    unit of a person who has not voted, in natural order of building and unit."""
    by_building: dict[str, BuildingTurnout] = {}
    pending: list[PendingUnit] = []
    waiting: list[tuple[tuple[tuple[int, int, str], ...], CensusRow]] = []
    for row in rows:
        if not row.units:
            continue
        if not row.voted:
            waiting.append((min(natural_key(u) for u in row.units), row))
        area_here: dict[str, int] = {}
        for unit, share in unit_shares(row, unit_area):
            b = building_of(unit)
            area_here[b] = area_here.get(b, 0) + share
            if not row.voted:
                pending.append(PendingUnit(b, unit, row.voter, share, row.enrolled))
        for b, area in area_here.items():
            t = by_building.setdefault(b, BuildingTurnout(b))
            t.voters += 1
            t.area_centi += area
            if not row.voted:
                t.pending += 1
                t.pending_area_centi += area
    pending.sort(key=lambda p: (natural_key(p.building), natural_key(p.unit), p.voter))
    waiting.sort(key=lambda w: (w[0], w[1].voter))
    return Turnout(
        buildings=[by_building[b] for b in sorted(by_building, key=natural_key)],
        pending_units=pending,
        pending_rows=[row for _, row in waiting],
    )


def multi_building_units(rows: Sequence[CensusRow]) -> set[str]:
    """The units whose register area `turnout` needs: those of persons spanning buildings."""
    return {u for r in rows if len({building_of(u) for u in r.units}) > 1 for u in r.units}
