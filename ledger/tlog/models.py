"""Tables of the ledger package: logs, their entries, stored subtree hashes and checkpoints.

Rows are only ever inserted (and a log's ``size`` only grows): a log is append-only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
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


class LogEntry(LedgerBase):
    """Entry ``idx`` of a log: the caller's opaque bytes and their RFC 9162 leaf hash.

    The primary key (log, idx) is also what makes a duplicate index impossible.
    """

    __tablename__ = "ledger_entry"
    log_pk: Mapped[int] = mapped_column(
        ForeignKey("ledger_log.id", ondelete="RESTRICT"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LogNode(LedgerBase):
    """Hash of a complete aligned subtree above the leaves, keyed by its in-order position.

    ``pos`` = `ledger.tlog.subtrees.flat_index` (level, idx): one integer per node, so a proof's
    nodes are one ``pos IN (…)`` seek on the primary key (a row-value IN on (level, idx)
    makes SQLite scan the log's nodes). Level 0 (the leaf hashes) lives in `LogEntry`.
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
