"""searching requests: the addresses and the names are looked up apart, each through its own means

Revision ID: 0015_search_ids_by_part
Revises: 0014b_tenant_public_contact
Create Date: 2026-12-05
"""

from alembic import op

from migrations.search import BY_PART, search_ids_function

revision = "0015_search_ids_by_part"
down_revision = "0014b_tenant_public_contact"
branch_labels = None
depends_on = None


# 0012_inbox_scale's query, for the downgrade.
ONE_OR = search_ids_function(
    "'SELECT id FROM data_request WHERE reference = $1 AND tenant_id = $4 UNION ALL '\n"
    "        '(SELECT id FROM data_request WHERE tenant_id = $4 AND (lower(email) LIKE $2 OR name_search LIKE $3) '\n"
    "        'LIMIT $5)'"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(BY_PART)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ONE_OR)
