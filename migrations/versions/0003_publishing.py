"""publishing: immutable notice versions, slug aliases, publication state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TS = sa.DateTime(timezone=True)

IMMUTABLE_FUNCTION = """
CREATE OR REPLACE FUNCTION notice_version_is_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'notice versions are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("published_number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", UTC_TS, nullable=True))
    op.create_table(
        "notice_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("prepared_on", sa.Date(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_by_name", sa.String(length=200), nullable=False),
        sa.Column("published_at", UTC_TS, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("primary_language", sa.String(length=2), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_notice_version_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notice.id"], name=op.f("fk_notice_version_notice_id_notice"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_notice_version_published_by_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_version")),
        sa.UniqueConstraint("notice_id", "number", name=op.f("uq_notice_version_notice_id")),
    )
    op.create_index(op.f("ix_notice_version_tenant_id"), "notice_version", ["tenant_id"])
    op.create_index(op.f("ix_notice_version_notice_id"), "notice_version", ["notice_id"])
    op.create_table(
        "notice_slug_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_notice_slug_alias_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notice.id"], name=op.f("fk_notice_slug_alias_notice_id_notice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_slug_alias")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_notice_slug_alias_tenant_id")),
    )
    op.create_index(op.f("ix_notice_slug_alias_tenant_id"), "notice_slug_alias", ["tenant_id"])
    op.create_table(
        "tenant_slug_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_tenant_slug_alias_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_slug_alias")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenant_slug_alias_slug")),
    )
    op.create_index(op.f("ix_tenant_slug_alias_tenant_id"), "tenant_slug_alias", ["tenant_id"])
    enable_tenant_rls("notice_version")
    enable_tenant_rls("notice_slug_alias")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(IMMUTABLE_FUNCTION)
        op.execute(
            "CREATE TRIGGER notice_version_immutable BEFORE UPDATE OR DELETE ON notice_version "
            "FOR EACH ROW EXECUTE FUNCTION notice_version_is_immutable()"
        )
    elif op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER notice_version_no_{event.lower()} BEFORE {event} ON notice_version "
                f"BEGIN SELECT RAISE(ABORT, 'notice versions are immutable: {event} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS notice_version_immutable ON notice_version")
        op.execute("DROP FUNCTION IF EXISTS notice_version_is_immutable()")
    elif op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS notice_version_no_update")
        op.execute("DROP TRIGGER IF EXISTS notice_version_no_delete")
    disable_tenant_rls("notice_slug_alias")
    disable_tenant_rls("notice_version")
    op.drop_table("tenant_slug_alias")
    op.drop_table("notice_slug_alias")
    op.drop_table("notice_version")
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("withdrawn_at")
        batch.drop_column("published_number")
