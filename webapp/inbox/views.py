"""The contact person's inbox: list with filters and search, a request's page, and its actions."""

from __future__ import annotations

import csv
import io
import logging
import uuid
from datetime import UTC, date, datetime
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import secure_filename

from tenants import accounts
from tenants.errors import ValidationFailed
from tenants.models import Tenant
from tenants.notices.models import Notice
from tenants.requests import listing, service, states
from tenants.requests.deadlines import is_overdue, practical_due_date
from tenants.requests.hetu import mask_hetus
from tenants.requests.listing import parse_id
from tenants.requests.models import CHANNELS, REQUEST_TYPES, DataRequest
from tenants.scoping import set_scope
from tenants.storage import StorageError
from tenants.validation import without_control_characters

from ..auth_session import tenant_required
from ..db import db
from ..forms import ActionForm
from ..i18n import helsinki_today
from ..mail import queue_mail
from ..requests.views import TYPE_LABELS, status_token
from ..storage import storage
from ..unit_of_work import mark_rollback_only

bp = Blueprint("inbox", __name__, url_prefix="/app/inbox")
log = logging.getLogger(__name__)

PAGE_SIZE = 50
STATUS_LABELS = {
    "unverified": _l("unverified"),
    "open": _l("open"),
    "completed": _l("completed"),
    "refused": _l("refused"),
    "closed_unverified": _l("closed, not verified"),
    "linked": _l("linked to an earlier request"),
}
EVENT_LABELS = {
    "submitted": _l("Sent through the form"),
    "entered": _l("Entered by hand"),
    "verified": _l("Email address confirmed; received"),
    "linked_duplicate": _l("Linked to a request with the same subject"),
    "unlinked": _l("Link undone: handled on its own"),
    "assigned": _l("Assigned"),
    "note": _l("Internal note"),
    "message_out": _l("Message to the requester"),
    "message_in": _l("Message from the requester"),
    "extended": _l("Deadline extended"),
    "completed": _l("Closed as completed"),
    "refused": _l("Closed as refused"),
    "expired": _l("Closed: the address was never confirmed"),
}
ACTION_MESSAGES = {
    "illegal_transition": _l("That is not possible in the request's current state."),
    "text_required": _l("Write something first."),
    "assignee_invalid": _l("Choose a member of your organisation."),
    "already_extended": _l("The deadline can be extended only once."),
    "extension_months_invalid": _l("Choose one or two months."),
    "extension_too_late": _l("The deadline can only be extended before the original due date."),
    "extension_reason_required": _l("Give the reason; the requester is told it."),
    "outcome_required": _l("Say what was done, or why the request is refused."),
    "too_long": _l("This is too long."),
    "control_characters": _l("This contains invisible control characters. Please remove them."),
}


