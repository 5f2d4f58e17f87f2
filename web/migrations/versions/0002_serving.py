"""serving: votes find their voter by (ballot, DID)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("census_voter", schema=None) as batch_op:
        batch_op.drop_index("ix_census_voter_did")
        batch_op.create_index("ix_census_voter_ballot_did", ["ballot_id", "did"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("census_voter", schema=None) as batch_op:
        batch_op.drop_index("ix_census_voter_ballot_did")
        batch_op.create_index("ix_census_voter_did", ["did"], unique=False)
