"""The public request form (embeddable), verification links and the requester's status page."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from tenants.errors import NotFound, ValidationFailed
from tenants.models import Membership, Tenant, User
from tenants.notices.models import Notice
from tenants.requests import service
from tenants.requests.deadlines import practical_due_date
from tenants.requests.hetu import contains_hetu
from tenants.requests.models import DataRequest
from tenants.scoping import set_scope
from tenants.validation import has_control_characters

from .. import tokens
from ..db import db
from ..errors import MESSAGES
from ..forms import ActionForm
from ..i18n import current_language, helsinki_today
from ..limits import limiter
from ..mail import queue_mail
from ..public.views import Moved, _tenant, resolve
from ..routing import absolute_url
from ..security import csrf, framable
from ..unit_of_work import mark_rollback_only

bp = Blueprint("requests", __name__)
log = logging.getLogger(__name__)

MIN_FILL_SECONDS = 3
VERIFY_MAX_AGE = 7 * 86400
STATUS_MAX_AGE = 3 * 365 * 86400
FORM_LIMIT = "5 per minute;30 per hour"
EMAIL_LIMIT = "5 per hour"

TYPE_LABELS = {
    "access": _l("See my data (right of access)"),
    "rectification": _l("Correct my data"),
    "erasure": _l("Erase my data"),
    "restriction": _l("Restrict the processing of my data"),
    "objection": _l("Object to the processing of my data"),
    "portability": _l("Get my data in a machine-readable form (portability)"),
    "withdraw_consent": _l("Withdraw my consent"),
    "other": _l("Another question about my data"),
}
TYPE_GUIDANCE = {
    "access": _l("Tell us if you want all your data or something specific, e.g. your order history."),
    "rectification": _l("Tell us which data are wrong and what they should be."),
    "erasure": _l("Tell us which data you want erased, or say 'all'."),
    "restriction": _l("Tell us which processing you want restricted and why."),
    "objection": _l("Tell us which processing you object to, and your reasons."),
    "portability": _l(
        "Tell us which data you want, and whether they should go to you or to another service."
    ),
    "withdraw_consent": _l("Tell us which consent you withdraw, e.g. the newsletter."),
    "other": _l("Write your question."),
}
FORM_MESSAGES = {
    "request_type_invalid": _l("Choose what you want to ask."),
    "name_required": _l("Enter your name."),
    "too_long": _l("This is too long."),
    "language_invalid": _l("Choose one of the offered languages."),
    "control_characters": _l("This contains invisible control characters. Please remove them."),
}


def form_message(code: str) -> str:
    """What a requester reads for a problem with a field, in their language."""
    return str(FORM_MESSAGES.get(code) or MESSAGES.get(code) or code)


def _form_clock() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="seloste-request-form")


def _email_key() -> str:
    return "request-email:" + (request.form.get("email", "").strip().lower() or "-")


def _form_context(tenant, notice, types, values, errors, warn_hetu=False):
    return dict(
        tenant=tenant,
        notice=notice,
        types=types,
        values=values,
        errors=errors,
        warn_hetu=warn_hetu,
        TYPE_LABELS=TYPE_LABELS,
        TYPE_GUIDANCE=TYPE_GUIDANCE,
        started=_form_clock().dumps(time.time()),
    )


def _handle_form(tenant, notice):
    types = service.offered_types(db(), tenant.id, notice.id if notice else None)
    values = {
        "type": request.args.get("type", ""),
        "name": "",
        "email": "",
        "details": "",
        "phone": "",
        "answer_language": current_language(),
    }
    errors: dict = {}
    if request.method == "GET":
        return render_template("requests/form.html", **_form_context(tenant, notice, types, values, errors))
    values = {k: request.form.get(k, "") for k in values}
    if request.form.get("website"):  # the honeypot: people never see this field
        log.info("request form honeypot triggered")
        return redirect(url_for("requests.sent"))
    try:
        started = _form_clock().loads(request.form.get("started", ""), max_age=86400)
    except BadSignature:
        started = None
    if not isinstance(started, int | float) or time.time() - float(started) < MIN_FILL_SECONDS:
        errors["form"] = _(
            "That was quicker than a person can fill in the form. Please check it and send again."
        )
    notice_id = notice.id if notice else None
    data = service.NewRequest(
        values["type"],
        values["name"],
        values["email"],
        values["details"],
        values["phone"],
        values["answer_language"] or "fi",
    )
    # Every field is checked at once, so that the person sees all that needs fixing together.
    try:
        checked = service.check_new_request(db(), tenant.id, notice_id, data)
    except ValidationFailed as exc:
        errors.update({field or "form": form_message(code) for field, code in exc.problems.items()})
    else:
        if not errors and service.has_hetu(checked) and not request.form.get("hetu_ack"):
            mark_rollback_only()
            return render_template(
                "requests/form.html", **_form_context(tenant, notice, types, values, errors, warn_hetu=True)
            )
    if not errors:
        new = service.submit_request(db(), tenant.id, notice_id, data, now=datetime.now(UTC))
        _send_verification(new, tenant)
        return redirect(url_for("requests.sent", lang=new.answer_language))
    mark_rollback_only()
    return render_template("requests/form.html", **_form_context(tenant, notice, types, values, errors)), 200


def _send_verification(req: DataRequest, tenant) -> None:
    token = tokens.make(tokens.REQUEST_VERIFY, {"r": req.id, "t": req.tenant_id})
    queue_mail(
        "request_verify",
        request_id=req.id,
        to=req.email,
        language=req.answer_language,
        req=req,
        tenant=tenant,
        link=absolute_url("requests.verify", token=token),
        days=VERIFY_MAX_AGE // 86400,
    )


# The public request forms are embedded in other sites' iframes, where browsers do not send our
# SameSite=Lax session cookie, so a session-bound CSRF token could never validate there. They act for
# no logged-in user (nothing to forge); the signed `started` token, the honeypot, the minimum fill
# time and the rate limits protect them instead.
@bp.route("/<slug:tenant_slug>/<slug:notice_slug>/request", methods=["GET", "POST"])
@csrf.exempt
@framable
@limiter.limit(FORM_LIMIT, methods=["POST"])
@limiter.limit(EMAIL_LIMIT, methods=["POST"], key_func=_email_key)
def notice_form(tenant_slug, notice_slug):
    """The request form of one notice (its rights decide the request types)."""
    try:
        r = resolve(tenant_slug, notice_slug)
    except Moved as moved:
        return redirect(
            url_for(
                "requests.notice_form",
                tenant_slug=moved.tenant_slug,
                notice_slug=moved.notice_slug or notice_slug,
            ),
            301,
        )
    if r.status == "withdrawn":
        abort(404)
    set_scope(db(), tenant_id=r.tenant_id)
    tenant = _tenant(r.tenant_slug)
    notice = db().scalar(select(Notice).where(Notice.id == r.notice_id, Notice.tenant_id == r.tenant_id))
    return _handle_form(tenant, notice)


@bp.route("/<slug:tenant_slug>/request", methods=["GET", "POST"])
@csrf.exempt
@framable
@limiter.limit(FORM_LIMIT, methods=["POST"])
@limiter.limit(EMAIL_LIMIT, methods=["POST"], key_func=_email_key)
def tenant_form(tenant_slug):
    """The tenant-wide request form."""
    try:
        tenant = _tenant(tenant_slug)
    except Moved as moved:
        return redirect(url_for("requests.tenant_form", tenant_slug=moved.tenant_slug), 301)
    set_scope(db(), tenant_id=tenant.id)
    return _handle_form(tenant, None)


@bp.get("/requests/sent")
@framable
def sent():
    """Check your email (the same answer for every submission, also the honeypot's)."""
    return render_template("requests/sent.html")


def _request_from(purpose: str, token: str, max_age: int) -> DataRequest:
    payload = tokens.read(purpose, token, max_age)
    if not payload or not isinstance(payload.get("r"), int) or not isinstance(payload.get("t"), int):
        raise NotFound()
    set_scope(db(), tenant_id=payload["t"])
    return service.get_request(db(), payload["t"], payload["r"])


# Mail scanners open links to check them, so opening the link verifies nothing: it shows a button
# that posts the signed token back. Like the request form, this form carries no session.
@bp.get("/requests/verify/<token>")
@limiter.limit("30 per minute")
def verify(token):
    """The page the verification link opens: a button that confirms the request."""
    try:
        req = _request_from(tokens.REQUEST_VERIFY, token, VERIFY_MAX_AGE)
    except NotFound:
        return render_template("requests/link_invalid.html"), 400
    if req.status != "unverified":
        return redirect(url_for("requests.status", token=status_token(req), lang=req.answer_language))
    return render_template(
        "requests/verify.html", req=req, tenant=db().get(Tenant, req.tenant_id), token=token
    )


@bp.post("/requests/verify")
@csrf.exempt
@limiter.limit("30 per minute")
def verify_confirm():
    """Confirm the address: the request is received now and routed to the contact person."""
    token = request.form.get("token", "")
    try:
        req = _request_from(tokens.REQUEST_VERIFY, token, VERIFY_MAX_AGE)
    except NotFound:
        return render_template("requests/link_invalid.html"), 400
    if req.status != "unverified":
        return redirect(url_for("requests.status", token=status_token(req), lang=req.answer_language))
    now = datetime.now(UTC)
    try:
        service.verify_request(db(), req.tenant_id, req.id, today=helsinki_today(), now=now)
    except ValidationFailed:  # confirmed by another press of the button a moment ago
        mark_rollback_only()
        return redirect(url_for("requests.status", token=status_token(req), lang=req.answer_language))
    _after_opening(req)
    return redirect(url_for("requests.status", token=status_token(req), lang=req.answer_language, verified=1))


def status_token(req: DataRequest) -> str:
    """The requester's long-lived link to the status page."""
    return tokens.make(tokens.REQUEST_STATUS, {"r": req.id, "t": req.tenant_id})


def recipients_for(req: DataRequest) -> list:
    """Who is told about a new request: the notice's contact person when a member, else the owners."""
    members = list(db().scalars(select(Membership).where(Membership.tenant_id == req.tenant_id)))
    if req.notice_id:
        notice = db().scalar(
            select(Notice).where(Notice.id == req.notice_id, Notice.tenant_id == req.tenant_id)
        )
        contact_id = (notice.draft.get("contact") or {}).get("member_user_id") if notice else None
        chosen = [m.user for m in members if m.user_id == contact_id]
        if chosen:
            return chosen
    return [m.user for m in members if m.role == "owner"]


def send_receipt(req: DataRequest) -> DataRequest | None:
    """Mail the requester the receipt: the reference and the answer date, or, for a linked
    duplicate, those of the earlier request it is answered with (which is returned)."""
    earlier = service.linked_to(db(), req)
    answered_with = earlier or req
    queue_mail(
        "request_receipt",
        request_id=req.id,
        to=req.email,
        language=req.answer_language,
        req=req,
        earlier=earlier,
        tenant=db().get(Tenant, req.tenant_id),
        practical_due=practical_due_date(answered_with.due_on),
        status_link=absolute_url("requests.status", token=status_token(answered_with)),
    )
    return earlier


def _after_opening(req: DataRequest) -> None:
    """The receipt to the requester and the notification to the contact person.

    A duplicate linked to an earlier open request gets a receipt naming that request and its due
    date; the contact person is not notified again (the earlier request's timeline shows it)."""
    if send_receipt(req) is not None:
        return
    tenant = db().get(Tenant, req.tenant_id)
    practical = practical_due_date(req.due_on)
    for user in recipients_for(req):
        queue_mail(
            "request_new",
            request_id=req.id,
            to=user.email,
            language=user.language,
            req=req,
            tenant=tenant,
            user=user,
            practical_due=practical,
            link=absolute_url("inbox.detail", request_id=req.id),
        )


@bp.route("/requests/status/<token>", methods=["GET", "POST"])
@framable
@limiter.limit("20 per minute", methods=["POST"])
def status(token):
    """The requester's view: status, due date, messages, and a way to reply."""
    try:
        req = _request_from(tokens.REQUEST_STATUS, token, STATUS_MAX_AGE)
    except NotFound:
        return render_template("requests/link_invalid.html"), 404
    errors = {}
    text = ""
    warn_hetu = False
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        text = request.form.get("message", "")
        if not has_control_characters(text) and contains_hetu(text) and not request.form.get("hetu_ack"):
            warn_hetu = True  # warned before sending, like the request form; nothing is stored yet
        else:
            try:
                service.requester_reply(db(), req.tenant_id, req.id, text, now=datetime.now(UTC))
            except ValidationFailed as exc:
                mark_rollback_only()
                errors["message"] = {
                    "text_required": _("Write your message."),
                    "too_long": _("This is too long."),
                    "control_characters": str(FORM_MESSAGES["control_characters"]),
                    "illegal_transition": _("This request is closed. Send a new request if you need to."),
                }.get(exc.code, exc.code)
            else:
                _notify_handler_of_reply(req)
                return redirect(url_for("requests.status", token=token, lang=req.answer_language, sent=1))
    events = [
        e
        for e in service.timeline(db(), req.tenant_id, req.id)
        if e.kind in ("message_out", "message_in", "extended", "completed", "refused")
    ]
    return render_template(
        "requests/status.html",
        req=req,
        events=events,
        errors=errors,
        text=text,
        token=token,
        warn_hetu=warn_hetu,
        linked=service.linked_to(db(), req),
        status_token=status_token,
        practical_due=practical_due_date(req.due_on) if req.due_on else None,
    )


@bp.get("/requests/status/<token>/files/<int:event_id>/<int:index>")
def status_attachment(token, event_id, index):
    """A file the firm sent with a message, for the requester."""
    from ..inbox.views import send_attachment

    try:
        req = _request_from(tokens.REQUEST_STATUS, token, STATUS_MAX_AGE)
    except NotFound:
        abort(404)
    event = service.get_event(db(), req.tenant_id, req.id, event_id)
    if event.kind != "message_out":
        abort(404)
    return send_attachment(event, index)


def _notify_handler_of_reply(req: DataRequest) -> None:
    tenant = db().get(Tenant, req.tenant_id)
    people = [db().get(User, req.assignee_id)] if req.assignee_id else recipients_for(req)
    for user in people:
        if user is not None:
            queue_mail(
                "request_reply_in",
                request_id=req.id,
                to=user.email,
                language=user.language,
                req=req,
                tenant=tenant,
                user=user,
                link=absolute_url("inbox.detail", request_id=req.id),
            )
