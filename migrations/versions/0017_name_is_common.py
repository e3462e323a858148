"""searching requests: whether a name is common, from a sample, before its ids are looked up

Revision ID: 0017_name_is_common
Revises: 0016_list_walk
Create Date: 2026-12-06
"""

from alembic import op

revision = "0017_name_is_common"
down_revision = "0016_list_walk"
branch_labels = None
depends_on = None

# A name that very many requests have is found by walking the list's order (see
# tenants.requests.listing.search_condition); looking up its ids first only to learn that there are
# too many read thousands of index entries (34 ms at 1 M requests for a name one in 108 has). The
# first `sample` requests of the tenant in the list's order (the start of that walk, read from the
# order's index alone) tell it sooner: `enough` of them with the name make it common. As the
# tables' owner within the tenant in scope, as request_search_ids (0012_inbox_scale); EXECUTE plans
# it with the tenant's own statistics.
NAME_IS_COMMON = """
CREATE FUNCTION request_name_is_common(name_part text, sample integer, enough integer)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    tenant integer := NULLIF(current_setting('app.tenant_id', true), '')::integer;
    hits integer;
BEGIN
    EXECUTE 'SELECT count(*) FROM (SELECT name_search FROM data_request WHERE tenant_id = $1 '
            'ORDER BY tenant_id, due_on, id LIMIT $2) first WHERE name_search LIKE $3'
        INTO hits USING tenant, sample, name_part;
    RETURN hits >= enough;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NAME_IS_COMMON)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION request_name_is_common(text, integer, integer)")
