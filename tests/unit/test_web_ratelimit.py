"""Token buckets (web.auth.ratelimit) on a fake clock, and the default rates they run with."""

from __future__ import annotations

import pytest

from web.auth.ratelimit import Rate, RateLimiter
from web.server.settings import DEFAULT_RATES, Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_waits_for_the_refill() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"x": Rate(3, 60)}, clock=clock)
    assert [limiter.take([("x", "a")]) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take([("x", "a")]) == pytest.approx(20.0)  # one token per 20 s
    clock.now += 19.0
    assert limiter.take([("x", "a")]) == pytest.approx(1.0)
    clock.now += 1.0
    assert limiter.take([("x", "a")]) == 0.0
    assert limiter.take([("x", "a")]) == pytest.approx(20.0)


def test_keys_are_counted_apart_and_refill_caps_at_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"x": Rate(2, 10)}, clock=clock)
    limiter.take([("x", "a")])
    limiter.take([("x", "a")])
    assert limiter.take([("x", "a")]) > 0
    assert limiter.take([("x", "b")]) == 0.0  # another key has its own bucket
    clock.now += 3600  # an hour idle gives back the burst, not 720 tokens
    assert [limiter.take([("x", "a")]) == 0.0 for _ in range(3)] == [True, True, False]


def test_a_refusal_takes_no_token_from_any_bucket() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"address": Rate(5, 60), "identity": Rate(1, 60)}, clock=clock)
    assert limiter.take([("address", "ip"), ("identity", "did")]) == 0.0
    for _ in range(10):  # refused by the identity bucket: the address keeps its tokens
        assert limiter.take([("address", "ip"), ("identity", "did")]) > 0
    assert [limiter.take([("address", "ip")]) == 0.0 for _ in range(5)] == [True] * 4 + [False]


def test_unlimited_and_unknown_rates_always_pass() -> None:
    limiter = RateLimiter({"off": None}, clock=FakeClock())
    assert all(limiter.take([("off", "a"), ("unknown", "a")]) == 0.0 for _ in range(1000))


def test_memory_stays_bounded_under_many_keys() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"x": Rate(1, 60)}, clock=clock, max_keys=100)
    for i in range(10_000):
        limiter.take([("x", f"10.0.{i // 256}.{i % 256}")])
    assert len(limiter._buckets["x"]) <= 100


@pytest.mark.parametrize(
    ("text", "rate"), [("60/60", Rate(60, 60)), ("5/0.5", Rate(5, 0.5)), ("30", Rate(30, 60))]
)
def test_rates_parse(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "x/60", "-1/60", "5/0", "5/-3", "5/inf", "5/nan"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Rate.parse(text)


def test_settings_read_rates_and_can_lift_them() -> None:
    raised = Settings.from_env({"GONGZHI_RATE_VOTE_IDENTITY": "100/1"})
    assert raised.rates["vote_identity"] == Rate(100, 1)
    assert raised.rates["vote_address"] == DEFAULT_RATES["vote_address"]
    assert set(Settings.from_env({"GONGZHI_RATE_LIMITS": "off"}).rates.values()) == {None}
    with pytest.raises(SystemExit, match="GONGZHI_RATE_SIGN_IN_ADDRESS"):
        Settings.from_env({"GONGZHI_RATE_SIGN_IN_ADDRESS": "lots"})


def test_a_thousand_owners_behind_one_nat_address_vote_within_seconds() -> None:
    """The default per-address vote rate lets a WeChat-group rush through; each owner's own
    DID is what is limited."""
    clock = FakeClock()
    limiter = RateLimiter(Settings.from_env({}).rates, clock=clock)
    refused = 0
    for i in range(1000):
        clock.now += 0.005  # 1,000 votes in 5 seconds, all from one address
        keys = [("vote_address", "203.0.113.7"), ("vote_identity", f"did:key:owner{i} ballot")]
        refused += limiter.take(keys) > 0
    assert refused == 0
    burst = DEFAULT_RATES["vote_identity"].count
    one_owner = [("vote_address", "198.51.100.1"), ("vote_identity", "did:key:one ballot")]
    answers = [limiter.take(one_owner) for _ in range(burst + 1)]
    assert answers[:burst] == [0.0] * burst and answers[burst] > 0
