"""The contact person's inbox: the list with filters and search, a request's page and one route
per action on it, files, and entering a request that arrived by email, phone or letter."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import BindParameter, Integer, Select, bindparam, func, literal, select, union_all

from tenants import accounts
from tenants.errors import ValidationFailed
from tenants.notices.models import Notice
from tenants.requests import counts, listing, service, states
from tenants.requests.deadlines import expected_due, is_overdue, practical_due_date
from tenants.requests.models import CHANNELS, REQUEST_TYPES, RequestStatusCount

from ..attachments import AttachmentProblem, discard_attachments, send_attachment, store_attachments
from ..db import db
from ..i18n import helsinki_today, localised
from ..labels import HANDLER_TYPE_LABELS
from ..messages import field_errors, message
from ..tenancy import tenant_required
from ..unit_of_work import mark_rollback_only, once_more_on
from .forms import AssignForm, CloseForm, EntryForm, ExtendForm, NoteForm, ReplyForm
from .rows import list_rows, row_html, row_words, urgency
from .timeline import sentence

bp = Blueprint("inbox", __name__, url_prefix="/app/inbox")

PAGE_SIZE = 50
STATUS_LABELS = {
    "unverified": _l("unverified"),
    "open": _l("open"),
    "completed": _l("completed"),
    "refused": _l("refused"),
    "partly_completed": _l("partly completed"),
    "closed_unverified": _l("closed, not verified"),
    "linked": _l("linked to an earlier request"),
}


def _now() -> datetime:
    return datetime.now(UTC)


# The tenant's notices as a choice shows them: (title, id), by title.
NOTICE_ORDER = (Notice.title, Notice.id)


def _notices_select(tenant_id: int | BindParameter) -> Select:
    return select(Notice.title, Notice.id).where(Notice.tenant_id == tenant_id)


def _notices() -> list[tuple[int, str]]:
    """The tenant's notices by title, as (id, title): what the choices show."""
    stmt = _notices_select(g.tenant.id).order_by(*NOTICE_ORDER)
    return [(notice_id, title) for title, notice_id in db().execute(stmt)]


def _in_one_statement(*parts: tuple[Select, tuple]) -> Select:
    """The rows of each (select, its order) in one statement: as statements of their own, each small
    list costs a round trip to the database and the ORM's work for one statement. Each select has two
    columns, a text and a number; the statement adds which part a row is of and its place there."""
    return union_all(
        *(
            q.add_columns(literal(i).label("part"), func.row_number().over(order_by=order).label("at"))
            for i, (q, order) in enumerate(parts)
        )
    ).order_by("part", "at")  # by the first select's labels: no subquery and its columns to build


# What the list shows besides its rows, for the tenant given as a parameter: built once, because
# building it anew and the tenant guard's walk through it cost 3 M processor instructions a page (of
# 39 M; callgrind, a tenant of a million requests).
_TENANT = bindparam("tenant_id", type_=Integer)
_LIST_CHOICES = _in_one_statement(
    (accounts.member_names_select(_TENANT), accounts.MEMBER_ORDER),
    (_notices_select(_TENANT), NOTICE_ORDER),
    (counts.status_counts_select(_TENANT), (RequestStatusCount.status,)),
)


def _list_choices(tenant_id: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]], dict[str, int]]:
    """What the list shows besides its rows: the members (user id, name) and the notices (id, title)
    to filter by, and how many requests each status has."""
    counts.write_pending(db())  # this transaction's own changes, if any, counted
    members, notices, by_status = lists = [], [], []
    for text, number, part, _at in db().execute(_LIST_CHOICES, {"tenant_id": tenant_id}):
        lists[part].append((text, number))
    return (
        [(user_id, name) for name, user_id in members],
        [(notice_id, title) for title, notice_id in notices],
        dict(by_status),
    )


