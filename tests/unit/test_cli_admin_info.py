"""`gongzhi admin info` names its two DIDs for what they are (a new user took the server's
status-list key for a second root): the street offices' roots it trusts, and its own key."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity.w3c.didkey import KeyType
from identity.w3c.keys import KeyPair
from web.cli import entry as cli


def test_info_tells_the_roots_from_the_servers_own_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    office = KeyPair.generate(KeyType.ED25519).did.value
    monkeypatch.setenv("GONGZHI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("GONGZHI_TRUSTED_ROOTS", office)
    assert cli.main(["admin", "info"]) == 0
    out = capsys.readouterr().out
    roots, _, own = out.partition("this server's own")
    assert "street-office" in roots and "街道办事处根 DID" in roots and office in roots
    assert "status-list key" in own and "not a root" in own and "不是根" in out
    status = [line.strip() for line in own.splitlines() if line.strip().startswith("did:key:")]
    assert len(status) == 1 and status[0] != office  # its own key, not the office's
    assert "trusted roots" not in out  # the old, ambiguous label
