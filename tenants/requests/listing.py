"""The inbox's list: filters, search and keyset pages in due-date order, as indexed queries.

The order is the practical due date (which never decreases when the legal one does, so the stored
legal `due_on` sorts the same), then id; requests without a due date (unverified, closed unverified,
linked) come last. A page is one statement: the dated rows after the cursor in index order, then the
undated ones, each part limited to a page, so it costs the same on page 1 and on page 2 000.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    any_,
    bindparam,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session

from ..validation import without_control_characters
from . import counts, states
from .deadlines import earliest_due_practically_on_or_after, latest_due_practically_by
from .models import REQUEST_TYPES, DataRequest, folded
from .reference import normalise_reference

SOON_DAYS = 7
# What a row of the list shows, read as plain rows: fifty entities with all their columns cost more
# to build than the statement that finds them.
LIST_COLUMNS = (
    DataRequest.id,
    DataRequest.reference,
    DataRequest.name,
    DataRequest.email,
    DataRequest.type,
    DataRequest.contains_hetu,
    DataRequest.status,
    DataRequest.received_on,
    DataRequest.due_on,
    DataRequest.assignee_id,
)
_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits only, and within a database integer


def parse_id(value) -> int | None:
    """A positive id from what a browser sent, or None ('²', '١', '-1', '1e3' and huge numbers are not ids)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**9 else None
    if isinstance(value, str) and _ID.fullmatch(value):
        number = int(value)
        return number if number > 0 else None
    return None


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to. Every value is already checked (see `filters_from`)."""

    status: str = ""  # '', 'active' (not closed) or a status
    type: str = ""
    notice: int | None = None
    assignee: str = ""  # '', 'me', 'none' or a member's id as text
    due: str = ""  # '', 'soon' or 'overdue'
    q: str = ""

    def as_args(self) -> dict:
        """The filters as query-string arguments (empty ones left out)."""
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def filters_from(args) -> Filters:
    """Filters from a query string; anything unknown or malformed is ignored, never an error."""

    def choice(name, allowed):
        value = args.get(name, "")
        return value if value in allowed else ""

    assignee = args.get("assignee", "")
    if assignee not in ("me", "none"):
        assignee = str(parse_id(assignee)) if parse_id(assignee) else ""
    return Filters(
        status=choice("status", (*states.STATUSES, "active")),
        type=choice("type", REQUEST_TYPES),
        notice=parse_id(args.get("notice", "")),
        assignee=assignee,
        due=choice("due", ("soon", "overdue")),
        q=without_control_characters(args.get("q", "")).strip()[:200],
    )


@dataclass(frozen=True)
class _Compared:
    """What the filters compare with: the values themselves, or the parameters (_PARAMS) that a
    statement built once for its shape of filters is run with."""

    tenant_id: Any
    user_id: Any
    status: Any
    type: Any
    notice: Any
    assignee_id: Any
    not_overdue_from: Any  # the earliest legal due date not yet overdue
    soon_until: Any  # the last legal due date within SOON_DAYS


def _compared(tenant_id: int, f: Filters, today: date, user_id: int | None) -> _Compared:
    # Overdue and due soon go by the practical due date, as legal-date ranges the index answers.
    return _Compared(
        tenant_id=tenant_id,
        user_id=user_id,
        status=f.status,
        type=f.type,
        notice=f.notice,
        assignee_id=int(f.assignee) if f.assignee not in ("", "me", "none") else None,
        not_overdue_from=earliest_due_practically_on_or_after(today),
        soon_until=latest_due_practically_by(today + timedelta(days=SOON_DAYS)),
    )


def _params(tenant_id: int, f: Filters, today: date, user_id: int | None) -> dict[str, Any]:
    """The values of _PARAMS, by name, for running a statement built with them."""
    return dict(vars(_compared(tenant_id, f, today, user_id)))


_PARAMS = _Compared(
    tenant_id=bindparam("tenant_id", type_=Integer),
    user_id=bindparam("user_id", type_=Integer),
    status=bindparam("status", type_=String),
    type=bindparam("type", type_=String),
    notice=bindparam("notice", type_=Integer),
    assignee_id=bindparam("assignee_id", type_=Integer),
    not_overdue_from=bindparam("not_overdue_from", type_=Date),
    soon_until=bindparam("soon_until", type_=Date),
)


def filtered_query(
    tenant_id: int, f: Filters, today: date, user_id: int | None, *, part: str | None = None, search=None
) -> Select:
    """The tenant's requests matching the filters (unordered).

    `search` is `search_condition(f.q, session)` when the caller has looked the search up already
    (once for a page of two parts); without it, the search is compared row by row.

    `part` ("dated" or "undated") narrows "active" to the one status that part can hold (open requests
    always have a due date, unverified ones never), so each part is one status and reads its index."""
    return _filtered(f, _compared(tenant_id, f, today, user_id), part, search)


def _filtered(f: Filters, v: _Compared, part: str | None, search) -> Select:
    """filtered_query, comparing with `v`: which filters apply is `f`'s, their values are `v`'s."""
    q = select(DataRequest).where(DataRequest.tenant_id == v.tenant_id)
    if f.status == "active":
        active = {"dated": (states.OPEN,), "undated": (states.UNVERIFIED,)}.get(
            part, (states.UNVERIFIED, states.OPEN)
        )
        q = q.where(DataRequest.status.in_(active) if len(active) > 1 else DataRequest.status == active[0])
    elif f.status:
        q = q.where(DataRequest.status == v.status)
    if f.type:
        q = q.where(DataRequest.type == v.type)
    if f.notice:
        q = q.where(DataRequest.notice_id == v.notice)
    if f.assignee == "me":
        q = q.where(DataRequest.assignee_id == v.user_id)
    elif f.assignee == "none":
        q = q.where(DataRequest.assignee_id.is_(None))
    elif f.assignee:
        q = q.where(DataRequest.assignee_id == v.assignee_id)
    if f.due == "soon":
        q = q.where(
            DataRequest.status == states.OPEN,
            DataRequest.due_on >= v.not_overdue_from,
            DataRequest.due_on <= v.soon_until,
        )
    elif f.due == "overdue":
        q = q.where(DataRequest.status == states.OPEN, DataRequest.due_on < v.not_overdue_from)
    if f.q:
        q = q.where(search if search is not None else search_condition(f.q))
    return q


def _like_literal(text: str) -> str:
    """`text` for LIKE with '\\' as the escape: what was typed is matched as it is, % and _ too."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# At most this many ids are fetched from the search indexes; a search finding more (a common name)
