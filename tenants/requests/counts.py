"""How many requests each tenant has in each status, kept as counters instead of counted.

Every status a request takes goes through `set_status` (and a new request through `count_new`): the
request row and the counter row change in the same transaction, so the counts never drift from the
requests. The counters are keyed by the status string, so a status added later is counted with no
change here. A status written any other way is refused at flush (`_refuse_uncounted_changes`).

`set_status` changes the row only if it still holds the status the caller read: of two members
closing the same request at once, one succeeds and the other is told the request already changed,
and the counters move once. The changes to the counters are gathered and written when the
transaction commits, by one upsert built once per process, rows in (tenant, status) order: a counter row is
locked only for the moment of the commit, and two transactions moving requests in opposite
directions never wait for each other in a cycle.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, Select, bindparam, event, func, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history, set_committed_value

from ..errors import ValidationFailed
from ..scoping import current_scope
from .models import DataRequest, RequestStatusCount

_COUNTED = "_seloste_counted_status"  # on a request: the status the counters already hold for it
_PENDING = "request_status_count_pending"  # in session.info: {(tenant_id, status): change}
_AT_SAVEPOINT = "request_status_count_at_savepoint"  # in session.info: {savepoint: pending then}


def _add(session: Session, tenant_id: int, deltas: dict[str, int]) -> None:
    """Remember the change; it is written when the transaction commits (or before counts are read)."""
    pending = session.info.setdefault(_PENDING, {})
    for status, delta in deltas.items():
        pending[(tenant_id, status)] = pending.get((tenant_id, status), 0) + delta


_UPSERT: dict[str, object] = {}  # per dialect: the counter upsert, built once


def _upsert(dialect: str):
    """INSERT .. ON CONFLICT DO UPDATE adding `n` to a (tenant, status) counter, with bound values."""
    stmt = _UPSERT.get(dialect)
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        table = RequestStatusCount.__table__
        base = upsert(table).values(
            tenant_id=bindparam("tenant_id"), status=bindparam("status"), n=bindparam("n")
        )
        stmt = _UPSERT[dialect] = base.on_conflict_do_update(
            index_elements=["tenant_id", "status"], set_={"n": table.c.n + base.excluded.n}
        )
    return stmt


def _write_pending(session: Session) -> None:
    """Write the remembered changes, rows in (tenant, status) order."""
    pending = session.info.pop(_PENDING, None)
    rows = [{"tenant_id": t, "status": s, "n": n} for (t, s), n in sorted((pending or {}).items()) if n]
    if not rows:
        return
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    stmt = _upsert(conn.dialect.name)

    def upsert_rows(rows):
        conn.execute(stmt, rows if len(rows) > 1 else rows[0])

    if not postgres:
        upsert_rows(rows)
        return
    # At commit the scope may be another than the one the requests were changed in (those rows passed
    # row-level security when written): each tenant's counters are written in that tenant's scope
    # (the app's role cannot open every tenant at once), then the scope is put back as it was. When
    # the transaction already works in the one tenant whose counters change (a submission, a member's
    # change), its counters are written as they are: no statement to switch the scope and back.
    tenants = {row["tenant_id"] for row in rows}
    scope = current_scope(session)
    if not scope.all_tenants and tenants == {scope.tenant_id}:
        upsert_rows(rows)
        return
    before = conn.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar()
    for tenant_id in sorted(tenants):
        conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        upsert_rows([row for row in rows if row["tenant_id"] == tenant_id])
    conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": before or ""})


@event.listens_for(Session, "before_commit")
def _write_before_commit(session):
    _write_pending(session)
    session.info.pop(_AT_SAVEPOINT, None)


@event.listens_for(Session, "after_transaction_create")
def _remember_at_savepoint(session, transaction):
    if transaction.nested:
        session.info.setdefault(_AT_SAVEPOINT, {})[transaction] = dict(session.info.get(_PENDING, {}))


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session, previous_transaction):
    if previous_transaction.nested:  # back to what was pending when the savepoint began
        session.info[_PENDING] = session.info.get(_AT_SAVEPOINT, {}).pop(previous_transaction, {})
    else:
        session.info.pop(_PENDING, None)
        session.info.pop(_AT_SAVEPOINT, None)


def count_new(session: Session, request: DataRequest) -> None:
    """Count a request about to be stored (in its initial status, which must be set)."""
    if request.status is None:
        raise ValueError("a new request needs its status before it is counted")
    _add(session, request.tenant_id, {request.status: 1})
    setattr(request, _COUNTED, request.status)


def set_status(session: Session, request: DataRequest, status: str) -> None:
    """Give a stored request `status`, moving the counters with it in the same transaction.

    Raises ValidationFailed('illegal_transition') when the row no longer holds the status the request
    was read with (someone changed it meanwhile); nothing is changed then."""
    before = request.status
    if status == before:
        return
    session.flush()  # the row exists and no other change of it is pending before this one
    table = DataRequest.__table__
    changed = session.connection().execute(
        update(table)
        .where(table.c.id == request.id, table.c.tenant_id == request.tenant_id, table.c.status == before)
        .values(status=status)
    )
    if changed.rowcount != 1:
        raise ValidationFailed("illegal_transition")
    set_committed_value(request, "status", status)
    setattr(request, _COUNTED, status)
    _add(session, request.tenant_id, {before: -1, status: 1})


def write_pending(session: Session) -> None:
    """Write this transaction's changes to the counters now, before a statement reads them."""
    _write_pending(session)


def status_counts_select(tenant_id: int | BindParameter) -> Select:
    """(status, how many) for each status the tenant has requests in, as the counters stand in the
    database (write_pending first): for reading together with other small lists in one statement."""
    return select(RequestStatusCount.status, RequestStatusCount.n).where(
        RequestStatusCount.tenant_id == tenant_id, RequestStatusCount.n != 0
    )


def status_counts(session: Session, tenant_id: int) -> dict[str, int]:
    """How many requests the tenant has in each status (statuses with none left out)."""
    write_pending(session)
    return {status: n for status, n in session.execute(status_counts_select(tenant_id))}


def recount(session: Session, tenant_id: int) -> dict[str, int]:
    """The same counts, counted from the requests themselves (slow on a large tenant: for checks)."""
    session.flush()
    rows = session.execute(
        select(DataRequest.status, func.count(DataRequest.id))
        .where(DataRequest.tenant_id == tenant_id)
        .group_by(DataRequest.status)
    ).all()
    return {status: n for status, n in rows}


def rebuild(session: Session) -> int:
    """Replace every counter in scope by a recount (operator repair); returns how many rows it wrote."""
    table = RequestStatusCount.__table__
    session.flush()
    session.info.pop(_PENDING, None)  # the recount includes them
    session.execute(table.delete())
    counted = select(DataRequest.tenant_id, DataRequest.status, func.count(DataRequest.id)).group_by(
        DataRequest.tenant_id, DataRequest.status
    )
    rows = [{"tenant_id": t, "status": s, "n": n} for t, s, n in session.execute(counted)]
    if rows:
        session.execute(insert(table), rows)
    return len(rows)


@event.listens_for(Session, "before_flush")
def _refuse_uncounted_changes(session, flush_context, instances):
    """A request stored or given a status without the counters knowing is a bug: fail loudly."""
    for obj in session.new:
        if isinstance(obj, DataRequest) and (
            obj.status is None or getattr(obj, _COUNTED, None) != obj.status
        ):
            raise RuntimeError("a new request must be counted with counts.count_new")
    for obj in session.dirty:
        if isinstance(obj, DataRequest) and get_history(obj, "status").has_changes():
            raise RuntimeError("a request's status changes only through counts.set_status")
