"""The verifier's check of census areas: a row's area is the sum of its units' areas, each
from a named source (SPC interpretation Art. 8), and no unit is counted twice."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from voting.census_check import check_census_areas
from voting.errors import VotingError

ROWS: list[dict[str, Any]] = [
    {
        "voter": "V0001",
        "did": "did:key:zA",
        "units": ["1-1-101", "1-1-102"],
        "area": "209.37",
        "areas": [
            {"unit": "1-1-101", "area": "89.37", "source": "registry"},
            {"unit": "1-1-102", "area": "120.00", "source": "surveyed"},
        ],
        "developer": False,
        "guardian": False,
    },
    {
        "voter": "V0002",
        "did": None,
        "units": ["1-1-201"],
        "area": "75.50",
        "areas": [{"unit": "1-1-201", "area": "75.50", "source": "contract"}],
        "developer": False,
        "guardian": True,
    },
]


def test_a_good_census_passes() -> None:
    check_census_areas(ROWS)


def _set(path: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(rows: list[dict[str, Any]]) -> None:
        target: Any = rows
        *parts, last = path.split("/")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "where", "en"),
    [
        (_set("0/area", "209.38"), "voters[0].area", "not the sum"),
        (_set("0/areas/1/area", "120.01"), "voters[0].area", "not the sum"),
        (_set("0/areas/1/source", "estimate"), "voters[0].areas[1].source", "not one of"),
        (_set("0/areas/1/source", "实测"), "voters[0].areas[1].source", "not one of"),
        (_set("1/areas/0/unit", "1-1-101"), "voters[1].areas[0].unit", "counted in voters[0]"),
        (_set("0/units", ["1-1-102", "1-1-101"]), "voters[0].areas", "differ"),
        (_set("0/areas", KeyError), "voters[0]", "must list units and areas"),
        (_set("0/areas/0/extra", 1), "voters[0].areas[0]", "exactly the fields"),
        (_set("0/areas/0/area", 89.37), "voters[0].areas[0].area", "string"),
        (_set("0/areas/0/unit", ["1-1-101"]), "voters[0].areas[0].unit", "string"),
        (_set("1/guardian", KeyError), "voters[1]", "guardian"),
        (_set("1/area", 75), "voters[1].area", "string"),
        (_set("1", "V0002"), "voters[1]", "JSON object"),
    ],
)
def test_each_tampering_is_located(
    change: Callable[[list[dict[str, Any]]], None], where: str, en: str
) -> None:
    rows = copy.deepcopy(ROWS)
    change(rows)
    with pytest.raises(VotingError) as caught:
        check_census_areas(rows)
    assert caught.value.where == where and en in caught.value.en
    assert caught.value.zh  # and said in Chinese too
