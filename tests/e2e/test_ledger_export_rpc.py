"""`gongzhi ledger export --rpc http://SERVER/chain/rpc` reads the anchors through the running
server's read-only view of its embedded chain (issue 7, finding 10); when the anchors cannot
be read the export fails loudly and writes nothing, instead of a bundle without them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.support import live_server, services_of, settings_for
from tests.identity_web import pinned_bundle
from web.cli import entry as cli
from web.demo.community import SLUG, demo_office_key


def _env(mp: pytest.MonkeyPatch, data: Path) -> None:
    mp.setenv("GONGZHI_DATA", str(data))
    mp.setenv("GONGZHI_PUBLIC_URL", "https://gongzhi.test")
    for name in ("DATABASE_URL", "CHAIN_RPC_URL", "CHAIN_PRIVATE_KEY"):
        mp.delenv(name, raising=False)


def test_export_reads_anchors_from_a_running_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    settings = settings_for(data, db_url=None, anvil_url=None)
    _env(monkeypatch, data)
    bundle, refused = tmp_path / "bundle.jsonl", tmp_path / "refused.jsonl"
    with live_server(settings) as (url, app):
        services_of(app).anchor_pending(force=True, wait=True)
        rpc = f"{url}/chain/rpc"
        assert cli.main(["ledger", "export", "--community", SLUG, "--rpc", rpc, str(bundle)]) == 0
        lines = [json.loads(line) for line in bundle.read_text().splitlines()]
        assert lines[0]["chain"]["contract"] == services_of(app).anchor.address
        assert lines[-1]["end"]["anchors"] >= 1
        assert sum("anchor" in line for line in lines) == lines[-1]["end"]["anchors"]
        capsys.readouterr()
        trust = pinned_bundle(bundle, demo_office_key(data).did.value, tmp_path)
        assert cli.main(["verify", "ledger", str(bundle), "--rpc", rpc, "--jobs", "1", *trust]) == 0
        assert "已与区块链上的锚定核对" in capsys.readouterr().out

        # The contract file names no deployment on this chain: refused, nothing written.
        contracts = data / "contracts.json"
        saved = contracts.read_text()
        contracts.write_text(json.dumps({"deployments": []}))
        args = ["ledger", "export", "--community", SLUG, "--rpc", rpc, str(refused)]
        assert cli.main(args) == 1
        err = capsys.readouterr().err
        assert "没有链" in err and "no LogAnchor deployment" in err and "--without-anchors" in err
        assert not refused.exists() and not refused.with_name("refused.jsonl.part").exists()
        contracts.write_text(saved)

    # The server is gone: its /chain/rpc does not answer, so the export fails (exit 1).
    assert cli.main(["ledger", "export", "--community", SLUG, "--rpc", rpc, str(refused)]) == 1
    err = capsys.readouterr().err
    assert "无法连接区块链" in err and "chain not reachable" in err
    assert not refused.exists()
    # Asked for explicitly, a bundle without anchors is written (and says so when verified).
    args = ["ledger", "export", "--community", SLUG, "--without-anchors", str(refused)]
    assert cli.main(args) == 0
    ends = json.loads(refused.read_text().splitlines()[-1])["end"]
    assert json.loads(refused.read_text().splitlines()[0])["chain"] is None
    assert ends["anchors"] is None
