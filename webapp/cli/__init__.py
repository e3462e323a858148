"""Operator commands: `flask db`, `flask tenants`, `flask users`, `flask outbox`."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from tenants import accounts
from tenants.errors import ValidationFailed
from tenants.models import LANGUAGES, Membership, OutboxMessage, Tenant, User
from tenants.scoping import unscoped

from .. import migrate
from ..db import database
from ..errors import MESSAGES

db_cli = AppGroup("db", help="Database schema.")
tenants_cli = AppGroup("tenants", help="Organisations (tenants).")
users_cli = AppGroup("users", help="User accounts.")
outbox_cli = AppGroup("outbox", help="Outgoing mail.")


def _now() -> datetime:
    return datetime.now(UTC)


def _owner_url() -> str:
    import os

    from ..config import normalise_database_url

    return normalise_database_url(os.environ.get("DATABASE_OWNER_URL") or current_app.config["DATABASE_URL"])


def _fail(exc: ValidationFailed) -> None:
    from flask_babel import force_locale

    field = f"{exc.field}: " if exc.field else ""
    with force_locale("en"):
        raise click.ClickException(f"{field}{MESSAGES.get(exc.code, exc.code)}")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Apply migrations (as DATABASE_OWNER_URL when set, else DATABASE_URL)."""
    migrate.upgrade(_owner_url(), current_app.config["DATABASE_APP_ROLE"], revision)
    click.echo(f"Database is at revision {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Step the schema back to REVISION."""
    migrate.downgrade(_owner_url(), revision)
    click.echo(f"Database is at revision {revision}.")


@tenants_cli.command("create")
@click.option("--name", required=True, help="Company name.")
@click.option("--business-id", required=True, help="Y-tunnus, e.g. 1234567-8.")
@click.option("--slug", default=None, help="Public address part; made from the name when left out.")
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True)
@click.option("--owner-email", default=None, help="Make this existing user the owner.")
def tenants_create(name, business_id, slug, language, owner_email):
    """Create an organisation."""
    session = database().new_session()
    with session, session.begin(), unscoped(session):
        owner = None
        if owner_email:
            owner = accounts.find_user_by_email(session, owner_email)
            if owner is None:
                raise click.ClickException(
                    f"No user has the address {owner_email}. Create one with `flask users create`."
                )
        try:
            tenant = accounts.create_tenant(
                session, name=name, business_id=business_id, slug=slug, default_language=language, now=_now()
            )
            if owner is not None:
                accounts.add_member(session, tenant.id, owner.id, "owner", _now())
        except ValidationFailed as exc:
            _fail(exc)
        click.echo(f"Created tenant {tenant.id}: {tenant.name} ({tenant.business_id}), slug {tenant.slug}")
        if owner is not None:
            click.echo(f"Owner: user {owner.id}")


@tenants_cli.command("list")
def tenants_list():
    """List organisations with their member counts."""
    session = database().new_session()
    with session, session.begin(), unscoped(session):
        rows = session.execute(
            select(Tenant, func.count(Membership.id))
            .outerjoin(Membership, Membership.tenant_id == Tenant.id)
            .group_by(Tenant.id)
            .order_by(Tenant.id)
        ).all()
        if not rows:
            click.echo("No tenants yet.")
        for tenant, members in rows:
            click.echo(
                f"{tenant.id}\t{tenant.slug}\t{tenant.business_id}\t{members} member(s)\t{tenant.name}"
            )


