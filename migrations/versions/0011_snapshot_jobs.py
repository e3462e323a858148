"""snapshot jobs: the worker rewrites a tenant's public snapshots after every public change

Revision ID: 0011_snapshot_jobs
Revises: 0012_inbox_scale
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


UTC_TS = sa.DateTime(timezone=True)

revision = "0011_snapshot_jobs"
down_revision = "0012_inbox_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshot_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.Integer(),
            sa.ForeignKey("tenant.id", ondelete="CASCADE", name=op.f("fk_snapshot_job_tenant_id_tenant")),
            nullable=False,
        ),
        sa.Column("reason", sa.String(40), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTC_TS, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("done_at", UTC_TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_job")),
    )
    op.create_index(op.f("ix_snapshot_job_tenant_id"), "snapshot_job", ["tenant_id"])
    op.create_index("ix_snapshot_job_due", "snapshot_job", ["status", "next_attempt_at"])
    # Every tenant that has published something gets its first snapshot.
    op.execute(
        "INSERT INTO snapshot_job (tenant_id, reason, status, attempts, next_attempt_at, created_at) "
        "SELECT DISTINCT tenant_id, 'migration', 'pending', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
        "FROM notice WHERE published_number IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_snapshot_job_due", table_name="snapshot_job")
    op.drop_index(op.f("ix_snapshot_job_tenant_id"), table_name="snapshot_job")
    op.drop_table("snapshot_job")
