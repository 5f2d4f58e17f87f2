"""The one column type for moments in time: stored in UTC, always read back timezone-aware.

SQLite has no time zone type: SQLAlchemy writes a datetime's wall-clock fields as text and
drops the offset, so an aware time in +08:00 would be stored eight hours off, and every read
hands back a naive datetime. PostgreSQL's ``timestamptz`` keeps the instant but answers in
the session's zone. This type converts every bound value to UTC before either database sees
it (so comparisons in SQL agree too) and labels what comes back as UTC, on both.

It lives in ``identity``, the base package, so ``ledger`` and ``voting`` models can use it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that refuses naive values and returns aware UTC ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time's zone is a guess; storing a guess would shift it silently.
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers always give datetimes
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        # Naive only on SQLite, where everything was written in UTC (see process_bind_param;
        # server defaults use CURRENT_TIMESTAMP, which SQLite also gives in UTC).
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
