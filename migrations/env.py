"""Alembic environment: migrations run as the tables' owner; the app role gets DML rights only."""

from alembic import context
from sqlalchemy import create_engine, pool, text

import tenants.notices.models  # noqa: F401  (registers the notice tables)
import tenants.requests.models  # noqa: F401  (registers the request tables)
from tenants.models import Base

config = context.config
target_metadata = Base.metadata


def _grant_app_role(connection, role: str) -> None:
    if connection.dialect.name != "postgresql" or not role:
        return
    quoted = connection.dialect.identifier_preparer.quote(role)
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    connection.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    )
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    connection.execute(text(f"REVOKE ALL ON alembic_version FROM {quoted}"))


def _grant_operator_role(connection) -> None:
    # The same rights for the operator role (0013), on tables made after it, once it exists.
    if connection.dialect.name != "postgresql":
        return
    if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = 'seloste_operator'")):
        _grant_app_role(connection, "seloste_operator")


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            _grant_app_role(connection, config.attributes.get("app_role", ""))
            _grant_operator_role(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
