"""`flask outbox`: sending the mail that is due, and what is waiting."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from tenants.models import OutboxMessage

from ..db import database
from ..mail import drain_outbox
from .common import operator_session, stop_on_terminate

outbox_cli = AppGroup("outbox", help="Outgoing mail.")


@outbox_cli.command("send")
@click.option("--worker", is_flag=True, help="Keep running and send mail as it is queued.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls in worker mode.")
def outbox_send(worker, interval):
    """Send the mail that is due (once, or continuously with --worker)."""
    app = current_app._get_current_object()
    database().check_operator()
    stopping = stop_on_terminate() if worker else None
    while True:
        report = drain_outbox(app, limit=500, stop=stopping.is_set if stopping else None)
        if report.sent or report.failed or report.gave_up or not worker:
            click.echo(f"sent {report.sent}, failed {report.failed} (will retry), gave up {report.gave_up}")
        if stopping is None or stopping.wait(interval):
            return


@outbox_cli.command("status")
def outbox_status():
    """Count outbox rows by status."""
    with operator_session() as session:
        counts = dict(
            session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        )
        click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty")
