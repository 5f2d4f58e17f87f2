"""Token buckets: how many requests a key may make, refilled continuously. Pure logic.

Each key (a client address, a DID) has a bucket of ``count`` tokens that refills at
``count`` per ``seconds``; a request takes one token, so a burst of up to ``count`` passes at
once and the long-run rate is ``count / seconds``. The clock is injected (tests use a fake
one). Buckets live in memory: a restart forgets them, which only ever lets more through.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True)
class Rate:
    count: int  # the burst, and the number refilled per `seconds`
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"COUNT/SECONDS"`` (e.g. ``"60/60"``), or ``"off"`` for no limit (None)."""
        if text.strip().lower() in ("off", "none", "0"):
            return None
        count, sep, seconds = text.partition("/")
        try:
            rate = cls(int(count), float(seconds) if sep else 60.0)
        except ValueError:
            rate = cls(0, 0.0)
        if rate.count < 1 or not (0 < rate.seconds < math.inf):
            raise ValueError(f"not a rate (COUNT/SECONDS or off): {text!r}")
        return rate

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds:g}"


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """Named rates, each with a bucket per key."""

    rates: Mapping[str, Rate | None]
    clock: Clock = time.monotonic
    max_keys: int = 100_000  # per rate: beyond it, full buckets (nothing to remember) go
    _buckets: dict[str, dict[str, _Bucket]] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def take(self, keys: Sequence[tuple[str, str]]) -> float:
        """Take one token for each ``(rate name, key)`` if every bucket has one, and answer
        0; else take none and answer the seconds until all would have one. Unknown or
        unlimited (None) rates always pass."""
        with self._lock:
            now = self.clock()
            wanted = [
                (rate, self._bucket(name, key, rate, now))
                for name, key in keys
                if (rate := self.rates.get(name)) is not None
            ]
            wait = max((self._wait(rate, b) for rate, b in wanted), default=0.0)
            if wait > 0:
                return wait
            for _, bucket in wanted:
                bucket.tokens -= 1
            return 0.0

    def _bucket(self, name: str, key: str, rate: Rate, now: float) -> _Bucket:
        buckets = self._buckets.setdefault(name, {})
        bucket = buckets.get(key)
        if bucket is None:
            if len(buckets) >= self.max_keys:
                self._forget_full(buckets, rate, now)
            bucket = buckets[key] = _Bucket(float(rate.count), now)
        else:
            refill = (now - bucket.at) * rate.count / rate.seconds
            bucket.tokens = min(float(rate.count), bucket.tokens + max(refill, 0.0))
            bucket.at = max(now, bucket.at)
        return bucket

    @staticmethod
    def _wait(rate: Rate, bucket: _Bucket) -> float:
        if bucket.tokens >= 1:
            return 0.0
        return (1 - bucket.tokens) * rate.seconds / rate.count

    def _forget_full(self, buckets: dict[str, _Bucket], rate: Rate, now: float) -> None:
        # A bucket that has refilled is the same as no bucket: dropping it changes nothing.
        for key in [k for k, b in buckets.items() if _refilled(rate, b, now)]:
            del buckets[key]
        # Still full of keys (many addresses draining at once): the oldest go. Forgetting a
        # drained bucket lets that key through sooner, never later; memory stays bounded.
        if len(buckets) >= self.max_keys:
            for key in list(buckets)[: len(buckets) // 4 + 1]:
                del buckets[key]


def _refilled(rate: Rate, bucket: _Bucket, now: float) -> bool:
    return bucket.tokens + (now - bucket.at) * rate.count / rate.seconds >= rate.count
