"""The durable outbox: side effects written in the caller's transaction, delivered after commit.

A sender claims a batch of due rows before it sends them: one committed UPDATE that
takes only rows still due (on PostgreSQL it skips rows another sender's claim has
locked, and checks a row again once that claim is committed; on SQLite writers take
turns), so no row is claimed by two senders. The claim sets the rows `sending`, each
with its attempt counted, under a lease. The sender then sends them one by one, and
records each outcome in a commit of its own right after the send, before the next:
the row becomes `sent`, or `pending` with its next attempt backed off, or `failed`
after MAX_ATTEMPTS. A sender that dies leaves its rows `sending`; once the lease has
run out they count as due again, so only the mail that was in flight can go out
twice. Rows of a batch still unsent when half the lease is gone (a slow mail server)
are given back unsent.

A mail is queued as a template name and what it is about (ids and plain values, never rendered
text): the transport renders it when it is delivered, in the recipient's language, so that code
deciding who is told what needs no web request. The sender works across tenants (`unscoped`);
the transport renders each mail within its own tenant.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from .models import OutboxMessage
from .scoping import across_tenants

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
# How long a claimed row is left to its sender; far longer than sending a batch takes (a batch
# still unsent at half of it is given back).
CLAIM_LEASE = timedelta(minutes=10)
# Rows claimed at once: one transaction claims them, one SMTP connection carries them.
BATCH = 20


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
    """Anything that can deliver a Mail or raise. It may also offer `batch()`: a context manager
    giving a transport for one drain, which keeps what it opens (a connection) until the end, and
    which may offer `prepare(mails)`, called with each claimed batch before its first mail is sent
    (to render the batch together)."""

    def send(self, mail: Mail) -> None: ...


class Claim(NamedTuple):
    """A row this sender holds: the mail, and the attempt number the claim holds."""

    mail: Mail
    attempt: int


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
    given_back: int = 0  # claimed but left unsent for the next drain (a slow mail server, or a stop)


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


_MAIL_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.subject,
    OutboxMessage.body_text,
    OutboxMessage.body_html,
    OutboxMessage.language,
    OutboxMessage.template,
    OutboxMessage.context,
    OutboxMessage.tenant_id,
    OutboxMessage.request_id,
    OutboxMessage.attempts,
)


def _picked(moment: datetime, size: int, *, worn_out: bool):
    """Ids of up to `size` due rows no other sender is claiming right now (on PostgreSQL the rows are
    locked until this transaction ends, and rows another sender has locked are skipped).

    A MATERIALIZED common table expression, read once: as a plain `IN (SELECT ... LIMIT n FOR UPDATE
    SKIP LOCKED)` subquery PostgreSQL may run the subquery again for rows of the UPDATE, and the claim
    then took every due row instead of `size`."""
    tries = OutboxMessage.attempts >= MAX_ATTEMPTS if worn_out else OutboxMessage.attempts < MAX_ATTEMPTS
    picked = (
        select(OutboxMessage.id)
        .where(*_due(moment), tries)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
        .cte("worn_out" if worn_out else "picked")
        .prefix_with("MATERIALIZED")
    )
    return select(picked.c.id)


def claim_batch(session_factory: Callable[[], Session], moment: datetime, size: int = BATCH) -> list[Claim]:
    """Claim up to `size` due rows for this sender in one committed transaction, oldest first.

    Each row is claimed by one UPDATE that also checks again that it is due, so a row another
    sender claimed meanwhile is left alone (on SQLite writers take turns; on PostgreSQL the row
    is skipped while locked and checked again once committed)."""
    session_factory = _across_tenants(session_factory)
    with session_factory() as session, session.begin():
        # Rows whose sender stopped mid-delivery (a crash, not an SMTP error) once too often: given
        # up, as after MAX_ATTEMPTS errors, rather than tried again and perhaps taking the sender down.
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(_picked(moment, 1000, worn_out=True)), *_due(moment))
            .values(status="failed", last_error="the sender stopped during delivery")
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(_picked(moment, size, worn_out=False)), *_due(moment))
            .values(
                status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=moment + CLAIM_LEASE
            )
            .returning(*_MAIL_COLUMNS)
            .execution_options(synchronize_session=False)
        ).all()
    claims = [
        Claim(
            Mail(
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
            ),
            row.attempts,
        )
        for row in rows
    ]
    return sorted(claims, key=lambda claim: claim.mail.message_id)


def claim_next(session_factory: Callable[[], Session], moment: datetime) -> Claim | None:
    """Claim the next due row for this sender (committed), or None when nothing is due."""
    claims = claim_batch(session_factory, moment, 1)
    return claims[0] if claims else None


@contextmanager
def _batch(transport: MailTransport):
    """The transport for one drain: a transport that keeps something open between mails (an SMTP
    connection) offers `batch()`, a context that closes it at the end."""
    opener = getattr(transport, "batch", None)
    if opener is None:
        yield transport
    else:
        with opener() as batch:
            yield batch


def deliver_due(
    session_factory: Callable[[], Session],
    transport: MailTransport,
    *,
    now: Callable[[], datetime],
    limit: int = 100,
    batch: int = BATCH,
    stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send every due row once: claim a batch (committed), then send each row and record its outcome
    in a commit of its own before the next is sent, so a sender that dies leaves at most the mail in
    flight to be sent again once its lease has run out.

    A batch is sent while its lease is young: what is still unsent at half the lease (a slow or
    hanging mail server) is given back as it was, for the next drain. So is what is unsent when
    `stop()` turns true (the worker is being stopped): checked between mails, never during one."""
    report = DeliveryReport()
    session_factory = _across_tenants(session_factory)
    stopping = stop or (lambda: False)
    handled = 0
    with _batch(transport) as sender:
        prepare = getattr(sender, "prepare", None)
        while handled < limit and not stopping():
            claimed_at = time.monotonic()
            waiting = claim_batch(session_factory, now(), min(batch, limit - handled))
            if not waiting:
                break
            handled += len(waiting)
            waiting.reverse()  # popped from the end: oldest first
            try:
                if prepare is not None:  # a failure here gives the whole batch back
                    prepare([claim.mail for claim in reversed(waiting)])
                while (
                    waiting
                    and not stopping()
                    and time.monotonic() - claimed_at < CLAIM_LEASE.total_seconds() / 2
                ):
                    mail, attempt = waiting.pop()  # in flight from here: never given back
                    _deliver(session_factory, sender, mail, attempt, now, report)
            finally:
                if waiting:
                    _give_back(session_factory, waiting, now(), report)
            if report.given_back:
                break
    return report


