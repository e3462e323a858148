"""The database engine and the per-request unit of work.

One session per request lives on `g`; it is committed after a successful view
and rolled back on error or teardown. Code in `tenants/` only flushes.
"""

from __future__ import annotations

import select

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

import tenants.snapshots  # noqa: F401  (every public change queues a snapshot job)
from tenants.scoping import across_tenants, set_scope


class Database:
    """Engine and session factory, built once per app; operator work (commands, jobs, the outbox
    sender) gets sessions of its own, on DATABASE_OPERATOR_URL when that names another role."""

    def __init__(self, url: str, operator_url: str | None = None):
        self.url = url
        self.engine = _engine(url)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.operator_url = operator_url or url
        self.operator_engine = self.engine if self.operator_url == url else _engine(self.operator_url)
        self.operator_sessionmaker = sessionmaker(bind=self.operator_engine, expire_on_commit=False)

    def new_session(self) -> Session:
        """A fresh session as the app's role (scoped by whoever uses it)."""
        return self.sessionmaker()

    def operator_session(self) -> Session:
        """A session across every tenant, as the operator's role: only on PostgreSQL a role in
        seloste_operator makes every tenant's rows visible (migration 0013)."""
        return across_tenants(self.operator_sessionmaker())

    def check_operator(self) -> None:
        """Refuse, with a message that says what to set, to work across tenants as a role that cannot
        (PostgreSQL): the app's role would see no tenant's rows and, say, leave their mail unsent."""
        if self.operator_engine.dialect.name != "postgresql":
            return
        with self.operator_sessionmaker() as session:
            able = session.connection().scalar(
                text("SELECT pg_has_role(current_user, 'seloste_operator', 'MEMBER')")
            )
        if not able:
            raise RuntimeError(
                "DATABASE_OPERATOR_URL must name a role in seloste_operator (e.g. seloste_ops, see "
                "deploy/postgres-roles.sql): the commands, jobs and outbox sender work across tenants"
            )

    def dispose(self) -> None:
        """Close every pooled connection (both engines)."""
        self.engine.dispose()
        if self.operator_engine is not self.engine:
            self.operator_engine.dispose()


def _engine(url: str):
    """An engine as the app uses it (no server-side prepared statements on PostgreSQL)."""
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # No ping (a round trip) before each use: `_discard_closed` finds a connection the server
        # closed without asking it anything.
        kwargs.update(pool_size=5, max_overflow=10)
        if url.startswith("postgresql+psycopg"):
            # No server-side prepared statements: a statement prepared on a connection gets a
            # generic plan after five runs, one that cannot know which tenant it is for, and a
            # plan fit for a tenant of a hundred requests reads all of a tenant's million. It also
            # lets PgBouncer in transaction mode hand each transaction another server connection.
            kwargs["connect_args"] = {"prepare_threshold": None}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _sqlite_pragmas(engine)
    else:
        _discard_closed(engine)
    return engine


def _discard_closed(engine):
    """A pooled connection is taken only while the server still holds it open.

    An idle connection has nothing to read: when its socket has something (the server's goodbye after
    a restart or pg_terminate_backend, or the end of the stream), the server has closed it, and the
    pool throws it away and takes or opens another (DisconnectionError), as a ping before each use
    would, but without a round trip to the server on every request."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, _record, _proxy):
        if _closed_by_server(dbapi_conn):
            raise DisconnectionError("the server closed this pooled connection")


def _closed_by_server(dbapi_conn) -> bool:
    if getattr(dbapi_conn, "closed", False):
        return True
    try:
        fd = dbapi_conn.fileno()
    except Exception:  # the driver has no socket to look at: nothing to tell
        return False
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _sqlite_pragmas(engine):
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (needed for savepoints).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> Database:
    """Create the engine for the app and close the request's session on teardown."""
    database = Database(app.config["DATABASE_URL"], app.config["DATABASE_OPERATOR_URL"])
    app.extensions["seloste_db"] = database

    @app.teardown_appcontext
    def _close(exc):
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()

    return database


def database() -> Database:
    """The current app's Database."""
    return current_app.extensions["seloste_db"]


def db() -> Session:
    """The session of the current request (created on first use, in the request's tenant scope)."""
    if "db_session" not in g:
        g.db_session = database().new_session()
        if "db_scope" in g:
            set_scope(g.db_session, *g.db_scope)
    return g.db_session


def use_scope(tenant_id: int | None, user_id: int | None = None) -> None:
    """The tenant (and user) this request works as, for its session now or when it is first used.
    Called by webapp.tenancy only, which decides the tenant once per request."""
    g.db_scope = (tenant_id, user_id)
    if "db_session" in g:
        set_scope(g.db_session, tenant_id, user_id)


def use_user(user_id: int | None) -> None:
    """Act as this user (the session's, from its cookie) in the tenant already in scope, if any."""
    tenant_id = g.db_scope[0] if "db_scope" in g else None
    use_scope(tenant_id, user_id)


def use_tenant(tenant_id: int | None) -> None:
    """Work in this tenant as the user already in scope, if any."""
    user_id = g.db_scope[1] if "db_scope" in g else None
    use_scope(tenant_id, user_id)


def commit_request() -> bool:
    """Commit the request's unit of work, if it opened one; True when it queued mail."""
    session = g.get("db_session")
    if session is None:
        return False
    queued = session.info.pop("outbox_queued", False)
    session.commit()
    return queued


def rollback_request() -> None:
    """Discard the request's unit of work, if it opened one (and any mail it queued)."""
    session = g.get("db_session")
    if session is not None:
        session.info.pop("outbox_queued", None)
        session.rollback()
