"""The durable outbox: side effects written in the caller's transaction, delivered after commit.

A row is sent at most once by a worker: it is locked (FOR UPDATE SKIP LOCKED on
PostgreSQL) while its delivery is attempted and marked sent in the same
transaction, so two workers never pick the same row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)


@dataclass(frozen=True)
class Mail:
    """One message to send."""

    message_id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str
    language: str


class MailTransport(Protocol):
    """Anything that can deliver a Mail or raise."""

    def send(self, mail: Mail) -> None: ...


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
    """Add a mail to the outbox in the caller's transaction (`request_id`: the request it is about)."""
    row = OutboxMessage(
        request_id=request_id,
        kind="mail",
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


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


def deliver_due(
    session_factory: Callable[[], Session],
    transport: MailTransport,
    *,
    now: Callable[[], datetime],
    limit: int = 100,
) -> DeliveryReport:
    """Send every due row once, each in its own transaction; returns what happened."""
    report = DeliveryReport()
    for _ in range(limit):
        with session_factory() as session, session.begin():
            row = session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now())
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if row is None:
                break
            _attempt(row, transport, now(), report)
    return report


def _attempt(row: OutboxMessage, transport: MailTransport, now: datetime, report: DeliveryReport):
    row.attempts += 1
    try:
        transport.send(Mail(row.id, row.recipient, row.subject, row.body_text, row.body_html, row.language))
    except Exception as exc:  # any transport failure is recorded and retried later
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            report.gave_up += 1
        else:
            row.next_attempt_at = now + retry_delay(row.attempts)
            report.failed += 1
        log.warning("outbox message %s attempt %s failed: %s", row.id, row.attempts, type(exc).__name__)
        return
    row.status = "sent"
    row.sent_at = now
    row.last_error = None
    report.sent += 1
