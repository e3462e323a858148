"""outbox rows name a template and what the mail is about (rendered when delivered), and a tenant

Revision ID: 0008_outbox_templates
Revises: 0007_requests_hardening
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls_with_platform_rows

revision = "0008_outbox_templates"
down_revision = "0007_requests_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("tenant_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("template", sa.String(64), nullable=True))
        batch.add_column(sa.Column("context", sa.JSON(), nullable=False, server_default="{}"))
        batch.create_foreign_key(
            op.f("fk_outbox_message_tenant_id_tenant"), "tenant", ["tenant_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(op.f("ix_outbox_message_tenant_id"), ["tenant_id"])
    # Mail already queued about a request belongs to the request's tenant.
    op.execute(
        "UPDATE outbox_message SET tenant_id = "
        "(SELECT data_request.tenant_id FROM data_request WHERE data_request.id = outbox_message.request_id) "
        "WHERE request_id IS NOT NULL"
    )
    enable_tenant_rls_with_platform_rows("outbox_message")


def downgrade() -> None:
    disable_tenant_rls("outbox_message")
    op.execute("DELETE FROM outbox_message WHERE template IS NOT NULL AND status <> 'sent'")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index(op.f("ix_outbox_message_tenant_id"))
        batch.drop_constraint(op.f("fk_outbox_message_tenant_id_tenant"), type_="foreignkey")
        batch.drop_column("context")
        batch.drop_column("template")
        batch.drop_column("tenant_id")
