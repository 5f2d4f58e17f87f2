"""Residents can check anchors on the embedded chain while the server runs, over JSON-RPC."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.support import committee_headers, live_server, settings_for
from tests.identity_web import close_ballot, pinned
from web.cli import entry as cli
from web.demo.community import demo_office_key


def test_verify_against_a_running_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path / "data", db_url=None, anvil_url=None)
    with live_server(settings) as (url, app), httpx.Client(base_url=url) as http:
        for unit in ("1-1-101", "1-1-201", "1-1-301"):
            r = http.post("/demo/ballots/1/vote", data={"unit": unit, "item-1": "agree"})
            assert r.status_code == 200 and "已投票" in r.text, r.text
        close_ballot(http, app, 1, headers=committee_headers(app))
        record = http.get("/api/ballots/1/record").json()
        path = tmp_path / "record.json"
        path.write_text(json.dumps(record))
        root = demo_office_key(tmp_path / "data").did.value
        where = ["--rpc", f"{url}/chain/rpc", *pinned(record, root, tmp_path)]
        assert cli.main(["verify", "ballot", str(path), *where]) == 0
        assert "已与区块链上的锚定核对" in capsys.readouterr().out

        # Read-only: nothing that would change the chain is served.
        for method in ("eth_sendRawTransaction", "eth_sendTransaction", "anvil_reset"):
            body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": []}
            answer = http.post("/chain/rpc", json=body).json()
            assert answer["id"] == 7 and answer["error"]["code"] == -32601
        assert http.post("/chain/rpc", json=[1]).json()[0]["error"]["code"] == -32600