# is answered by walking the list's index in its order and testing each row, which finds a page soon.
# With 1 000, a name 2 000 of a million requests have was walked for through about 25 000 of them
# (the page took 68-75 ms in process); with its ids, one array, 45-47 ms. A look-up of up to 5 000
# ids costs about 15 ms at most; more than that in a million are one in 200, which a walk finds soon.
SEARCH_IDS = 5000
# A name is common, and walked for without looking its ids up, when at least NAME_COMMON of the
# tenant's first NAME_SAMPLE requests in the list's order have it (one in 200): the walk then finds
# a page within about 10 000 requests, where looking up the ids of so many costs more.
NAME_SAMPLE = 2000
NAME_COMMON = 10
# The sample can misjudge a name: twelve requests someone sent long ago are common among the first
# 2 000 and nowhere else, and a walk for them read every request of the tenant to fill its page (at
# 1 M requests the page's p95 was 1.5-1.7 s over HTTP). So a walk reads at most WALK_BOUND requests
# in the list's order; when that gives no full page, the ids are looked up after all, and only a
# name too common for that is walked to the end. A name common enough to be walked for (one in 200)
# fills a page of 51 within about 10 000 requests; a walk of 20 000 costs about 8 ms.
WALK_BOUND = 20_000


def _search_terms(typed: str) -> dict[str, str]:
    """What a search compares: the reference it would be, an address's beginning, any part of a name."""
    return {
        "reference": normalise_reference(typed),
        "address": _like_literal(typed.lower()) + "%",
        "name": "%" + _like_literal(folded(typed)) + "%",
    }


