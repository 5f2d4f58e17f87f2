"""The Hypothesis profile every property test runs under (tests/conftest.py): a loaded
machine makes examples slow, never failures."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_no_deadline_no_database_no_too_slow_check() -> None:
    current = settings.default
    assert current is not None
    assert current.deadline is None and current.database is None
    assert HealthCheck.too_slow in current.suppress_health_check


@settings(max_examples=5)
@given(st.integers())
def _decorated(n: int) -> None:
    pass


def test_a_tests_own_settings_keep_the_profile() -> None:
    # `@settings(max_examples=…)` on a test inherits everything else from the profile.
    own = _decorated._hypothesis_internal_use_settings  # type: ignore[attr-defined]
    assert own.max_examples == 5 and own.deadline is None and own.database is None
