"""The offline verifiers (`gongzhi verify ballot|election|ledger`, `did resolve`, `vc verify`,
`rules evaluate`, and the ballot record's check) load none of the server's wiring: an auditor
runs them with a trust file and a record, never with the server's database, settings or web
framework. `lint-imports` checks the same statically; this checks what really gets loaded."""

from __future__ import annotations

import json
import subprocess
import sys

VERIFIERS = (
    "web.cli.verify",
    "web.cli.verify_ledger",
    "web.cli.trust",
    "web.cli.identity",
    "web.cli.rules",
    "web.record",
)
SERVER_WIRING = (
    "web.server.app",
    "web.server.services",
    "web.server.db",
    "web.server.deps",
    "web.server.settings",
    "web.auth.sessions",
    "fastapi",
    "starlette",
    "uvicorn",
)


def test_the_offline_verifiers_load_none_of_the_server() -> None:
    script = (
        "import importlib, json, sys\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *VERIFIERS],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    loaded = set(json.loads(out))
    assert set(VERIFIERS) <= loaded
    wiring = {m for m in loaded if any(m == w or m.startswith(w + ".") for w in SERVER_WIRING)}
    assert wiring == set()
