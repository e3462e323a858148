"""The public request form (embeddable), the confirmation button, and the requester's status page.

The tenant comes from the address (`<tenant_slug>`) or from the signed link (webapp.tenancy);
who is told what is decided by the request services (tenants/requests/notify.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from tenants.errors import NotFound, ValidationFailed
from tenants.models import Tenant
from tenants.notices import publishing
from tenants.requests import service
from tenants.requests.deadlines import practical_due_date
from tenants.requests.hetu import contains_hetu
from tenants.requests.models import DataRequest
from tenants.validation import has_control_characters

from .. import tokens
from ..attachments import send_attachment
from ..db import db
from ..i18n import current_language, helsinki_today
from ..labels import TYPE_GUIDANCE, TYPE_LABELS
from ..limits import digest, first_use, limiter
from ..messages import field_errors, message
from ..page_cache import LRU
from ..security import csrf, framable
from ..tenancy import PublicTenant, enter_linked_tenant, public_tenant
from ..unit_of_work import mark_rollback_only, once_more_on
from .forms import STARTED_MAX_AGE, ConfirmForm, ReplyForm, RequestForm, signed_start

bp = Blueprint("requests", __name__)
log = logging.getLogger(__name__)

FORM_LIMIT = "5 per minute;30 per hour"
EMAIL_LIMIT = "5 per hour"
# The timeline entries a requester sees on the status page.
SHOWN_TO_REQUESTER = ("message_out", "message_in", "extended", "completed", "partly_completed", "refused")


def _email_key() -> str:
    # One address's requests are counted together on every request form of every organisation.
    return "request-email:" + digest(request.form.get("email", "") or "-")


def _status_url(req: DataRequest, **args) -> str:
    token = tokens.for_request(tokens.REQUEST_STATUS, req)
    return url_for("requests.status", token=token, lang=req.answer_language, **args)


# A blank form is the same page for everyone who opens it, but for its signed start time: it is
# rendered once per process and kind (organisation, notice, types, language) and the start time put
# in its place, so the page costs a signature instead of a template.
_STARTED_HERE = "seloste-started-here"
_blank_forms = LRU(512)


def _form_page(
    tenant: Tenant | PublicTenant,
    notice,
    values: dict,
    errors: dict,
    *,
    warn_hetu=False,
    types: list[str] | None = None,
    started: str | None = None,
):
    """The form page with a fresh signed start time (or `started`: the placeholder of a page
    rendered for the cache, see _blank_form_page)."""
    if types is None:
        types = service.offered_types(db(), tenant.id, notice.id if notice else None)
    return render_template(
        "requests/form.html",
        tenant=tenant,
        notice=notice,
        types=types,
        values=values,
        errors=errors,
        warn_hetu=warn_hetu,
        TYPE_LABELS=TYPE_LABELS,
        TYPE_GUIDANCE=TYPE_GUIDANCE,
        started=started or signed_start(),
    )


def _blank_form_page(tenant: Tenant | PublicTenant, notice) -> str:
    """The form as it is first shown: nothing typed, the type the link chose (when offered)."""
    language = current_language()
    types = service.offered_types(db(), tenant.id, notice.id if notice else None)
    chosen = request.args.get("type", "")
    values = {"type": chosen if chosen in types else "", "answer_language": language}
    if session.get("_flashes"):  # a message to show once: not the page everyone gets
        return _form_page(tenant, notice, values, {}, types=types)
    key = (
        tenant.id,
        tenant.name,
        (notice.id, notice.title) if notice else None,
        tuple(types),
        values["type"],
        language,
    )
    page = _blank_forms.get(key)
    if page is None:
        page = _form_page(tenant, notice, values, {}, types=types, started=_STARTED_HERE)
        _blank_forms.put(key, page)
    return page.replace(_STARTED_HERE, signed_start(), 1)


def _problems(
    form: RequestForm, tenant_id: int, notice_id: int | None
) -> tuple[dict, bool, service.CheckedRequest | None]:
    """Every problem with what was sent, at once (so the person fixes everything together), whether
    the text seems to hold a personal identity code that was not acknowledged, and the request as
    checked (None when a field has a problem)."""
    errors = {}
    if form.too_quick():
        errors["form"] = _(
            "That was quicker than a person can fill in the form. Please check it and send again."
        )
    elif not first_use("request-form", form.started.data, STARTED_MAX_AGE):
        # Each shown form is sent once: its signed start time is kept as used for as long as it lives.
        errors["form"] = _("This form has already been sent. Please check it and send it again.")
    try:
        checked = service.check_new_request(db(), tenant_id, notice_id, form.new_request())
    except ValidationFailed as exc:
        return {**errors, **field_errors(exc, requester=True)}, False, None
    return errors, not errors and service.has_hetu(checked) and not form.hetu_ack.data, checked


def _handle_form(tenant: Tenant | PublicTenant, notice):
    """The form, or the submission. The organisation's request form reads nothing of the organisation
    from the database but what its address already resolved to (its id and name, see
    webapp.tenancy): showing it takes no statement, and a submission only its own."""
    if request.method == "GET":
        return _blank_form_page(tenant, notice)
    form = RequestForm()
    if form.is_bot():
        log.info("request form honeypot triggered")
        return redirect(url_for("requests.sent"))
    notice_id = notice.id if notice else None
    errors, warn_hetu, checked = _problems(form, tenant.id, notice_id)
    if errors or warn_hetu:
        mark_rollback_only()
        return _form_page(tenant, notice, form.values(), errors, warn_hetu=warn_hetu)
    new = once_more_on(
        service.ReferenceTaken,
        lambda: service.submit_request(db(), tenant.id, notice_id, checked, now=datetime.now(UTC)),
    )
    return redirect(url_for("requests.sent", lang=new.answer_language))


@bp.route("/<slug:tenant_slug>/<slug:notice_slug>/request", methods=["GET", "POST"])
@csrf.exempt  # embedded on other sites: see forms.py
@framable
@limiter.shared_limit(FORM_LIMIT, scope="request-form", methods=["POST"])
@limiter.shared_limit(EMAIL_LIMIT, scope="request-email", methods=["POST"], key_func=_email_key)
def notice_form(tenant_slug, notice_slug):
    """The request form of one notice (its rights decide the request types)."""
    tenant = db().get(Tenant, public_tenant().id)
    notice = publishing.notice_at(db(), tenant, notice_slug)
    if notice.status == "withdrawn":
        abort(404)
    return _handle_form(tenant, notice)


@bp.route("/<slug:tenant_slug>/request", methods=["GET", "POST"])
@csrf.exempt  # embedded on other sites: see forms.py
@framable
@limiter.shared_limit(FORM_LIMIT, scope="request-form", methods=["POST"])
@limiter.shared_limit(EMAIL_LIMIT, scope="request-email", methods=["POST"], key_func=_email_key)
def tenant_form(tenant_slug):
    """The organisation's request form (every request type)."""
    return _handle_form(public_tenant(), None)


