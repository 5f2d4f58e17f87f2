"""How far two clocks may disagree and still count as agreeing.

An owner's phone and the server each read their own clock, and phones drift by minutes. So
every check of a moment against ``now`` — a credential's ``validFrom`` / ``validUntil``
(VC DM 2.0 §4.9 leaves the clock to the verifier), a status list's validity period, a sign-in
challenge's expiry — accepts ``now`` up to the skew outside the window (the "leeway" of
RFC 7519 §4.1.4–§4.1.5). The pure checks take the skew as a parameter and default to none,
so an auditor's verdict at an exact moment stays exact; the server passes its setting
(``GONGZHI_CLOCK_SKEW``, five minutes by default).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from identity.errors import IdentityError

NO_SKEW = timedelta(0)
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
# A skew this large would let an expired credential or challenge live on for an hour: refuse.
MAX_CLOCK_SKEW = timedelta(hours=1)


class ClockSkewError(IdentityError):
    """A clock skew that is negative or larger than `MAX_CLOCK_SKEW`."""


def require_skew(skew: timedelta) -> timedelta:
    """`skew` itself, once it is known to be between zero and `MAX_CLOCK_SKEW`."""
    if not isinstance(skew, timedelta) or skew < NO_SKEW or skew > MAX_CLOCK_SKEW:
        limit = int(MAX_CLOCK_SKEW.total_seconds())
        raise ClockSkewError(
            f"时钟误差须在 0 到 {limit} 秒之间",
            f"the clock skew must be between 0 and {limit} seconds, got {skew!r}",
        )
    return skew


def skew_note(skew: timedelta) -> tuple[str, str]:
    """(中文, English) asides for a refusal made despite a tolerance; empty without one."""
    if not skew:
        return "", ""
    seconds = int(skew.total_seconds())
    return f"（已容许 {seconds} 秒时钟误差）", f" (allowing {seconds} s of clock difference)"


def shifted(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, held at the calendar's ends instead of overflowing (a signed
    ``validUntil`` of 9999-12-31 must be refused or accepted, never crash the check)."""
    try:
        return moment + delta
    except OverflowError:
        end = datetime.max if delta > NO_SKEW else datetime.min
        return end.replace(tzinfo=UTC)
