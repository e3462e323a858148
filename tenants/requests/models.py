"""Rows of the request workflow: the request, its append-only timeline, its attachments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, TenantOwned, UTCDateTime, utcnow
from . import states

REQUEST_TYPES = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "portability",
    "withdraw_consent",
    "other",
)
CHANNELS = ("web", "email", "phone", "letter")


class DataRequest(TenantOwned, Base):
    """A request a person made about their data."""

    __tablename__ = "data_request"
    __table_args__ = (
        Index("ix_data_request_tenant_status_due", "tenant_id", "status", "due_on", "id"),
        Index("ix_data_request_tenant_due", "tenant_id", "due_on", "id"),  # the inbox's default order
        Index("ix_data_request_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_data_request_tenant_email", "tenant_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(13), unique=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="SET NULL"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="unverified")
    channel: Mapped[str] = mapped_column(String(10), default="web")
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    contains_hetu: Mapped[bool] = mapped_column(Boolean, default=False)
    answer_language: Mapped[str] = mapped_column(String(2), default="fi")
    identity_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    extension_months: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("data_request.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_closed(self) -> bool:
        """Completed, refused, closed unverified, or linked to an earlier open request."""
        return self.status in states.CLOSED


class RequestEvent(TenantOwned, Base):
    """One entry of a request's timeline. Append-only: never changed, never deleted."""

    __tablename__ = "request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("data_request.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