def _matches(reference, address, name, *, by_address: bool = True, on=DataRequest):
    """The reference, the address's beginning and any part of the name; without the address when what
    was typed cannot begin one. Addresses are stored lower-cased (normalise_email, and DataRequest
    lower-cases what it is given), as what was typed is: they are compared as stored. lower() of
    each address a walk reads took about half of the walk (5 of 11 ms for 20 000 requests); the
    look-up by the address's index (request_search_ids) still reads lower(email), which is the same.
    `on`: where the columns are read (the table, or the rows a bounded walk reads first)."""
    by_name = on.name_search.like(name, escape="\\")
    if not by_address:
        return or_(on.reference == reference, by_name)
    return or_(on.reference == reference, on.email.like(address, escape="\\"), by_name)


def _could_begin_an_address(typed: str) -> bool:
    """Addresses are stored as normalise_email leaves them (or empty), never with whitespace: "Aino
    Mäki" begins none, "aino" may."""
    return not any(ch.isspace() for ch in typed)


def _walked(matches):
    # Very many match: wrapped in CASE, the test has no statistics and the planner takes it to hold
    # for half the rows, so it walks the list's index in order and stops at a page (its estimate from
    # LIKE's statistics is far too low and would read and sort every request).
    return case((matches, true()), else_=false())


def _looked_up(
    terms: dict[str, str], session: Session, *, sampled: bool = True
) -> tuple[str, list[int] | None]:
    """On PostgreSQL, how a search is answered and the ids it found: "ids" (looked up), "walked" (the
    name is common in the start of the list, `sampled`: not looked up) or "walked to the end" (more
    than SEARCH_IDS found)."""
    sample = NAME_SAMPLE if sampled else 0  # of none, no name is common: the ids are looked up
    params = {**terms, "most": SEARCH_IDS + 1, "sample": sample, "common": NAME_COMMON if sampled else 1}
    ids = session.scalar(_search_ids_statement(), params)
    if ids is None:
        return "walked", None
    if len(ids) > SEARCH_IDS:
        return "walked to the end", None
    return "ids", ids


@lru_cache(maxsize=1)
def _search_ids_statement() -> Select:
    # The ids come as one array (fetched as rows, a thousand ids cost the client about twice the
    # processor time), NULL when the name is common: one statement, in which the look-up runs only
    # when the name is not. The array keeps the order request_search_ids gives them in, the list's
    # (see _page_statement). Built once; the terms and the limits are its parameters.
    reference, address, name = (bindparam(k, type_=String) for k in ("reference", "address", "name"))
    found = (
        func.request_search_ids(reference, address, name, bindparam("most", type_=Integer))
        .table_valued("id", with_ordinality="n")
        .render_derived()
    )
    in_order = func.array_agg(aggregate_order_by(found.c.id, found.c.n))
    looked_up = select(func.coalesce(in_order, literal([], ARRAY(Integer)))).scalar_subquery()
    common = func.request_name_is_common(
        name, bindparam("sample", type_=Integer), bindparam("common", type_=Integer)
    )
    return select(case((common, null()), else_=looked_up))


def _postgres(session: Session | None) -> bool:
    return session is not None and session.get_bind().dialect.name == "postgresql"


def _how_searched(terms: dict[str, str], session: Session | None) -> tuple[str, list[int] | None]:
    """How a search is answered, and the ids it found: "ids" (looked up through the indexes),
    "walked" (common in the start of the list) or "walked to the end" (too many to look up: the
    list's index is walked in order), or "matches" (compared row by row: SQLite, or no session)."""
    if not _postgres(session):
        return "matches", None
    return _looked_up(terms, session)


