"""refused votes keep the Chinese message beside the English one

The committee's dashboard lists refused votes in the page's language; rows counted before
this revision have "" (the page then names their reason code in its own words).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vote_refusal") as batch:
        batch.add_column(
            sa.Column("message_zh", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("vote_refusal") as batch:
        batch.drop_column("message_zh")
