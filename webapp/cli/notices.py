"""`flask notices import`: bulk onboarding of notices firms already have."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from tenants.errors import ValidationFailed
from tenants.models import Membership
from tenants.notices import publishing
from tenants.notices import service as notice_service
from tenants.notices.check import check
from tenants.notices.importing import UnreadableFile, import_notice, read_source
from tenants.scoping import scoped_to

from .. import i18n
from ..findings import message as finding
from ..messages import message
from .common import fail, now, operator_session, tenant_by_slug

notices_cli = AppGroup("notices", help="Privacy notices.")


def _read(path: str):
    """The import of a file, or the reason it cannot be read."""
    with open(path, "rb") as fh:
        try:
            source, kind = read_source("", Path(path).name, fh)
        except UnreadableFile as exc:
            with force_locale("en"):
                raise click.ClickException(message(exc.code)) from exc
    return import_notice(source, content_type=kind)


def _report(result, notice):
    """Where each part went and what the completeness check finds, in English; the check's report."""
    click.echo(f"Imported as draft notice {notice.id} ({notice.slug}), language {result.language}")
    for section in result.sections:
        empty = " (empty in the source)" if section.empty else ""
        click.echo(f"  {section.heading[:60]!r} -> {section.key}{empty}")
    if result.unplaced:
        click.echo(f"  {len(result.unplaced)} piece(s) of text went to 'other information'")
    report = check(notice_service.draft_of(notice), list(notice.languages))
    with force_locale("en"):
        for item in report.blocking + report.advisory:
            click.echo(f"  [{'BLOCKING' if item.blocks else 'advice'}] {finding(item)}")
    return report


def _publish(session, tenant, notice, author_id: int, allow_incomplete: bool):
    today = i18n.helsinki_today()
    try:
        version = publishing.publish(
            session,
            tenant.id,
            notice.id,
            by_user_id=author_id,
            prepared_on=notice_service.proposed_prepared_on(notice, today),
            change_note="",
            today=today,
            now=now(),
            allow_incomplete=allow_incomplete,
        )
    except ValidationFailed as exc:
        fail(exc)
    note = f" with {len(version.open_findings)} open finding(s)" if version.open_findings else ""
    click.echo(f"Published version {version.number}{note}: /{tenant.slug}/{notice.slug}")


@notices_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", "slug", required=True, help="The tenant's address (see `flask tenants list`).")
@click.option("--publish", is_flag=True, help="Publish it when nothing blocks.")
@click.option("--allow-incomplete", is_flag=True, help="With --publish: publish even with blocking findings.")
def notices_import(path, slug, publish, allow_incomplete):
    """Import a notice file (.txt, .html, .md, .docx) as a draft of the tenant, and print the report."""
    if allow_incomplete and not publish:
        raise click.ClickException("--allow-incomplete goes with --publish.")
    result = _read(path)
    with operator_session() as session:
        tenant = tenant_by_slug(session, slug)
        owner = session.scalar(
            select(Membership).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
        )
        if owner is None:
            raise click.ClickException("The tenant has no owner to record as the author.")
        with scoped_to(session, tenant.id, owner.user_id):
            try:
                notice = notice_service.create_imported_notice(
                    session, tenant.id, by_user_id=owner.user_id, result=result, title="", now=now()
                )
            except ValidationFailed as exc:
                fail(exc)
            report = _report(result, notice)
            if not publish:
                return
            if not report.ready and not allow_incomplete:
                raise click.ClickException(
                    "Not published: blocking findings above (or use --allow-incomplete)."
                )
            _publish(session, tenant, notice, owner.user_id, allow_incomplete)