def _search(how: str, terms: dict, ids, by_address: bool):
    """The condition of a search answered `how`; `terms` and `ids` are values or parameters."""
    if how == "ids":
        return DataRequest.id == any_(ids)
    matches = _matches(**terms, by_address=by_address)
    return _walked(matches) if how in ("walked", "walked to the end") else matches


def search_condition(typed: str, session: Session | None = None):
    """What a search finds: the reference exactly, an address by its beginning (so also exactly), a
    name by any part of it; case and accents do not matter ('maki' finds 'Mäki', 'MÄKI' finds 'Maki').

    Given a session on PostgreSQL, the ids are first looked up through the indexes (the reference's
    unique index, (tenant_id, lower(email) text_pattern_ops) and the trigram index on the folded name)
    by request_search_ids: row-level security keeps LIKE and lower() (not leakproof) from reading an
    index in the app's own statements. The function reads them as the tables' owner, within the
    tenant the transaction is scoped to, and the policy still applies to the rows the ids name.
    A name common in the start of the list (request_name_is_common) is not looked up at all."""
    terms = _search_terms(typed)
    how, ids = _how_searched(terms, session)
    # The ids as one array parameter, `id = ANY(...)`: an IN list of a parameter per id cost the page
    # about 20 ms of processor time at 900 ids (rendered, sent and parsed twice, once per part). None
    # found: no id is 0. (A constant false would leave a scan of the whole table in the plan, never
    # run but costed, and a plan that costly is compiled by the JIT first: 30 ms.)
    found = literal(ids or [0], ARRAY(Integer)) if how == "ids" else None
    return _search(how, terms, found, _could_begin_an_address(typed))


def list_page(
    session: Session,
    tenant_id: int,
    f: Filters,
    today: date,
    user_id: int | None,
    after: tuple[date | None, int] | None,
    size: int,
) -> list:
    """One page of the list (rows of LIST_COLUMNS): the tenant's requests matching the filters, after
    the cursor, as page_query and search_condition make it, through a statement built once for each
    shape of filters and cursor and run with their values. Built anew, the statement and the tenant
    guard's walk through it cost about a fifth of the list page's processor time.

    A search for a name common in the start of the list walks at most WALK_BOUND requests; with less
    than a page from them, the page is looked up by ids after all (or walked to the end)."""
    params = _params(tenant_id, f, today, user_id)
    how, by_address = None, True
    if f.q:
        terms = _search_terms(f.q)
        how, ids = _how_searched(terms, session)
        by_address = _could_begin_an_address(f.q)
        params.update(terms, ids=ids or [0], walk_bound=WALK_BOUND)
    cursor = None
    if after is not None:
        cursor = "dated" if after[0] is not None else "undated"
        params.update(after_due=after[0], after_id=after[1])

    def run(how: str | None) -> list:
        return session.execute(_page_statement(_shape(f), how, by_address, cursor, size), params).all()

    if how != "walked":
        return run(how)
    rows = run("walked")
    if len(rows) == size:  # a full page within the bound
        return rows
    # Less than a page: the bound or the end of the list (not told apart), so the ids are looked up
    # (or, too many for that, walked to the end).
    how, ids = _looked_up(terms, session, sampled=False)
    params["ids"] = ids or [0]
    return run(how)


def _shape(f: Filters) -> Filters:
    """Which filters apply, without their values: the key of the statements built once."""
    return Filters(
        status=f.status,
        type="=" if f.type else "",
        notice=1 if f.notice else None,
        assignee=f.assignee if f.assignee in ("", "me", "none") else "=",
        due=f.due,
        q="=" if f.q else "",
    )


