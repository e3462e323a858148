"""searching requests: the addresses and the names are looked up apart, each through its own means

Revision ID: 0015_search_ids_by_part
Revises: 0014b_tenant_public_contact
Create Date: 2026-12-05
"""

from alembic import op

revision = "0015_search_ids_by_part"
down_revision = "0014b_tenant_public_contact"
branch_labels = None
depends_on = None


def _search_ids(query: str) -> str:
    """request_search_ids (see 0012_inbox_scale) running `query` with $1 the reference, $2 the address
    prefix, $3 the name part, $4 the tenant in scope and $5 the most ids to give."""
    return f"""
CREATE OR REPLACE FUNCTION request_search_ids(ref text, address_prefix text, name_part text, most integer)
RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
ROWS 50
AS $$
DECLARE
    tenant integer := NULLIF(current_setting('app.tenant_id', true), '')::integer;
BEGIN
    RETURN QUERY EXECUTE {query}
        USING ref, address_prefix, name_part, tenant, most;
END
$$
"""


# An address and a name are two queries: an address by its beginning reads a range of the
# lower(email) index, and a common name stops after `most` rows without computing lower(email) for
# every row it reads (one OR made both tests for every row). UNION gives an id found both ways once.
BY_PART = _search_ids(
    "'SELECT id FROM data_request WHERE reference = $1 AND tenant_id = $4 UNION '\n"
    "        '(SELECT id FROM data_request WHERE tenant_id = $4 AND lower(email) LIKE $2 LIMIT $5) UNION '\n"
    "        '(SELECT id FROM data_request WHERE tenant_id = $4 AND name_search LIKE $3 LIMIT $5) '\n"
    "        'LIMIT $5'"
)
# 0012_inbox_scale's query, for the downgrade.
ONE_OR = _search_ids(
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
