"""`flask snapshots`: the worker that writes the public snapshots (and, with --outbox, sends mail)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from tenants import snapshots as jobs
from tenants.models import SnapshotJob, Tenant

from ..mail import drain_outbox
from ..snapshot_mirror import pull
from ..snapshots import work
from .common import now, operator_session, stop_on_terminate, tenant_by_slug

snapshots_cli = AppGroup("snapshots", help="Public snapshots of the notices, served by nginx or a CDN.")


@snapshots_cli.command("work")
@click.option("--worker", is_flag=True, help="Keep running and do jobs as they are queued.")
@click.option("--outbox", is_flag=True, help="Also send the mail that is due (one worker for both).")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls in worker mode.")
def snapshots_work(worker, outbox, interval):
    """Write the snapshots that are due (once, or continuously with --worker)."""
    app = current_app._get_current_object()
    stopping = stop_on_terminate() if worker else None
    stop = stopping.is_set if stopping is not None else (lambda: False)
    while True:
        for report in work(app, stop=stop):
            click.echo(
                f"{report.tenant_slug}: {report.written} written, {report.unchanged} unchanged, "
                f"{report.removed} removed"
            )
        if outbox and not stop():
            sent = drain_outbox(app, limit=500, stop=stop)
            if sent.sent or sent.failed or sent.gave_up:
                click.echo(f"mail: sent {sent.sent}, failed {sent.failed}, gave up {sent.gave_up}")
        if stopping is None or stopping.wait(interval):
            return


@snapshots_cli.command("rebuild")
@click.option("--tenant", "slug", help="Only this organisation (default: every one).")
def snapshots_rebuild(slug):
    """Queue a rebuild of the snapshots (after an upgrade that changes the public pages)."""
    with operator_session() as session:
        tenants = [tenant_by_slug(session, slug)] if slug else list(session.scalars(select(Tenant)))
        for tenant in tenants:
            jobs.queue(session, tenant.id, "rebuild", now=now())
    click.echo(f"queued {len(tenants)}")


@snapshots_cli.command("status")
def snapshots_status():
    """Jobs by status, and how long the oldest waiting job has waited."""
    with operator_session() as session:
        counts = dict(
            session.execute(select(SnapshotJob.status, func.count()).group_by(SnapshotJob.status)).all()
        )
        lag = jobs.lag_seconds(session, now())
    click.echo((", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty") + f"; lag {lag:.0f} s")


@snapshots_cli.command("pull")
@click.option("--watch", is_flag=True, help="Keep running and pull again every --interval seconds.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between pulls with --watch.")
@click.option(
    "--reload-command",
    default=None,
    help="Run after the redirect map changed (default: SNAPSHOT_RELOAD_COMMAND).",
)
@click.option(
    "--full-every",
    default=300.0,
    show_default=True,
    help="List the whole bucket at least this often (seconds), even when its @generation is unchanged.",
)
def snapshots_pull(watch, interval, reload_command, full_every):
    """Mirror the snapshot bucket into SNAPSHOT_DIR, for this machine's nginx (several web machines)."""
    app = current_app._get_current_object()
    bucket = app.config["SNAPSHOT_S3_BUCKET"]
    if not bucket:
        raise click.ClickException("SNAPSHOT_S3_BUCKET is not set: there is no bucket to pull from")
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=app.config["SNAPSHOT_S3_ENDPOINT_URL"] or None,
        region_name=app.config["S3_REGION"] or None,
    )
    command = app.config["SNAPSHOT_RELOAD_COMMAND"] if reload_command is None else reload_command
    while True:
        try:
            report = pull(
                client, bucket, app.config["SNAPSHOT_DIR"], reload_command=command, full_every=full_every
            )
        except Exception as exc:  # the bucket or the disk failed: the mirror keeps what it has
            if not watch:
                raise
            click.echo(f"pull failed: {exc}", err=True)
        else:
            if report.fetched or report.removed or (not watch and report.listed):
                click.echo(
                    f"{len(report.fetched)} fetched, {report.unchanged} unchanged, "
                    f"{len(report.removed)} removed" + (", nginx reloaded" if report.reloaded else "")
                )
        if not watch:
            return
        time.sleep(interval)
