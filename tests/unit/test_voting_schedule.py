"""A ballot's timetable under the community's rules and the law's floors, at the exact edges,
against given times (no clock is read).

Findings this guards: a ballot open until 9999-12-31 and one whose window had ended were
accepted; the notice period (物业管理条例 §14: at least 15 days), the window bounds (5–60 days
by default, 杭州) and the result-notice period (北京 §37: within 3 days) were not checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voting.schedule import (
    MAX_LEAD,
    RETENTION,
    Rules,
    ScheduleError,
    Timetable,
    check_announcement,
    check_timetable,
    objections_until,
    result_due,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TICK = timedelta(seconds=1)
RULES = Rules()


def refused(t: Timetable, rules: Rules = RULES) -> ScheduleError:
    with pytest.raises(ScheduleError) as caught:
        check_announcement(rules, t, NOW)
    assert caught.value.zh and caught.value.en
    return caught.value


def test_the_defaults_are_the_laws() -> None:
    assert (RULES.notice_days, RULES.min_window_days, RULES.max_window_days) == (15, 5, 60)
    assert (RULES.objection_days, RULES.result_notice_days, RULES.revote) == (7, 3, "final")
    assert RULES.silent_majority is False and timedelta(days=365) <= RETENTION


def test_notice_of_exactly_15_days_is_enough_and_a_second_less_is_not() -> None:
    opens = NOW + 15 * DAY
    check_announcement(RULES, Timetable(NOW, opens, opens + 5 * DAY), NOW)
    error = refused(Timetable(NOW, opens - TICK, opens + 5 * DAY))
    assert "15" in error.zh and error.where == "opensAt"


def test_window_bounds_at_their_edges() -> None:
    opens = NOW + 15 * DAY
    check_announcement(RULES, Timetable(NOW, opens, opens + 60 * DAY), NOW)
    assert refused(Timetable(NOW, opens, opens + 60 * DAY + TICK)).where == "closesAt"
    assert refused(Timetable(NOW, opens, opens + 5 * DAY - TICK)).where == "closesAt"
    assert refused(Timetable(NOW, opens, opens - DAY)).where == "closesAt"
    assert refused(Timetable(NOW, opens, datetime(9999, 12, 31, tzinfo=UTC))).where == "closesAt"


def test_a_notice_must_be_dated_now_and_not_too_far_ahead() -> None:
    opens = NOW + 15 * DAY
    assert refused(Timetable(NOW - DAY, opens, opens + 5 * DAY)).where == "announcedAt"
    far = NOW + MAX_LEAD + TICK
    assert refused(Timetable(NOW, far, far + 5 * DAY)).where == "opensAt"


def test_naive_times_are_refused() -> None:
    naive = datetime(2026, 12, 20, 9, 0)
    with pytest.raises(ScheduleError):
        check_timetable(RULES, Timetable(NOW, naive, naive + 5 * DAY))


def test_a_community_may_lengthen_the_notice_never_shorten_it() -> None:
    longer = Rules.parse({"noticeDays": 20})
    opens = NOW + 15 * DAY
    refused(Timetable(NOW, opens, opens + 5 * DAY), longer)
    for bad in (
        {"noticeDays": 14},
        {"maxWindowDays": 61},
        {"minWindowDays": 10, "maxWindowDays": 9},
        {"resultNoticeDays": 4},
        {"revote": "sometimes"},
        {"electionRanking": "age"},
        {"silentMajority": True},
        {"noticeDays": 15.0},
        {"noticeDays": True},
        {"quorum": "1/2"},
    ):
        with pytest.raises(ScheduleError) as caught:
            Rules.parse(bad)
        assert caught.value.where, bad


def test_rules_round_trip_as_the_signed_json_names_them() -> None:
    rules = Rules.parse({"revote": "last", "proxyCap": 3, "electionRanking": "headcount"})
    assert Rules.parse(rules.to_json()) == rules
    assert rules.to_json()["proxyCap"] == 3


def test_objection_window_and_result_deadline() -> None:
    assert objections_until(RULES, NOW) == NOW + 7 * DAY
    assert result_due(RULES, NOW) == NOW + 3 * DAY
