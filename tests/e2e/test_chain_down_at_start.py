"""A server whose chain is down when it starts still serves and takes votes; anchoring waits."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.chains import ANVIL_KEYS
from tests.e2e.support import running
from tests.identity_web import close_ballot
from web.server.settings import Settings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there once the socket is closed


def test_serves_and_votes_while_the_chain_is_down(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "GONGZHI_DATA": str(tmp_path / "data"),
            "CHAIN_RPC_URL": f"http://127.0.0.1:{_closed_port()}",
            "CHAIN_PRIVATE_KEY": ANVIL_KEYS[0],
        }
    )
    with running(settings) as (client, app):
        assert client.get("/").status_code == 200
        ballot = client.get("/api/communities/xianxia-demo/ballots").json()[0]
        r = client.post("/demo/ballots/1/vote", data={"unit": "1-1-101", "item-1": "agree"})
        assert "已投票" in r.text
        health = client.get("/api/health")
        assert health.status_code == 503 and "无法连接" in health.json()["error"]["zh"]
        closed = close_ballot(client, app, ballot["id"])  # the last signature applies it
        outcomes = {i["id"]: i["outcome"] for i in closed["document"]["items"]}
        assert outcomes["1"]["participating"]["headcount"] == 1
        assert outcomes["2"]["participating"]["headcount"] == 0  # left blank: not taken part
        assert client.get(f"/api/ballots/{ballot['id']}").json()["status"] == "closed"
        page = client.get(f"/ballots/{ballot['id']}")  # the result per item, on the page too
        assert page.status_code == 200 and page.text.count('data-passed="false"') == 2, page.text
        # Applied and committed though nothing could be anchored: the export, which reports
        # the anchor, says the chain is down rather than failing or inventing one.
        record = client.get(f"/api/ballots/{ballot['id']}/record")
        assert record.status_code == 503 and "无法连接" in record.json()["error"]["zh"]
