"""Error pages, and the one place that maps domain errors to responses and form errors."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tenants.errors import Forbidden, NotFound, ValidationFailed

from .unit_of_work import mark_rollback_only

log = logging.getLogger(__name__)

# What a person reads when a service rejects input. Keys are ValidationFailed codes.
MESSAGES = {
    "business_id_invalid": _l(
        "This is not a valid Business ID. It looks like 1234567-8 and its last digit is a check digit."
    ),
    "email_invalid": _l("Enter an email address such as name@example.fi."),
    "email_taken": _l("An account already uses this email address."),
    "name_required": _l("Enter your name."),
    "company_name_required": _l("Enter the company's name."),
    "password_too_short": _l("Use at least 10 characters."),
    "password_too_long": _l("Use at most 256 characters."),
    "current_password_wrong": _l("The current password is not correct."),
    "language_invalid": _l("Choose one of the offered languages."),
    "role_invalid": _l("Choose one of the offered roles."),
    "already_member": _l("This person is already a member."),
    "last_owner": _l("The organisation must keep at least one owner."),
    "slug_invalid": _l("Use lower-case letters a–z, digits and hyphens."),
    "slug_reserved": _l("This address is reserved. Choose another."),
    "slug_taken": _l("This address is taken. Choose another."),
    "retention_months_invalid": _l("Between 1 and 120 months."),
    "plan_limit_languages": _l(
        "The Free plan has one language per notice. Upgrade to Pro for Finnish, Swedish and English."
    ),
    "plan_limit_published_notices": _l(
        "The Free plan has one published notice. Upgrade to Pro to publish more."
    ),
    "plan_limit_members": _l("The Free plan has one member. Upgrade to Pro to invite colleagues."),
    "plan_limit_members_invitation": _l(
        "The organisation's plan has room for no more members. Ask its owner to upgrade to Pro, then open the invitation link again."
    ),
    "plan_limit_locked": _l(
        "Editing is paused because the payment is overdue. Update the payment details under Billing; your published notices and request forms keep working."
    ),
}

TITLES = {
    400: (_l("The request could not be understood"), _l("Go back, check the form and try again.")),
    403: (_l("You do not have access to this page"), _l("Ask an owner of the organisation for access.")),
    404: (_l("Page not found"), _l("The address may be mistyped, or the page has been removed.")),
    405: (_l("That action is not possible here"), _l("Go back and use the buttons on the page.")),
    413: (_l("The upload is too large"), _l("Send a smaller file.")),
    429: (
        _l("Too many attempts"),
        _l("For your security, wait a moment and try again."),
    ),
    503: (
        _l("This is not available right now"),
        _l("Please try again later. Everything else works as usual."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you sent was saved. Please try again in a moment."),
    ),
}


def note_plan_limit(error: ValidationFailed) -> None:
    """A plan limit refused the action: the page shows the way to upgrade next to the message."""
    if error.code.startswith("plan_limit_"):
        g.plan_limit = error.code


def apply_to_form(form, error: ValidationFailed) -> None:
    """Show a service's validation error next to its field (or above the form)."""
    mark_rollback_only()
    note_plan_limit(error)
    message = MESSAGES.get(error.code, _l("Check this value."))
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*list(field.errors or []), message]
    else:
        form.form_errors.append(message)


def error_page(code: int, message=None):
    """Render the error page for a status code."""
    title, hint = TITLES.get(code, TITLES[500])
    if request_ctx.url_adapter is None:
        # The request could not even be routed (a Host header werkzeug refuses): the page's links
        # cannot be built, so answer in plain text instead of failing a second time.
        return Response(f"{title}\n\n{message or hint}\n", status=code, mimetype="text/plain")
    return render_template("errors/error.html", code=code, title=title, hint=message or hint), code


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and domain errors."""

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return error_page(404)

    @app.errorhandler(Forbidden)
    def _forbidden(exc):
        return error_page(403)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_page(400, _l("The form had expired. Go back, reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code is None or exc.code < 400:
            return exc
        return error_page(exc.code if exc.code in TITLES else 400)

    @app.errorhandler(InternalServerError)
    def _internal(exc):
        original = getattr(exc, "original_exception", None)
        if original is not None:
            log.error("unhandled error on %s %s", request.method, request.url_rule, exc_info=original)
        return error_page(500)
