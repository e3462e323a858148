"""requests: data subject requests and their append-only timeline

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_TS = sa.DateTime(timezone=True)

# Timeline entries are never changed, except that the retention job may blank the
# personal data in them (body and data emptied, nothing else touched).
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION request_event_is_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.body = '' AND NEW.data::text = '{}'
       AND NEW.kind = OLD.kind AND NEW.request_id = OLD.request_id AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'request timeline is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("request_retention_months", sa.Integer(), nullable=False, server_default="24"))
    op.create_table(
        "data_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=13), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("contains_hetu", sa.Boolean(), nullable=False),
        sa.Column("answer_language", sa.String(length=2), nullable=False),
        sa.Column("identity_note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("reminder_sent_at", UTC_TS, nullable=True),
        sa.Column("verified_at", UTC_TS, nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("extension_months", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", UTC_TS, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("erased_at", UTC_TS, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_data_request_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], name=op.f("fk_data_request_notice_id_notice"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assignee_id"], ["user_account.id"],
                                name=op.f("fk_data_request_assignee_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["data_request.id"],
                                name=op.f("fk_data_request_duplicate_of_id_data_request"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_request")),
        sa.UniqueConstraint("reference", name=op.f("uq_data_request_reference")),
    )
    op.create_index(op.f("ix_data_request_tenant_id"), "data_request", ["tenant_id"])
    op.create_index(op.f("ix_data_request_notice_id"), "data_request", ["notice_id"])
    op.create_index(op.f("ix_data_request_assignee_id"), "data_request", ["assignee_id"])
    op.create_index("ix_data_request_tenant_status_due", "data_request", ["tenant_id", "status", "due_on", "id"])
    op.create_index("ix_data_request_tenant_created", "data_request", ["tenant_id", "created_at", "id"])
    op.create_index("ix_data_request_tenant_email", "data_request", ["tenant_id", "email"])
    op.create_table(
        "request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_request_event_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["data_request.id"],
                                name=op.f("fk_request_event_request_id_data_request"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["actor_user_id"], ["user_account.id"],
                                name=op.f("fk_request_event_actor_user_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_event")),
    )
    op.create_index(op.f("ix_request_event_tenant_id"), "request_event", ["tenant_id"])
    op.create_index(op.f("ix_request_event_request_id"), "request_event", ["request_id"])
    enable_tenant_rls("data_request")
    enable_tenant_rls("request_event")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(
            "CREATE TRIGGER request_event_append_only BEFORE UPDATE OR DELETE ON request_event "
            "FOR EACH ROW EXECUTE FUNCTION request_event_is_append_only()"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER request_event_no_delete BEFORE DELETE ON request_event "
            "BEGIN SELECT RAISE(ABORT, 'request timeline is append-only: DELETE refused'); END"
        )
        op.execute(
            "CREATE TRIGGER request_event_no_update BEFORE UPDATE ON request_event "
            "WHEN NOT (NEW.body = '' AND NEW.data = '{}' AND NEW.kind = OLD.kind "
            "AND NEW.request_id = OLD.request_id AND NEW.created_at = OLD.created_at) "
            "BEGIN SELECT RAISE(ABORT, 'request timeline is append-only: UPDATE refused'); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS request_event_append_only ON request_event")
        op.execute("DROP FUNCTION IF EXISTS request_event_is_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS request_event_no_delete")
        op.execute("DROP TRIGGER IF EXISTS request_event_no_update")
    disable_tenant_rls("request_event")
    disable_tenant_rls("data_request")
    op.drop_table("request_event")
    op.drop_table("data_request")
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("request_retention_months")
