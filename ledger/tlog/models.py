"""Tables of the ledger package: logs, their entries, stored subtree hashes and checkpoints.

Rows are only ever inserted (and a log's ``size`` only grows): a log is append-only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from identity.community.dbtime import UtcDateTime

# SQLite only turns INTEGER PRIMARY KEY into an auto-increment rowid; BIGINT elsewhere.
_Id = BigInteger().with_variant(Integer(), "sqlite")


class LedgerBase(DeclarativeBase):
    pass


class Log(LedgerBase):
    """One append-only log per purpose (a community's disclosures, one ballot box …).

    ``log_id`` = SHA-256(origin). ``size`` is bumped first in every append, so it doubles as
    the append lock (see `ledger.tlog.store.LogStore.append`). ``vkey`` is the key that signs the
    log's checkpoints, fixed by the first checkpoint.
    """

    __tablename__ = "ledger_log"
    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    log_id: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    origin: Mapped[str] = mapped_column(String(255), unique=True)
    purpose: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    vkey: Mapped[str | None] = mapped_column(String(512), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


ENTRY_INDEX_BITS = 40
"""A log holds at most 2^40 entries: the low bits of an entry's key are its index."""

MAX_LOG_PK = (1 << (63 - ENTRY_INDEX_BITS)) - 1
"""The largest log row id whose entry keys still fit SQLite's signed 64-bit INTEGER."""


def entry_key(log_pk: int, index: int) -> int:
    """The primary key of entry ``index`` of log ``log_pk``: ``log_pk · 2^40 + index``.

    One integer per entry, growing with the index: on SQLite it is the rowid, so the entry
    table is ONE B-tree appended in key order (a (log, idx) key was a second B-tree beside
    the rowid table, which a batch wrote and synced as well).
    """
    return (log_pk << ENTRY_INDEX_BITS) | index


class LogEntry(LedgerBase):
    """Entry ``idx`` of a log: the caller's opaque bytes, under the key `entry_key` names.

    The key, a function of (log, idx), is also what makes a duplicate index impossible.
    The leaf hash is not stored: it is SHA-256(0x00 ‖ data), a microsecond to recompute for
    the few leaves a proof or a page reads, and storing it was a fifth of every append's
    bytes. So stored data and "its" hash cannot disagree either.
    """

    __tablename__ = "ledger_entry"
    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=False)
    log_pk: Mapped[int] = mapped_column(ForeignKey("ledger_log.id", ondelete="RESTRICT"))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    @hybrid_property
    def idx(self) -> int:
        """The entry's index in its log (the key's low bits)."""
        return self.id - (self.log_pk << ENTRY_INDEX_BITS)

    @idx.inplace.expression
    @classmethod
    def _idx_expression(cls) -> ColumnElement[int]:
        # Not indexed: for tests and tools only; the store seeks by `entry_key`.
        return cls.id - cls.log_pk * (1 << ENTRY_INDEX_BITS)


class LogNode(LedgerBase):
    """Hash of a complete aligned subtree above the leaves, keyed by its in-order position.

    ``pos`` = `ledger.tlog.subtrees.flat_index` (level, idx): one integer per node, so a proof's
    nodes are one ``pos IN (…)`` seek on the primary key (a row-value IN on (level, idx)
    makes SQLite scan the log's nodes). Level 0 (the leaf hashes) is rehashed from `LogEntry`.
    """

    __tablename__ = "ledger_node"
    log_pk: Mapped[int] = mapped_column(
        ForeignKey("ledger_log.id", ondelete="RESTRICT"), primary_key=True
    )
    pos: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogCheckpoint(LedgerBase):
    """A checkpoint the log signed: size, root and the signed note (C2SP tlog-checkpoint)."""

    __tablename__ = "ledger_checkpoint"
    __table_args__ = (UniqueConstraint("log_pk", "size"),)
    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    log_pk: Mapped[int] = mapped_column(ForeignKey("ledger_log.id", ondelete="RESTRICT"))
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class LogCosignature(LedgerBase):
    """A witness's cosignature/v1 of a checkpoint (C2SP tlog-cosignature)."""

    __tablename__ = "ledger_cosignature"
    __table_args__ = (UniqueConstraint("checkpoint_id", "vkey"),)
    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_checkpoint.id", ondelete="RESTRICT")
    )
    witness: Mapped[str] = mapped_column(String(255))
    vkey: Mapped[str] = mapped_column(String(512))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    signature_line: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())
