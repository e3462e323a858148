"""imports: the import report of a notice, and open findings a forced publication recorded

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("import_report", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("imported_hash", sa.String(length=64), nullable=True))
    # Adding a column is not an UPDATE of rows: the immutability triggers are not involved.
    op.add_column("notice_version", sa.Column("open_findings", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("notice_version", "open_findings")
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("imported_hash")
        batch.drop_column("import_report")