@bp.get("/")
@tenant_required
def index():
    """Requests, soonest due first, with counts, filters, search and keyset pagination."""
    f = listing.filters_from(request.args)
    today = helsinki_today()
    after = listing.decode_cursor(request.args.get("after", "")) if request.args.get("after") else None
    found = listing.list_page(db(), g.tenant.id, f, today, current_user.id, after, PAGE_SIZE + 1)
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    members, notices, counts_by_status = _list_choices(g.tenant.id)
    words = row_words(url_for("inbox.detail", request_id=1)[:-1])
    rows = list_rows(
        found,
        today,
        type_labels=localised(HANDLER_TYPE_LABELS),
        status_labels=localised(STATUS_LABELS),
        names=dict(members),
    )
    return render_template(
        "inbox/list.html",
        rows=[row_html(r, words) for r in rows],
        f=f,
        counts=counts_by_status,
        next_cursor=listing.encode_cursor(found[-1]) if more else None,
        members=members,
        notices=notices,
        STATUS_LABELS=STATUS_LABELS,
        TYPE_LABELS=HANDLER_TYPE_LABELS,
        REQUEST_TYPES=REQUEST_TYPES,
        STATUSES=states.STATUSES,
        filter_args=f.as_args(),
    )


@bp.get("/<int:request_id>")
@tenant_required
def detail(request_id):
    """One request: details, verification state, timeline, and the actions."""
    return _detail_page(service.get_request(db(), g.tenant.id, request_id), {})


def _detail_page(req, errors: dict, values: dict | None = None):
    notice = (
        db().scalar(select(Notice).where(Notice.id == req.notice_id, Notice.tenant_id == g.tenant.id))
        if req.notice_id
        else None
    )
    today = helsinki_today()
    return render_template(
        "inbox/detail.html",
        req=req,
        linked=service.linked_to(db(), req),
        events=service.timeline(db(), g.tenant.id, req.id),
        members=accounts.list_members(db(), g.tenant.id),
        notice=notice,
        errors=errors,
        values=values or {},
        form=NoteForm(),  # any form of the page: its CSRF token
        STATUS_LABELS=STATUS_LABELS,
        sentence=sentence,
        TYPE_LABELS=HANDLER_TYPE_LABELS,
        today=today,
        urgency=urgency(req.status, req.due_on, today),
        practical_due=practical_due_date(req.due_on) if req.due_on else None,
        unconfirmed_due=expected_due(req.status, req.received_on, req.due_on) if not req.due_on else None,
        overdue=req.status == states.OPEN and is_overdue(req.due_on, today),
    ), (400 if errors else 200)


def _act(request_id: int, form, action: str, field: str, do, done: str):
    """Run one action on the tenant's request: flash `done` and go to the timeline, or show the
    page again with the problem next to `field` (or the field the service names)."""
    if not form.validate_on_submit():
        abort(400)
    req = service.get_request(db(), g.tenant.id, request_id)
    try:
        do(req)
    except AttachmentProblem as problem:
        error = {f"{action}.attachments": str(problem.message)}
    except ValidationFailed as exc:
        error = {f"{action}.{exc.field or field}": message(exc.code)}
    else:
        flash(done, "success")
        return redirect(url_for("inbox.detail", request_id=req.id) + "#timeline")
    mark_rollback_only()
    typed = {
        name: f.data for name, f in form._fields.items() if isinstance(f.data, str) and name != "csrf_token"
    }
    return _detail_page(req, error, typed)


@bp.post("/<int:request_id>/assign")
@tenant_required
def assign(request_id):
    """Give the request to a member (or nobody)."""
    form = AssignForm()

    def do(req):
        if not form.names_nobody_or_a_member():
            raise ValidationFailed("assignee_invalid", "assignee")
        service.assign(db(), g.tenant.id, req.id, form.assignee_id(), by=current_user.model, now=_now())

    return _act(request_id, form, "assign", "assignee", do, _("Assigned."))


@bp.post("/<int:request_id>/note")
@tenant_required
def note(request_id):
    """An internal note on the timeline."""
    form = NoteForm()

    def do(req):
        service.add_note(db(), g.tenant.id, req.id, form.note.data or "", by=current_user.model, now=_now())

    return _act(request_id, form, "note", "note", do, _("Note added."))


@bp.post("/<int:request_id>/reply")
@tenant_required
def reply(request_id):
    """A message to the requester, with files; the requester is mailed."""
    form = ReplyForm()

    def do(req):
        stored = store_attachments(req, request.files.getlist("attachments"))
        try:
            service.reply(
                db(),
                g.tenant.id,
                req.id,
                form.message.data or "",
                by=current_user.model,
                now=_now(),
                attachments=stored,
            )
        except ValidationFailed:
            discard_attachments(stored)  # the message was refused: its files must not stay behind
            raise

    return _act(request_id, form, "reply", "message", do, _("Message sent."))


