#!/usr/bin/env bash
# Create or refresh the project's environment: .venv (pinned Python packages) and
# node_modules (pinned solc and anvil); with --browser also Debian's chromium. Re-running is cheap: each step is skipped while its
# lock input is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "gongzhi needs Python 3.11 or newer (found: $("$PY" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.gongzhi-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  echo "$want" > "$stamp"
fi

nstamp=node_modules/.gongzhi-installed
nwant=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$nstamp" 2>/dev/null)" != "$nwant" ]; then
  # `npm ci` refuses this lock: npm records only this platform's optional anvil binary.
  npm install --no-audit --no-fund --loglevel=error
  echo "$nwant" > "$nstamp"
fi
# The pages' scripts and styles minified into build/static (the server serves a copy only
# while it matches its source, web/pages/assets.py); under a second, so every time.
node scripts/minify_static.mjs >/dev/null

# The browser tests (only `setup.sh --browser`, as scripts/test.sh calls it) drive Debian's
# Chromium through Playwright: never a downloaded browser (no `playwright install`). A CJK
# font makes the pages' screenshots legible. Installed only when missing.
if [ "${1:-}" != "--browser" ]; then
  exit 0
fi
if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        chromium fonts-wqy-microhei; } >/dev/null 2>&1 \
      || echo "warning: could not install chromium; the browser tests will not run" >&2
  else
    echo "note: the browser tests need Debian's chromium (apt-get install chromium)" >&2
  fi
fi
