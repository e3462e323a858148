"""The ORM-level tenant guard.

Every ORM query that touches a `TenantOwned` model gets the tenant filter added,
and fails closed (raises) when no tenant is in scope. On PostgreSQL the same
scope is written into the transaction with `set_config(..., true)` so that the
row-level security policies from the migrations apply as a second wall.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Table, event, select, text
from sqlalchemy.orm import Session, with_loader_criteria
from sqlalchemy.sql import visitors

from .errors import TenantScopeMissing
from .models import Base, TenantOwned, User

_SCOPE_KEY = "tenant_scope"
_WRITTEN_KEY = "tenant_scope_written"  # the scope the transaction's settings hold (written at its start)


@dataclass(frozen=True)
class Scope:
    """What a session may see: one tenant, one user's own memberships, or (operators) everything."""

    tenant_id: int | None = None
    user_id: int | None = None
    all_tenants: bool = False


def current_scope(session: Session) -> Scope:
    """The scope the session works in now (empty when never set)."""
    return session.info.get(_SCOPE_KEY, Scope())


def set_scope(session: Session, tenant_id: int | None = None, user_id: int | None = None) -> None:
    """Limit the session to one tenant (and the user's own memberships)."""
    _apply(session, Scope(tenant_id=tenant_id, user_id=user_id))


@contextmanager
def scoped_to(session: Session, tenant_id: int, user_id: int | None = None):
    """Work in one tenant for a block (e.g. the tenant just created), then restore the scope."""
    before = current_scope(session)
    _apply(session, Scope(tenant_id=tenant_id, user_id=user_id))
    try:
        yield session
    finally:
        _apply(session, before)


def with_user(session: Session, user_id: int) -> None:
    """From now on the unit of work acts as this user (in the same tenant, if any): on PostgreSQL a
    user's own account row is visible to them. For a log-in, a sign-up or a link that names the user."""
    scope = current_scope(session)
    _apply(session, Scope(tenant_id=scope.tenant_id, user_id=user_id, all_tenants=scope.all_tenants))


def account_for_email(session: Session, email: str) -> tuple[int, str] | None:
    """The id and interface language of the account with this (normalised) address, in any tenant.
    On PostgreSQL through the narrow SECURITY DEFINER function user_account_for_email (migration
    0013_user_rls): the app's role cannot read other tenants' users."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        row = conn.execute(text("SELECT id, language FROM user_account_for_email(:a)"), {"a": email}).first()
    else:
        row = conn.execute(select(User.id, User.language).where(User.email == email)).first()
    return None if row is None else (row[0], row[1])


@contextmanager
def unscoped(session: Session):
    """Operator escape hatch: every tenant's rows, for CLI commands and jobs only."""
    before = current_scope(session)
    _apply(session, Scope(all_tenants=True))
    try:
        yield session
    finally:
        _apply(session, before)


def across_tenants(session: Session) -> Session:
    """A session that sees every tenant's rows for its whole life (the outbox sender's)."""
    _apply(session, Scope(all_tenants=True))
    return session


def _apply(session: Session, scope: Scope) -> None:
    session.info[_SCOPE_KEY] = scope
    # The same scope as the transaction's settings already hold needs no statement.
    if session.in_transaction() and session.info.get(_WRITTEN_KEY) != scope:
        _write_settings(session, scope)


def _write_settings(session: Session, scope: Scope, connection=None) -> None:
    conn = connection if connection is not None else session.connection()
    session.info[_WRITTEN_KEY] = scope
    if conn.dialect.name != "postgresql":
        return
    conn.execute(
        text(
            "SELECT set_config('app.tenant_id', :t, true), "
            "set_config('app.user_id', :u, true), "
            "set_config('app.all_tenants', :a, true)"
        ),
        {
            "t": "" if scope.tenant_id is None else str(scope.tenant_id),
            "u": "" if scope.user_id is None else str(scope.user_id),
            "a": "on" if scope.all_tenants else "",
        },
    )


@event.listens_for(Session, "after_begin")
def _scope_transaction(session, transaction, connection):
    # Always write, so a pooled connection never carries an earlier transaction's scope.
    session.info.pop(_WRITTEN_KEY, None)
    _write_settings(session, current_scope(session), connection)


@event.listens_for(Session, "after_soft_rollback")
def _settings_unknown(session, previous_transaction):
    # A rollback to a savepoint also undoes the settings written since it: write them again next time.
    session.info.pop(_WRITTEN_KEY, None)


def _owned_classes(state) -> frozenset[type]:
    """Tenant-owned models anywhere in the statement: entities, joins, select_from, subqueries.

    Kept for as long as the statement object lives: statements are immutable (every change makes a
    new object), so one built once and run again and again, such as the user a logged-in page reads
    first, is walked once."""
    by_table = _owned_by_table()
    statement = state.statement
    found = _OWNED_IN.get(statement)
    if found is None:
        classes = {m.class_ for m in state.all_mappers if issubclass(m.class_, TenantOwned)}
        for element in visitors.iterate(statement):
            if isinstance(element, Table) and element.name in by_table:
                classes.add(by_table[element.name])
        found = _OWNED_IN[statement] = frozenset(classes)
    return found


_OWNED_BY_TABLE: dict[str, type] = {}
_MAPPERS_SEEN = [0]
_OWNED_IN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _owned_by_table() -> dict[str, type]:
    mappers = Base.registry.mappers
    if len(mappers) != _MAPPERS_SEEN[0]:  # a model module was imported since the last look
        _OWNED_BY_TABLE.clear()
        _OWNED_IN.clear()
        for mapper in mappers:
            if issubclass(mapper.class_, TenantOwned):
                _OWNED_BY_TABLE[mapper.local_table.name] = mapper.class_
        _MAPPERS_SEEN[0] = len(mappers)
    return _OWNED_BY_TABLE


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state):
    if state.is_column_load:
        return
    if _WRITTEN_KEY not in state.session.info and state.session.in_transaction():
        _write_settings(state.session, current_scope(state.session))  # after a rollback to a savepoint
    scope = current_scope(state.session)
    if scope.all_tenants:
        return
    owned = _owned_classes(state)
    if not owned:
        return
    if scope.tenant_id is None and scope.user_id is None:
        # Without a tenant, only the platform's own rows of a model that has them can be read.
        tenant_only = [c for c in owned if not c.platform_rows]
        if tenant_only:
            names = ", ".join(sorted(c.__name__ for c in tenant_only))
            raise TenantScopeMissing(f"query of {names} without a tenant in scope")
    for cls in owned:
        state.statement = state.statement.options(
            with_loader_criteria(
                cls, cls.tenant_criteria(scope.tenant_id, scope.user_id), include_aliases=True
            )
        )


@event.listens_for(Session, "before_flush")
def _check_new_rows(session, flush_context, instances):
    scope = current_scope(session)
    if scope.all_tenants:
        return
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, TenantOwned) and obj.tenant_id != scope.tenant_id:
            if obj.tenant_id is None and obj.platform_rows:
                continue  # the platform's own row (e.g. sign-up mail), written in any scope
            raise TenantScopeMissing(
                f"writing a {type(obj).__name__} of another tenant than the one in scope"
            )
