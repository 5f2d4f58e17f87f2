"""Settings: embedded defaults, and keys given by setting are checked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from web.server.settings import Settings


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


def test_clock_skew_setting(tmp_path: Path) -> None:
    base = {"GONGZHI_DATA": str(tmp_path)}
    assert Settings.from_env(base).clock_skew == timedelta(minutes=5)
    assert Settings.from_env(base | {"GONGZHI_CLOCK_SKEW": "0"}).clock_skew == timedelta(0)
    assert Settings.from_env(base | {"GONGZHI_CLOCK_SKEW": " 90 "}).clock_skew == timedelta(
        seconds=90
    )
    for bad in ("-1", "1.5", "3601", "五", "٣"):
        with pytest.raises(SystemExit, match="GONGZHI_CLOCK_SKEW"):
            Settings.from_env(base | {"GONGZHI_CLOCK_SKEW": bad})


def test_live_stream_bounds_setting(tmp_path: Path) -> None:
    base = {"GONGZHI_DATA": str(tmp_path)}
    s = Settings.from_env(base)
    assert (s.live_streams_address, s.live_streams_total) == (20, 2000)
    s = Settings.from_env(
        base | {"GONGZHI_LIVE_STREAMS_ADDRESS": "3", "GONGZHI_LIVE_STREAMS_TOTAL": "50"}
    )
    assert (s.live_streams_address, s.live_streams_total) == (3, 50)
    for bad in ("0", "-1", "x"):
        with pytest.raises(SystemExit, match="GONGZHI_LIVE_STREAMS_ADDRESS"):
            Settings.from_env(base | {"GONGZHI_LIVE_STREAMS_ADDRESS": bad})
