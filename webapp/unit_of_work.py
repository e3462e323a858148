"""Commit the request's work after a successful response; deliver its mail in development."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g

from .db import commit_request, rollback_request

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Hook the unit of work into the request cycle."""

    @app.after_request
    def _finish(response):
        if response.status_code < 400 and not g.get("rollback_only"):
            if commit_request() and current_app.config["MAIL_DELIVER_AFTER_COMMIT"]:
                deliver_now()
        else:
            rollback_request()
        return response


def mark_rollback_only() -> None:
    """Make the request discard its changes even though it answers 200 (a form with errors)."""
    g.rollback_only = True
    rollback_request()


def deliver_now() -> None:
    """Drain the outbox right away (development and tests); failures stay queued for retry."""
    from .mail import drain_outbox

    try:
        drain_outbox(current_app)
    except Exception:  # the rows stay pending; `flask outbox send` retries them
        log.exception("immediate outbox delivery failed")
