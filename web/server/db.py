"""The database: one engine for the whole app; every package keeps its own table metadata.

Writers. PostgreSQL serialises what must be serialised with row locks (a log's size row,
`ledger.tlog.store.LogStore.append`). SQLite has one write lock for the whole file, and a
transaction that read before it writes fails at once ("database is locked") if another
writer committed in between — the busy timeout does not help there. So on SQLite every
writing session of this process takes one in-process lock first: writers queue in order
instead of failing, readers (WAL) never wait, and a wait that would be too long is a clear
503 (`DatabaseBusy`) instead of a 30-second stall. A request's own session takes the lock only
when it first touches the database (``lazy``), so a route that opens its own unit of work
does not wait for itself; who is asking is looked up in separate read-only sessions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from identity.community.models import IdentityBase
from ledger.disclosure import models as disclosure_models  # noqa: F401  its tables join LedgerBase.metadata
from ledger.tlog.models import LedgerBase
from voting.models import VotingBase
from web.server.refusals import RefusalsBase

METADATA: tuple[MetaData, ...] = (
    IdentityBase.metadata,
    LedgerBase.metadata,
    VotingBase.metadata,
    RefusalsBase.metadata,  # web's own: refused votes, for the committee
)

# Connections: enough for the server's worker threads and the sequencer; a request that
# cannot get one soon is told to retry (503) rather than kept waiting.
POOL_SIZE = 20
POOL_OVERFLOW = 20
POOL_TIMEOUT = 5.0
# How long a writer may wait for SQLite's write lock (another process, e.g. `gongzhi admin`).
SQLITE_BUSY_SECONDS = 5.0
# How long a writer of this process may queue for the in-process write lock.
WRITE_WAIT_SECONDS = 10.0


class DatabaseBusy(Exception):
    """Too many writers queued: the client should retry shortly (HTTP 503, Retry-After)."""


def make_engine(url: str) -> Engine:
    pool: dict[str, Any] = {
        "pool_size": POOL_SIZE,
        "max_overflow": POOL_OVERFLOW,
        "pool_timeout": POOL_TIMEOUT,
    }
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
            **pool,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers (verifiers, pages) run while a vote is being appended.
            # synchronous=FULL: a committed batch survives a power cut, not only a crash —
            # a receipt promises the vote is kept. Batching makes it one fsync per batch.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()  # not owned by a thread: FastAPI may release it
        # from another worker thread than the one that took it

    def create_all(self) -> None:
        """Bring the schema to the newest migration (creating it on an empty database)."""
        from web.server.migrate import upgrade  # imported late: web.migrations imports this module

        upgrade(self.engine)

    @contextmanager
    def session(self, *, write: bool = True, lazy: bool = False) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises.

        ``write=False`` promises the block only reads (it then never queues behind writers);
        ``lazy`` takes SQLite's writer lock at the first statement rather than at once."""
        held = False

        def take(*_: Any) -> None:
            nonlocal held
            if not held:
                if not self._write_lock.acquire(timeout=WRITE_WAIT_SECONDS):
                    raise DatabaseBusy("too many writers queued")
                held = True

        try:
            with self._sessions() as session:
                if write and self.is_sqlite:
                    if lazy:
                        event.listen(session, "after_begin", take)
                    else:
                        take()
                with session.begin():
                    yield session
        finally:
            if held:
                self._write_lock.release()

    def dispose(self) -> None:
        self.engine.dispose()
