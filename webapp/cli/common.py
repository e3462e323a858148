"""What the operator commands share: a session per command, the time, domain errors as messages."""

from __future__ import annotations

import signal
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


def stop_on_terminate() -> None:
    """Let SIGTERM (systemd stopping a worker) end the worker as Ctrl-C does, unwinding: the outbox
    then gives back the mail it has claimed but not begun to send, instead of leaving it to the lease."""
    signal.signal(signal.SIGTERM, _terminate)


def _terminate(_signum, _frame):
    raise SystemExit(0)


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
