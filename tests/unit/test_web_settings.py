"""Settings: embedded defaults, and keys given by setting are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.settings import Settings


def test_embedded_defaults(tmp_path: Path) -> None:
    s = Settings.from_env({"GONGZHI_DATA": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'gongzhi.sqlite'}"
    assert s.chain_rpc_url is None and s.pii_key is None
    key = s.personal_data_key()
    assert len(key) == 32 and (tmp_path / "pii.key").stat().st_mode & 0o777 == 0o600
    assert s.personal_data_key() == key  # generated once, then kept


def test_personal_data_key_from_setting(tmp_path: Path) -> None:
    s = Settings.from_env({"GONGZHI_DATA": str(tmp_path), "GONGZHI_PII_KEY": "ab" * 32})
    assert s.personal_data_key() == bytes.fromhex("ab" * 32)
    assert not (tmp_path / "pii.key").exists()
    for bad in ("ab" * 31, "zz" * 32):
        with pytest.raises(SystemExit, match="GONGZHI_PII_KEY"):
            Settings.from_env({"GONGZHI_DATA": str(tmp_path), "GONGZHI_PII_KEY": bad})
