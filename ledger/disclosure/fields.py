"""Strict readers for the JSON fields of disclosure entries: exact types, bounded sizes.

Money is an integer number of fen (分). A JSON number with a fraction, a string such as
"12.50", or a boolean (which Python counts as an int) is refused, never rounded: whoever
publishes an account states it to the fen.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ledger.disclosure.errors import SchemaError

MAX_FEN = 10**15  # ten trillion yuan: far beyond any community, well inside I-JSON's 2^53
MAX_LINES = 500
MAX_TEXT = 2000
MAX_NAME = 200

# The patterns as text too: `ledger.disclosure.structs` states the same constraints.
PERIOD_PATTERN = r"(2\d{3})-(0[1-9]|1[0-2])"
HEX32_PATTERN = r"[0-9a-f]{64}"
# An account's id: short ASCII, so that no two ids can look alike (names can: 全角/半角).
ACCOUNT_ID_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
_PERIOD = re.compile(PERIOD_PATTERN)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEX32 = re.compile(HEX32_PATTERN)
_ACCOUNT_ID = re.compile(ACCOUNT_ID_PATTERN)
# Control codes other than the newline: C0 except U+000A, and DEL (what `text` refuses), as
# the body of a character class.
CONTROL_CODES = "\x00-\x09\x0b-\x1f\x7f"
_CONTROL = re.compile(f"[{CONTROL_CODES}]")


@functools.cache
def _key_sets(required: tuple[str, ...], optional: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    # Made once per schema: a verifier checks a million objects against a dozen schemas.
    return frozenset(required), frozenset({*required, *optional})


def obj(
    value: object, where: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Mapping[str, Any]:
    """A JSON object with exactly the named keys: unknown keys are refused, not ignored."""
    if type(value) is not dict and not isinstance(value, Mapping):  # a parsed object is a dict
        raise SchemaError("必须是 JSON 对象", "must be a JSON object", where=where)
    needed, allowed = _key_sets(required, optional)
    keys = value.keys()
    if needed <= keys and allowed >= keys:  # the usual case, in two set comparisons
        return value
    missing = [k for k in required if k not in value]
    if missing:
        raise SchemaError(
            f"缺少字段 {', '.join(missing)}", f"missing field(s) {', '.join(missing)}", where=where
        )
    shown = ", ".join(sorted(str(k) for k in value if k not in allowed)[:5])
    raise SchemaError(f"不认识的字段 {shown}", f"unknown field(s) {shown}", where=where)


def fen(value: object, where: str, *, signed: bool = False) -> int:
    """An amount in integer fen; negative only where ``signed`` (a balance may be in deficit)."""
    if type(value) is not int:  # bool is a subclass of int, and no amount
        raise SchemaError(
            f"金额必须是以分为单位的整数（不能是小数、字符串或布尔值），而不是 {_show(value)}",
            f"an amount must be an integer number of fen (not a decimal, string or boolean), "
            f"got {_show(value)}",
            where=where,
        )
    if not signed and value < 0:
        raise SchemaError("金额不能为负", "an amount cannot be negative", where=where)
    if abs(value) > MAX_FEN:
        raise SchemaError("金额超出范围", f"amount beyond ±{MAX_FEN} fen", where=where)
    return value


def count(value: object, where: str, *, minimum: int = 0) -> int:
    """A non-negative JSON integer (an index, a size in bytes)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SchemaError(
            f"必须是不小于 {minimum} 的整数，而不是 {_show(value)}",
            f"must be an integer ≥ {minimum}, got {_show(value)}",
            where=where,
        )
    if value >= 2**53:
        raise SchemaError("整数超出范围", "integer beyond 2^53", where=where)
    return value


def flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise SchemaError("必须是 true 或 false", "must be true or false", where=where)
    return value


def text(value: object, where: str, *, max_len: int = MAX_NAME) -> str:
    """Non-blank text of at most ``max_len`` characters; newlines only, no other control codes."""
    if not isinstance(value, str):
        raise SchemaError("必须是文字", "must be a string", where=where)
    if not value.strip():
        raise SchemaError("不能为空", "must not be blank", where=where)
    if len(value) > max_len:
        raise SchemaError(f"不能超过 {max_len} 字", f"at most {max_len} characters", where=where)
    if _CONTROL.search(value):
        raise SchemaError("含有控制字符", "contains control characters", where=where)
    return value


def choice(value: object, where: str, options: Mapping[str, str]) -> str:
    """One of the keys of ``options`` (key → Chinese name, shown in the error)."""
    if not isinstance(value, str) or value not in options:
        listed = "、".join(f"{k}（{v}）" for k, v in options.items())
        raise SchemaError(
            f"必须是以下之一：{listed}",
            f"must be one of {', '.join(options)}, got {_show(value)}",
            where=where,
        )
    return value


def period(value: object, where: str) -> str:
    """An accounting month, ``YYYY-MM``."""
    if not isinstance(value, str) or not _PERIOD.fullmatch(value):
        raise SchemaError(
            "会计期间须为 YYYY-MM，如 2026-01",
            f"a period must be YYYY-MM, e.g. 2026-01, got {_show(value)}",
            where=where,
        )
    return value


def next_period(value: str) -> str:
    """The month after ``YYYY-MM``."""
    year, month = int(value[:4]), int(value[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_period(value: str) -> str:
    """The month before ``YYYY-MM``."""
    year, month = int(value[:4]), int(value[5:])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def account_id(value: object, where: str) -> str:
    """A stable account id: 1–64 of a-z, 0-9 and inner hyphens, e.g. ``service-fee-2026``."""
    if not isinstance(value, str) or not _ACCOUNT_ID.fullmatch(value):
        raise SchemaError(
            "账户编号须为1–64位小写字母、数字或中间的连字符，如 service-fee",
            f"an account id is 1–64 of a-z, 0-9 and inner hyphens, e.g. service-fee, "
            f"got {_show(value)}",
            where=where,
        )
    return value


def day(value: object, where: str) -> str:
    """A calendar date, ``YYYY-MM-DD``."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise SchemaError(
        "日期须为 YYYY-MM-DD", f"a date must be YYYY-MM-DD, got {_show(value)}", where=where
    )


def hex32(value: object, where: str) -> bytes:
    """A SHA-256 value as 64 lowercase hex digits."""
    if not isinstance(value, str) or not _HEX32.fullmatch(value):
        raise SchemaError(
            "须为 64 位小写十六进制的 SHA-256 值",
            "must be a SHA-256 value as 64 lowercase hex digits",
            where=where,
        )
    return bytes.fromhex(value)


def did(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.startswith("did:") or len(value) > MAX_NAME:
        raise SchemaError("必须是 DID", f"must be a DID, got {_show(value)}", where=where)
    return value


def items(value: object, where: str, *, allow_empty: bool = True) -> list[object]:
    """A JSON array of at most `MAX_LINES` items."""
    if not isinstance(value, list):
        raise SchemaError("必须是数组", "must be an array", where=where)
    if not value and not allow_empty:
        raise SchemaError("至少要有一项", "needs at least one item", where=where)
    if len(value) > MAX_LINES:
        raise SchemaError(f"最多 {MAX_LINES} 项", f"at most {MAX_LINES} items", where=where)
    return value


def _show(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def yuan(amount: int) -> str:
    """Fen shown as yuan for people, e.g. ``-123456`` → ``-1,234.56元`` (exact, no float)."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{cents:02d}元"
