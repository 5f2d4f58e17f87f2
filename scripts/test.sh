#!/usr/bin/env bash
# Run every check: lint, format, types, import rules, then the whole test suite on SQLite and
# PostgreSQL, the embedded EVM and a real anvil node. Extra arguments go to pytest
# (benchmarks print their figures best without xdist: `.venv/bin/pytest --bench -s tests/bench`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/pytest -n 2 "$@"
