"""Shared test configuration: backend fixtures and the opt-in benchmark flag."""

from __future__ import annotations

import pytest

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
