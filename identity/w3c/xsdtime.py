"""XML Schema ``dateTimeStamp`` values, as VC DM 2.0 §4.9 (validFrom/validUntil) and
VC Data Integrity §2.1 (``created``, ``expires``) require: a date-time with a time zone.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, timezone

from identity.errors import IdentityError
from identity.w3c.failures import Malformed

# XSD 1.1 Part 2 §3.3.8 dateTimeStamp lexical space, restricted to 4-digit non-negative years.
_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(Z|[+-]([0-9]{2}):([0-9]{2}))"
)


def parse(value: object, *, field: str) -> datetime:
    """An aware `datetime` for an XSD dateTimeStamp, or `Malformed` naming the field."""
    if isinstance(value, str):
        return _parse_text(value, field)
    return _parse(value, field)


# A verifier reads a proof's ``created`` twice per entry (the proof check, then the signer's
# term at that time): the second reading is a dictionary look-up. Refusals are not kept.
@functools.lru_cache(maxsize=256)
def _parse_text(value: str, field: str) -> datetime:
    return _parse(value, field)


def _parse(value: object, field: str) -> datetime:
    match = _RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise Malformed(
            f"{field} 必须是带时区的日期时间（如 2025-01-01T00:00:00Z）",
            f"{field} must be an XML Schema dateTimeStamp (e.g. 2025-01-01T00:00:00Z): "
            f"{str(value)[:60]!r}",
        )
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    if match.group(8) == "Z":
        tz = UTC
    else:
        tz_h, tz_m = int(match.group(9)), int(match.group(10))
        if tz_h > 14 or tz_m > 59 or (tz_h == 14 and tz_m):
            raise Malformed(f"{field} 时区超出范围", f"{field} time zone out of range")
        offset = timedelta(hours=tz_h, minutes=tz_m)
        tz = timezone(-offset if match.group(8)[0] == "-" else offset)
    # XSD allows 24:00:00 as the first instant of the next day.
    end_of_day = hour == 24 and minute == 0 and second == 0 and not fraction.strip("0")
    try:
        result = datetime(
            year,
            month,
            day,
            0 if end_of_day else hour,
            minute,
            second,
            int(fraction[:6].ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise Malformed(
            f"{field} 不是存在的日期时间", f"{field} is not a real date-time: {value!r}"
        ) from exc
    return result + timedelta(days=1) if end_of_day else result


def format_utc(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC (sub-seconds dropped, as the W3C examples do)."""
    if moment.tzinfo is None:
        raise IdentityError("时间必须带时区", "a time zone is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def require_aware(moment: datetime, *, field: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise IdentityError(f"{field} 必须带时区", f"{field} must carry a time zone")
    return moment