@lru_cache(maxsize=512)
def _page_statement(
    shape: Filters, how: str | None, by_address: bool, cursor: str | None, size: int
) -> Select:
    """The page's statement for a shape of filters: `how` the search is answered ("ids", "walked":
    through at most the parameter walk_bound of requests, "walked to the end", "matches").

    Looked up ("ids"), the ids come in the list's order (request_search_ids, 0018): each part reads
    them in that order and stops at a page, one request by its primary key at a time. Compared as
    a set (`id = ANY`), every request they name was read and sorted first (1 000 ids at 1 M
    requests: 3.1 ms, against 0.2 ms). The order is the one the look-up saw, a statement before: a
    request whose due date changed in between is still listed, by its new date within the page."""
    search = walk = ids = None
    if how is not None:
        terms = {k: bindparam(k, type_=String) for k in ("reference", "address", "name")}
        if how == "walked":
            walk = lambda rows: _matches(**terms, by_address=by_address, on=rows)  # noqa: E731
        elif how == "ids":
            ids = bindparam("ids", type_=ARRAY(Integer))
        else:
            search = _search(how, terms, None, by_address)
    after = None
    if cursor is not None:
        due = bindparam("after_due", type_=Date) if cursor == "dated" else None
        after = (due, bindparam("after_id", type_=Integer))
    if walk is not None or ids is not None:
        # The walk compares the rows it reads; the ids are the rows: the filters without the search.
        shape = replace(shape, q="")
    bound = bindparam("walk_bound", type_=Integer) if walk is not None else None
    return page_query(
        lambda part: _filtered(shape, _PARAMS, part, search), after, size, walk=walk, bound=bound, ids=ids
    )


# What needs a member's attention (the dashboard), each as the filters of the inbox view it links to,
# so that a count and the list behind it can never disagree.
ATTENTION: dict[str, Filters] = {
    "open": Filters(status=states.OPEN),
    "soon": Filters(due="soon"),
    "overdue": Filters(due="overdue"),
    "unverified": Filters(status=states.UNVERIFIED),
}
# Counted up to this many and then shown as "more than": a count by due date reads the index entry of
# every request it counts (tens of milliseconds at tens of thousands), the status counts are kept.
ATTENTION_CAP = 999
ATTENTION_BY_STATUS = {"open": states.OPEN, "unverified": states.UNVERIFIED}  # exact: the kept counters


def attention_counts(session: Session, tenant_id: int, today: date, user_id: int | None) -> dict[str, int]:
    """How many requests each of ATTENTION's filters lists: the ones that are a status from the kept
    counters (counts.status_counts), the ones by due date counted up to ATTENTION_CAP + 1 in one
    statement (a count above ATTENTION_CAP means "more than ATTENTION_CAP"), built once and run with
    the tenant and the dates as parameters."""
    by_status = counts.status_counts(session, tenant_id)
    keys, statement = _attention_statement()
    params = _params(tenant_id, Filters(), today, user_id)
    row = session.execute(statement, {**params, "counted": ATTENTION_CAP + 1}).one()
    found = dict(zip(keys, row, strict=True))
    return {
        key: by_status.get(ATTENTION_BY_STATUS[key], 0) if key in ATTENTION_BY_STATUS else found[key]
        for key in ATTENTION
    }


@lru_cache(maxsize=1)
def _attention_statement() -> tuple[list[str], Select]:
    by_due = {
        key: select(func.count())
        .select_from(
            _filtered(f, _PARAMS, None, None)
            .with_only_columns(DataRequest.id)
            .limit(bindparam("counted", type_=Integer))  # a parameter: tests lower the cap
            .subquery()
        )
        .scalar_subquery()
        .label(key)
        for key, f in ATTENTION.items()
        if key not in ATTENTION_BY_STATUS
    }
    return list(by_due), select(*by_due.values())