def _now() -> datetime:
    return datetime.now(UTC)


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula; henkilötunnus masked."""
    text = mask_hetus(str(value)) if isinstance(value, str) else ("" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/")
@tenant_required
def index():
    """Requests, soonest due first, with counts, filters, search and keyset pagination."""
    f = listing.filters_from(request.args)
    today = helsinki_today()
    after = listing.decode_cursor(request.args.get("after", "")) if request.args.get("after") else None
    page = listing.page_query(
        lambda part: listing.filtered_query(g.tenant.id, f, today, current_user.id, part=part),
        after,
        PAGE_SIZE + 1,
    )
    rows = list(db().scalars(page))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    members = accounts.list_members(db(), g.tenant.id)
    notices = list(db().scalars(select(Notice).where(Notice.tenant_id == g.tenant.id).order_by(Notice.title)))
    names = {m.user_id: m.user.name for m in members}
    return render_template(
        "inbox/list.html",
        rows=rows,
        f=f,
        counts=service.status_counts(db(), g.tenant.id),
        next_cursor=listing.encode_cursor(rows[-1]) if more else None,
        members=members,
        notices=notices,
        names=names,
        today=today,
        STATUS_LABELS=STATUS_LABELS,
        TYPE_LABELS=TYPE_LABELS,
        REQUEST_TYPES=REQUEST_TYPES,
        STATUSES=states.STATUSES,
        practical_due_date=practical_due_date,
        is_overdue=is_overdue,
        mask_hetus=mask_hetus,
        filter_args=f.as_args(),
    )


@bp.get("/export.csv")
@tenant_required
def export():
    """The request register as CSV, filtered like the list (Art. 5(2) accountability)."""
    f = listing.filters_from(request.args)
    q = listing.filtered_query(g.tenant.id, f, helsinki_today(), current_user.id).order_by(
        DataRequest.created_at, DataRequest.id
    )
    session, tenant_id, user_id = db(), g.tenant.id, current_user.id

    def rows():
        # The response streams after the view returned: scope the session again for the export.
        set_scope(session, tenant_id=tenant_id, user_id=user_id)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "reference",
                "type",
                "status",
                "channel",
                "name",
                "email",
                "received_on",
                "due_on",
                "extended_months",
                "closed_at",
                "outcome",
            ]
        )
        yield buffer.getvalue()
        for r in session.execute(q.execution_options(yield_per=500)).scalars():
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                csv_cell(value)
                for value in (
                    r.reference,
                    r.type,
                    r.status,
                    r.channel,
                    r.name,
                    r.email,
                    r.received_on or "",
                    r.due_on or "",
                    r.extension_months,
                    r.closed_at.isoformat() if r.closed_at else "",
                    r.outcome,
                )
            )
            yield buffer.getvalue()

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="requests-{helsinki_today()}.csv"'
    return response


@bp.get("/<int:request_id>")
@tenant_required
def detail(request_id):
    """One request: details, verification state, timeline, and the actions."""
    req = service.get_request(db(), g.tenant.id, request_id)
    return _render_detail(req, {})


def _render_detail(req, errors, values=None):
    members = accounts.list_members(db(), g.tenant.id)
    notice = (
        db().scalar(select(Notice).where(Notice.id == req.notice_id, Notice.tenant_id == g.tenant.id))
        if req.notice_id
        else None
    )
    return render_template(
        "inbox/detail.html",
        req=req,
        linked=service.linked_to(db(), req),
        events=service.timeline(db(), g.tenant.id, req.id),
        members=members,
        notice=notice,
        errors=errors,
        values=values or {},
        form=ActionForm(),
        STATUS_LABELS=STATUS_LABELS,
        EVENT_LABELS=EVENT_LABELS,
        TYPE_LABELS=TYPE_LABELS,
        today=helsinki_today(),
        practical_due=practical_due_date(req.due_on) if req.due_on else None,
        overdue=req.status == states.OPEN and is_overdue(req.due_on, helsinki_today()),
    ), (400 if errors else 200)


def _tenant_obj():
    return db().get(Tenant, g.tenant.id)


def _status_link(req) -> str:
    from ..routing import absolute_url

    return absolute_url("requests.status", token=status_token(req))


@bp.post("/<int:request_id>/<action>")
@tenant_required
def act(request_id, action):
    """assign, note, reply, extend, unlink, complete or refuse."""
    if not ActionForm().validate_on_submit():
        abort(400)
    req = service.get_request(db(), g.tenant.id, request_id)
    user = current_user.model
    now = _now()
    form = request.form
    try:
        if action == "assign":
            assignee = form.get("assignee", "")
            assignee_id = parse_id(assignee)
            if assignee and assignee_id is None:
                raise ValidationFailed("assignee_invalid", "assignee")
            service.assign(db(), g.tenant.id, req.id, assignee_id, by=user, now=now)
            message = _("Assigned.")
        elif action == "note":
            service.add_note(db(), g.tenant.id, req.id, form.get("note", ""), by=user, now=now)
            message = _("Note added.")
        elif action == "reply":
            stored = store_attachments(req, request.files.getlist("attachments"))
            try:
                event = service.reply(
                    db(), g.tenant.id, req.id, form.get("message", ""), by=user, now=now, attachments=stored
                )
            except ValidationFailed:
                discard_attachments(stored)  # the message was refused: its files must not stay behind
                raise
            queue_mail(
                "request_message",
                request_id=req.id,
                to=req.email,
                language=req.answer_language,
                req=req,
                tenant=_tenant_obj(),
                body=event.body,
                status_link=_status_link(req),
            )
            message = _("Message sent.")
        elif action == "extend":
            months = form.get("months", "")
            service.extend(
                db(),
                g.tenant.id,
                req.id,
                parse_id(months) or 0,
                form.get("reason", ""),
                by=user,
                today=helsinki_today(),
                now=now,
            )
            queue_mail(
                "request_extended",
                request_id=req.id,
                to=req.email,
                language=req.answer_language,
                req=req,
                tenant=_tenant_obj(),
                practical_due=practical_due_date(req.due_on),
                status_link=_status_link(req),
            )
            message = _("Deadline extended; the requester was told why.")
        elif action == "unlink":
            from ..requests.views import send_receipt

            service.unlink(db(), g.tenant.id, req.id, by=user, now=now)
            send_receipt(req)
            message = _("The request is handled on its own now; the requester got its receipt.")
        elif action in ("complete", "refuse"):
            service.close(db(), g.tenant.id, req.id, action, form.get("outcome", ""), by=user, now=now)
            from tenants.notices.authority import authority

            queue_mail(
                "request_closed",
                request_id=req.id,
                to=req.email,
                language=req.answer_language,
                req=req,
                tenant=_tenant_obj(),
                refused=action == "refuse",
                authority=authority(req.answer_language),
                status_link=_status_link(req),
            )
            message = _("The request is closed and the requester was told.")
        else:
            abort(404)
    except AttachmentProblem as problem:
        mark_rollback_only()
        return _render_detail(req, {"reply.attachments": problem.message}, dict(form))
    except ValidationFailed as exc:
        mark_rollback_only()
        field = {
            "assign": "assignee",
            "note": "note",
            "reply": "message",
            "extend": exc.field or "reason",
            "complete": "outcome",
            "refuse": "outcome",
        }.get(action, "form")
        errors = {f"{action}.{field}": str(ACTION_MESSAGES.get(exc.code, exc.code))}
        return _render_detail(req, errors, dict(form))
    flash(message, "success")
    return redirect(url_for("inbox.detail", request_id=req.id) + "#timeline")


MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class AttachmentProblem(Exception):
    """Files could not be taken; the message says why. Nothing was sent."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def store_attachments(req: DataRequest, files) -> list[dict]:
    """Put uploaded files in storage; returns their descriptions for the timeline."""
    files = [f for f in files if f and f.filename]
    if len(files) > MAX_ATTACHMENTS:
        raise AttachmentProblem(_("Attach at most %(n)s files.", n=MAX_ATTACHMENTS))
    blobs = [(f, f.read(MAX_ATTACHMENT_BYTES + 1)) for f in files]
    if sum(len(data) for _f, data in blobs) > MAX_ATTACHMENT_BYTES:
        raise AttachmentProblem(_("The files are too large together (at most 10 MB)."))
    stored = []
    for upload, data in blobs:
        name = secure_filename(upload.filename) or "file"
        key = f"{req.tenant_id}/requests/{req.id}/{uuid.uuid4().hex}-{name}"
        try:
            storage().put(key, data, upload.mimetype or "application/octet-stream")
        except StorageError:
            log.warning("attachment storage failed for request %s", req.id)
            discard_attachments(stored)
            raise AttachmentProblem(
                _(
                    "The files could not be stored right now, so nothing was sent. Please try again in a moment."
                )
            ) from None
        shown = " ".join(without_control_characters(upload.filename).split())[:200] or name
        stored.append({"key": key, "filename": shown, "size": len(data)})
    return stored