@bp.get("/requests/sent")
@framable
def sent():
    """Check your email (the same answer for every submission, also the honeypot's): rendered once
    per process and language."""
    language = current_language()
    if session.get("_flashes"):
        return render_template("requests/sent.html")
    page = _sent_pages.get(language)
    if page is None:
        page = render_template("requests/sent.html")
        _sent_pages.put(language, page)
    return page


_sent_pages = LRU(8)


def _request_by_link(purpose: str, token: str, max_age: int) -> DataRequest:
    """The request a signed link names (in its tenant), or NotFound."""
    found = tokens.request_of(purpose, token, max_age)
    if found is None:
        raise NotFound()
    tenant_id, request_id = found
    enter_linked_tenant(tenant_id)
    return service.get_request(db(), tenant_id, request_id)


# Mail scanners open links to check them, so opening the link verifies nothing: it shows a button
# that posts the signed token back.
@bp.get("/requests/verify/<token>")
@limiter.limit("30 per minute")
def verify(token):
    """The page the verification link opens: a button that confirms the request."""
    try:
        req = _request_by_link(tokens.REQUEST_VERIFY, token, tokens.REQUEST_VERIFY_MAX_AGE)
    except NotFound:
        return render_template("requests/link_invalid.html"), 400
    if req.status != "unverified":
        return redirect(_status_url(req))
    return render_template(
        "requests/verify.html", req=req, tenant=db().get(Tenant, req.tenant_id), token=token
    )


