"""Shared test configuration: backend fixtures, the opt-in benchmark flag, Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis, for every property test: on a loaded 2-core machine one example can take
# seconds, and timing is not what any property here is about, so no deadline and no "too
# slow" health check; no example database, so a run is judged on the code alone rather than
# on what an earlier run on this machine happened to store (a fresh clone has none). A
# failure prints the blob that reproduces it (@reproduce_failure) instead.
settings.register_profile(
    "gongzhi",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("gongzhi")

pytest_plugins = ["tests.backends", "tests.chains"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bench", action="store_true", help="run the benchmarks in tests/bench")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--bench"):
        return
    # Benchmarks are deselected, not skipped: they are opt-in, never a silent gap.
    benches = [item for item in items if "bench" in item.keywords]
    if benches:
        config.hook.pytest_deselected(items=benches)
        items[:] = [item for item in items if "bench" not in item.keywords]