def _deliver(session_factory, transport, mail: Mail, attempt: int, now, report: DeliveryReport) -> None:
    try:
        transport.send(mail)
    except MailObsolete as exc:  # nothing left to tell: retrying cannot help
        _record_failure(session_factory, mail.message_id, attempt, exc, now(), report, give_up=True)
    except Exception as exc:  # any transport failure is recorded and retried later
        _record_failure(session_factory, mail.message_id, attempt, exc, now(), report)
    else:
        _record_sent(session_factory, mail.message_id, attempt, now(), report)


def _give_back(session_factory, claims: list[Claim], moment: datetime, report: DeliveryReport) -> None:
    """Release claimed rows that were never handed to the transport: due again, the attempt not counted."""
    try:
        with session_factory() as session, session.begin():
            for mail, attempt in claims:
                session.execute(
                    update(OutboxMessage)
                    .where(*_holding(mail.message_id, attempt))
                    .values(status="pending", attempts=attempt - 1, next_attempt_at=moment)
                    .execution_options(synchronize_session=False)
                )
    except Exception:  # the database is away: the rows come back once their lease has run out
        log.exception("could not give back %s claimed outbox messages", len(claims))
        return
    report.given_back += len(claims)
    log.info("gave back %s outbox messages unsent", len(claims))


def _holding(message_id: int, attempt: int):
    """The row while this sender's claim on it still stands."""
    return (
        OutboxMessage.id == message_id,
        OutboxMessage.status == "sending",
        OutboxMessage.attempts == attempt,
    )


def _record_sent(session_factory, message_id: int, attempt: int, moment: datetime, report: DeliveryReport):
    # On the session's connection, as a plain statement: no ORM object is involved, and the ORM's
    # handling of a statement cost more than the statement itself, once per mail sent.
    with session_factory() as session, session.begin():
        session.connection().execute(
            _MARK_SENT, {"message_id": message_id, "attempt": attempt, "sent_at": moment}
        )
    report.sent += 1


_MARK_SENT = (
    update(OutboxMessage.__table__)
    .where(*_holding(bindparam("message_id"), bindparam("attempt")))
    .values(status="sent", sent_at=bindparam("sent_at"), last_error=None)
)


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
