"""Snapshot jobs: every change that alters a public page queues a rewrite of the tenant's snapshots.

A job is queued in the transaction of the change itself (a flush hook, so no service can forget
it): a published version, a withdrawal, a notice's or the organisation's new address, its new
name, a plan change (the badge and the PDF link) or another entry of the tenant's audit log that
pages show (not a renewal or a linked payment customer: `TenantEvent.NOT_PUBLIC`).
The worker claims jobs the way the outbox sender claims mail (one conditional UPDATE, committed,
with a lease), builds the tenant's snapshots, and marks the job and every job of the tenant queued
before its claim as done: the build read the tenant after all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from .models import SnapshotJob, Tenant, TenantEvent, TenantSlugAlias, utcnow
from .notices.models import Notice, NoticeSlugAlias, NoticeVersion
from .scoping import across_tenants

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=15)
MAX_DELAY = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=10)

# Columns whose change alters what the public addresses answer.
_NOTICE_PUBLIC = ("slug", "status", "published_number", "withdrawn_at")
_TENANT_PUBLIC = ("slug", "name", "plan")
_QUEUED = "snapshot_jobs_queued"


def _changed(obj, columns) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in columns)


def _public_change(obj) -> tuple[int, str] | None:
    """(tenant id, reason) when this new or changed row alters a public page."""
    if isinstance(obj, NoticeVersion):
        return obj.tenant_id, "published"
    if isinstance(obj, NoticeSlugAlias | TenantSlugAlias):
        return obj.tenant_id, "address"
    if isinstance(obj, TenantEvent) and obj.kind not in TenantEvent.NOT_PUBLIC:
        return obj.tenant_id, (obj.kind or "account")[:40]
    return None


@event.listens_for(Session, "before_flush")
def _queue_snapshot_jobs(session, flush_context, instances):
    found: dict[int, str] = {}
    for obj in session.new:
        change = _public_change(obj)
        if change is not None and change[0] is not None:
            found.setdefault(*change)
    for obj in session.dirty:
        if isinstance(obj, Notice) and _changed(obj, _NOTICE_PUBLIC):
            found.setdefault(obj.tenant_id, "notice")
        elif isinstance(obj, Tenant) and _changed(obj, _TENANT_PUBLIC):
            found.setdefault(obj.id, "organisation")
    if not found:
        return
    queued = session.info.setdefault(_QUEUED, set())
    moment = utcnow()
    for tenant_id, reason in found.items():
        if tenant_id in queued:
            continue
        queued.add(tenant_id)
        session.add(
            SnapshotJob(
                tenant_id=tenant_id,
                reason=reason,
                status="pending",
                next_attempt_at=moment,
                created_at=moment,
            )
        )


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_queued(session):
    session.info.pop(_QUEUED, None)


def queue(session: Session, tenant_id: int, reason: str, *, now: datetime) -> SnapshotJob:
    """Queue a rebuild of one tenant's snapshots explicitly (operators, the first deployment)."""
    job = SnapshotJob(
        tenant_id=tenant_id, reason=reason, status="pending", next_attempt_at=now, created_at=now
    )
    session.add(job)
    session.flush()
    return job


@dataclass(frozen=True)
class Claim:
    """A job this worker holds: the tenant to build, the attempt, and when it was claimed."""

    job_id: int
    tenant_id: int
    attempt: int
    claimed_at: datetime


def _due(moment: datetime):
    return or_(
        SnapshotJob.status == "pending", SnapshotJob.status == "running"
    ), SnapshotJob.next_attempt_at <= moment


def claim_next(session_factory: Callable[[], Session], moment: datetime) -> Claim | None:
    """Claim the oldest due job (committed), or None when nothing is due."""
    for _ in range(100):  # a lost race means another worker took that job: look again
        with across_tenants(session_factory()) as session, session.begin():
            seen = session.execute(
                select(SnapshotJob.id, SnapshotJob.tenant_id, SnapshotJob.attempts)
                .where(*_due(moment))
                .order_by(SnapshotJob.next_attempt_at, SnapshotJob.id)
                .limit(1)
            ).first()
        if seen is None:
            return None
        values = {"status": "running", "attempts": seen.attempts + 1, "next_attempt_at": moment + CLAIM_LEASE}
        if seen.attempts >= MAX_ATTEMPTS:
            values = {"status": "failed", "last_error": "the worker stopped during the build"}
        with across_tenants(session_factory()) as session, session.begin():
            claimed = session.execute(
                update(SnapshotJob)
                .where(SnapshotJob.id == seen.id, SnapshotJob.attempts == seen.attempts, *_due(moment))
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
        if claimed == 1 and values["status"] == "running":
            return Claim(seen.id, seen.tenant_id, seen.attempts + 1, moment)
    return None


def retry_delay(attempts: int) -> timedelta:
    """15 s, 30 s, 1 min, … capped at an hour."""
    return min(BASE_DELAY * (2 ** min(max(attempts - 1, 0), 16)), MAX_DELAY)


def record_done(session_factory: Callable[[], Session], claim: Claim, moment: datetime) -> int:
    """The job is done, and so is every job of the tenant queued before the claim; how many."""
    with across_tenants(session_factory()) as session, session.begin():
        return session.execute(
            update(SnapshotJob)
            .where(
                SnapshotJob.tenant_id == claim.tenant_id,
                or_(
                    SnapshotJob.id == claim.job_id,
                    (SnapshotJob.status == "pending") & (SnapshotJob.created_at <= claim.claimed_at),
                ),
            )
            .values(status="done", done_at=moment, last_error=None)
            .execution_options(synchronize_session=False)
        ).rowcount


def record_failure(
    session_factory: Callable[[], Session], claim: Claim, exc: Exception, moment: datetime
) -> None:
    """Retried with backoff, or given up after MAX_ATTEMPTS."""
    values = {"last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if claim.attempt >= MAX_ATTEMPTS:
        values["status"] = "failed"
    else:
        values.update(status="pending", next_attempt_at=moment + retry_delay(claim.attempt))
    with across_tenants(session_factory()) as session, session.begin():
        session.execute(
            update(SnapshotJob)
            .where(SnapshotJob.id == claim.job_id, SnapshotJob.attempts == claim.attempt)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    log.warning("snapshot job %s attempt %s failed: %s", claim.job_id, claim.attempt, type(exc).__name__)


def lag_seconds(session: Session, moment: datetime) -> float:
    """How long the oldest job still waiting has waited (0 when none waits): the snapshot lag."""
    oldest = session.scalar(
        select(func.min(SnapshotJob.created_at)).where(SnapshotJob.status.in_(("pending", "running")))
    )
    return max((moment - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