@bp.post("/<int:request_id>/extend")
@tenant_required
def extend(request_id):
    """Extend the deadline once, with the reason the requester is told."""
    form = ExtendForm()

    def do(req):
        service.extend(
            db(),
            g.tenant.id,
            req.id,
            form.month_count(),
            form.reason.data or "",
            by=current_user.model,
            today=helsinki_today(),
            now=_now(),
        )

    return _act(request_id, form, "extend", "reason", do, _("Deadline extended; the requester was told why."))


@bp.post("/<int:request_id>/unlink")
@tenant_required
def unlink(request_id):
    """Handle a linked request on its own after all; the requester gets its own receipt."""
    form = NoteForm()

    def do(req):
        service.unlink(db(), g.tenant.id, req.id, by=current_user.model, now=_now())

    done = _("The request is handled on its own now; the requester got its receipt.")
    return _act(request_id, form, "unlink", "form", do, done)


def _close(request_id: int, outcome: str):
    form = CloseForm()

    def do(req):
        service.close(
            db(), g.tenant.id, req.id, outcome, form.outcome.data or "", by=current_user.model, now=_now()
        )

    return _act(
        request_id, form, outcome, "outcome", do, _("The request is closed and the requester was told.")
    )


@bp.post("/<int:request_id>/close")
@tenant_required
def close(request_id):
    """Close the request with the outcome the member chose: completed, or refused with the reason."""
    form = CloseForm()

    def do(req):
        outcome = form.chosen_outcome()
        if outcome is None:
            raise ValidationFailed("close_result_required", "result")
        service.close(
            db(), g.tenant.id, req.id, outcome, form.outcome.data or "", by=current_user.model, now=_now()
        )

    return _act(
        request_id, form, "close", "outcome", do, _("The request is closed and the requester was told.")
    )


@bp.post("/<int:request_id>/complete")
@tenant_required
def complete(request_id):
    """Close as completed, saying what was done."""
    return _close(request_id, "complete")


@bp.post("/<int:request_id>/refuse")
@tenant_required
def refuse(request_id):
    """Refuse, giving the reason (the requester is told of the right to complain)."""
    return _close(request_id, "refuse")


@bp.get("/<int:request_id>/files/<int:event_id>/<int:index>")
@tenant_required
def attachment(request_id, event_id, index):
    """Download a file sent with a message."""
    req = service.get_request(db(), g.tenant.id, request_id)
    return send_attachment(service.get_event(db(), g.tenant.id, req.id, event_id), index)


@bp.route("/new", methods=["GET", "POST"])
@tenant_required
def enter():
    """Enter a request received by email, phone or letter."""
    notices = _notices()
    form = EntryForm()
    errors: dict = {}
    if request.method == "GET":
        form.received_on.data = helsinki_today().isoformat()
    elif not form.validate_on_submit():
        abort(400)
    else:
        try:
            req = once_more_on(
                service.ReferenceTaken,
                lambda: service.enter_request(
                    db(),
                    g.tenant.id,
                    form.notice_id({notice_id for notice_id, _title in notices}),
                    form.new_request(),
                    channel=form.channel.data or "",
                    received_on=form.received_date(),
                    identity_note=form.identity_note.data or "",
                    by=current_user.model,
                    now=_now(),
                ),
            )
        except ValidationFailed as exc:
            errors = field_errors(exc)
            mark_rollback_only()
        else:
            if req.duplicate_of_id:
                done = _(
                    "Request %(ref)s entered and linked to the open request with the same subject.",
                    ref=req.reference,
                )
            else:
                done = _("Request %(ref)s entered.", ref=req.reference)
            flash(done, "success")
            return redirect(url_for("inbox.detail", request_id=req.id))
    return render_template(
        "inbox/enter.html",
        values=form.values(),
        errors=errors,
        notices=notices,
        form=form,
        TYPE_LABELS=HANDLER_TYPE_LABELS,
        REQUEST_TYPES=REQUEST_TYPES,
        CHANNELS=CHANNELS,
    ), (400 if errors else 200)
