"""The schema comes from the migrations alone: one head, matching the models, reversible."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import tenants.notices.models  # noqa: F401  (all tables, for the comparison)
import tenants.requests.models  # noqa: F401
from tenants.models import Base
from webapp import migrate


def test_one_head():
    assert len(migrate.current_heads("sqlite://")) == 1


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    eng = create_engine(url)
    assert set(inspect(eng).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert {"tenant", "user_account", "membership", "invitation", "outbox_message"} <= set(
        inspect(eng).get_table_names()
    )
    eng.dispose()


@pytest.mark.postgresql_only
def test_tenant_owned_tables_have_row_level_security(backend, engine):
    from sqlalchemy import text

    from tenants.models import TenantOwned

    owned = {m.local_table.name for m in Base.registry.mappers if issubclass(m.class_, TenantOwned)}
    with engine.connect() as conn:
        rls = set(conn.scalars(text("SELECT relname FROM pg_class WHERE relrowsecurity")))
        owner = conn.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'membership'"))
        me = conn.scalar(text("SELECT current_user"))
    assert owned <= rls
    assert owner != me  # the app role does not own the tables, so RLS applies to it
