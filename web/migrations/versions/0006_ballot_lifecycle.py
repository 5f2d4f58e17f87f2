"""ballot lifecycle: the community's rules of procedure (议事规则) that shape a ballot; boxes
of the one-matter format (before the announcement entry) are retired, not reread

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules", sa.JSON(), nullable=True))
    # A box that starts with BallotOpened was written before ballots were announced: its
    # record stays in its log (and verifies with the release that wrote it); it is no
    # longer listed or voted on.
    op.execute("UPDATE ballot SET status = 'retired'")


def downgrade() -> None:
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("rules")
