"""ledger entries keyed by one integer, log_pk · 2^40 + idx, without a stored leaf hash

On SQLite that key is the rowid: the entry table becomes one B-tree appended in key order
(the (log_pk, idx) key was a second B-tree beside the rowid table), and the leaf hash,
SHA-256(0x00 ‖ data), is recomputed when read instead of written with every entry. The
rows are moved into the new table in one ``INSERT … SELECT``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SPAN = 1 << 40  # `ledger.tlog.models.ENTRY_INDEX_BITS`, fixed here as this revision has it
_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_OLD = "ledger_entry_old"


def _set_aside() -> None:
    """Rename the current table out of the way (and, on PostgreSQL, its primary key's index,
    whose name the new table's wants)."""
    op.rename_table("ledger_entry", _OLD)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER INDEX ledger_entry_pkey RENAME TO {_OLD}_pkey")


def upgrade() -> None:
    _set_aside()
    op.create_table(
        "ledger_entry",
        sa.Column("id", _PK, autoincrement=False, nullable=False),
        sa.Column("log_pk", _PK, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["log_pk"], ["ledger_log.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        f"INSERT INTO ledger_entry (id, log_pk, data) "
        f"SELECT log_pk * {_SPAN} + idx, log_pk, data FROM {_OLD} ORDER BY log_pk, idx"
    )
    op.drop_table(_OLD)


def downgrade() -> None:
    _set_aside()
    op.create_table(
        "ledger_entry",
        sa.Column("log_pk", _PK, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["log_pk"], ["ledger_log.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("log_pk", "idx"),
    )
    # The leaf hashes are computed here: SQLite has no SHA-256 function.
    bind = op.get_bind()
    old = sa.table(_OLD, sa.column("id", sa.BigInteger()), sa.column("data", sa.LargeBinary()))
    new = sa.table(
        "ledger_entry",
        sa.column("log_pk", sa.BigInteger()),
        sa.column("idx", sa.BigInteger()),
        sa.column("leaf_hash", sa.LargeBinary()),
        sa.column("data", sa.LargeBinary()),
    )
    after = -1
    while True:
        rows = bind.execute(
            sa.select(old.c.id, old.c.data).where(old.c.id > after).order_by(old.c.id).limit(5000)
        ).all()
        if not rows:
            break
        bind.execute(
            sa.insert(new),
            [
                {
                    "log_pk": key // _SPAN,
                    "idx": key % _SPAN,
                    "leaf_hash": hashlib.sha256(b"\x00" + bytes(data)).digest(),
                    "data": bytes(data),
                }
                for key, data in rows
            ],
        )
        after = rows[-1][0]
    op.drop_table(_OLD)
