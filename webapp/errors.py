"""Error pages, and the one place that maps domain errors to responses and form errors."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from tenants.errors import Forbidden, NotFound, ValidationFailed

from . import messages
from .unit_of_work import mark_rollback_only

log = logging.getLogger(__name__)

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


# The database could not be reached or gave up on the transaction (a dropped connection, a restart,
# a deadlock): nothing was confirmed, and sending again will work in a moment.
DATABASE_AWAY = _l(
    "We could not reach our database just now, so nothing was saved or confirmed. "
    "Please try again in a moment."
)


def _database_away(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def note_plan_limit(error: ValidationFailed) -> None:
    """A plan limit refused the action: the page shows the way to upgrade next to the message."""
    if error.code.startswith("plan_limit_"):
        g.plan_limit = error.code


def apply_to_form(form, error: ValidationFailed) -> None:
    """Show a service's validation error next to its field (or above the form)."""
    mark_rollback_only()
    note_plan_limit(error)
    message = messages.message(error.code)
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

    @app.errorhandler(DBAPIError)
    def _database(exc):
        if not _database_away(exc):
            raise exc  # a bug, not an outage: the 500 page
        log.warning("database unavailable on %s %s: %s", request.method, request.url_rule, exc)
        return error_page(503, DATABASE_AWAY)

    @app.errorhandler(InternalServerError)
    def _internal(exc):
        original = getattr(exc, "original_exception", None)
        if _database_away(original):  # e.g. the commit after the view lost its connection
            log.warning("database unavailable on %s %s: %s", request.method, request.url_rule, original)
            return error_page(503, DATABASE_AWAY)
        if original is not None:
            log.error("unhandled error on %s %s", request.method, request.url_rule, exc_info=original)
        return error_page(500)
