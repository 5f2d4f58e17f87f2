"""Result bars: exact fractions to percentages and bar lengths in integers; met/unmet is the
outcome's own word, never a rounded figure's."""

from __future__ import annotations

from typing import Any

from web.pages.notice import percent
from web.pages.result_view import (
    bar_bp,
    bars,
    item_results,
    mark_of,
    parse_fraction,
    participation_bars,
    percent_of_bp,
    percent_text,
)

# Shares and how every page writes them: truncated to two decimals, never rounded up.
SHARES = [
    (2, 193, "1.03%"),  # 1.036…%: the dashboard, the owner's page, the result and the notice
    (2, 3, "66.66%"),
    (6666667, 10000001, "66.66%"),  # just short of two thirds: never "66.67%"
    (1, 2, "50.00%"),
    (1, 8, "12.50%"),
    (1, 800, "0.12%"),
    (1, 80000, "0.00%"),
    (9999, 10000, "99.99%"),
    (199999, 200000, "99.99%"),  # 99.9995%: never "100.00%" short of everyone
    (1, 1, "100.00%"),
]


def test_percentages_are_exact_and_truncated() -> None:
    for n, d, shown in SHARES:
        assert percent_text(n, d) == shown, (n, d)
    assert bar_bp(2, 3) == 6666 and bar_bp(3, 2) == 10_000


def test_fractions_and_threshold_marks() -> None:
    assert parse_fraction("2/3") == (2, 3) and parse_fraction("1") == (1, 1)
    for bad in (None, "", "1/0", "-1/2", "a/b", 0.5):
        assert parse_fraction(bad) is None
    assert [mark_of(t) for t in ("2/3", ">1/2", "3/4")] == ["mark-2-3", "mark-1-2", "mark-3-4"]


def test_a_share_just_short_of_two_thirds_is_not_met_and_reads_66_66() -> None:
    test = {"threshold": "2/3", "area": "6666667/10000001", "headcount": None, "area_met": False}
    area, heads = bars(test)
    assert area.percent == "66.66%" and not area.met and area.mark == "mark-2-3"
    assert heads.percent == "—" and heads.bp == 0


def test_items_in_agenda_order_with_titles_and_candidates() -> None:
    motion = {
        "passed": True,
        "agree": {"area": "1.00", "headcount": 1},
        "quorum": {"threshold": "2/3", "area": "1/1", "headcount": "1/1", "area_met": True},
        "approval": {"threshold": ">1/2", "area": "1/1", "headcount": "1/1", "area_met": True},
    }
    election = {
        "passed": False,
        "quorum": {"threshold": "2/3", "area": "1/3", "headcount": "1/3"},
        "candidates": [{"id": "c1", "area_share": "1/2", "headcount_share": "1/2"}],
        "elected": [],
    }
    result = {
        "items": [
            {"id": "1", "kind": "motion", "outcome": motion},
            {"id": "2", "kind": "election", "outcome": election},
        ]
    }
    items: list[dict[str, Any]] = [
        {"id": "1", "title": "续聘"},
        {"id": "2", "title": "选举", "candidates": [{"id": "c1", "label": "甲"}]},
    ]
    one, two = item_results(result, items)
    assert (one.title, one.passed, len(one.approval)) == ("续聘", True, 2)
    assert (two.passed, two.approval, two.candidates[0]["label"]) == (False, [], "甲")
    assert not two.candidates[0]["elected"] and two.candidates[0]["bars"][0].percent == "50.00%"
    assert item_results(None, items) == []


def test_the_turnout_the_result_and_the_notice_write_one_share_alike() -> None:
    """2 of 193 owners: the turnout (basis points from the box, truncated), the result's
    exact fraction and the notice all say 1.03%."""
    turnout = {"area_bp": 2 * 10_000 // 193, "headcount_bp": 2 * 10_000 // 193}
    area, heads = participation_bars(turnout)
    (result, _) = bars({"threshold": "2/3", "area": "2/193", "headcount": "2/193"})
    assert area.percent == heads.percent == result.percent == percent(2, 193) == "1.03%"
    for n, d, shown in SHARES:
        assert percent(n, d) == shown, (n, d)
        assert percent_of_bp(n * 10_000 // d) == shown, (n, d)
