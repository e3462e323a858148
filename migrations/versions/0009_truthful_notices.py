"""notices record which proposed starter texts the firm has confirmed

Revision ID: 0009_truthful_notices
Revises: 0011_snapshot_jobs
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_truthful_notices"
down_revision = "0011_snapshot_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("confirmed_sections", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("confirmed_sections")