def encode_cursor(row: DataRequest) -> str:
    """Where the next page starts: after this row."""
    raw = json.dumps([row.due_on.isoformat() if row.due_on else None, row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[date | None, int] | None:
    """The (due date, id) a cursor names, or None for anything malformed."""
    if len(value) > 64:  # ours are about 30 characters; anything longer is not one
        return None
    try:
        due, rid = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        rid = parse_id(rid)
        if rid is None or not (due is None or isinstance(due, str)):
            return None
        return (date.fromisoformat(due) if due else None), rid
    except (ValueError, TypeError, RecursionError):
        return None


def page_query(
    base_for: Callable[[str], Select],
    after: tuple[date | None, int] | None,
    size: int,
    *,
    walk: Callable[[Any], Any] | None = None,
    bound=None,
    ids=None,
) -> Select:
    """One page of `base` in list order, after the cursor: at most `size` rows, in one statement.

    With `walk` (a condition on the columns of the rows it is given), each part is the rows of the
    first `bound` of the part in list order that meet it: a walk that reads at most `bound` requests
    (a page of fewer than `size` rows then says nothing of the rest).

    With `ids` (an array of request ids in list order, or its parameter), each part is the rows of
    `base` among them, read in the array's order: a part stops at a page.

    The two parts select only the keys (id, due date, part), so the union and its subqueries carry
    three columns, not the request's 27, and the rows themselves are joined by primary key to the
    page's ids.

    Dated requests come first, so the undated part is read only when the dated part found less than a
    page: counted from the dated part's rows (a CTE, read once), the test is a one-time filter, and
    the undated part's scan does not run at all when it fails. Before, each part was read to a page
    of its own: for a name one request in 108 has, the undated part's walk read 6 200 index entries
    (6 ms) for rows no page showed."""
    keys = (DataRequest.id, DataRequest.due_on)

    def ordered(part: Select, number: int) -> Select:
        # Ordered by (due_on, id), in the undated part too although due_on is NULL throughout: that is
        # the order of the indexes.
        if walk is None:
            order = (DataRequest.due_on, DataRequest.id)
            if ids is not None:  # the order the ids are given in (the planner knows it needs no sort)
                given = func.unnest(ids).table_valued("id", with_ordinality="n").render_derived()
                part, order = part.join(given, given.c.id == DataRequest.id), (given.c.n,)
            part = part.with_only_columns(*keys, literal(number).label("part"))
            return part.order_by(*order).limit(size)
        compared = (DataRequest.reference, DataRequest.email, DataRequest.name_search)
        read = part.with_only_columns(*keys, *compared).order_by(DataRequest.due_on, DataRequest.id)
        read = read.limit(bound).subquery()
        return (
            select(read.c.id, read.c.due_on, literal(number).label("part"))
            .where(walk(read.c))
            .order_by(read.c.due_on, read.c.id)
            .limit(size)
        )

    parts = []
    dated = None
    if after is None or after[0] is not None:
        dated = base_for("dated").where(DataRequest.due_on.is_not(None))
        if after is not None:
            dated = dated.where(tuple_(DataRequest.due_on, DataRequest.id) > tuple_(after[0], after[1]))
        dated = ordered(dated, 0).cte("dated")
        parts.append(select(dated))
    if walk is not None and dated is not None:
        # Less than a page from the dated part may be the bound's doing: undated rows after it could
        # come before dated ones it did not read. Such a page is not answered by the walk anyway.
        return _joined(parts, size)
    undated = base_for("undated").where(DataRequest.due_on.is_(None))
    if after is not None and after[0] is None:
        undated = undated.where(DataRequest.id > after[1])
    if dated is not None:
        undated = undated.where(select(func.count()).select_from(dated).scalar_subquery() < size)
    parts.append(select(ordered(undated, 1).subquery()))
    return _joined(parts, size)


def _joined(parts: list[Select], size: int) -> Select:
    """The list's rows of a page whose parts give the keys (id, due date, part)."""
    both = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    page = select(both).order_by(both.c.part, both.c.due_on, both.c.id).limit(size).subquery()
    return (
        select(*LIST_COLUMNS)
        .join(page, DataRequest.id == page.c.id)
        .order_by(page.c.part, page.c.due_on, page.c.id)
    )
