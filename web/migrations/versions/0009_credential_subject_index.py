"""index issued credentials by (community, subject DID): the cast path asks, for each batch
of votes, which voters' ownership credentials are all still queued

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.create_index(
            "ix_issued_credential_community_subject", ["community_id", "subject_did"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_index("ix_issued_credential_community_subject")
