"""Defence in depth: the web app's database role cannot open other tenants' rows by itself.

`app.all_tenants` is a setting any role may write. Since migration 0013 it opens every tenant's rows
only for a role in seloste_operator, which the web app's role (seloste_app) is not and cannot make
itself. These tests connect as seloste_app (the rest of the suite sets up as the operator's login).
"""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import create_engine, event, make_url, select, text
from sqlalchemy.orm import Session

from tenants import accounts
from tenants.models import Membership
from tenants.requests import service as requests
from tenants.requests.service import NewRequest
from tenants.scoping import scoped_to, set_scope, unscoped
from webapp import migrate

from ..conftest import PASSWORD, bound_app, login, now
from ..support import SWITCH_LOGIN, drop_postgres, owner_url, prepare_postgres, published_notice

pytestmark = pytest.mark.postgresql_only

# Tables the firm made below has rows in: each must stay closed to the other tenant.
FILLED = {
    "membership",
    "invitation",
    "notice",
    "notice_version",
    "data_request",
    "request_event",
    "request_status_count",
    "outbox_message",
}


@pytest.fixture
def as_app(backend, app_engine):
    """A session as seloste_app in a transaction rolled back after the test."""
    connection = app_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    connection.close()


def _firm(session, email: str, company: str):
    """A firm made as the app makes one (sign-up), with a published notice, a request and an invitation."""
    made = accounts.sign_up(
        session,
        company_name=company,
        business_id="2617416-4",
        name="Omistaja",
        email=email,
        password=PASSWORD,
        language="fi",
        now=now(),
    )
    user, tenant = made.user, made.tenant
    tenant.plan = "pro"  # room for the invited member
    with scoped_to(session, tenant.id, user.id):
        notice, _version = published_notice(session, tenant.id, user.id, today=now().date(), now=now())
        person = NewRequest(type="access", name="Maija Mäki", email="maija@example.fi", details="Kopio")
        requests.submit_request(session, tenant.id, notice.id, person, now=now())
        accounts.invite_member(
            session, tenant.id, by_user_id=user.id, email=f"uusi.{email}", role="handler", now=now()
        )
    session.commit()  # the counters are written at commit
    return user, tenant


def _policy_tables(conn) -> list[str]:
    return conn.scalars(
        text("SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation' ORDER BY tablename")
    ).all()


