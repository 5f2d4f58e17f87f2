"""Pytest fixtures that run one suite on every backend: SQLite and PostgreSQL databases.

A backend that is not available is skipped with a reason on a developer's machine, but in
CI (`CI=true`) its absence fails the run: nothing may be silently skipped there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

PG_ADMIN_URL = os.environ.get(
    "GONGZHI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def unavailable(what: str) -> NoReturn:
    """Skip outside CI, fail inside it."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} not available on this machine (would fail in CI)")


def sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL at {PG_ADMIN_URL} ({exc.orig})")
    sep = "&" if "?" in PG_ADMIN_URL else "?"
    try:
        yield f"{PG_ADMIN_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_engine(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of each backend (tables are the caller's to create)."""
    engine = (
        sqlite_engine(tmp_path / "test.sqlite")
        if db_url.startswith("sqlite")
        else create_engine(db_url)
    )
    try:
        yield engine
    finally:
        engine.dispose()
