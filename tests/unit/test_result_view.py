"""Result bars: exact fractions to percentages and bar lengths in integers; met/unmet is the
outcome's own word, never a rounded figure's."""

from __future__ import annotations

from typing import Any

from web.pages.result_view import bar_bp, bars, item_results, mark_of, parse_fraction, percent_text


def test_percentages_are_exact_and_rounded_half_up() -> None:
    assert percent_text(2, 3) == "66.67%"
    assert percent_text(1, 2) == "50.00%"
    assert percent_text(1, 8) == "12.50%"
    assert percent_text(1, 80000) == "0.00%"  # 0.00125% rounds down
    assert percent_text(1, 1) == "100.00%"
    assert bar_bp(2, 3) == 6666 and bar_bp(3, 2) == 10_000


def test_fractions_and_threshold_marks() -> None:
    assert parse_fraction("2/3") == (2, 3) and parse_fraction("1") == (1, 1)
    for bad in (None, "", "1/0", "-1/2", "a/b", 0.5):
        assert parse_fraction(bad) is None
    assert [mark_of(t) for t in ("2/3", ">1/2", "3/4")] == ["mark-2-3", "mark-1-2", "mark-3-4"]


def test_a_share_just_short_of_two_thirds_is_not_met_although_it_reads_66_67() -> None:
    test = {"threshold": "2/3", "area": "6666667/10000001", "headcount": None, "area_met": False}
    area, heads = bars(test)
    assert area.percent == "66.67%" and not area.met and area.mark == "mark-2-3"
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
