"""Tables of the disclosure service, beside the log's own (``ledger.tlog.models``).

The log itself (entries, nodes, checkpoints) is the record. `DisclosureIndex` and
`DisclosureSpending` only index it, so that checking a new entry reads a handful of rows —
the account's last statement, the spending already made against a ballot, the entry an
objection points at — never the whole log. Both are derived from the entries and are
rebuilt by replaying them; the offline verifier never reads them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from identity.community.dbtime import UtcDateTime
from ledger.tlog.models import LedgerBase

# As in ledger.tlog.models: SQLite only auto-increments an INTEGER PRIMARY KEY.
_Id = BigInteger().with_variant(Integer(), "sqlite")


class DisclosurePublisher(LedgerBase):
    """A DID allowed to publish in a community's disclosure log, and in which role.

    Roles: ``property_manager`` (物业服务人) and ``committee`` (业主委员会).
    """

    __tablename__ = "disclosure_publisher"
    log_pk: Mapped[int] = mapped_column(
        ForeignKey("ledger_log.id", ondelete="RESTRICT"), primary_key=True
    )
    did: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class DisclosureWitness(LedgerBase):
    """A witness of a log's checkpoints (cosignature/v1 key): the committee, the street office."""

    __tablename__ = "disclosure_witness"
    log_pk: Mapped[int] = mapped_column(
        ForeignKey("ledger_log.id", ondelete="RESTRICT"), primary_key=True
    )
    vkey: Mapped[str] = mapped_column(String(512), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), server_default=func.now())


class DisclosureIndex(LedgerBase):
    """One row per entry of a disclosure log: what later checks and listings look up."""

    __tablename__ = "disclosure_entry"
    __table_args__ = (
        UniqueConstraint("log_pk", "leaf_hash"),
        Index("ix_disclosure_entry_account", "log_pk", "kind", "account", "idx"),
        Index("ix_disclosure_entry_target", "log_pk", "target_idx"),
    )
    log_pk: Mapped[int] = mapped_column(
        ForeignKey("ledger_log.id", ondelete="RESTRICT"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    type: Mapped[str] = mapped_column(String(24))
    signer: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32), default=None)
    account: Mapped[str | None] = mapped_column(String(200), default=None)
    period: Mapped[str | None] = mapped_column(String(7), default=None)
    closing_fen: Mapped[int | None] = mapped_column(BigInteger, default=None)
    target_idx: Mapped[int | None] = mapped_column(BigInteger, default=None)
    reply_idx: Mapped[int | None] = mapped_column(BigInteger, default=None)


class DisclosureSpending(LedgerBase):
    """Maintenance-fund spending of one entry against one cited ballot result."""

    __tablename__ = "disclosure_spending"
    __table_args__ = (Index("ix_disclosure_spending_ballot", "log_pk", "ballot", "ballot_index"),)
    id: Mapped[int] = mapped_column(_Id, primary_key=True, autoincrement=True)
    log_pk: Mapped[int] = mapped_column(ForeignKey("ledger_log.id", ondelete="RESTRICT"))
    idx: Mapped[int] = mapped_column(BigInteger)
    ballot: Mapped[str] = mapped_column(String(255))
    ballot_index: Mapped[int] = mapped_column(BigInteger)
    ballot_leaf: Mapped[bytes] = mapped_column(LargeBinary(32))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
