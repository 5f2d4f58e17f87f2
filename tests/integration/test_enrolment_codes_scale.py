"""Enrolment codes for a whole community cost a bounded number of statements, on both backends.

Issuing codes for 9,669 holders took 84 s (issue 7, finding 16): three statements and a flush
per holder, each scanning `enrolment_code` and `unit` for lack of an index on the person.
These tests count the SQL statements (no timing) and check the indexes exist and are used.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from identity.community import enrolment
from identity.community.models import Community, EnrolmentCode, IdentityBase
from identity.community.pii import PiiCipher
from identity.community.register import parse_csv
from identity.community.registry import create_community, import_register
from tests.serving_support import id_number

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CIPHER = PiiCipher(bytes(range(32)))


def _register(holders: int) -> bytes:
    """``holders`` owners; every third one also holds a second unit (one code covers both)."""
    lines = ["房号,专有部分面积,业主姓名,证件号码,手机号,表决人,开发商持有"]
    for i in range(holders):
        person = f"业主{i},{id_number(i)},138{i:08d},是,否"
        lines.append(f"1-{i:05d},80.00,{person}")
        if i % 3 == 0:
            lines.append(f"2-{i:05d},40.50,{person}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def sessions(db_engine: Engine) -> Iterator[sessionmaker[Session]]:
    IdentityBase.metadata.create_all(db_engine)
    yield sessionmaker(db_engine, expire_on_commit=False)


def _community(sessions: sessionmaker[Session], slug: str, holders: int) -> None:
    with sessions.begin() as s:
        c = create_community(s, slug=slug, name="小区", street_office="街道")
        import_register(s, community=c, register=parse_csv(_register(holders)), cipher=CIPHER)


def _statements_for_codes(
    engine: Engine, sessions: sessionmaker[Session], slug: str
) -> tuple[int, list[enrolment.IssuedCode]]:
    count = 0

    def counting(*_: object) -> None:
        nonlocal count
        count += 1

    with sessions.begin() as s:
        community = s.scalar(select(Community).where(Community.slug == slug))
        assert community is not None
        event.listen(engine, "before_cursor_execute", counting)
        try:
            codes = enrolment.owner_codes(s, community=community, now=T0)
        finally:
            event.remove(engine, "before_cursor_execute", counting)
    return count, codes


def test_codes_for_many_holders_take_a_bounded_number_of_statements(
    db_engine: Engine, sessions: sessionmaker[Session]
) -> None:
    _community(sessions, "small", 12)
    _community(sessions, "large", 240)
    small, small_codes = _statements_for_codes(db_engine, sessions, "small")
    large, large_codes = _statements_for_codes(db_engine, sessions, "large")
    assert len(small_codes) == 12 and len(large_codes) == 240
    # Per-holder statements (the old way: 3 per holder) would make these differ by > 600.
    assert large == small, (small, large)
    assert large <= 5
    by_first = {c.units[0]: c for c in large_codes}
    assert by_first["1-00003"].units == ("1-00003", "2-00003")
    assert by_first["1-00004"].units == ("1-00004",)
    assert len({c.code for c in large_codes}) == 240
    assert all(c.expires_at == T0 + enrolment.DEFAULT_VALIDITY for c in large_codes)


def test_reissuing_codes_cancels_the_outstanding_ones(sessions: sessionmaker[Session]) -> None:
    _community(sessions, "again", 30)
    with sessions.begin() as s:
        community = s.scalar(select(Community).where(Community.slug == "again"))
        assert community is not None
        first = enrolment.owner_codes(s, community=community, now=T0)
        later = T0 + timedelta(hours=1)
        second = enrolment.owner_codes(s, community=community, now=later)
        rows = s.scalars(select(EnrolmentCode).where(EnrolmentCode.community_id == community.id))
        by_hash = {r.code_hash: r for r in rows}
        assert len(by_hash) == 60
        for code in first:
            cancelled = by_hash[enrolment.code_hash(code.code)].cancelled_at
            assert cancelled is not None and cancelled.replace(tzinfo=UTC) == later
        assert all(by_hash[enrolment.code_hash(c.code)].cancelled_at is None for c in second)
        outstanding = s.scalar(
            select(func.count())
            .select_from(EnrolmentCode)
            .where(EnrolmentCode.cancelled_at.is_(None), EnrolmentCode.community_id == community.id)
        )
        assert outstanding == 30


def test_lookups_by_holder_are_indexed(db_engine: Engine) -> None:
    IdentityBase.metadata.create_all(db_engine)
    indexed = {
        table: {tuple(ix["column_names"]) for ix in inspect(db_engine).get_indexes(table)}
        for table in ("unit", "enrolment_code")
    }
    assert ("holder_id",) in indexed["unit"]
    assert ("person_id",) in indexed["enrolment_code"]
    if db_engine.dialect.name == "sqlite":
        with db_engine.connect() as conn:
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(
                    text("EXPLAIN QUERY PLAN SELECT id FROM unit WHERE holder_id = 1")
                )
            )
        assert "ix_unit_holder_id" in plan, plan
