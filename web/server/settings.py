"""Settings from the environment, with embedded defaults: one data folder holds everything."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from identity.w3c.clockskew import DEFAULT_CLOCK_SKEW, MAX_CLOCK_SKEW
from web.auth.ratelimit import Rate
from web.server.limits import BodyLimits

# Requests per client address and per identity (a verified DID), as COUNT/SECONDS: a burst of
# COUNT, refilled at COUNT per SECONDS. Per address is generous because a whole compound can
# sit behind one NAT address (a thousand owners voting within seconds must pass); a vote is
# signed, so the limit that bites is per DID (and per ballot). Env: GONGZHI_RATE_<NAME>, e.g.
# GONGZHI_RATE_VOTE_IDENTITY=20/60; GONGZHI_RATE_LIMITS=off lifts them all (benchmarks).
DEFAULT_RATES: Mapping[str, Rate] = {
    "challenge_address": Rate(3000, 60),
    "sign_in_address": Rate(3000, 60),
    "sign_in_identity": Rate(30, 60),
    "redeem_address": Rate(300, 60),
    "redeem_identity": Rate(10, 60),
    "vote_address": Rate(3000, 60),
    "vote_identity": Rate(10, 60),
    "objection_address": Rate(120, 60),
    "objection_identity": Rate(20, 600),
}


def _rates(e: Mapping[str, str]) -> dict[str, Rate | None]:
    if e.get("GONGZHI_RATE_LIMITS", "").strip().lower() == "off":
        return dict.fromkeys(DEFAULT_RATES)
    rates: dict[str, Rate | None] = dict(DEFAULT_RATES)
    for name in DEFAULT_RATES:
        variable = f"GONGZHI_RATE_{name.upper()}"
        if e.get(variable, "").strip():
            try:
                rates[name] = Rate.parse(e[variable])
            except ValueError as exc:
                raise SystemExit(f"{variable} 应为 次数/秒数 或 off / {variable}: {exc}") from exc
    return rates


def _size(e: Mapping[str, str], name: str, default: int) -> int:
    value = e.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} 应为正整数 / {name} must be a positive integer")
    return int(value)


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
    body_limits: BodyLimits = field(default_factory=BodyLimits)
    rates: Mapping[str, Rate | None] = field(default_factory=lambda: dict(DEFAULT_RATES))
    # GONGZHI_CLOCK_SKEW: how far a phone's clock may be off ours (identity.w3c.clockskew)
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW
    # GONGZHI_TRUSTED_ROOTS: the street offices' root DIDs, comma-separated (`web.auth.sessions`)
    trusted_roots: str = ""
    # GONGZHI_LIVE_STREAMS_ADDRESS / _TOTAL: open live dashboards (`web.api.live`) per client
    # address and in all; a committee office behind one NAT address has a few members' tabs.
    live_streams_address: int = 20
    live_streams_total: int = 2000

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
            body_limits=BodyLimits(
                json_bytes=_size(e, "GONGZHI_MAX_BODY_BYTES", BodyLimits.json_bytes),
                upload_bytes=_size(e, "GONGZHI_MAX_UPLOAD_BYTES", BodyLimits.upload_bytes),
                json_depth=_size(e, "GONGZHI_MAX_JSON_DEPTH", BodyLimits.json_depth),
            ),
            rates=_rates(e),
            clock_skew=_clock_skew(e.get("GONGZHI_CLOCK_SKEW")),
            trusted_roots=e.get("GONGZHI_TRUSTED_ROOTS", ""),
            live_streams_address=_size(e, "GONGZHI_LIVE_STREAMS_ADDRESS", 20),
            live_streams_total=_size(e, "GONGZHI_LIVE_STREAMS_TOTAL", 2000),
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
