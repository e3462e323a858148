"""`flask requests`: the daily jobs of the request workflow."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tenants.requests import notify
from tenants.requests import service as request_service

from .. import i18n
from ..storage import storage
from .common import now, operator_session

requests_cli = AppGroup("requests", help="Data subject requests.")


@requests_cli.command("remind")
def requests_remind():
    """The daily job: remind unverified requesters once, close expired ones, mail due-date digests."""
    moment, today = now(), i18n.helsinki_today()
    with operator_session() as session:
        reminders = request_service.remind_unverified(session, now=moment)
        expired = len(request_service.expire_unverified(session, now=moment))
        digests = notify.daily_digests(session, today=today, now=moment)
    click.echo(f"reminders {reminders}, expired {expired}, digests {digests}")


@requests_cli.command("purge")
def requests_purge():
    """Erase personal data of requests closed longer ago than each tenant's retention setting."""
    failed = []

    def delete_file(key):
        try:
            storage().delete(key)
        except Exception:  # a file left behind is logged and retried by hand; the data are erased
            failed.append(key)

    with operator_session() as session:
        erased = request_service.purge_expired(session, now=now(), delete_file=delete_file)
    click.echo(
        f"erased {erased} request(s)" + (f"; {len(failed)} file(s) could not be deleted" if failed else "")
    )
