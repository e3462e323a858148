"""Rows of the request workflow: the request, its append-only timeline, its attachments."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, validates

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


def folded(text: str) -> str:
    """Text as search compares it: accents dropped and case folded ('Mäki', 'MAKI' -> 'maki')."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class DataRequest(TenantOwned, Base):
    """A request a person made about their data."""

    __tablename__ = "data_request"
    __table_args__ = (
        Index("ix_data_request_tenant_status_due", "tenant_id", "status", "due_on", "id"),
        # The inbox's default order; on PostgreSQL it carries what a search compares, so a search
        # walking the order reads the index alone (migration 0016_list_walk).
        Index(
            "ix_data_request_tenant_due",
            "tenant_id",
            "due_on",
            "id",
            postgresql_include=["reference", "email", "name_search"],
        ),
        Index("ix_data_request_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_data_request_tenant_email", "tenant_id", "email"),
        # Search: a name by any part of it (trigrams), an address by its beginning, any case.
        Index(
            "ix_data_request_name_search_trgm",
            "name_search",
            postgresql_using="gin",
            postgresql_ops={"name_search": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(13), unique=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="SET NULL"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="unverified")
    channel: Mapped[str] = mapped_column(String(10), default="web")
    name: Mapped[str] = mapped_column(String(200))
    name_search: Mapped[str] = mapped_column(String(200), default="")  # folded(name), kept by `_fold_name`
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

    @validates("name")
    def _fold_name(self, _key, value):
        self.name_search = folded(value or "")[:200]
        return value

    @validates("email")
    def _lower_email(self, _key, value):
        # normalise_email gives it lower-cased already; a search compares addresses as stored.
        return (value or "").lower()

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


# An address by its beginning in any case: lower(email) LIKE 'abc%' reads a range of this index.
Index(
    "ix_data_request_tenant_email_prefix",
    DataRequest.tenant_id,
    func.lower(DataRequest.email).label("email_lower"),
    postgresql_ops={"email_lower": "text_pattern_ops"},
)


class RequestStatusCount(TenantOwned, Base):
    """How many of a tenant's requests are in one status; written only by `counts`."""

    __tablename__ = "request_status_count"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(30), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
