"""A ballot's voting window is checked at opening, at the exact edges, against an injected now.

The finding: a ballot open until 9999-12-31 and one whose window had ended before it was
created were both accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from voting.ballots import (
    MAX_LEAD,
    MAX_WINDOW,
    MIN_WINDOW,
    OPENS_SKEW,
    BallotSpecError,
    check_window,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)


def refused(opens: datetime, closes: datetime) -> BallotSpecError:
    with pytest.raises(BallotSpecError) as caught:
        check_window(opens, closes, NOW)
    assert caught.value.zh and caught.value.en
    return caught.value


def test_the_chosen_limits() -> None:
    assert (
        timedelta(days=60),
        timedelta(hours=1),
        timedelta(minutes=5),
        timedelta(days=90),
    ) == (MAX_WINDOW, MIN_WINDOW, OPENS_SKEW, MAX_LEAD)


def test_a_window_until_the_year_9999_is_refused() -> None:
    error = refused(NOW, datetime(9999, 12, 31, tzinfo=UTC))
    assert "60 days" in error.en


def test_a_window_that_ended_before_the_ballot_is_created_is_refused() -> None:
    error = refused(NOW - 3 * DAY, NOW - DAY)
    assert "passed" in error.en
    assert "passed" in refused(NOW - MIN_WINDOW, NOW).en  # closing right now: over too


def test_closing_must_follow_opening() -> None:
    assert "close after it opens" in refused(NOW + DAY, NOW + DAY).en
    assert "close after it opens" in refused(NOW + DAY, NOW + DAY - TICK).en


def test_the_opening_may_be_a_little_in_the_past_for_clock_skew() -> None:
    check_window(NOW - OPENS_SKEW, NOW + DAY, NOW)
    assert "past" in refused(NOW - OPENS_SKEW - TICK, NOW + DAY).en


def test_the_opening_may_be_scheduled_at_most_90_days_ahead() -> None:
    check_window(NOW + MAX_LEAD, NOW + MAX_LEAD + DAY, NOW)
    assert "90 days" in refused(NOW + MAX_LEAD + TICK, NOW + MAX_LEAD + DAY).en


def test_the_window_is_at_most_60_days() -> None:
    check_window(NOW, NOW + MAX_WINDOW, NOW)
    assert "60 days" in refused(NOW, NOW + MAX_WINDOW + TICK).en
    later = NOW + 10 * DAY
    check_window(later, later + MAX_WINDOW, NOW)
    assert "60 days" in refused(later, later + MAX_WINDOW + TICK).en


def test_owners_get_at_least_an_hour_to_vote() -> None:
    check_window(NOW, NOW + MIN_WINDOW, NOW)
    assert "at least 1 hour" in refused(NOW, NOW + MIN_WINDOW - TICK).en
    # Opened a little in the past: the hour counts from now, when voting can actually start.
    check_window(NOW - OPENS_SKEW, NOW + MIN_WINDOW, NOW)
    assert "at least 1 hour" in refused(NOW - OPENS_SKEW, NOW + MIN_WINDOW - TICK).en
    later = NOW + DAY
    check_window(later, later + MIN_WINDOW, NOW)
    assert "at least 1 hour" in refused(later, later + MIN_WINDOW - TICK).en


def test_offsets_are_compared_as_instants() -> None:
    beijing = timezone(timedelta(hours=8))
    check_window(NOW.astimezone(beijing), (NOW + MIN_WINDOW).astimezone(beijing), NOW)
    assert "at least 1 hour" in refused(NOW.astimezone(beijing), NOW + MIN_WINDOW - TICK).en


def test_naive_times_are_refused() -> None:
    naive = NOW.replace(tzinfo=None)
    assert "time zone" in refused(naive, naive + DAY).en
