"""requests hardening: the inbox's default-order index, mail linked to its request, a stricter timeline

Revision ID: 0007_requests_hardening
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_requests_hardening"
down_revision = "0006"
branch_labels = None
depends_on = None

# Timeline entries are never changed, with exactly two exceptions:
# - the retention job blanks the personal data in them: body and data emptied, the actor's label
#   emptied or kept, every other column unchanged;
# - deleting a member's account sets actor_user_id to NULL (the foreign key's ON DELETE SET NULL),
#   every other column unchanged.
STRICT_FUNCTION = """
CREATE OR REPLACE FUNCTION request_event_is_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.request_id = OLD.request_id
       AND NEW.kind = OLD.kind AND NEW.created_at = OLD.created_at THEN
        IF NEW.body = '' AND NEW.data::text = '{}' AND NEW.actor_label IN ('', OLD.actor_label)
           AND NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id THEN
            RETURN NEW;
        END IF;
        IF NEW.actor_user_id IS NULL AND OLD.actor_user_id IS NOT NULL
           AND NEW.body = OLD.body AND NEW.data::text = OLD.data::text AND NEW.actor_label = OLD.actor_label THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'request timeline is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""

OLD_FUNCTION = """
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

STRICT_SQLITE_UPDATE = (
    "CREATE TRIGGER request_event_no_update BEFORE UPDATE ON request_event "
    "WHEN NOT (NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.request_id = OLD.request_id "
    "AND NEW.kind = OLD.kind AND NEW.created_at = OLD.created_at AND ("
    "(NEW.body = '' AND NEW.data = '{}' AND NEW.actor_label IN ('', OLD.actor_label) "
    "AND NEW.actor_user_id IS OLD.actor_user_id) "
    "OR (NEW.actor_user_id IS NULL AND OLD.actor_user_id IS NOT NULL AND NEW.body = OLD.body "
    "AND NEW.data = OLD.data AND NEW.actor_label = OLD.actor_label))) "
    "BEGIN SELECT RAISE(ABORT, 'request timeline is append-only: UPDATE refused'); END"
)
OLD_SQLITE_UPDATE = (
    "CREATE TRIGGER request_event_no_update BEFORE UPDATE ON request_event "
    "WHEN NOT (NEW.body = '' AND NEW.data = '{}' AND NEW.kind = OLD.kind "
    "AND NEW.request_id = OLD.request_id AND NEW.created_at = OLD.created_at) "
    "BEGIN SELECT RAISE(ABORT, 'request timeline is append-only: UPDATE refused'); END"
)


def upgrade() -> None:
    # The inbox lists a tenant's requests by due date, then id, whatever their status.
    op.create_index("ix_data_request_tenant_due", "data_request", ["tenant_id", "due_on", "id"])
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outbox_message_request_id_data_request"),
            "data_request",
            ["request_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_outbox_message_request_id"), ["request_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(STRICT_FUNCTION)
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS request_event_no_update")
        op.execute(STRICT_SQLITE_UPDATE)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(OLD_FUNCTION)
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS request_event_no_update")
        op.execute(OLD_SQLITE_UPDATE)
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index(op.f("ix_outbox_message_request_id"))
        batch.drop_constraint(op.f("fk_outbox_message_request_id_data_request"), type_="foreignkey")
        batch.drop_column("request_id")
    op.drop_index("ix_data_request_tenant_due", table_name="data_request")