def discard_attachments(stored: list[dict]) -> None:
    """Remove files stored for a message that was not sent (best effort: storage may be down)."""
    for item in stored:
        try:
            storage().delete(item["key"])
        except StorageError:
            log.warning("could not remove an unsent attachment")


def send_attachment(event, index: int):
    """A stored file as a download (never rendered inline)."""
    files = (event.data or {}).get("attachments") or []
    if not 0 <= index < len(files):
        abort(404)
    try:
        data = storage().get(files[index]["key"])
    except StorageError:
        abort(404)
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(
        files[index]["filename"]
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:request_id>/files/<int:event_id>/<int:index>")
@tenant_required
def attachment(request_id, event_id, index):
    """Download a file sent with a message."""
    req = service.get_request(db(), g.tenant.id, request_id)
    event = service.get_event(db(), g.tenant.id, req.id, event_id)
    return send_attachment(event, index)


_ENTRY_MESSAGES = {
    "identity_note_required": _l("Say how you checked who the person is."),
    "channel_invalid": _l("Choose how the request arrived."),
    "received_in_future": _l("The date cannot be in the future."),
    "date_invalid": _l("Give the date, e.g. 2026-11-23."),
}


def entry_message(code: str) -> str:
    """What the person entering a request by hand reads for a problem."""
    from ..requests.views import form_message

    return str(_ENTRY_MESSAGES[code]) if code in _ENTRY_MESSAGES else form_message(code)


@bp.route("/new", methods=["GET", "POST"])
@tenant_required
def enter():
    """Enter a request received by email, phone or letter."""
    notices = list(db().scalars(select(Notice).where(Notice.tenant_id == g.tenant.id).order_by(Notice.title)))
    values = {
        "type": "access",
        "name": "",
        "email": "",
        "details": "",
        "phone": "",
        "answer_language": "fi",
        "channel": "email",
        "received_on": helsinki_today().isoformat(),
        "identity_note": "",
        "notice": "",
    }
    errors = {}
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        values = {k: request.form.get(k, "") for k in values}
        try:
            received = date.fromisoformat(values["received_on"].strip())
        except ValueError:
            received = None
        notice_id = parse_id(values["notice"])
        if notice_id and notice_id not in {n.id for n in notices}:
            notice_id = None
        try:
            req = service.enter_request(
                db(),
                g.tenant.id,
                notice_id,
                service.NewRequest(
                    values["type"],
                    values["name"],
                    values["email"],
                    values["details"],
                    values["phone"],
                    values["answer_language"],
                ),
                channel=values["channel"],
                received_on=received,
                identity_note=values["identity_note"],
                by=current_user.model,
                now=_now(),
            )
        except ValidationFailed as exc:
            errors = {field or "form": entry_message(code) for field, code in exc.problems.items()}
        else:
            if req.duplicate_of_id:
                flash(
                    _(
                        "Request %(ref)s entered and linked to the open request with the same subject.",
                        ref=req.reference,
                    ),
                    "success",
                )
            else:
                flash(_("Request %(ref)s entered.", ref=req.reference), "success")
            return redirect(url_for("inbox.detail", request_id=req.id))
        mark_rollback_only()
    return render_template(
        "inbox/enter.html",
        values=values,
        errors=errors,
        notices=notices,
        form=ActionForm(),
        TYPE_LABELS=TYPE_LABELS,
        REQUEST_TYPES=REQUEST_TYPES,
        CHANNELS=CHANNELS,
    ), (400 if errors else 200)
