"""`flask notices import`: bulk onboarding of notices firms already have."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from tenants.errors import ValidationFailed
from tenants.models import Membership
from tenants.notices import imports, publishing
from tenants.notices import service as notice_service
from tenants.notices.check import check
from tenants.notices.importing import UnreadableFile, import_notice, import_parts, read_source
from tenants.scoping import scoped_to

from .. import i18n
from ..findings import message as finding
from ..messages import message
from .common import fail, now, operator_session, tenant_by_slug

notices_cli = AppGroup("notices", help="Privacy notices.")
FACT_NAMES = {
    "transfers": "transfers outside the EU/EEA",
    "special_categories": "special categories of data",
    "automated_decisions": "automated decisions",
}


def _read(path: str) -> tuple[str, str]:
    """The text of a file and its type, or the reason it cannot be read."""
    with open(path, "rb") as fh:
        try:
            return read_source("", Path(path).name, fh)
        except UnreadableFile as exc:
            with force_locale("en"):
                raise click.ClickException(message(exc.code)) from exc


def _report(result, notice):
    """Where each part went, what to check, and what the completeness check finds, in English."""
    click.echo(f"Imported as draft notice {notice.id} ({notice.slug}), language {result.language}")
    for section in result.sections:
        empty = " (empty in the source)" if section.empty else ""
        click.echo(f"  {section.heading[:60]!r} -> {section.key}{empty}")
    for placed in result.inferred:
        kept = ", also kept where it stood" if placed.kept else ""
        click.echo(f"  placed by its meaning: {placed.text[:60]!r} -> {placed.key}{kept}")
    if result.unplaced:
        click.echo(f"  {len(result.unplaced)} piece(s) of text went to 'other information'")
    if result.left_out:
        click.echo(f"  left out as page chrome or template code: {len(result.left_out)} piece(s)")
    _report_dates_and_facts(result, notice)
    report = check(notice_service.draft_of(notice), list(notice.languages))
    with force_locale("en"):
        for item in report.blocking + report.advisory:
            click.echo(f"  [{'BLOCKING' if item.blocks else 'advice'}] {finding(item)}")
    return report


def _report_dates_and_facts(result, notice) -> None:
    for found in result.dates:
        click.echo(f"  date stated: {found.on.isoformat()} ({found.kind}): {found.quote[:60]!r}")
    if not result.dates:
        click.echo("  the source states no date: give it with --prepared-on when publishing")
    for key, fact in result.facts.items():
        if fact.answer is None and fact.quote:
            click.echo(f"  unanswered, {FACT_NAMES[key]}: the source says {fact.quote[:120]!r}")
    difference = (notice.import_report or {}).get("controller")
    if difference:
        source, own = difference["source"], difference["organisation"]
        click.echo(
            f"  the controller differs: the source names {source['name']!r} {source['business_id']}, "
            f"the organisation is {own['name']!r} {own['business_id']}"
        )
    if len(result.parts) > 1:
        click.echo(f"  the file holds {len(result.parts)} notices: {', '.join(result.parts)} (see --split)")


def _publish(session, tenant, notice, author_id: int, allow_incomplete: bool, prepared_on):
    today = i18n.helsinki_today()
    try:
        version = publishing.publish(
            session,
            tenant.id,
            notice.id,
            by_user_id=author_id,
            prepared_on=prepared_on or imports.proposed_prepared_on(notice, today),
            change_note="",
            today=today,
            now=now(),
            allow_incomplete=allow_incomplete,
        )
    except ValidationFailed as exc:
        if exc.code == "prepared_on_required":
            raise click.ClickException(
                "Not published: the source states no date; give it with --prepared-on."
            ) from exc
        fail(exc)
    note = f" with {len(version.open_findings)} open finding(s)" if version.open_findings else ""
    click.echo(f"Published version {version.number}{note}: /{tenant.slug}/{notice.slug}")


@notices_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", "slug", required=True, help="The tenant's address (see `flask tenants list`).")
@click.option("--publish", is_flag=True, help="Publish it when nothing blocks.")
@click.option("--allow-incomplete", is_flag=True, help="With --publish: publish even with blocking findings.")
@click.option(
    "--prepared-on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The date prepared (YYYY-MM-DD)."
)
@click.option("--split", is_flag=True, help="A file that holds several notices becomes one draft each.")
def notices_import(path, slug, publish, allow_incomplete, prepared_on, split):
    """Import a notice file (.txt, .html, .md, .docx) as a draft of the tenant, and print the report."""
    if allow_incomplete and not publish:
        raise click.ClickException("--allow-incomplete goes with --publish.")
    source, kind = _read(path)
    results = import_parts(source, content_type=kind) if split else [import_notice(source, content_type=kind)]
    with operator_session() as session:
        tenant = tenant_by_slug(session, slug)
        owner = session.scalar(
            select(Membership).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
        )
        if owner is None:
            raise click.ClickException("The tenant has no owner to record as the author.")
        with scoped_to(session, tenant.id, owner.user_id):
            for result in results:
                _import_one(
                    session,
                    tenant,
                    owner.user_id,
                    result,
                    source,
                    kind,
                    publish,
                    allow_incomplete,
                    prepared_on,
                )


def _import_one(session, tenant, author_id, result, source, kind, publish, allow_incomplete, prepared_on):
    try:
        notice = imports.create_imported_notice(
            session,
            tenant.id,
            by_user_id=author_id,
            result=result,
            title="",
            now=now(),
            source=source,
            content_type=kind,
        )
    except ValidationFailed as exc:
        fail(exc)
    report = _report(result, notice)
    if not publish:
        return
    if not report.ready and not allow_incomplete:
        raise click.ClickException("Not published: blocking findings above (or use --allow-incomplete).")
    _publish(
        session, tenant, notice, author_id, allow_incomplete, prepared_on.date() if prepared_on else None
    )
