"""The tenant guard: filters by tenant, fails closed, refuses cross-tenant writes; RLS on PostgreSQL."""

import pytest
from sqlalchemy import event, func, select, text

from tenants.errors import TenantScopeMissing
from tenants.models import Invitation, Membership, Tenant, User
from tenants.scoping import scoped_to, set_scope, unscoped

from .conftest import now


@pytest.fixture
def two_tenants(make_owner):
    a_user, a = make_owner("anna@a.fi", "A Oy")
    b_user, b = make_owner("bertil@b.fi", "B Ab")
    return a_user, a, b_user, b


def test_query_without_tenant_fails_closed(session, two_tenants):
    with pytest.raises(TenantScopeMissing):
        session.scalars(select(Membership)).all()


def test_scope_limits_rows_to_one_tenant(session, two_tenants):
    a_user, a, b_user, b = two_tenants
    set_scope(session, tenant_id=a.id)
    rows = session.scalars(select(Membership)).all()
    assert [m.tenant_id for m in rows] == [a.id]
    # Even asking for B's rows by id finds nothing.
    assert session.scalars(select(Membership).where(Membership.tenant_id == b.id)).all() == []


def test_user_scope_sees_own_memberships_in_every_tenant(session, make_owner):
    user, a = make_owner("multi@x.fi", "A Oy")
    _, b = make_owner("other@x.fi", "B Oy")
    with unscoped(session):
        from tenants.accounts import add_member

        add_member(session, b.id, user.id, "handler", now())
    session.commit()
    set_scope(session, user_id=user.id)
    tenants = sorted(m.tenant_id for m in session.scalars(select(Membership)))
    assert tenants == sorted([a.id, b.id])
    # Scoped to tenant A, the user still sees their own B membership but not B's other members.
    set_scope(session, tenant_id=a.id, user_id=user.id)
    visible = {(m.tenant_id, m.user_id) for m in session.scalars(select(Membership))}
    assert (b.id, user.id) in visible
    assert all(t == a.id or u == user.id for t, u in visible)


def test_writing_another_tenants_row_is_refused(session, two_tenants):
    a_user, a, b_user, b = two_tenants
    set_scope(session, tenant_id=a.id)
    session.add(Invitation(tenant_id=b.id, email="x@y.fi", role="handler", created_at=now()))
    with pytest.raises(TenantScopeMissing):
        session.flush()
    session.rollback()


def test_unscoped_sees_every_tenant(session, two_tenants):
    with unscoped(session):
        assert len(session.scalars(select(Membership)).all()) == 2
    with pytest.raises(TenantScopeMissing):
        session.scalars(select(Membership)).all()


def test_counts_and_joins_are_filtered(session, two_tenants):
    a_user, a, b_user, b = two_tenants
    with scoped_to(session, a.id):
        assert session.scalar(select(func.count(Membership.id))) == 1
        joined = session.scalars(select(Tenant.name).join(Membership, Membership.tenant_id == Tenant.id))
        assert joined.all() == ["A Oy"]


def test_select_from_and_subqueries_are_filtered(session, two_tenants):
    a_user, a, b_user, b = two_tenants
    with scoped_to(session, a.id):
        assert session.scalar(select(func.count()).select_from(Membership)) == 1
        users = session.scalars(select(User.email).where(User.id.in_(select(Membership.user_id))))
        assert users.all() == ["anna@a.fi"]
    with pytest.raises(TenantScopeMissing):
        session.scalar(select(func.count()).select_from(Membership))


def test_a_statement_built_once_is_filtered_by_the_scope_of_each_run(session, two_tenants):
    """The guard remembers which models a statement reads, not the filter it added: one statement run in
    A, in B, with no tenant and unscoped sees A's, B's, no and every tenant's memberships."""
    a_user, a, b_user, b = two_tenants
    built_once = (
        select(Membership.tenant_id).join(User, User.id == Membership.user_id).order_by(Membership.tenant_id)
    )
    with scoped_to(session, a.id):
        assert session.scalars(built_once).all() == [a.id]
    with scoped_to(session, b.id):
        assert session.scalars(built_once).all() == [b.id]
    with pytest.raises(TenantScopeMissing):
        session.scalars(built_once).all()
    session.rollback()
    with unscoped(session):
        assert session.scalars(built_once).all() == sorted([a.id, b.id])
    # A model read only in a subquery is found in a statement run twice.
    counted = select(func.count()).select_from(select(Membership.id).subquery())
    with scoped_to(session, a.id):
        assert session.scalar(counted) == session.scalar(counted) == 1


@pytest.mark.postgresql_only
def test_row_level_security_blocks_raw_sql(backend, session, two_tenants):
    """PostgreSQL backstop: even SQL that bypasses the ORM guard sees one tenant only."""
    a_user, a, b_user, b = two_tenants
    set_scope(session, tenant_id=a.id)
    conn = session.connection()
    # The tests' connection (the operator's login; the app's own role is tested in tests/security/)
    # neither owns the tables nor bypasses row-level security.
    assert conn.scalar(text("SELECT current_user")) != conn.scalar(
        text("SELECT tableowner FROM pg_tables WHERE tablename = 'membership'")
    )
    assert (
        conn.scalar(text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"))
        is False
    )
    tenant_ids = conn.scalars(text("SELECT tenant_id FROM membership")).all()
    assert tenant_ids == [a.id]
    set_scope(session)  # nothing in scope: the database shows nothing
    assert conn.scalars(text("SELECT tenant_id FROM membership")).all() == []
    with pytest.raises(Exception, match="row-level security"):
        with conn.begin_nested():
            set_scope(session, tenant_id=a.id)
            conn.execute(
                text(
                    "INSERT INTO invitation (tenant_id, email, role, created_at) "
                    "VALUES (:t, 'x@y.fi', 'handler', now())"
                ),
                {"t": b.id},
            )


@pytest.mark.postgresql_only
def test_the_scope_is_written_once_per_transaction_and_again_after_a_savepoint_rollback(
    backend, session, two_tenants
):
    """Setting the scope the transaction already holds sends nothing; a rollback to a savepoint undoes
    the settings written inside it, so the next statement writes the scope again."""
    a_user, a, b_user, b = two_tenants
    sent = []

    def listen(conn, cursor, statement, *rest):
        sent.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listen)
    try:
        set_scope(session, tenant_id=a.id)
        session.scalars(select(Membership)).all()
        set_scope(session, tenant_id=a.id)
        set_scope(session, tenant_id=a.id)
        assert sum("set_config" in s for s in sent) == 1
        savepoint = session.begin_nested()
        set_scope(session, tenant_id=b.id)
        savepoint.rollback()  # the database's settings are A's again; the session's scope is B
        rows = session.scalars(select(Membership)).all()
        assert [m.tenant_id for m in rows] == [b.id]
        assert session.connection().scalars(text("SELECT tenant_id FROM membership")).all() == [b.id]
    finally:
        event.remove(engine, "before_cursor_execute", listen)
