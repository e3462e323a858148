"""billing: plans and subscription state, the tenant audit log, handled Stripe events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("plan", sa.String(length=20), nullable=False, server_default="free"))
        batch.add_column(sa.Column("billing_status", sa.String(length=20), nullable=False, server_default="none"))
        batch.add_column(sa.Column("past_due_since", UTC_TS, nullable=True))
        batch.add_column(sa.Column("stripe_customer_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("current_period_end", UTC_TS, nullable=True))
        batch.create_unique_constraint(op.f("uq_tenant_stripe_customer_id"), ["stripe_customer_id"])
    op.create_table(
        "tenant_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_tenant_event_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_user_id"], ["user_account.id"],
                                name=op.f("fk_tenant_event_actor_user_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_event")),
    )
    op.create_index(op.f("ix_tenant_event_tenant_id"), "tenant_event", ["tenant_id"])
    op.create_table(
        "stripe_event",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("received_at", UTC_TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_event")),
    )
    enable_tenant_rls("tenant_event")


def downgrade() -> None:
    disable_tenant_rls("tenant_event")
    op.drop_table("stripe_event")
    op.drop_table("tenant_event")
    with op.batch_alter_table("tenant") as batch:
        batch.drop_constraint(op.f("uq_tenant_stripe_customer_id"), type_="unique")
        for column in ("current_period_end", "stripe_subscription_id", "stripe_customer_id", "past_due_since",
                       "billing_status", "plan"):
            batch.drop_column(column)
