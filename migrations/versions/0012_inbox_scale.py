"""inbox at scale: counters of requests per status, and indexes for searching names and addresses

Revision ID: 0012_inbox_scale
Revises: 0008_outbox_templates
Create Date: 2026-12-05
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0012_inbox_scale"
down_revision = "0008_outbox_templates"
branch_labels = None
depends_on = None


def _folded(text: str) -> str:
    # As tenants.requests.models.folded (copied: a migration does not change when the code does).
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()[:200]


def _need_pg_trgm(bind) -> None:
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")):
        return
    allowed = bind.scalar(
        sa.text(
            "SELECT rolsuper OR has_database_privilege(current_user, current_database(), 'CREATE') "
            "FROM pg_roles WHERE rolname = current_user"
        )
    )
    if not allowed:
        raise RuntimeError(
            "the migration needs the extension pg_trgm: run CREATE EXTENSION pg_trgm in this database "
            "as a superuser, or grant the migrating role CREATE on the database (pg_trgm is trusted)"
        )
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


# Row-level security lets no index answer LIKE or lower() (they are not leakproof), so on PostgreSQL a
# search finds its ids here, as the tables' owner, within the tenant the transaction is scoped to
# (the same rule as the policy; the policy still applies to the rows the ids are then read from).
# At most `most` ids (the app asks for one more than it uses, to know when there are more).
# EXECUTE plans each search with its values, so a prefix reads a range of the lower(email) index.
# LIKE's escape character is the backslash, as the app escapes % and _.
SEARCH_FUNCTION = """
CREATE FUNCTION request_search_ids(ref text, address_prefix text, name_part text, most integer)
RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
ROWS 50
AS $$
DECLARE
    tenant integer := NULLIF(current_setting('app.tenant_id', true), '')::integer;
BEGIN
    RETURN QUERY EXECUTE
        'SELECT id FROM data_request WHERE reference = $1 AND tenant_id = $4 UNION ALL '
        '(SELECT id FROM data_request WHERE tenant_id = $4 AND (lower(email) LIKE $2 OR name_search LIKE $3) '
        'LIMIT $5)'
        USING ref, address_prefix, name_part, tenant, most;
END
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.create_table(
        "request_status_count",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_request_status_count_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "status", name=op.f("pk_request_status_count")),
    )
    op.execute(
        "INSERT INTO request_status_count (tenant_id, status, n) "
        "SELECT tenant_id, status, count(*) FROM data_request GROUP BY tenant_id, status"
    )
    enable_tenant_rls("request_status_count")

    with op.batch_alter_table("data_request") as batch:
        batch.add_column(sa.Column("name_search", sa.String(200), nullable=False, server_default=""))
    table = sa.table("data_request", sa.column("id", sa.Integer), sa.column("name", sa.String))
    rows = [{"i": i, "s": _folded(name or "")} for i, name in bind.execute(sa.select(table.c.id, table.c.name))]
    if rows:
        bind.execute(sa.text("UPDATE data_request SET name_search = :s WHERE id = :i"), rows)
    if postgres:
        _need_pg_trgm(bind)
    # An address by its beginning in any case: LIKE 'abc%' on lower(email) reads a range of this index.
    op.execute(
        "CREATE INDEX ix_data_request_tenant_email_prefix ON data_request (tenant_id, lower(email)"
        + (" text_pattern_ops)" if postgres else ")")
    )
    if postgres:
        op.execute(SEARCH_FUNCTION)
    op.create_index(
        "ix_data_request_name_search_trgm",
        "data_request",
        ["name_search"],
        postgresql_using="gin",
        postgresql_ops={"name_search": "gin_trgm_ops"},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS request_search_ids(text, text, text, integer)")
    op.drop_index("ix_data_request_name_search_trgm", table_name="data_request")
    op.execute("DROP INDEX IF EXISTS ix_data_request_tenant_email_prefix")
    with op.batch_alter_table("data_request") as batch:
        batch.drop_column("name_search")
    disable_tenant_rls("request_status_count")
    op.drop_table("request_status_count")
