"""`UtcDateTime` stores an instant and reads it back timezone-aware in UTC, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, Table, func, insert, select
from sqlalchemy.exc import StatementError

from identity.community.dbtime import UtcDateTime
from identity.community.models import IdentityBase
from ledger.tlog.models import LedgerBase
from voting.models import VotingBase

BEIJING = timezone(timedelta(hours=8))


def _table() -> Table:
    return Table(
        "moments",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UtcDateTime()),
        Column("made", UtcDateTime(), server_default=func.now()),
    )


def test_an_offset_time_comes_back_as_the_same_instant_in_utc(db_engine: Engine) -> None:
    table = _table()
    table.metadata.create_all(db_engine)
    sent = datetime(2026, 12, 1, 16, 5, 24, 123456, tzinfo=BEIJING)
    with db_engine.begin() as conn:
        conn.execute(insert(table).values(id=1, at=sent))
        at, made = conn.execute(select(table.c.at, table.c.made)).one()
        # Comparisons in SQL see the same instant whatever offset the bound value had.
        found = conn.scalar(select(table.c.id).where(table.c.at == sent.astimezone(UTC)))
    assert at == sent and at.tzinfo is UTC and at.hour == 8
    assert made.tzinfo is UTC  # the server default (CURRENT_TIMESTAMP) too
    assert found == 1


def test_a_naive_time_is_refused(db_engine: Engine) -> None:
    table = _table()
    table.metadata.create_all(db_engine)
    with db_engine.begin() as conn, pytest.raises(StatementError, match="naive datetime"):
        conn.execute(insert(table).values(id=1, at=datetime(2026, 12, 1, 8, 0)))


def test_every_time_column_of_the_models_uses_it() -> None:
    times = [
        column
        for base in (IdentityBase, LedgerBase, VotingBase)
        for table in base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime | UtcDateTime)
    ]
    assert len(times) >= 10  # the models do keep times
    plain = [str(c) for c in times if not isinstance(c.type, UtcDateTime)]
    assert plain == [], f"time columns that would lose their offset on SQLite: {plain}"
