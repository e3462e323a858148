"""operator role: only a role in seloste_operator can open every tenant's rows

Revision ID: 0013_operator_rls
Revises: 0009_truthful_notices
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import _ALL, OPERATOR_ALL, OPERATOR_ROLE, rewrite_policies

revision = "0013_operator_rls"
down_revision = "0009_truthful_notices"
branch_labels = None
depends_on = None


def _need_operator_role(bind) -> None:
    if bind.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": OPERATOR_ROLE}):
        return
    allowed = bind.scalar(
        sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    )
    if not allowed:
        raise RuntimeError(
            f"the migration needs the role {OPERATOR_ROLE}: run CREATE ROLE {OPERATOR_ROLE} NOLOGIN "
            "as a superuser (see deploy/postgres-roles.sql), or give the migrating role CREATEROLE"
        )
    # NOLOGIN: a role that may work across tenants logs in as itself and is granted this one.
    op.execute(f"CREATE ROLE {OPERATOR_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _need_operator_role(bind)
    # The operator's members read and write every table as the app does (migrations/env.py grants
    # the same to the app role after each upgrade).
    op.execute(f"GRANT USAGE ON SCHEMA public TO {OPERATOR_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {OPERATOR_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {OPERATOR_ROLE}")
    op.execute(f"REVOKE ALL ON alembic_version FROM {OPERATOR_ROLE}")
    rewrite_policies(OPERATOR_ALL)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    rewrite_policies(_ALL)
    # The role stays (it is the cluster's, and other databases may use it); its rights here go.
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {OPERATOR_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {OPERATOR_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {OPERATOR_ROLE}")
