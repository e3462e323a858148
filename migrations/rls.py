"""Row-level security for tenant-owned tables (PostgreSQL only; a no-op elsewhere).

The app sets app.tenant_id / app.user_id / app.all_tenants per transaction with
set_config(..., true); these policies make the database refuse other tenants'
rows even if a query forgot its filter. The app must connect as a role that
does not own the tables (owners bypass RLS).
"""

from alembic import op

_ALL = "current_setting('app.all_tenants', true) = 'on'"
_TENANT = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer"
_USER = "user_id = NULLIF(current_setting('app.user_id', true), '')::integer"


def enable_tenant_rls(table: str, *, also_own_user_rows: bool = False) -> None:
    """Turn on RLS for a table with a tenant_id column (and optionally user_id visibility)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    using = f"{_ALL} OR {_TENANT}" + (f" OR {_USER}" if also_own_user_rows else "")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({using}) WITH CHECK ({_ALL} OR {_TENANT})")


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
    rule = f"{_ALL} OR {_TENANT} OR tenant_id IS NULL"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({rule}) WITH CHECK ({rule})")
