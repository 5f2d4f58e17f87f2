"""Settings from the environment, with embedded defaults: one data folder holds everything."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from identity.clockskew import DEFAULT_CLOCK_SKEW, MAX_CLOCK_SKEW


def _hex_key(value: str, name: str) -> bytes | None:
    if not value.strip():
        return None
    try:
        key = bytes.fromhex(value.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise SystemExit(f"{name} 应为64位十六进制 / {name} must be 64 hex digits (32 bytes)")
    return key


def _clock_skew(value: str | None) -> timedelta:
    """GONGZHI_CLOCK_SKEW: whole seconds between 0 and `MAX_CLOCK_SKEW`; unset → 5 minutes."""
    if value is None or not value.strip():
        return DEFAULT_CLOCK_SKEW
    limit = int(MAX_CLOCK_SKEW.total_seconds())
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > limit:
        raise SystemExit(
            f"GONGZHI_CLOCK_SKEW 应为 0 到 {limit} 之间的整数秒 / GONGZHI_CLOCK_SKEW must be "
            f"whole seconds from 0 to {limit}, got {value[:40]!r}"
        )
    return timedelta(seconds=int(text))


@dataclass(frozen=True, kw_only=True)
class Settings:
    data_dir: Path
    database_url: str
    chain_rpc_url: str | None
    chain_private_key: str | None
    host: str
    port: int
    public_url: str
    anchor_every_entries: int
    anchor_every_seconds: float
    pii_key: bytes | None  # GONGZHI_PII_KEY, 64 hex digits; else pii.key in the data folder
    # GONGZHI_CLOCK_SKEW: how far a phone's clock may be off ours (identity.clockskew)
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = dict(os.environ if env is None else env)
        data = Path(e.get("GONGZHI_DATA", "./data")).resolve()
        host = e.get("GONGZHI_HOST", "127.0.0.1")
        port = int(e.get("GONGZHI_PORT", "8000"))
        return cls(
            data_dir=data,
            database_url=e.get("DATABASE_URL") or f"sqlite:///{data / 'gongzhi.sqlite'}",
            chain_rpc_url=e.get("CHAIN_RPC_URL") or None,
            chain_private_key=e.get("CHAIN_PRIVATE_KEY") or None,
            host=host,
            port=port,
            public_url=e.get("GONGZHI_PUBLIC_URL", f"http://{host}:{port}"),
            anchor_every_entries=int(e.get("GONGZHI_ANCHOR_EVERY", "100")),
            anchor_every_seconds=float(e.get("GONGZHI_ANCHOR_SECONDS", "30")),
            pii_key=_hex_key(e.get("GONGZHI_PII_KEY", ""), "GONGZHI_PII_KEY"),
            clock_skew=_clock_skew(e.get("GONGZHI_CLOCK_SKEW")),
        )

    def personal_data_key(self) -> bytes:
        """The key personal data is encrypted under: from the setting, else the data folder."""
        return self.pii_key or self.secret_file("pii.key")

    def secret_file(self, name: str, size: int = 32) -> bytes:
        """A key kept in the data folder, generated on first use (mode 0600)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / name
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(size))
        return path.read_bytes()
