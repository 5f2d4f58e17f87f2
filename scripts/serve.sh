#!/usr/bin/env bash
# Start gongzhi on embedded defaults (SQLite + embedded EVM in ./data) with a demo community.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/gongzhi serve --demo "$@"
