"""Fixtures: every test runs on SQLite and on PostgreSQL, inside a transaction rolled back after it."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from tenants import accounts
from tenants.scoping import unscoped
from webapp import create_app
from webapp.db import Database

from .support import Mailbox, answered_notice, csrf_from, operator_url, prepare_postgres, prepare_sqlite

PASSWORD = "correct horse battery"
BACKENDS = ["sqlite", "postgresql"]


ONLY_ON = {"postgresql_only": "postgresql", "sqlite_only": "sqlite"}


def pytest_collection_modifyitems(config, items):
    """Tests marked postgresql_only (sqlite_only) run once, on that backend, instead of skipping on the other."""
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        backend = params.params.get("backend") if params is not None else None
        elsewhere = backend is not None and any(
            item.get_closest_marker(marker) and backend != only for marker, only in ONLY_ON.items()
        )
        (drop if elsewhere else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    """The name of the database backend this test runs on."""
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    """A migrated database of the backend, built by the migrations."""
    if backend == "sqlite":
        return prepare_sqlite(tmp_path_factory.mktemp("db") / "seloste.db")
    return prepare_postgres(_worker())


@pytest.fixture(scope="session")
def engine(database_url):
    """One engine per backend for the whole run, connecting as the tests' set-up does: on PostgreSQL
    as a role in seloste_operator (the CLI's DATABASE_OPERATOR_URL), so `unscoped` opens every
    tenant; the app's own role cannot (see app_engine and tests/security/test_operator_role.py)."""
    database = Database(operator_url(database_url))
    yield database.engine
    database.dispose()


@pytest.fixture(scope="session")
def app_engine(database_url):
    """An engine connecting as the web app's role (on PostgreSQL: seloste_app, in no operator role)."""
    database = Database(database_url)
    yield database.engine
    database.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback for the whole run."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """The SMTP server's messages, emptied for this test."""
    smtp_server.clear()
    return smtp_server


# Where the apps of this test process keep the files they store (attachments); removed at its end.
STORAGE_DIR = os.path.join(tempfile.gettempdir(), f"seloste-test-files-{os.getpid()}")


@pytest.fixture(scope="session", autouse=True)
def _stored_files_go_with_the_run():
    yield
    shutil.rmtree(STORAGE_DIR, ignore_errors=True)


def app_environ(database_url: str, smtp_port: int, **extra) -> dict:
    """Environment for create_app in tests."""
    env = {
        "SELOSTE_ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "DATABASE_OPERATOR_URL": operator_url(database_url),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "MAIL_TRANSPORT": "smtp",
        "MAIL_FROM": "Seloste <no-reply@seloste.test>",
        "MAIL_DELIVER_AFTER_COMMIT": "1",
        "RATELIMIT_ENABLED": "0",
        "BASE_URL": "http://localhost",
        "STORAGE_BACKEND": "local",
        "STORAGE_DIR": STORAGE_DIR,
    }
    env.update(extra)
    return env


class Client(FlaskClient):
    """A test client that fills in the CSRF token like a browser would."""

    def csrf_token(self) -> str:
        """A valid token for this client's session (from any rendered page)."""
        return csrf_from(self.get("/signup" if not self._logged_in() else "/app/").get_data(as_text=True))

    def _logged_in(self) -> bool:
        with self.session_transaction() as sess:
            return "_user_id" in sess

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a CSRF token."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def app(database_url, engine, smtp_server):
    """The app, bound to one connection whose outer transaction is rolled back after the test."""
    with bound_app(database_url, engine, smtp_server) as application:
        yield application


def bind_to(application, connection) -> Database:
    """Make the app's sessions, the app role's and the operator's, join the connection's transaction."""
    database = application.extensions["seloste_db"]
    for maker in (database.sessionmaker, database.operator_sessionmaker):
        maker.configure(bind=connection, join_transaction_mode="create_savepoint")
    return database


@contextmanager
def bound_app(database_url, engine, smtp_server, **extra_env):
    """An app whose sessions join one connection's outer transaction, rolled back at the end."""
    # create_app forgets the pages and resolutions cached from earlier tests' (rolled back) rows
    application = create_app(environ=app_environ(database_url, smtp_server.port, **extra_env))
    application.test_client_class = Client
    connection = engine.connect()
    outer = connection.begin()
    database = bind_to(application, connection)
    try:
        yield application
    finally:
        outer.rollback()
        connection.close()
        database.dispose()


@pytest.fixture
def client(app, mailbox):
    """A browser-like client."""
    return app.test_client()


@pytest.fixture
def session(app):
    """A session in the test's transaction, for arranging data and checking results."""
    s = app.extensions["seloste_db"].new_session()
    yield s
    s.close()


def now() -> datetime:
    """Timezone-aware UTC now."""
    return datetime.now(UTC)


@pytest.fixture
def make_owner(session):
    """Create a verified user who owns a new tenant (on Pro unless plan='free'): make_owner('a@x.fi', 'Firm Oy')."""

    def make(
        email: str, company: str = "Testiyritys Oy", business_id: str = "2617416-4", language="fi", plan="pro"
    ):
        with unscoped(session):
            user = accounts.create_user(
                session,
                email=email,
                name=email.split("@")[0].title(),
                password=PASSWORD,
                language=language,
                now=now(),
                verified=True,
            )
            tenant = accounts.create_tenant(session, name=company, business_id=business_id, now=now())
            tenant.plan = plan  # most tests exercise features; plan limits have tests of their own
            accounts.add_member(session, tenant.id, user.id, "owner", now())
        session.commit()
        return user, tenant

    return make


def login(client, email: str, password: str = PASSWORD):
    """Log in through the form; returns the response after redirects."""
    response = client.post_form("/login", {"email": email, "password": password}, follow_redirects=True)
    assert response.status_code == 200
    return response


@pytest.fixture
def notice_firm(make_owner, session):
    """Rantakahvila Oy, its owner, and a ready (not yet published) fi+en customer-register notice."""
    from tenants.scoping import scoped_to

    user, tenant = make_owner("olli@rantakahvila.fi", "Rantakahvila Oy")
    with scoped_to(session, tenant.id, user.id):
        notice = answered_notice(session, tenant.id, user.id, languages=["fi", "en"], now=now())
    session.commit()
    return user, tenant, notice


def ident(row) -> int:
    """A row's id without loading it: after a rollback a user's row only loads in a scope that
    shows it (row-level security on user_account), and the tests' session often has none."""
    from sqlalchemy import inspect

    return inspect(row).identity[0]


def publish_version(session, firm, *, today, prepared_on=None, note="", edit=None, allow_incomplete=False):
    """Publish the firm's notice (optionally editing the draft first); returns the new version."""
    from tenants.notices import publishing, service
    from tenants.scoping import scoped_to
    from webapp import page_cache as cache

    user, tenant, notice = firm
    with scoped_to(session, ident(tenant), ident(user)):
        if edit:
            draft = service.draft_of(notice)
            edit(draft)
            service.save_draft(session, tenant.id, notice.id, draft, step=None, now=now())
        version = publishing.publish(
            session,
            tenant.id,
            notice.id,
            by_user_id=ident(user),
            prepared_on=prepared_on,
            change_note=note,
            today=today,
            now=now(),
            allow_incomplete=allow_incomplete,
        )
    session.commit()
    cache.forget_resolutions()
    return version
