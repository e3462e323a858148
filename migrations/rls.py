"""Row-level security for tenant-owned tables (PostgreSQL only; a no-op elsewhere).

The app sets app.tenant_id / app.user_id / app.all_tenants per transaction with
set_config(..., true); these policies make the database refuse other tenants'
rows even if a query forgot its filter. The app must connect as a role that
does not own the tables (owners bypass RLS).
"""

from alembic import op

# Until 0013 the setting alone let a transaction see every tenant; the helpers below are what the
# migrations 0001-0012 ran (a migration does not change when the code does). 0013 rewrites the
# policies with OPERATOR_ALL: the setting counts only for a role in OPERATOR_ROLE.
_ALL = "current_setting('app.all_tenants', true) = 'on'"
OPERATOR_ROLE = "seloste_operator"
OPERATOR_ALL = f"({_ALL} AND pg_has_role(current_user, '{OPERATOR_ROLE}', 'MEMBER'))"
_TENANT = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer"
_USER = "user_id = NULLIF(current_setting('app.user_id', true), '')::integer"
# From 0016 the policies read each setting once per statement: as a sub-select the planner runs it
# once (an InitPlan) and compares every row with its result, where a call in the rule itself is
# made again for each row a statement reads (a search walking thousands of requests paid for it).
OPERATOR_ALL_ONCE = f"(SELECT {OPERATOR_ALL})"
TENANT_ONCE = "tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer)"
USER_ONCE = "user_id = (SELECT NULLIF(current_setting('app.user_id', true), '')::integer)"


def tenant_policy(
    table: str,
    *,
    also_own_user_rows: bool = False,
    every: str = _ALL,
    tenant: str = _TENANT,
    user: str = _USER,
) -> str:
    """CREATE POLICY tenant_isolation for a table with a tenant_id column; `every` is the clause that
    opens every tenant's rows, `tenant` (and `user`) the rule for the tenant (and user) in scope."""
    using = f"{every} OR {tenant}" + (f" OR {user}" if also_own_user_rows else "")
    return f"CREATE POLICY tenant_isolation ON {table} USING ({using}) WITH CHECK ({every} OR {tenant})"


def platform_rows_policy(table: str, *, every: str = _ALL, tenant: str = _TENANT) -> str:
    """CREATE POLICY tenant_isolation for a table that also holds rows of no tenant."""
    rule = f"{every} OR {tenant} OR tenant_id IS NULL"
    return f"CREATE POLICY tenant_isolation ON {table} USING ({rule}) WITH CHECK ({rule})"


def enable_tenant_rls(table: str, *, also_own_user_rows: bool = False) -> None:
    """Turn on RLS for a table with a tenant_id column (and optionally user_id visibility)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(tenant_policy(table, also_own_user_rows=also_own_user_rows))


def disable_tenant_rls(table: str) -> None:
    """Undo enable_tenant_rls."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def enable_tenant_rls_with_platform_rows(table: str) -> None:
    """RLS for a table whose rows belong to one tenant or, with tenant_id NULL, to no tenant (platform
    rows such as sign-up mail): a tenant's rows stay invisible to every other tenant."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(platform_rows_policy(table))


# The tables 0013_operator_rls gave a tenant_isolation policy, and how each policy is made; the
# migrations that rewrite the policies (0013, 0016) rewrite these. The list stays as it is: a table
# made later gets its policy from its own migration (listed here, 0013 would look for it before it
# exists).
TENANT_TABLES = {
    "membership": {"also_own_user_rows": True},
    "invitation": {},
    "notice": {},
    "notice_version": {},
    "notice_slug_alias": {},
    "data_request": {},
    "request_event": {},
    "tenant_event": {},
    "request_status_count": {},
}
PLATFORM_ROW_TABLES = ("outbox_message",)


def rewrite_policies(every: str, tenant: str = _TENANT, user: str = _USER) -> None:
    """Make every tenant_isolation policy again with these rules."""
    for table, options in TENANT_TABLES.items():
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        op.execute(tenant_policy(table, every=every, tenant=tenant, user=user, **options))
    for table in PLATFORM_ROW_TABLES:
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        op.execute(platform_rows_policy(table, every=every, tenant=tenant))