def _rows_of(conn, table: str, tenant_id: int) -> int:
    # The table's name comes from pg_policies, never from input.
    return conn.scalar(text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"), {"t": tenant_id})  # noqa: S608


def test_the_app_role_setting_all_tenants_sees_no_other_tenant_rows(as_app):
    conn = as_app.connection()
    assert conn.scalar(text("SELECT current_user")) == "seloste_app"
    _, a = _firm(as_app, "omistaja@a-oy.fi", "A Oy")
    _, b = _firm(as_app, "omistaja@b-oy.fi", "B Oy")
    tables = _policy_tables(conn)
    assert FILLED <= set(tables)

    set_scope(as_app, tenant_id=b.id)
    conn = as_app.connection()
    filled = {t for t in tables if _rows_of(conn, t, b.id)}
    assert filled >= FILLED  # B's own rows are there to be seen

    for scope in ({"tenant_id": a.id}, {}):
        set_scope(as_app, **scope)
        conn = as_app.connection()
        conn.execute(text("SELECT set_config('app.all_tenants', 'on', true)"))
        seen = {t: _rows_of(conn, t, b.id) for t in tables}
        assert seen == dict.fromkeys(tables, 0), f"B's rows seen as seloste_app in scope {scope}"
        # Through the ORM's own escape hatch too.
        with unscoped(as_app):
            assert as_app.scalars(select(Membership.tenant_id)).all() == []


def test_the_app_role_cannot_write_into_another_tenant_with_all_tenants_on(as_app):
    _, a = _firm(as_app, "omistaja@a-oy.fi", "A Oy")
    _, b = _firm(as_app, "omistaja@b-oy.fi", "B Oy")
    set_scope(as_app, tenant_id=a.id)
    conn = as_app.connection()
    conn.execute(text("SELECT set_config('app.all_tenants', 'on', true)"))
    with pytest.raises(Exception, match="row-level security"):
        with conn.begin_nested():
            conn.execute(
                text("INSERT INTO request_status_count (tenant_id, status, n) VALUES (:t, 'x', 1)"),
                {"t": b.id},
            )


def test_the_app_role_cannot_make_itself_an_operator(as_app):
    conn = as_app.connection()
    assert conn.scalar(text("SELECT pg_has_role('seloste_operator', 'MEMBER')")) is False
    for statement in ("SET ROLE seloste_operator", "GRANT seloste_operator TO seloste_app"):
        with pytest.raises(Exception, match="permission denied|must have admin option"):
            with conn.begin_nested():
                conn.execute(text(statement))


def test_the_operator_login_sees_every_tenant_only_with_the_setting(session, make_owner):
    """The tests' own set-up path (as the CLI's): a role in seloste_operator, and only when asked."""
    _, a = make_owner("omistaja@a-oy.fi", "A Oy")
    _, b = make_owner("omistaja@b-oy.fi", "B Oy")
    conn = session.connection()
    assert conn.scalar(text("SELECT pg_has_role('seloste_operator', 'MEMBER')")) is True
    with unscoped(session):
        assert {a.id, b.id} <= set(session.scalars(select(Membership.tenant_id)).all())
    set_scope(session, tenant_id=a.id)
    conn = session.connection()
    assert set(conn.scalars(text("SELECT tenant_id FROM membership")).all()) == {a.id}


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def switch_engine(database_url):
    """Connections in both roles: each session picks its role when it begins (SET LOCAL ROLE)."""
    engine = create_engine(make_url(database_url).set(username=SWITCH_LOGIN))
    yield engine
    engine.dispose()


def _begin_as(role: str):
    def begin(session, transaction, connection):
        connection.exec_driver_sql(f"SET LOCAL ROLE {role}")
        assert connection.exec_driver_sql("SELECT current_user").scalar() == role

    return begin


def test_sign_up_verification_login_and_reset_work_as_the_app_role(
    database_url, switch_engine, smtp_server, mailbox
):
    """The web app's sessions as seloste_app; only the outbox sender's as the operator (in production
    the worker, here the delivery after commit): the web paths need no more than the app's role."""
    with bound_app(database_url, switch_engine, smtp_server) as app:
        database = app.extensions["seloste_db"]
        event.listen(database.sessionmaker, "after_begin", _begin_as("seloste_app"))
        event.listen(database.operator_sessionmaker, "after_begin", _begin_as("seloste_operator"))
        client = app.test_client()
        r = client.post_form(
            "/signup",
            {
                "company_name": "Sovellus Oy",
                "business_id": "2617416-4",
                "name": "Sanna",
                "email": "sanna@sovellus.fi",
                "password": "pitkä salasana 1",
            },
            follow_redirects=True,
        )
        assert r.request.path == "/signup/done"
        verify = _path(mailbox.last("sanna@sovellus.fi").link("/verify/"))
        assert client.get(verify, follow_redirects=True).status_code == 200
        client.post_form("/logout")
        assert login(client, "sanna@sovellus.fi", "pitkä salasana 1").request.path == "/app/"
        client.post_form("/logout")
        assert client.post_form("/reset", {"email": "sanna@sovellus.fi"}).status_code == 200
        reset = _path(mailbox.last("sanna@sovellus.fi").link("/reset/"))
        r = client.post_form(
            reset, {"password": "uusi salasana 42", "confirm": "uusi salasana 42"}, follow_redirects=True
        )
        assert r.request.path == "/login"
        assert login(client, "sanna@sovellus.fi", "uusi salasana 42").request.path == "/app/"


def test_the_app_role_reads_only_its_own_firm_users(as_app):
    a_user, a = _firm(as_app, "omistaja@a-oy.fi", "A Oy")
    b_user, b = _firm(as_app, "omistaja@b-oy.fi", "B Oy")

    def emails(all_tenants=False, **scope):
        set_scope(as_app, **scope)
        conn = as_app.connection()
        if all_tenants:
            conn.execute(text("SELECT set_config('app.all_tenants', 'on', true)"))
        return set(conn.scalars(text("SELECT email FROM user_account")).all())

    assert emails(tenant_id=b.id, user_id=b_user.id) == {"omistaja@b-oy.fi"}  # B's rows are there
    assert emails(tenant_id=a.id, user_id=a_user.id) == {"omistaja@a-oy.fi"}
    assert emails(tenant_id=a.id) == {"omistaja@a-oy.fi"}  # the firm's members
    assert emails(user_id=a_user.id) == {"omistaja@a-oy.fi"}  # one's own row
    assert emails() == set()
    assert emails(tenant_id=a.id, all_tenants=True) == {"omistaja@a-oy.fi"}
    set_scope(as_app, tenant_id=a.id, user_id=a_user.id)
    conn = as_app.connection()
    assert (
        conn.execute(text("UPDATE user_account SET name = 'X' WHERE id = :b"), {"b": b_user.id}).rowcount == 0
    )
    # The one look-up across firms: an address's account id and language, nothing more.
    found = conn.execute(text("SELECT * FROM user_account_for_email('omistaja@b-oy.fi')")).mappings().all()
    assert [dict(r) for r in found] == [{"id": b_user.id, "language": "fi"}]


def test_the_migration_steps_back_to_the_setting_alone_and_forward_again(backend):
    url = prepare_postgres(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_roles")
    engine = create_engine(owner_url(url))
    try:

        def state():
            with engine.connect() as conn:
                policies = conn.execute(
                    text("SELECT tablename, qual FROM pg_policies WHERE policyname = 'tenant_isolation'")
                ).all()
                users = conn.scalar(
                    text("SELECT relrowsecurity FROM pg_class WHERE relname = 'user_account'")
                )
                function = conn.scalar(
                    text("SELECT count(*) FROM pg_proc WHERE proname = 'user_account_for_email'")
                )
            operator = {table for table, qual in policies if "pg_has_role" in qual}
            return len(policies), operator, users, function

        count, operator, users, function = state()
        assert count >= len(FILLED) and len(operator) == count and users and function == 1
        migrate.downgrade(owner_url(url), "0012_inbox_scale")
        assert state() == (count, set(), False, 0)
        migrate.upgrade(owner_url(url), "seloste_app")
        assert state() == (count, operator, True, 1)
    finally:
        engine.dispose()
        drop_postgres(url)


@pytest.mark.parametrize(("login", "works"), [("seloste_app", False), ("seloste_ops", True)])
def test_commands_refuse_an_operator_url_of_a_role_that_cannot_see_every_tenant(
    database_url, smtp_server, login, works
):
    from webapp import create_app

    from ..conftest import app_environ

    operator = make_url(database_url).set(username=login).render_as_string(hide_password=False)
    app = create_app(environ=app_environ(database_url, smtp_server.port, DATABASE_OPERATOR_URL=operator))
    try:
        result = app.test_cli_runner().invoke(args=["outbox", "status"])
    finally:
        app.extensions["seloste_db"].dispose()
    if works:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0
        assert "DATABASE_OPERATOR_URL must name a role in seloste_operator" in str(result.exception)
