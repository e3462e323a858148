"""organisations have a public contact email and phone, for the controller of their notices

Revision ID: 0014b_tenant_public_contact
Revises: 0013_user_rls
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014b_tenant_public_contact"
down_revision = "0013_user_rls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("public_email", sa.String(254), nullable=False, server_default=""))
        batch.add_column(sa.Column("public_phone", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("public_phone")
        batch.drop_column("public_email")