@bp.post("/requests/verify")
@csrf.exempt  # the signed token is the proof: see forms.py
@limiter.limit("30 per minute")
def verify_confirm():
    """Confirm the address: the request is received now and routed to the contact person."""
    form = ConfirmForm()
    try:
        req = _request_by_link(tokens.REQUEST_VERIFY, form.token.data or "", tokens.REQUEST_VERIFY_MAX_AGE)
    except NotFound:
        return render_template("requests/link_invalid.html"), 400
    if req.status != "unverified":
        return redirect(_status_url(req))
    try:
        service.verify_request(db(), req.tenant_id, req.id, today=helsinki_today(), now=datetime.now(UTC))
    except ValidationFailed:  # confirmed by another press of the button a moment ago
        mark_rollback_only()
        return redirect(_status_url(req))
    return redirect(_status_url(req, verified=1))


def _reply(form: ReplyForm, req: DataRequest) -> tuple[dict, bool]:
    """Send the requester's message: its errors (none when sent), and whether it waits for the
    requester to acknowledge a personal identity code in it (nothing is stored until then)."""
    text = form.message.data or ""
    if not has_control_characters(text) and contains_hetu(text) and not form.hetu_ack.data:
        return {}, True
    try:
        service.requester_reply(db(), req.tenant_id, req.id, text, now=datetime.now(UTC))
    except ValidationFailed as exc:
        mark_rollback_only()
        return {"message": message(exc.code, requester=True)}, False
    return {}, False


@bp.route("/requests/status/<token>", methods=["GET", "POST"])
@framable
@limiter.limit("20 per minute", methods=["POST"])
def status(token):
    """The requester's view: status, due date, messages, and a way to reply."""
    try:
        req = _request_by_link(tokens.REQUEST_STATUS, token, tokens.REQUEST_STATUS_MAX_AGE)
    except NotFound:
        return render_template("requests/link_invalid.html"), 404
    form = ReplyForm()
    errors, warn_hetu = {}, False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        errors, warn_hetu = _reply(form, req)
        if not errors and not warn_hetu:
            return redirect(url_for("requests.status", token=token, lang=req.answer_language, sent=1))
    events = [e for e in service.timeline(db(), req.tenant_id, req.id) if e.kind in SHOWN_TO_REQUESTER]
    tenant = db().get(Tenant, req.tenant_id)
    # The notice the request is about, while it is online (its title and address as published).
    published = {n.id: (n, v) for n, v in publishing.published_notices(db(), tenant.id)}
    return render_template(
        "requests/status.html",
        req=req,
        tenant=tenant,
        notice=published.get(req.notice_id),
        type_label=TYPE_LABELS.get(req.type, req.type),
        events=events,
        errors=errors,
        text=form.message.data or "",
        token=token,
        warn_hetu=warn_hetu,
        linked=service.linked_to(db(), req),
        status_token=lambda r: tokens.for_request(tokens.REQUEST_STATUS, r),
        practical_due=practical_due_date(req.due_on) if req.due_on else None,
    )


@bp.get("/requests/status/<token>/files/<int:event_id>/<int:index>")
def status_attachment(token, event_id, index):
    """A file the firm sent with a message, for the requester."""
    try:
        req = _request_by_link(tokens.REQUEST_STATUS, token, tokens.REQUEST_STATUS_MAX_AGE)
    except NotFound:
        abort(404)
    event = service.get_event(db(), req.tenant_id, req.id, event_id)
    if event.kind != "message_out":
        abort(404)
    return send_attachment(event, index)
