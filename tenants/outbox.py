"""The durable outbox: side effects written in the caller's transaction, delivered after commit.

A sender claims a row before it sends it: one UPDATE that succeeds only while the
row is still as the sender saw it (due, and the same attempt count), committed
before anything is sent. A second sender's claim of the same row changes no row,
so it moves on; this holds on PostgreSQL and on SQLite alike, without row locks.
The claim sets the row `sending` with a lease; a sender that dies mid-send leaves
it there, and once the lease has run out the row counts as due again. After the
attempt the row becomes `sent`, or `pending` with its next attempt backed off,
or `failed` after MAX_ATTEMPTS.

A mail is queued as a template name and what it is about (ids and plain values, never rendered
text): the transport renders it when it is delivered, in the recipient's language, so that code
deciding who is told what needs no web request. The sender works across tenants (`unscoped`);
the transport renders each mail within its own tenant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .models import OutboxMessage
from .scoping import across_tenants

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
# How long a claimed row is left to its sender; far longer than one SMTP delivery takes.
CLAIM_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Mail:
    """One message to send: rendered (subject and bodies), or still a template with its context."""

    message_id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str
    language: str
    template: str | None = None
    context: dict = field(default_factory=dict)
    tenant_id: int | None = None
    request_id: int | None = None


class MailObsolete(Exception):
    """What a mail is about no longer exists (a request erased, an invitation withdrawn): it is
    given up at once instead of being retried."""


class MailTransport(Protocol):
    """Anything that can deliver a Mail or raise."""

    def send(self, mail: Mail) -> None: ...


def _queue(session: Session, **fields) -> OutboxMessage:
    row = OutboxMessage(kind="mail", status="pending", next_attempt_at=fields["created_at"], **fields)
    session.add(row)
    session.flush()
    session.info["outbox_queued"] = True  # the caller's unit of work may deliver it after commit
    return row


def queue_mail(
    session: Session,
    template: str,
    *,
    to: str,
    language: str,
    now: datetime,
    tenant_id: int | None = None,
    request_id: int | None = None,
    **about,
) -> OutboxMessage:
    """Queue templates/mail/<template> for `to`, rendered in `language` when it is delivered.

    `about` names what the mail is about (ids and plain values that JSON keeps); `tenant_id` the
    tenant it belongs to (None for the platform's own mail); `request_id` the data subject request,
    whose retention erases the copy."""
    return _queue(
        session,
        template=template,
        context=about,
        recipient=to,
        language=language,
        tenant_id=tenant_id,
        request_id=request_id,
        created_at=now,
    )


def enqueue_mail(
    session: Session,
    *,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str = "fi",
    now: datetime,
    request_id: int | None = None,
) -> OutboxMessage:
    """Add an already rendered mail to the outbox in the caller's transaction (`request_id`: the
    request it is about)."""
    return _queue(
        session,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        request_id=request_id,
        created_at=now,
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at 6 h."""
    exponent = min(max(attempts - 1, 0), 20)  # 2**20 * 30 s is far past the cap already
    return min(BASE_DELAY * (2**exponent), MAX_DELAY)


@dataclass
class DeliveryReport:
    """Counts from one drain of the outbox."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def _due(moment: datetime):
    """Rows waiting for an attempt, and rows whose sender's lease ran out (it died mid-send)."""
    return or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"), (
        OutboxMessage.next_attempt_at <= moment
    )


def _across_tenants(session_factory: Callable[[], Session]) -> Callable[[], Session]:
    """Sessions of the sender, which works on every tenant's mail."""

    def make() -> Session:
        return across_tenants(session_factory())

    return make


def claim_next(session_factory: Callable[[], Session], moment: datetime) -> tuple[Mail, int] | None:
    """Claim the next due row for this sender (committed), or None when nothing is due.

    Returns the mail and the attempt number the claim holds."""
    session_factory = _across_tenants(session_factory)
    for _ in range(100):  # each lost race means another sender took a row: look again
        with session_factory() as session, session.begin():
            seen = session.execute(
                select(OutboxMessage.id, OutboxMessage.attempts)
                .where(*_due(moment))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
            ).first()
        if seen is None:
            return None
        if seen.attempts >= MAX_ATTEMPTS:
            # Its last sender stopped mid-delivery (a crash, not an SMTP error) once too often: give up,
            # as after MAX_ATTEMPTS errors, rather than try a mail that may take the sender down forever.
            with session_factory() as session, session.begin():
                session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == seen.id, OutboxMessage.attempts == seen.attempts, *_due(moment)
                    )
                    .values(status="failed", last_error="the sender stopped during delivery")
                    .execution_options(synchronize_session=False)
                )
            continue
        with session_factory() as session, session.begin():
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == seen.id, OutboxMessage.attempts == seen.attempts, *_due(moment))
                .values(status="sending", attempts=seen.attempts + 1, next_attempt_at=moment + CLAIM_LEASE)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed == 1:
                row = session.get(OutboxMessage, seen.id)
                mail = Mail(
                    row.id,
                    row.recipient,
                    row.subject,
                    row.body_text,
                    row.body_html,
                    row.language,
                    template=row.template,
                    context=dict(row.context or {}),
                    tenant_id=row.tenant_id,
                    request_id=row.request_id,
                )
                return mail, seen.attempts + 1
    return None


def deliver_due(
    session_factory: Callable[[], Session],
    transport: MailTransport,
    *,
    now: Callable[[], datetime],
    limit: int = 100,
) -> DeliveryReport:
    """Send every due row once: claim it (committed), send it, then record the outcome."""
    report = DeliveryReport()
    session_factory = _across_tenants(session_factory)
    for _ in range(limit):
        claim = claim_next(session_factory, now())
        if claim is None:
            break
        mail, attempt = claim
        try:
            transport.send(mail)
        except MailObsolete as exc:  # nothing left to tell: retrying cannot help
            _record_failure(session_factory, mail.message_id, attempt, exc, now(), report, give_up=True)
        except Exception as exc:  # any transport failure is recorded and retried later
            _record_failure(session_factory, mail.message_id, attempt, exc, now(), report)
        else:
            _record_sent(session_factory, mail.message_id, attempt, now(), report)
    return report


def _holding(message_id: int, attempt: int):
    """The row while this sender's claim on it still stands."""
    return (
        OutboxMessage.id == message_id,
        OutboxMessage.status == "sending",
        OutboxMessage.attempts == attempt,
    )


def _record_sent(session_factory, message_id: int, attempt: int, moment: datetime, report: DeliveryReport):
    with session_factory() as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(*_holding(message_id, attempt))
            .values(status="sent", sent_at=moment, last_error=None)
            .execution_options(synchronize_session=False)
        )
    report.sent += 1


def _record_failure(
    session_factory, message_id, attempt, exc, moment, report: DeliveryReport, *, give_up: bool = False
):
    """Record a failed attempt: retried later, or given up after MAX_ATTEMPTS (or at once)."""
    gave_up = give_up or attempt >= MAX_ATTEMPTS
    values = {"last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if gave_up:
        values["status"] = "failed"
    else:
        values.update(status="pending", next_attempt_at=moment + retry_delay(attempt))
    with session_factory() as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(*_holding(message_id, attempt))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if gave_up:
        report.gave_up += 1
    else:
        report.failed += 1
    log.warning("outbox message %s attempt %s failed: %s", message_id, attempt, type(exc).__name__)