@tenants_cli.command("set-plan")
@click.argument("slug")
@click.argument("plan", type=click.Choice(["free", "pro"]))
def tenants_set_plan(slug, plan):
    """Put the tenant with address SLUG on a plan (when billing runs without Stripe)."""
    from tenants.billing import service as billing_service

    session = database().new_session()
    with session, session.begin(), unscoped(session):
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise click.ClickException(f"No tenant has the address {slug}. See `flask tenants list`.")
        before = tenant.plan
        billing_service.set_plan(session, tenant, plan, now=_now(), source="operator")
        click.echo(f"Tenant {tenant.id} ({tenant.slug}): plan {before} -> {plan}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True)
@click.password_option(help="Prompted for when not given.")
def users_create(email, name, language, password):
    """Create a verified user (for operators; people sign up at /signup)."""
    session = database().new_session()
    with session, session.begin():
        try:
            user = accounts.create_user(
                session,
                email=email,
                name=name,
                password=password,
                language=language,
                now=_now(),
                verified=True,
            )
        except ValidationFailed as exc:
            _fail(exc)
        click.echo(f"Created user {user.id} <{user.email}>")


@outbox_cli.command("send")
@click.option("--worker", is_flag=True, help="Keep running and send mail as it is queued.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls in worker mode.")
def outbox_send(worker, interval):
    """Send the mail that is due (once, or continuously with --worker)."""
    from ..mail import drain_outbox

    app = current_app._get_current_object()
    while True:
        report = drain_outbox(app, limit=500)
        if report.sent or report.failed or report.gave_up or not worker:
            click.echo(f"sent {report.sent}, failed {report.failed} (will retry), gave up {report.gave_up}")
        if not worker:
            return
        time.sleep(interval)


@outbox_cli.command("status")
def outbox_status():
    """Count outbox rows by status."""
    session = database().new_session()
    with session:
        counts = dict(
            session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        )
        click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty")


requests_cli = AppGroup("requests", help="Data subject requests.")
notices_cli = AppGroup("notices", help="Privacy notices.")


@notices_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", "slug", required=True, help="The tenant's address (see `flask tenants list`).")
@click.option("--publish", is_flag=True, help="Publish it when nothing blocks.")
@click.option("--allow-incomplete", is_flag=True, help="With --publish: publish even with blocking findings.")
def notices_import(path, slug, publish, allow_incomplete):
    """Import a notice file (.txt, .html, .md, .docx) as a draft of the tenant, and print the report."""
    from pathlib import Path

    from flask_babel import force_locale

    from tenants.notices import publishing
    from tenants.notices import service as notice_service
    from tenants.notices.check import check
    from tenants.notices.importing import UnreadableFile, import_notice, read_source
    from tenants.scoping import scoped_to

    from ..findings import message
    from ..i18n import helsinki_today
    from ..notices.importing import UNREADABLE

    if allow_incomplete and not publish:
        raise click.ClickException("--allow-incomplete goes with --publish.")
    with open(path, "rb") as fh:
        try:
            source, kind = read_source("", Path(path).name, fh)
        except UnreadableFile as exc:
            with force_locale("en"):
                reason = str(UNREADABLE[exc.code])
            raise click.ClickException(reason) from exc
    result = import_notice(source, content_type=kind)
    session = database().new_session()
    with session, session.begin():
        with unscoped(session):
            tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
            if tenant is None:
                raise click.ClickException(f"No tenant has the address {slug}. See `flask tenants list`.")
            owner = session.scalar(
                select(Membership).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
            )
            if owner is None:
                raise click.ClickException("The tenant has no owner to record as the author.")
        with scoped_to(session, tenant.id, owner.user_id):
            try:
                notice = notice_service.create_imported_notice(
                    session, tenant.id, by_user_id=owner.user_id, result=result, title="", now=_now()
                )
            except ValidationFailed as exc:
                _fail(exc)
            click.echo(f"Imported as draft notice {notice.id} ({notice.slug}), language {result.language}")
            for section in result.sections:
                click.echo(
                    f"  {section.heading[:60]!r} -> {section.key}{' (empty in the source)' if section.empty else ''}"
                )
            if result.unplaced:
                click.echo(f"  {len(result.unplaced)} piece(s) of text went to 'other information'")
            report = check(notice_service.draft_of(notice), list(notice.languages))
            from flask_babel import force_locale

            with current_app.test_request_context(), force_locale("en"):
                for item in report.blocking + report.advisory:
                    kind_ = "BLOCKING" if item.blocks else "advice"
                    click.echo(f"  [{kind_}] {message(item)}")
            if publish:
                if not report.ready and not allow_incomplete:
                    raise click.ClickException(
                        "Not published: blocking findings above (or use --allow-incomplete)."
                    )
                try:
                    version = publishing.publish(
                        session,
                        tenant.id,
                        notice.id,
                        by_user_id=owner.user_id,
                        prepared_on=notice_service.proposed_prepared_on(notice, helsinki_today()),
                        change_note="",
                        today=helsinki_today(),
                        now=_now(),
                        allow_incomplete=allow_incomplete,
                    )
                except ValidationFailed as exc:
                    _fail(exc)
                note = f" with {len(version.open_findings)} open finding(s)" if version.open_findings else ""
                click.echo(f"Published version {version.number}{note}: /{tenant.slug}/{notice.slug}")


@requests_cli.command("remind")
def requests_remind():
    """The daily job: remind unverified requesters once, close expired ones, mail due-date digests."""
    from datetime import timedelta

    from tenants.requests import service as request_service
    from tenants.requests.deadlines import is_overdue, latest_due_practically_by, practical_due_date
    from tenants.requests.listing import SOON_DAYS
    from tenants.requests.models import DataRequest

    from .. import tokens
    from ..i18n import helsinki_today
    from ..mail import queue_mail
    from ..requests.views import VERIFY_MAX_AGE, recipients_for
    from ..routing import absolute_url

    app = current_app._get_current_object()
    now, today = _now(), helsinki_today()
    counts = {"reminders": 0, "expired": 0, "digests": 0}
    with app.test_request_context(base_url=app.config["BASE_URL"] or "http://localhost"):
        session = database().new_session()
        from flask import g

        g.db_session = session
        with session.begin(), unscoped(session):
            tenants_by_id = {t.id: t for t in session.scalars(select(Tenant))}
            for req in request_service.needing_verification_reminder(session, now=now):
                token = tokens.make(tokens.REQUEST_VERIFY, {"r": req.id, "t": req.tenant_id})
                queue_mail(
                    "request_reminder",
                    request_id=req.id,
                    to=req.email,
                    language=req.answer_language,
                    req=req,
                    tenant=tenants_by_id[req.tenant_id],
                    link=absolute_url("requests.verify", token=token),
                    days=VERIFY_MAX_AGE // 86400,
                )
                req.reminder_sent_at = now
                counts["reminders"] += 1
            counts["expired"] = len(request_service.expire_unverified(session, now=now))
            # Due within 7 days or overdue, by the practical due date (the next working day).
            due = list(
                session.scalars(
                    select(DataRequest)
                    .where(
                        DataRequest.status == "open",
                        DataRequest.due_on <= latest_due_practically_by(today + timedelta(days=SOON_DAYS)),
                    )
                    .order_by(DataRequest.due_on, DataRequest.id)
                )
            )
            per_person: dict = {}
            for req in due:
                people = [session.get(User, req.assignee_id)] if req.assignee_id else recipients_for(req)
                for user in people:
                    if user is not None:
                        per_person.setdefault(user.id, (user, []))[1].append(req)
            for user, reqs in per_person.values():
                queue_mail(
                    "request_digest",
                    to=user.email,
                    language=user.language,
                    user=user,
                    overdue=[r for r in reqs if is_overdue(r.due_on, today)],
                    soon=[r for r in reqs if not is_overdue(r.due_on, today)],
                    link_for=lambda r: absolute_url("inbox.detail", request_id=r.id),
                    practical_due_date=practical_due_date,
                )
                counts["digests"] += 1
        g.pop("db_session", None)
        session.close()
    click.echo(f"reminders {counts['reminders']}, expired {counts['expired']}, digests {counts['digests']}")


@requests_cli.command("purge")
def requests_purge():
    """Erase personal data of requests closed longer ago than each tenant's retention setting."""
    from tenants.requests import service as request_service

    from ..storage import storage

    failed = []

    def delete_file(key):
        try:
            storage().delete(key)
        except Exception:  # a file left behind is logged and retried by hand; the data are erased
            failed.append(key)

    session = database().new_session()
    with session, session.begin(), unscoped(session):
        erased = request_service.purge_expired(session, now=_now(), delete_file=delete_file)
    click.echo(
        f"erased {erased} request(s)" + (f"; {len(failed)} file(s) could not be deleted" if failed else "")
    )


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for group in (db_cli, tenants_cli, users_cli, outbox_cli, requests_cli, notices_cli):
        app.cli.add_command(group)
