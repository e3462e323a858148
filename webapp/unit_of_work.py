"""Commit the request's work after a successful response; deliver its mail in development."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g

from .db import commit_request, rollback_request

log = logging.getLogger(__name__)
T = TypeVar("T")


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


def once_more_on(error: type[Exception], work: Callable[[], T]) -> T:
    """`work()`; when it raises `error` (a clash that spoils the transaction, such as a random
    reference another row already has), the request's transaction is rolled back and `work()` runs
    once more in a new one."""
    try:
        return work()
    except error:
        log.info("%s: trying once more in a new transaction", error.__name__)
        rollback_request()
        return work()
