"""What the operator commands share: a session per command, the time, domain errors as messages."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import click
from flask_babel import force_locale
from sqlalchemy import select

from tenants.errors import ValidationFailed
from tenants.models import Tenant
from tenants.scoping import unscoped

from ..db import database
from ..messages import message


def stop_on_terminate() -> threading.Event:
    """SIGTERM (systemd stopping a worker) asks the worker to stop: the returned event is set. The
    worker finishes what it has in hand (the mail being sent, the job being written), gives back the
    mail it has claimed but not begun to send, and leaves at the next safe point, never in the
    middle of a statement or an SMTP conversation. Ctrl-C still stops it at once."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stopping.set())
    return stopping


def now() -> datetime:
    """Timezone-aware UTC now."""
    return datetime.now(UTC)


@contextmanager
def operator_session():
    """One unit of work for a command, across every tenant (as DATABASE_OPERATOR_URL's role):
    committed when the command succeeds."""
    database().check_operator()
    session = database().operator_session()
    with session, session.begin(), unscoped(session):
        yield session


def fail(exc: ValidationFailed):
    """Stop the command with the domain error worded in English."""
    field = f"{exc.field}: " if exc.field else ""
    with force_locale("en"):
        raise click.ClickException(f"{field}{message(exc.code)}")


def tenant_by_slug(session, slug: str) -> Tenant:
    """The tenant at this address, or a message that says how to find one."""
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"No tenant has the address {slug}. See `flask tenants list`.")
    return tenant
